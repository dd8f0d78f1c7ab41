"""``validate``'s table without colour (render/plain.py) is what the rich table renderer prints.

The plain renderer exists so that ``validate`` in CI need not import rich; its text
must be the table renderer's, whatever the plans and diagnostics hold.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from promoplan.diagnostics import CODES, Diagnostic
from promoplan.loader import load_plan, unevaluated
from promoplan.render import RenderOptions, render
from promoplan.render.plain import render_validate_plain
from promoplan.render.table import render_table
from promoplan.render.text import neutralise_workflow_commands
from promoplan.result import PlanResult, Run

ROOT = Path(__file__).resolve().parents[1]
PLANS = sorted((ROOT / "tests" / "cases" / "plans").glob("*.yaml")) + sorted(
    (ROOT / "plans").glob("*.yaml")
)

texts = st.text(max_size=30) | st.sampled_from(
    [
        "",
        " ",
        "\t",
        "a\tb",
        "x  ",
        "\u2028",
        "\x85",
        "\x1b[31mred",
        "[bold]b[/]",
        "中文 全角",
        "\r\n",
    ]
)
diagnostics = st.builds(
    Diagnostic,
    code=st.sampled_from(sorted(CODES)),
    severity=st.sampled_from(["error", "warning", "info"]),
    message=texts,
    file=st.none() | texts,
    line=st.none() | st.integers(1, 10_000),
    column=st.none() | st.integers(1, 200),
    path=st.none() | texts,
    hint=st.none() | texts,
)
plans = st.builds(
    PlanResult,
    file=texts,
    name=st.none(),
    period=st.none(),
    diagnostics=st.lists(diagnostics, max_size=5).map(tuple),
)
runs = st.builds(Run, command=st.just("validate"), plans=st.lists(plans, max_size=4).map(tuple))


@given(run=runs, quiet=st.booleans(), width=st.sampled_from([60, 80, 100, 200]))
def test_plain_lines_are_the_table_renderers(run: Run, quiet: bool, width: int) -> None:
    options = RenderOptions(color=False, width=width, quiet=quiet)
    assert render_validate_plain(run, options) == render_table(run, options)


def test_every_corpus_plan_renders_the_same() -> None:
    results = tuple(unevaluated(load_plan(path)) for path in PLANS)
    assert any(result.diagnostics for result in results)
    run = Run(command="validate", plans=results)
    for quiet in (False, True):
        options = RenderOptions(color=False, quiet=quiet)
        expected = neutralise_workflow_commands(render_table(run, options))
        assert render("table", run, options) == expected
        assert render_validate_plain(run, options) == render_table(run, options)


def test_colour_still_goes_through_rich() -> None:
    run = Run(command="validate", plans=(unevaluated(load_plan(ROOT / "plans/seed-2025.yaml")),))
    coloured = render("table", run, RenderOptions(color=True))
    assert "\x1b[" in coloured
    assert coloured == render_table(run, RenderOptions(color=True))
