"""Terminal tables at a forced width: no cell breaks inside a word or a number.

Narrow terminals drop the expected column, then the budget's remaining column, then
split a spent cell before its bracket, then shorten labels with ``…``; a table that fits
is as it always was (byte for byte, tests/golden/table-check-120.txt).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len

from builders import check_run
from clirunner import run_isolated
from promoplan import cli
from promoplan.commands.check import run_check
from promoplan.render import RenderOptions
from promoplan.render.fit import shorten
from promoplan.render.table import render_table
from promoplan.result import Run

# A dollar plan printed in 万 (as the issue's): dotted line ids and long Chinese labels.
PLAN = """\
promoplan: 1
name: growth plan
period: 2025
currency: USD
units: cn
actuals:
  dimensions: {channel: channel}
metrics:
  spend: {column: spend, unit: currency}
  signups: {column: signups}
  referred: {column: referred}
  referred_share: {formula: referred / signups, unit: percent}
goals:
  signups: {metric: signups, at_least: 1000000, label: 新增注册用户超100万人}
  referred_share: {metric: referred_share, at_least: 20%, label: 私域裂变获取的用户占比不低于20%}
budget:
  total: 30000000
  lines:
    social: {share: 50%, lines: {paid_social: 50%}}
    search: 50%
channels: {meta: social.paid_social, google: search}
"""


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The plan over January to June: meta 76,300 spend a day, google 60,000."""
    folder = tmp_path_factory.mktemp("wide")
    (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
    day, rows = dt.date(2025, 1, 1), []
    while day <= dt.date(2025, 6, 30):
        rows += [f"{day},meta,76300,2500,480\n", f"{day},google,60000,2000,400\n"]
        day += dt.timedelta(days=1)
    (folder / "actuals.csv").write_text(
        "date,channel,spend,signups,referred\n" + "".join(rows), encoding="utf-8"
    )
    return run_check(
        folder / "plan.yaml", [str(folder / "actuals.csv")], as_of=None, period=None,
        encoding=None, ignore=(), progress=None, timeout=None,
    )  # fmt: skip


def rows(text: str) -> list[str]:
    """The output's lines, blanks collapsed."""
    return [re.sub(r"\s+", " ", line).strip() for line in text.splitlines()]


# 181 days: meta 76,300 x 181 = 13,810,300 ($1,381万) of 50% x 3,000万 = $1,500万, 92%;
# google 60,000 x 181 = 10,860,000 ($1,086万), 72%. Referred 880 of 4,500 a day = 19.6%.
def test_at_80_columns_expected_goes_and_no_word_or_number_breaks(wide_run: Run) -> None:
    out = render_table(wide_run, RenderOptions(width=80))
    lines = rows(out)
    assert "goal target actual progress status" in lines
    assert "私域裂变获取的用户占比不低于20% 20% 19.6% ████▉ 98% at_risk" in lines
    assert "line share spent [of planned] remaining status" in lines
    assert "social.paid_social 50% $1,381万 [92% of $1,500万] $119万 ahead" in lines
    assert "search 50% $1,086万 [72% of $1,500万] $414万 ahead" in lines
    assert all(cell_len(line) <= 80 for line in out.splitlines())


def test_at_60_columns_labels_shorten_and_spent_splits_before_its_bracket(
    wide_run: Run,
) -> None:
    out = render_table(wide_run, RenderOptions(width=60))
    lines = rows(out)
    assert "新增注册用户超100万… 100万 81.45万 █████ 164% on_track" in lines
    assert "私域裂变获取的用户… 20% 19.6% ████▉ 98% at_risk" in lines
    assert "line share spent [of planned] status" in lines
    at = lines.index("social.paid_social 50% $1,381万 ahead")
    assert lines[at + 1] == "[92% of $1,500万]"
    assert all(cell_len(line) <= 60 for line in out.splitlines())


def test_at_120_columns_nothing_changes(wide_run: Run, golden: Callable[[str, str], None]) -> None:
    golden("table-check-120.txt", render_table(check_run(), RenderOptions(width=120)))
    out = rows(render_table(wide_run, RenderOptions(width=120)))
    assert "goal target actual expected progress status" in out
    assert "line share spent [of planned] expected remaining status" in out


def test_a_label_with_blanks_still_wraps_at_a_blank() -> None:
    # The 100-column golden wraps "(of all / orders, ytd)" between words: no column goes.
    out = render_table(check_run(), RenderOptions(width=100))
    assert "goal target actual expected progress status" in rows(out)


@pytest.mark.parametrize(
    ("text", "cells", "shown"),
    [
        ("social.paid_social", 10, "social.pa…"),
        ("私域裂变获取的用户占比", 9, "私域裂变…"),
        ("私域裂变获取的用户占比", 10, "私域裂变…"),
        ("short", 10, "short"),
    ],
)
def test_shorten(text: str, cells: int, shown: str) -> None:
    assert shorten(text, cells) == shown


def test_the_example_at_80_columns_keeps_every_label_whole() -> None:
    plans = Path(__file__).parent.parent / "plans"
    run = run_check(
        plans / "ecommerce-2025.yaml", [str(plans / "actuals" / "*.csv")], as_of=None,
        period=None, encoding=None, ignore=(), progress=None, timeout=None,
    )  # fmt: skip
    lines = rows(render_table(run, RenderOptions(width=80)))
    assert any(line.startswith("私域裂变获取的用户占比不低于20% 20% ") for line in lines)
    assert any(line.startswith("小红书每月产出100篇UGC内容 (2025-05) 100 ") for line in lines)
    assert "%" not in lines
    assert "(2025-05)" not in lines


@pytest.mark.parametrize(
    ("columns", "widest"), [(None, 100), ("80", 80), ("120", 120), ("40", 60), ("wide", 100)]
)
def test_piped_output_is_as_wide_as_columns_says_else_100(columns: str | None, widest: int) -> None:
    """A crontab's ``COLUMNS=80`` fits the mail; unset or not a number: 100; never below 60."""
    plans = Path(__file__).parent.parent / "plans"
    args = ["check", str(plans / "ecommerce-2025.yaml"), "-a", str(plans / "actuals" / "*.csv")]
    env = {"COLUMNS": columns} if columns is not None else {}
    lines = run_isolated(lambda: cli.app(args, prog_name="promoplan"), env).stdout.splitlines()
    # Diagnostics and their hints are never cut (the terminal wraps them); nor is a path.
    never_cut = re.compile(r"\S+:\d+(:\d+)?: |    hint: |\(/")
    table = [line for line in lines if not never_cut.match(line)]
    assert max(map(cell_len, table)) <= widest
    assert max(map(cell_len, table)) > widest - 12  # as wide as it may be, near enough
