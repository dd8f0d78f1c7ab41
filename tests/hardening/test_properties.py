"""Property tests: hazardous YAML, dirty CSV and untrusted strings against the escapers.

* YAML built from hazard fragments (anchors, aliases, tags, ``1:3``, ``NO``, deep
  nesting, duplicate keys, tabs, odd Unicode) gives diagnostics, never another
  exception; what the loader returns is plain data only.
* CSV rows with dirty cells are either summed exactly (against Python ``Decimal``)
  or every bad cell is reported at its line and column (the first 20, then a count).
* The escapers are total; which are idempotent is stated per escaper below.
* JSON output never holds NaN or Infinity, whatever numbers the results carry.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import re
import tempfile
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from builders import alert, budget_row, evaluated_plan, goal, kpi, report_data, run
from profiles import scaled
from promoplan.actuals import read_actuals
from promoplan.actuals.cellsql import FIRST_ERRORS
from promoplan.actuals.model import ActualsSpec
from promoplan.diagnostics import CODES
from promoplan.loader import load_plan, unevaluated
from promoplan.render import RenderOptions, render
from promoplan.render.github import escape_data, escape_property, workflow_command
from promoplan.render.json import render_json
from promoplan.render.svg import esc
from promoplan.render.text import (
    escape_markdown,
    neutralise_csv,
    neutralise_workflow_commands,
    one_line,
    safe_lines,
    safe_text,
)
from promoplan.result import Run
from promoplan.yamlsafe import load_yaml
from strategies import amounts, styles, written

# --- hazardous YAML ------------------------------------------------------------------

SCALARS = [
    "1:3",
    "12:30",
    "0:30",
    "NO",
    "no",
    "off",
    "on",
    "yes",
    "Yes",
    "y",
    "~",
    "null",
    "",
    ".nan",
    ".inf",
    "-.inf",
    "1e400",
    "1e3",
    "0x1F",
    "0b101",
    "010",
    "0o17",
    "1_000",
    ".5",
    "5.",
    "+1",
    "-0",
    "2025-02-30",
    "2025-13-45",
    "2025-01-01",
    "2025-1-5",
    "12:30:45",
    "35%",
    "5万",
    "1.2亿",
    "X万",
    "TBD",
    "待定",
    "?",
    "¥1,000",
    '"1:3"',
    "'NO'",
    '"\\e[31mred\\e[0m"',
    '"\\u202Eevil"',
    '"\\x00"',
    '"\\ud800"',
    '"\\N\\L\\P"',
    "'it''s'",
    "!!float",
    "!!float x",
    "!!int 0b_",
    "!!int x",
    "!!timestamp x",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!omap [a: 1]",
    "!custom x",
    "!!python/object:os.system x",
    "!<tag:yaml.org,2002:str> s",
    "!!str 1:3",
    "!!null x",
    "!!bool yes",
    "&a 1",
    "*a",
    "*missing",
    "Promo #1",
    "a #b",
    "%50",
    "@x",
    "`x`",
    "Sale: 50%",
    "[1, 2",
    "{a: 1",
    "[red]x[/]",
    "[/]",
    "<script>x</script>",
    "=HYPERLINK(1)",
    "|",
    ">",
    "- x",
    "? x",
    "a\tb",
    "\t",
    "电商",
    "１２３",
    "\u3000",
    "\u200b",
    "\u2028",
    "\x85",
]
KEYS = [
    "promoplan",
    "name",
    "period",
    "currency",
    "tolerance",
    "actuals",
    "metrics",
    "goals",
    "budget",
    "channels",
    "quarters",
    "alerts",
    "ignore",
    "report",
    "start",
    "end",
    "date",
    "dimensions",
    "column",
    "formula",
    "unit",
    "agg",
    "where",
    "metric",
    "at_least",
    "at_most",
    "growth",
    "baseline",
    "per",
    "total",
    "share",
    "lines",
    "amount",
    "weight",
    "events",
    "by",
    "window",
    "below",
    "above",
    "drop_over",
    "min",
    "severity",
    "action",
    "label",
    "notes",
    "Q1",
    "Q5",
    "gmv",
    "tmall",
    "tmall",
    "on",
    "NO",
    "1:3",
    "2025-01-01",
    "~",
    '"quoted"',
    "<<",
    "? complex",
    "&k key",
    "*k",
    "!!str k",
    "a b",
    "é",
    "\t",
]

Tree = tuple[str, Any]


def trees() -> st.SearchStrategy[Tree]:
    """Mappings and lists of hazard scalars, up to a few levels."""
    leaves = st.sampled_from(SCALARS).map(lambda s: ("scalar", s))
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(st.tuples(st.sampled_from(KEYS), inner), max_size=5).map(
                lambda items: ("map", items)
            ),
            st.lists(inner, max_size=4).map(lambda items: ("seq", items)),
        ),
        max_leaves=25,
    )


def to_yaml(tree: Tree, indent: int, flow: bool, decorate: st.DataObject) -> str:
    """Write ``tree`` as YAML text, block or flow, with anchors and tags sprinkled in."""
    kind, value = tree
    prefix = decorate.draw(st.sampled_from(["", "", "", "&a ", "!!map ", "!!seq ", "!x "]))
    if kind == "scalar":
        return str(value)
    if kind == "map":
        if flow or not value:
            inner = ", ".join(f"{k}: {to_yaml(v, 0, True, decorate)}" for k, v in value)
            return prefix + "{" + inner + "}"
        pad = " " * indent
        lines = []
        for key, item in value:
            nested = to_yaml(item, indent + 2, decorate.draw(st.booleans()), decorate)
            if item[0] != "scalar" and not nested.startswith(("{", "[", "&", "!")):
                lines.append(f"{pad}{key}:\n{nested}")
            else:
                lines.append(f"{pad}{key}: {nested}")
        return (prefix.strip() + "\n" if prefix.strip() else "") + "\n".join(lines)
    if flow or not value:
        return prefix + "[" + ", ".join(to_yaml(v, 0, True, decorate) for v in value) + "]"
    pad = " " * indent
    return "\n".join(f"{pad}- {to_yaml(v, indent + 2, True, decorate)}" for v in value)


PLAN_HEAD = "promoplan: 1\nname: t\nperiod: 2025\n"


@st.composite
def hazardous_yaml(draw: st.DrawFn) -> bytes:
    """A plan-shaped or arbitrary YAML text made of hazard fragments, as bytes."""
    data = draw(st.data())
    body = to_yaml(draw(trees()), 0, draw(st.booleans()), data)
    text = draw(st.sampled_from(["", PLAN_HEAD, "---\n", "%YAML 1.1\n---\n"])) + body
    depth = draw(st.sampled_from([0, 0, 0, 30, 65, 200, 600]))
    if depth:
        text += "\nnotes: " + "[" * depth + "]" * depth
    if draw(st.booleans()):
        # Mutate: a tab, an odd character or a cut at a random place.
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(["\t", "\x1b", "\ufeff", "\r", ": ", "#", ""]))
        text += draw(st.sampled_from(["", text[at:]]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "gb18030"]))
    return text.encode(encoding, errors="surrogatepass")


def plain(value: object) -> bool:
    """True for plain data only: dicts with text keys, lists, text, numbers, booleans, None."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


@settings(max_examples=scaled(300))
@given(hazardous_yaml())
def test_hazardous_yaml_gives_diagnostics_never_an_exception(data: bytes) -> None:
    loaded = load_plan(Path("plan.yaml"), data=data)
    for found in loaded.diagnostics:
        assert found.code in CODES
        assert found.file == "plan.yaml"
        if found.code.startswith("PP0"):
            assert (found.line or 0) >= 1, found
            assert (found.column or 0) >= 1, found
    if loaded.plan is not None:
        # A plan that loaded had no syntax or schema problem; PP004 (a bare 10 where a
        # fraction is meant) is also a semantic check's finding on a loaded plan.
        assert not [d for d in loaded.diagnostics if d.code in ("PP001", "PP002", "PP003", "PP010")]
    document = render_json(Run("validate", (unevaluated(loaded),)), RenderOptions())
    json.loads(document, parse_constant=_reject_constant)


@settings(max_examples=scaled(200))
@given(hazardous_yaml())
def test_no_tag_builds_an_object(data: bytes) -> None:
    loaded = load_yaml(data, "plan.yaml")
    assert plain(loaded.data)
    if loaded.ok and isinstance(loaded.data, dict):
        assert all(isinstance(k, str) for k in loaded.data)


def _reject_constant(name: str) -> None:
    raise AssertionError(f"JSON output holds {name}")


# --- dirty CSV -------------------------------------------------------------------------

BAD_NUMBERS = [
    "12,3a",
    "1.234,50",
    "nan",
    "-Infinity",
    "1e400",
    "abc",
    "\u0661\u0662\u0663",
    "1 23",
    "--5",
    "5-",
    "(5",
    "$$5",
    "1,23,456",
    "0x10",
    "¥",
    "%",
    "1.2.3",
    "(-5)",
    "e5",
    "1,2",
    "TRUE",
    "1/2",
    "１e3",
]
BAD_DATES = ["2025-02-30", "01/02/2025", "45663", "2025-1-5x", "tomorrow", "2025/13/01"]
MISSING = ["", "-", "N/A", "NA", "null", " n/a "]
CHANNELS = ["douyin", "NA", "抖音", 'say "hi"', "a,b", "line\nbreak", "cr\rbreak", " pad "]
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(0, 365, 29)]

Cell = tuple[str, Decimal | None, str]  # (kind: good|missing|bad, value, text)

cells = st.one_of(
    st.tuples(amounts, styles).map(lambda p: ("good", p[0], written(*p))),
    st.sampled_from(MISSING).map(lambda m: ("missing", None, m)),
    st.sampled_from(BAD_NUMBERS).map(lambda b: ("bad", None, b)),
)
dates = st.one_of(
    st.sampled_from(DAYS).map(lambda d: ("good", d, d.isoformat())),
    st.sampled_from(BAD_DATES).map(lambda b: ("bad", None, b)),
)
records = st.lists(
    st.tuples(dates, st.sampled_from(CHANNELS), cells, cells, st.booleans()),
    min_size=1,
    max_size=45,
)
SPEC = ActualsSpec(
    date_column="date", dimensions=(("channel", "channel"),), columns=("gmv", "spend"), grain="rows"
)


def csv_field(text: str) -> str:
    """RFC 4180 quoting (Python's csv module leaves a bare CR unquoted under LF line ends)."""
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_records(
    path: Path, body: list[list[str]], blank_before: list[bool], newline: str
) -> list[int]:
    """Write the CSV; return the line on which each record starts (1-based)."""
    parts = ["date,channel,gmv,spend" + newline]
    line = 2
    starts = []
    for record, blank in zip(body, blank_before, strict=True):
        if blank:
            parts.append(newline)
            line += 1
        text = ",".join(csv_field(field) for field in record) + newline
        parts.append(text)
        starts.append(line)
        line += len(re.findall(r"\r\n|\r|\n", text))
    path.write_bytes("".join(parts).encode("utf-8"))
    return starts


@settings(max_examples=scaled(80))
@given(records, st.sampled_from(["\n", "\r\n", "\r"]))
def test_dirty_rows_are_summed_exactly_or_every_bad_cell_is_located(
    data: list[tuple[tuple[str, Any, str], str, Cell, Cell, bool]], newline: str
) -> None:
    body = [[d[2], channel, gmv[2], spend[2]] for d, channel, gmv, spend, _ in data]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "actuals.csv"
        starts = write_records(path, body, [b for *_, b in data], newline)
        actuals = read_actuals([path], SPEC)
    bad: list[tuple[int, int, str]] = []  # (line, column, raw) in file order
    for start, (day, _, gmv, spend, _) in zip(starts, data, strict=True):
        if day[0] == "bad":
            bad.append((start, 1, day[2]))
        for column, cell in ((3, gmv), (4, spend)):
            if cell[0] == "bad":
                bad.append((start, column, cell[2]))
    if not bad:
        assert actuals.ok, actuals.diagnostics
        assert actuals.diagnostics == ()
        assert cube_totals(actuals) == python_totals(data)
        return
    assert not actuals.ok
    assert actuals.cube.rows == ()
    located = [d for d in actuals.diagnostics if d.line is not None]
    assert [(d.line, d.column) for d in located] == [
        (line, column) for line, column, _ in bad[:FIRST_ERRORS]
    ]
    for found, (_, _, raw) in zip(located, bad, strict=False):
        assert f'"{raw}"' in found.message or not raw.strip(), (found, raw)
        assert found.code == ("PA004" if found.column == 1 else "PA003")
    summary = [d for d in actuals.diagnostics if d.line is None]
    # The rest counted per code: the dates (column 1, PA004) and the numbers (PA003)
    # not listed, each line with its own total.
    listed = bad[:FIRST_ERRORS]
    expected = []
    for code, kind, cells in (
        ("PA004", "dates", [b for b in bad if b[1] == 1]),
        ("PA003", "numbers", [b for b in bad if b[1] != 1]),
    ):
        rest = len(cells) - sum(1 for b in listed if (b[1] == 1) == (code == "PA004"))
        if rest:
            expected.append((code, f"{rest:,} more bad {kind} not listed ({len(cells):,} in all"))
    assert [(d.code, d.message.split(":")[0]) for d in summary] == expected


def cube_totals(actuals: Any) -> dict[tuple[dt.date, str | None, str], Decimal]:
    out = {}
    for row in actuals.cube.rows:
        for name, cell in zip(actuals.cube.columns, row.cells, strict=True):
            if cell is not None:
                out[(row.day, row.dims[0], name)] = cell.total
    return out


def python_totals(
    data: list[tuple[tuple[str, Any, str], str, Cell, Cell, bool]],
) -> dict[tuple[dt.date, str | None, str], Decimal]:
    totals: dict[tuple[dt.date, str | None, str], Decimal] = defaultdict(Decimal)
    for day, channel, gmv, spend, _ in data:
        key = channel.strip(" ") or None
        for name, cell in (("gmv", gmv), ("spend", spend)):
            if cell[1] is not None:
                totals[(day[1], key, name)] += cell[1]
    return dict(totals)


# --- escapers --------------------------------------------------------------------------

# Any text, lone surrogates included (a YAML "\ud800" escape can make one).
texts = st.text(
    st.one_of(
        st.characters(),
        st.sampled_from(list("\x00\x1b\x07\x7f\x85\x9b\u200b\u202e\u2066\ufeff\r\n\t|`*_<>&#:%,")),
        st.sampled_from(["\ud800", "\udfff"]),
    ),
    max_size=60,
) | st.sampled_from(["::error::x", " ::warning::y", "##[error]z", "=1+1", "@SUM(1)", "+1", "-1"])

UNSAFE = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)


@given(texts)
def test_safe_text_is_total_safe_and_idempotent(text: str) -> None:
    """safe_text: idempotent; no control, bidi, zero-width or surrogate survives."""
    once = safe_text(text)
    assert UNSAFE.search(once) is None
    assert safe_text(once) == once
    once.encode("utf-8")


@given(texts)
def test_one_line_and_safe_lines_are_idempotent(text: str) -> None:
    """one_line: one line, idempotent. safe_lines: keeps CR/LF, otherwise safe, idempotent."""
    line = one_line(text)
    assert "\n" not in line
    assert "\r" not in line
    assert one_line(line) == line
    kept = safe_lines(text)
    assert safe_lines(kept) == kept
    assert UNSAFE.search(kept.replace("\r", "").replace("\n", "")) is None


@given(texts)
def test_escape_markdown_keeps_one_cell_with_the_text(text: str) -> None:
    """escape_markdown: NOT idempotent (it escapes its own backslashes, as it must);
    a GFM cell holding it parses back to exactly one cell with the one-line text."""
    cell = escape_markdown(text)
    assert "\n" not in cell
    assert "\r" not in cell
    table = f"| h |\n| --- |\n| {cell} |\n"
    tokens = MarkdownIt("commonmark").enable("table").parse(table)
    tds = [t for t in tokens if t.type == "td_open"]
    assert len(tds) == 1
    inline = next(t for t in tokens if t.type == "inline" and t.map and t.map[0] == 2)
    for child in inline.children or ():
        assert child.type in ("text", "softbreak"), child
    shown = "".join(c.content for c in inline.children or ())
    assert shown.strip() == one_line(text).strip()  # a cell is trimmed of blanks


@given(texts)
def test_neutralise_csv_is_idempotent_and_never_leaves_a_formula(text: str) -> None:
    """neutralise_csv: idempotent; a cell never starts with = + - @ TAB CR NUL."""
    cell = neutralise_csv(text)
    assert neutralise_csv(cell) == cell
    assert cell in (text, "'" + text)
    assert not cell or cell[0] not in "=+-@\t\r\0"


@given(texts)
def test_html_escape_round_trips_and_leaves_no_markup(text: str) -> None:
    """esc (html): NOT idempotent (& becomes &amp;); unescaping gives the safe one-line text."""
    escaped = esc(text)
    assert not set("<>\"'") & set(escaped)
    assert html.unescape(escaped) == one_line(text)


@given(texts, texts)
def test_github_command_is_one_line_and_decodes(message: str, file: str) -> None:
    """escape_data/escape_property: NOT idempotent (% becomes %25); a command is one line."""
    command = workflow_command("error", message, file=file, line=3, title="PP001")
    assert "\n" not in command
    assert "\r" not in command
    assert re.match(r"^::error (file=[^:,]*,)?line=3,title=PP001::", command), command
    data = escape_data(message)
    decoded = data.replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%")
    assert decoded == safe_lines(message)
    assert ":" not in escape_property(file)
    assert "," not in escape_property(file)


FORMATS = ["table", "json", "sarif", "html", "junit", "markdown", "csv"]


@given(st.lists(texts, max_size=6).map("\n".join), st.sampled_from(FORMATS))
def test_no_line_reads_as_a_workflow_command(text: str, fmt: str) -> None:
    """neutralise_workflow_commands: idempotent; no line starts with :: or holds ##[."""
    once = neutralise_workflow_commands(text, fmt)
    assert neutralise_workflow_commands(once, fmt) == once
    for line in re.split(r"\r\n|\r|\n", once):
        assert not line.lstrip().startswith("::"), line
        assert "##[" not in line, line


# --- no NaN or Infinity in JSON ---------------------------------------------------------

numbers = st.one_of(st.none(), st.floats(), st.sampled_from([math.nan, math.inf, -math.inf]))


@settings(max_examples=scaled(150))
@given(st.lists(numbers, min_size=24, max_size=24), st.sampled_from(["check", "report"]))
def test_json_never_holds_nan_or_infinity(values: list[float | None], command: str) -> None:
    it = iter(values)
    result = evaluated_plan(
        goals=(
            goal(
                target=next(it),
                actual=next(it),
                baseline=next(it),
                expected=next(it),
                progress=next(it),
                projection=next(it),
            ),
        ),
        budget=(
            budget_row(
                share=next(it),
                planned=next(it),
                spent=next(it),
                expected=next(it),
                remaining=next(it),
                used=next(it),
                spent_share=next(it),
            ),
        ),
        alerts=(alert(value=next(it), threshold=next(it)),),
    )
    if command == "report":
        result = replace(
            result,
            report=report_data(kpis=(kpi(value=next(it), previous=next(it), change=next(it)),)),
        )
    document = run(result, command=command)
    text = render("json", document, RenderOptions())
    parsed = json.loads(text, parse_constant=_reject_constant)
    assert "NaN" not in text
    assert "Infinity" not in text
    assert parsed["plans"][0]["goals"][0]["status"]
    table = render("csv", document, RenderOptions())
    assert not re.search(r"(^|,)-?(nan|inf)", table, re.IGNORECASE | re.MULTILINE)
