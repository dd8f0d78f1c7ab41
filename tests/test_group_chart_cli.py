"""The HTML report's group chart through the CLI: bars by value, drawn across the page."""

from __future__ import annotations

import re
from pathlib import Path

from clirunner import Cli

PLAN = """\
promoplan: 1
name: regions
period: 2025
actuals:
  dimensions: {geo: geo}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  roi: {formula: gmv / spend, unit: ratio}
alerts:
  low_roi: {metric: roi, by: geo, below: "1:3", severity: error}
"""
# ROI per region (gmv over a spend of 100 each): Geo10 and Geo2 tie at 1:2.
ROI = {"Geo1": 3.5, "Geo2": 2.0, "Geo3": 1.5, "Geo10": 2.0, "Geo11": 4.0, "Geo20": 1.0}


def test_bars_run_from_the_lowest_value_ties_in_natural_order(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(PLAN, encoding="utf-8")
    body = "".join(f"2025-03-03,{geo},{roi * 100:g},100\n" for geo, roi in ROI.items())
    (tmp_path / "a.csv").write_text("date,geo,gmv,spend\n" + body, encoding="utf-8")
    status, html, err = cli(
        "report", tmp_path / "plan.yaml", "--actuals", tmp_path / "a.csv",
        "--as-of", "2025-03-09", "--format", "html",
    )  # fmt: skip
    assert status == 0, err
    for variant in ("wide", "narrow"):
        svg = re.search(rf'<svg class="chart bar-chart {variant}".*?</svg>', html, flags=re.S)
        assert svg is not None, variant
        groups = re.findall(r'data-group="([^"]+)"', svg.group())
        assert groups == ["Geo20", "Geo3", "Geo2", "Geo10", "Geo1", "Geo11"], variant
    assert re.search(r'<figure class="panel across"><h3>low_roi ', html)
