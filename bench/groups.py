"""Benchmark: an alert by a dimension of many values (``by: sku``), against the same check
without it.

    python bench/groups.py [--skus 100000] [--days 10] [--repeat 3] [--before REV]

A daily CSV of ``--skus`` SKUs over ``--days`` days of June (deterministic; under
/tmp/promoplan-bench) and two plans: ROI by SKU below 1:2 over the month, and
the same plan without the alert (reading the rows and the cube: the
reference). Each ``check --format json`` runs in a fresh process, interleaved
round by round; medians of seconds and peak RSS, with the ratio to the
reference. With ``--before REV`` the alert plan is also checked by
promoplan's ``src/`` as of REV in the same rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cardinality import before_tree, measure  # noqa: E402  # bench/cardinality.py
from gen_rows import DATA  # noqa: E402  # where every benchmark keeps its data

PLAN = """promoplan: 1
name: SKU ROI
period: 2025
actuals:
  date: date
  dimensions: {sku: sku}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
  roi: {formula: gmv / spend, unit: ratio}
"""
ALERT = """alerts:
  low_roi_sku:
    metric: roi
    by: sku
    window: month
    below: "1:2"
"""


def generate(path: Path, skus: int, days: int) -> None:
    """``days`` days of one row per SKU from 2025-06-01 (seeded: the same file each time)."""
    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as out:
        out.write("date,sku,gmv,spend\n")
        for day in range(days):
            date = f"2025-06-{1 + day:02d}"
            for n in range(skus):
                spend = rng.randint(10, 1000)
                out.write(f"{date},sku{n:06d},{spend * rng.uniform(1, 5):.2f},{spend}\n")


def main() -> None:
    """Generate, time interleaved, print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=10, choices=range(1, 31), metavar="1..30")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", default=None, help="also time the alert plan as of REV")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    rows = DATA / f"skus-{args.skus}-{args.days}.csv"
    if not rows.exists():
        generate(rows, args.skus, args.days)
    alert, plain = DATA / "groups-alert.yaml", DATA / "groups-plain.yaml"
    alert.write_text(PLAN + ALERT, encoding="utf-8")
    plain.write_text(PLAN, encoding="utf-8")
    src = HERE.parent / "src"
    runs = {
        "check, the alert by sku": (alert, src),
        "check, no alert (reading)": (plain, src),
    }
    with tempfile.TemporaryDirectory(prefix="promoplan-groups-") as work:
        if args.before:
            runs[f"check, the alert by sku, {args.before}"] = (
                alert,
                before_tree(args.before, Path(work)),
            )
        samples: dict[str, list[tuple[float, float]]] = {label: [] for label in runs}
        for _ in range(args.repeat):
            for label, (plan, tree) in runs.items():
                argv = ["check", str(plan), "-a", str(rows), "--as-of", "2025-06-30", "-f", "json"]
                samples[label].append(measure(argv, tree))
    reference = statistics.median(s for s, _ in samples["check, no alert (reading)"])
    print(f"{args.skus:,} SKUs x {args.days} days; medians of {args.repeat} interleaved rounds")
    print(f"{'':40} {'seconds':>8} {'x reading':>10} {'peak RSS MiB':>13}")
    for label, values in samples.items():
        seconds = statistics.median(s for s, _ in values)
        rss = statistics.median(r for _, r in values)
        print(f"{label:40} {seconds:8.2f} {seconds / reference:10.2f} {rss:13.0f}")


if __name__ == "__main__":
    main()
