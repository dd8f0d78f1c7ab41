"""The cube query rendered per dialect (golden files) and the source URLs."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from promoplan.actuals.warehouse import parse_timeout, urls
from promoplan.actuals.warehouse.catalog import no_table
from promoplan.actuals.warehouse.cubequery import CubeQuery, LongQuery, RowExpr, UnpivotQuery
from promoplan.actuals.warehouse.plansource import plan_source
from promoplan.actuals.warehouse.query import DIALECTS, render
from promoplan.actuals.warehouse.tablenames import parse_table
from promoplan.actuals.warehouse.urls import masked, parse_url, redacted, with_table
from promoplan.errors import UsageProblem
from promoplan.formula import parse_formula

QUERY = CubeQuery(
    table=parse_table("sales.daily"),
    date_column="order_date",
    date_is_timestamp=True,
    dimensions=("channel", 'a"b'),
    measures=("gmv", "spend", "100%"),
    extrema=(False, True, False),
    keep_from=dt.date(2024, 1, 1),
    keep_to=dt.date(2025, 12, 31),
    limit=500_001,
)


# Monthly rows, an expr (a number and a division), and one spend column per channel:
# measures 0 revenue, 1 tv_S, 2 o'S; the expr is grouped measure 3.
PUSHED = CubeQuery(
    table=parse_table("mmm.weekly"),
    date_column="week",
    date_is_timestamp=False,
    dimensions=("region",),
    measures=("revenue", "tv_S", "o'S"),
    extrema=(False, False, False),
    keep_from=dt.date(2024, 1, 1),
    keep_to=dt.date(2025, 12, 31),
    limit=500_001,
    exprs=(RowExpr(parse_formula("revenue * 1.1 / -orders").root, extrema=True),),
    period="month",
    unpivot=UnpivotQuery(
        values=("tv", "o'"),
        base=(0, None, 3),
        split=((None, 1, None), (None, 2, None)),
        extrema=(False, False, True),
    ),
)


# Daily rows grouped by every key, then by the keys trimmed, then summed over an unread
# sku and the channels the plan does not name; one measure only counted, one a mean.
FOLDED = CubeQuery(
    table=parse_table("shop.daily_sku"),
    date_column="day",
    date_is_timestamp=False,
    dimensions=("channel", "region"),
    measures=("gmv", "note"),
    extrema=(False, False),
    keep_from=dt.date(2025, 1, 1),
    keep_to=dt.date(2025, 12, 31),
    limit=500_001,
    summed=(True, False),
    counted=(False, True),
    folded=("sku",),
    kept=((0, ("douyin", "it's")),),
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendered_sql_folding_a_dimension_and_values_not_named(
    dialect: str, golden: Callable[[str, str], None]
) -> None:
    rendered = render(FOLDED, dialect)  # type: ignore[arg-type]  # one of DIALECTS
    golden(f"warehouse-folded-{dialect}.sql", rendered.sql + "\n")
    assert "douyin" not in rendered.sql  # the names kept are bound, as OTHER_SQL is
    values = rendered.parameters
    bound = list(values.values()) if isinstance(values, dict) else list(values)
    assert {"douyin", "it's", " other "} <= set(bound)
    assert FOLDED.columns_out() == 2 + 2 + 1 + 1 + 3  # day, n, 2 keys, s0, c1, g, r, f


# A long table: grouped by its metric column too, only the metrics read (bound, each in
# NFC and NFD), the value column the one measure.
LONG = CubeQuery(
    table=parse_table("ads.weekly_metrics"),
    date_column="week",
    date_is_timestamp=False,
    dimensions=("channel", "metric"),
    measures=("value",),
    extrema=(False,),
    keep_from=dt.date(2024, 1, 1),
    keep_to=dt.date(2025, 12, 31),
    limit=500_001,
    period="week",
    long=LongQuery(("spend", "café", "'); DROP TABLE x; --")),
)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendered_sql_of_a_long_table(dialect: str, golden: Callable[[str, str], None]) -> None:
    rendered = render(LONG, dialect)  # type: ignore[arg-type]  # one of DIALECTS
    golden(f"warehouse-long-{dialect}.sql", rendered.sql + "\n")
    assert "spend" not in rendered.sql  # the metric names are bound
    assert "DROP" not in rendered.sql
    values = rendered.parameters
    bound = list(values.values()) if isinstance(values, dict) else list(values)
    decomposed = unicodedata.normalize("NFD", "café")
    assert bound[2:] == ["spend", "café", decomposed, "'); DROP TABLE x; --"]
    wide = LONG.wide()
    assert LONG.long is not None
    assert (wide.dimensions, wide.measures, wide.long) == (("channel",), LONG.long.names, None)
    assert wide.keys() == 1


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendered_sql_with_expr_unpivot_and_months(
    dialect: str, golden: Callable[[str, str], None]
) -> None:
    rendered = render(PUSHED, dialect)  # type: ignore[arg-type]  # one of DIALECTS
    golden(f"warehouse-pushed-{dialect}.sql", rendered.sql + "\n")
    assert "o'" not in rendered.sql.replace('"o\'S"', "").replace("`o'S`", "")  # bound
    assert "1.1" not in rendered.sql  # the expr's number is bound too


def test_pushed_parameters_in_the_order_they_appear() -> None:
    named = render(PUSHED, "postgres").parameters
    assert named == {
        "e0": Decimal("1.1"),
        "keep_from": dt.date(2024, 1, 1),
        "keep_until": dt.date(2026, 1, 1),
        "u3": "tv",
        "u4": "o'",
    }
    for dialect in ("trino", "snowflake"):
        rendered = render(PUSHED, dialect)
        # The expr's number in the CTE's SELECT (in its SUM, COUNT, MIN and MAX), the
        # dates in its WHERE, then the values.
        assert rendered.parameters == (
            *[Decimal("1.1")] * 4,
            dt.date(2024, 1, 1),
            dt.date(2026, 1, 1),
            "tv",
            "o'",
        )
        assert rendered.sql.count("?") == 8


@pytest.mark.parametrize("dialect", DIALECTS)
def test_rendered_sql(dialect: str, golden: Callable[[str, str], None]) -> None:
    rendered = render(QUERY, dialect)  # type: ignore[arg-type]  # one of DIALECTS
    golden(f"warehouse-{dialect}.sql", rendered.sql + "\n")


def test_parameters_by_name_or_position() -> None:
    named = render(QUERY, "postgres").parameters
    assert named == {"keep_from": dt.date(2024, 1, 1), "keep_until": dt.date(2026, 1, 1)}
    for dialect in ("trino", "snowflake"):
        rendered = render(QUERY, dialect)
        assert rendered.parameters == (dt.date(2024, 1, 1), dt.date(2026, 1, 1))
        assert rendered.sql.index(">= ?") < rendered.sql.index("< ?")


def test_percent_in_a_name_is_escaped_for_psycopg() -> None:
    text = render(QUERY, "postgres").sql
    assert 'SUM("100%%")' in text
    assert text.count("%(keep_from)s") == 1


def test_a_date_column_is_not_cast() -> None:
    query = CubeQuery(parse_table("t"), "d", False, (), ("x",), (False,), None, None)
    assert render(query, "duckdb").sql == (
        'SELECT "d" AS "day", COUNT(*) AS "n", SUM("x") AS "s0", COUNT("x") AS "c0" '
        'FROM "t" WHERE NOT "d" IS NULL GROUP BY "d"'
    )


def test_the_query_names_the_tables_spelling_of_a_column() -> None:
    query = CubeQuery(
        parse_table("t"),
        "d",
        False,
        ("channel",),
        ("x",),
        (False,),
        None,
        None,
        exprs=(RowExpr(parse_formula("x * 2").root, counted=False),),
        renamed=(("channel", " Channel "), ("d", "D"), ("x", "X")),
    )
    assert render(query, "duckdb").sql == (
        'SELECT "D" AS "day", " Channel " AS "k0", COUNT(*) AS "n", SUM("X") AS "s0", '
        'COUNT("X") AS "c0", SUM(CAST((CAST("X" AS DOUBLE) * CAST($e0 AS DOUBLE)) AS '
        'DECIMAL(38, 4))) AS "s1" FROM "t" WHERE NOT "D" IS NULL GROUP BY "D", " Channel "'
    )


def test_urls_parse_and_print_without_the_password() -> None:
    url = parse_url(
        "postgresql://ana:s3cr%40t@db.internal:6543/shop?table=sales.daily&sslmode=require"
    )
    assert (url.host, url.port, url.user, url.database) == ("db.internal", 6543, "ana", "shop")
    assert url.password == "s3cr@t"
    assert url.table.parts == ("sales", "daily")
    assert url.parameters == (("sslmode", "require"),)
    assert url.display == "postgresql://ana@db.internal:6543/shop?table=sales.daily"
    assert "s3cr" not in repr(url)
    assert "s3cr" not in str(url)
    spark = parse_url("sc://spark.internal?table=db.orders")
    assert (spark.kind, spark.port, spark.display) == (
        "spark",
        15002,
        "sc://spark.internal:15002?table=db.orders",
    )
    duck = parse_url("duckdb:///data/a b.duckdb?table=main.t")
    assert (duck.kind, duck.database, duck.table.parts) == (
        "duckdb",
        "/data/a b.duckdb",
        ("main", "t"),
    )


def test_no_port_is_libpqs_to_choose_and_a_socket_directory_is_decoded() -> None:
    """No 5432 invented (PGPORT, a service file choose), nor printed; a host written
    percent-encoded is decoded as libpq decodes it, its case kept, and printed so again."""
    url = parse_url("postgresql://ana@/shop?table=t")
    assert (url.host, url.port, url.display) == (None, None, "postgresql://ana@/shop?table=t")
    assert parse_url("postgresql:///shop?service=s&table=t").port is None
    assert parse_url("postgresql://db.Internal/shop?table=t").display == (
        "postgresql://db.Internal/shop?table=t"
    )
    socket = parse_url("postgresql://ana@%2Ftmp%2FPg-Dir:6543/shop?table=t")
    assert (socket.host, socket.port) == ("/tmp/Pg-Dir", 6543)
    assert socket.display == "postgresql://ana@%2Ftmp%2FPg-Dir:6543/shop?table=t"
    assert parse_url("postgresql://[::1]:5/shop?table=t").host == "::1"


def test_quoted_table_names() -> None:
    assert parse_table('"my.schema"."a""b"').parts == ("my.schema", 'a"b')
    assert str(parse_table('"my.schema"."a""b"')) == '"my.schema"."a""b"'
    for bad in ("", "a..b", '"open', "a.b.c.d"):
        with pytest.raises(UsageProblem):
            parse_table(bad)


def test_no_table_names_the_table_meant() -> None:
    url = parse_url("postgresql://reader@db/shop?table=sales.Daly")

    def hint(names: list[str] | None, count: int | None = None) -> str | None:
        tables = None if names is None else [parse_table(n) for n in names]
        return no_table(url, tables, "sales", count=count).hint

    assert no_table(url, [], "sales").message == f"no table sales.Daly on {url.display}"
    assert hint([]) == "sales has no tables"
    assert hint(None) is None  # not known (a database that does not exist)
    assert hint(["orders", "daly"]) == "did you mean daly? a name is read as written, case included"
    assert hint(["orders", "daily"]) == "did you mean daily? the tables in sales are: orders, daily"
    assert hint(["orders", "refunds"]) == "the tables in sales are: orders, refunds"
    many = [f"t{i:02}" for i in range(14)]
    assert hint(many) == f"the tables in sales are: {', '.join(many[:12])} and 2 more"
    # A file's table of another schema is named with it, and matched by its name.
    file = parse_url("duckdb:///f.duckdb?table=Daly")

    def in_file(names: list[str]) -> str | None:
        return no_table(file, [parse_table(n) for n in names], "the file", on="in").hint

    assert in_file(["orders", "s2.Daly"]) == (
        "did you mean s2.Daly? a table named without a schema is looked for in the current schema"
    )
    assert in_file(["orders", "s2.DALY"]) == (
        "did you mean s2.DALY? a name is read as written, case included"
    )
    assert (in_file(["orders", '"my s".dailey']) or "").startswith('did you mean "my s".dailey? ')


def test_no_table_counts_the_tables_not_listed() -> None:
    """The catalog reads the first tables and the count of them all: the rest is counted."""
    url = parse_url("postgresql://reader@db/shop?table=nosuch")
    first = [parse_table(f"t{i:02}") for i in range(12)]
    hint = no_table(url, first, "public", count=31).hint
    assert hint == f"the tables in public are: {', '.join(map(str, first))} and 19 more"
    assert no_table(url, first, "public", count=12).hint == (
        f"the tables in public are: {', '.join(map(str, first))}"
    )


def test_env_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PW", "from-env")
    assert parse_url("postgresql://ana:${DB_PW}@h/db?table=t").password == "from-env"
    monkeypatch.delenv("DB_PW")
    with pytest.raises(UsageProblem, match="DB_PW is not set"):
        parse_url("postgresql://ana:${DB_PW}@h/db?table=t")
    with pytest.raises(UsageProblem, match="only as the URL's password"):
        parse_url("postgresql://${USER_X}@h/db?table=t")


@pytest.mark.parametrize(
    ("text", "table"),
    [
        ("postgresql://ana@h/db?table=${TABLE_X}", None),
        ("postgresql://ana@h/db?table=sales.%24%7BTABLE_X%7D", None),
        ("sc://h:15002?table=${TABLE_X}", None),
        ("postgresql://ana@h/db", "sales.${TABLE_X}"),  # the plan's actuals.table
        ("duckdb:///f.duckdb?table=${TABLE_X}", None),
    ],
)
def test_env_reference_in_the_table_is_refused(
    monkeypatch: pytest.MonkeyPatch, text: str, table: str | None
) -> None:
    monkeypatch.setenv("TABLE_X", "daily")  # set or not, it is not read
    with pytest.raises(UsageProblem, match=r"only as the URL's password"):
        parse_url(text, table=table)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("postgresql://h/db", "names no table"),
        ("postgresql://h/db?table=t&options=-c%20x", "unknown URL parameter 'options'"),
        ("postgresql://ana@h/db?table=t&password=x", "password in the URL's parameters"),
        ("sc://h/db?table=t", "has no path"),
        ("duckdb://?table=t", "names no file"),
        ("postgresql://h:99999/db?table=t", "not a valid URL"),
        ("postgresql://ana:pw@h/db?table=a&table=b", "gives table= twice; give it once"),
        ("postgresql://h/db?table=a&sslmode=require&sslmode=disable", "gives sslmode= twice"),
        ("duckdb:///f.duckdb?table=a&table=b", "gives table= twice"),
    ],
)
def test_bad_urls(text: str, words: str) -> None:
    with pytest.raises(UsageProblem, match=words) as caught:
        parse_url(text)
    assert "x@" not in str(caught.value)
    assert ":pw@" not in str(caught.value)  # a password is never repeated


@pytest.mark.parametrize(
    ("text", "password"),
    [
        # a raw password the parser would read as a port and a path, a path, or a query,
        # and a message built from the URL's parts would show
        ("postgresql://ana:12/34@h/db?table=t", "12/34"),
        ("postgresql://ana:p@/x@h/db?table=t", "p@/x"),
        ("sc://ana:12?34@h:15002?table=t", "12?34"),
    ],
)
def test_a_raw_password_read_otherwise_is_refused_unshown(text: str, password: str) -> None:
    with pytest.raises(UsageProblem, match="must be percent-encoded") as caught:
        parse_url(text)
    assert password not in str(caught.value)
    assert str(caught.value).startswith(f"{redacted(text)!r} is not a valid URL")


@pytest.mark.parametrize(
    ("text", "shown", "starred"),
    [
        ("postgresql://u:pw@h:5432/db?table=t", "postgresql://u@h:5432/db?table=t", "u:***@h:5432"),
        # libpq reads ?, #, : and @ in a raw password: all of it is the password
        ("postgresql://u:p?w@h/db?table=t", "postgresql://u@h/db?table=t", "u:***@h/db"),
        ("postgresql://u:p#w:x@h/db?table=t", "postgresql://u@h/db?table=t", "u:***@h/db"),
        ("postgresql://u:p@ss@h/db?table=t", "postgresql://u@h/db?table=t", "u:***@h/db"),
        ("sc://u:s3cr?t@h:15002?table=t", "sc://u@h:15002?table=t", "u:***@h:15002?"),
        # a raw / (libpq reads no password then): hidden all the same, digits first too
        ("postgresql://u:pa/ss@h/db?table=t", "postgresql://u@h/db?table=t", "u:***@h/db"),
        ("postgresql://u:12/34@h/db?table=t", "postgresql://u@h/db?table=t", "u:***@h/db"),
        # an @ then ?key=value in a raw password: the last @ may end it, whatever comes before
        ("postgresql://u:Hunter2@Pass?wo=rd9@h:5/db?table=t", "postgresql://u@h:5/db?table=t",
         "u:***@h:5/db"),
        ("postgresql://u:p@ss:w/o?rd#%&=x@h/db?table=t", "postgresql://u@h/db?table=t",
         "u:***@h/db"),
        # so, after a :, an @ in a parameter's value may end a password: all before it hides
        ("sc://u:pw@h:15002?table=a@b", "sc://u@b", "u:***@b"),
        ("sc://h:15002?table=a@b", "sc://h@b", "h:***@b"),
        # no password: nothing to hide, a port is not one, nor an @ with no : before it
        ("postgresql://u@h:5432/db?table=t", None, None),
        ("sc://h?table=a@b", None, None),
        ("postgresql://u@h/db?table=a@b", None, None),
        ("duckdb:///data/f.duckdb?table=t", None, None),
        ("not a url", None, None),
        # a reference is no secret: masked leaves it, so a change of it shows
        ("postgresql://u:${PW}@h/db?table=t", "postgresql://u@h/db?table=t", None),
    ],
)  # fmt: skip
def test_what_a_message_may_show_of_a_url(
    text: str, shown: str | None, starred: str | None
) -> None:
    """``redacted`` drops the password, ``masked`` stars it."""
    assert redacted(text) == (shown or text)
    if starred is None:
        assert masked(text) == text
    else:
        assert starred in masked(text)
        assert masked(text).replace(":***@", "@", 1) == shown


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "postgresql://u@h/db?table=t&password=Pw-555&password=x",
            "postgresql://u@h/db?table=t&password=***&password=***",
        ),
        (
            "postgresql://u@h/db?table=t&sslpassword=Ssl-555&sslmode=require",
            "postgresql://u@h/db?table=t&sslpassword=***&sslmode=require",
        ),
        ("postgresql://h/db?table=t&pass%77ord=Pw-555", "postgresql://h/db?table=t&pass%77ord=***"),
        ("sc://h:1/;token=Tok-777;use_ssl=true?table=t", "sc://h:1/;token=***;use_ssl=***?table=t"),
        ("sc://h:1?table=t&token=Tok-777", "sc://h:1?table=t&token=***"),
        ("sc://h:1?table=t#token=Tok-777", "sc://h:1?table=t#token=***"),
        ("mysql://h/db?table=t&key=Key-999", "mysql://h/db?table=t&key=***"),
        # what is no secret stays: the table, libpq's settings, a parameter without a value
        ("postgresql://h/db?table=a&sslmode=require&passfile=/p&x", None),
    ],
)
def test_a_message_shows_no_value_of_a_parameter_that_may_be_a_secret(
    text: str, shown: str | None
) -> None:
    assert redacted(text) == masked(text) == (shown or text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "postgresql://ana@h/db?TABLE=t",
            "unknown URL parameter 'TABLE' in 'postgresql://ana@h/db?TABLE=***'; parameters are "
            "case-sensitive: write table=; the parameters are table and connect_timeout,",
        ),
        ("postgresql://ana@h/db?table=t&Table=x", "unknown URL parameter 'Table'"),
        ("postgresql://ana@h/db?table=t&SSLMode=require", "case-sensitive: write sslmode="),
        ("postgresql://ana@h/db?tabel=t", "unknown URL parameter 'tabel'"),
        ("sc://h:15002?Table=t", "'Table' in 'sc://h:15002?Table=***'; parameters are case-"),
        ("duckdb:///f.duckdb?TABLE=t", "parameters are case-sensitive: write table="),
    ],
)
def test_an_unknown_parameter_is_named_before_a_missing_table(text: str, words: str) -> None:
    with pytest.raises(UsageProblem) as caught:
        parse_url(text)
    assert words in str(caught.value)
    assert "names no table" not in str(caught.value)


def test_refusals_name_a_secret_bearing_parameter_but_not_its_value() -> None:
    for text, words in [
        ("postgresql://u@h/db?table=t&password=Pw-555&password=x", "gives password= twice"),
        ("postgresql://u@h/db?table=t&sslpassword=Ssl-555", "unknown URL parameter 'sslpassword'"),
        ("postgresql://u@h/db?sslpassword=Ssl-555", "unknown URL parameter 'sslpassword'"),
        ("sc://h:1/;token=Tok-777?table=t", "a Spark Connect URL has no path"),
        ("sc://h:1?table=t&token=Tok-777", "unknown URL parameter 'token'"),
        ("duckdb:///f.duckdb?table=t&token=Tok-777&token=x", "gives token= twice"),
    ]:
        with pytest.raises(UsageProblem, match=re.escape(words)) as caught:
            parse_url(text)
        assert "-555" not in str(caught.value)
        assert "-777" not in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://h/db?table=t#frag",
        "postgresql://u:pw@h/db?table=t#",
        "sc://h:15002?table=t#frag",
        "duckdb:///data/f.duckdb?table=t#frag",
        "duckdb:///data/f#1.duckdb?table=t",
    ],
)
def test_a_fragment_is_refused_in_every_source(text: str) -> None:
    """No source URL has one (libpq's neither): ``#frag`` is no part of a table's name."""
    with pytest.raises(UsageProblem, match="ends in a #fragment, which no source URL has"):
        parse_url(text)


_PASSWORDS = st.text(
    # any printable ASCII, with what URLs are made of as often as the rest
    st.sampled_from("/?#@:=&%;[]") | st.characters(codec="ascii", categories=("L", "N", "P", "S")),
    min_size=4,
    max_size=16,
).filter(lambda p: not p.startswith("${"))  # a ${NAME} reference is no secret
# What follows the password's @: hosts and ports or none, an @ in a value, no ?table=.
_AFTER = {
    "postgresql": ["db.internal:5432/db?table=t", "db.internal/db?table=t&sslmode=require",
                   "[::1]:5432/db?table=a@b", "/db?table=t", "db.internal:5432/db"],
    "sc": ["db.internal:15002?table=t", "db.internal?table=a@b", "db.internal:15002"],
}  # fmt: skip
# The messages' own words (and libpq's parameters they list) prove no leak.
_WORDING = Path(urls.__file__).read_text(encoding="utf-8")


@given(
    password=_PASSWORDS,
    shape=st.sampled_from([(scheme, after) for scheme, tails in _AFTER.items() for after in tails]),
)
@example(password="Hunter2@Pass?wo=rd9", shape=("postgresql", "db.internal:5432/db?table=t"))
@example(password="p@ss:w/o?rd#%&=x", shape=("postgresql", "db.internal:5432/db?table=t"))
def test_no_message_about_a_url_shows_a_piece_of_its_password(
    password: str, shape: tuple[str, str]
) -> None:
    """Whatever a password typed raw holds (/ ? # @ : = & % included), no message about its
    URL, refused or accepted, shows four characters of it: a URL is read with its password
    whole, or refused."""
    scheme, after = shape
    before = f"{scheme}://ana:"
    text = with_table(f"{before}{password}@{after}", "s.t")  # ?table= from the plan
    pieces = {password[i : i + 4] for i in range(len(password) - 3)}
    pieces = {p for p in pieces if p not in before + text[len(before) + len(password) :]}
    pieces = {p for p in pieces if p not in _WORDING}
    said = [redacted(text), masked(text)]
    try:
        url = parse_url(text, environment=False)
    except UsageProblem as exc:
        said.append(str(exc))
    else:
        # Read whole: never a piece of it taken for a port, a path or a query,
        # where a message built from the URL's parts would show it.
        assert url.password == unquote(password)
        said += [url.display, repr(url)]
    assert not [(p, s) for p in pieces for s in said if p in s]


def test_plan_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMOPLAN_SOURCE_HOSTS", "h")
    assert plan_source([], "postgresql://ana@h/db", "s.t") == ["postgresql://ana@h/db?table=s.t"]
    assert plan_source(["a.csv"], "postgresql://ana@h/db", "s.t") == ["a.csv"]
    assert plan_source(["sc://h?table=x"], None, "s.t") == ["sc://h?table=x"]
    with pytest.raises(UsageProblem, match="holds a password"):
        plan_source([], "postgresql://ana:pw@h/db", "t")
    with pytest.raises(UsageProblem, match="DuckDB file"):
        plan_source([], "duckdb:///x.duckdb", "t")
    with pytest.raises(UsageProblem, match=r"names the table s\.a, and actuals\.table s\.b;"):
        plan_source([], "postgresql://ana@h/db?table=s.a", "s.b")
    assert plan_source([], "postgresql://ana@h/db?table=s.a", "s.a") == [
        "postgresql://ana@h/db?table=s.a"
    ]
    # --actuals is the operator's: its ?table= is read, the plan's actuals.table aside.
    assert plan_source(["sc://h?table=x"], "sc://h", "s.t") == ["sc://h?table=x"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("90s", 90.0), ("10m", 600.0), ("1h", 3600.0), ("500ms", 0.5)],
)
def test_timeouts(text: str, seconds: float) -> None:
    assert parse_timeout(text) == seconds


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "not a duration"),
        ("0", "no time at all"),
        ("0ms", "no time at all"),
        ("-1s", "not a duration"),
        ("ten", "not a duration"),
        ("5d", "not a duration"),
        ("597h", "596h at most, PostgreSQL's limit"),
        ("100000000000", "596h at most"),
    ],
)
def test_bad_timeouts(text: str, words: str) -> None:
    with pytest.raises(UsageProblem, match=words):
        parse_timeout(text)
    assert parse_timeout("596h") == 596 * 3600  # the longest PostgreSQL takes, about


def test_a_plan_names_only_local_or_allowed_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plan in a pull request cannot make CI send its PGPASSWORD to the plan's server."""
    monkeypatch.delenv("PROMOPLAN_SOURCE_HOSTS", raising=False)
    monkeypatch.setenv("CI_SECRET", "s3cr3t")
    for local in ("postgresql://ana@127.0.0.1:5/db", "postgresql://ana@localhost/db",
                  "postgresql:///db", "sc://[::1]:15002"):  # fmt: skip
        assert plan_source([], local, "t") == [f"{local}?table=t"]
    evil = "postgresql://ana:${CI_SECRET}@collector.example:5432/db"
    with pytest.raises(UsageProblem, match=r"PROMOPLAN_SOURCE_HOSTS=collector\.example") as caught:
        plan_source([], evil, "t")
    assert "s3cr3t" not in str(caught.value)
    with pytest.raises(UsageProblem, match="does not allow"):
        plan_source([], "sc://spark.example:15002", "t")
    # The same URL on the command line is the operator's own.
    assert plan_source([evil], None, "t") == [f"{evil}?table=t"]
    for allowed in ("collector.example", "other, collector.example:5432", "*"):
        monkeypatch.setenv("PROMOPLAN_SOURCE_HOSTS", allowed)
        assert plan_source([], evil, "t") == [f"{evil}?table=t"]
    monkeypatch.setenv("PROMOPLAN_SOURCE_HOSTS", "collector.example:6543")  # another port
    with pytest.raises(UsageProblem, match="does not allow"):
        plan_source([], evil, "t")


def test_a_plan_url_without_a_port_is_allowed_for_the_port_libpq_takes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``host:port`` allows a URL without a port only for the port libpq connects to then:
    PGPORT's, else 5432; a service file's is not known here, so then only ``host`` does."""
    for name in ("PGPORT", "PGSERVICE"):
        monkeypatch.delenv(name, raising=False)
    url = "postgresql://ana@db.internal/db"
    monkeypatch.setenv("PROMOPLAN_SOURCE_HOSTS", "db.internal:5432")
    assert plan_source([], url, "t") == [f"{url}?table=t"]
    for env, value in [("PGPORT", "6543"), ("PGSERVICE", "shop")]:
        monkeypatch.setenv(env, value)
        with pytest.raises(UsageProblem, match="does not allow"):
            plan_source([], url, "t")
        monkeypatch.delenv(env)
    with pytest.raises(UsageProblem, match="does not allow"):
        plan_source([], f"{url}?service=shop", "t")
    monkeypatch.setenv("PGPORT", "6543")
    monkeypatch.setenv("PROMOPLAN_SOURCE_HOSTS", "db.internal:6543")
    assert plan_source([], url, "t") == [f"{url}?table=t"]
    monkeypatch.setenv("PROMOPLAN_SOURCE_HOSTS", "db.internal")  # any port
    assert plan_source([], f"{url}?service=shop", "t") == [f"{url}?service=shop&table=t"]
    # A socket directory, written percent-encoded, is as local as one written plainly.
    monkeypatch.delenv("PROMOPLAN_SOURCE_HOSTS")
    assert plan_source([], "postgresql://ana@%2Fvar%2Frun/db", "t")


@pytest.mark.parametrize("parameter", ["passfile", "sslkey", "sslcert", "sslrootcert"])
def test_a_plan_names_no_paths_in_its_url(parameter: str) -> None:
    with pytest.raises(UsageProblem, match=f"may not set {parameter}"):
        plan_source([], f"postgresql://ana@127.0.0.1/db?{parameter}=/etc/x", "t")
