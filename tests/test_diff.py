"""``promoplan diff``: plan changes in terms of the plan, new diagnostics, git revisions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from clirunner import Cli
from promoplan.commands.diff import load_side
from promoplan.diff import PlanDiff, diff_plans
from promoplan.errors import UsageProblem
from promoplan.render import Format, RenderOptions
from promoplan.render import render_diff as render_with
from promoplan.starter import STARTER_PLAN


def render_diff(fmt: Format, result: PlanDiff, *, color: bool = False) -> str:
    """Render through the one registry, as the CLI does."""
    return render_with(fmt, result, RenderOptions(color=color))


BASE = STARTER_PLAN


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """Apply replacements, each of which must match exactly once."""
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def diff_texts(tmp_path: Path, old: str, new: str, **kwargs: Any) -> PlanDiff:
    a = write(tmp_path, "old.yaml", old)
    b = write(tmp_path, "new.yaml", new)
    return diff_plans(load_side(str(a)), load_side(str(b)), **kwargs)


def changes(result: PlanDiff) -> dict[str, tuple[str, Any, Any]]:
    """path -> (kind, old, new) as the JSON document has them."""
    document = json.loads(render_diff("json", result))
    return {c["path"]: (c["kind"], c["old"], c["new"]) for c in document["changes"]}


def test_identical_and_equivalent_plans_have_no_changes(tmp_path: Path) -> None:
    same_values = edit(
        BASE,
        ("influencers: 15%", "influencers: 0.15"),
        ("total: 2000万", "total: 20_000_000"),
        (
            "    by: channel                   # evaluated for each channel separately\n"
            "    window: quarter               # week | month | quarter | period\n",
            "    window: quarter\n    by: channel\n",
        ),
        (
            "{column: gmv, unit: currency, label: GMV}",
            "{column: gmv, agg: sum, unit: currency, label: GMV}",
        ),
    )
    result = diff_texts(tmp_path, BASE, same_values)
    assert result.changes == ()
    assert result.diagnostics == ()
    assert "no changes to the plan" in render_diff("table", result)
    # The year written as its dates is the same period.
    dated = edit(BASE, ("period: 2025 ", "period: {start: 2025-01-01, end: 2025-12-31} "))
    assert dated != BASE
    assert diff_texts(tmp_path, BASE, dated).changes == ()


def test_goal_retargeted_added_and_removed(tmp_path: Path) -> None:
    new = edit(
        BASE,
        ("expense_ratio, at_most: 18%}", "expense_ratio, at_most: 20%}"),
        (
            "  nps:           {metric: nps, at_least: 45, "
            "notes: measured by the quarterly survey}\n",
            "",
        ),
        (
            "  gmv_growth:    {metric: gmv, growth: 30%}",
            '  gmv_growth:    {metric: gmv, growth: 25%}\n  roi: {metric: roi, at_least: "1:4"}',
        ),
        (
            "      orders: {metric: orders, at_least: 5万}",
            "      orders: {metric: orders, at_least: 6万}",
        ),
    )
    result = diff_texts(tmp_path, BASE, new)
    found = changes(result)
    assert found["goals.expense_ratio.at_most"] == ("changed", 0.18, 0.2)
    assert found["goals.gmv_growth.growth"] == ("changed", 0.3, 0.25)
    assert found["goals.roi"] == ("added", None, {"metric": "roi", "at_least": 4})
    assert found["goals.nps"][0] == "removed"
    assert found["goals.nps"][1]["at_least"] == 45
    assert found["quarters.Q1.goals.orders.at_least"] == ("changed", 50000, 60000)
    table = render_diff("table", result)
    # Targets are shown in the goal's unit.
    assert "18%" in table
    assert "20%" in table
    assert "5万" in table
    assert "6万" in table
    assert result.diagnostics == ()


def test_budget_shares_amounts_and_total(tmp_path: Path) -> None:
    new = edit(
        BASE,
        ("total: 2000万", "total: 2400万"),
        ("influencers: 15%", "influencers: 20%"),
        ("    reserve:     10%", "    reserve:     5%"),
        (
            "    content:     {share: 25%, label: Content production}\n",
            "    content:     {share: 20%, amount: 480万}\n    events: 5%\n",
        ),
    )
    found = changes(diff_texts(tmp_path, BASE, new))
    assert found["budget.total"] == ("changed", 20_000_000, 24_000_000)
    assert found["budget.lines.influencers.share"] == ("changed", 0.15, 0.2)
    assert found["budget.lines.influencers.planned"] == ("changed", 3_000_000, 4_800_000)
    assert found["budget.lines.reserve.share"] == ("changed", 0.1, 0.05)
    assert found["budget.lines.content.amount"] == ("added", None, 4_800_000)
    assert found["budget.lines.content.label"] == ("removed", "Content production", None)
    assert found["budget.lines.events"] == ("added", None, {"share": 0.05, "planned": 1_200_000})
    # The traffic line's share is unchanged, but a bigger total plans more for it.
    assert "budget.lines.traffic.share" not in found
    assert found["budget.lines.traffic.planned"] == ("changed", 10_000_000, 12_000_000)
    assert found["budget.lines.traffic.lines.search.planned"] == ("changed", 6_000_000, 7_200_000)


def test_quarters_theme_weight_dates_events_and_goals(tmp_path: Path) -> None:
    new = edit(
        BASE,
        ("theme: Brand upgrade", "theme: Brand upgrade and anniversary"),
        (
            "    weight: 20%\n    events:\n      - {name: New Year",
            "    weight: 15%\n    events:\n      - {name: New Year",
        ),
        (
            "    theme: Brand upgrade and anniversary\n    weight: 20%",
            "    theme: Brand upgrade and anniversary\n    weight: 25%",
        ),
        (
            "      - {name: 618 sale}\n",
            "      - {name: Spring refresh, start: 2025-04-01, end: 2025-04-15}\n",
        ),
        ("      - {name: Double 12}\n", ""),
        (
            "    goals:                        # goals for this quarter only\n"
            "      orders: {metric: orders, at_least: 5万}\n",
            "",
        ),
    )
    found = changes(diff_texts(tmp_path, BASE, new))
    assert found["quarters.Q3.theme"] == (
        "changed",
        "Brand upgrade",
        "Brand upgrade and anniversary",
    )
    assert found["quarters.Q1.weight"] == ("changed", 0.2, 0.15)
    assert found["quarters.Q3.weight"] == ("changed", 0.2, 0.25)
    assert found["quarters.Q2.events.618 sale"][0] == "removed"
    assert found["quarters.Q2.events.Spring refresh"] == (
        "added",
        None,
        {"start": "2025-04-01", "end": "2025-04-15"},
    )
    assert found["quarters.Q4.events.Double 12"][0] == "removed"
    assert "quarters.Q4.events.Double 11" not in found
    assert found["quarters.Q1.goals"][0] == "removed"


def test_a_new_period_moves_every_quarter(tmp_path: Path) -> None:
    new = edit(
        BASE,
        ("period: 2025 ", "period: 2026 "),
        ("start: 2025-01-10, end: 2025-01-26", "start: 2026-01-10, end: 2026-01-26"),
    )
    found = changes(diff_texts(tmp_path, BASE, new))
    assert found["period"] == ("changed", 2025, 2026)
    assert found["quarters.Q1.start"] == ("changed", "2025-01-01", "2026-01-01")
    assert found["quarters.Q4.end"] == ("changed", "2025-12-31", "2026-12-31")
    assert found["quarters.Q1.events.New Year goods festival.start"] == (
        "changed",
        "2025-01-10",
        "2026-01-10",
    )


def test_alerts_metrics_and_channels(tmp_path: Path) -> None:
    new = edit(
        BASE,
        ('below: "1:3"', 'below: "1:2.5"'),
        ("    severity: error\n", "    severity: warning\n"),
        ("    window: quarter ", "    window: month "),
        ("action: Cut this channel's spend", "action: Pause this channel"),
        ("min: {spend: 1万}", "min: {spend: 2万}"),
        ("    drop_over: 20% ", "    drop_over: 30% "),
        ("{formula: spend / gmv, unit: percent}", "{formula: (spend) / gmv, unit: percent}"),
        ("  douyin: traffic.social\n", "  douyin: traffic.search\n  kuaishou: traffic.social\n"),
        ("  xiaohongshu: influencers\n", ""),
    )
    result = diff_texts(tmp_path, BASE, new)
    found = changes(result)
    assert found["alerts.low_roi.below"] == ("changed", 3, 2.5)
    assert found["alerts.low_roi.severity"] == ("changed", "error", "warning")
    assert found["alerts.low_roi.window"] == ("changed", "quarter", "month")
    assert found["alerts.low_roi.action"] == (
        "changed",
        "Cut this channel's spend",
        "Pause this channel",
    )
    assert found["alerts.low_roi.min.spend"] == ("changed", 10_000, 20_000)
    assert found["alerts.traffic_drop.drop_over"] == ("changed", 0.2, 0.3)
    assert found["metrics.expense_ratio.formula"] == ("changed", "spend / gmv", "(spend) / gmv")
    assert found["channels.douyin"] == ("changed", "traffic.social", "traffic.search")
    assert found["channels.kuaishou"] == ("added", None, "traffic.social")
    assert found["channels.xiaohongshu"] == ("removed", "influencers", None)
    table = render_diff("table", result)
    assert "1:3" in table
    assert "1:2.5" in table
    assert "30%" in table


def test_placeholder_filled_in(tmp_path: Path) -> None:
    old = edit(BASE, ("at_least: 45, notes", "at_least: TBD, notes"))
    found = changes(diff_texts(tmp_path, old, BASE))
    assert found["goals.nps.at_least"] == ("changed", "TBD", 45)


def test_new_errors_fail_but_old_ones_and_moved_lines_do_not(cli: Cli, tmp_path: Path) -> None:
    broken = edit(BASE, ("    reserve:     10%", "    reserve:     5%"))
    moved = "# a new first comment line\n\n" + broken
    worse = edit(broken, ("  douyin: traffic.social", "  douyin: trafic.social"))
    a = write(tmp_path, "a.yaml", BASE)
    b = write(tmp_path, "b.yaml", broken)
    c = write(tmp_path, "c.yaml", moved)
    d = write(tmp_path, "d.yaml", worse)

    result = cli("diff", str(a), str(b), "-f", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [d["code"] for d in document["diagnostics"]] == ["PP101"]
    assert document["diagnostics"][0]["file"] == str(b)

    assert cli("diff", str(b), str(c)).exit_code == 0  # the same error on another line is not new
    assert cli("diff", str(b), str(a)).exit_code == 0  # fixing is fine
    result = cli("diff", str(c), str(d), "-f", "json")
    assert result.exit_code == 1
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["PP104"]
    # --ignore drops a code from both sides before comparing.
    assert cli("diff", str(c), str(d), "--ignore", "PP104").exit_code == 0


def test_warnings_are_listed_but_do_not_fail(cli: Cli, tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", BASE)
    b = write(tmp_path, "b.yaml", edit(BASE, ("at_least: 45, notes", "at_least: X, notes")))
    result = cli("diff", str(a), str(b))
    assert result.exit_code == 0
    assert "PP120" in result.stdout


def test_a_new_plan_that_does_not_load(cli: Cli, tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", BASE)
    b = write(tmp_path, "b.yaml", BASE.replace("promoplan: 1", "promoplan: [1", 1))
    result = cli("diff", str(a), str(b), "-f", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["changes"] == []
    assert document["new_loaded"] is False
    assert document["diagnostics"][0]["code"] == "PP001"
    table = cli("diff", str(a), str(b)).stdout
    assert "does not load" in table


def test_json_document_shape(cli: Cli, tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", BASE)
    b = write(
        tmp_path,
        "b.yaml",
        edit(
            BASE,
            ("    reserve:     10%", "    reserve:     12.5%"),
            ("influencers: 15%", "influencers: 12.5%"),
        ),
    )
    result = cli("diff", str(a), str(b), "--format", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert list(document)[:5] == ["schema_version", "old", "new", "changes", "diagnostics"]
    assert document["schema_version"] == 1
    assert (document["old"], document["new"]) == (str(a), str(b))
    reserve = next(c for c in document["changes"] if c["path"] == "budget.lines.reserve.share")
    assert reserve == {
        "path": "budget.lines.reserve.share",
        "kind": "changed",
        "old": 0.1,
        "new": 0.125,
        "line": BASE.splitlines().index("    reserve:     10%") + 1,
    }
    for change in document["changes"]:
        assert set(change) >= {"path", "kind", "old", "new"}
        assert change["kind"] in ("added", "removed", "changed")
    assert document["diagnostics"] == []


def test_unknown_format_and_missing_file_exit_2(cli: Cli, tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", BASE)
    result = cli("diff", str(a), str(a), "-f", "html")
    assert result.exit_code == 2
    assert "unknown format" in result.stderr
    result = cli("diff", str(a), str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2
    assert "missing.yaml" in result.stderr
    result = cli("diff", "", str(a))  # an unset variable, not the current directory
    assert result.exit_code == 2
    assert "'' is empty (an unset variable?); name a plan file or REV:path" in result.stderr


def test_a_windows_path_is_a_path_not_a_revision() -> None:
    with pytest.raises(UsageProblem, match="no such file"):
        load_side("C:\\plans\\2025.yaml")
    with pytest.raises(UsageProblem, match="no such file"):
        load_side("C:/plans/2025.yaml")


# --- REV:path ---------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Plans", "-c", "user.email=plans@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "plans").mkdir(parents=True)
    git(root, "init", "-q")
    write(root / "plans", "2025.yaml", BASE)
    git(root, "add", "plans/2025.yaml")
    git(root, "commit", "-q", "-m", "plan")
    write(root / "plans", "2025.yaml", edit(BASE, ("influencers: 15%", "influencers: 10%")))
    monkeypatch.chdir(root)
    return root


def test_rev_path_reads_the_committed_version(cli: Cli, repo: Path) -> None:
    result = cli("diff", "HEAD:plans/2025.yaml", "plans/2025.yaml", "-f", "json")
    assert result.exit_code == 1, result.stderr  # the shares no longer sum to 100%
    document = json.loads(result.stdout)
    assert document["old"] == "HEAD:plans/2025.yaml"
    assert {(c["path"], c["old"], c["new"]) for c in document["changes"]} >= {
        ("budget.lines.influencers.share", 0.15, 0.1)
    }
    assert [d["code"] for d in document["diagnostics"]] == ["PP101"]
    same = cli("diff", "HEAD:plans/2025.yaml", "HEAD:plans/2025.yaml", "-f", "json")
    assert same.exit_code == 0
    assert json.loads(same.stdout)["changes"] == []


def test_an_existing_file_wins_over_a_revision(repo: Path) -> None:
    odd = write(repo, "HEAD:plans", BASE)
    assert load_side("HEAD:plans").file == "HEAD:plans"
    assert odd.is_file()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuchrev:plans/2025.yaml", "git show cannot read it"),
        ("HEAD:plans/missing.yaml", "git show cannot read it"),
        ("HEAD:plans", "directory"),
        ("--output=x:plans/2025.yaml", "cannot start with '-'"),
    ],
)
def test_bad_revisions_exit_2(cli: Cli, repo: Path, spec: str, message: str) -> None:
    result = cli("diff", "--", spec, "plans/2025.yaml")
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (repo / "x").exists()


def test_git_missing_exits_2(cli: Cli, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin-here"))
    result = cli("diff", "HEAD:plans/2025.yaml", "plans/2025.yaml")
    assert result.exit_code == 2
    assert "git is not installed" in result.stderr


# --- escaping ---------------------------------------------------------------------------

NASTY = "x|y <script>alert(1)</script> [bold]loud[/bold] `tick` \x1b[31mred"


def nasty_pair(tmp_path: Path) -> PlanDiff:
    new = edit(BASE, ("action: Cut this channel's spend", f"action: {json.dumps(NASTY)}"))
    return diff_texts(tmp_path, BASE, new)


def test_markdown_cells_cannot_break_the_table(tmp_path: Path) -> None:
    text = render_diff("markdown", nasty_pair(tmp_path))
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script>" not in html
    assert "\x1b" not in text
    cells_per_row: list[int] = []
    for token in MarkdownIt("commonmark").enable("table").parse(text):
        if token.type == "tr_open":
            cells_per_row.append(0)
        elif token.type in ("td_open", "th_open"):
            cells_per_row[-1] += 1
    assert len(cells_per_row) >= 2  # the header and the changed action
    assert set(cells_per_row) == {4}
    assert "alert(1)" in html
    assert "[bold]loud[/bold]" in html


def test_table_shows_plan_text_literally(tmp_path: Path) -> None:
    text = render_diff("table", nasty_pair(tmp_path), color=True)
    assert "[bold]loud[/bold]" in text
    assert "\\u001b[31mred" in text


def test_diff_does_not_import_duckdb(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", BASE)
    code = (
        "import sys\n"
        "from promoplan.cli import main\n"
        f"sys.argv = ['promoplan', 'diff', {str(a)!r}, {str(a)!r}, '-f', 'json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'duckdb' not in sys.modules, 'duckdb imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )
    assert done.returncode == 0, done.stderr


def test_a_password_written_in_the_source_is_masked_but_still_a_change(tmp_path: Path) -> None:
    """A diff is posted for all (a pull request comment): PP141's password shows as ***."""
    base = edit(STARTER_PLAN, ("actuals:\n", "actuals:\n  source: SOURCE\n  table: sales.daily\n"))
    plain = base.replace("SOURCE", "postgresql://reader@db.internal/shop")
    typed = base.replace("SOURCE", "postgresql://reader:hunter2@db.internal/shop")
    referenced = base.replace("SOURCE", "postgresql://reader:${SHOP_PW}@db.internal/shop")
    result = diff_texts(tmp_path, plain, typed)
    assert changes(result)["actuals.source"] == (
        "changed",
        "postgresql://reader@db.internal/shop",
        "postgresql://reader:***@db.internal/shop",
    )
    for fmt in ("table", "json", "markdown"):
        assert "hunter2" not in render_diff(fmt, result)
    assert changes(diff_texts(tmp_path, typed, referenced))["actuals.source"][1:] == (
        "postgresql://reader:***@db.internal/shop",
        "postgresql://reader:${SHOP_PW}@db.internal/shop",
    )


def test_table_diagnostics_are_whole_lines_however_narrow(tmp_path: Path) -> None:
    # As check and validate print them: one line per diagnostic, for editors and grep.
    a = write(tmp_path, "a.yaml", BASE)
    b = write(tmp_path, "b.yaml", BASE + "goals: [unclosed\n")
    result = diff_plans(load_side(str(a)), load_side(str(b)))
    options = RenderOptions(width=60)
    text = render_with("table", result, options)
    (line,) = [line for line in text.splitlines() if " PP001 " in line]
    assert line.startswith(f"{b}:")
    assert len(line) > 60
    assert line.endswith(")")  # the message's last words are on its line


def test_a_changed_event_is_located_at_its_own_line(tmp_path: Path) -> None:
    """Events are compared by name; the change was placed at the line of events:."""
    new = edit(BASE, ("{name: Double 12", "{name: Double 12, start: 2025-12-09, end: 2025-12-12"))
    result = diff_texts(tmp_path, BASE, new)
    moved = [
        c
        for c in result.changes
        if c.path.startswith("quarters.Q4.events.Double 12") and c.kind != "removed"
    ]
    line = next(i for i, text in enumerate(new.splitlines(), 1) if "{name: Double 12" in text)
    assert moved
    assert {c.line for c in moved} == {line}
