"""A signal whose exception Python would swallow (in a `__del__`) still stops the run."""

from __future__ import annotations

import subprocess
import sys

CHILD = r"""
import signal, time
from promoplan.errors import Interrupted
from promoplan.process import install_signal_handlers

install_signal_handlers()

class Dying:
    def __del__(self):
        # Where a signal's handler may run: Python swallows what a __del__ raises.
        signal.raise_signal(signal.SIGINT)
        time.sleep(0.05)  # the handler runs here, inside __del__

try:
    Dying()
    for _ in range(200):
        time.sleep(0.01)
    print("went on")
except Interrupted as interrupted:
    print("interrupted", interrupted.signum)
"""


def test_an_interruption_swallowed_in_a_finaliser_is_delivered_again() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == f"interrupted {int(__import__('signal').SIGINT)}"
    assert "Traceback" not in done.stderr
    assert "Exception ignored" not in done.stderr
