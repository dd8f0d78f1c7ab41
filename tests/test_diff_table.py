"""``promoplan diff --format table`` in a narrow terminal: key paths never break in a word."""

from __future__ import annotations

from pathlib import Path

from promoplan.commands.diff import load_side
from promoplan.diff import PlanDiff, diff_plans
from promoplan.render import RenderOptions, render_diff
from promoplan.render.fit import wrap_path
from promoplan.starter import STARTER_PLAN

NPS_GOAL = "  nps:           {metric: nps, at_least: 45, notes: measured by the quarterly survey}\n"


def narrow_pair(tmp_path: Path) -> PlanDiff:
    """The nps goal removed (a long old value), influencers 15% -> 20%, reserve 10% -> 5%."""
    new = STARTER_PLAN
    for old, replacement in (
        (NPS_GOAL, ""),
        ("influencers: 15%", "influencers: 20%"),
        ("    reserve:     10%", "    reserve:     5%"),
    ):
        assert new.count(old) == 1, old
        new = new.replace(old, replacement)
    (tmp_path / "a.yaml").write_text(STARTER_PLAN, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(new, encoding="utf-8")
    return diff_plans(load_side(str(tmp_path / "a.yaml")), load_side(str(tmp_path / "b.yaml")))


def what_cells(text: str) -> list[list[str]]:
    """The ``what`` column's lines, row by row (a row goes on while ``change`` is blank)."""
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("change "))
    start, end = lines[header].index("what"), lines[header].index(" old ") + 1
    cells: list[list[str]] = []
    for line in lines[header + 1 :]:
        if line.startswith("new diagnostics") or line[0].isdigit():
            break
        piece = line[start:end].strip()
        if line[:start].strip():
            cells.append([piece])
        elif piece:
            cells[-1].append(piece)
    return cells


def test_paths_stay_whole_when_the_values_can_wrap(tmp_path: Path) -> None:
    # 80 columns: change 7 + line 4 + padding 8 leave 61; the longest path,
    # budget.lines.influencers.planned, is 32, the old value (the nps goal, 68) wraps
    # at blanks in 61 - 32 - 6 (new: ¥300万) = 23. rich folded both: the path at 28.
    text = render_diff("table", narrow_pair(tmp_path), RenderOptions(width=80))
    cells = what_cells(text)
    assert ["budget.lines.influencers.planned"] in cells
    assert all(len(cell) == 1 for cell in cells), cells
    assert max(len(line) for line in text.splitlines()) <= 80


def test_paths_wrap_after_a_dot(tmp_path: Path) -> None:
    # 60 columns leave 41; the values keep 2/7 of it, 11 (old) and 6 (new: ¥300万), so
    # what gets 41 - 17 = 24: budget.lines.influencers. would be 25.
    result = narrow_pair(tmp_path)
    cells = what_cells(render_diff("table", result, RenderOptions(width=60)))
    assert ["budget.lines.", "influencers.planned"] in cells
    assert ["budget.lines.reserve.", "planned"] in cells  # 28 > 24
    assert ["budget.lines.reserve.", "share"] in cells  # 26 > 24
    assert ["goals.nps"] in cells
    assert sorted("".join(cell) for cell in cells) == sorted(c.path for c in result.changes)
    for cell in cells:
        assert all(line.endswith(".") for line in cell[:-1]), cell


def test_wrap_path_breaks_after_dots_and_at_blanks() -> None:
    assert wrap_path("budget.lines.influencers.share", 30) == "budget.lines.influencers.share"
    assert wrap_path("budget.lines.influencers.share", 20) == "budget.lines.\ninfluencers.share"
    assert wrap_path("quarters.Q4.events.Double 12.start", 20) == (
        "quarters.Q4.events.\nDouble 12.start"
    )
    assert wrap_path("quarters.Q4.events.Double 12.start", 8) == (
        "quarters.\nQ4.\nevents.\nDouble\n12.start"
    )
    assert wrap_path("a.verylongpiece.b", 4) == "a.\nverylongpiece.\nb"
