"""``promoplan diff``: which of NEW's diagnostics are new, which OLD had in another wording."""

from __future__ import annotations

import json
from pathlib import Path

from markdown_it import MarkdownIt

from clirunner import Cli
from promoplan.commands.diff import load_side
from promoplan.diagnostics import diagnostic
from promoplan.diff import ChangedDiagnostic, diff_plans, match_diagnostics
from promoplan.render import RenderOptions, render_diff
from promoplan.starter import STARTER_PLAN

# The starter's top-level shares: traffic 50% + content 25% + influencers 15% + reserve 10%.
RESERVE = "    reserve:     10%"


def plan_with(directory: Path, name: str, *replacements: tuple[str, str]) -> Path:
    """The starter plan with each replacement (which must match once) made, as a file."""
    text = STARTER_PLAN
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_partly_fixed_error_is_changed_not_new(cli: Cli, tmp_path: Path) -> None:
    # reserve 5%: 50 + 25 + 15 + 5 = 95%; reserve 8%: 50 + 25 + 15 + 8 = 98%.
    a = plan_with(tmp_path, "a.yaml", (RESERVE, "    reserve:     5%"))
    b = plan_with(tmp_path, "b.yaml", (RESERVE, "    reserve:     8%"))
    result = cli("diff", str(a), str(b), "-f", "json")
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["diagnostics"] == []
    (changed,) = document["changed_diagnostics"]
    assert (changed["old"]["code"], changed["new"]["code"]) == ("PP101", "PP101")
    assert changed["old"]["message"] == "budget shares sum to 95%, not 100%"
    assert changed["new"]["message"] == "budget shares sum to 98%, not 100%"
    assert (changed["old"]["file"], changed["new"]["file"]) == (str(a), str(b))
    assert changed["new"]["path"] == "budget.lines"

    table = cli("diff", str(a), str(b))
    assert table.exit_code == 0
    assert "new diagnostics in NEW" not in table.stdout
    assert "changed diagnostics, in OLD too:" in table.stdout
    assert "    was: budget shares sum to 95%, not 100%" in table.stdout
    assert table.stdout.splitlines()[-1] == (
        "2 changes; 0 new errors, 0 other new diagnostics, 1 changed diagnostic"
    )


def test_a_changed_error_beside_a_new_one_still_fails(cli: Cli, tmp_path: Path) -> None:
    # NEW: PP101 98% (was 95%), and search 25% + social 20% = 45% of traffic's 50% (PP102).
    a = plan_with(tmp_path, "a.yaml", (RESERVE, "    reserve:     5%"))
    b = plan_with(
        tmp_path, "b.yaml", (RESERVE, "    reserve:     8%"), ("search: 30%", "search: 25%")
    )
    result = cli("diff", str(a), str(b), "-f", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [d["code"] for d in document["diagnostics"]] == ["PP102"]
    assert [c["new"]["code"] for c in document["changed_diagnostics"]] == ["PP101"]


def test_markdown_lists_changed_diagnostics_in_their_own_table(tmp_path: Path) -> None:
    a = plan_with(tmp_path, "a.yaml", (RESERVE, "    reserve:     5%"))
    b = plan_with(tmp_path, "b.yaml", (RESERVE, "    reserve:     8%"))
    text = render_diff(
        "markdown", diff_plans(load_side(str(a)), load_side(str(b))), RenderOptions()
    )
    assert "#### New diagnostics" not in text
    assert "#### Changed diagnostics" in text
    assert text.endswith("No new diagnostics.\n")
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| ") and "PP101" in line
    ]
    assert len(rows) == 1
    # At budget.lines: "  lines:" is line 59 of the starter, its key at column 3.
    assert rows[0][0].endswith("b.yaml:59:3")
    assert rows[0][1:3] == ["error", "PP101"]
    assert rows[0][4] == "budget shares sum to 95%, not 100%"
    cells = [t for t in MarkdownIt("commonmark").enable("table").parse(text) if t.type == "td_open"]
    assert len(cells) == 2 * 4 + 5  # two change rows of 4 cells, one diagnostic row of 5


def test_identical_diagnostics_pair_first_then_by_key_path() -> None:
    old = [
        diagnostic("PP110", "gap between Q1 and Q2", path="quarters.Q2.start", line=5),
        diagnostic("PP110", "Q2 overlaps Q3 by 3 days", path="quarters.Q2.start", line=6),
    ]
    # NEW: the overlap is as it was (on another line), the gap changed, one more at that path.
    new = [
        diagnostic("PP110", "gap of 2 days between Q1 and Q2", path="quarters.Q2.start", line=9),
        diagnostic("PP110", "Q2 overlaps Q3 by 3 days", path="quarters.Q2.start", line=10),
        diagnostic("PP110", "Q2 starts before the period", path="quarters.Q2.start", line=11),
    ]
    found, changed = match_diagnostics(old, new)
    assert changed == (ChangedDiagnostic(old[0], new[0]),)
    assert found == (new[2],)


def test_without_a_key_path_the_message_is_the_identity() -> None:
    old = [diagnostic("PP001", "YAML syntax: a flow mapping is not closed", path=None, line=3)]
    moved = [diagnostic("PP001", "YAML syntax: a flow mapping is not closed", path=None, line=7)]
    other = [diagnostic("PP001", "YAML syntax: a tab where spaces are expected", path=None, line=3)]
    assert match_diagnostics(old, moved) == ((), ())
    assert match_diagnostics(old, other) == (tuple(other), ())


def test_a_warning_that_becomes_an_error_is_new() -> None:
    old = [diagnostic("PP120", "target not set", path="goals.nps.at_least", severity="warning")]
    new = [diagnostic("PP120", "target not set", path="goals.nps.at_least", severity="error")]
    assert match_diagnostics(old, new) == (tuple(new), ())
