"""``promoplan init [PATH]``: write a commented starter plan (never over an existing file).

``promoplan init --tests PLAN [PATH]`` writes starter tests for a plan instead. ``-``
prints either to standard output, as ``-o -`` does for every command.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from promoplan.errors import UsageProblem


@dataclass(frozen=True)
class Started:
    """What ``init`` did: a file written (``message`` for stderr) or a text for stdout."""

    message: str | None = None
    text: str | None = None

    def emit(self) -> None:
        """The text on stdout, the message on stderr, as typer writes them."""
        import typer  # noqa: PLC0415  # the typer path only

        if self.text is not None:
            typer.echo(self.text, nl=False)
        if self.message is not None:
            typer.echo(self.message, err=True)


def run_init(path: str | None, *, tests: Path | None = None) -> Started:
    """Write the starter plan (or, for ``tests``, its starter tests); say what to do next."""
    to_stdout = path == "-"
    name = "plan.yaml" if tests is None else f"{tests.stem}.test.yaml"
    target = None if to_stdout else _target(path, name)
    if tests is not None:
        from promoplan.plantest.starter import starter_tests_for, write_starter_tests  # noqa: PLC0415  # on use

        if to_stdout:
            return Started(text=starter_tests_for(tests, Path.cwd()))
        written = write_starter_tests(tests, target)
        return Started(f"wrote {written}; next: promoplan test {written}")
    from promoplan.starter import STARTER_PLAN, write_starter  # noqa: PLC0415  # the template, on use

    if to_stdout:
        return Started(text=STARTER_PLAN)
    where = target or Path("plan.yaml")
    write_starter(where)
    return Started(f"wrote {where}; next: promoplan validate {where}")


def _target(path: str | None, name: str) -> Path | None:
    """The file to write (None: the default); a blank or a directory (``plans/``) refused,
    suggesting ``name`` in it."""
    if path is None:
        return None
    if not path.strip():
        raise UsageProblem(f"{path!r} is empty (an unset variable?); name a file to write")
    if path.endswith(("/", os.sep)) or Path(path).is_dir():
        raise UsageProblem(
            f"{path} is a directory; init writes one file: name it "
            f"({path.rstrip('/' + os.sep)}/{name})"
        )
    return Path(path)
