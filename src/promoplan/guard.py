"""How a command run ends: the one place that turns exceptions into exit statuses."""

from __future__ import annotations

from collections.abc import Callable

import typer

from promoplan.errors import Locked, UsageProblem, interruption


def run_guarded(action: Callable[[], int], *, debug: bool = False) -> None:
    """Run a command body and exit with its status: 2 for usage problems, 75 for a held
    lock, 130 when interrupted, 3 (one line; the traceback with ``debug``) for bugs.
    """
    from promoplan.output import forget_inputs  # noqa: PLC0415  # light, but not needed to start

    forget_inputs()
    try:
        status = action()
    except UsageProblem as exc:
        typer.echo(f"promoplan: {exc}", err=True)
        raise typer.Exit(2) from None
    except Locked as exc:
        typer.echo(f"promoplan: {exc}", err=True)
        raise typer.Exit(75) from None
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        typer.echo("promoplan: interrupted", err=True)
        raise typer.Exit(130) from None
    except Exception:  # the one place that turns bugs into exit 3
        stop = interruption()
        if stop is not None:  # a library turned SIGINT/SIGTERM into its own error
            raise stop from None
        if debug:
            import traceback  # noqa: PLC0415  # only for --debug

            traceback.print_exc()
        else:
            typer.echo(
                "promoplan: internal error (a bug); please report it with the output of --debug",
                err=True,
            )
        raise typer.Exit(3) from None
    raise typer.Exit(status)
