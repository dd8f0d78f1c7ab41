"""An alert by a dimension of thousands of values (SKUs): each value's ROI over the window
is summed from the window's rows (no Series per value), and the alerts are those a
hand computation from the raw rows gives."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

from clirunner import Cli
from promoplan.runningtotals import MANY_GROUPS

PLAN = """promoplan: 1
name: SKU ROI
period: 2025
actuals:
  date: date
  dimensions: {sku: sku, region: region}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  roi: {formula: gmv / spend, unit: ratio}
alerts:
  low_roi_sku:
    metric: roi
    by: sku
    window: month
    below: "1:2"
    where: {region: [east]}
"""


def test_an_alert_by_thousands_of_skus_fires_where_the_rows_say(cli: Cli, tmp_path: Path) -> None:
    skus = MANY_GROUPS + 1_000  # past the count where values are summed directly
    rng = random.Random(7)
    lines = ["date,sku,region,gmv,spend"]
    gmv: dict[str, Decimal] = {}
    spend: dict[str, Decimal] = {}
    for day in ("2025-05-31", "2025-06-01", "2025-06-02", "2025-06-03"):
        for n in range(skus):
            sku = f"sku{n:05d}" + (" " if n % 97 == 0 else "")  # trailing space: trimmed
            region = "east" if n % 5 else "west"
            cost = Decimal(rng.randint(0, 400))
            sales = (cost * Decimal(rng.uniform(0.5, 4))).quantize(Decimal("0.01"))
            lines.append(f"{day},{sku},{region},{sales},{cost}")
            if day.startswith("2025-06") and region == "east":  # the window, the filter
                gmv[sku.strip()] = gmv.get(sku.strip(), Decimal(0)) + sales
                spend[sku.strip()] = spend.get(sku.strip(), Decimal(0)) + cost
    (tmp_path / "sku.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    result = cli("check", str(plan), "-a", str(tmp_path / "sku.csv"), "--as-of", "2025-06-03",
                 "-f", "json")  # fmt: skip
    alerts = json.loads(result.stdout)["plans"][0]["alerts"]
    low = {sku: gmv[sku] / spend[sku] for sku in gmv if spend[sku] and gmv[sku] / spend[sku] < 2}
    assert len(low) > 100
    assert {a["group"]["sku"] for a in alerts} == set(low)
    for found in alerts:
        assert found["window"] == "2025-06"
        assert abs(Decimal(str(found["value"])) - low[found["group"]["sku"]]) < Decimal("1e-9")
