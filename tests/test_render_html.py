"""The HTML report on a hand-built result shaped like the example plan's: safety, charts, layout."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import (
    AS_OF,
    NAME,
    alert,
    budget_alert,
    budget_row,
    drop_alert,
    evaluated_plan,
    goal,
    over_budget_row,
    parent_row,
    quarter_goal,
    report_data,
    unmapped_row,
    unset_goal,
)
from profiles import scaled
from promoplan.diagnostics import diagnostic
from promoplan.render import RenderOptions
from promoplan.render.html import render_html
from promoplan.result import (
    BudgetRow,
    CumulativeSeries,
    GoalProgress,
    GroupBar,
    GroupChart,
    Kpi,
    PlanResult,
    Run,
    SeriesPoint,
)

EVIL = "<img src=x onerror=alert(1)>"


def _series() -> CumulativeSeries:
    start = dt.date(2025, 1, 1)
    points = []
    actual = 0.0
    last_year = 0.0
    for offset in range(365):
        day = start + dt.timedelta(days=offset)
        last_year += 250_000 + 900 * (offset % 30)
        if day <= AS_OF:
            actual += 320_000 + 1100 * (offset % 30)
        points.append(
            SeriesPoint(
                day=day,
                actual=actual if day <= AS_OF else None,
                target=130_000_000 * (offset + 1) / 365,
                last_year=last_year,
            )
        )
    return CumulativeSeries(
        goal="gmv_growth", label="GMV", unit="currency", target=130_000_000, points=tuple(points)
    )


def sample_plan(name: str = NAME, channel: str = "kuaishou") -> PlanResult:
    """A plan result with a report: KPIs, goals, budget, alerts, charts and data-quality notes."""
    kpis = (
        Kpi("gmv", "GMV", "currency", 2_480_000.0, 2_210_000.0, 0.1222, "at_least"),
        Kpi("conversion", "UV conversion", "percent", 0.0462, 0.0471, -0.0191, "at_least"),
        Kpi(
            "expense_ratio", "Marketing expense ratio", "percent", 0.171, 0.183, -0.0656, "at_most"
        ),
        Kpi("nps", "用户净推荐值 NPS", "number", 43.5, None, None, "at_least"),
        Kpi("uv", "UV", "count", 5_400_000.0, 6_900_000.0, -0.2174, None),
    )
    goals = (
        goal(label="GMV", baseline=48_000_000.0),
        GoalProgress(
            "new_order_share",
            "new_order_share",
            "new_order_share",
            "period",
            "at_least",
            "level",
            "percent",
            0.35,
            0.37,
            None,
            0.35,
            1.057,
            None,
            "met",
        ),
        GoalProgress(
            "expense_ratio",
            "Marketing expense ratio",
            "expense_ratio",
            "period",
            "at_most",
            "level",
            "percent",
            0.18,
            0.2,
            None,
            0.18,
            0.9,
            None,
            "off_track",
        ),
        unset_goal(label="new_users", actual=120_000.0),
        quarter_goal(target=50_000.0, actual=61_000.0, progress=1.22),
        GoalProgress(
            "Q3.launch",
            EVIL,
            "gmv",
            "Q3",
            "at_least",
            "cumulative",
            "currency",
            1e7,
            None,
            None,
            None,
            None,
            None,
            "pending",
        ),
    )
    budget = (
        parent_row(label="traffic", spent=9_800_000.0, remaining=10_200_000.0, used=None),
        budget_row(label="public", used=None),
        BudgetRow(
            "traffic.private",
            "private",
            1,
            0.1,
            5_000_000.0,
            1_700_000.0,
            2_480_000.0,
            3_300_000.0,
            "on_track",
        ),
        over_budget_row(label="influencers", expected=3_720_000.0, used=None),
        unmapped_row(spent=310_000.0),
    )
    alerts = (alert(channel, label="low_roi"), drop_alert(value=0.2174), budget_alert())
    chart = GroupChart(
        rule="low_roi",
        label="low_roi",
        metric="roi",
        unit="ratio",
        dimension="channel",
        window="2025-Q2",
        floor=3.0,
        bars=(
            GroupBar("douyin", 3.8),
            GroupBar(channel, 2.4),
            GroupBar("wecom", 5.1),
            GroupBar("xiaohongshu_koc", 2.9),
        ),
    )
    report = report_data(kpis=kpis, series=(_series(),), group_charts=(chart,))
    diagnostics = (
        diagnostic(
            "PA020",
            "actuals end on 2025-06-19, 10 days before the report window ends "
            "(2025-06-29): stale data",
            file="plans/actuals/daily.csv",
            hint="check the data feed",
        ),
        diagnostic(
            "PA011",
            f"channel {EVIL!r} is not mapped to a budget line",
            file="plans/actuals/daily.csv",
            line=14,
            column=2,
        ),
        diagnostic(
            "PA010", "2025-06-03 douyin appears twice", file="plans/actuals/daily.csv", line=120
        ),
        diagnostic(
            "PP120",
            "target not set (placeholder X万)",
            file="plans/ecommerce-2025.yaml",
            line=30,
            column=33,
            path="goals.new_users.at_least",
        ),
    )
    return evaluated_plan(
        name=name,
        diagnostics=diagnostics,
        goals=goals,
        budget=budget,
        alerts=alerts,
        report=report,
    )


def sample_run(**kwargs: str) -> Run:
    """A report run of :func:`sample_plan`."""
    return Run(command="report", plans=(sample_plan(**kwargs),))


# ---------------------------------------------------------------------------
# Tests

ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "main",
    "header",
    "footer",
    "section",
    "div",
    "p",
    "span",
    "b",
    "i",
    "small",
    "code",
    "h1",
    "h2",
    "h3",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "ul",
    "li",
    "figure",
    "figcaption",
    "svg",
    "line",
    "polyline",
    "circle",
    "rect",
    "text",
}


class Page(HTMLParser):
    """Every element with its attributes, and the text inside <style>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self.texts: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)
        else:
            self.texts.append(data)

    def find(self, tag: str, css: str | None = None) -> list[dict[str, str | None]]:
        """Elements named ``tag`` whose class list holds every class in ``css``."""
        wanted = set((css or "").split())
        return [
            attrs
            for name, attrs in self.elements
            if name == tag and wanted <= set((attrs.get("class") or "").split())
        ]


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def page_text() -> str:
    return render_html(sample_run(name=f"Plan {EVIL}"), RenderOptions())


@pytest.fixture(scope="module")
def page(page_text: str) -> Page:
    return parse(page_text)


def test_page_is_self_contained(page: Page, page_text: str) -> None:
    tags = {tag for tag, _ in page.elements}
    assert "script" not in tags
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    for tag, attrs in page.elements:
        assert not {"src", "href", "xlink:href"} & set(attrs), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
    css = "".join(page.styles)
    assert "url(" not in css
    assert "@import" not in css
    assert "@font-face" not in css
    assert "http:" not in page_text
    assert "https:" not in page_text


def test_head_declares_charset_and_viewport(page: Page) -> None:
    assert page.find("meta")
    assert page.find("meta")[0] == {"charset": "utf-8"}
    viewport = [a for a in page.find("meta") if a.get("name") == "viewport"]
    assert viewport
    assert "width=device-width" in (viewport[0]["content"] or "")
    assert "@media print" in "".join(page.styles)
    assert "@media (max-width" in "".join(page.styles)
    assert "Noto Sans CJK SC" in "".join(page.styles)


def test_planted_markup_is_escaped(page: Page, page_text: str) -> None:
    assert EVIL not in page_text
    assert not page.find("img")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page_text
    # the name, a goal label and a channel in a diagnostic all show as text
    assert sum(EVIL in text for text in page.texts) >= 3


def group_svgs(text: str) -> dict[str, Page]:
    """Each drawing of the group chart (``wide`` across the page, ``narrow`` for phones)."""
    found = re.findall(r'<svg class="chart bar-chart (\w+)".*?</svg>', text, flags=re.S)
    drawings = re.findall(r'<svg class="chart bar-chart \w+".*?</svg>', text, flags=re.S)
    return {variant: parse(svg) for variant, svg in zip(found, drawings, strict=True)}


def test_the_group_chart_is_drawn_across_the_page_and_for_phones(page_text: str) -> None:
    svgs = group_svgs(page_text)
    assert list(svgs) == ["wide", "narrow"]
    assert 'viewBox="0 0 1040 ' in page_text
    assert '<figure class="panel across">' in page_text
    css = "".join(parse(page_text).styles)
    assert ".charts figure.across{grid-column:1/-1}" in css


@pytest.mark.parametrize("variant", ["wide", "narrow"])
def test_floor_chart_has_one_bar_per_channel_and_the_floor(page_text: str, variant: str) -> None:
    svg = group_svgs(page_text)[variant]
    bars = svg.find("rect", "bar")
    assert [b["data-group"] for b in bars] == ["douyin", "kuaishou", "wecom", "xiaohongshu_koc"]
    below = {b["data-group"] for b in svg.find("rect", "bar below")}
    assert below == {"kuaishou", "xiaohongshu_koc"}
    assert len(svg.find("line", "floor")) == 1
    assert any("floor 1:3" in text for text in svg.texts)


@pytest.mark.parametrize("variant", ["wide", "narrow"])
def test_floor_line_sits_at_the_floor_value(page_text: str, variant: str) -> None:
    svg = group_svgs(page_text)[variant]
    (floor,) = svg.find("line", "floor")
    x_floor = float(floor["x1"] or 0)
    for bar in svg.find("rect", "bar"):
        end = float(bar["x"] or 0) + float(bar["width"] or 0)
        if "below" in (bar["class"] or ""):
            assert end < x_floor
        else:
            assert end > x_floor


def test_cumulative_chart_has_actual_target_and_last_year(page: Page) -> None:
    for css in ("actual", "target", "last-year"):
        lines = page.find("polyline", f"series {css}")
        assert len(lines) == 1, css
    actual = page.find("polyline", "series actual")[0]["points"] or ""
    target = page.find("polyline", "series target")[0]["points"] or ""
    # actual stops at as-of (half the year); the target runs to the period's end
    assert len(actual.split()) == (AS_OF - dt.date(2025, 1, 1)).days + 1
    assert len(target.split()) == 365
    assert page.find("line", "as-of")


def test_axis_labels_use_the_units(page: Page) -> None:
    texts = " ".join(page.texts)
    assert "¥1亿" in texts
    assert "1:2" in texts
    intl = parse(render_html(sample_run(), RenderOptions(units="intl")))
    assert "¥100M" in " ".join(intl.texts)


def test_goal_bars_are_coloured_by_status(page: Page) -> None:
    fills = [a.get("class") for a in page.find("span") if (a.get("class") or "").startswith("f-")]
    assert {"f-at_risk", "f-met", "f-off_track", "f-unset", "f-pending"} <= set(fills)


def test_header_kpis_alerts_and_quality(page: Page) -> None:
    text = " ".join(page.texts)
    assert "Weekly report" in text
    assert "2025-W26" in text
    assert "2025-06-29" in text
    assert page.find("span", "badge big s-fail")
    assert len(page.find("div", "kpi")) == 5
    assert "▲ +12.2%" in text
    assert "缩减投放 (cut this channel's spend)" in text
    assert "PA020" in text
    assert "stale data" in text
    assert "PA011" in text
    assert "PA010" in text


def test_kpi_change_colour_follows_the_goal_direction(page: Page) -> None:
    # expense ratio falls and lower is better: good; conversion falls: bad; uv: no goal, neutral
    classes = [a.get("class") for a in page.find("b") if a.get("class")]
    assert classes == ["up-good", "down-bad", "down-good", "flat"]


def test_same_input_same_bytes() -> None:
    first = render_html(sample_run(), RenderOptions())
    assert first == render_html(sample_run(), RenderOptions())
    assert not re.search(r"20\d\d-\d\d-\d\dT\d\d:", first)  # no timestamps


def test_plain_check_result_renders_without_report() -> None:
    plan = sample_plan()
    bare = PlanResult(file=plan.file, name=None, period=None, goals=plan.goals)
    text = render_html(Run(command="check", plans=(bare,)), RenderOptions())
    assert "Plan check" in text
    assert "<svg" not in text


untrusted = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]) | st.sampled_from(list("<>&\"'=/")),
    min_size=1,
    max_size=30,
)


@settings(max_examples=scaled(60))
@given(name=untrusted, channel=untrusted)
def test_any_plan_text_stays_text(name: str, channel: str) -> None:
    text = render_html(sample_run(name=name, channel=channel), RenderOptions())
    page = parse(text)
    assert {tag for tag, _ in page.elements} <= ALLOWED_TAGS
    for _, attrs in page.elements:
        assert not any(key.startswith("on") or key in ("src", "href") for key in attrs)
    for svg in group_svgs(text).values():
        assert len(svg.find("rect", "bar")) == 4
