"""How a command run ends: the one place that turns exceptions into exit statuses."""

from __future__ import annotations

import errno
from collections.abc import Callable

from promoplan.errors import Locked, UsageProblem, interruption, unsettle


def guarded_status(
    action: Callable[[], int],
    *,
    debug: bool = False,
    passthrough: tuple[type[BaseException], ...] = (),
) -> int:
    """Run a command body and return its exit status: 2 for usage problems, 75 for a held
    lock, 130 when interrupted, 3 (one line; the traceback with ``debug``) for bugs.

    Exceptions of the ``passthrough`` types (typer's own exit) are raised as they are.
    """
    from promoplan.output import forget_inputs  # noqa: PLC0415  # light, but not needed to start

    forget_inputs()
    unsettle()
    try:
        return action()
    except UsageProblem as exc:
        say(f"promoplan: {exc}")
        return 2
    except Locked as exc:
        say(f"promoplan: {exc}")
        return 75
    except passthrough:
        raise
    except KeyboardInterrupt:
        say("promoplan: interrupted")
        return 130
    except Exception as exc:  # the one place that turns bugs into exit 3
        return _unexpected(exc, debug=debug)


# File system errors no check of promoplan's can foresee, wherever they happen: a name
# longer than the file system allows, a failing disk or stale network mount, a full or
# read-only disk, a file that vanished or changed kind while being read.
_ENVIRONMENT = frozenset(
    {
        errno.ENAMETOOLONG,
        errno.EIO,
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.ENXIO,
        errno.ESTALE,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.ELOOP,
        errno.EACCES,
        errno.EPERM,
    }
)


def _unexpected(exc: Exception, *, debug: bool) -> int:
    """2 for a file system error of the machine's (one line naming the file), else 3 for
    a bug: one line, the traceback with --debug."""
    if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT:
        where = f"{exc.filename}: " if exc.filename else "a file could not be read or written: "
        say(f"promoplan: {where}{exc.strerror or exc}")
        return 2
    stop = interruption()
    if stop is not None:  # a library turned SIGINT/SIGTERM into its own error
        raise stop from None
    if debug:
        import traceback  # noqa: PLC0415  # only for --debug

        traceback.print_exc()
    else:
        say("promoplan: internal error (a bug); please report it with the output of --debug")
    return 3


def say(message: str) -> None:
    """One line on stderr, written as typer writes it (whichever path the run took).

    typer's ``echo`` strips terminal escapes when stderr is not a terminal and copes
    with a misconfigured stream encoding; the run that skipped typer (``validate``)
    imports it here, on the way out with a message, so both paths write the same bytes.
    """
    from typer import echo  # noqa: PLC0415  # only when there is something to say

    echo(message, err=True)
