"""Budget checks PP101-PP104: shares, sub-lines, amounts and the lines channels map to."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

from promoplan.checks.finding import Finding, Path, did_you_mean, pct, plain
from promoplan.checks.reading import SHARE_TOLERANCE, bare_fraction, budget_lines, number_of
from promoplan.model import BudgetLine, Plan

# Amounts agree when they differ by less than a millionth of the total (or a cent).
AMOUNT_TOLERANCE = 1e-6


def _total(plan: Plan) -> float | None:
    total = number_of(plan.budget.total) if plan.budget else None
    return total if total is not None and total > 0 else None


def _is_empty_line(line: BudgetLine) -> bool:
    return line.share is None and line.amount is None and not line.lines


def _share_of(line: BudgetLine, total: float | None) -> float | None:
    """A line's share of the total: its share, else amount / total, else its sub-lines' sum."""
    if line.share is not None:
        return None if bare_fraction(line.share) else number_of(line.share)
    if line.amount is not None:
        amount = number_of(line.amount)
        return amount / total if amount is not None and total else None
    if line.lines:
        parts = [_share_of(sub, total) for sub in line.lines.values()]
        return None if any(part is None for part in parts) else math.fsum(parts)  # type: ignore[arg-type]  # None ruled out
    return None


def check_budget_shares(plan: Plan) -> Iterator[Finding]:
    """PP101: the top-level budget shares sum to 100%.

    Fails (90%)::

        budget:
          lines: {traffic: 40%, content: 20%, influencers: 15%, tech: 10%, reserve: 5%}
    """
    if plan.budget is None or not plan.budget.lines:
        return
    lines = plan.budget.lines
    for name, line in lines.items():
        yield from _line_problems("PP101", name, ("budget", "lines", name), line)
    if not any(line.share is not None for line in lines.values()):
        return  # amounts only: PP103 compares them with the total
    total = _total(plan)
    shares = [_share_of(line, total) for line in lines.values()]
    if any(share is None for share in shares):
        return  # a placeholder, a bare number (PP004) or an amount without a total
    summed = math.fsum(shares)  # type: ignore[arg-type]  # None ruled out
    if abs(summed - 1) <= SHARE_TOLERANCE:
        return
    hint = (
        f"add the missing {pct(1 - summed)} to a line"
        if summed < 1
        else f"take {pct(summed - 1)} off the lines"
    )
    yield Finding(
        "PP101", f"budget shares sum to {pct(summed)}, not 100%", ("budget", "lines"), hint
    )


def _line_problems(code: str, line_id: str, path: Path, line: BudgetLine) -> Iterator[Finding]:
    """A line with nothing to add up, or a negative share."""
    if _is_empty_line(line):
        yield Finding(
            code,
            f"budget line {line_id!r} has neither a share nor an amount",
            path,
            "give it a share (15%) or an amount (750万)",
        )
    share = number_of(line.share)
    if share is not None and share < 0:
        yield Finding(
            code,
            f"budget line {line_id!r} has a negative share ({pct(share)})",
            (*path, "share"),
            "a share is a part of the total, from 0% to 100%",
        )


def check_sub_line_shares(plan: Plan) -> Iterator[Finding]:
    """PP102: the shares of a line's sub-lines sum to the line's share.

    Fails (30% + 5% is not 40%)::

        budget:
          lines:
            traffic: {share: 40%, lines: {public: 30%, private: 5%}}
    """
    if plan.budget is None:
        return
    total = _total(plan)
    for line_id, path, line in budget_lines(plan):
        if not line.lines:
            continue
        for name, sub in line.lines.items():
            yield from _line_problems("PP102", f"{line_id}.{name}", (*path, "lines", name), sub)
        if line.share is None and line.amount is None:
            continue  # the line's share is its sub-lines' sum
        if line.share is None and all(sub.share is None for sub in line.lines.values()):
            continue  # amounts only: PP103
        own = _share_of(line, total)
        parts = [_share_of(sub, total) for sub in line.lines.values()]
        if own is None or any(part is None for part in parts):
            continue
        summed = math.fsum(parts)  # type: ignore[arg-type]  # None ruled out
        if abs(summed - own) > SHARE_TOLERANCE:
            yield Finding(
                "PP102",
                f"sub-lines of {line_id!r} sum to {pct(summed)}, not the line's {pct(own)}",
                (*path, "lines"),
                f"make the sub-lines add up to {pct(own)}, or change the share of {line_id!r}",
            )


def check_budget_amounts(plan: Plan) -> Iterator[Finding]:
    """PP103: amounts agree with total x share, and add up to the total (or their line's amount).

    Fails (30% of 5000万 is 1500万)::

        budget:
          total: 5000万
          lines:
            traffic: {share: 30%, amount: 1200万}
            content: {share: 70%, amount: 3500万}
    """
    if plan.budget is None:
        return
    total = number_of(plan.budget.total)
    for line_id, path, line in budget_lines(plan):
        share, amount = number_of(line.share), number_of(line.amount)
        if total is None or share is None or amount is None or bare_fraction(line.share):
            continue
        expected = total * share
        if abs(amount - expected) > AMOUNT_TOLERANCE * max(abs(total), 1):
            yield Finding(
                "PP103",
                f"budget line {line_id!r}: amount {plain(amount)} is not total x share "
                f"({pct(share)} of {plain(total)} = {plain(expected)})",
                (*path, "amount"),
                f"write amount: {plain(expected)}, or give only one of share and amount",
            )
    if total is not None and plan.budget.lines:
        yield from _amounts_add_up(
            plan.budget.lines, total, ("budget", "total"), "the budget total"
        )
    for line_id, path, line in budget_lines(plan):
        amount = number_of(line.amount)
        if line.lines and amount is not None:
            yield from _amounts_add_up(
                line.lines, amount, (*path, "amount"), f"the amount of {line_id!r}"
            )


def _amounts_add_up(
    lines: Mapping[str, BudgetLine], expected: float, path: Path, what: str
) -> Iterator[Finding]:
    amounts = [number_of(line.amount) for line in lines.values()]
    if any(amount is None for amount in amounts):
        return  # some lines give shares (PP101/PP102) or placeholders (PP120)
    summed = math.fsum(amounts)  # type: ignore[arg-type]  # None ruled out
    if abs(summed - expected) > AMOUNT_TOLERANCE * max(abs(expected), 1):
        yield Finding(
            "PP103",
            f"line amounts sum to {plain(summed)}, not {what} ({plain(expected)})",
            path,
            f"the lines are {plain(abs(summed - expected))} "
            + ("short" if summed < expected else "over"),
        )


def check_channel_lines(plan: Plan) -> Iterator[Finding]:
    """PP104: every channel maps to a budget line that exists (``traffic.public``).

    Fails (no line ``traffic.paid``)::

        budget: {lines: {traffic: {share: 100%, lines: {public: 100%}}}}
        channels: {douyin: traffic.paid}
    """
    known = [line_id for line_id, _, _ in budget_lines(plan)] if plan.budget else []
    for channel, line_id in plan.channels.items():
        if line_id in known:
            continue
        hint = did_you_mean(line_id, known) or (
            "budget lines: " + ", ".join(known) if known else "add the line under budget.lines"
        )
        yield Finding(
            "PP104",
            f"channel {channel!r} maps to budget line {line_id!r}, which does not exist",
            ("channels", channel),
            hint,
        )
