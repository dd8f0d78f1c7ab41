"""When the table format is coloured: a terminal, no NO_COLOR (set and not empty), no TERM=dumb."""

from __future__ import annotations

import io

import pytest

from promoplan.render.options import options_for_stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("env", "coloured"),
    [
        ({}, True),
        ({"NO_COLOR": ""}, True),  # no-color.org: an empty value does not turn colour off
        ({"NO_COLOR": "1"}, False),
        ({"NO_COLOR": "0"}, False),  # any other value does
        ({"TERM": "dumb"}, False),
    ],
)
def test_colour_on_a_terminal_unless_asked_not_to(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], coloured: bool
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("sys.stdout", Terminal())
    assert options_for_stdout("table", to_stdout=True).color is coloured
    assert options_for_stdout("json", to_stdout=True).color is False
    assert options_for_stdout("table", to_stdout=False).color is False  # -o FILE
