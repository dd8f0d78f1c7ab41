"""Several actuals files combined, through ``promoplan check``: overlapping exports, a file
given twice, headers in another case, Unicode look-alikes, lag per metric.

Every number is worked out by hand from the few rows written here.
"""

from __future__ import annotations

import gzip
import json
import os
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from clirunner import run_cli

PLAN = """\
promoplan: 1
name: combined
period: 2025
actuals:
  dimensions: {channel: channel}
metrics:
  gmv: {column: gmv, unit: currency}
  spend: {column: spend, unit: currency}
goals:
  gmv: {metric: gmv, at_least: 1000}
budget:
  total: 10000
  lines:
    ads: 100%
channels:
  douyin: ads
  café: ads
  WeChat: ads
"""


def check_json(*args: str | Path) -> dict[str, Any]:
    _, stdout, _ = run_cli("check", *args, "--format", "json")
    (plan,) = json.loads(stdout)["plans"]
    return plan  # type: ignore[no-any-return]


def codes(plan: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [d for d in plan["diagnostics"] if d["code"] == code]


def goal_actual(plan: dict[str, Any]) -> Any:
    (gmv,) = [g for g in plan["goals"] if g["id"] == "gmv"]
    return gmv["actual"]


def spent(plan: dict[str, Any]) -> dict[str, Any]:
    return {row["line"]: row["spent"] for row in plan["budget"]}


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


# --- item 4: overlapping exports, a file given twice ----------------------------------


def test_overlapping_exports_are_pa010_naming_both_files_and_counted_once(
    plan_file: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    # jan.csv runs into February; feb.csv starts on 2025-02-01: that day is in both.
    (data / "jan.csv").write_text(
        "date,channel,gmv\n2025-01-31,douyin,100\n2025-02-01,douyin,200\n", encoding="utf-8"
    )
    (data / "feb.csv").write_text(
        "date,channel,gmv\n2025-02-01,douyin,200\n2025-02-02,douyin,100\n", encoding="utf-8"
    )
    plan = check_json(plan_file, "--actuals", data / "*.csv")
    # 100 + 200 + 100: the shared day once (summing both files gave 600).
    assert goal_actual(plan) == 400
    (overlap,) = codes(plan, "PA010")
    assert overlap["severity"] == "warning"
    # Globs expand sorted: feb.csv, then jan.csv, so jan.csv is the later file and wins.
    assert overlap["file"].endswith("jan.csv")
    assert overlap["line"] == 3
    assert "2025-02-01" in overlap["message"]
    assert 'channel "douyin"' in overlap["message"]
    assert "feb.csv:2" in overlap["message"]
    assert "counted once, from" in overlap["message"]


def test_the_later_file_wins_where_overlapping_values_differ(
    plan_file: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text(
        "date,channel,gmv\n2025-01-01,douyin,100\n2025-01-02,douyin,300\n", encoding="utf-8"
    )
    second.write_text("date,channel,gmv\n2025-01-02,douyin,250\n", encoding="utf-8")
    plan = check_json(plan_file, "--actuals", first, "--actuals", second)
    assert goal_actual(plan) == 100 + 250  # b.csv's 2025-01-02 replaces a.csv's 300
    (overlap,) = codes(plan, "PA010")
    assert (Path(overlap["file"]).name, overlap["line"]) == ("b.csv", 2)
    assert "a.csv:3" in overlap["message"]


def test_files_with_different_measures_for_the_same_keys_do_not_overlap(
    plan_file: Path, tmp_path: Path
) -> None:
    sales, spend = tmp_path / "sales.csv", tmp_path / "spend.csv"
    sales.write_text("date,channel,gmv\n2025-01-01,douyin,100\n", encoding="utf-8")
    spend.write_text("date,channel,spend\n2025-01-01,douyin,40\n", encoding="utf-8")
    plan = check_json(plan_file, "--actuals", sales, "--actuals", spend)
    assert codes(plan, "PA010") == []
    assert goal_actual(plan) == 100
    assert spent(plan)["ads"] == 40


def test_order_level_files_sharing_keys_are_summed(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        PLAN.replace("  dimensions:", "  grain: rows\n  dimensions:"), encoding="utf-8"
    )
    first, second = tmp_path / "orders-1.csv", tmp_path / "orders-2.csv"
    first.write_text("date,channel,gmv\n2025-01-01,douyin,100\n", encoding="utf-8")
    second.write_text("date,channel,gmv\n2025-01-01,douyin,30\n", encoding="utf-8")
    plan = check_json(plan_file, "--actuals", first, "--actuals", second)
    assert codes(plan, "PA010") == []
    assert goal_actual(plan) == 130


def test_a_hard_link_and_a_copy_are_read_once_with_an_info(plan_file: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("date,channel,gmv\n2025-01-01,douyin,100\n", encoding="utf-8")
    linked = tmp_path / "linked.csv"
    os.link(export, linked)
    copy = tmp_path / "copy.csv"
    copy.write_bytes(export.read_bytes())
    plan = check_json(
        plan_file,
        "--actuals",
        export,
        "--actuals",
        linked,
        "--actuals",
        copy,
        "--actuals",
        tmp_path / ".." / tmp_path.name / "export.csv",  # the same file, spelt another way
    )
    assert goal_actual(plan) == 100  # not 400
    assert codes(plan, "PA010") == []
    once = codes(plan, "PA016")
    assert [(Path(d["file"]).name, d["severity"]) for d in once] == [
        ("linked.csv", "info"),
        ("export.csv", "info"),
        ("copy.csv", "info"),
    ]
    assert "the same file on disk as" in once[0]["message"]
    assert "the same content as" in once[2]["message"]


def test_a_compressed_copy_is_read_once_and_other_content_of_its_size_is_not(
    tmp_path: Path,
) -> None:
    # Under grain: rows nothing else would catch it: keys repeat by design and are summed.
    plan_path = tmp_path / "plan.yaml"
    plan_path.write_text(PLAN.replace("actuals:\n", "actuals:\n  grain: rows\n"), "utf-8")
    body = "date,channel,gmv\n2025-01-01,douyin,100\n2025-01-02,douyin,50\n"
    export = tmp_path / "orders.csv"
    export.write_text(body, encoding="utf-8")
    (tmp_path / "orders.csv.gz").write_bytes(gzip.compress(body.encode()))
    # The same size decompressed, other rows: two files, both counted.
    other = body.replace("100", "300")
    (tmp_path / "other.csv.gz").write_bytes(gzip.compress(other.encode()))
    files = ["orders.csv", "orders.csv.gz", "other.csv.gz"]
    args = [a for f in files for a in ("--actuals", tmp_path / f)]
    plan = check_json(plan_path, *args, "--as-of", "2025-01-02")
    assert goal_actual(plan) == 100 + 50 + 300 + 50  # not 600
    (once,) = codes(plan, "PA016")
    assert Path(once["file"]).name == "orders.csv.gz"
    assert once["message"].endswith(f"the same content, compressed, as {export}: read once")
    zstandard = pytest.importorskip("zstandard")
    (tmp_path / "orders.csv.zst").write_bytes(zstandard.ZstdCompressor().compress(body.encode()))
    plan = check_json(plan_path, "--actuals", export, "--actuals", tmp_path / "orders.csv.zst")
    assert goal_actual(plan) == 150
    assert [Path(d["file"]).name for d in codes(plan, "PA016")] == ["orders.csv.zst"]


# --- item 5: headers in another case --------------------------------------------------


def test_headers_match_case_and_surrounding_spaces_aside(plan_file: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "Date, Channel ,GMV,Spend\n2025-01-01,douyin,100,30\n2025-01-02,douyin,50,20\n",
        encoding="utf-8",
    )
    plan = check_json(plan_file, "--actuals", export)
    assert codes(plan, "PA002") == []
    assert goal_actual(plan) == 150
    assert spent(plan)["ads"] == 50


def test_a_file_with_no_needed_column_is_a_warning_and_does_not_set_as_of(
    plan_file: Path, tmp_path: Path
) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("date,channel,gmv\n2025-01-10,douyin,100\n", encoding="utf-8")
    other = tmp_path / "traffic.csv"
    other.write_text("date,channel,pageviews\n2025-03-31,douyin,7\n", encoding="utf-8")
    plan = check_json(plan_file, "--actuals", sales, "--actuals", other)
    assert plan["as_of"] == "2025-01-10"  # not traffic.csv's 2025-03-31
    assert goal_actual(plan) == 100
    (problem,) = [d for d in codes(plan, "PA002") if d["file"]]
    assert problem["severity"] == "warning"
    assert problem["file"].endswith("traffic.csv")
    assert '"gmv"' in problem["message"]
    assert "not counted" in problem["message"]
    assert codes(plan, "PA013") == []  # it is not a lagging file either


# --- item 7: Unicode look-alikes ------------------------------------------------------


def test_a_channel_in_nfd_matches_the_plan_in_nfc(plan_file: Path, tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "café")
    assert decomposed != "café"
    export = tmp_path / "export.csv"
    export.write_text(
        f"date,channel,gmv,spend\n2025-01-01,{decomposed},100,40\n2025-01-02,café,10,5\n",
        encoding="utf-8",
    )
    plan = check_json(plan_file, "--actuals", export)
    assert codes(plan, "PA011") == []
    assert codes(plan, "PA010") == []  # two spellings of one value on two days: no repeat
    assert goal_actual(plan) == 110
    assert spent(plan)["ads"] == 45
    assert "<unmapped>" not in spent(plan)


def test_a_value_differing_only_by_width_or_case_is_pa011_with_did_you_mean(
    plan_file: Path, tmp_path: Path
) -> None:
    export = tmp_path / "export.csv"
    export.write_text(
        "date,channel,gmv,spend\n"
        "2025-01-01,WeChat,100,40\n"
        "2025-01-02,\uff37eChat,10,5\n"  # a full-width W
        "2025-01-03,DOUYIN,1,2\n",
        encoding="utf-8",
    )
    plan = check_json(plan_file, "--actuals", export)
    unknown = {d["line"]: d for d in codes(plan, "PA011")}
    assert sorted(unknown) == [3, 4]
    assert 'channel "\uff37eChat"' in unknown[3]["message"]
    assert 'did you mean "WeChat"?' in unknown[3]["message"]
    assert 'did you mean "douyin"?' in unknown[4]["message"]
    assert spent(plan) == {"ads": 40, "<unmapped>": 7}  # 5 + 2 stay unmapped


# --- PA013 per metric -----------------------------------------------------------------


def test_one_file_per_day_does_not_lag(plan_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "daily"
    data.mkdir()
    for day in range(1, 21):  # 2025-01-01 .. 2025-01-20, one file each
        (data / f"2025-01-{day:02}.csv").write_text(
            f"date,channel,gmv,spend\n2025-01-{day:02},douyin,10,1\n", encoding="utf-8"
        )
    plan = check_json(plan_file, "--actuals", data / "*.csv")
    assert plan["as_of"] == "2025-01-20"
    assert goal_actual(plan) == 200
    assert codes(plan, "PA013") == []  # today: one per file ending before 2025-01-13


def test_a_metric_whose_only_file_ends_early_lags(plan_file: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "sales-1.csv").write_text("date,channel,gmv\n2025-01-01,douyin,10\n", encoding="utf-8")
    (data / "sales-2.csv").write_text("date,channel,gmv\n2025-01-31,douyin,10\n", encoding="utf-8")
    (data / "spend.csv").write_text("date,channel,spend\n2025-01-05,douyin,3\n", encoding="utf-8")
    plan = check_json(plan_file, "--actuals", data / "*.csv")
    (lag,) = codes(plan, "PA013")
    assert lag["file"].endswith("spend.csv")
    assert lag["message"].startswith("metric spend ends on 2025-01-05")
    assert "26 days before as-of 2025-01-31" in lag["message"]  # 31 - 5


def test_many_overlapping_files_name_ten_pairs_then_count_the_rest(
    plan_file: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for i in range(12):  # the same day and channel in 12 files, with different values
        (data / f"export-{i:02}.csv").write_text(
            f"date,channel,gmv\n2025-01-01,douyin,{i + 1}\n", encoding="utf-8"
        )
    plan = check_json(plan_file, "--actuals", data / "*.csv")
    assert goal_actual(plan) == 12  # export-11.csv, the last, wins
    overlaps = codes(plan, "PA010")
    assert len(overlaps) == 11  # ten pairs, then one line for the eleventh
    assert all(d["file"].endswith("export-11.csv") for d in overlaps[:10])
    assert overlaps[10]["file"] is None
    assert overlaps[10]["message"].startswith("1 more pair of files overlap")


def test_two_globs_naming_one_file_read_it_once_with_an_info(
    plan_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "jan.csv").write_text("date,channel,gmv\n2025-01-01,douyin,100\n", encoding="utf-8")
    (tmp_path / "feb.csv").write_text("date,channel,gmv\n2025-02-01,douyin,10\n", encoding="utf-8")
    plan = check_json(plan_file, "--actuals", tmp_path / "*.csv", "--actuals", tmp_path / "j*.csv")
    assert goal_actual(plan) == 110  # not 210
    (once,) = codes(plan, "PA016")
    assert once["file"].endswith("jan.csv")
    assert once["message"].endswith("jan.csv is given twice: read once")


def test_a_plan_name_in_nfd_matches_values_in_nfc(tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(PLAN.replace("café", unicodedata.normalize("NFD", "café")), "utf-8")
    export = tmp_path / "export.csv"
    export.write_text("date,channel,gmv,spend\n2025-01-01,café,100,40\n", encoding="utf-8")
    plan = check_json(plan_file, "--actuals", export)
    assert codes(plan, "PA011") == []
    assert spent(plan) == {"ads": 40}


def test_overlapping_weekly_exports_are_located_as_daily_ones(tmp_path: Path) -> None:
    """The line of an overlap's key is read with the reader's parameters (the weekday a
    weekly row is dated on): two weekly files sharing a week failed inside the engine."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN.replace("actuals:\n", "actuals:\n  grain: weekly\n"), encoding="utf-8")
    (tmp_path / "a.csv").write_text(
        "date,channel,gmv\n2025-01-06,douyin,100\n2025-01-13,douyin,200\n", encoding="utf-8"
    )
    (tmp_path / "b.csv").write_text(
        "date,channel,gmv\n2025-01-13,douyin,250\n2025-01-20,douyin,50\n", encoding="utf-8"
    )
    found = check_json(plan, "--actuals", tmp_path / "a.csv", "--actuals", tmp_path / "b.csv")
    assert goal_actual(found) == 100 + 250 + 50  # the shared week once, from b.csv
    (overlap,) = codes(found, "PA010")
    assert (Path(overlap["file"]).name, overlap["line"]) == ("b.csv", 2)
    assert "a.csv:3" in overlap["message"]
