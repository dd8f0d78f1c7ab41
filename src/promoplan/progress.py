"""The progress bar the CLI shows on stderr during a long read of actuals (terminal only)."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

PROGRESS_DELAY = 1.0  # seconds before a progress bar appears: short reads stay quiet


class DelayedProgress:
    """A rich progress bar on stderr that appears only once a read has taken over a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.progress: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` bytes read."""
        if self.progress is None:
            if time.monotonic() - self.started < PROGRESS_DELAY:
                return
            from rich.console import Console  # noqa: PLC0415  # only for long reads
            from rich.progress import Progress  # noqa: PLC0415

            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task("reading actuals", total=total)
        self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        """Take the bar off the terminal."""
        if self.progress is not None:
            self.progress.stop()


@contextlib.contextmanager
def progress_bar() -> Iterator[DelayedProgress | None]:
    """A delayed progress bar for a long read of actuals, on a terminal only."""
    bar = DelayedProgress() if sys.stderr.isatty() else None
    try:
        yield bar
    finally:
        if bar is not None:
            bar.close()
