"""PostgreSQL column types as the catalog gives them: a domain is judged by its base type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from clirunner import Cli
from promoplan.actuals.warehouse import read_warehouse
from promoplan.actuals.warehouse.urls import parse_url
from warehouse import pgserver
from warehouse.examples import FILTERS, example_spec
from warehouse.pgserver import execute


def test_a_domain_over_a_number_or_a_date_is_read_as_its_base_type(
    postgres: pgserver.Server,
) -> None:
    execute(
        postgres,
        "CREATE DOMAIN public.posnum AS numeric(12, 2) CHECK (VALUE >= 0)",
        "CREATE DOMAIN public.amount AS public.posnum",  # a domain over a domain
        "CREATE DOMAIN public.day_d AS date",
        "CREATE DOMAIN public.stamp_d AS timestamp",
        "CREATE TABLE public.domained (date public.day_d, channel text, gmv public.amount, "
        "spend public.posnum)",
        "INSERT INTO public.domained VALUES ('2025-01-02', 'douyin', 10.5, 1), "
        "('2025-01-03', 'douyin', 20, 2)",
        "CREATE TABLE public.stamped (date public.stamp_d, channel text, gmv public.posnum)",
        "INSERT INTO public.stamped VALUES ('2025-01-02 23:30', 'douyin', 4)",
    )
    spec = example_spec(columns=("gmv", "spend"))
    actuals = read_warehouse(parse_url(postgres.url("public.domained")), spec, timeout=60)
    assert [d.code for d in actuals.diagnostics] == []
    rows = sorted(actuals.cube.rows, key=lambda row: row.day)
    assert [row.day for row in rows] == [dt.date(2025, 1, 2), dt.date(2025, 1, 3)]
    assert [[c.total if c else None for c in row.cells] for row in rows] == [
        [Decimal("10.5"), Decimal(1)],
        [Decimal(20), Decimal(2)],
    ]
    actuals = read_warehouse(parse_url(postgres.url("public.stamped")), example_spec(), timeout=60)
    assert [d.code for d in actuals.diagnostics] == []
    (row,) = actuals.cube.rows
    assert row.day == dt.date(2025, 1, 2)


def test_a_domain_over_text_is_pa034_naming_the_domain_and_its_base(
    cli: Cli, postgres: pgserver.Server
) -> None:
    execute(
        postgres,
        "CREATE DOMAIN public.label AS varchar(20)",
        "CREATE DOMAIN public.tag AS public.label",
        "CREATE TABLE public.labelled (date public.tag, channel text, gmv public.label, "
        "spend numeric)",
    )
    status, stdout, _ = cli("check", str(FILTERS), "-a", postgres.url("public.labelled"))
    assert status == 1
    assert (
        'error PA034 column "date" is tag (a domain over character varying(20)), '
        "not a date or timestamp"
    ) in stdout
    assert (
        'error PA034 column "gmv" is label (a domain over character varying(20)), not a number'
    ) in stdout
