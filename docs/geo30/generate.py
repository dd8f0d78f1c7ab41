"""Write actuals.csv for plan.yaml: 30 regions, January to June 2025, deterministic.

Region N's ROI is 1.2 + 0.06 x (7N mod 30), every one under the 1:3 floor and not in
the regions' order; spend and GMV split between wechat and baidu.
Run: python docs/geo30/generate.py [OUT.csv]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path


def rows() -> list[str]:
    """One row a day, region and channel."""
    out = []
    day = dt.date(2025, 1, 1)
    while day <= dt.date(2025, 6, 30):
        for geo in range(30):
            roi = 1.2 + 0.06 * (7 * geo % 30)
            for channel, spend in (("wechat", 52.0), ("baidu", 35.0)):
                # a little growth through the half-year, so that weeks differ
                scaled = spend * (1 + (day.day % 7) / 20) * (1 + day.timetuple().tm_yday / 400)
                gmv, orders = scaled * roi, 1 + (day.day + geo) % 3
                out.append(f"{day},Geo{geo},{channel},{scaled:.2f},{gmv:.2f},{orders}\n")
        day += dt.timedelta(days=1)
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("actuals.csv")
    target.write_text("date,geo,channel,spend,gmv,orders\n" + "".join(rows()), encoding="utf-8")
