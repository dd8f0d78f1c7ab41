"""The safe YAML loader: YAML 1.2 scalars, plain data only, caps, and positions."""

from __future__ import annotations

import time
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from profiles import scaled
from promoplan.yamlsafe import (
    MAX_ALIASES,
    MAX_BYTES,
    MAX_DEPTH,
    PlainData,
    YamlResult,
    load_yaml,
)


def load(text: str) -> YamlResult:
    return load_yaml(text.encode("utf-8"), "plan.yaml")


def value_of(scalar: str) -> PlainData:
    result = load(f"v: {scalar}\n")
    assert result.ok, result.diagnostics
    assert isinstance(result.data, dict)
    return result.data["v"]


def only(result: YamlResult) -> tuple[str, int | None, int | None]:
    assert len(result.diagnostics) == 1, result.diagnostics
    found = result.diagnostics[0]
    return found.code, found.line, found.column


@pytest.mark.parametrize(
    ("scalar", "value"),
    [
        ("1:3", "1:3"),
        ("12:30", "12:30"),
        ("NO", "NO"),
        ("no", "no"),
        ("off", "off"),
        ("on", "on"),
        ("yes", "yes"),
        ("Y", "Y"),
        ("2025-01-05", "2025-01-05"),
        ("2025-01-05 10:00:00", "2025-01-05 10:00:00"),
        ("010", "010"),
        ("0x1F", "0x1F"),
        ("0o17", "0o17"),
        ("0b101", "0b101"),
        ("1_000", "1_000"),
        (".nan", ".nan"),
        (".inf", ".inf"),
        ("-.inf", "-.inf"),
        ("1e3", 1000.0),
        ("1.0e+3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("-2.5", -2.5),
        ("0", 0),
        ("-7", -7),
        ("+1", 1),
        ("2025", 2025),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("", None),
        ("'1:3'", "1:3"),
        ('"35%"', "35%"),
        ("!!str 5", "5"),
        ("!!int 7", 7),
        ("!!float 3", 3.0),
        ("5000万", "5000万"),
    ],
)
def test_scalars_follow_yaml_1_2(scalar: str, value: PlainData) -> None:
    loaded = value_of(scalar)
    assert loaded == value
    assert type(loaded) is type(value)


def test_utf8_bom_is_allowed() -> None:
    result = load_yaml(b"\xef\xbb\xbfname: x\n", "plan.yaml")
    assert result.data == {"name": "x"}


# --- duplicate and non-string keys -------------------------------------------------


def test_duplicate_key_at_the_second_occurrence_naming_the_first() -> None:
    result = load("budget:\n  lines:\n    tmall: 1000\n    jd: 5\n    tmall: 9000\n")
    assert only(result) == ("PP002", 5, 5)
    assert "first at line 3" in result.diagnostics[0].message
    assert result.diagnostics[0].path == "budget.lines.tmall"
    assert not result.ok
    # Kept, each key at its first value, so that the plan's other problems are found.
    assert result.data == {"budget": {"lines": {"tmall": 1000, "jd": 5}}}


def test_every_duplicate_is_reported() -> None:
    result = load("a: 1\nb: 2\na: 3\nb: 4\n")
    assert [(d.code, d.line) for d in result.diagnostics] == [("PP002", 3), ("PP002", 4)]


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("m: {x: 1, x: 2}\n", (1, 11)),
        ("'x': 1\n\"x\": 2\n", (2, 1)),
        ("x: 1\n? x\n: 2\n", (2, 3)),
    ],
)
def test_duplicate_keys_in_every_style(text: str, position: tuple[int, int]) -> None:
    assert only(load(text)) == ("PP002", *position)


def test_merge_keys_are_allowed_and_local_keys_win() -> None:
    text = "base: &b {x: 1, y: 2}\nmore: &m {z: 3, <<: *b}\nuse:\n  <<: *m\n  <<: {w: 0}\n  y: 9\n"
    result = load(text)
    assert result.ok, result.diagnostics
    assert isinstance(result.data, dict)
    assert result.data["use"] == {"y": 9, "z": 3, "x": 1, "w": 0}


def test_earlier_merge_source_wins() -> None:
    result = load("a: &a {k: 1}\nb: &b {k: 2}\nc: {<<: [*a, *b]}\n")
    assert isinstance(result.data, dict)
    assert result.data["c"] == {"k": 1}


def test_merge_of_a_scalar_is_a_schema_error() -> None:
    assert only(load("a: {<<: 5}\n"))[0] == "PP003"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("1: a\n", (1, 1)),
        ("x:\n  true: a\n", (2, 3)),
        ("x:\n  null: a\n", (2, 3)),
        ("x:\n  1.5: a\n", (2, 3)),
        ("? [a, b]\n: c\n", (1, 3)),
    ],
)
def test_non_string_keys(text: str, position: tuple[int, int]) -> None:
    result = load(text)
    assert only(result) == ("PP003", *position)
    assert result.diagnostics[0].hint == "quote the key"


def test_keys_that_yaml_1_1_would_convert_are_strings() -> None:
    result = load("on: 1\nNO: 2\n1:3: 3\n2025-01-01: 4\n")
    assert result.data == {"on": 1, "NO": 2, "1:3": 3, "2025-01-01": 4}


# --- tags that build objects -------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "!!binary aGVsbG8=",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "!!pairs [a: 1]",
        "!!timestamp 2025-01-01",
        "!!python/object/apply:os.system [ls]",
        "!!python/name:os.system ''",
        "!custom x",
        "!<tag:example.com,2025:x> y",
        "!!int 0b_",
        "!!int x",
        "!!float",
        "!!float x",
        "!!bool yes",
        "!!null x",
        "!!str [a]",
        "!!map [a]",
        "!!seq {a: 1}",
    ],
)
def test_object_tags_are_pp001_at_the_value(value: str) -> None:
    result = load(f"name: x\nbad: {value}\n")
    assert only(result) == ("PP001", 2, 6)
    assert result.data is None


# --- caps ---------------------------------------------------------------------------

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


@pytest.mark.slow
def test_billion_laughs_is_rejected_fast_and_small() -> None:
    tracemalloc.start()
    started = time.perf_counter()
    result = load(LAUGHS)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert only(result)[0] == "PP010"
    assert elapsed < 1.0  # generous bounds, as asked: the naive path takes minutes
    assert peak < 100 * 1024 * 1024


def test_recursive_alias() -> None:
    assert only(load("goals: &g [{sub: *g}]\n")) == ("PP010", 1, 18)


def test_undefined_alias_hints_at_quoting() -> None:
    result = load("name: *bold\n")
    assert only(result) == ("PP001", 1, 7)
    assert "quote" in (result.diagnostics[0].hint or "")


def nested(levels: int) -> str:
    return (
        "".join("  " * i + f"k{i}:\n" for i in range(levels - 1)) + "  " * (levels - 1) + "k: 1\n"
    )


def test_depth_cap_boundary() -> None:
    assert load(nested(MAX_DEPTH)).ok
    assert only(load(nested(MAX_DEPTH + 1)))[0] == "PP010"


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_ten_thousand_deep_flow_nesting(opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    assert only(load("x: " + opener * 10_000 + "1" + closer * 10_000 + "\n"))[0] == "PP010"


def test_alias_cap_boundary() -> None:
    def aliases(count: int) -> str:
        return "x: &x 1\ny: [" + ", ".join(["*x"] * count) + "]\n"

    assert load(aliases(MAX_ALIASES)).ok
    assert only(load(aliases(MAX_ALIASES + 1))) == ("PP010", 2, 5 + 4 * MAX_ALIASES)


def test_size_cap_is_checked_before_parsing() -> None:
    fits = b"a: 1\n" + b"#" * (MAX_BYTES - 6) + b"\n"
    assert len(fits) == MAX_BYTES
    assert load_yaml(fits, "plan.yaml").ok
    # Not YAML at all past the cap: it must never reach the parser.
    too_big = b"a: [\n" + b"\xff" * MAX_BYTES
    assert only(load_yaml(too_big, "plan.yaml")) == ("PP010", 1, 1)
    message = load_yaml(too_big, "plan.yaml").diagnostics[0].message
    assert message == f"plan is {len(too_big):,} bytes; the limit is 1 MiB"


# --- encodings, characters and syntax -----------------------------------------------


def test_gbk_is_named_with_line_and_column() -> None:
    data = "promoplan: 1\nname: 电商\n".encode("gbk")
    result = load_yaml(data, "plan.yaml")
    assert only(result) == ("PP001", 2, 7)
    assert "GBK/GB18030" in result.diagnostics[0].message
    assert "UTF-8" in (result.diagnostics[0].hint or "")


def test_column_of_a_bad_byte_counts_characters() -> None:
    data = "name: 电商".encode() + b"\xff\n"
    assert only(load_yaml(data, "plan.yaml")) == ("PP001", 1, 9)


def test_utf16_is_recognised() -> None:
    result = load_yaml("name: x\n".encode("utf-16"), "plan.yaml")
    assert only(result) == ("PP001", 1, 1)
    assert "UTF-16" in result.diagnostics[0].message


@pytest.mark.parametrize(("char", "column"), [("\x00", 8), ("\x1b", 8), ("\x7f", 8), ("\ufffe", 8)])
def test_control_characters(char: str, column: int) -> None:
    assert only(load(f"a: 1\nname: a{char}b\n")) == ("PP001", 2, column)


def test_tabs_get_a_hint() -> None:
    result = load("a:\n\tb: 1\n")
    assert only(result) == ("PP001", 2, 1)
    assert "spaces" in (result.diagnostics[0].hint or "")


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("name: Sale: 50% off\n", (1, 11)),
        ("owner: @ops\n", (1, 8)),
        ("rate: %50\n", (1, 7)),
        ("x: `cmd`\n", (1, 4)),
    ],
)
def test_values_that_need_quotes(text: str, position: tuple[int, int]) -> None:
    result = load(text)
    assert only(result) == ("PP001", *position)
    assert result.diagnostics[0].hint == "quote the value"


@pytest.mark.parametrize(
    ("text", "code", "position"),
    [
        ("", "PP003", (1, 1)),
        ("# only a comment\n", "PP003", (1, 1)),
        ("---\n", "PP003", (1, 1)),
        ("~\n", "PP003", (1, 1)),
        ("a: 1\n---\nb: 2\n", "PP001", (2, 1)),
        ("- a\n- b\n", "PP003", (1, 1)),
        ("# c\njust text\n", "PP003", (2, 1)),
        ("42\n", "PP003", (1, 1)),
    ],
)
def test_empty_and_non_mapping_files(text: str, code: str, position: tuple[int, int]) -> None:
    assert only(load(text)) == (code, *position)


def test_csv_and_html_are_named() -> None:
    csv = load("date,channel,gmv\n2025-01-01,douyin,100\n")
    assert "actuals" in (csv.diagnostics[0].hint or "")
    html = load("<html>\n<body>hi</body>\n</html>\n")
    assert "HTML" in (html.diagnostics[0].hint or "")


def test_every_diagnostic_names_the_file() -> None:
    assert load_yaml(b"a: [", "plans/x.yaml").diagnostics[0].file == "plans/x.yaml"


# --- positions ----------------------------------------------------------------------

POSITIONED = """\
promoplan: 1
budget:
  lines:
    traffic: {share: 40%}
    content:
      share: 60%
quarters:
  Q1:
    events:
      - name: 年货节
      - {name: 春节}
"""


def test_positions_of_values_and_keys() -> None:
    result = load(POSITIONED)
    positions = result.positions
    assert positions.values[()] == (1, 1)
    assert positions.values[("promoplan",)] == (1, 12)
    assert positions.keys[("budget",)] == (2, 1)
    assert positions.values[("budget", "lines", "traffic")] == (4, 14)
    assert positions.values[("budget", "lines", "traffic", "share")] == (4, 22)
    assert positions.keys[("budget", "lines", "content", "share")] == (6, 7)
    assert positions.values[("budget", "lines", "content", "share")] == (6, 14)
    assert positions.values[("quarters", "Q1", "events", 0)] == (10, 9)
    assert positions.values[("quarters", "Q1", "events", 1, "name")] == (11, 16)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    positions = load(POSITIONED).positions
    assert positions.locate(("budget", "lines", "traffic", "share")) == (4, 22)
    assert positions.locate(("budget", "lines", "traffic", "amount")) == (4, 5)
    assert positions.locate(("nowhere", "at", "all")) == (1, 1)
    assert positions.locate(("quarters", "Q1", "events", 5)) == (9, 5)
    assert positions.value_at(("quarters", "Q1", "events", 5)) == (10, 7)
    assert positions.value_at(("budget", "lines", "traffic", "amount")) == (4, 14)


def test_collections_are_located_at_their_key() -> None:
    positions = load(POSITIONED).positions
    assert positions.locate(("budget", "lines")) == (3, 3)
    assert positions.value_at(("budget", "lines")) == (4, 5)
    assert positions.locate(("quarters", "Q1", "events", 0)) == (10, 9)
    assert positions.locate_key(("budget", "lines")) == (3, 3)
    assert positions.locate_key(("quarters", "Q1", "events", 0)) == (10, 9)


def test_merged_keys_point_at_where_they_are_written() -> None:
    result = load("base: &b\n  x: 1\nuse:\n  <<: *b\n  y: 2\n")
    assert result.positions.values[("use", "x")] == (2, 6)
    assert result.positions.values[("use", "y")] == (5, 6)


# --- properties ----------------------------------------------------------------------

FRAGMENTS = [
    "a: 1\n", "  b: x\n", "- c\n", "? k\n", ": v\n", "&x ", "*x ", "*y\n", "<<: *x\n",
    "!!binary ", "!!set ", "!x ", "!!int ", "!!float ", "!!timestamp ", "{", "}", "[", "]",
    ",", ": ", "'", '"', "#c\n", "---\n", "...\n", "\t", "1:3\n", "NO\n", "2025-02-30\n",
    "0b_\n", ".nan\n", "%YAML 1.2\n", "%TAG ! tag:x,2025:\n", "|\n  text\n", ">-\n", "@",
    "`", "\\", "\x00", "\x1b", "\ufeff", "电商", "\n", " ", "a: &x [*x]\n", "x: ~\n",
]  # fmt: skip


@settings(max_examples=scaled(400))
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_hazard_fragments_give_data_or_located_diagnostics(parts: list[str]) -> None:
    result = load("".join(parts))
    if result.ok:
        assert isinstance(result.data, dict)
        assert_plain(result.data)
    for found in result.diagnostics:
        assert found.code in {"PP001", "PP002", "PP003", "PP004", "PP010"}
        assert found.line is not None
        assert found.line >= 1
        assert found.column is not None
        assert found.column >= 1
        assert found.file == "plan.yaml"


@settings(max_examples=scaled(300))
@given(st.binary(max_size=300))
def test_any_bytes_give_data_or_diagnostics(data: bytes) -> None:
    result = load_yaml(data, "plan.yaml")
    assert result.ok or result.diagnostics
    if result.ok:
        assert_plain(result.data)


def assert_plain(value: object) -> None:
    """Only JSON-like types, string keys, no shared-reference cycles."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        assert depth <= MAX_DEPTH
        if isinstance(item, dict):
            assert all(isinstance(key, str) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        else:
            assert item is None or isinstance(item, (str, int, float, bool))


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("a: [1, 2\nb: 3\n", "close the list opened on line 1 with ']'"),
        ("a: {x: 1\nb: 3\n", "close the mapping opened on line 1 with '}'"),
        ('a: "abc\nb: 3\n', "close the quote opened on line 1"),
    ],
)
def test_unclosed_brackets_and_quotes_name_where_they_opened(text: str, hint: str) -> None:
    result = load(text)
    assert only(result)[0] == "PP001"
    assert result.diagnostics[0].hint == hint


@pytest.mark.parametrize(
    ("text", "position", "named"),
    [
        # "    theme" is 9 characters, so the full-width colon is column 10 of line 2;
        # the parser itself stops at line 3 ("    weight: 20%": ': ' in plain text).
        ("Q3:\n    theme\uff1a Brand upgrade\n    weight: 20%\n", (2, 10), "U+FF1A"),
        # "    theme:" is 10 characters: the ideographic space is column 11 of line 2.
        ("Q3:\n    theme:\u3000品牌升级\n    weight: 20%\n", (2, 11), "U+3000"),
        # After a key the parser did read, it stops at line 4 ("could not find
        # expected ':'"); "  theme" is 7 characters, so column 8 of line 3.
        ("Q3:\n  weight: 20%\n  theme\uff1a x\nQ4: 1\n", (3, 8), "U+FF1A"),
        # In a list item: "- theme" is 7 characters, column 8 of line 2.
        ("a:\n- theme\uff1a x\n  w: 1\n", (2, 8), "U+FF1A"),
    ],
)
def test_input_method_colon_and_space_are_named_where_they_stand(
    text: str, position: tuple[int, int], named: str
) -> None:
    result = load(text)
    assert only(result) == ("PP001", *position)
    found = result.diagnostics[0]
    assert named in found.message
    assert "'theme' is not read as a key" in found.message
    assert found.hint != "quote the value"


def test_a_full_width_colon_above_a_key_that_was_read_is_not_blamed() -> None:
    # Line 1 is a plain value with a full-width colon in it, line 2 a key the parser
    # read; the unclosed list opened on line 2 stops it at line 3, column 1.
    result = load("note: 说明\uff1a 一\nb: [1\nc: 2\n")
    assert only(result)[:2] == ("PP001", 3)
    assert result.diagnostics[0].hint == "close the list opened on line 2 with ']'"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        # 'd: "exported to C:' is 18 characters: the backslash is column 19.
        ('d: "exported to C:\\data\\promo"\n', (1, 19)),
        # 'name: "N\\u' is 10 characters: the parser stops at the code, column 11.
        ('name: "N\\ud800N"\n', (1, 11)),
    ],
)
def test_a_bad_escape_in_closed_double_quotes_says_how_to_write_a_backslash(
    text: str, position: tuple[int, int]
) -> None:
    result = load(text)
    assert only(result) == ("PP001", *position)
    hint = result.diagnostics[0].hint or ""
    assert "single quotes" in hint
    assert "'\\\\'" in hint
    assert "close the quote" not in hint
