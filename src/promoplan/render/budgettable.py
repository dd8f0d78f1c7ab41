"""``--format table``'s budget section: hledger's ``spent [of planned]`` per line.

A budget table too wide for the terminal is rebuilt narrower (:data:`BUDGET_LAYOUTS`,
the README's "Narrow terminals"): without the expected column, without the remaining
column, with the spent cell split before its bracket; then with shortened labels.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from promoplan.render.cells import budget_label, budget_order
from promoplan.render.fit import fitted_table, label_column, shorten
from promoplan.render.options import RenderOptions
from promoplan.render.tablebase import STATUS_STYLE, plain, plain_table
from promoplan.render.text import format_fraction, format_value
from promoplan.result import BudgetRow, PlanResult

# The budget's layouts, tried in this order when its table does not fit (see table.py's
# goal layouts): expected goes first, then remaining (planned less spent), then the
# spent cell splits before its bracket.
BUDGET_LAYOUTS = ("full", "no-expected", "no-remaining", "split-spent")
MIN_BUDGET_LABEL = 8


def _budget_used(
    row: BudgetRow, plan: PlanResult, options: RenderOptions, *, split: bool = False
) -> Text:
    """hledger's ``412 [82% of 500]``; without a total, the share of spend against the plan's.

    ``split`` puts the bracket on a line of its own, the one place the cell may break.
    """
    units = options.units_for(plan)
    spent = format_value(row.spent, "currency", currency=plan.currency, units=units)
    gap = "\n" if split else " "
    if row.planned is not None:
        planned = format_value(row.planned, "currency", currency=plan.currency, units=units)
        used = f"{format_fraction(row.used)} " if row.used is not None else ""
        return Text(f"{spent}{gap}[{used}of {planned}]")
    if row.spent_share is not None and row.share is not None:
        spent_share, share = format_fraction(row.spent_share), format_fraction(row.share)
        return Text(f"{spent}{gap}[{spent_share} of spend, plan {share}]")
    return Text(spent)


def _budget_line(row: BudgetRow, cap: int | None) -> Text:
    indent = "  " * max(row.depth, 0)
    label = plain(budget_label(row))
    if cap is not None:
        label = shorten(label, max(cap - len(indent), 1))
    return Text(indent + label)


def _budget_table(
    rows: tuple[BudgetRow, ...],
    plan: PlanResult,
    options: RenderOptions,
    layout: str = "full",
    cap: int | None = None,
) -> Table:
    table = plain_table()
    label_column(table, "line", 8, cap)
    table.add_column("share", justify="right", no_wrap=True)
    # One line (or two, split before the bracket) so that only the label column wraps;
    # folded as before on a terminal too narrow for any layout.
    fold = layout == "folded"
    narrow = BUDGET_LAYOUTS.index("full" if fold else layout)
    table.add_column("spent [of planned]", justify="right", overflow="fold", no_wrap=not fold)
    money_columns = ("expected", "remaining")[narrow:]  # layouts 1 and 2 drop one each
    for name in money_columns:
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True, min_width=len("over_budget"))
    split = layout == "split-spent"

    def money(value: float | None) -> Text:
        return Text(
            format_value(value, "currency", currency=plan.currency, units=options.units_for(plan))
        )

    for row in budget_order(rows):
        style = STATUS_STYLE.get(row.status, "")
        cells = [
            _budget_line(row, cap),
            Text(format_fraction(row.share)),
            _budget_used(row, plan, options, split=split),
        ]
        amounts = {"expected": row.expected, "remaining": row.remaining}
        cells += [money(amounts[name]) for name in money_columns]
        table.add_row(*cells, Text(row.status, style=style))
    return table


def fitted_budget(rows: tuple[BudgetRow, ...], plan: PlanResult, options: RenderOptions) -> Table:
    """The budget table in the first layout that fits ``options.width``."""
    texts = ["line", *(_budget_line(row, None).plain for row in rows)]
    return fitted_table(
        options.width,
        BUDGET_LAYOUTS,
        lambda layout, cap: _budget_table(rows, plan, options, layout, cap),
        labels=texts,
        min_label=MIN_BUDGET_LABEL,
        fallback="folded",
    )
