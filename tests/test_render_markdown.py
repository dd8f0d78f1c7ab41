"""The Markdown renderer (PR comments, chat, wikis), parsed back with markdown-it-py."""

from __future__ import annotations

import re
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from builders import (
    NAME,
    alert,
    budget_row,
    drop_alert,
    evaluated_plan,
    goal,
    kpi,
    over_budget_row,
    parent_row,
    quarter_goal,
    report_data,
    seed_diagnostics,
    unmapped_row,
    unset_goal,
)
from profiles import scaled
from promoplan.diagnostics import diagnostic
from promoplan.render import RenderOptions
from promoplan.render.markdown import render_markdown
from promoplan.result import PlanResult, Run

HOSTILE = (
    "[red]x[/red] [/] \x1b[2J \x1b]8;;http://x\x07link \u202eevil a|b\n::error::x"
    " <img src=x onerror=alert(1)> ![](http://t/p.png) *b* `c`"
)


def build_plan(
    name: str | None = NAME, channel: str = "kuaishou", report: bool = False
) -> PlanResult:
    """The seed plan at the end of June, small: three goals, a budget tree, two alerts."""
    goals = (
        goal(metric="gmv_growth", baseline=None),
        goal(id="gmv", label="GMV", kind="cumulative", target=1.2e9, actual=5.2e8,
             expected=5.6e8, progress=0.9286, projection=1.11e9, baseline=None),
        unset_goal(),
        quarter_goal(metric="Q1.wecom_adds"),
    )  # fmt: skip
    budget = (parent_row(), unmapped_row(), budget_row(label="公域 public"), over_budget_row())
    conversion = kpi(metric="conversion", label="UV转化率", unit="percent", value=0.046,
                     previous=0.047, change=-0.0213)  # fmt: skip
    return evaluated_plan(
        name=name,
        diagnostics=seed_diagnostics(channel),
        goals=goals,
        budget=budget,
        alerts=(alert(channel), drop_alert()),
        report=report_data(kpis=(kpi(), conversion)) if report else None,
    )


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def tables(tokens: list[Token]) -> list[list[list[str]]]:
    """Each table as rows of cell texts (header first), as a Markdown reader sees them."""
    found: list[list[list[str]]] = []
    row: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            found.append([])
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            inline = tokens[index + 1]
            row.append(inline.content if inline.type == "inline" else "")
        elif token.type == "tr_close":
            found[-1].append(row)
    return found


def rendered_text(cell: str) -> str:
    """The text a reader sees in an inline fragment: markup applied, escapes removed."""
    tokens = MarkdownIt("commonmark").parseInline(cell)
    return "".join(
        child.content for token in tokens for child in token.children or () if child.type == "text"
    )


def raw_cell_counts(text: str) -> list[int]:
    """Cells per table line, counted from the source: pipes that no backslash escapes."""
    counts = []
    for line in text.splitlines():
        if line.startswith("|"):
            counts.append(len(re.findall(r"(?<!\\)(?:\\\\)*\|", line)) - 1)
    return counts


def check_run(**kw: object) -> Run:
    return Run("check", (build_plan(**kw),))  # type: ignore[arg-type]


def test_check_matches_golden(golden: Callable[[str, str], None]) -> None:
    golden("markdown-check.md", render_markdown(check_run(), RenderOptions()))


def test_report_matches_golden(golden: Callable[[str, str], None]) -> None:
    run = Run("report", (build_plan(report=True),))
    golden("markdown-report.md", render_markdown(run, RenderOptions(units="intl")))


def test_sections_in_order_with_status_line() -> None:
    text = render_markdown(Run("report", (build_plan(report=True),)), RenderOptions())
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        f"## {NAME}: weekly report 2025-W26",
        "### Headline KPIs",
        "### Goals",
        "### Budget",
        "### Alerts",
        "### Diagnostics",
    ]
    assert text.splitlines()[2].startswith("Status: **fail** · 1 error, 3 warnings · ")


def test_every_table_row_has_the_header_column_count() -> None:
    text = render_markdown(check_run(), RenderOptions())
    found = tables(parse(text))
    assert len(found) == 4
    for table in found:
        assert {len(row) for row in table} == {len(table[0])}


def test_pipes_and_newlines_in_names_cannot_break_a_table() -> None:
    evil = "a|b\n| c | d |\nx\\|y"
    text = render_markdown(check_run(name=evil, channel=evil), RenderOptions())
    # In the source, every row of a table has as many unescaped pipes as its header...
    for block in text.split("\n\n"):
        if block.startswith("|"):
            counts = raw_cell_counts(block)
            assert len(set(counts)) == 1, block
    # ...and a reader sees the names whole, in the right column.
    alerts = tables(parse(text))[2]
    assert alerts[0][2] == "group"
    assert rendered_text(alerts[1][2]) == "channel=a|b | c | d | x\\|y"
    heading = text.splitlines()[0]
    assert rendered_text(heading[3:]) == "a|b | c | d | x\\|y"


def test_hostile_text_is_escaped_not_interpreted() -> None:
    text = render_markdown(check_run(name=HOSTILE, channel=HOSTILE), RenderOptions())
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", text)
    assert not any(line.startswith("::") for line in text.splitlines())
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<img" not in html
    assert "<em>b</em>" not in html
    assert "<code>" not in html
    shown = rendered_text(text.splitlines()[0][3:])
    for piece in ("[red]x[/red]", "[/]", "\\u001b[2J", "\\u001b]8;;http://x\\u0007link",
                  "\\u202eevil", "a|b ::error::x", "<img src=x onerror=alert(1)>",
                  "![](http://t/p.png)", "*b*", "`c`"):  # fmt: skip
        assert piece in shown, piece


def test_budget_children_are_indented_and_unmapped_is_last() -> None:
    budget = tables(parse(render_markdown(check_run(), RenderOptions())))[1]
    assert [rendered_text(row[0]) for row in budget[1:]] == [
        "流量投放 traffic",
        "\u2003公域 public",
        "达人 influencers",
        "<unmapped>",
    ]
    assert budget[0] == [
        "line", "share", "planned", "spent", "used", "expected", "remaining", "status",
    ]  # fmt: skip
    assert [rendered_text(c) for c in budget[3]] == [
        "达人 influencers", "15%", "¥750万", "¥800万", "107%", "¥370万", "-¥50万", "over_budget",
    ]  # fmt: skip


def test_status_words_without_emoji() -> None:
    text = render_markdown(check_run(), RenderOptions())
    assert "**over\\_budget**" in text
    assert "*at\\_risk*" in text
    assert not re.search(r"[\U0001f300-\U0001faff\u2600-\u27bf]", text)


def test_validate_run_lists_diagnostics_only() -> None:
    plan = PlanResult(
        file="plans/x.yaml",
        name=None,
        period=None,
        diagnostics=(diagnostic("PP101", "shares sum to 90%", file="plans/x.yaml", line=4),),
    )
    text = render_markdown(Run("validate", (plan,)), RenderOptions())
    assert text.startswith("## plans/x.yaml\n\nStatus: **fail** · 1 error · plan file plans/x.yaml")
    assert "### Alerts" not in text
    assert "| **error** | PP101 | plans/x.yaml:4 | shares sum to 90% |" in text


SHOWN_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=scaled(80))
@given(name=SHOWN_TEXT, channel=SHOWN_TEXT)
def test_any_names_keep_tables_square(name: str, channel: str) -> None:
    text = render_markdown(check_run(name=name, channel=channel), RenderOptions())
    for table in tables(parse(text)):
        assert {len(row) for row in table} == {len(table[0])}
    for block in text.split("\n\n"):
        if block.startswith("|"):
            assert len(set(raw_cell_counts(block))) == 1
    alerts = tables(parse(text))[2]
    assert rendered_text(alerts[1][2]).startswith("channel=")


def test_urls_and_mentions_in_plan_text_make_no_link() -> None:
    """GitHub links a bare http:// or www. URL and pings @someone in a PR comment; a
    plan's or a CSV's text does neither, and reads the same once rendered."""
    name = "see http://evil.example/x or www.evil.example/ok, cc @team"
    text = render_markdown(check_run(name=name, channel="www.evil.example"), RenderOptions())
    for link in ("http://", "www.", " @team"):
        assert link not in text
    for escaped in ("http\\://evil.example/x", "www\\.evil.example", "\\@team"):
        assert escaped in text
    assert rendered_text(text.splitlines()[0][3:]).startswith(name)
