"""Safety: a plan cannot make promoplan touch a path, run a program, or inject SQL.

* Under a Python audit hook (``audited.py``, in a subprocess), every file opened,
  listed, created or removed is a library module, one of promoplan's own
  temporary files, or a path given on the command line (and the output's
  temporary file and lock beside it), whatever paths the plan names.
* Under ``strace`` (when installed), the same holds for DuckDB, whose file access
  is C++ and invisible to audit hooks.
* No SQL text is built from plan or CSV content: a marker planted in headers,
  dimension values and the date format never reaches a query, and results stay right.
* Symlinks out of a validated directory are refused.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import site
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

import pytest

import promoplan
from clirunner import Cli
from promoplan.actuals import cellsql, engine, sql

HERE = Path(__file__).parent
ACTUALS_SRC = Path(engine.__file__).parent

# Every string a plan holds names a path; none of them may be touched.
PATH_PLAN = """\
promoplan: 1
name: /etc/passwd
period: 2025
description: "../secret.txt file:///etc/passwd $(cat /etc/passwd) `cat secret.txt`"
actuals:
  date: date
  date_format: "%Y-%m-%d/../../etc/passwd"
  dimensions: {channel: channel, origin: /etc/passwd, other: ../secret.txt}
metrics:
  gmv: {column: gmv, label: /etc/passwd, where: {origin: /etc/passwd}}
  spend: {column: /etc/passwd}
  other: {column: ../secret.txt, notes: secret.txt}
  abs: {column: SECRET}
  roi: {formula: gmv / spend}
goals:
  gmv: {metric: gmv, at_least: 100, label: "/etc/shadow", notes: "file:///etc/passwd"}
  other: {metric: other, at_least: 1}
  abs: {metric: abs, at_least: 1}
alerts:
  low: {metric: roi, by: other, below: "1:3", action: "cat /etc/passwd; rm -rf /"}
report: {kpis: [gmv, other]}
"""
# Includes and references of other files are not YAML a plan may use.
INCLUDE_PLAN = """\
promoplan: 1
name: includes
period: 2025
description: !include /etc/passwd
notes: !!python/object/apply:open ["/etc/passwd"]
$ref: /etc/passwd
metrics:
  gmv: {$ref: "file:///etc/passwd#/x", column: gmv}
  spend: !include ../secret.txt
"""
SCHEMA_REF_PLAN = """\
# yaml-language-server: $schema=/etc/passwd
promoplan: 1
name: schema reference
period: 2025
$ref: SECRET
metrics:
  gmv: {column: gmv, $ref: ../secret.txt}
"""
ACTUALS = "date,channel,gmv,spend\n2025/01/05,douyin,1,1\n2025-01-06,wecom,2,1\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """tmp/work holds the plans and actuals; tmp/secret.txt is what a plan must not reach."""
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    absolute = str(secret)
    (work / "plan.yaml").write_text(PATH_PLAN.replace("SECRET", absolute), encoding="utf-8")
    # The same without the date format that matches nothing: a report gets written.
    readable = re.sub(r"  date_format: .*\n", "", PATH_PLAN.replace("SECRET", absolute))
    (work / "paths.yaml").write_text(readable, encoding="utf-8")
    (work / "include.yaml").write_text(INCLUDE_PLAN, encoding="utf-8")
    (work / "ref.yaml").write_text(SCHEMA_REF_PLAN.replace("SECRET", absolute), encoding="utf-8")
    (work / "actuals.csv").write_text(ACTUALS, encoding="utf-8")
    (work / "out").mkdir()
    return work


# name -> (arguments, paths given on the command line, output path or None)
RUNS: dict[str, tuple[list[str], list[str], str | None]] = {
    "validate-plan": (["validate", "plan.yaml"], ["plan.yaml"], None),
    "validate-include": (
        ["validate", "include.yaml", "ref.yaml"], ["include.yaml", "ref.yaml"], None
    ),
    "validate-directory-json": (
        ["validate", ".", "-f", "json", "-o", "out/v.json"], ["."], "out/v.json"
    ),
    "check-json": (
        ["check", "plan.yaml", "--actuals", "actuals.csv", "-f", "json"],
        ["plan.yaml", "actuals.csv"],
        None,
    ),
    "check-glob-table": (
        ["check", "plan.yaml", "--actuals", "*.csv"],
        ["plan.yaml", "actuals.csv", "."],
        None,
    ),
    "check-include": (
        ["check", "include.yaml", "--actuals", "actuals.csv"],
        ["include.yaml", "actuals.csv"],
        None,
    ),
    "report-html-directory": (
        ["report", "paths.yaml", "--actuals", "actuals.csv", "--as-of", "2025-01-31",
         "-f", "html", "-o", "out"],
        ["paths.yaml", "actuals.csv"],
        "out/paths-2025-W04.html",
    ),
    "report-markdown-file": (
        ["report", "paths.yaml", "--actuals", "actuals.csv", "--as-of", "2025-01-31",
         "-o", "out/r.md"],
        ["paths.yaml", "actuals.csv"],
        "out/r.md",
    ),
    "diff": (
        ["diff", "include.yaml", "plan.yaml", "-f", "json"], ["include.yaml", "plan.yaml"], None
    ),
    "schema": (["schema", "-o", "out/schema.json"], [], "out/schema.json"),
    "init": (["init", "out/new.yaml"], [], "out/new.yaml"),
}  # fmt: skip


def library_roots() -> list[Path]:
    """Where imported modules live: the interpreter, site-packages, promoplan's source."""
    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
    roots |= {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots.add(str(Path(promoplan.__file__).parent))
    return [Path(r).resolve() for r in roots if r]


def allowed(event: list[Any], work: Path, given: list[str], output: str | None) -> bool:
    """Whether one audited event is something the run may do."""
    name, target, mode = event
    if name.startswith(("socket", "subprocess", "os.system", "os.exec", "os.posix_spawn")):
        return False
    if target.startswith("<fd"):
        return True  # an already open descriptor (os.fsync of the output directory)
    path = (work / target).resolve() if not os.path.isabs(target) else Path(target).resolve()
    if _own_temporary(path):
        return True
    if mode != "write" and any(root == path or root in path.parents for root in library_roots()):
        return True
    named = {(work / g).resolve() for g in given}
    if path in named or (mode != "write" and any(n in path.parents for n in named if n.is_dir())):
        return True
    return output is not None and _beside_output(path, (work / output).resolve())


def _own_temporary(path: Path) -> bool:
    """tempfile's probe of the temporary directory, or the engine's promoplan-* directory."""
    temp = Path(tempfile.gettempdir()).resolve()
    if path.parent == temp and re.fullmatch(r"[a-z0-9_]{8}", path.name):
        return True
    return temp in path.parents and path.relative_to(temp).parts[0].startswith("promoplan-")


def _beside_output(path: Path, out: Path) -> bool:
    """The output file, its directory, its lock, or its temporary file."""
    if path in (out, out.parent, out.with_name(out.name + ".lock")):
        return True
    temporary = rf"\.{re.escape(out.name)}\..+\.tmp"
    return path.parent == out.parent and re.fullmatch(temporary, path.name) is not None


def run_audited(work: Path, args: list[str]) -> dict[str, Any]:
    """``promoplan ARGS`` in a subprocess under the audit hook, in ``work``."""
    events = work.parent / "events.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    subprocess.run(
        [sys.executable, "-I", "-B", str(HERE / "audited.py"), str(events), *args],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    result: dict[str, Any] = json.loads(events.read_text(encoding="utf-8"))
    return result


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_plan_touches_only_the_paths_on_the_command_line(name: str, workspace: Path) -> None:
    args, given, output = RUNS[name]
    result = run_audited(workspace, args)
    assert result["status"] in (0, 1), result["status"]
    events = result["events"]
    assert events, "the audit hook saw nothing"
    bad = [e for e in events if not allowed(e, workspace, given, output)]
    assert not bad, f"touched outside the command line: {bad[:10]}"
    secret = str(workspace.parent / "secret.txt")
    assert not [e for e in events if "passwd" in e[1] or "shadow" in e[1] or e[1] == secret]
    if output is not None:
        assert (workspace / output).exists()


def test_the_audit_can_fail(workspace: Path) -> None:
    """The allow-list is not vacuous: a file the command line did not name is refused."""
    secret = str(workspace.parent / "secret.txt")
    assert not allowed(["open", secret, "read"], workspace, ["plan.yaml"], None)
    assert not allowed(["open", "/etc/passwd", "read"], workspace, [], None)
    assert not allowed(["open", "plan.yaml", "write"], workspace, ["actuals.csv"], None)
    assert not allowed(["socket.connect", "x", None], workspace, [], None)
    assert allowed(["open", "plan.yaml", "read"], workspace, ["plan.yaml"], None)


def traced_paths(line: str) -> list[str]:
    """The paths in one strace line: its quoted strings, less what readlink read.

    readlink's second string is the link's text (``python3.10`` for a venv's
    interpreter), relative to the link's folder, not to the working directory.
    """
    found: list[str] = re.findall(r'"([^"]+)"', line)
    return found[:1] if re.match(r"^\d+\s+readlink\(", line) else found


def test_traced_paths_leave_out_what_readlink_read() -> None:
    """A symlink's text is not a path the run touched; a path the run opened is."""
    assert traced_paths('7 readlink("/v/bin/python", "python3.10", 4096) = 10') == ["/v/bin/python"]
    assert traced_paths('7 openat(AT_FDCWD, "secret.txt", O_RDONLY) = 3') == ["secret.txt"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_duckdb_opens_only_the_actuals_under_strace(workspace: Path) -> None:
    """DuckDB's file access is C++: trace the system calls of a whole check run."""
    log = workspace.parent / "strace.log"
    done = subprocess.run(
        ["strace", "-f", "-qq", "-e", "trace=file", "-o", str(log),
         sys.executable, "-I", "-m", "promoplan", "check", "plan.yaml",
         "--actuals", "actuals.csv", "-f", "json"],
        cwd=workspace,
        capture_output=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    if done.returncode not in (0, 1) and not log.exists():
        pytest.skip(f"strace cannot trace here: {done.stderr.decode(errors='replace')[:200]}")
    assert json.loads(done.stdout)["plans"][0]["diagnostics"]  # the run did its work
    calls = [
        line
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
        if not re.match(r"^\d+\s+exec", line)  # argv, not a path
    ]
    touched = {p for line in calls for p in traced_paths(line)}
    root = workspace.parent.resolve()
    mine = {p for p in touched if str((workspace / p).resolve()).startswith(str(root))}
    named = {"plan.yaml", "actuals.csv", str((workspace / "actuals.csv").resolve()), "."}
    assert mine <= named | {str(workspace), str(root)}, sorted(mine - named)
    assert not [p for p in touched if Path(p).name in ("passwd", "shadow", "secret.txt")]


# --- SQL ---------------------------------------------------------------------------

MARKER = "zq'); DROP TABLE g0; --\"x"


class _Recording:
    """A DuckDB connection that records every SQL text it is given."""

    def __init__(self, con: Any, seen: list[str]) -> None:
        self._con = con
        self._seen = seen

    def execute(self, query: str, *args: Any) -> Any:
        self._seen.append(query)
        return self._con.execute(query, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def test_no_sql_text_is_built_from_plan_or_csv_content(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    connect = engine._connect
    monkeypatch.setattr(engine, "_connect", lambda *a: _Recording(connect(*a), seen))
    quoted = MARKER.replace('"', '""')
    (tmp_path / "actuals.csv").write_text(
        f'date,"{quoted}","sp{quoted}",gmv\n'
        f'2025-01-05,"{quoted}",10,100\n'
        f"2025-01-06,douyin,5,50\n"
        f'2025-01-07,"{quoted}",1,1\n',
        encoding="utf-8",
    )
    plan = f"""\
promoplan: 1
name: sql
period: 2025
actuals:
  date_format: "%Y-%m-%d{json.dumps(MARKER)[1:-1]}"
  dimensions: {{channel: {json.dumps(MARKER)}}}
metrics:
  gmv: {{column: gmv}}
  spend: {{column: {json.dumps("sp" + MARKER)}}}
  roi: {{formula: gmv / spend}}
alerts:
  low: {{metric: roi, by: channel, below: 20, severity: warning}}
"""
    (tmp_path / "plan.yaml").write_text(plan, encoding="utf-8")
    outcome = cli(
        "check", tmp_path / "plan.yaml", "--actuals", tmp_path / "actuals.csv", "-f", "json"
    )
    entry = json.loads(outcome.stdout)["plans"][0]
    assert seen, "no query was recorded"
    for query in seen:
        assert "zq" not in query, query
    # The date format with the marker matches no date: every date is PA004, computed in SQL.
    assert {d["code"] for d in entry["diagnostics"]} == {"PA004"}

    # Without the odd date format the same plan reads right: per channel, exact.
    (tmp_path / "plan.yaml").write_text(re.sub(r"  date_format: .*\n", "", plan), encoding="utf-8")
    seen.clear()
    outcome = cli(
        "check", tmp_path / "plan.yaml", "--actuals", tmp_path / "actuals.csv", "-f", "json"
    )
    entry = json.loads(outcome.stdout)["plans"][0]
    assert [d["code"] for d in entry["diagnostics"]] == []
    values = {a["group"]["channel"]: a["value"] for a in entry["alerts"]}
    assert values == {MARKER: pytest.approx(101 / 11), "douyin": 10}
    assert not [q for q in seen if "zq" in q]


def _sql_calls(tree: ast.AST) -> list[ast.expr]:
    """The SQL argument of every ``execute``, ``sql``, ``query`` and ``_run`` call."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name in ("execute", "sql", "query", "executemany"):
            found.append(node.args[0])
        elif name in ("_run", "run") and len(node.args) > 1:
            found.append(node.args[1])
    return found


# The modules that write SQL text: queries (sql), cell cleaning and quoting (cellsql),
# the checks of a file's groups (checksql).
SQL_MODULES = ("sql", "cellsql", "checksql", "cubesql")


def _built_safely(node: ast.expr) -> bool:
    """A literal, a call into a SQL module, or an f-string of those and quoted names."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        return node.id in ("query",)  # assigned from sql.*_query() (checked below)
    if isinstance(node, ast.Call):
        func = node.func
        return isinstance(func, ast.Attribute) and getattr(func.value, "id", "") in SQL_MODULES
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(part, ast.Constant) or _built_safely(part.value)
            for part in node.values
            if isinstance(part, (ast.Constant, ast.FormattedValue))
        )
    return False


def test_sql_is_made_only_from_the_sql_module_and_quoted_names() -> None:
    """A grep-style guard over src/promoplan/actuals: what a future edit must not break."""
    # The file engine and its sources; warehouse/ renders its SQL with sqlglot instead.
    for path in sorted([*ACTUALS_SRC.glob("*.py"), *ACTUALS_SRC.glob("sources/*.py")]):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for argument in _sql_calls(tree):
            assert _built_safely(argument), (
                f"{path.name}:{argument.lineno}: {ast.unparse(argument)}"
            )
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "query" for t in node.targets
            ):
                assert _built_safely(node.value), f"{path.name}:{node.lineno}"
        assert not re.search(r"""["']\s*%\s*\(""", source), f"{path.name}: %-formatting"
        assert ".format(" not in source, f"{path.name}: str.format"


def test_sql_module_sees_positions_and_parameters_only() -> None:
    """Layout holds column numbers, never header text; data values are $parameters."""
    fields = sql.Layout.__dataclass_fields__
    assert {name: str(f.type) for name, f in fields.items()} == {
        "width": "int",
        "date": "int",
        "dimensions": "tuple[int | None, ...]",
        "measures": "tuple[int | None, ...]",
        "extrema": "tuple[bool, ...]",
        "date_format": "bool",
        "kinds": "tuple[Kind, ...]",
        "row_values": "tuple[RowValue | None, ...]",
        "period": "Period",
    }
    source = (ACTUALS_SRC / "sql.py").read_text(encoding="utf-8")
    assert "$date_format" in source
    assert "$keep_from" in source


def test_quote_ident_and_sql_string_escape_their_quotes() -> None:
    assert cellsql.quote_ident(MARKER) == '"' + MARKER.replace('"', '""') + '"'
    assert cellsql.sql_string(MARKER) == "'" + MARKER.replace("'", "''") + "'"


# --- symlinks out of a validated directory ------------------------------------------


def test_validate_directory_refuses_a_link_out_of_it(cli: Cli, tmp_path: Path) -> None:
    secret = tmp_path / "secrets.yaml"
    secret.write_text("tolerance: s3cr3t\npassword: hunter2\n", encoding="utf-8")
    plans = tmp_path / "plans"
    plans.mkdir()
    (plans / "ok.yaml").write_text("promoplan: 1\nname: ok\nperiod: 2025\n", encoding="utf-8")
    (plans / "evil.yaml").symlink_to(secret)
    outcome = cli("validate", plans)
    assert outcome.exit_code == 2
    assert "outside" in outcome.stderr
    assert "s3cr3t" not in outcome.stdout + outcome.stderr
    assert "password" not in outcome.stdout + outcome.stderr
    # Named on the command line, the same file is read: the user asked for it.
    named = cli("validate", plans / "evil.yaml")
    assert named.exit_code == 1


def test_validate_directory_follows_links_that_stay_inside(cli: Cli, tmp_path: Path) -> None:
    plans = tmp_path / "plans"
    (plans / "2025").mkdir(parents=True)
    target = plans / "2025" / "plan.yaml"
    target.write_text("promoplan: 1\nname: ok\nperiod: 2025\n", encoding="utf-8")
    (plans / "current.yaml").symlink_to(target)
    outcome = cli("validate", plans, "-f", "json")
    assert outcome.exit_code == 0
    # The link and its target are one file, so one plan, under the name seen first.
    assert [p["file"] for p in json.loads(outcome.stdout)["plans"]] == [str(target)]
