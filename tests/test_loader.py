"""``load_plan``: reading, YAML, schema errors in plain words, checks, ``ignore:``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from profiles import scaled
from promoplan.errors import UsageProblem
from promoplan.loader import LoadedPlan, load_plan
from promoplan.quantity import Placeholder, Quantity

HEADER = "promoplan: 1\nname: 测试计划\nperiod: 2025\n"


def load(text: str, *, header: bool = True) -> LoadedPlan:
    data = ((HEADER if header else "") + text).encode("utf-8")
    return load_plan(Path("plans/test.yaml"), data=data)


def codes_at(loaded: LoadedPlan) -> list[tuple[str, int | None, int | None]]:
    return [(d.code, d.line, d.column) for d in loaded.diagnostics]


def test_a_valid_plan() -> None:
    loaded = load("metrics:\n  gmv: {column: gmv, unit: currency}\n")
    assert loaded.plan is not None
    assert loaded.plan.name == "测试计划"
    assert loaded.diagnostics == ()
    assert loaded.file == "plans/test.yaml"
    assert loaded.locate(("metrics", "gmv", "column")) == (5, 17)
    assert loaded.locate(("metrics", "gmv", "agg")) == (5, 3)


def test_unquoted_ratio_is_the_ratio_not_63() -> None:
    loaded = load(
        "metrics:\n  gmv: {column: gmv}\n  spend: {column: spend}\n"
        "  roi: {formula: gmv / spend, unit: ratio}\n"
        "alerts:\n  low_roi: {metric: roi, below: 1:3}\n"
    )
    assert loaded.plan is not None, loaded.diagnostics
    assert loaded.plan.alerts["low_roi"].threshold == Quantity(3.0, "ratio")


def test_reads_the_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(HEADER + "currency: 5\n", encoding="utf-8")
    loaded = load_plan(path)
    assert loaded.file == str(path)
    assert [d.file for d in loaded.diagnostics] == [str(path)]
    shown = load_plan(path, display="plans/2025.yaml")
    assert shown.diagnostics[0].file == "plans/2025.yaml"


def test_missing_file_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="no such file") as caught:
        load_plan(tmp_path / "absent.yaml")
    assert "\n" not in str(caught.value)


def test_directory_is_a_usage_problem(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem, match="is a directory"):
        load_plan(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a non-root POSIX user")
def test_unreadable_file_is_a_usage_problem(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(HEADER)
    path.chmod(0)
    try:
        with pytest.raises(UsageProblem, match="permission denied"):
            load_plan(path)
    finally:
        path.chmod(0o600)


def test_a_huge_file_is_not_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    with path.open("wb") as handle:
        handle.write(HEADER.encode())
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes
    loaded = load_plan(path)
    assert codes_at(loaded) == [("PP010", 1, 1)]
    assert loaded.diagnostics[0].message == "plan is 50.0 MiB; the limit is 1 MiB"


def test_yaml_problems_leave_no_plan() -> None:
    loaded = load("budget: {total: 1}\nbudget: {total: 2}\n")
    assert loaded.plan is None
    assert codes_at(loaded) == [("PP002", 5, 1)]


def test_diagnostics_are_sorted_by_position() -> None:
    loaded = load("goals:\n  b: {metric: x, at_least: lots}\n  a: {at_least: 1}\ncurrency: 5\n")
    positions = [(d.line or 0, d.column or 0) for d in loaded.diagnostics]
    assert positions == sorted(positions)
    assert len(positions) == 3


def test_the_plans_ignore_list_is_applied() -> None:
    text = "metrics:\n  users: {column: users}\ngoals:\n  users: {metric: users, at_least: X万}\n"
    assert [d.code for d in load(text).diagnostics] == ["PP120"]
    ignored = load(text + "ignore: [pp120]\n")
    assert ignored.diagnostics == ()
    assert ignored.plan is not None
    assert ignored.plan.goals["users"].target == Placeholder("X万")


@pytest.mark.parametrize(
    ("line", "value", "comment"),
    [
        ("name: Promo #1", "Promo", "#1"),
        ("name: 双十一 #2 预热", "双十一", "#2 预热"),
        ("currency: CNY\t#TODO", "CNY", "#TODO"),
        ("tolerance: 10% #tight", "10%", "#tight"),
    ],
)
def test_a_comment_right_after_a_plain_value_is_pp005_at_its_hash(
    line: str, value: str, comment: str
) -> None:
    """bad-inputs Y12: YAML drops `` #1``, so ``name: Promo #1`` is "Promo"; a warning says so."""
    loaded = load(line + "\n", header=False)
    [found] = [d for d in loaded.diagnostics if d.code == "PP005"]
    assert found.severity == "warning"
    assert (found.line, found.column) == (1, line.index("#") + 1)
    assert found.message == f"YAML reads {comment!r} as a comment, so the value is {value!r}"
    assert found.hint is not None
    assert f'quote it all: "{value} {comment}"' in found.hint


@pytest.mark.parametrize(
    "text",
    [
        'name: "Promo #1"\n',  # quoted: the # is the value's
        "name: Promo  # the spring one\n",  # a comment, written as one
        "name: Promo  #TODO\n",  # two blanks before it: set apart as a comment
        "name: Promo#1\n",  # no blank before #: part of the value
        "name: |\n  Promo #1\n",  # a block scalar: its lines are all value
        "name: Promo\n# 1\n",
        "name: >\n  a\n  b #c\n",
    ],
)
def test_a_comment_written_as_one_or_a_quoted_hash_is_no_pp005(text: str) -> None:
    loaded = load(text + "promoplan: 1\nperiod: 2025\n", header=False)
    assert "PP005" not in [d.code for d in loaded.diagnostics]


def test_pp005_is_a_warning_the_plan_may_ignore() -> None:
    loaded = load("currency: CNY #CN\n")
    assert loaded.plan is not None
    assert loaded.plan.currency == "CNY"
    assert [d.code for d in loaded.diagnostics] == ["PP005"]
    assert load("currency: CNY #CN\nignore: [PP005]\n").diagnostics == ()


def test_semantic_checks_run_and_are_located() -> None:
    loaded = load("budget:\n  lines:\n    traffic: 40%\n    content: 50%\n")
    assert [d.code for d in loaded.diagnostics] == ["PP101"]
    assert (loaded.diagnostics[0].line, loaded.diagnostics[0].column) == (5, 3)
    assert loaded.diagnostics[0].file == "plans/test.yaml"


# --- schema errors in plain words -----------------------------------------------------


def one(loaded: LoadedPlan) -> tuple[str, int | None, int | None, str, str | None]:
    assert len(loaded.diagnostics) == 1, loaded.diagnostics
    d = loaded.diagnostics[0]
    return d.code, d.line, d.column, d.message, d.path


def test_unknown_key_suggests_the_close_one() -> None:
    loaded = load("budget:\n  lines:\n    gmv: {sharee: 40%}\n")
    assert one(loaded) == (
        "PP003",
        6,
        11,
        "unknown key 'sharee' in budget.lines.gmv; did you mean 'share'?",
        "budget.lines.gmv.sharee",
    )


def test_unknown_key_without_a_close_one_lists_the_known_keys() -> None:
    message = one(load("goals:\n  g: {metric: gmv, at_least: 1, colour: red}\n"))[3]
    assert message.startswith("unknown key 'colour' in goals.g (known keys: metric, at_least")


def test_missing_key_points_at_the_parent_mapping() -> None:
    assert one(load("goals:\n  gmv:\n    at_least: 1亿\n")) == (
        "PP003",
        5,
        3,
        "missing key 'metric' in goals.gmv",
        "goals.gmv.metric",
    )


def test_missing_top_level_key() -> None:
    found = one(load("name: x\nperiod: 2025\n", header=False))
    assert found[:4] == ("PP003", 1, 1, "missing key 'promoplan' at the top level")


def test_impossible_date() -> None:
    found = one(load("quarters:\n  Q1:\n    events:\n      - {name: a, start: 2025-02-30}\n"))
    assert found[:4] == (
        "PP003",
        7,
        26,
        "expected a date like 2025-01-31, got '2025-02-30' (day is out of range for month)",
    )
    assert found[4] == "quarters.Q1.events[0].start"


def test_choice_with_a_suggestion() -> None:
    found = one(load("alerts:\n  a: {metric: uv, drop_over: 20%, window: weekly}\n"))
    assert found[3] == (
        "expected one of week, month, quarter, period, got 'weekly'; did you mean 'week'?"
    )


def test_unknown_quarter_points_at_the_key() -> None:
    found = one(load("quarters:\n  Q1: {}\n  Q5: {theme: x}\n"))
    assert found[:4] == (
        "PP003",
        6,
        3,
        "unknown key 'Q5' in quarters; expected one of Q1, Q2, Q3, Q4",
    )


def test_text_where_a_mapping_is_needed() -> None:
    assert one(load("budget: 5000万\n"))[:4] == (
        "PP003",
        4,
        9,
        "expected a mapping (key: value), got '5000万'",
    )


def test_union_field_gives_one_message() -> None:
    loaded = load("period: 2025-01-01\n", header=False)
    period = [d for d in loaded.diagnostics if d.path == "period"]
    assert len(period) == 1
    assert (
        period[0].message == "expected a whole number or a mapping (key: value), got '2025-01-01'"
    )
    assert period[0].hint is not None


def test_union_member_that_matched_gives_its_own_error() -> None:
    loaded = load(
        "promoplan: 1\nname: x\nperiod: {start: 2025-04-01, end: 2026-02-30}\n", header=False
    )
    assert [(d.code, d.path) for d in loaded.diagnostics] == [("PP003", "period.end")]


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("0", "expected a number of at least 1900, got the number 0"),
        ("99999", "expected a number of at most 2999, got the number 99999"),
        (
            "{start: 9999-12-01, end: 9999-12-31}",
            "the period must lie within the years 1900 to 2999",
        ),
    ],
)
def test_implausible_periods(period: str, message: str) -> None:
    found = one(load(f"promoplan: 1\nname: x\nperiod: {period}\n", header=False))
    assert found[0] == "PP003"
    assert found[3] == message


def test_wrong_version() -> None:
    found = one(load("promoplan: 2\nname: x\nperiod: 2025\n", header=False))
    assert found[:4] == (
        "PP003",
        1,
        12,
        "unsupported plan format version 2; this promoplan reads version 1",
    )


@pytest.mark.parametrize("value", ["true", "True", "yes"])
def test_a_boolean_is_no_version_1(value: str) -> None:
    """Python's True == 1: ``promoplan: true`` passed as version 1."""
    found = one(load(f"promoplan: {value}\nname: x\nperiod: 2025\n", header=False))
    if value == "yes":  # YAML 1.2: a string
        assert found[3] == "unsupported plan format version 'yes'; this promoplan reads version 1"
        return
    assert found[:4] == (
        "PP003",
        1,
        12,
        f"expected the plan format version 1, got the boolean {value.lower()}",
    )


def test_number_where_text_is_needed_hints_at_quotes() -> None:
    loaded = load("currency: 156\n")
    assert one(loaded)[3] == "expected text, got the number 156"
    assert loaded.diagnostics[0].hint == "quote the value"


@pytest.mark.parametrize("value", ["35 percent", ".nan", ".inf", "abc", "true", "[1]"])
def test_not_a_quantity_is_pp004(value: str) -> None:
    found = one(load(f"tolerance: {value}\n"))
    assert found[:3] == ("PP004", 4, 12)
    assert found[4] == "tolerance"


def test_model_rules_point_at_the_mapping_key() -> None:
    found = one(load("goals:\n  g: {metric: gmv}\n"))
    assert found[:3] == ("PP003", 5, 3)
    assert "exactly one of 'at_least', 'at_most' or 'growth'" in found[3]


def test_shorthand_budget_line_errors_point_at_the_value() -> None:
    found = one(load("budget:\n  lines:\n    influencers: lots\n"))
    assert found[:3] == ("PP004", 6, 18)
    assert found[4] == "budget.lines.influencers"


# --- property: whatever the shape, diagnostics with positions and no exception ---------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["35%", "1:3", "X万", "abc", "2025-02-30", "2025-01-01", "week", "Q5", ""]),
)
KEYS = st.sampled_from(
    [
        "promoplan", "name", "period", "metrics", "goals", "budget", "lines", "share", "metric",
        "at_least", "column", "quarters", "Q1", "events", "start", "alerts", "below", "window",
        "channels", "ignore", "tolerance", "sharee", "formula", "where", "channel",
    ]
)  # fmt: skip
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=5)
    ),
    max_leaves=25,
)


@settings(max_examples=scaled(300))
@given(st.dictionaries(KEYS, TREES, max_size=8))
@example({"period": 0})
@example({"period": {"start": "9999-12-01", "end": "9999-12-31"}})
@example({"metrics": {}, "tolerance": 2.0})
def test_any_plan_shape_gives_located_diagnostics(tree: dict[str, object]) -> None:
    text = yaml.safe_dump({"promoplan": 1, "name": "x", "period": 2025, **tree}, allow_unicode=True)
    loaded = load_plan(Path("p.yaml"), data=text.encode("utf-8"))
    # A plan that does not load says why (PP001-PP004, PP010); one that loads has none
    # of the codes that stop loading (PP004 is also a check's: tolerance: 2 is 200%).
    codes = {d.code for d in loaded.diagnostics}
    if loaded.plan is None:
        assert codes & {"PP001", "PP002", "PP003", "PP004", "PP010"}
    else:
        assert not codes & {"PP001", "PP002", "PP003", "PP010"}
    for d in loaded.diagnostics:
        assert d.file == "p.yaml"
        assert d.line is not None
        assert d.column is not None
        assert "Input should" not in d.message
        assert "pydantic" not in d.message.lower()
