"""A throwaway PostgreSQL server for the warehouse tests and the benchmark.

``initdb`` in a fresh temporary directory, a free port on 127.0.0.1, the unix
socket in the same directory, ``fsync=off``; ``stop`` removes everything.
PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user (``runuser``), owning the directory.
"""

from __future__ import annotations

import csv
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg import sql

PASSWORD_ROLE = "pw_reader"


def binaries() -> Path | None:
    """The directory holding initdb and pg_ctl: $PG_BIN, pg_config --bindir, or a Debian path."""
    candidates: list[Path] = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    config = shutil.which("pg_config")
    if config:
        out = subprocess.run([config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    for path in candidates:
        if (path / "initdb").is_file() and (path / "pg_ctl").is_file():
            return path
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A running server: connect as ``postgres`` (trust) or PASSWORD_ROLE (scram) on ``port``."""

    bindir: Path
    root: Path
    port: int
    password: str

    @property
    def data(self) -> Path:
        """The data directory."""
        return self.root / "data"

    def url(self, table: str, user: str = "postgres", database: str = "promoplan") -> str:
        """A source URL for ``table`` (no password in it)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}?table={table}"

    def dsn(self, user: str = "postgres", database: str = "promoplan") -> str:
        """A libpq connection string for the tests' own setup connections."""
        return f"host=127.0.0.1 port={self.port} user={user} dbname={database}"

    def _as_owner(self, args: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return args

    def pg_ctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run pg_ctl on this server's data directory."""
        return subprocess.run(
            self._as_owner([str(self.bindir / "pg_ctl"), "-D", str(self.data), *args]),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )

    def start(self) -> None:
        """Start (or restart) the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=20"
        )
        out = self.pg_ctl("-o", options, "-l", str(self.root / "log"), "-w", "start")
        if out.returncode != 0:
            log = (
                (self.root / "log").read_text(errors="replace")
                if (self.root / "log").exists()
                else ""
            )
            raise RuntimeError(f"pg_ctl start failed: {out.stdout}{out.stderr}{log}")

    def stop(self) -> None:
        """Stop the server (fast) if it runs."""
        self.pg_ctl("-m", "fast", "-w", "stop")


def start_server(bindir: Path) -> Server:
    """initdb in a new temporary directory, configure authentication, start, create the database."""
    root = Path(tempfile.mkdtemp(prefix="promoplan-pg-"))
    server = Server(bindir, root, _free_port(), password="s3cret-Pw-" + os.urandom(6).hex())
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        pwfile = root / "pw"
        pwfile.write_text("postgres\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        init = subprocess.run(
            server._as_owner(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(server.data),
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--auth=trust",
                    "--no-sync",
                ]
            ),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stdout}{init.stderr}")
        # The password role must authenticate with its password; everyone else is trusted.
        hba = server.data / "pg_hba.conf"
        hba.write_text(
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            "host all all 127.0.0.1/32 trust\n"
            "local all all trust\n"
        )
        server.start()
        subprocess.run(
            [
                str(bindir / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(server.port),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                "CREATE DATABASE promoplan",
                "-c",
                f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{server.password}'",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    except BaseException:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def remove(server: Server) -> None:
    """Stop the server and delete its directory."""
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


def load_csv_files(
    dsn: str,
    table: str,
    files: list[Path],
    *,
    text_columns: tuple[str, ...] = ("channel",),
    date_columns: tuple[str, ...] = ("date",),
) -> None:
    """Create ``table`` with the union of the files' columns (dates, text dimensions, numeric
    measures) and COPY every file into it; an empty cell is NULL."""
    # psycopg on use, so that the conftest can import this module and skip without it.
    import psycopg  # noqa: PLC0415
    from psycopg import sql  # noqa: PLC0415

    headers = []
    columns: dict[str, None] = {}
    for file in files:
        with file.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        headers.append(header)
        columns.update(dict.fromkeys(header))

    def kind(name: str) -> sql.Composable:
        if name in date_columns:
            return sql.SQL("date")
        return sql.SQL("text") if name in text_columns else sql.SQL("numeric")

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(sql.Identifier(*table.split(".")))
        )
        conn.execute(
            sql.SQL("CREATE TABLE {} ({})").format(
                sql.Identifier(*table.split(".")),
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(c), kind(c)) for c in columns
                ),
            )
        )
        for file, header in zip(files, headers, strict=True):
            copy = sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)").format(
                sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, header))
            )
            with conn.cursor() as cur, cur.copy(copy) as out, file.open("rb") as raw:
                while chunk := raw.read(1 << 20):
                    out.write(chunk)
        conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(*table.split("."))))


def export_csv(dsn: str, query: str, path: Path) -> None:
    """Write what ``query`` (the tests' own SQL) returns to ``path`` as CSV with a header."""
    import psycopg  # noqa: PLC0415

    copy = f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)"
    with (
        psycopg.connect(dsn, autocommit=True) as conn,
        conn.cursor() as cur,
        cur.copy(copy) as out,
        path.open("wb") as target,
    ):
        for chunk in out:
            target.write(chunk)


def execute(server: Server, *statements: str | sql.SQL | sql.Composed) -> None:
    """Run set-up statements (tables, views, grants) as the superuser, each committed."""
    import psycopg  # noqa: PLC0415

    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)
