"""Warehouse actuals: ``check`` from PostgreSQL vs from the same data as CSV vs bare ``psql``.

    python bench/warehouse.py [--rows 1000000] [--10m] [--repeat 5] [--before REV]

Starts a throwaway PostgreSQL (as the tests do), fills a table of order-level
rows of the example plan's shape with ``generate_series`` (deterministic),
exports it as CSV, then times, side by side and interleaved in each of
``--repeat`` rounds: the whole ``promoplan check`` reading PostgreSQL, the
whole ``promoplan check`` reading the CSV, and ``psql`` running the bare cube
query promoplan sends (the dates inlined), once with the server's settings and
once with the ``work_mem`` promoplan sets for its transaction, and a Python
client that does nothing but import psycopg, connect, run that same query and
fetch its rows: the least any Python tool using psycopg takes. The medians
count; the ratios to ``psql`` are the figures. ``check`` finds the cube query
it rendered in the first round kept (as a daily run does; in a cache of the
bench's own), so it imports no sqlglot; the same with ``PROMOPLAN_NO_CACHE=1``
renders it in every run. With ``--before REV`` (a git revision), ``check``
from PostgreSQL of promoplan's ``src/`` as of REV runs in the same rounds too,
beside the current one.

Where ``check`` from PostgreSQL spends its time is split in the same rounds,
from its own run (marks placed in a child running it): until the cube query is
sent (Python, the CLI, the plan, psycopg, connecting, the catalog, the kept SQL),
the query until its rows are in (the server; promoplan imports its evaluation
and its renderer meanwhile), and after the rows (the cube, evaluating,
writing). Then its parts measured apart: Python's start-up (``python -c
pass``), importing the CLI and the check command, then psycopg, then sqlglot
and rendering (what a run that renders the query afresh adds)
(child processes importing one more each: what it adds where the others are
loaded already), and in process: connecting, the catalog and the cube query
through psycopg (execute and fetch), and turning its rows into the cube
(``assemble``). Every figure is a median; a first round, not counted, writes
the bytecode and warms the caches. "client CPU s" is the CPU time of the
child processes (psql's, promoplan's; not the server's), which the load of a
shared machine stretches less than the wall time; "server CPU s" is the CPU
time of the server's processes meanwhile (the backend and its parallel
workers, read from /proc). Client and server share the machine's cores, so
their CPU seconds over the cores is the least time a run can take however
well the two overlap; that floor is printed too, with the most CPU
promoplan's client may spend for 1.3x psql's floor.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "tests" / "warehouse"), str(HERE)]

import pgserver  # noqa: E402  # tests/warehouse/pgserver.py: the tests' throwaway server
import psycopg  # noqa: E402  # the postgres extra
from actuals import rows_plan  # noqa: E402  # bench/actuals.py: the example plan as grain: rows
from cardinality import before_tree  # noqa: E402  # bench/cardinality.py: src/ of a revision

from promoplan.actuals.model import Actuals, ActualsSpec  # noqa: E402
from promoplan.actuals.warehouse import cube, postgres  # noqa: E402
from promoplan.actuals.warehouse.columns import plan_query  # noqa: E402
from promoplan.actuals.warehouse.query import render  # noqa: E402
from promoplan.actuals.warehouse.urls import WarehouseUrl, parse_url  # noqa: E402
from promoplan.inputs import actuals_spec  # noqa: E402
from promoplan.loader import load_plan  # noqa: E402

_FILL = """
CREATE TABLE public.orders AS
SELECT DATE '2024-01-01' + (i * 7919 % 731)::int AS date,
       (ARRAY['douyin','kuaishou','wecom','xiaohongshu_koc','search','zhitongche',
              'wechat_group','mini_program'])[1 + (i * 31 % 8)] AS channel,
       ((i * 104729) % 500000 / 100.0)::numeric(12, 2) AS gmv,
       ((i * 15485863) % 80000 / 100.0)::numeric(12, 2) AS spend,
       (i * 7 % 40)::int AS uv,
       (1 + i % 3)::int AS orders,
       (i % 2)::int AS new_customer_orders,
       CASE WHEN i % 3 = 0 THEN ((i * 104729) % 500000 / 100.0)::numeric(12, 2) ELSE 0 END
           AS member_gmv,
       CASE WHEN i % 500 = 0 THEN 20 + i % 60 END::numeric AS nps,
       (CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END)::int AS ugc_posts,
       (i / 7 % 2)::int AS new_users,
       (CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END)::int AS wecom_adds
FROM generate_series(1::bigint, %(rows)s) AS i
"""


def child_envs(tmp: Path, before: str | None) -> tuple[dict[str, str], dict[str, str] | None]:
    """The environments of the children: this tree's, and ``--before``'s when given.

    Every child writes and reads bytecode, in a cache of its tree's own, or each
    run would compile promoplan's modules again.
    """

    def bytecode(env: dict[str, str], cache: Path) -> dict[str, str]:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("PROMOPLAN_NO_CACHE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
        env["PROMOPLAN_CACHE_DIR"] = str(cache / "promoplan")  # the rendered SQL kept
        return env

    now = bytecode(dict(os.environ), tmp / "pyc-now")
    if before is None:
        return now, None
    src = before_tree(before, tmp)
    return now, bytecode({**os.environ, "PYTHONPATH": str(src)}, tmp / "pyc-before")


def _ticks(pid: int) -> int:
    """CPU clock ticks of ``pid`` and of its children it has reaped (utime, stime, cutime,
    cstime of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15])


class ServerCpu:
    """The CPU seconds PostgreSQL spends: its postmaster and every process under it.

    A backend and its parallel workers are the postmaster's children; once one
    exits, the postmaster reaps it and its time joins the postmaster's children's
    times. Read before and after a run (whose backends have exited by then), the
    difference is the server's CPU for the run (plus its background processes'
    small share). Zero where /proc cannot be read.
    """

    def __init__(self, data: Path) -> None:
        self.pid = int((data / "postmaster.pid").read_text().split()[0])
        self.hertz = os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        """The CPU seconds so far."""
        try:
            ticks = _ticks(self.pid)
            for child in Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split():
                with contextlib.suppress(OSError):  # gone meanwhile: reaped into the above
                    ticks += _ticks(int(child))
        except OSError:
            return 0.0
        return ticks / self.hertz


def timed(run: Callable[[], object], server: ServerCpu) -> tuple[float, float, float]:
    """The wall time of one run, the CPU time (user and system) of its child processes
    (promoplan's own work, which the load of a shared machine stretches less than the
    wall), and the CPU time of the server's processes meanwhile."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    served = server.seconds()
    start = time.perf_counter()
    run()
    wall = time.perf_counter() - start
    time.sleep(0.05)  # the postmaster reaps the run's backend and workers
    served = server.seconds() - served
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, served


class Recorder(Protocol):
    """A run that records figures of its own across the rounds."""

    def clear(self) -> None:
        """Forget what was recorded."""


def interleaved(
    runs: dict[str, Callable[[], object]],
    repeat: int,
    recorders: Sequence[Recorder],
    server: ServerCpu,
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Each run once per round, ``repeat`` rounds after one not counted (the load of the
    moment hits all alike): the median wall seconds, client CPU seconds and server CPU
    seconds of each."""
    samples: dict[str, list[tuple[float, float, float]]] = {label: [] for label in runs}
    for step in runs.values():  # a round not counted: bytecode written, caches warm
        step()
    for recorder in recorders:  # what the runs record themselves starts again
        recorder.clear()
    for _ in range(repeat):
        for label, step in runs.items():
            samples[label].append(timed(step, server))
    walls, cpu, served = (
        {label: statistics.median(sample[i] for sample in v) for label, v in samples.items()}
        for i in range(3)
    )
    return walls, cpu, served


def rows_spec() -> ActualsSpec:
    """What the rows plan reads."""
    plan = load_plan(rows_plan()).plan
    assert plan is not None
    return actuals_spec(plan)


def bare_query(url: str) -> str:
    """The cube query promoplan sends for the rows plan, with its dates written in."""

    spec = rows_spec()
    parsed = parse_url(url)
    with psycopg.connect(
        host="127.0.0.1", port=parsed.port, user="postgres", dbname="promoplan"
    ) as c:
        columns = tuple(
            c.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = 'public.orders'::regclass AND attnum > 0 ORDER BY attnum"
            ).fetchall()
        )
    planned = plan_query(parsed, spec, columns)
    assert planned.query is not None
    rendered = render(planned.query, "postgres")
    text = rendered.sql
    assert isinstance(rendered.parameters, dict)
    for name, value in rendered.parameters.items():
        assert isinstance(value, dt.date)
        text = text.replace(f"%({name})s", f"DATE '{value.isoformat()}'")
    return text.replace("%%", "%")


def main(argv: list[str] | None = None) -> int:
    """Start the server, load, time the three, print them with ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--10m", dest="ten", action="store_true", help="10 million rows")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", default=None, help="also time check of this git revision")
    args = parser.parse_args(argv)
    rows = 10_000_000 if args.ten else args.rows
    bindir = pgserver.binaries()
    if bindir is None:
        print("no PostgreSQL binaries (initdb, pg_ctl); set PG_BIN", file=sys.stderr)
        return 2
    server = pgserver.start_server(bindir)
    try:
        with tempfile.TemporaryDirectory(prefix="promoplan-bench-") as tmp:
            os.environ["PROMOPLAN_CACHE_DIR"] = str(Path(tmp) / "cache")  # read in process
            csv_file = Path(tmp) / "orders.csv"
            with psycopg.connect(server.dsn(), autocommit=True) as conn:
                start = time.perf_counter()
                conn.execute(_FILL.replace("%(rows)s", str(int(rows))))
                conn.execute("VACUUM ANALYZE public.orders")
                loaded = time.perf_counter() - start
                export = "COPY public.orders TO STDOUT WITH (FORMAT csv, HEADER)"
                with csv_file.open("wb") as out, conn.cursor() as cur, cur.copy(export) as copy:
                    for chunk in copy:
                        out.write(chunk)
            url = server.url("public.orders")
            plan = str(rows_plan())
            arguments = ["check", plan, "--as-of", "2025-06-29", "--format", "json"]
            check = [sys.executable, "-m", "promoplan", *arguments]

            now_env, before_env = child_envs(Path(tmp), args.before)

            def run(argv: list[str], env: dict[str, str] | None = None) -> None:
                done = subprocess.run(argv, capture_output=True, check=False, env=env or now_env)
                if done.returncode > 1:
                    raise RuntimeError(done.stderr.decode(errors="replace"))

            query = bare_query(url)
            psql = [str(bindir / "psql"), "-X", "-q", "-h", "127.0.0.1", "-p", str(server.port),
                    "-U", "postgres", "-d", "promoplan", "-o", os.devnull, "-c", query]  # fmt: skip
            steps = Steps(parse_url(url), rows_spec())
            envs = {"now": now_env, "before": before_env}
            phases = {t: Phases([*arguments, "-a", url], e) for t, e in envs.items() if e}
            python = [sys.executable, "-c"]
            tuned = {**now_env, "PGOPTIONS": f"-c work_mem={postgres.WORK_MEM_KB}kB"}
            runs: dict[str, Callable[[], object]] = {
                "psql, the bare GROUP BY": lambda: run(psql),
                "psql, with promoplan's work_mem": lambda: run(psql, tuned),
                "check from PostgreSQL": lambda: run([*check, "-a", url]),
                UNKEPT: lambda: run([*check, "-a", url], {**now_env, "PROMOPLAN_NO_CACHE": "1"}),
                **(
                    {BEFORE: lambda: run([*check, "-a", url], before_env)}
                    if before_env is not None
                    else {}
                ),
                "check from CSV": lambda: run([*check, "-a", str(csv_file)]),
                PSYCOPG_ALONE: lambda: run([*python, PSYCOPG_CLIENT, server.dsn(), query]),
                "python -c pass": lambda: run([*python, "pass"]),
                "+ import the CLI and check": lambda: run([*python, IMPORT_CLI]),
                "+ import psycopg": lambda: run([*python, f"{IMPORT_CLI}; import psycopg"]),
                "+ import sqlglot, render": lambda: run(
                    [*python, f"{IMPORT_CLI}; import psycopg; {IMPORT_SQLGLOT}"]
                ),
                "read from PostgreSQL": steps.read,
                **{f"phases, {tree}": p.run for tree, p in phases.items()},
            }
            timings, cpu, served = interleaved(
                runs, args.repeat, [steps, *phases.values()], ServerCpu(server.data)
            )
            for label in ("connect, catalog, query, fetch", "assemble the cube"):
                timings[label] = statistics.median(steps.parts[label])
            split = {tree: p.medians() for tree, p in phases.items()}
            cube_rows = steps.cube_rows
            size = csv_file.stat().st_size
    finally:
        pgserver.remove(server)
    report(timings, cpu, served, split, rows, loaded, size, cube_rows, args.repeat)
    return 0


def floor(timings: dict[str, float], cpu: dict[str, float], served: dict[str, float]) -> None:
    """The least time the machine's cores allow: client and server share them (loopback),
    so a run takes at least its client's and the server's CPU seconds over the cores,
    however well the two overlap. Printed with the ratio to psql's least, and the most
    CPU promoplan's client may take for 1.3x psql's least."""
    cores = os.cpu_count() or 1
    psql, check = "psql, the bare GROUP BY", "check from PostgreSQL"
    least = {label: (cpu[label] + served[label]) / cores for label in (psql, check)}
    print(f"the least time {cores} cores allow, (client CPU + server CPU) / {cores}:")
    for label, seconds in least.items():
        print(f"  {label:38} {seconds:8.2f} {seconds / least[psql]:7.2f}")
    budget = 1.3 * least[psql] * cores - served[check]
    print(f"  for 1.3x, promoplan's client CPU at most {budget:.2f} s (it took {cpu[check]:.2f})")


IMPORT_CLI = "import promoplan.cli, promoplan.commands.check"
# The least any Python client using psycopg takes: start, import psycopg, connect, run
# the bare query (the one psql runs) and fetch its rows, nothing else.
PSYCOPG_ALONE = "python + psycopg, the bare query"
PSYCOPG_CLIENT = (
    "import sys, psycopg; "
    "conn = psycopg.connect(sys.argv[1]); conn.execute(sys.argv[2]).fetchall(); conn.close()"
)
BEFORE = "check from PostgreSQL, --before"
UNKEPT = "the same, SQL rendered afresh"  # PROMOPLAN_NO_CACHE=1: sqlglot imported
IMPORT_SQLGLOT = (
    "from sqlglot import exp; "
    "exp.select(exp.column('a', quoted=True)).from_('t').sql(dialect='postgres')"
)


# ``check`` in a child with marks at the moments that split its time: the cube query
# sent (rendered; it is sent next), its rows back (assembling the cube), the output
# written. The postgres module is imported first to place the marks: its imports
# (sqlglot) come before the query either way.
PHASES = """
import json, sys, time
start = time.perf_counter()
marks = {}
from promoplan import output
from promoplan.actuals.warehouse import postgres

def marked(module, name, label, after):
    original = getattr(module, name)
    def call(*args, **kwargs):
        if not after:
            marks[label] = time.perf_counter() - start
        result = original(*args, **kwargs)
        if after:
            marks[label] = time.perf_counter() - start
        return result
    setattr(module, name, call)

# (render, in revisions before the SQL was kept between runs)
marked(postgres, "rendered" if hasattr(postgres, "rendered") else "render", "sent", True)
marked(postgres, "assemble", "rows", False)
marked(output, "emit", "end", True)
import atexit
atexit.register(lambda: print(json.dumps(marks), file=sys.stderr))
sys.argv = ["promoplan", *sys.argv[1:]]
from promoplan.process import main
main()
"""


class Phases:
    """``check`` from PostgreSQL with the marks of :data:`PHASES`, per round."""

    def __init__(self, argv: list[str], env: dict[str, str] | None) -> None:
        self.argv, self.env = argv, env
        self.marks: list[dict[str, float]] = []

    def clear(self) -> None:
        """Forget what was recorded."""
        self.marks.clear()

    def run(self) -> None:
        """One check; its marks recorded."""
        done = subprocess.run(
            [sys.executable, "-c", PHASES, *self.argv],
            capture_output=True,
            check=False,
            env=self.env,
        )
        if done.returncode > 1:
            raise RuntimeError(done.stderr.decode(errors="replace"))
        self.marks.append(json.loads(done.stderr.decode().splitlines()[-1]))

    def medians(self) -> dict[str, float]:
        """Seconds before the query is sent, waiting for its rows, and after them."""
        parts = {
            "until the cube query is sent": [m["sent"] for m in self.marks],
            "the query, until its rows are in": [m["rows"] - m["sent"] for m in self.marks],
            "after: the cube, evaluating, output": [m["end"] - m["rows"] for m in self.marks],
        }
        return {label: statistics.median(values) for label, values in parts.items()}


class Steps:
    """``read_actuals`` from PostgreSQL in process, with its query and assembly timed apart."""

    def __init__(self, url: WarehouseUrl, spec: ActualsSpec) -> None:
        self.url, self.spec = url, spec
        self.parts: dict[str, list[float]] = {
            "connect, catalog, query, fetch": [],
            "assemble the cube": [],
        }
        self.cube_rows = 0

    def clear(self) -> None:
        """Forget what was recorded."""
        for values in self.parts.values():
            values.clear()

    def read(self) -> None:
        """One read, the two parts recorded (assemble wrapped, the query is the rest of _read)."""
        original = cube.assemble
        spent: dict[str, float] = {}

        def assemble(*given: Any, **named: Any) -> Actuals:
            start = time.perf_counter()
            result = original(*given, **named)
            spent["assemble"] = time.perf_counter() - start
            return result

        postgres.assemble = assemble  # type: ignore[attr-defined,assignment]  # timed
        try:
            start = time.perf_counter()
            actuals = postgres.read(self.url, self.spec, timeout=600)
            total = time.perf_counter() - start
        finally:
            postgres.assemble = original  # type: ignore[attr-defined]
        self.parts["assemble the cube"].append(spent["assemble"])
        self.parts["connect, catalog, query, fetch"].append(total - spent["assemble"])
        self.cube_rows = len(actuals.cube.rows)


def report(  # noqa: PLR0917  # what one run measured
    timings: dict[str, float],
    cpu: dict[str, float],
    served: dict[str, float],
    split: dict[str, dict[str, float]],
    rows: int,
    loaded: float,
    size: int,
    cube_rows: int,
    repeat: int,
) -> None:
    """The figures, with ratios to psql, and check's time broken down; ``cpu``: the client's
    CPU seconds of each (psql's own, promoplan's; not the server's)."""
    bare = timings["psql, the bare GROUP BY"]
    print(f"{rows:,} rows (table filled in {loaded:.1f} s; CSV {size / 2**20:.0f} MiB); "
          f"cube {cube_rows:,} rows; medians of {repeat} interleaved rounds")  # fmt: skip
    print(f"{'':32} {'seconds':>8} {'x psql':>7} {'x tuned':>7} {'client CPU s':>13} "
          f"{'server CPU s':>13}")  # fmt: skip
    tuned = timings["psql, with promoplan's work_mem"]
    for label in (
        "psql, the bare GROUP BY",
        "psql, with promoplan's work_mem",
        "check from PostgreSQL",
        UNKEPT,
        BEFORE,
        "check from CSV",
        PSYCOPG_ALONE,
    ):
        if label not in timings:
            continue
        seconds = timings[label]
        print(
            f"{label:32} {seconds:8.2f} {seconds / bare:7.2f} {seconds / tuned:7.2f} "
            f"{cpu[label]:13.2f} {served[label]:13.2f}"
        )
    floor(timings, cpu, served)
    print("check from PostgreSQL, its own phases (medians of the marked runs):")
    trees = list(split)
    print(f"  {'':38}" + "".join(f"{tree:>9}" for tree in trees))
    for label in split["now"]:
        print(f"  {label:38}" + "".join(f"{split[tree][label]:9.2f}" for tree in trees))
    start = timings["python -c pass"]
    cli = timings["+ import the CLI and check"]
    parts = {  # each import after the ones above it, in one process: what it adds
        "Python start-up": start,
        "import the CLI and check": cli - start,
        "import psycopg": timings["+ import psycopg"] - cli,
        "import sqlglot, render": timings["+ import sqlglot, render"] - timings["+ import psycopg"],
        "connect, catalog, query, fetch": timings["connect, catalog, query, fetch"],
        "assemble the cube": timings["assemble the cube"],
    }
    print("its parts apart (imports in processes of their own, the read in process; s, x psql):")
    for label, seconds in parts.items():
        print(f"  {label:38} {seconds:8.2f} {seconds / bare:7.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
