"""The command line: parse options, call the core, pick a renderer, return an exit status.

Command functions stay thin; heavy modules (DuckDB, renderers) are imported
inside the commands that need them so that ``validate`` starts fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from promoplan import __version__
from promoplan.errors import Locked, UsageProblem

if TYPE_CHECKING:
    from promoplan.render import RenderOptions

T = TypeVar("T")

# promoplan uses no pydantic plugins; skipping their discovery (a scan of every
# installed distribution's metadata) saves tens of milliseconds per run.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

app = typer.Typer(
    name="promoplan",
    help="Validate promotion plans (YAML) and track them against CSV actuals.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_DEBUG = False

FormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help="Output format (see the command's help).")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (atomically).")
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="table: print nothing but errors.")
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Leave out diagnostics of this code (repeatable)."),
]
UnitsOption = Annotated[
    str, typer.Option("--units", help="Money and counts with 万/亿 (cn) or k/M/B (intl).")
]
ActualsOption = Annotated[
    list[str] | None,
    typer.Option("--actuals", "-a", help="Actuals CSV file or glob (repeatable)."),
]
EncodingOption = Annotated[
    str | None,
    typer.Option(
        "--encoding", help="Read actuals in this encoding (default: UTF-8, else GB18030)."
    ),
]
AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this date (YYYY-MM-DD).")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"promoplan {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
) -> None:
    """promoplan: check promotion plans and track them against actuals."""
    global _DEBUG  # noqa: PLW0603  # one process-wide switch, set once per run
    _DEBUG = debug


def _guard(action: Callable[[], int]) -> None:
    """Run a command body: exit 2 for usage problems, 3 (one line) for bugs."""
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
        if _DEBUG:
            import traceback  # only for --debug

            traceback.print_exc()
        else:
            typer.echo(
                "promoplan: internal error (a bug); please report it with the output of --debug",
                err=True,
            )
        raise typer.Exit(3) from None
    raise typer.Exit(status)


def _choose_format(command: str, fmt: str | None, default: str) -> str:
    from promoplan.render import FORMATS_BY_COMMAND

    choices = FORMATS_BY_COMMAND[command]
    chosen = (fmt or default).lower()
    if chosen not in choices:
        raise UsageProblem(
            f"unknown format {fmt!r} for {command}; choose one of: {', '.join(choices)}"
        )
    if chosen == "auto":
        chosen = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "table"
    return chosen


def _render_options(
    fmt: str, output: Path | None, units: str = "cn", quiet: bool = False
) -> RenderOptions:
    from promoplan.render import RenderOptions  # renderers load lazily

    if units not in ("cn", "intl"):
        raise UsageProblem(f"unknown --units {units!r}; choose cn or intl")
    color = (
        fmt == "table"
        and output is None
        and sys.stdout.isatty()
        and "NO_COLOR" not in os.environ
        and os.environ.get("TERM") != "dumb"
    )
    width = 100
    if output is None and sys.stdout.isatty():
        width = max(60, os.get_terminal_size().columns)
    return RenderOptions(color=color, width=width, units=units, quiet=quiet)  # type: ignore[arg-type]  # checked above


@app.command()
def validate(
    paths: Annotated[
        list[Path], typer.Argument(help="Plan files or directories (every *.yaml/*.yml below).")
    ],
    fmt: FormatOption = None,
    output: OutputOption = None,
    strict: StrictOption = False,
    quiet: QuietOption = False,
    ignore: IgnoreOption = None,
) -> None:
    """Check plans on their own (schema and semantics), without actuals.

    Formats: table (default), json, github, junit, sarif, auto.
    Exit 0: no errors; 1: errors (or warnings with --strict); 2: could not run.
    """

    def body() -> int:
        from promoplan.exitstatus import exit_status
        from promoplan.output import emit
        from promoplan.render import render
        from promoplan.validate import validate_paths

        chosen = _choose_format("validate", fmt, "table")
        run = validate_paths(paths, ignore=tuple(ignore or ()))
        emit(render(chosen, run, _render_options(chosen, output, quiet=quiet)), output)  # type: ignore[arg-type]  # chosen is a Format
        return exit_status(run, strict=strict)

    _guard(body)


@app.command()
def check(
    plan: Annotated[Path, typer.Argument(help="The plan file.")],
    actuals: ActualsOption = None,
    as_of: AsOfOption = None,
    period: Annotated[
        str | None,
        typer.Option(
            "--period",
            help="Window: ytd (default), qtd, mtd, last-week, Q2, 2025, 2025-Q2, 2025-06, "
            "2025-W23.",
        ),
    ] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
    strict: StrictOption = False,
    quiet: QuietOption = False,
    ignore: IgnoreOption = None,
    units: UnitsOption = "cn",
    encoding: EncodingOption = None,
) -> None:
    """Progress against the plan: goals, pacing, budget burn and alerts with actions.

    Formats: table (default), json, markdown, csv, github, junit, sarif, auto.
    Exit 1 when any error diagnostic or error alert is present.
    """

    def body() -> int:
        from promoplan.check import run_check
        from promoplan.exitstatus import exit_status
        from promoplan.output import emit
        from promoplan.render import render

        chosen = _choose_format("check", fmt, "table")
        options = _render_options(chosen, output, units=units, quiet=quiet)
        run = run_check(
            plan,
            actuals or [],
            as_of=as_of,
            period=period,
            encoding=encoding,
            ignore=tuple(ignore or ()),
            show_progress=sys.stderr.isatty(),
        )
        emit(render(chosen, run, options), output)  # type: ignore[arg-type]  # chosen is a Format
        return exit_status(run, strict=strict)

    _guard(body)


@app.command()
def report(
    plan: Annotated[Path, typer.Argument(help="The plan file.")],
    actuals: ActualsOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluate as of this date (default: today).")
    ] = None,
    week: Annotated[
        str | None, typer.Option("--week", help="last (default), this, or 2025-W23.")
    ] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="A monthly report: last, this, or 2025-06.")
    ] = None,
    quarter: Annotated[
        str | None, typer.Option("--quarter", help="A quarterly report: last, this, or 2025-Q2.")
    ] = None,
    fmt: FormatOption = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="A file, or a directory for {plan-stem}-{period}.{ext}."
        ),
    ] = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on", help="error, warning or never (default): which alerts fail the run."
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Same as --fail-on warning.")] = False,
    ignore: IgnoreOption = None,
    units: UnitsOption = "cn",
    encoding: EncodingOption = None,
) -> None:
    """The weekly (or monthly, quarterly) report, for cron: markdown (default), html, json, csv.

    Exit 0 even when alerts fire, unless --fail-on says otherwise; 1 on plan or
    actuals errors (no report is written then); 75 when another run holds the lock.
    """

    def body() -> int:
        from promoplan.report import run_report

        chosen = _choose_format("report", fmt, "markdown")
        return run_report(
            plan,
            actuals or [],
            fmt=chosen,
            options=_render_options(chosen, output, units=units),
            as_of=as_of,
            week=week,
            month=month,
            quarter=quarter,
            output=output,
            fail_on=fail_on or ("warning" if strict else "never"),
            ignore=tuple(ignore or ()),
            encoding=encoding,
        )

    _guard(body)


@app.command()
def diff(
    old: Annotated[
        str, typer.Argument(help="The old plan: a file, or REV:path (read with git show).")
    ],
    new: Annotated[str, typer.Argument(help="The new plan: a file, or REV:path.")],
    fmt: FormatOption = None,
    output: OutputOption = None,
    ignore: IgnoreOption = None,
) -> None:
    """What a plan change does: goals, budget, quarters, alerts, and new diagnostics.

    Formats: table (default), markdown (for a pull-request comment), json.
    Exit 1 only when NEW has an error that OLD did not.
    """

    def body() -> int:
        from promoplan.diff import run_diff

        return run_diff(
            old,
            new,
            fmt=(fmt or "table").lower(),
            output=output,
            ignore=tuple(ignore or ()),
            color=(output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ),
        )

    _guard(body)


@app.command()
def schema(output: OutputOption = None) -> None:
    """Print the plan format as JSON Schema (draft 2020-12), for editors and CI."""

    def body() -> int:
        from promoplan.output import emit
        from promoplan.planschema import schema_text

        emit(schema_text(), output)
        return 0

    _guard(body)


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the starter plan.")] = Path(
        "plan.yaml"
    ),
) -> None:
    """Write a commented starter plan that validates cleanly (never overwrites a file)."""

    def body() -> int:
        from promoplan.starter import write_starter

        write_starter(path)
        typer.echo(f"wrote {path}; next: promoplan validate {path}", err=True)
        return 0

    _guard(body)


def main() -> None:
    """Console-script entry point."""
    app()
