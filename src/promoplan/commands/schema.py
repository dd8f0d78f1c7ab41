"""``promoplan schema``: the plan format as JSON Schema (draft 2020-12), for editors and CI."""

from __future__ import annotations


def run_schema() -> str:
    """The schema as indented JSON text (built by :mod:`promoplan.planschema`)."""
    from promoplan.planschema import schema_text  # noqa: PLC0415  # pydantic's schema on use

    return schema_text()
