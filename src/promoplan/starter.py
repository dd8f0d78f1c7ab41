"""``promoplan init``: write a commented starter plan that validates cleanly.

The starter uses every section of the plan format with a small, realistic
example, so that a new user can edit rather than write from nothing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from promoplan.errors import UsageProblem

STARTER_PLAN = """\
# A promoplan plan: one year of promotion with its goals, budget, quarters and alerts.
#
#   promoplan validate plan.yaml                              check the plan on its own
#   promoplan check plan.yaml --actuals data/*.csv           progress, budget burn, alerts
#   promoplan report plan.yaml --actuals data/*.csv -o out/  the weekly report
#
# Only promoplan, name and period are required; delete the sections you do not need.
# Quantities can be written as people write them: 35%, 0.35, "1:3", 5000万, 1.2亿, 1.5M,
# ￥2,000. A target that is not decided yet can be X, X万, TBD or 待定 (it shows as unset).
# For completion in an editor, save the format with `promoplan schema -o promoplan.schema.json`
# and point the YAML language server at it with a first-line comment naming that file.

promoplan: 1                      # format version
name: Online store promotion plan 2025
description: Grow GMV 30% on last year while keeping marketing spend within 18% of GMV.
period: 2025                      # a calendar year, or {start: 2025-04-01, end: 2026-03-31}
currency: CNY
units: cn                         # amounts as 5,000万 (cn, for CNY) or 50M (intl, the rest)
tolerance: 10%                    # up to this far behind pace is "at risk", beyond is "off track"
# How a cumulative target is expected to build up: quarters (the quarter weights
# below), last_year (last year's curve, aligned by weekday and festival), or
# {curve: curve-2025.csv} (your own daily or weekly shares, beside this file).
pacing: quarters

# How the actuals CSVs are read: one row per date and channel, one column per number.
actuals:
  date: date                      # the header of the date column
  grain: daily                    # daily: one row per date and channel; rows: order-level rows
  dimensions:                     # dimension name -> column header
    channel: channel

# What the numbers mean. A base metric reads one column and sums it (agg: mean, min, max,
# last or count otherwise); a derived metric is a formula over other metrics, computed
# after summing, so the ROI of a quarter is the quarter's GMV over the quarter's spend.
metrics:
  gmv:           {column: gmv, unit: currency, label: GMV}
  spend:         {column: spend, unit: currency}
  orders:        {column: orders}
  uv:            {column: uv, label: Unique visitors}
  nps:           {column: nps, agg: mean, unit: number, label: Net promoter score}
  douyin_spend:  {column: spend, unit: currency, where: {channel: douyin}}
  conversion:    {formula: orders / uv, unit: percent}
  roi:           {formula: gmv / spend, unit: ratio}
  expense_ratio: {formula: spend / gmv, unit: percent}

# Goals for the whole year: at_least (higher is better), at_most (lower is better), or
# growth over the same dates last year. baseline says where a metric starts.
goals:
  gmv_growth:    {metric: gmv, growth: 30%}
  conversion:    {metric: conversion, baseline: 4%, at_least: 5%}
  expense_ratio: {metric: expense_ratio, at_most: 18%}
  nps:           {metric: nps, at_least: 45, notes: measured by the quarterly survey}

# The budget split. Every share is a share of the total; top-level shares sum to 100%
# and a line's sub-lines sum to the line's share.
budget:
  total: 2000万
  spend_metric: spend             # the metric that measures spend
  lines:
    traffic:     {share: 50%, lines: {search: 30%, social: 20%}}
    content:     {share: 25%, label: Content production}
    influencers: 15%
    reserve:     10%

# Which budget line each channel's spend comes from (channels not listed are reported
# as unmapped).
channels:
  search_ads: traffic.search
  douyin: traffic.social
  xiaohongshu: influencers

# Q1..Q4 of the period. weight is the share of the year's cumulative targets expected in
# each quarter (all four or none, summing to 100%); without weights, pacing is by days.
# An event without dates whose name holds a known festival (618, Double 11, Double 12,
# Spring Festival ...) takes its date from the calendar.
quarters:
  Q1:
    theme: Spring Festival and new customers
    weight: 20%
    events:
      - {name: New Year goods festival, start: 2025-01-10, end: 2025-01-26}
    goals:                        # goals for this quarter only
      orders: {metric: orders, at_least: 5万}
  Q2:
    theme: Category expansion
    weight: 25%
    events:
      - {name: 618 sale}
  Q3:
    theme: Brand upgrade
    weight: 20%
  Q4:
    theme: Double 11 and the year-end review
    weight: 35%
    events:
      - {name: Double 11}
      - {name: Double 12}

# Alerts: a metric against a threshold (below, above) or against its previous window
# (drop_over, rise_over), per channel with `by`, with the action to take.
alerts:
  low_roi:
    metric: roi
    by: channel                   # evaluated for each channel separately
    window: quarter               # week | month | quarter | period
    below: "1:3"                  # quote ratios
    min: {spend: 1万}             # skip channels too small to judge
    severity: error
    action: Cut this channel's spend
  traffic_drop:
    metric: uv
    window: week
    drop_over: 20%                # against the week before
    severity: warning
    action: Switch on backup channels

# The headline numbers of the weekly report.
report:
  kpis: [gmv, orders, conversion, roi]

# Group chats that `promoplan report --notify plan` posts the summary to. The URL
# and the secret are names of environment variables: never write them here.
notify:
  - {to: dingtalk, webhook: "${DINGTALK_WEBHOOK}", secret: "${DINGTALK_SECRET}"}

# Diagnostic codes this team has accepted, e.g. [PP120] while targets are not set.
ignore: []
"""


def write_starter(path: Path) -> None:
    """Write the starter plan to ``path``; ``UsageProblem`` if anything is there already."""
    if path.exists() or path.is_symlink():
        raise UsageProblem(
            f"{path} already exists; promoplan init never overwrites a file, "
            "so give another path or remove it first"
        )
    write_new_file(path, STARTER_PLAN.encode("utf-8"))


def write_new_file(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``, whole or not at all; ``UsageProblem`` if it exists."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageProblem(f"cannot write {path}: directory {directory} does not exist")
    try:
        _create_exclusively(path, directory, data)
    except FileExistsError:
        raise UsageProblem(
            f"{path} already exists; promoplan init never overwrites a file"
        ) from None
    except OSError as exc:
        raise UsageProblem(f"cannot write {path}: {exc.strerror or exc}") from None


def _create_exclusively(path: Path, directory: Path, data: bytes) -> None:
    """Write a temporary file, then link it into place: whole or absent, never overwriting."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_name, 0o666 & ~umask)
        try:
            os.link(tmp_name, path)  # raises FileExistsError if the path appeared meanwhile
        except FileExistsError:
            raise
        except OSError:
            # No hard links here (some network or FAT file systems): exclusive create instead.
            with open(path, "xb") as handle:
                handle.write(data)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
