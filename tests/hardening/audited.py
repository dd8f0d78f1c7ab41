"""Run ``promoplan ARGS`` under a Python audit hook and write what it touched as JSON.

Used by test_paths.py in a subprocess (an audit hook cannot be removed)::

    python tests/hardening/audited.py EVENTS.json promoplan-args...

Each event is ``[name, path-or-detail, mode]``. Sockets are refused outright, so
a network attempt shows both as an event and as a failing run.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from typing import Any

WATCHED = {
    "open",
    "os.listdir",
    "os.scandir",
    "glob.glob",
    "glob.glob/2",
    "os.remove",
    "os.rename",
    "os.mkdir",
    "os.rmdir",
    "shutil.rmtree",
    "os.chmod",
    "os.chown",
    "os.symlink",
    "os.link",
    "os.truncate",
    "os.utime",
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.startfile",
    "socket.connect",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.bind",
    "urllib.Request",
    "http.client.connect",
    "ftplib.connect",
    "smtplib.connect",
    "webbrowser.open",
    "pty.spawn",
}


def main() -> int:
    """Install the hook, run the CLI, write the events."""
    out, args = sys.argv[1], sys.argv[2:]
    events: list[list[Any]] = []
    recording = [True]

    def hook(event: str, detail: tuple[Any, ...]) -> None:
        if not recording[0] or event not in WATCHED:
            return
        target = detail[0] if detail else None
        if isinstance(target, int):  # an open file descriptor, e.g. os.fsync's directory
            target = f"<fd {target}>"
        elif isinstance(target, (bytes, os.PathLike)):
            target = os.fsdecode(target)
        mode = detail[1] if event == "open" and len(detail) > 1 else None
        flags = detail[2] if event == "open" and len(detail) > 2 else None
        writes = isinstance(mode, str) and any(c in mode for c in "wax+")
        if writes or (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
            mode = "write"
        else:
            mode = "read" if event == "open" else None
        events.append([event, str(target), mode])

    def refuse(*_: object, **__: object) -> None:
        raise OSError("network access is not allowed in this test")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]
    sys.addaudithook(hook)

    from promoplan.cli import app  # noqa: PLC0415  # imported under the hook on purpose

    status = 0
    try:
        app(args, prog_name="promoplan")
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else 1
    recording[0] = False
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"status": status, "events": events}, handle)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
