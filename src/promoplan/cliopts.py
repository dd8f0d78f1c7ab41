"""The commands' options, as typer annotations (one help text each): the ones several
commands share, and ``report``'s own.

Imported by :func:`promoplan.cli.build_app` only, on the typer path: the quick path
of ``validate`` imports no typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from promoplan.render import format_help

__all__ = [
    "ActualsOption",
    "AsOfOption",
    "CheckFormatOption",
    "DiffFormatOption",
    "DryRunOption",
    "EncodingOption",
    "FailOnOption",
    "IgnoreOption",
    "InitPathArgument",
    "InitTestsOption",
    "LinkOption",
    "MonthOption",
    "NewPlanArgument",
    "NotifyOption",
    "NotifyOptionalOption",
    "OldPlanArgument",
    "OutputOption",
    "PeriodOption",
    "PlanArgument",
    "PlanPathsArgument",
    "QuarterOption",
    "QuietOption",
    "ReportAsOfOption",
    "ReportFormatOption",
    "ReportOutputOption",
    "ReportStrictOption",
    "StrictOption",
    "TestFormatOption",
    "TestPathsArgument",
    "TestRunOption",
    "TimeoutOption",
    "UnitsOption",
    "ValidateFormatOption",
    "WeekOption",
]

OutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write to this file (atomically; a FIFO or device directly); - for stdout.",
    ),
]
StrictOption = Annotated[bool, typer.Option("--strict", help="Warnings fail too (exit 1).")]
QuietOption = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="table: print nothing but what fails the run (errors; warnings too with --strict).",
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Leave out diagnostics of this code (repeatable)."),
]
UnitsOption = Annotated[
    str | None,
    typer.Option(
        "--units",
        help="Money and counts with 万/亿 (cn) or k/M/B (intl); default: the plan's units:, "
        "else cn for CNY and intl for other currencies.",
    ),
]
ActualsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--actuals",
        "-a",
        help="Actuals file or glob (CSV, compressed CSV, Excel, Parquet; repeatable), "
        "or one database source: postgresql://user@host/db?table=t, sc://host:15002?table=t, "
        "duckdb:///f.duckdb?table=t. "
        "A file named twice is read once; days two files share count once, from the later file. "
        "A database query's SQL is kept in ~/.cache/promoplan (PROMOPLAN_NO_CACHE=1: not kept).",
    ),
]
TimeoutOption = Annotated[
    str | None,
    typer.Option(
        "--timeout",
        help="Statement timeout for database sources: 90s, 10m (default), 1h; 596h at most.",
    ),
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


# report's own options.
ReportAsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this date (default: today).")
]
WeekOption = Annotated[
    str | None, typer.Option("--week", help="last (default), this, or 2025-W23.")
]
MonthOption = Annotated[
    str | None, typer.Option("--month", help="A monthly report: last, this, or 2025-06.")
]
QuarterOption = Annotated[
    str | None, typer.Option("--quarter", help="A quarterly report: last, this, or 2025-Q2.")
]
ReportOutputOption = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="A file, or a directory for {plan-stem}-{period}.{ext} (a trailing '/' creates it).",
    ),
]
ReportStrictOption = Annotated[bool, typer.Option("--strict", help="Same as --fail-on warning.")]
FailOnOption = Annotated[
    str | None,
    typer.Option("--fail-on", help="error, warning or never (default): which alerts fail the run."),
]
NotifyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--notify",
        help="After writing, post the summary to: plan (the plan's notify: list), wecom, "
        "dingtalk, feishu, slack, webhook (URL in $PROMOPLAN_<KIND>_WEBHOOK), or "
        "KIND:PREFIX ($PREFIX_WEBHOOK). Repeatable.",
    ),
]
LinkOption = Annotated[
    str | None,
    typer.Option(
        "--link", help="URL of the full report in the message; {file} and {period} filled in."
    ),
]
NotifyOptionalOption = Annotated[
    bool,
    typer.Option(
        "--notify-optional", help="A failed notification does not change the exit status."
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="Print each notification's payload (secrets masked); send none."
    ),
]


# Each command's plan argument, window and --format.
PlanArgument = Annotated[Path, typer.Argument(help="The plan file.")]
PlanPathsArgument = Annotated[
    list[Path], typer.Argument(help="Plan files or directories (every *.yaml/*.yml below).")
]
PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Window: ytd (default), qtd, mtd, last-week, Q2, 2025, 2025-Q2, 2025-06, 2025-W23.",
    ),
]
ValidateFormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help=format_help("validate", "table"))
]
CheckFormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help=format_help("check", "table"))
]
ReportFormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help=format_help("report", "markdown"))
]
DiffFormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help=format_help("diff", "table"))
]
TestFormatOption = Annotated[
    str | None, typer.Option("--format", "-f", help=format_help("test", "table"))
]


# diff's, init's and test's arguments.
OldPlanArgument = Annotated[
    str, typer.Argument(help="The old plan: a file, or REV:path (read with git show).")
]
NewPlanArgument = Annotated[str, typer.Argument(help="The new plan: a file, or REV:path.")]
InitPathArgument = Annotated[
    str | None,
    typer.Argument(
        help="Where to write (default plan.yaml; tests/STEM.test.yaml); - for stdout.",
        metavar="path",
    ),
]
InitTestsOption = Annotated[
    Path | None, typer.Option("--tests", help="Write starter tests for this plan instead.")
]
TestPathsArgument = Annotated[list[Path], typer.Argument(help="Test files or directories of them.")]
TestRunOption = Annotated[str | None, typer.Option("--run", help="Only tests matching this regex.")]
