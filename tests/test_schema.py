"""``promoplan schema``: the committed JSON Schema is current, valid, and agrees with the model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from clirunner import Cli
from promoplan.model import Plan
from promoplan.planschema import plan_schema, schema_text
from promoplan.starter import STARTER_PLAN

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "schema" / "promoplan.schema.json"
EXAMPLE_PLANS = sorted((ROOT / "plans").glob("*.yaml")) + sorted(
    (ROOT / "plans" / "examples").glob("*.yaml")
)
REGENERATE = "promoplan schema -o schema/promoplan.schema.json"


def validator() -> jsonschema.protocols.Validator:
    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def check_jsonschema(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run check-jsonschema (from the test environment) against the committed schema."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(COMMITTED),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


MINIMAL: dict[str, Any] = {"promoplan": 1, "name": "plan", "period": 2025}


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), (
        f"schema/promoplan.schema.json is out of date; regenerate it with `{REGENERATE}`"
    )


def test_cli_prints_the_same_schema(cli: Cli) -> None:
    result = cli("schema")
    assert result.exit_code == 0
    assert result.stdout == schema_text()


def test_schema_is_draft_2020_12_with_documentation() -> None:
    schema = json.loads(schema_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "$id" not in schema
    assert schema["title"]
    assert schema["description"]
    jsonschema.Draft202012Validator.check_schema(schema)
    for example in schema["examples"]:
        Plan.model_validate(example)
        validator().validate(example)
    for name, definition in schema["$defs"].items():
        assert definition.get("description"), f"$defs/{name} has no description"
    goal = schema["$defs"]["Goal"]["properties"]
    assert goal["metric"]["description"]
    assert goal["metric"]["examples"]
    assert "examples" in schema["$defs"]["Quantity"]


def test_quantities_accept_numbers_and_strings() -> None:
    check = validator()
    for value in (0.35, 45, "35%", "1:3", "5000万", "X万", "￥2,000"):
        check.validate({**MINIMAL, "tolerance": value})
    assert not check.is_valid({**MINIMAL, "tolerance": True})
    assert not check.is_valid({**MINIMAL, "tolerance": ""})


@pytest.mark.parametrize(
    "extra",
    [
        {"budget": {"lines": {"traffic": "60%", "content": {"share": "40%"}}}},
        {"budget": {"lines": {"traffic": {"share": "60%", "lines": {"public": 0.6}}}}},
        {"quarters": {"Q1": {"start": "2025-01-01", "events": [{"name": "年货节"}]}}},
        {"period": {"start": "2025-04-01", "end": "2026-03-31"}},
        {"goals": {"g": {"metric": "gmv", "at_least": "5万", "at_most": None}}},
        {"alerts": {"a": {"metric": "roi", "below": "1:3", "by": "channel"}}},
        {"metrics": {"roi": {"formula": "gmv / spend", "unit": "ratio"}}},
        # A value computed per row, and rows counted (with or without a column).
        {"metrics": {"revenue": {"expr": "orders * price", "unit": "currency"}}},
        {"metrics": {"orders": {"agg": "count"}}},
        {"metrics": {"orders": {"agg": "count", "column": "order_id"}}},
        {"ignore": ["PP120"]},
    ],
)
def test_schema_accepts_what_the_model_accepts(extra: dict[str, Any]) -> None:
    plan = {**MINIMAL, **extra}
    Plan.model_validate(plan)
    validator().validate(plan)


@pytest.mark.parametrize(
    "extra",
    [
        {"budget": {"lines": {"traffic": {"sharee": "60%"}}}},
        {"nmae": "typo"},
        {"promoplan": 2},
        {"goals": {"g": {"metric": "gmv"}}},
        {"goals": {"g": {"metric": "gmv", "at_least": 1, "at_most": 2}}},
        {"alerts": {"a": {"metric": "roi"}}},
        {"metrics": {"m": {"column": "a", "formula": "b"}}},
        {"metrics": {"m": {"column": "a", "expr": "b * c"}}},
        {"metrics": {"m": {"unit": "count"}}},
        {"quarters": {"Q5": {}}},
        {"quarters": {"Q1": {"start": "2025-02-30"}}},
        {"period": "2025"},
        {"alerts": {"a": {"metric": "roi", "below": 1, "severity": "fatal"}}},
    ],
)
def test_schema_rejects_what_the_model_rejects(extra: dict[str, Any]) -> None:
    plan = {**MINIMAL, **extra}
    with pytest.raises(ValidationError):
        Plan.model_validate(plan)
    assert not validator().is_valid(plan)


@pytest.mark.skipif(not EXAMPLE_PLANS, reason="no example plans in plans/")
def test_example_plans_pass_check_jsonschema() -> None:
    result = check_jsonschema(*EXAMPLE_PLANS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_starter_plan_passes_check_jsonschema(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text(STARTER_PLAN, encoding="utf-8")
    result = check_jsonschema(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_misspelled_key_fails_check_jsonschema(tmp_path: Path) -> None:
    data = yaml.safe_load(STARTER_PLAN)
    good = tmp_path / "good.yaml"
    good.write_text(STARTER_PLAN, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    # Unquoted 1:3 and bare dates, as people write them, in a plan with one typo.
    bad.write_text(
        STARTER_PLAN.replace(
            "    traffic:     {share: 50%", "    traffic:     {sharee: 50%"
        ).replace('below: "1:3"', "below: 1:3"),
        encoding="utf-8",
    )
    assert "sharee" in bad.read_text(encoding="utf-8")
    assert data["budget"]["lines"]["traffic"]["share"] == "50%"
    result = check_jsonschema(good, bad)
    assert result.returncode == 1
    assert "bad.yaml" in result.stdout
    assert "good.yaml" not in result.stdout
    assert "sharee" in result.stdout
