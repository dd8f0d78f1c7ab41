"""``promoplan init [PATH]``: write a commented starter plan (never over an existing file).

``promoplan init --tests PLAN [PATH]`` writes starter tests for a plan instead.
"""

from __future__ import annotations

from pathlib import Path


def run_init(path: Path | None, *, tests: Path | None = None) -> str:
    """Write the starter plan (or, for ``tests``, its starter tests); say what to do next."""
    if tests is not None:
        from promoplan.plantest.starter import write_starter_tests  # noqa: PLC0415  # on use

        written = write_starter_tests(tests, path)
        return f"wrote {written}; next: promoplan test {written}"
    from promoplan.starter import write_starter  # noqa: PLC0415  # the template, on use

    target = path or Path("plan.yaml")
    write_starter(target)
    return f"wrote {target}; next: promoplan validate {target}"
