"""Plans that validated and then failed in ``check``: now each is caught by ``validate``
(at its line), or runs, and ``check`` and ``report`` never exit 3 on them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirunner import run_cli
from promoplan.diagnostics import NOT_IGNORABLE, diagnostic, without_codes
from promoplan.formula import MAX_CHAIN

ACTUALS = "date,channel,gmv,spend\n2025-01-05,douyin,100,10\n2025-01-06,wecom,50,5\n"
HEADER = "promoplan: 1\nname: t\nperiod: 2025\n"


def write(tmp_path: Path, plan: str) -> tuple[Path, Path]:
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    (tmp_path / "a.csv").write_text(ACTUALS, encoding="utf-8")
    return tmp_path / "plan.yaml", tmp_path / "a.csv"


def found(plan: Path, *extra: str) -> list[tuple[str, int | None]]:
    """(code, line) of every diagnostic ``validate -f json`` gives."""
    outcome = run_cli(*["validate", plan, "-f", "json", *extra])
    return [(d["code"], d["line"]) for d in json.loads(outcome.stdout)["plans"][0]["diagnostics"]]


def chain(length: int) -> str:
    """m0 a column, then m1 = m0 + 1 ... m<length>; a goal on the last."""
    lines = [HEADER + "metrics:", "  m0: {column: gmv}"]
    lines += [f"  m{i}: {{formula: m{i - 1} + 1}}" for i in range(1, length + 1)]
    lines.append(f"goals:\n  g: {{metric: m{length}, at_least: 1}}\n")
    return "\n".join(lines)


def test_a_chain_of_500_formulas_is_pp122_at_its_start(tmp_path: Path) -> None:
    plan, actuals = write(tmp_path, chain(500))
    # m500 is on line 4 + 1 + 500: where the chain starts (nothing else uses it).
    assert found(plan) == [("PP122", 505)]
    for command in (["check", plan, "-a", actuals], ["report", plan, "-a", actuals]):
        outcome = run_cli(*[*command, "--as-of", "2025-01-31"])
        assert outcome.exit_code == 1
        assert "PP122" in outcome.stdout + outcome.stderr


def test_a_chain_at_the_bound_is_evaluated(tmp_path: Path) -> None:
    plan, actuals = write(tmp_path, chain(MAX_CHAIN))
    assert found(plan) == []
    outcome = run_cli(*["check", plan, "-a", actuals, "-f", "json"])
    assert outcome.exit_code == 0
    goals = json.loads(outcome.stdout)["plans"][0]["goals"]
    # gmv sums to 150 first; each formula adds 1 to the sum (formulas apply after summing).
    assert goals[0]["actual"] == 150 + MAX_CHAIN


IGNORED_FORMULA = HEADER + (
    "ignore: [PP122]\nmetrics:\n  gmv: {column: gmv}\n  sq: {formula: gmv ** 2}\n"
    "goals:\n  g: {metric: sq, at_least: 1}\n"
)


@pytest.mark.parametrize("how", ["plan", "option"])
def test_formula_errors_cannot_be_ignored(tmp_path: Path, how: str) -> None:
    text = IGNORED_FORMULA if how == "plan" else IGNORED_FORMULA.replace("ignore: [PP122]\n", "")
    plan, actuals = write(tmp_path, text)
    extra = ("--ignore", "PP122") if how == "option" else ()
    # The formula's line; a plan's own ignore: of an error code is itself an error (PP126).
    expected = [("PP126", 4), ("PP122", 7)] if how == "plan" else [("PP122", 6)]
    assert found(plan, *extra) == expected
    for command in (["check", plan, "-a", actuals], ["report", plan, "-a", actuals]):
        assert run_cli(*[*command, "--as-of", "2025-01-31", *extra]).exit_code == 1


@pytest.mark.parametrize("code", ["PP001", "PP002", "PP003", "PP010", "PP122"])
def test_codes_that_guard_evaluation_are_not_ignorable(code: str) -> None:
    assert code in NOT_IGNORABLE
    kept = without_codes([diagnostic(code, "x"), diagnostic("PP120", "y")], [code, "PP120"])
    assert [d.code for d in kept] == [code]


def test_other_codes_stay_ignorable(tmp_path: Path) -> None:
    plan, _ = write(tmp_path, HEADER + "budget:\n  lines: {a: 50%}\n")
    assert found(plan, "--ignore", "PP101") == []  # errors: on the command line only


@pytest.mark.parametrize(
    "date_format", ["%Y-%Q", "%d/%m/%Y %", "%-Q", "%Y%m%d%", "", " ", "%H:%M", "%d/%m"]
)
def test_unknown_date_format_directive_is_found_by_validate(
    tmp_path: Path, date_format: str
) -> None:
    plan, actuals = write(tmp_path, HEADER + f'actuals:\n  date_format: "{date_format}"\n')
    assert found(plan) == [("PP003", 5)]
    outcome = run_cli(*["check", plan, "-a", actuals])
    assert outcome.exit_code == 1
    assert "PA006" not in outcome.stdout  # the CSV is not blamed


@pytest.mark.parametrize("date_format", ["%d/%m/%Y", "%-d.%-m.%Y %H:%M", "%Y%m%d", "%d %b %Y %%"])
def test_known_date_formats_validate(tmp_path: Path, date_format: str) -> None:
    plan, _ = write(tmp_path, HEADER + f'actuals:\n  date_format: "{date_format}"\n')
    assert found(plan) == []


def test_negative_total_weight_and_tolerance_are_errors_at_their_lines(tmp_path: Path) -> None:
    plan, _ = write(
        tmp_path,
        HEADER + "tolerance: -10%\n"  # line 4
        "budget:\n  total: -100万\n  lines: {a: {share: 100%, amount: -100万}}\n"  # 6, 7
        "quarters:\n  Q1: {weight: -10%}\n  Q2: {weight: 50%}\n"  # 9
        "  Q3: {weight: 30%}\n  Q4: {weight: 30%}\n",
    )
    assert sorted(found(plan)) == [("PP004", 4), ("PP004", 6), ("PP004", 7), ("PP004", 9)]


@pytest.mark.parametrize(
    "period",
    [
        "{start: 2025-06-18, end: 2025-06-18}",  # a day
        "{start: 2025-06-01, end: 2025-06-30}",  # a month
        "{start: 2025-06-01, end: 2025-06-20}",  # a campaign of 20 days
    ],
)
def test_short_periods_without_quarters_validate_and_run(tmp_path: Path, period: str) -> None:
    text = f"promoplan: 1\nname: t\nperiod: {period}\nmetrics:\n  gmv: {{column: gmv}}\n"
    text += "goals:\n  g: {metric: gmv, at_least: 100}\n"
    plan, actuals = write(tmp_path, text)
    assert found(plan) == []
    assert run_cli(*["check", plan, "-a", actuals, "--as-of", "2025-06-18"]).exit_code == 0
    report = ["report", plan, "-a", actuals, "--as-of", "2025-06-20", "--quarter", "this"]
    assert run_cli(*report).exit_code == 0
