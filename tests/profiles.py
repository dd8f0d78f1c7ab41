"""Hypothesis example counts that follow the loaded profile (registered in conftest.py).

The ``ci`` profile runs each property as many examples as it always has; ``dev`` runs a
fraction of them so that ``pytest -q`` stays quick while editing. A test that has its own
count writes it as ``scaled(n)``: ``n`` under ``ci``, proportionally fewer under ``dev``.
"""

from __future__ import annotations

from hypothesis import settings

# Hypothesis' own default, which the ``ci`` profile keeps for tests without a count.
CI_EXAMPLES = 100


def scaled(ci_count: int) -> int:
    """``ci_count`` examples under the ``ci`` profile, the same share of fewer under others."""
    loaded = settings.default
    assert loaded is not None, "conftest.py loads a profile before tests are collected"
    return max(1, ci_count * loaded.max_examples // CI_EXAMPLES)
