"""``promoplan init [PATH]``: write a commented starter plan (never over an existing file)."""

from __future__ import annotations

from pathlib import Path


def run_init(path: Path) -> str:
    """Write the starter plan to ``path``; return the line that says what to do next."""
    from promoplan.starter import write_starter  # noqa: PLC0415  # the template, on use

    write_starter(path)
    return f"wrote {path}; next: promoplan validate {path}"
