#!/usr/bin/env python3
"""Write the example actuals of ``plans/ecommerce-2025.yaml``: synthetic, deterministic CSVs.

``python plans/generate_actuals.py`` rewrites the two committed files in
``plans/actuals/``; the same arguments always give the same bytes (a fixed
seed, arithmetic only: no transcendental functions whose last digit could
differ between platforms). Standard library only.

* ``channels-daily.csv``: one row per date and channel, with money, traffic,
  orders and the per-channel counters (wecom_adds, ugc_posts). The export also
  carries three cost centres as channel rows: ``video_studio`` (short-video
  production), ``graphic_studio`` (image-and-text content) and
  ``mini_program_dev`` (mini-program development). They book spend only: their
  sales and traffic cells are empty (missing: a studio sells nothing itself),
  so they count in total spend and have no ROI.
* ``brand-daily.csv``: one row per date, platform-wide numbers and no channel
  column (exposure, MAU, members, a weekly NPS survey, negative-sentiment
  handling hours on the days an incident was closed); empty cells are missing
  values, not zeros.

The data hold stories that a checker of the ecommerce plan should find:

a. ``kuaishou``'s ROI (gmv / spend) falls below 1:3 in 2025-Q2, the quarter of
   the last date, while every other channel with spend stays above it;
b. total UV of 2025-W26 (June 23-29, the last complete ISO week) is more than
   20% below 2025-W25 (the 618 peak fades and a platform rule change cuts
   search and short-video traffic);
c. ``bilibili``, a backup channel the plan does not map, appears in 2025-W26;
d. 2025-05-12 ``wechat_mini`` is in ``channels-daily.csv`` twice (a re-export).

Besides the stories, every budget line of the plan has spend to show: the cost
centres run near the plan's pace (content a little behind, tech on it) and the
reserve is untouched, so its line shows 0 spent.

``--rows-scale N`` splits every channel row into N rows of an extra ``store``
column (sums preserved to the cent), for benchmark-sized files; with
``--start``/``--end`` the range changes (the stories need their dates inside it).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

SEED = 20250629
FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2025, 6, 29)  # a Sunday: 2025-W26 is the last complete ISO week
DEFAULT_OUT = Path(__file__).resolve().parent / "actuals"
CHANNEL_FILE = "channels-daily.csv"
BRAND_FILE = "brand-daily.csv"

CHANNEL_COLUMNS = (
    "date", "channel", "gmv", "spend", "uv", "orders", "checkouts", "new_customer_orders",
    "member_gmv", "new_users", "wecom_adds", "wecom_invites", "ugc_posts",
)  # fmt: skip
BRAND_COLUMNS = (
    "date", "exposure", "short_video_plays", "mau", "members", "gold_members", "nps",
    "sentiment_hours",
)  # fmt: skip

# The lunar new year (春节), from the almanac.
SPRING_FESTIVAL = {
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
}
YEAR_GROWTH = {2024: 1.0, 2025: 1.30}  # GMV on the same date, relative to 2024
BASE_DAILY_GMV = 560_000.0  # yuan, all channels, an ordinary 2024 weekday

ROI_DROP = (dt.date(2025, 4, 1), dt.date(2025, 6, 30))  # story a: kuaishou's costs jump
RULE_CHANGE = (dt.date(2025, 6, 23), dt.date(2025, 6, 29))  # story b: traffic falls
BACKUP_CHANNEL_ON = dt.date(2025, 6, 23)  # story c: bilibili switched on
DUPLICATED = (dt.date(2025, 5, 12), "wechat_mini")  # story d


@dataclass(frozen=True)
class Channel:
    """How one channel behaves: its share of GMV and its unit economics in 2025."""

    name: str
    gmv_share: float
    roi: float | None  # gmv / spend in 2025; None: no paid spend (organic search)
    aov: float  # yuan per order in 2025
    conversion: float  # orders / uv in 2025, an ordinary day
    new_share: float  # new-customer orders / orders
    member_share: float  # member GMV / GMV
    new_user_rate: float  # newly registered users / uv
    q1_boost: float = 1.0  # Spring Festival push (返乡人群 on Douyin/Kuaishou)


CHANNELS = (
    Channel("search", 0.515, None, 176.0, 0.052, 0.31, 0.43, 0.030),
    Channel("zhitongche", 0.075, 7.0, 168.0, 0.050, 0.34, 0.38, 0.035),
    Channel("douyin", 0.095, 6.0, 152.0, 0.038, 0.46, 0.31, 0.060, q1_boost=1.35),
    Channel("kuaishou", 0.045, 4.6, 132.0, 0.034, 0.48, 0.27, 0.060, q1_boost=1.35),
    Channel("video_kol", 0.066, 4.8, 158.0, 0.040, 0.43, 0.32, 0.050),
    Channel("xiaohongshu_koc", 0.037, 4.0, 192.0, 0.036, 0.41, 0.36, 0.045),
    Channel("wecom", 0.090, 10.5, 212.0, 0.070, 0.14, 0.63, 0.085),
    Channel("wechat_mini", 0.077, 11.0, 186.0, 0.062, 0.26, 0.50, 0.090),
)
BILIBILI = Channel("bilibili", 0.012, 3.6, 160.0, 0.032, 0.50, 0.25, 0.070)


@dataclass(frozen=True)
class CostCentre:
    """A cost centre in the channel export: spend booked by day, no sales of its own."""

    name: str
    yearly: float  # yuan budgeted for 2025
    pace: float  # how far on (1.0) or behind (below 1) the budget's pace it books
    week: tuple[float, ...]  # booking by weekday, Monday first; averages 1 over a week


STUDIO_WEEK = (1.2, 1.2, 1.2, 1.2, 1.2, 0.5, 0.5)  # shoots and edits run mostly on weekdays
OFFICE_WEEK = (1.4, 1.4, 1.4, 1.4, 1.4, 0.0, 0.0)  # contractor days: nothing on weekends
COST_CENTRES = (
    CostCentre("video_studio", 7_500_000.0, 0.92, STUDIO_WEEK),  # fewer shoots than budgeted
    CostCentre("graphic_studio", 2_500_000.0, 0.95, STUDIO_WEEK),
    CostCentre("mini_program_dev", 5_000_000.0, 0.99, OFFICE_WEEK),
)
# The budget is released by quarter in the plan's weights (Spring Festival, 618, Double 11).
QUARTER_SHARE = {1: 0.20, 2: 0.25, 3: 0.20, 4: 0.35}
COST_GROWTH = {2024: 1 / 1.15, 2025: 1.0}  # the 2024 budgets were smaller


def normal(rng: random.Random, sigma: float) -> float:
    """An approximately normal factor around 1 (Irwin-Hall: sums only, same bytes everywhere)."""
    return 1.0 + sigma * (sum(rng.random() for _ in range(12)) - 6.0)


def damp(factor: float, strength: float) -> float:
    """Part of a seasonal swing: ``strength`` of the way from 1 to ``factor``."""
    return 1.0 + strength * (factor - 1.0)


def money(value: float) -> str:
    """Yuan with two decimals."""
    return f"{value:.2f}"


def season(day: dt.date) -> float:
    """Demand on ``day`` relative to an ordinary weekday of the same year."""
    factor = (0.96, 0.97, 0.98, 1.0, 1.03, 1.09, 1.07)[day.weekday()]
    factor *= 1.0 + 0.05 * day.timetuple().tm_yday / 366  # slow growth within the year
    k = (day - SPRING_FESTIVAL[day.year]).days
    if -21 <= k <= -8:
        factor *= 1.35  # 年货节
    elif -7 <= k <= -1:
        factor *= 1.05 - 0.04 * (k + 7)  # deliveries stop, demand tails off
    elif 0 <= k <= 6:
        factor *= 0.62  # the holiday week (春节不打烊 keeps it above zero)
    elif 7 <= k <= 14:
        factor *= 0.85
    month, dom = day.month, day.day
    if month == 3 and dom <= 8:
        factor *= 1.4 if dom == 8 else 1.12  # 38 女王节
    elif month == 5 and dom >= 20:
        factor *= 1.25 if dom == 20 else 1.18  # 520, then the 618 pre-sale
    elif month == 6:
        factor *= {1: 1.7, 2: 1.5, 3: 1.4, 16: 1.7, 17: 1.9, 18: 2.8, 19: 1.15, 20: 1.05}.get(
            dom, 1.28 if dom < 16 else 0.93
        )  # 618: the opening wave, the run-up, the day itself, the fade
    elif month in (7, 8):
        factor *= 0.92
    elif month == 9 and dom == 9:
        factor *= 1.25  # 99
    elif month == 10 and dom >= 20:
        factor *= 1.35  # 双11 pre-sale
    elif month == 11 and dom <= 14:
        factor *= {1: 1.8, 2: 1.6, 3: 1.5, 11: 3.4, 12: 1.1}.get(dom, 1.3 if dom < 11 else 1.0)
    elif month == 12:
        factor *= {12: 1.9}.get(dom, 1.2 if 8 <= dom <= 11 else 1.08 if dom >= 20 else 1.0)
    return factor


def big_day(day: dt.date) -> bool:
    """Promotion peaks, where conversion and AOV run higher."""
    return (day.month, day.day) in {(6, 1), (6, 18), (11, 1), (11, 11), (12, 12), (3, 8)}


def dates(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    """Every day from ``first`` to ``last`` inclusive."""
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def channel_row(rng: random.Random, day: dt.date, channel: Channel) -> list[str]:
    """One channel's numbers on one day."""
    year = day.year
    this_year = year >= 2025
    demand = season(day) * YEAR_GROWTH.get(year, 1.30)
    if day.month <= 3:
        demand *= channel.q1_boost
    if channel.name == "xiaohongshu_koc" and 4 <= day.month <= 6:
        demand *= 1.25  # 春夏穿搭 and outdoor reviews
    if channel.name in ("search", "douyin", "kuaishou") and RULE_CHANGE[0] <= day <= RULE_CHANGE[1]:
        demand *= 0.72
    gmv = BASE_DAILY_GMV * channel.gmv_share * demand * normal(rng, 0.06)

    spend = 0.0
    if channel.roi is not None:
        roi = channel.roi * (1.0 if this_year else 1.18)  # acquisition costs rise ~20% a year
        if big_day(day):
            roi *= 1.15
        if channel.name == "kuaishou" and ROI_DROP[0] <= day <= ROI_DROP[1]:
            roi *= 0.5
        spend = gmv / (roi * normal(rng, 0.08))

    aov = channel.aov * (1.0 if this_year else 1 / 1.09) * normal(rng, 0.03)
    if big_day(day):
        aov *= 1.08
    orders = max(1, round(gmv / aov))
    conversion = channel.conversion * (0.985 if this_year else 0.87) * damp(season(day), 0.4)
    conversion *= normal(rng, 0.04)
    uv = max(orders, round(orders / conversion))
    abandonment = (0.27 if this_year else 0.31) * normal(rng, 0.05)
    checkouts = round(orders / (1.0 - abandonment))
    new_share = channel.new_share * (1.0 if this_year else 0.9) * normal(rng, 0.05)
    if day.month <= 3:
        new_share *= 1.06  # 新客引流
    new_orders = min(orders, round(orders * new_share))
    member_share = channel.member_share * (1.0 if this_year else 0.9) * normal(rng, 0.04)
    member_gmv = gmv * min(0.95, member_share)
    new_user_rate = channel.new_user_rate * (1.0 if this_year else 0.85) * normal(rng, 0.08)
    new_users = round(uv * new_user_rate)
    wecom_adds = wecom_invites = 0
    if channel.name == "wecom":
        red_envelopes = 1.3 if day.month == 1 else 1.0  # 春节红包雨 in the groups
        wecom_adds = round((640 if this_year else 430) * normal(rng, 0.1) * red_envelopes)
        # The friend-add rate climbs from 22% to about 29% over the data's span.
        wecom_invites = round(wecom_adds / (0.22 + 0.07 * (day - FIRST_DAY).days / 546))
    ugc_posts = 0
    if channel.name == "xiaohongshu_koc":
        ugc_posts = int((3.7 if this_year else 2.4) + 1.8 * (normal(rng, 1.0) - 1.0) + rng.random())
        ugc_posts = max(0, ugc_posts)
    return [
        day.isoformat(), channel.name, money(gmv), money(spend), str(uv), str(orders),
        str(checkouts), str(new_orders), money(member_gmv), str(new_users), str(wecom_adds),
        str(wecom_invites), str(ugc_posts),
    ]  # fmt: skip


def quarter_days(day: dt.date) -> int:
    """The number of days in ``day``'s calendar quarter."""
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = dt.date(day.year + (first.month == 10), (first.month + 2) % 12 + 1, 1)
    return (after - first).days


def cost_centre_row(rng: random.Random, day: dt.date, centre: CostCentre) -> list[str]:
    """One cost centre's spend on one day; every other number is empty (missing, not zero)."""
    quarter = (day.month - 1) // 3 + 1
    daily = centre.yearly * COST_GROWTH.get(day.year, 1.0) * QUARTER_SHARE[quarter]
    daily /= quarter_days(day)
    spend = daily * centre.pace * centre.week[day.weekday()] * normal(rng, 0.10)
    values = {"date": day.isoformat(), "channel": centre.name, "spend": money(max(0.0, spend))}
    return [values.get(column, "") for column in CHANNEL_COLUMNS]


def brand_row(rng: random.Random, day: dt.date) -> list[str]:
    """The platform-wide numbers of one day."""
    age = (day - FIRST_DAY).days / 366  # years since the data start
    exposure = 11_000_000 * (1 + 0.36 * age) * damp(season(day), 0.5) * normal(rng, 0.07)
    plays = exposure * (0.34 + 0.07 * age) * normal(rng, 0.05)
    mau = 5_200_000 * (1 + 0.28 * age) * normal(rng, 0.01)
    members = 1_800_000 * (1 + 0.30 * age)
    gold = members * (0.24 + 0.03 * age) * normal(rng, 0.01)
    # One NPS survey a week, read out on Mondays; other days have no value.
    nps = f"{(38.5 + 3.2 * age) * normal(rng, 0.03):.1f}" if day.weekday() == 0 else ""
    # Hours to handle a negative-sentiment incident, on the day one is closed.
    hours = ""
    if rng.random() < 0.09:
        worst = 34.0 if day.year < 2025 else 21.0
        hours = f"{2.0 + (worst - 2.0) * rng.random():.1f}"
    return [
        day.isoformat(), str(round(exposure)), str(round(plays)), str(round(mau)),
        str(round(members)), str(round(gold)), nps, hours,
    ]  # fmt: skip


def day_rng(day: dt.date, stream: int) -> random.Random:
    """The random numbers of one day: a day's values do not depend on the range written."""
    return random.Random(SEED * 10 + stream + 100 * day.toordinal())


def channel_rows(first: dt.date, last: dt.date) -> Iterator[list[str]]:
    """Every channel row of the range, in date then channel order, the duplicate included.

    The cost centres come after a day's channels and draw from a stream of their own,
    so the channels' numbers are the same with or without them.
    """
    for day in dates(first, last):
        rng = day_rng(day, 0)
        channels = CHANNELS + ((BILIBILI,) if day >= BACKUP_CHANNEL_ON else ())
        for channel in channels:
            row = channel_row(rng, day, channel)
            yield row
            if (day, channel.name) == DUPLICATED:
                yield list(row)
        costs = day_rng(day, 2)
        for centre in COST_CENTRES:
            yield cost_centre_row(costs, day, centre)


def split_row(rng: random.Random, row: list[str], parts: int) -> Iterator[list[str]]:
    """``row`` as ``parts`` rows of a ``store`` column whose numbers sum to the original."""
    weights = [0.5 + rng.random() for _ in range(parts)]
    scale = sum(weights)
    shares = [w / scale for w in weights]
    columns: list[list[str]] = []
    for header, value in zip(CHANNEL_COLUMNS[2:], row[2:], strict=True):
        if not value:
            columns.append([""] * parts)  # missing stays missing in every store
        elif header in ("gmv", "spend", "member_gmv"):
            cents = round(float(value) * 100)
            pieces = [int(cents * s) for s in shares]
            pieces[-1] += cents - sum(pieces)
            columns.append([f"{p // 100}.{p % 100:02d}" for p in pieces])
        else:
            whole = int(value)
            counts = [int(whole * s) for s in shares]
            counts[-1] += whole - sum(counts)
            columns.append([str(c) for c in counts])
    for index in range(parts):
        yield [*row[:2], f"s{index + 1:04d}", *(column[index] for column in columns)]


def write_csv(path: Path, header: Sequence[str], rows: Iterator[list[str]]) -> int:
    """Write ``rows`` under ``header`` with LF line ends; return the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def generate(
    out: Path, first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY, rows_scale: int = 1
) -> dict[str, int]:
    """Write both files into ``out``; return the number of data rows per file name."""
    rows = channel_rows(first, last)
    header: Sequence[str] = CHANNEL_COLUMNS
    if rows_scale > 1:
        split_rng = random.Random(SEED * 10 + 2)
        header = (*CHANNEL_COLUMNS[:2], "store", *CHANNEL_COLUMNS[2:])
        rows = (piece for row in rows for piece in split_row(split_rng, row, rows_scale))
    brand = (brand_row(day_rng(d, 1), d) for d in dates(first, last))
    return {
        CHANNEL_FILE: write_csv(out / CHANNEL_FILE, header, rows),
        BRAND_FILE: write_csv(out / BRAND_FILE, BRAND_COLUMNS, brand),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python plans/generate_actuals.py [--out DIR] [--rows-scale N] ...``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: plans/actuals)"
    )
    parser.add_argument(
        "--start", type=dt.date.fromisoformat, default=FIRST_DAY, help="first date (2024-01-01)"
    )
    parser.add_argument(
        "--end", type=dt.date.fromisoformat, default=LAST_DAY, help="last date (2025-06-29)"
    )
    parser.add_argument(
        "--rows-scale", type=int, default=1, help="split each channel row into N store rows"
    )
    args = parser.parse_args(argv)
    if args.rows_scale < 1:
        parser.error("--rows-scale must be 1 or more")
    if args.end < args.start:
        parser.error("--end is before --start")
    if args.start.year < min(SPRING_FESTIVAL) or args.end.year > max(SPRING_FESTIVAL):
        parser.error(f"dates must lie in {min(SPRING_FESTIVAL)}..{max(SPRING_FESTIVAL)}")
    for name, count in generate(args.out, args.start, args.end, args.rows_scale).items():
        print(f"{args.out / name}: {count} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
