"""Exceptions for "could not run as asked" (exit 2); findings are diagnostics, never exceptions."""

from __future__ import annotations


class UsageProblem(Exception):
    """The command cannot run as asked: a missing file, a bad option value.

    The message is one line that says what to do; the CLI prints it and exits 2.
    """


class Locked(Exception):
    """Another run is writing the same output (``report`` exits 75)."""
