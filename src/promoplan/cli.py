"""The command line: parse options, call the core, pick a renderer, return an exit status.

Command functions stay thin; heavy modules (DuckDB, renderers) are imported
inside the commands that need them so that ``validate`` starts fast.

Importing this module imports no typer. :func:`main` runs ``validate`` with plain
arguments (what CI runs on every push) on the quick path: its command line read by
:mod:`promoplan.quickargs`, then the same body as the typer command,
:func:`run_validate`. Every other run goes through :data:`app`, the typer
application, built on first use by :func:`build_app` with only the command being
run (:mod:`promoplan.clityper`).
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from promoplan import __version__
from promoplan.guard import guarded_status
from promoplan.noplugins import without_plugin_discovery
from promoplan.progress import progress_bar
from promoplan.render import ASCII_JSON_FORMATS as JSON_FORMATS

if TYPE_CHECKING:
    import typer

    from promoplan import cliopts as opts
    from promoplan.render import Format, RenderedCommand, RenderOptions

    app: typer.Typer  # built by build_app() when first asked for (see __getattr__)


# Before anything imports pydantic: no plugin discovery (see promoplan.noplugins).
without_plugin_discovery()

_DEBUG = False


def _version(value: bool) -> None:
    import typer  # the typer path only

    if value:
        typer.echo(f"promoplan {__version__}")
        raise typer.Exit(0)


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
    """Run a command body; its exit status, 2 for usage problems, 3 (one line) for bugs."""
    import typer  # the typer path only

    raise typer.Exit(guarded_status(action, debug=_DEBUG, passthrough=(typer.Exit,)))


def _choose_format(command: RenderedCommand, fmt: str | None, default: Format) -> Format:
    from promoplan.render import choose_format

    return choose_format(
        command, fmt, default, github_actions=os.environ.get("GITHUB_ACTIONS") == "true"
    )


def _render_options(fmt: Format, output: object | None, **flags: Any) -> RenderOptions:
    """How to render ``fmt``, to stdout when ``output`` is None; ``flags``: units, quiet,
    strict (:func:`promoplan.render.options.options_for_stdout`)."""
    from promoplan.render.options import options_for_stdout

    return options_for_stdout(fmt, to_stdout=output is None, **flags)


def run_validate(
    paths: Sequence[Path],
    *,
    fmt: str | None,
    output: str | None,
    strict: bool,
    quiet: bool,
    ignore: Sequence[str] | None,
) -> int:
    """``validate``'s body, on the typer path and the quick path alike: its exit status."""
    from promoplan.commands.validate import validate_paths
    from promoplan.diagnostics import ignore_codes
    from promoplan.exitstatus import exit_status
    from promoplan.output import emit, output_file
    from promoplan.render import render

    target = output_file(output)
    chosen = _choose_format("validate", fmt, "table")
    run = validate_paths(paths, ignore=ignore_codes(ignore))
    text = render(chosen, run, _render_options(chosen, target, quiet=quiet, strict=strict))
    emit(text, target, json=chosen in JSON_FORMATS)
    return exit_status(run, strict=strict)


def validate(
    paths: opts.PlanPathsArgument,
    fmt: opts.ValidateFormatOption = None,
    output: opts.OutputOption = None,
    strict: opts.StrictOption = False,
    quiet: opts.QuietOption = False,
    ignore: opts.IgnoreOption = None,
) -> None:
    """Check plans on their own (schema and semantics), without actuals.

    Exit 0: no errors; 1: errors (or warnings with --strict); 2: could not run.
    """
    _guard(
        lambda: run_validate(
            paths, fmt=fmt, output=output, strict=strict, quiet=quiet, ignore=ignore
        )
    )


def check(
    plan: opts.PlanArgument,
    actuals: opts.ActualsOption = None,
    as_of: opts.AsOfOption = None,
    period: opts.PeriodOption = None,
    fmt: opts.CheckFormatOption = None,
    output: opts.OutputOption = None,
    strict: opts.StrictOption = False,
    quiet: opts.QuietOption = False,
    ignore: opts.IgnoreOption = None,
    units: opts.UnitsOption = None,
    encoding: opts.EncodingOption = None,
    timeout: opts.TimeoutOption = None,
) -> None:
    """Progress against the plan: goals, pacing, budget burn and alerts with actions.

    Exit 1 when any error diagnostic or error alert is present.
    """

    def body() -> int:
        from promoplan.actuals.warehouse import parse_timeout
        from promoplan.commands.check import run_check
        from promoplan.diagnostics import ignore_codes
        from promoplan.exitstatus import exit_status
        from promoplan.output import emit, output_file
        from promoplan.render import prepare, render

        target = output_file(output)
        chosen = _choose_format("check", fmt, "table")
        options = _render_options(chosen, target, units=units, quiet=quiet, strict=strict)
        with progress_bar() as progress:
            run = run_check(
                plan,
                actuals or [],
                as_of=as_of,
                period=period,
                encoding=encoding,
                ignore=ignore_codes(ignore),
                progress=progress,
                timeout=parse_timeout(timeout),
                prepare=lambda: prepare(chosen, options),
            )
        emit(render(chosen, run, options), target, json=chosen in JSON_FORMATS)
        return exit_status(run, strict=strict)

    _guard(body)


def report(
    plan: opts.PlanArgument,
    actuals: opts.ActualsOption = None,
    as_of: opts.ReportAsOfOption = None,
    week: opts.WeekOption = None,
    month: opts.MonthOption = None,
    quarter: opts.QuarterOption = None,
    fmt: opts.ReportFormatOption = None,
    output: opts.ReportOutputOption = None,
    fail_on: opts.FailOnOption = None,
    strict: opts.ReportStrictOption = False,
    ignore: opts.IgnoreOption = None,
    units: opts.UnitsOption = None,
    encoding: opts.EncodingOption = None,
    timeout: opts.TimeoutOption = None,
    notify: opts.NotifyOption = None,
    link: opts.LinkOption = None,
    notify_optional: opts.NotifyOptionalOption = False,
    dry_run: opts.DryRunOption = False,
) -> None:
    """The weekly (or monthly, quarterly) report, for cron.

    Exit 0 even when alerts fire, unless --fail-on says otherwise; 1 on plan or
    actuals errors (no report is written then); 4 when the report was written but
    a notification failed (unless --notify-optional); 75 when another run holds the lock.
    """

    def body() -> int:
        from promoplan.actuals.warehouse import parse_timeout
        from promoplan.commands import report as command
        from promoplan.diagnostics import ignore_codes
        from promoplan.output import emit, output_lock, output_place, write_to
        from promoplan.render import render
        from promoplan.render.findings import diagnostic_listing, severity_words
        from promoplan.render.text import neutralise_workflow_commands

        place, directory = output_place(output)
        request = None
        if notify or link or notify_optional or dry_run:
            from promoplan.notify.config import parse_request

            request = parse_request(
                notify or [], link=link, optional=notify_optional, dry_run=dry_run
            )
        chosen = _choose_format("report", fmt, "markdown")
        options = _render_options(chosen, place, units=units)
        job = command.prepare(
            plan,
            actuals or [],
            fmt=chosen,
            as_of=as_of,
            week=week,
            month=month,
            quarter=quarter,
            output=place,
            output_directory=directory,
            fail_on=fail_on or ("warning" if strict else "never"),
        )
        targets = None
        if request is not None and job.loaded.plan is not None and job.window is not None:
            from promoplan.notify.run import plan_notifications

            # A notify setting that cannot work stops the run here, before the read (exit 2).
            targets = plan_notifications(
                request, job.loaded.plan.notify, to_file=job.target is not None
            )
        # The lock is held from before the read until the report is in place.
        with output_lock(job.target), progress_bar() as progress:
            outcome = command.evaluate_report(
                job,
                ignore=ignore_codes(ignore),
                encoding=encoding,
                progress=progress,
                timeout=parse_timeout(timeout),
            )
            if outcome.run is None:
                listing = diagnostic_listing(outcome.failures, job.loaded.file)
                sys.stderr.write(neutralise_workflow_commands(listing))
                sys.stderr.write(
                    f"promoplan: no report written ({severity_words(outcome.failures)})\n"
                )
                return 1
            text = render(chosen, outcome.run, options)
            if job.target is None:
                emit(text, None, json=chosen == "json")
            else:
                write_to(job.target, text.encode("utf-8"))
        result = outcome.run.plans[0]
        sys.stderr.write(neutralise_workflow_commands(command.report_notice(result, job)))
        if request is not None and targets is not None:
            from promoplan.notify.run import NOTIFY_FAILED, send_notifications

            # After the report is in place: a failed notification never loses it.
            sent = send_notifications(
                request, targets, result, report_file=job.target, options=options
            )
            if not sent:
                return NOTIFY_FAILED
        return command.report_exit_status(result, job.fail_on)

    _guard(body)


def diff(
    old: opts.OldPlanArgument,
    new: opts.NewPlanArgument,
    fmt: opts.DiffFormatOption = None,
    output: opts.OutputOption = None,
    ignore: opts.IgnoreOption = None,
) -> None:
    """What a plan change does: goals, budget, quarters, alerts, and new diagnostics.

    markdown suits a pull-request comment. Exit 1 only when NEW has an error that OLD did not.
    """

    def body() -> int:
        from promoplan.commands.diff import diff_exit_status, run_diff
        from promoplan.diagnostics import ignore_codes
        from promoplan.output import emit, output_file
        from promoplan.render import render_diff

        target = output_file(output)
        chosen = _choose_format("diff", fmt, "table")
        result = run_diff(old, new, ignore=ignore_codes(ignore))
        text = render_diff(chosen, result, _render_options(chosen, target))
        emit(text, target, json=chosen == "json")
        return diff_exit_status(result)

    _guard(body)


def schema(output: opts.OutputOption = None) -> None:
    """Print the plan format as JSON Schema (draft 2020-12), for editors and CI."""

    def body() -> int:
        from promoplan.commands.schema import run_schema
        from promoplan.output import emit, output_file

        emit(run_schema(), output_file(output), json=True)
        return 0

    _guard(body)


def init(
    path: opts.InitPathArgument = None,
    tests: opts.InitTestsOption = None,
) -> None:
    """Write a commented starter plan, or starter tests for a plan (never overwrites a file)."""

    def body() -> int:
        from promoplan.commands.init import run_init

        run_init(path, tests=tests).emit()
        return 0

    _guard(body)


def plan_test(
    paths: opts.TestPathsArgument,
    run: opts.TestRunOption = None,
    fmt: opts.TestFormatOption = None,
    output: opts.OutputOption = None,
) -> None:
    """Unit-test a plan's alert rules, goals and budget against fixture data.

    Exit 0: every test passed; 1: a test failed; 2: a test file is broken or could not run.
    """

    def body() -> int:
        from promoplan.commands.test import run_test
        from promoplan.output import emit, output_file
        from promoplan.render import render_test

        target = output_file(output)
        chosen = _choose_format("test", fmt, "table")
        tested = run_test(paths, select=run)
        emit(
            render_test(chosen, tested, _render_options(chosen, target)),
            target,
            json=chosen == "json",
        )
        return tested.exit_status

    _guard(body)


def build_app() -> typer.Typer:
    """The typer application: every command and its options (what tests run, too)."""
    import typer  # the typer path only

    from promoplan import cliopts
    from promoplan.clityper import PromoplanCommand, PromoplanGroup, PromoplanTyper

    # The commands' annotations are strings (PEP 563) that typer evaluates in this
    # module's namespace when it builds a command. The names they use, typer and the
    # options (promoplan.cliopts, as ``opts``), are bound here, so that importing this
    # module imports no typer.
    namespace = globals()
    namespace["typer"] = typer
    namespace["opts"] = cliopts
    application = PromoplanTyper(
        name="promoplan",
        help="Validate promotion plans (YAML) and track them against actuals: "
        "CSV, Excel, Parquet or a database.",
        cls=PromoplanGroup,
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    application.callback()(_main)
    for command in (validate, check, report, diff, schema, init):
        application.command(cls=PromoplanCommand)(command)
    application.command("test", cls=PromoplanCommand)(plan_test)
    return application


def __getattr__(name: str) -> Any:
    """``app``, the typer application, built the first time it is asked for (PEP 562)."""
    if name == "app":
        application = build_app()
        globals()["app"] = application
        return application
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Run the CLI in this process as it is: no signal handlers, no stream checks.

    ``validate`` with plain arguments takes the quick path (no typer); every other
    run, the typer application. The console script's entry point is
    :func:`promoplan.process.main`, which sets up signals and streams first.
    """
    quick = None
    if "validate" in sys.argv[1:]:  # no other command line can be validate's: no quick reader
        from promoplan.quickargs import parse_validate

        quick = parse_validate(sys.argv[1:], os.environ)
    if quick is None:
        __getattr__("app")()
        return
    paths = [Path(path) for path in quick.paths]
    try:
        status = guarded_status(
            lambda: run_validate(
                paths,
                fmt=quick.fmt,
                output=quick.output,
                strict=quick.strict,
                quiet=quick.quiet,
                ignore=quick.ignore,
            ),
            debug=quick.debug,
        )
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        _broken_pipe()
    sys.exit(status)


def _broken_pipe() -> None:
    """As typer ends a run whose message met a closed pipe: exit 1, quietly."""
    from typer._click.utils import PacifyFlushWrapper  # typer's own, for the same end

    sys.stdout = PacifyFlushWrapper(sys.stdout)
    sys.stderr = PacifyFlushWrapper(sys.stderr)
    sys.exit(1)
