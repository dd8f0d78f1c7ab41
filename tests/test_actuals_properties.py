"""Property tests of the actuals reader: its cube against plain Python Decimal arithmetic."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from profiles import scaled
from promoplan.actuals import read_actuals
from promoplan.actuals.cellsql import quote_ident
from promoplan.actuals.model import Actuals, ActualsSpec, Cube
from strategies import amounts, styles, written

CHANNELS = ["douyin", "NA", "抖音", "'); DROP TABLE x; --", ' quoted "name" ', "a,b", "null"]
MISSING = ["", "-", "N/A", "NA", "null", " n/a "]
DAYS = [dt.date(2025, 1, 1) + dt.timedelta(days=n) for n in range(0, 365, 17)]

cells = st.one_of(
    st.tuples(amounts, styles).map(lambda p: (p[0], written(*p))),
    st.sampled_from(MISSING).map(lambda m: (None, m)),
)
rows = st.lists(
    st.tuples(st.sampled_from(DAYS), st.sampled_from(CHANNELS), cells, cells),
    min_size=1,
    max_size=40,
)


def write_csv(path: Path, header: list[str], body: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)


def read_rows(body: list[list[str]], spec: ActualsSpec, delimiter: str = ",") -> Actuals:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "actuals.csv"
        write_csv(path, ["date", "channel", "gmv", "spend"], body, delimiter)
        return read_actuals([path], spec)


SPEC = ActualsSpec(
    date_column="date",
    dimensions=(("channel", "channel"),),
    columns=("gmv", "spend"),
    grain="rows",
)


def cube_cells(
    cube: Cube,
) -> dict[tuple[dt.date, str | None, str], tuple[Decimal, int, Decimal, Decimal]]:
    out = {}
    for row in cube.rows:
        for name, cell in zip(cube.columns, row.cells, strict=True):
            if cell is not None:
                assert cell.minimum is not None
                assert cell.maximum is not None
                out[(row.day, row.dims[0], name)] = (
                    cell.total,
                    cell.count,
                    cell.minimum,
                    cell.maximum,
                )
    return out


@settings(max_examples=scaled(40))
@given(rows, st.sampled_from([",", ";", "\t"]))
def test_cube_equals_python_decimal_sums(
    data: list[tuple[dt.date, str, tuple[Decimal | None, str], tuple[Decimal | None, str]]],
    delimiter: str,
) -> None:
    body = [[day.isoformat(), channel, gmv[1], spend[1]] for day, channel, gmv, spend in data]
    actuals = read_rows(body, SPEC, delimiter)
    assert actuals.ok, actuals.diagnostics
    values: dict[tuple[dt.date, str | None, str], list[Decimal]] = defaultdict(list)
    for day, channel, gmv, spend in data:
        key_channel = channel.strip() or None
        for name, (value, _) in (("gmv", gmv), ("spend", spend)):
            if value is not None:
                values[(day, key_channel, name)].append(value)
    expected = {k: (sum(v, Decimal(0)), len(v), min(v), max(v)) for k, v in values.items()}
    assert cube_cells(actuals.cube) == expected
    assert actuals.files[0].rows == len(data)


@settings(max_examples=scaled(25))
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2025, 12, 31)),
            st.decimals(min_value=0, max_value=10**6, places=2),
            st.decimals(min_value=Decimal("0.01"), max_value=10**5, places=2),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_a_quarter_ratio_is_the_ratio_of_sums(data: list[tuple[dt.date, Decimal, Decimal]]) -> None:
    body = [[day.isoformat(), "douyin", str(gmv), str(spend)] for day, gmv, spend in data]
    actuals = read_rows(body, SPEC)
    assert quarter_ratios(actuals.cube) == python_ratios(data)


def quarter_ratios(cube: Cube) -> dict[int, Decimal]:
    """gmv / spend per quarter, rolled up from the daily cube as the evaluator does."""
    gmv, spend = cube.columns.index("gmv"), cube.columns.index("spend")
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for row in cube.rows:
        quarter = (row.day.month - 1) // 3 + 1
        for slot, index in ((0, gmv), (1, spend)):
            cell = row.cells[index]
            if cell is not None:
                totals[quarter][slot] += cell.total
    return {q: g / s for q, (g, s) in totals.items()}


def python_ratios(data: list[tuple[dt.date, Decimal, Decimal]]) -> dict[int, Decimal]:
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for day, gmv, spend in data:
        quarter = (day.month - 1) // 3 + 1
        totals[quarter][0] += gmv
        totals[quarter][1] += spend
    return {q: g / s for q, (g, s) in totals.items()}


def test_ratio_of_sums_is_not_the_mean_of_daily_ratios() -> None:
    """The example that makes the property above able to fail: 100/10 and 10/40."""
    data = [
        (dt.date(2025, 1, 1), Decimal(100), Decimal(10)),
        (dt.date(2025, 1, 2), Decimal(10), Decimal(40)),
    ]
    body = [[day.isoformat(), "douyin", str(gmv), str(spend)] for day, gmv, spend in data]
    ratios = quarter_ratios(read_rows(body, SPEC).cube)
    assert ratios == {1: Decimal("2.2")}  # 110 / 50; the mean of the daily ratios is 5.125


@settings(max_examples=scaled(60))
@given(st.binary(max_size=300) | st.text(alphabet=',;\t"\r\n 0123456789-/.%a¥（）NA', max_size=300))
def test_any_input_gives_diagnostics_never_an_exception(content: bytes | str) -> None:
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_bytes(b"date,channel,gmv\n" + data if len(data) % 2 else data)
        actuals = read_actuals([path], SPEC)
    for diagnostic in actuals.diagnostics:
        assert diagnostic.code.startswith("PA")
        assert diagnostic.file == str(path)
    if not actuals.ok:
        assert actuals.cube.rows == ()


def test_quote_ident_doubles_quotes() -> None:
    assert quote_ident('a"b') == '"a""b"'
    assert quote_ident("'); DROP TABLE x; --") == '"\'); DROP TABLE x; --"'
