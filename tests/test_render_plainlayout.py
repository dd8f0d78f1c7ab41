"""The table format without colour (render/plainlayout.py) prints what rich prints.

Tables of the shapes the table renderer builds, with any cells, columns and width:
the plain layout either gives rich's lines byte for byte, or leaves the table to
rich (NeedsRich). The same for free text, and for whole check outputs at every width.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from profiles import scaled
from promoplan.commands.check import run_check
from promoplan.render import RenderOptions
from promoplan.render.plainlayout import NeedsRich, PlainConsole, table_width
from promoplan.render.table import render_table, render_with_rich

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = [20, 30, 40, 50, 60, 70, 80, 90, 100, 120, 200]

WORDS = [
    "a",
    "go",
    "ROI",
    "1:2.26",
    "¥1,389.2万",
    "[93%",
    "of",
    "中文",
    "全年交易规模较去年增长30%",
]
MORE_WORDS = ["social.paid_social", "x" * 25, "（如", "  ", " ", "", "█████▌░░░░", "—", "\u3000"]
words = st.sampled_from([*WORDS, *MORE_WORDS])
cell_texts = st.lists(words, max_size=6).map(" ".join) | st.lists(words, max_size=3).map("\n".join)


def _rich_lines(renderable: object, width: int) -> list[str]:
    console = Console(
        file=io.StringIO(),
        width=width,
        color_system=None,
        force_terminal=False,
        force_interactive=False,
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=False,
    )
    console.print(renderable)
    output = console.file
    assert isinstance(output, io.StringIO)
    return [line.rstrip(" ") for line in output.getvalue().splitlines()]


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """A table as the renderer builds them: a headed table, or a grid of two columns."""
    grid = draw(st.booleans())
    if grid:
        table = Table.grid(padding=(0, 2))
    else:
        table = Table(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            collapse_padding=True,
            header_style="bold",
        )
    count = draw(st.integers(1, 5))
    for _ in range(count):
        cap = draw(st.sampled_from([None, None, None, 4, 12, 30]))
        table.add_column(
            draw(st.sampled_from(["goal", "target", "spent [of planned]", "中文标题"])),
            justify=draw(st.sampled_from(["default", "left", "right"])),
            # Mostly one column that may wrap, folding words, as the renderer's tables.
            no_wrap=draw(st.sampled_from([True, True, True, False])),
            overflow=draw(st.sampled_from(["fold", "fold", "fold", "ellipsis"])),
            min_width=draw(st.none() | st.integers(1, 12)),
            max_width=cap,
        )
    for _ in range(draw(st.integers(0, 4))):
        table.add_row(*(Text(draw(cell_texts)) for _ in range(count)))
    return table


@given(table=tables(), width=st.integers(5, 60) | st.integers(60, 140))
@settings(max_examples=scaled(1000))
def test_a_table_is_laid_out_as_rich_lays_it_out(table: Table, width: int) -> None:
    try:
        plain = PlainConsole(width)
        plain.print(table)
        lines = [line.rstrip(" ") for line in plain.lines()]
    except NeedsRich:
        return
    assert lines == _rich_lines(table, width)


@given(table=tables())
@settings(max_examples=scaled(300))
def test_a_tables_natural_width_is_richs(table: Table) -> None:
    try:
        natural = table_width(table)
    except NeedsRich:
        return
    console = Console(width=10_000, color_system=None, legacy_windows=False, markup=False)
    assert natural == Measurement.get(console, console.options, table).maximum


@given(text=cell_texts, width=st.integers(1, 60), soft=st.booleans())
@settings(max_examples=scaled(300))
def test_a_text_line_wraps_as_rich_wraps_it(text: str, width: int, soft: bool) -> None:
    plain = PlainConsole(width)
    try:
        plain.print(Text(text), soft_wrap=soft)
    except NeedsRich:
        return
    console = Console(
        file=io.StringIO(), width=width, color_system=None, legacy_windows=False, markup=False
    )
    console.print(Text(text), soft_wrap=soft)
    output = console.file
    assert isinstance(output, io.StringIO)
    expected = [line.rstrip(" ") for line in output.getvalue().splitlines()]
    assert [line.rstrip(" ") for line in plain.lines()] == expected


@pytest.mark.parametrize(
    ("as_of", "period"),
    [(None, None), ("2025-03-31", None), ("2025-05-15", "qtd"), (None, "2025-06")],
)
@pytest.mark.parametrize("quiet", [False, True])
def test_the_example_check_is_richs_at_every_width(
    as_of: str | None, period: str | None, quiet: bool
) -> None:
    run = run_check(
        ROOT / "plans" / "ecommerce-2025.yaml",
        [str(path) for path in sorted((ROOT / "plans" / "actuals").glob("*.csv"))],
        as_of=as_of,
        period=period,
        encoding=None,
        ignore=(),
    )
    for width in WIDTHS:
        options = RenderOptions(color=False, width=width, quiet=quiet)
        assert render_table(run, options) == render_with_rich(run, options), width
