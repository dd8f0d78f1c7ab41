"""Look at an actuals file before the engine reads it: what it is, encoding, delimiter, header.

Everything here works on bytes and small decoded pieces in Python; no row of a
large file is ever turned into a Python object. Files that are not UTF-8 are
transcoded, streamed, to a temporary UTF-8 file that the engine reads instead.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from promoplan.actuals.names import HeaderIndex
from promoplan.diagnostics import Diagnostic, diagnostic

HEAD_BYTES = 64 * 1024
MAX_HEADER_CHARS = 1024 * 1024  # a header row longer than this is not a CSV export's
CHUNK_BYTES = 1024 * 1024
DELIMITERS = (",", "\t", ";")  # ties go to the first
_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon"}

_NEWLINE = re.compile(r"\r\n|\r|\n")

UTF8_NAMES = ("utf-8", "utf-8-sig")  # --encoding values the engine reads without a copy

SAVE_AS_CSV = "save it from the spreadsheet as CSV (UTF-8) and pass that file"

# How a file's bytes are read: plain, or through a decompressor (gzip, zstd);
# every function here that reads a file takes one, so compressed CSV is read
# the same way as plain CSV, with the same line numbers.
Opener = Callable[[Path], BinaryIO]


def open_plain(path: Path) -> BinaryIO:
    """The file's own bytes."""
    return path.open("rb")


def _text(path: Path, opener: Opener) -> io.TextIOWrapper:
    """The file decoded as UTF-8 (a BOM dropped, bad bytes replaced), newlines kept as they are."""
    return io.TextIOWrapper(opener(path), encoding="utf-8-sig", errors="replace", newline="")


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes of a file say: how to decode it (or why it cannot be read)."""

    encoding: str  # a Python codec name: utf-8, utf-8-sig, gb18030, or the one asked for
    transcode: bool  # True: the engine must read a UTF-8 copy
    problem: Diagnostic | None = None  # PA001 when the file is not a CSV at all
    note: Diagnostic | None = None  # PA005 when the file was not UTF-8


@dataclass(frozen=True)
class Header:
    """The header record of a CSV file, with the delimiter detected from it."""

    delimiter: str
    names: tuple[str, ...]  # trimmed; aligned with the file's columns


def canonical_encoding(name: str) -> str | None:
    """The Python codec name for ``name`` (``GBK`` -> ``gbk``); None when there is no such
    text encoding (``hex``, ``zlib`` and ``rot13`` are codecs, but not text encodings)."""
    try:
        info = codecs.lookup(name)
        b"0".decode(info.name)  # LookupError for bytes-to-bytes and str-to-str codecs
    except LookupError:
        return None
    except UnicodeError:
        pass  # a text encoding that cannot decode "0" (utf-16, "undefined"): said per file
    return info.name


def _is_utf8_prefix(head: bytes, complete: bool) -> bool:
    """True when ``head`` is valid UTF-8, allowing a sequence cut short at the end of the head."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        decoder.decode(head, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def _utf16_without_bom(head: bytes) -> bool:
    """UTF-16 text without a BOM: ASCII characters leave a NUL in every other byte."""
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return False
    even = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    return max(even, odd) >= pairs * 0.3 and min(even, odd) <= pairs * 0.05


# First bytes -> what the file is, when it is not CSV text.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive, not a CSV file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel 97-2003 workbook (.xls), not a CSV file"),
    (b"\xff\xfe\x00\x00", "UTF-32 text, not UTF-8"),
    (b"\x00\x00\xfe\xff", "UTF-32 text, not UTF-8"),
    (b"\xff\xfe", 'UTF-16 text (Excel\'s "Unicode text"), not UTF-8'),
    (b"\xfe\xff", 'UTF-16 text (Excel\'s "Unicode text"), not UTF-8'),
    (b"\x1f\x8b", "a gzip archive, not a CSV file"),
    (b"%PDF", "a PDF document, not a CSV file"),
    (b"PAR1", "a Parquet file, not a CSV file"),
)


def _what_it_is(head: bytes) -> str | None:
    """Name the kind of file when its first bytes say it is not CSV text."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[8:12] == b"DUCK":  # a DuckDB database file's header
        return "a DuckDB database file, not a CSV file"
    if _utf16_without_bom(head):
        return "UTF-16 text without a BOM, not UTF-8"
    markup = _markup(head.lstrip(b"\xef\xbb\xbf \t\r\n").lower())
    if markup is not None:
        return markup
    if b"\x00" in head:
        return "binary data (it contains NUL bytes), not a CSV file"
    return None


def _markup(text: bytes) -> str | None:
    """An HTML page or an XML document (an error page saved as .csv, an Excel XML sheet)."""
    if not text.startswith(b"<"):
        return None
    if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return "an Excel XML spreadsheet, not a CSV file"
    if b"<html" in text[:4096] or text.startswith((b"<!doctype html", b"<head", b"<body")):
        return "an HTML page, not a CSV file"
    if text.startswith((b"<?xml", b"<!doctype", b"<table", b"<!--")):
        return "an HTML or XML document, not a CSV file"
    return None


def sniff(
    path: Path,
    name: str,
    encoding: str | None,
    opener: Opener = open_plain,
    *,
    expected: Iterable[str] = (),
) -> Sniffed:
    """Decide how to decode ``path`` from its first bytes; ``encoding`` (a codec name) overrides.

    Not UTF-8 and no encoding given: GB18030 only when the first bytes decode
    cleanly as GB18030, the text before the first bad byte is not UTF-8 beyond
    ASCII, and the header then holds the ``expected`` names (the date column);
    otherwise PA001 at the first byte that is not UTF-8. UTF-8 by ``--encoding``
    or by a BOM is never GB18030: PA001 at the first bad byte.
    """
    with opener(path) as handle:
        head = handle.read(HEAD_BYTES)
        complete = len(head) < HEAD_BYTES or not handle.read(1)
    problem = _not_csv(head, name, encoding)
    if problem is not None:
        return Sniffed(encoding or "utf-8", False, problem)
    if encoding is not None and encoding not in UTF8_NAMES:
        return Sniffed(encoding, True)
    bom = head.startswith(codecs.BOM_UTF8)
    utf8 = "utf-8-sig" if bom else encoding or "utf-8"
    if _is_utf8_prefix(head, complete):
        return Sniffed(utf8, False)
    # Checked here, not left to the engine: the header is read with bad bytes replaced,
    # and two replaced names would be a false "duplicate header".
    bad = first_bad_utf8([head])
    if bad is None:  # not reached: a head that is not UTF-8 has a first bad byte
        return Sniffed(utf8, False)
    guess = encoding is None and not bom and bad.wide < UTF8_EVIDENCE
    if guess and _gb18030_fits(head, complete, tuple(expected)):
        return Sniffed("gb18030", True, note=gb18030_note(name))
    return Sniffed(utf8, False, problem=not_utf8(bad, name, asked=encoding is not None))


# Characters beyond ASCII decoded as UTF-8 before the first bad byte that make a file
# UTF-8 with stray bytes rather than GB18030 (whose text breaks UTF-8 within a character
# or two).
UTF8_EVIDENCE = 2


@dataclass(frozen=True)
class BadByte:
    """The first byte that is not UTF-8: where it is, and how much UTF-8 came before it."""

    line: int
    column: int  # in characters
    byte: int
    wide: int  # characters beyond ASCII before it
    then: int | None = None  # the byte after it, when read

    @property
    def starts_gbk(self) -> bool:
        """The byte and the next could be one GBK (GB18030) character."""
        return (
            0x81 <= self.byte <= 0xFE
            and self.then is not None
            and 0x40 <= self.then <= 0xFE
            and self.then != 0x7F
        )


def first_bad_utf8(chunks: Iterable[bytes]) -> BadByte | None:
    """The first byte of ``chunks`` (a file's bytes in order) that is not UTF-8, streamed.

    Lines end with LF, CRLF or a bare CR, as the CSV reader counts them; a BOM is
    not a character of the first line.
    """
    line, column, wide, last_cr, start = 1, 1, 0, False, True
    carry = b""

    def advance(text: str) -> None:
        nonlocal line, column, wide, last_cr, start
        if start:
            text, start = text.removeprefix("\ufeff"), False
        if last_cr and text.startswith("\n"):
            text = text[1:]  # the LF of a CRLF split between two chunks
        if not text:
            return
        wide += sum(1 for char in text if ord(char) > 0x7F) if not text.isascii() else 0
        pieces = _NEWLINE.split(text)
        if len(pieces) > 1:
            line += len(pieces) - 1
            column = len(pieces[-1]) + 1
        else:
            column += len(text)
        last_cr = text.endswith("\r")

    for chunk in [*chunks, b""]:
        data, carry = carry + chunk, b""
        try:
            advance(data.decode("utf-8"))
            continue
        except UnicodeDecodeError as exc:
            cut_short = exc.reason == "unexpected end of data" and exc.end == len(data)
            advance(data[: exc.start].decode("utf-8"))
            if cut_short and chunk:
                carry = data[exc.start :]  # completed by the next chunk
                continue
            then = data[exc.start + 1] if exc.start + 1 < len(data) else None
            return BadByte(line, column, data[exc.start], wide, then)
    return None


def first_bad_utf8_in(path: Path, opener: Opener = open_plain) -> BadByte | None:
    """:func:`first_bad_utf8` over a whole (decompressed) file, read in chunks."""
    with opener(path) as handle:
        return first_bad_utf8(iter(lambda: handle.read(CHUNK_BYTES), b""))


def not_utf8(bad: BadByte, name: str, *, asked: bool = False) -> Diagnostic:
    """PA001 at a stray byte in a file that is otherwise UTF-8 (or neither UTF-8 nor GB18030);
    ``asked``: UTF-8 was named by ``--encoding``, so the hint names other encodings."""
    latin = bytes([bad.byte]).decode("cp1252", errors="replace")
    shown = f" ({latin!r} in Latin-1 or Windows-1252)" if latin.isprintable() else ""
    hint = (
        "fix that character and re-save the file as UTF-8, or pass --encoding to name "
        "the file's encoding"
    )
    if asked:
        latin1 = "--encoding cp1252 (Windows Latin-1)"
        others = f"--encoding gb18030 (GBK) or {latin1}" if bad.starts_gbk else latin1
        hint = (
            "fix that character and re-save the file as UTF-8, or, if the file was saved "
            f"in another encoding, pass that one: {others}"
        )
    return diagnostic(
        "PA001",
        f"byte 0x{bad.byte:02X} here is not UTF-8{shown}"
        + (", though the file is UTF-8 before it" if bad.wide else ""),
        file=name,
        line=bad.line,
        column=bad.column,
        hint=hint,
    )


def _gb18030_fits(head: bytes, complete: bool, expected: tuple[str, ...]) -> bool:
    """The first bytes decode as GB18030, and the header then names the ``expected`` columns."""
    decoder = codecs.getincrementaldecoder("gb18030")("strict")
    try:
        text = decoder.decode(head, final=complete)
    except UnicodeError:
        return False
    if not expected:
        return True
    first = _NEWLINE.split(text.removeprefix("\ufeff"), maxsplit=1)[0]
    names = HeaderIndex([field.strip(' \t"\u00a0\u3000') for field in re.split(r"[,\t;]", first)])
    return all(name in names for name in expected)


def _not_csv(head: bytes, name: str, encoding: str | None) -> Diagnostic | None:
    """PA001 for an empty file, or one whose first bytes say it is something else."""
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n"):
        return diagnostic("PA001", "the file is empty", file=name)
    if encoding is not None and encoding.startswith(("utf-16", "utf-32")):
        return None  # the user says what it is
    kind = _what_it_is(head)
    if kind is None:
        return None
    hint = SAVE_AS_CSV if "Excel" in kind or "HTML" in kind else None
    if "UTF-16" in kind or "UTF-32" in kind:
        hint = "re-save it as CSV (UTF-8), or pass --encoding utf-16"
    if "DuckDB" in kind:
        hint = (
            f"read a table of it: --actuals 'duckdb://{Path(name).resolve().as_posix()}?table=NAME'"
        )
    return diagnostic("PA001", f"this is {kind}", file=name, hint=hint)


def gb18030_note(name: str) -> Diagnostic:
    """PA005: the file was not UTF-8 and is read as GB18030."""
    return diagnostic(
        "PA005",
        "the file is not UTF-8; read as GB18030",
        file=name,
        hint="re-save it as UTF-8, or pass --encoding to name its encoding",
    )


def transcode(
    source: Path,
    target: Path,
    encoding: str,
    name: str,
    *,
    newlines: bool = False,
    opener: Opener = open_plain,
    asked: bool = False,
) -> Diagnostic | None:
    """Copy ``source`` to ``target`` as UTF-8, streamed; PA001 where it cannot be decoded.

    With ``newlines``, CRLF and bare CR become LF: the engine reads one kind of line
    end per file, and exports glued together from several systems mix them. Python's
    CSV reader, which maps records to lines, counts the same lines either way.
    ``asked``: ``encoding`` is the one ``--encoding`` named, not the GB18030 guess.
    """
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    first = True
    held_cr = False  # a CR at the end of a chunk may be the first half of a CRLF
    try:
        with opener(source) as src, target.open("w", encoding="utf-8", newline="") as dst:
            while True:
                chunk = src.read(CHUNK_BYTES)
                text = decoder.decode(chunk, final=not chunk)
                if first and text:
                    text = text.removeprefix("\ufeff")
                    first = False
                if newlines:
                    text = ("\r" if held_cr else "") + text
                    held_cr = bool(chunk) and text.endswith("\r")
                    text = _NEWLINE.sub("\n", text[:-1] if held_cr else text)
                dst.write(text)
                if not chunk:
                    break
    except UnicodeError:  # UTF-16 without a BOM and IDNA raise UnicodeError, not its subclass
        return _undecodable(source, encoding, name, opener, asked=asked)
    return None


def _undecodable(
    source: Path, encoding: str, name: str, opener: Opener, *, asked: bool
) -> Diagnostic:
    """PA001 for a file ``encoding`` cannot decode: UTF-8 at its first bad byte, others at
    the line; the hint does not tell the user to pass the --encoding they passed."""
    bad = first_bad_utf8_in(source, opener) if encoding in UTF8_NAMES else None
    if bad is not None:
        return not_utf8(bad, name, asked=asked)
    guessed = encoding == "gb18030" and not asked
    message = (
        f"the file is neither UTF-8 nor {encoding.upper()}"
        if guessed
        else f"the file cannot be decoded as {encoding}"
    )
    hint = (
        "re-save it as UTF-8, or pass the encoding it was saved in instead"
        if asked
        else "re-save it as UTF-8, or pass --encoding to name its encoding"
    )
    line = _first_undecodable_line(source, encoding, opener)
    return diagnostic("PA001", message, file=name, line=line, hint=hint)


def _first_undecodable_line(path: Path, encoding: str, opener: Opener) -> int | None:
    """The 1-based line of the first byte sequence ``encoding`` cannot decode (error path only)."""
    if encoding.startswith(("utf-16", "utf-32")):
        return None  # their newlines are not the byte 0x0A on its own
    with opener(path) as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode(encoding)
            except UnicodeError:
                return number
    return None
