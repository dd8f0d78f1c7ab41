"""Pacing curve files (``pacing: {curve: FILE}``): a team's own daily or weekly shares.

Read at the edge, before evaluation, from the plan's own directory only, and
checked (no gaps, shares summing to 1, located errors as PP130).
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from pathlib import Path

from promoplan.diagnostics import Diagnostic, Locate, diagnostic
from promoplan.model import Plan
from promoplan.modelpacing import CurvePacing, PacingValue
from promoplan.seasonal import DailyCurve
from promoplan.windows import days_in

SHARE_TOLERANCE = Decimal("0.001")  # a curve file's shares may be rounded to 0.1%
MAX_CURVE_BYTES = 1 << 20


def curve_path(plan_file: Path, text: str) -> Path | str:
    """The curve file named in the plan, resolved beside it; a message when it may not be read.

    A plan reads nothing outside its own directory: no absolute path, no ``..``,
    no symlink that leads out.
    """
    given = Path(text)
    if given.is_absolute() or ".." in given.parts or not text.strip():
        return "a curve file is named relative to the plan's directory, without '..'"
    base = plan_file.parent
    path = base / given
    try:
        inside = path.resolve().is_relative_to(base.resolve())
    except OSError:
        inside = False
    if not inside:
        return "the curve file leads outside the plan's directory"
    return _not_a_file(path, text) or path


def _not_a_file(path: Path, text: str) -> str | None:
    """Why ``path`` (as ``text`` names it) is no curve file to read; None when it is one."""
    if text.endswith(("/", "\\")):
        return "a curve file is named without a trailing slash (which names a directory)"
    if path.is_dir():
        return f"{path.as_posix()} is a directory, not a curve file"
    if path.exists() and not path.is_file():
        return f"{path.as_posix()} is not a regular file (a pipe or a device)"
    if not path.is_file():
        return f"no such file {path.as_posix()}"
    return None


def read_curve(  # noqa: PLR0911, PLR0912  # one branch per documented check of a curve file
    path: Path, shown: str, period: tuple[dt.date, dt.date]
) -> tuple[DailyCurve | None, tuple[Diagnostic, ...]]:
    """A curve file (``date,share`` rows, daily or weekly) as daily weights over ``period``.

    A weekly row's share is spread evenly over its seven days (the last clipped to
    the period). Every problem is a PP130 error at its line and column.
    """

    def error(message: str, line: int | None = None, column: int | None = None) -> Diagnostic:
        return diagnostic(
            "PP130",
            message,
            file=shown,
            line=line,
            column=column,
            hint="one row per day (or per week) of the period: date,share; shares sum to 1",
        )

    try:
        if path.stat().st_size > MAX_CURVE_BYTES:
            return None, (error("curve file is over 1 MiB", 1, 1),)
        text = path.read_text(encoding="utf-8-sig")
    except OSError as problem:
        reason = problem.strerror or type(problem).__name__
        return None, (error(f"cannot read the curve file ({reason})", 1, 1),)
    except UnicodeDecodeError as problem:
        return None, (error(f"cannot read the curve file: {problem}", 1, 1),)
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return None, (error("the curve file is empty", 1, 1),)
    header = [cell.strip().lower() for cell in rows[0]]
    if "date" not in header or "share" not in header:
        return None, (error("the header must name the columns date and share", 1, 1),)
    date_at, share_at = header.index("date"), header.index("share")
    start, end = period
    dated: list[tuple[int, dt.date, Decimal]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            return None, (error(f"expected {len(header)} fields, got {len(row)}", number),)
        try:
            day = dt.date.fromisoformat(row[date_at].strip())
        except ValueError:
            message = f"{row[date_at]!r} is not a date (YYYY-MM-DD)"
            return None, (error(message, number, date_at + 1),)
        share = _share(row[share_at])
        if share is None or share < 0:
            return None, (
                error(f"{row[share_at]!r} is not a share (0.004 or 0.4%)", number, share_at + 1),
            )
        dated.append((number, day, share))
    if not dated:
        return None, (error("the curve file has no rows", 2, 1),)
    first_line, first_day, _ = dated[0]
    if first_day != start:
        return None, (
            error(
                f"the curve starts on {first_day.isoformat()}, not on the period's first day "
                f"{start.isoformat()}",
                first_line,
                date_at + 1,
            ),
        )
    step = (dated[1][1] - dated[0][1]).days if len(dated) > 1 else 1
    if step not in (1, 7):
        return None, (
            error(
                f"rows are {step} days apart: a curve is daily or weekly",
                dated[1][0],
                date_at + 1,
            ),
        )
    for (_, before, _), (line, day, _) in pairwise(dated):
        if (day - before).days != step:
            what = "a gap" if day > before + dt.timedelta(days=step) else "out of order"
            return None, (
                error(
                    f"{what}: {day.isoformat()} follows {before.isoformat()} "
                    f"(rows are {step} day{'s' if step > 1 else ''} apart)",
                    line,
                    date_at + 1,
                ),
            )
    last_line, last_day, _ = dated[-1]
    last_covered = last_day + dt.timedelta(days=step - 1)
    if last_covered < end or last_day > end:
        return None, (
            error(
                f"the curve ends on {last_day.isoformat()}; the period ends {end.isoformat()}",
                last_line,
                date_at + 1,
            ),
        )
    total = sum((share for _, _, share in dated), Decimal(0))
    if abs(total - 1) > SHARE_TOLERANCE:
        return None, (error(f"shares sum to {_percent(total)}, not 100%", last_line, share_at + 1),)
    weights: list[float] = []
    for _, day, share in dated:
        covered = days_in(day, min(end, day + dt.timedelta(days=step - 1)))
        weights.extend([float(share) / covered] * covered)
    return DailyCurve(start, weights), ()


def _share(raw: str) -> Decimal | None:
    text = raw.strip()
    scale = Decimal(1)
    if text.endswith("%"):
        text, scale = text[:-1].strip(), Decimal("0.01")
    try:
        value = Decimal(text) * scale
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def curve_files(plan: Plan) -> dict[str, tuple[str | int, ...]]:
    """Every curve file the plan names, with the key path of its first mention."""
    found: dict[str, tuple[str | int, ...]] = {}

    def note(value: PacingValue | None, path: tuple[str | int, ...]) -> None:
        if isinstance(value, CurvePacing) and value.curve not in found:
            found[value.curve] = (*path, "pacing", "curve")

    note(plan.pacing, ())
    for goal_id, goal in plan.goals.items():
        note(goal.pacing, ("goals", goal_id))
    for name, quarter in plan.quarters.items():
        for goal_id, goal in quarter.goals.items():
            note(goal.pacing, ("quarters", name, "goals", goal_id))
    if plan.budget is not None:
        note(plan.budget.pacing, ("budget",))
    return found


def read_curves(
    plan: Plan, plan_file: Path, shown: str, locate: Locate | None
) -> tuple[dict[str, DailyCurve], tuple[Diagnostic, ...]]:
    """Read every curve file the plan names (I/O at the edge, before evaluation)."""
    curves: dict[str, DailyCurve] = {}
    found: list[Diagnostic] = []
    for text, key in curve_files(plan).items():
        resolved = curve_path(plan_file, text)
        if isinstance(resolved, str):
            line, column = locate(key) if locate is not None else (None, None)
            found.append(
                diagnostic(
                    "PP130",
                    f"pacing curve {text!r}: {resolved}",
                    file=shown,
                    line=line,
                    column=column,
                    path=".".join(str(part) for part in key),
                    hint="put the curve file beside the plan and name it relative to the plan",
                )
            )
            continue
        curve, problems = read_curve(resolved, resolved.as_posix(), plan.span)
        found.extend(problems)
        if curve is not None:
            curves[text] = curve
    return curves, tuple(found)
