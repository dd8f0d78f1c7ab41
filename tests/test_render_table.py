"""The rich terminal renderer, on hand-built results."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from builders import (
    NAME,
    build_plan,
    check_run,
    level_goal,
    report_data,
    shares_diagnostic,
)
from profiles import scaled
from promoplan.diagnostics import diagnostic
from promoplan.render import RenderOptions
from promoplan.render.plain import render_validate_plain
from promoplan.render.table import progress_bar, render_table
from promoplan.render.text import display_width
from promoplan.result import BudgetRow, PlanResult, Run

HOSTILE = "[red]x[/red] [/] \x1b[2J \x1b]8;;http://x\x07link\x1b]8;;\x07 \u202eevil a|b\n::error::x"
# What each hostile piece looks like once escaped: literal, visible, harmless.
HOSTILE_SHOWN = (
    "[red]x[/red]",
    "[/]",
    "\\u001b[2J",
    "\\u001b]8;;http://x\\u0007link",
    "\\u202eevil",
    "a|b ::error::x",
)


def validate_run() -> Run:
    """Three plans: one broken, one with a warning, one clean."""
    broken = PlanResult(
        file="plans/broken.yaml",
        name=None,
        period=None,
        diagnostics=(
            shares_diagnostic(file="plans/broken.yaml",
                              hint="add the missing 10% or reduce a line"),
            diagnostic("PP104", "channel douyin maps to traffic.pubic, which does not exist",
                       file="plans/broken.yaml", line=52, column=11, path="channels.douyin"),
        ),
    )  # fmt: skip
    warned = PlanResult(
        file="plans/draft.yaml",
        name="draft",
        period=None,
        diagnostics=(
            diagnostic("PP120", "target not set (X万)", file="plans/draft.yaml", line=9,
                       column=24, path="goals.new_users.at_least"),
        ),
    )  # fmt: skip
    clean = PlanResult(file="plans/ecommerce-2025.yaml", name=NAME, period=None)
    return Run("validate", (broken, warned, clean))


def lines_of(text: str) -> list[str]:
    return text.splitlines()


def test_check_at_width_100_matches_golden(golden: Callable[[str, str], None]) -> None:
    golden("table-check-100.txt", render_table(check_run(), RenderOptions(width=100)))


def test_validate_matches_golden(golden: Callable[[str, str], None]) -> None:
    golden("table-validate.txt", render_table(validate_run(), RenderOptions(width=100)))


def test_validate_lines_are_yamllint_style_with_a_hint_and_a_summary() -> None:
    out = lines_of(render_table(validate_run(), RenderOptions()))
    assert out[0] == (
        "plans/broken.yaml:41:3: error PP101 budget shares sum to 90%, not 100% (budget.lines)"
    )
    assert out[1] == "    hint: add the missing 10% or reduce a line"
    assert "plans/ecommerce-2025.yaml: ok" in out
    assert out[-1] == "2 errors, 1 warning in 3 plans"


def test_validate_of_one_clean_plan() -> None:
    run = Run("validate", (PlanResult(file="plans/x.yaml", name="x", period=None),))
    assert render_table(run, RenderOptions()) == "plans/x.yaml: ok\n\nno problems in 1 plan\n"


def test_quiet_validate_prints_only_errors() -> None:
    out = render_table(validate_run(), RenderOptions(quiet=True))
    assert [line.split(": ")[0] for line in lines_of(out) if not line.startswith(" ")] == [
        "plans/broken.yaml:41:3",
        "plans/broken.yaml:52:11",
    ]
    assert "PP120" not in out
    assert ": ok" not in out
    assert "in 3 plans" not in out


def test_quiet_validate_of_clean_plans_prints_nothing() -> None:
    run = Run("validate", (PlanResult(file="plans/x.yaml", name="x", period=None),))
    assert render_table(run, RenderOptions(quiet=True)) == ""


def test_quiet_check_prints_error_findings_and_error_alerts_only() -> None:
    out = lines_of(render_table(check_run(), RenderOptions(quiet=True)))
    assert out == [
        "plans/ecommerce-2025.yaml: error alert low_roi [channel=kuaishou] 2025-Q2: "
        "roi 1:2.4 below 1:3; action: 缩减投放 (cut this channel's spend)",
        "plans/ecommerce-2025.yaml: error alert budget [line=influencers] ytd: "
        "spent ¥800万, over the ¥750万 planned",
    ]


def test_quiet_and_strict_print_the_warnings_that_fail_the_run() -> None:
    # Under --strict a warning fails the run: a quiet CI log must still say why.
    out = render_table(validate_run(), RenderOptions(quiet=True, strict=True))
    assert "warning PP120" in out
    assert ": ok" not in out
    assert "in 3 plans" not in out
    found = lines_of(render_table(check_run(), RenderOptions(quiet=True, strict=True)))
    assert [line for line in found if "warning alert" in line]
    assert len(found) > 2  # the two error alerts and the warnings
    # The same lines as the plain renderer prints on a pipe.
    options = RenderOptions(quiet=True, strict=True)
    assert render_validate_plain(validate_run(), options) == render_table(validate_run(), options)


def test_check_title_states_plan_window_and_as_of() -> None:
    out = lines_of(render_table(check_run(), RenderOptions()))
    assert out[0] == f"{NAME} (plans/ecommerce-2025.yaml)"
    assert out[1] == "window ytd 2025-01-01..2025-06-29, as of 2025-06-29"
    assert out[-1] == "fail: 2 errors, 3 warnings"


def test_budget_is_hledger_style_with_children_indented_and_unmapped_last() -> None:
    out = lines_of(render_table(check_run(), RenderOptions()))
    budget = out[out.index("Budget") + 3 : out.index("Alerts") - 1]
    assert [re.split(r"\s{2,}", line.strip())[0] for line in budget] == [
        "流量投放 traffic",
        "公域 public",
        "私域 private",
        "达人 influencers",
        "<unmapped>",
    ]
    assert budget[1].startswith("  公域 public")
    assert "¥910万 [46% of ¥2,000万]" in budget[0]
    assert "¥800万 [107% of ¥750万]" in budget[3]
    assert "-¥50万" in budget[3]


def test_budget_without_a_total_compares_shares() -> None:
    row = BudgetRow("content", "content", 0, 0.2, None, 5.6e6, None, None, "ahead",
                    spent_share=0.31)  # fmt: skip
    out = render_table(check_run(budget=(row,)), RenderOptions())
    assert "¥560万 [31% of spend, plan 20%]" in out


def test_intl_units_use_k_m_b() -> None:
    out = render_table(check_run(), RenderOptions(units="intl"))
    assert "¥9.1M [46% of ¥20M]" in out
    assert "万" not in out.replace("X万", "")


def test_goals_show_bar_percentage_and_status_words() -> None:
    out = lines_of(render_table(check_run(), RenderOptions()))
    row = next(line for line in out if line.startswith("GMV 同比增长"))
    assert re.search(r"\+30%\s+\+28%\s+\+30%\s+█████████▍  93%\s+at_risk$", row)
    unset = next(line for line in out if line.startswith("新注册用户"))
    assert re.search(r"X万\s+123\.5万\s+-\s+-\s+unset$", unset)
    assert any(line.startswith("Q1 wecom_adds") for line in out)
    assert any(line.startswith("ugc_posts (2025-05)") for line in out)


def test_alerts_show_group_window_value_and_action() -> None:
    out = lines_of(render_table(check_run(), RenderOptions()))
    at = out.index("Alerts")
    assert out[at + 1] == "error    ROI 低于 1:3 [channel=kuaishou] 2025-Q2: roi 1:2.4 below 1:3"
    assert out[at + 2] == "         action: 缩减投放 (cut this channel's spend)"
    # Errors first (the one order of alerts): the budget's error before the warning.
    assert (
        out[at + 3]
        == "error    budget [line=influencers] ytd: spent ¥800万, over the ¥750万 planned"
    )
    assert out[at + 4] == "warning  traffic_drop 2025-W26: uv down 25% (more than 20%)"


def test_no_alerts_says_so() -> None:
    out = render_table(check_run(alerts=()), RenderOptions())
    assert "Alerts\nnone firing\n" in out


def test_report_run_shows_headline_kpis_before_goals() -> None:
    out = render_table(Run("report", (build_plan(report=report_data()),)), RenderOptions())
    assert out.index("Headline KPIs") < out.index("Goals")
    assert re.search(r"GMV\s+¥1\.23亿\s+¥1\.1亿\s+\+11\.8%", out)


@pytest.mark.parametrize("width", [60, 80, 100, 140])
def test_every_line_fits_the_width_with_chinese_labels(width: int) -> None:
    long_label = "新客订单占比（新客订单数/总订单数，按年初至今累计，含小程序与企业微信私域成交）"
    plan = build_plan(diagnostics=())
    goals = (*plan.goals, level_goal("x", long_label))
    run = Run("check", (dataclasses.replace(plan, goals=goals),))
    out = render_table(run, RenderOptions(width=width))
    too_long = [line for line in lines_of(out) if display_width(line) > width]
    assert too_long == []
    assert "新客订单" in out


def test_diagnostics_stay_on_one_line_for_editors_and_grep() -> None:
    message = "预算分配比例之和为 90%，应为 100%；" * 6
    run = Run(
        "validate",
        (
            PlanResult(
                file="plans/x.yaml",
                name="x",
                period=None,
                diagnostics=(diagnostic("PP101", message, file="plans/x.yaml", line=4, column=3),),
            ),
        ),
    )
    out = lines_of(render_table(run, RenderOptions(width=60)))
    assert out[0] == f"plans/x.yaml:4:3: error PP101 {message}"


def test_hostile_strings_come_out_literally() -> None:
    run = check_run(name=HOSTILE, channel=HOSTILE)
    for color in (False, True):
        out = render_table(run, RenderOptions(width=300, color=color))
        flat = re.sub(r"\x1b\[[0-9;]*m", "", out)
        for piece in HOSTILE_SHOWN:
            assert flat.count(piece) >= 3, piece  # title, alert group, diagnostic
        # The only escape sequences left are rich's own colours (SGR), and only with colour on.
        assert "\x1b" not in flat
        assert "\x07" not in out
        assert "\u202e" not in out
        assert not any(line.startswith("::") for line in lines_of(flat))


def test_markup_like_text_does_not_crash_or_style() -> None:
    out = render_table(check_run(name="[bold]x[/bold] [link=http://x]y[/link] :warning: [/]"),
                       RenderOptions(color=True))  # fmt: skip
    assert "[bold]x[/bold] [link=http://x]y[/link] :warning: [/]" in out
    assert "\x1b]8;" not in out


def test_colour_only_when_asked() -> None:
    plain = render_table(check_run(), RenderOptions(color=False))
    coloured = render_table(check_run(), RenderOptions(color=True))
    assert "\x1b" not in plain
    assert "\x1b[1;31moff_track" in coloured
    assert "\x1b[32mon_track" in coloured
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert [line.rstrip() for line in lines_of(stripped)] == lines_of(plain)


def test_same_input_same_output() -> None:
    assert render_table(check_run(), RenderOptions()) == render_table(check_run(), RenderOptions())


@pytest.mark.parametrize(
    ("fraction", "bar"),
    [
        (None, "-"),
        (0.0, "░░░░░░░░░░   0%"),
        (0.5, "█████░░░░░  50%"),
        (0.65, "██████▌░░░  65%"),
        (0.999, "██████████ 99.9%"),  # at risk: not shown as the 100% of on track
        (1.34, "██████████ 134%"),
        (-0.2, "░░░░░░░░░░ -20%"),
    ],
)
def test_progress_bar(fraction: float | None, bar: str) -> None:
    assert progress_bar(fraction) == bar


# Combining and format characters are left out: display_width counts them as one cell
# where a terminal (and rich) counts none, so the width check would be wrong, not the output.
# Characters whose width rich and display_width disagree on (U+10B92 is "F" to unicodedata,
# one cell to rich) are left out for the same reason.
SHOWN_TEXT = st.text(
    st.characters(blacklist_categories=("Mn", "Me", "Cf", "Cs")).filter(
        lambda ch: cell_len(ch) == display_width(ch)
    ),
    max_size=40,
)


@settings(max_examples=scaled(60))
@given(name=SHOWN_TEXT, channel=SHOWN_TEXT)
def test_any_name_renders_safely_within_width(name: str, channel: str) -> None:
    plan = build_plan(name=name, channel=channel, diagnostics=())
    out = render_table(Run("check", (plan,)), RenderOptions(width=80))
    unsafe = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
    assert not unsafe.search(out)
    assert all(display_width(line) <= 80 for line in lines_of(out))
    out.encode("utf-8")


def test_a_plan_that_did_not_load_shows_its_file_and_findings() -> None:
    plan = PlanResult(
        file="plans/x.yaml",
        name=None,
        period=None,
        diagnostics=(diagnostic("PP001", "not UTF-8", file="plans/x.yaml", line=3, column=1),),
    )
    out = render_table(Run("check", (plan,)), RenderOptions())
    assert out == (
        "plans/x.yaml\n\nDiagnostics\nplans/x.yaml:3:1: error PP001 not UTF-8\n\nfail: 1 error\n"
    )


def test_budget_alerts_say_what_their_limit_is() -> None:
    from promoplan.render.text import describe_alert  # noqa: PLC0415

    def said(condition: str, value: float, limit: float) -> str:
        return describe_alert(condition, value, limit, "currency", currency="USD")

    assert said("behind", 90386.27, 341491.30) == "spent $90.39k, behind pace (less than $341.49k)"
    assert said("ahead", 500, 440) == "spent $500, ahead of pace (more than $440)"
    assert said("over_budget", 800, 750) == "spent $800, over the $750 planned"
