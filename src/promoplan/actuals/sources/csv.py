"""CSV text, plain or compressed (gzip, zstd): the first source.

Per file: sniff the first bytes (``sniff.py``), transcode to UTF-8 when needed,
read the header in Python, and hand DuckDB's ``read_csv`` to the engine. A
compressed file is read by DuckDB as it is, without a temporary copy, unless it
must be transcoded; its lines are numbered as in the plain file.
"""

from __future__ import annotations

import gzip
import importlib
from collections.abc import Callable, Iterable
from functools import cached_property, partial
from pathlib import Path
from typing import BinaryIO, Literal

from promoplan.actuals import sql, zstdframe
from promoplan.actuals.header import engine_error_line, read_header, record_lines
from promoplan.actuals.problems import csv_problem, is_line_end_error, is_unicode_error
from promoplan.actuals.sniff import (
    UTF8_EVIDENCE,
    Opener,
    first_bad_utf8_in,
    gb18030_note,
    not_utf8,
    open_plain,
    sniff,
    transcode,
)
from promoplan.actuals.sources.base import Context, Opened
from promoplan.diagnostics import Diagnostic, diagnostic

Compression = Literal["gzip", "zstd"]


def _open_gzip(path: Path) -> BinaryIO:
    return gzip.open(path, "rb")  # type: ignore[return-value]  # GzipFile is a binary stream


def _open_zstd(path: Path) -> BinaryIO:
    try:
        from compression import zstd  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415  # Python 3.14

        return zstd.open(path, "rb")  # type: ignore[no-any-return,unused-ignore]
    except ImportError:
        import zstandard  # type: ignore[import-not-found,unused-ignore]  # noqa: PLC0415  # only for .zst files

        reader: BinaryIO = zstandard.open(path, "rb")
        return reader


_OPENERS: dict[Compression | None, Opener] = {
    None: open_plain,
    "gzip": _open_gzip,
    "zstd": _open_zstd,
}
_DAMAGED = (OSError, EOFError, ValueError)  # what the decompressors raise on damaged data


def damaged_errors(compression: Compression | None) -> tuple[type[Exception], ...]:
    """What reading a ``compression`` file raises on damaged data: for zstd, the
    decompressor's own ``ZstdError`` too (``zstandard``'s, Python 3.14's)."""
    if compression != "zstd":
        return _DAMAGED
    found: list[type[Exception]] = list(_DAMAGED)
    for module in ("compression.zstd", "zstandard"):
        try:
            found.append(importlib.import_module(module).ZstdError)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def open_decompressed(path: Path, compression: Compression) -> BinaryIO:
    """The bytes a gzip or zstd file holds, decompressed as the source reads them."""
    return _OPENERS[compression](path)


class CsvSource:
    """CSV text; ``compression`` names the compressed form this instance reads."""

    kind = "csv"

    def __init__(self, compression: Compression | None = None) -> None:
        self.compression = compression
        self.opener = _OPENERS[compression]

    @cached_property
    def damaged(self) -> tuple[type[Exception], ...]:
        """What reading this form raises on damaged data (imports a decompressor)."""
        return damaged_errors(self.compression)

    def open(
        self, ctx: Context, path: Path, name: str, index: int, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """Sniff the encoding, transcode when needed and read the header."""
        try:
            # A zstd file cut short decompresses to its whole blocks without a word.
            cut = zstdframe.damage(path) if self.compression == "zstd" else None
            if cut is not None:
                diagnostics.append(self._damaged(name, cut))
                return None
            sniffed = sniff(path, name, ctx.encoding, self.opener, expected=(ctx.date_column,))
        except self.damaged as exc:
            diagnostics.append(self._damaged(name, exc))
            return None
        if sniffed.problem is not None:
            diagnostics.append(sniffed.problem)
            return None
        if sniffed.note is not None:
            diagnostics.append(sniffed.note)
        return self._open(
            ctx, path, name, index, sniffed.encoding, diagnostics, transcoded=sniffed.transcode
        )

    def recover(
        self, ctx: Context, opened: Opened, failure: Exception, diagnostics: list[Diagnostic]
    ) -> Opened | None:
        """GB18030 after all, or mixed line ends: the file once more as a UTF-8 LF copy."""
        transcoded = bool(opened.state.get("transcoded"))
        if is_unicode_error(failure) and not transcoded:
            # Valid UTF-8 at the start but not further on: a GB18030 export after all,
            # unless UTF-8 was asked for, the file has a BOM, or it is UTF-8 beyond ASCII
            # before the bad byte (a stray byte).
            bad = first_bad_utf8_in(opened.path, self.opener)
            asked = ctx.encoding is not None
            said = asked or opened.encoding == "utf-8-sig"
            if bad is not None and (said or bad.wide >= UTF8_EVIDENCE):
                diagnostics.append(not_utf8(bad, opened.name, asked=asked))
                return None
            if said:
                return None  # not reached: the engine's bad byte is found again above
            diagnostics.append(gb18030_note(opened.name))
            return self._open(
                ctx, opened.path, opened.name, opened.index, "gb18030", diagnostics, transcoded=True
            )
        if is_line_end_error(failure) and not opened.state.get("newlines"):
            # LF and CRLF (or CR) in one file: read a copy with LF line ends.
            return self._open(
                ctx,
                opened.path,
                opened.name,
                opened.index,
                opened.encoding,
                diagnostics,
                transcoded=True,
                newlines=True,
            )
        return None

    def problem(self, opened: Opened, failure: Exception) -> Diagnostic:
        """PA006 (malformed CSV) or PA001 (cannot be decoded), with its line."""
        if self.compression is not None and not opened.state.get("transcoded"):
            text = str(failure).lower()
            if any(word in text for word in ("gzip", "zstd", "compress", "corrupt")):
                return self._damaged(opened.name, failure)
        # DuckDB's line counts a quoted line break as none: the file's line is found by parsing.
        opener = open_plain if opened.state.get("transcoded") else self.opener
        line_of = partial(
            engine_error_line, Path(opened.params["path"]), opened.params["delim"], opener=opener
        )
        return csv_problem(failure, opened.name, opened.encoding, line_of)

    def _damaged(self, name: str, exc: Exception | str) -> Diagnostic:
        what = self.compression or "CSV"
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return diagnostic(
            "PA001",
            f"the {what} file cannot be decompressed: {first}",
            file=name,
            hint="the file may be cut short; download or export it again",
        )

    def _open(  # noqa: PLR0917  # the file, as the engine named it, and how to read it
        self,
        ctx: Context,
        path: Path,
        name: str,
        index: int,
        encoding: str,
        diagnostics: list[Diagnostic],
        *,
        transcoded: bool,
        newlines: bool = False,
    ) -> Opened | None:
        """Make the UTF-8 copy if needed and read the header."""
        readable, opener, compression = path, self.opener, self.compression
        if transcoded:
            readable = ctx.tmp / f"{index}.csv"
            try:
                problem = transcode(
                    path,
                    readable,
                    encoding,
                    name,
                    newlines=newlines,
                    opener=self.opener,
                    asked=ctx.encoding is not None,
                )
            except self.damaged as exc:
                problem = self._damaged(name, exc)
            if problem is not None:
                diagnostics.append(problem)
                return None
            opener, compression = open_plain, None
        try:
            header = read_header(readable, name, opener)
        except self.damaged as exc:
            header = self._damaged(name, exc)
        if isinstance(header, Diagnostic):
            diagnostics.append(header)
            return None
        return Opened(
            path=path,
            name=name,
            index=index,
            header=header.names,
            encoding=encoding,
            scan=sql.CsvScan(len(header.names), compression),
            params={"path": str(readable), "delim": header.delimiter},
            lines=partial(_lines, readable, header.delimiter, opener),
            state={"transcoded": transcoded, "newlines": newlines},
        )


def _lines(
    readable: Path, delimiter: str, opener: Opener, ordinals: Iterable[int], records: int
) -> Callable[[int], int | None]:
    """Record numbers to lines, read from the (decompressed) text: error path only."""
    return record_lines(readable, delimiter, ordinals, records, opener)


SOURCE = CsvSource()
GZIP = CsvSource("gzip")
ZSTD = CsvSource("zstd")
