"""Diagnostics: every finding about a plan or its actuals, as plain values."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from promoplan.vocabulary import RunStatus, Severity

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

# code -> (default severity, short title). The README lists them all with an example.
CODES: dict[str, tuple[Severity, str]] = {
    "PP001": ("error", "YAML syntax error, not UTF-8, or a forbidden tag"),
    "PP002": ("error", "duplicate key"),
    "PP003": ("error", "schema: unknown key, missing key, wrong type, empty file"),
    "PP004": ("error", "not a quantity, or the wrong unit"),
    "PP005": ("warning", "a comment one blank after a plain value (name: Promo #1) cuts it short"),
    "PP010": ("error", "plan too large or too complex"),
    "PP101": ("error", "top-level budget shares do not sum to 100%"),
    "PP102": ("error", "sub-line shares do not sum to their line's share"),
    "PP103": ("error", "budget amounts disagree with total x share"),
    "PP104": ("error", "a channel maps to a budget line that does not exist"),
    "PP110": ("error", "quarters do not tile the period"),
    "PP111": ("error", "an event falls outside its quarter"),
    "PP112": ("error", "quarter weights do not sum to 100%"),
    "PP120": ("warning", "target not set (placeholder)"),
    "PP121": ("error", "a goal or alert names an unknown metric"),
    "PP122": ("error", "formula error: syntax, unknown name, cycle"),
    "PP123": ("error", "a target contradicts its goal"),
    "PP124": ("warning", "a formula multiplies two metrics (a product of sums)"),
    "PP125": ("error", "split by the unpivot dimension, a measure that is not unpivoted"),
    "PP126": ("error", "the plan's ignore: lists an error code"),
    "PP127": ("error", "a metric a long table cannot give: expr, or agg: count"),
    "PP128": ("error", "an expr reads a measure that actuals.unpivot splits"),
    "PP129": ("warning", "the plan's ignore: lists a code promoplan does not have"),
    "PP130": ("error", "a pacing curve file cannot be used: unreadable, gaps, shares not 100%"),
    "PP131": ("warning", "a by or where names an undeclared dimension spelt like a declared one"),
    "PP140": ("error", "a notify webhook or secret written in the plan, not as ${NAME}"),
    "PP141": (
        "error",
        "actuals.source cannot be read: no source URL, no table, a password or path",
    ),
    "PA001": ("error", "actuals file unreadable"),
    "PA002": ("warning", "a column the plan needs is in no actuals file"),
    "PA003": ("error", "a value is not a number"),
    "PA004": ("error", "a date cannot be read"),
    "PA005": ("info", "file read as GB18030"),
    "PA006": ("error", "malformed CSV"),
    "PA010": ("warning", "same date and dimension values twice in one file, or in two files"),
    "PA011": ("warning", "a channel the plan does not map"),
    "PA012": ("info", "rows outside the period and its baseline year, ignored"),
    "PA013": ("warning", "a metric's files all end more than 7 days before as-of"),
    "PA014": ("info", "last year's data does not cover a goal's span: paced by quarters"),
    "PA015": ("info", "metric names in a long table that the plan does not read"),
    "PA016": ("info", "a file given twice, or identical to another, read once"),
    # Stops the run (exit 2, one line on stderr), as PA030 does.
    "PA017": ("error", "the actuals files did not fit DuckDB's memory cap"),
    "PA018": ("warning", "a dimension's values are long ids a spreadsheet rounded"),
    "PA020": ("warning", "stale data: actuals end more than 7 days before the window ends"),
    "PA021": ("warning", "a comparison's baseline dates are not all covered by the actuals"),
    "PA022": ("warning", "the report's window holds no actuals: they end before it starts"),
    # Database sources (promoplan.actuals.warehouse). PA030, PA031 and PA035 stop
    # the run (exit 2, one line on stderr); the others are findings (exit 1).
    "PA030": ("error", "database server unreachable"),
    "PA031": ("error", "database authentication failed, or reading the table not allowed"),
    "PA032": ("error", "no such table"),
    "PA033": ("error", "no date column in the table"),
    "PA034": ("error", "a column of the wrong type"),
    "PA035": ("error", "the cube query ran longer than the timeout"),
    "PA036": ("error", "the daily cube would be too large"),
    "PT001": ("error", "a test file names a plan or fixture file that cannot be read"),
    "PT002": ("error", "two tests of one test file have the same name"),
    "PT003": ("error", "a test's period is not a window of its plan"),
}


@dataclass(frozen=True)
class Diagnostic:
    """One finding with its location: ``file:line:column`` and, for plans, the key path."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None
    hint: str | None = None

    def located(self, file: str | None) -> Diagnostic:
        """Return a copy that names ``file``."""
        return replace(self, file=file)

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order by file, then position, then code."""
        return (self.file or "", self.line or 0, self.column or 0, self.code)


def diagnostic(
    code: str,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    column: int | None = None,
    path: str | None = None,
    hint: str | None = None,
    severity: Severity | None = None,
) -> Diagnostic:
    """Build a diagnostic with the code's default severity unless one is given."""
    return Diagnostic(
        code=code,
        severity=severity or CODES[code][0],
        message=message,
        file=file,
        line=line,
        column=column,
        path=path,
        hint=hint,
    )


def count_by_severity(severities: Iterable[str]) -> dict[str, int]:
    """Count ``error``, ``warning`` and ``info`` (all three keys always present)."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for severity in severities:
        counts[severity] += 1
    return counts


def overall_status(counts: dict[str, int]) -> RunStatus:
    """``fail`` with any error, ``warn`` with any warning, else ``pass``."""
    if counts["error"]:
        return "fail"
    if counts["warning"]:
        return "warn"
    return "pass"


# Codes that guard evaluation: with one of them there is no plan to evaluate (PP001-PP003,
# PP010) or a formula that cannot be computed (PP122). ``ignore:`` and ``--ignore``
# never drop them, so that an ignored error cannot let such a plan reach the evaluator.
NOT_IGNORABLE = frozenset({"PP001", "PP002", "PP003", "PP010", "PP122"})


def plan_ignorable(codes: Iterable[str]) -> list[str]:
    """The codes of a plan's ``ignore:`` that it may silence: no error codes (PP124)."""
    return [code for code in codes if CODES.get(code.upper(), ("warning", ""))[0] != "error"]


def closest_code(code: str) -> str | None:
    """The code ``code`` (not one of :data:`CODES`) most likely meant, if any is close."""
    import difflib  # noqa: PLC0415  # only for a code that is not one

    close = difflib.get_close_matches(code.strip().upper(), list(CODES), n=1)
    return close[0] if close else None


def ignore_codes(given: Iterable[str] | None) -> tuple[str, ...]:
    """``--ignore``'s codes; :class:`UsageProblem` for one promoplan does not have (a typo
    would otherwise silence nothing, without a word)."""
    codes = tuple(given or ())
    for code in codes:
        if code.strip().upper() not in CODES:
            from promoplan.errors import UsageProblem  # noqa: PLC0415

            meant = closest_code(code)
            hint = f"; did you mean {meant}?" if meant else " (the README lists them)"
            raise UsageProblem(f"--ignore {code!r} is no promoplan diagnostic code{hint}")
    return codes


def without_codes(
    diagnostics: Iterable[Diagnostic], codes: Iterable[str]
) -> tuple[Diagnostic, ...]:
    """Drop diagnostics whose code is in ``codes`` (``--ignore`` and a plan's ``ignore:``),
    except the codes in :data:`NOT_IGNORABLE`."""
    dropped = {code.strip().upper() for code in codes} - NOT_IGNORABLE
    return tuple(d for d in diagnostics if d.code not in dropped)


def stopped_by(diagnostics: Iterable[Diagnostic], codes: Iterable[str]) -> tuple[Diagnostic, ...]:
    """The diagnostics of a run its errors stopped before evaluating: ``codes`` dropped as
    :func:`without_codes` does, except the errors, ignored or not. ``--ignore PA003``
    made a file it could not read "pass: no problems" with nothing evaluated."""
    dropped = {code.strip().upper() for code in codes} - NOT_IGNORABLE
    return tuple(d for d in diagnostics if d.severity == "error" or d.code not in dropped)


# A function from a plan key path (("budget", "lines", "traffic", "share")) to the
# 1-based (line, column) of that node, or of its nearest ancestor that exists.
Locate = Callable[[tuple[str | int, ...]], tuple[int | None, int | None]]


def dotted(path: tuple[str | int, ...]) -> str:
    """``("budget", "lines", 0)`` -> ``budget.lines[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text
