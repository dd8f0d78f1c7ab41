"""Shared test set-up: hypothesis profiles, the ``slow`` marker, the ``cli`` runner, golden files.

* Hypothesis profiles: ``ci`` runs every property as many examples as it always has, ``dev``
  a fifth of them. ``HYPOTHESIS_PROFILE`` chooses; without it, ``ci`` when ``CI=true``
  (as CI and ``.ci/run`` set), else ``dev``. Tests with their own count use
  ``profiles.scaled(n)``.
* ``@pytest.mark.slow`` (timing assertions, the largest inputs) is skipped unless
  ``--run-slow`` is given, ``CI=true`` is set, or ``-m`` names the marker.
* ``cli``: run ``promoplan`` in process (see tests/clirunner.py).
* ``golden``: compare with tests/golden/* (``pytest --update-golden`` rewrites them).
* The rendered-SQL cache (``PROMOPLAN_CACHE_DIR``) is a temporary folder of the session's.
* ``COLUMNS`` is removed: tables on a pipe are 100 columns wide unless a test sets it
  (a terminal's exported ``COLUMNS`` would otherwise narrow every expected table).
* Bytecode: the ``promoplan`` processes the tests start share one bytecode cache outside
  the tree (``PYTHONPYCACHEPREFIX``), even where the environment sets
  ``PYTHONDONTWRITEBYTECODE``: otherwise each of them compiles the package again.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from clirunner import Cli, run_cli
from profiles import CI_EXAMPLES

GOLDEN = Path(__file__).parent / "golden"

# Set before xdist starts its workers, so that they and every subprocess inherit it.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
os.environ.setdefault(
    "PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / f"promoplan-pycache-{os.getuid()}")
)
os.environ.pop("COLUMNS", None)  # the width of piped output: 100 unless a test sets it
# The rendered cube queries promoplan keeps between runs: the tests' own, one folder per
# session (the workers and every subprocess inherit it), never the user's ~/.cache.
if "PROMOPLAN_CACHE_DIR" not in os.environ:
    os.environ["PROMOPLAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="promoplan-cache-")
    atexit.register(shutil.rmtree, os.environ["PROMOPLAN_CACHE_DIR"], ignore_errors=True)
IN_CI = os.environ.get("CI", "").lower() == "true"

# No deadline and no too-slow health check: on a shared or loaded machine one slow example
# is the machine, not the code; the properties assert results, not speed.
settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,  # a failure in CI prints the blob that reproduces it locally
)
settings.register_profile(
    "dev",
    max_examples=CI_EXAMPLES // 5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if IN_CI else "dev"))


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--update-golden`` rewrites tests/golden/*; ``--run-slow`` runs the ``slow`` tests."""
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output (review the diff before committing)",
    )
    parser.addoption(
        "--run-slow",
        action="store_true",
        default=False,
        help="run the tests marked slow (CI=true runs them too)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``slow`` tests unless asked for: --run-slow, CI=true, or a -m naming ``slow``."""
    markexpr = str(config.getoption("-m") or "")
    if config.getoption("--run-slow") or IN_CI or "slow" in markexpr:
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (CI runs them)")
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(skip)


# Test files whose tests share one server per session (PostgreSQL, Spark Connect): under
# pytest-xdist they run as one unit in one worker, so each server starts once. The unit
# has the most tests, so it is handed out first and does not run alone at the end.
ONE_WORKER = ("tests/warehouse/",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n`` with the default ``--dist load``: test by test, but ONE_WORKER as one unit.

    ``--dist loadgroup`` would say the same with marks, but pytest 9.2's node ids no longer
    carry its group suffix (pytest-xdist issue 1386), so the unit is chosen by path here.
    """
    if config.getvalue("dist") != "load":
        return None  # an explicit --dist other than load is honoured as given
    from xdist.scheduler import LoadScopeScheduling  # noqa: PLC0415  # only under xdist

    class OneWorkerForServers(LoadScopeScheduling):  # type: ignore[misc]  # untyped base
        def _split_scope(self, nodeid: str) -> str:
            return next((p for p in ONE_WORKER if nodeid.startswith(p)), nodeid)

    return OneWorkerForServers(config, log)


@pytest.fixture(scope="session")
def cli() -> Cli:
    """Run ``promoplan ARGS`` in process: ``cli("check", plan, env=...)`` -> CliResult."""
    return run_cli


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with ``tests/golden/<name>`` byte for byte (or rewrite it: --update-golden)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            return
        if not path.exists():
            pytest.fail(f"no golden file {path}; run pytest --update-golden and review it")
        expected = path.read_bytes().decode("utf-8")
        assert text == expected, f"output differs from {path} (--update-golden if intended)"

    return check
