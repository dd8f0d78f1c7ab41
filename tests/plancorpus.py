"""Reading the ``# expect:`` header of a corpus plan and running it through ``validate``.

Shared by the broken-plan corpus (test_plan_corpus.py) and the hardening corpus
(hardening/test_corpus.py); the header format is described in test_plan_corpus.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from clirunner import run_cli
from promoplan.diagnostics import CODES

_EXPECT = re.compile(
    r"^#\s*expect:\s*(?P<code>[A-Z]{2}\d{3}|none)(?:\s+(?P<line>\d+):(?P<column>\d+))?\s*$"
)
_EXPECT_EXIT = re.compile(r"^#\s*expect-exit:\s*(?P<status>\d+)\s*$")

Expected = tuple[str, int | None, int | None]


@dataclass(frozen=True)
class Case:
    """One plan file and what validating it must give."""

    path: Path
    expected: tuple[Expected, ...]
    exit_status: int


def read_case(path: Path) -> Case:
    """Read the ``# expect:`` lines at the top of a corpus file."""
    expected: list[Expected] = []
    status: int | None = None
    seen_expect = False
    for raw in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        line = raw.strip()
        if not line.startswith("#"):
            break
        if match := _EXPECT.match(line):
            seen_expect = True
            if match["code"] != "none":
                if match["line"]:
                    expected.append((match["code"], int(match["line"]), int(match["column"])))
                else:
                    expected.append((match["code"], None, None))
        elif match := _EXPECT_EXIT.match(line):
            status = int(match["status"])
    assert seen_expect, f"{path.name}: no '# expect:' line at the top"
    if status is None:
        status = 1 if any(CODES[code][0] == "error" for code, _, _ in expected) else 0
    return Case(path, tuple(expected), status)


def run_validate(path: Path) -> tuple[int, list[dict[str, object]]]:
    """``promoplan validate --format json PATH``: exit status and diagnostics."""
    result = run_cli("validate", "--format", "json", path)
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1), f"exit {result.exit_code}: {output}"
    document = json.loads(result.stdout)
    assert len(document["plans"]) == 1
    return result.exit_code, document["plans"][0]["diagnostics"]


def assert_matches(case: Case, status: int, found: list[dict[str, object]]) -> None:
    """The diagnostics found are exactly the expected ones, and the exit status is right."""
    shown = [f"{d['code']} {d['line']}:{d['column']} {d['message']}" for d in found]
    remaining = list(found)
    for code, line, column in case.expected:
        match = next(
            (d for d in remaining if d["code"] == code and _at(d, line, column)),
            None,
        )
        assert match is not None, f"expected {code} at {line}:{column}; found {shown}"
        remaining.remove(match)
    assert not remaining, f"unexpected diagnostics: {shown}"
    assert status == case.exit_status, f"exit {status}, expected {case.exit_status}; found {shown}"
    for d in found:
        assert d["line"] is not None, d
        assert d["column"] is not None, d
        assert "pydantic" not in str(d["message"]).lower(), d
        assert "Input should" not in str(d["message"]), d


def _at(found: dict[str, object], line: int | None, column: int | None) -> bool:
    return line is None or (found["line"], found["column"]) == (line, column)
