"""A CSV file's header line (delimiter, names, duplicates) and the file's line numbering."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path

from promoplan.actuals.names import trimmed_header
from promoplan.actuals.sniff import (
    _DELIMITER_NAMES,
    _NEWLINE,
    CHUNK_BYTES,
    DELIMITERS,
    HEAD_BYTES,
    MAX_HEADER_CHARS,
    Header,
    Opener,
    _text,
    open_plain,
)
from promoplan.diagnostics import Diagnostic, diagnostic


def detect_delimiter(line: str) -> str:
    """The delimiter that occurs most often outside quotes in the header line (comma on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] else ","


def read_header(path: Path, name: str, opener: Opener = open_plain) -> Header | Diagnostic:
    """The header record of a UTF-8 file: delimiter and trimmed names, or PA001/PA006."""
    with _text(path, opener) as handle:
        head = handle.read(HEAD_BYTES)
        # A wide export's header can outgrow the first read: read on to its line end.
        while _NEWLINE.search(head) is None and len(head) < MAX_HEADER_CHARS:
            chunk = handle.read(HEAD_BYTES)
            if not chunk:
                break
            head += chunk
        more = bool(handle.read(1))
    head = head.removeprefix("\ufeff")
    if _NEWLINE.search(head) is None and more:
        return diagnostic(
            "PA006",
            f"the header row is longer than {MAX_HEADER_CHARS:,} characters",
            file=name,
            line=1,
            hint="is this really a CSV export? Its first line never ends",
        )
    # CSV lines end with CRLF, LF or a bare CR (old Mac exports); str.splitlines would
    # also split on form feeds and U+2028, which the CSV reader and DuckDB keep as data.
    lines = _NEWLINE.split(head)
    first_line = lines[0] if head.strip() else ""
    if not first_line.strip():
        return diagnostic(
            "PA001", "the file has no header row (its first line is empty)", file=name, line=1
        )
    delimiter = detect_delimiter(first_line)
    reader = csv.reader(
        io.StringIO(head, newline=""), delimiter=delimiter, quotechar='"', strict=True
    )
    try:
        record = next(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            return diagnostic(
                "PA006",
                f"a header name is longer than {csv.field_size_limit():,} characters",
                file=name,
                line=1,
            )
        record = None
    except StopIteration:
        record = None
    if record is None or (reader.line_num >= len(lines) and more):
        return diagnostic(
            "PA006",
            "the header row is malformed: a quote is not closed",
            file=name,
            line=1,
            hint="check the quotes in the first line",
        )
    names = tuple(map(trimmed_header, record))
    problem = _duplicate_header(names, name)
    if problem is not None:
        return problem
    return Header(delimiter, names)


def _duplicate_header(names: tuple[str, ...], file: str) -> Diagnostic | None:
    """PA006 at the second occurrence of a repeated (non-empty) header name."""
    seen: dict[str, int] = {}
    for index, header in enumerate(names, start=1):
        if not header:
            continue
        if header in seen:
            return diagnostic(
                "PA006",
                f'duplicate header "{header}" (columns {seen[header]} and {index})',
                file=file,
                line=1,
                column=index,
                hint="rename or remove one of the columns",
            )
        seen[header] = index
    return None


def describe_delimiter(delimiter: str) -> str:
    """``comma``, ``tab`` or ``semicolon``."""
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


def count_lines(path: Path, opener: Opener = open_plain) -> int:
    """Physical lines in a file, as the CSV reader counts them (CRLF, LF and a bare CR each
    end one; a last line without an end counts), streamed."""
    lines = 0
    last = b"\n"
    with opener(path) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if b"\r" in chunk:  # rare: only then count CRs and CRLFs too
                lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            else:
                lines += chunk.count(b"\n")
            if last == b"\r" and chunk.startswith(b"\n"):
                lines -= 1  # a CRLF split between two chunks
            last = chunk[-1:]
    return lines + (0 if last in (b"\n", b"\r") else 1)


NEAR_RECORDS = 20_000  # below this record number, parsing up to it beats counting lines
# ... unless the file is small: counting reads ~1 GB/s, Python's CSV parser ~1.7 us a
# record, so counting the lines of a plain file of up to this many bytes per record
# asked for is the cheaper first try (with a margin of three).
COUNT_BYTES_PER_RECORD = 500


def record_lines(
    path: Path,
    delimiter: str,
    ordinals: Iterable[int],
    records: int,
    opener: Opener = open_plain,
) -> Callable[[int], int | None]:
    """Map 1-based data record numbers (the engine's ordinality) to the line each starts on.

    The file is read once with Python's CSV parser up to the largest ordinal
    asked for, unless that is far into the file (or the file is small) and
    every record is one line (no blank lines, no line breaks inside quoted
    fields): then the line is ``ordinal + 1``. Error path only.
    """
    wanted = sorted(set(ordinals))
    if not wanted:
        return lambda ordinal: None
    # Records near the start are found by parsing up to them, which costs less than
    # counting the lines of a large file; far ones (or any in a small plain file) by
    # counting when that suffices.
    counted = False
    if wanted[-1] > NEAR_RECORDS or _small(path, opener, wanted[-1]):
        counted = True
        if count_lines(path, opener) == records + 1:
            return lambda ordinal: ordinal + 1
    found: dict[int, int] = {}
    targets = set(wanted)
    last = wanted[-1]
    with _text(path, opener) as handle:
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
        previous_end = 1  # the header record ends on line 1 unless it spans more
        try:
            next(reader)
            previous_end = reader.line_num
            ordinal = 0
            for row in reader:
                start = previous_end + 1
                previous_end = reader.line_num
                if not row:
                    continue  # a blank line is not a record for the engine either
                ordinal += 1
                if ordinal in targets:
                    found[ordinal] = start
                if ordinal >= last:
                    break
        except csv.Error:
            pass
    stopped_short = len(found) < len(targets) and not counted
    if stopped_short and count_lines(path, opener) == records + 1:
        return lambda ordinal: ordinal + 1
    return found.get


def engine_error_line(
    path: Path, delimiter: str, line: int, opener: Opener = open_plain
) -> int | None:
    """The line DuckDB's "CSV Error on Line" ``line`` starts on, or None if unknown.

    DuckDB counts rows, the header and blank lines included, so a line break
    inside quotes is not counted. The rows before the bad one are parsed (not
    the bad row itself, which Python's parser may not read either) unless the
    file has no quote at all, when its lines are its rows. Error path only.
    """
    try:
        if not _has_quote(path, opener):
            return line
        with _text(path, opener) as handle:
            reader = csv.reader(handle, delimiter=delimiter, quotechar='"')
            for _ in range(line - 1):
                next(reader)
            return reader.line_num + 1
    except StopIteration:
        return None
    except (csv.Error, OSError, EOFError, ValueError):
        # A field over the parser's limit, or damaged compressed data: DuckDB's line,
        # right unless a quoted line break comes before it.
        return line


def _has_quote(path: Path, opener: Opener) -> bool:
    """True when the (decompressed) file has a double quote, read up to the first one."""
    with opener(path) as handle:
        while chunk := handle.read(CHUNK_BYTES):
            if b'"' in chunk:
                return True
    return False


def _small(path: Path, opener: Opener, ordinal: int) -> bool:
    """True when counting the lines of the plain file ``path`` costs less than parsing it
    up to record ``ordinal``."""
    if opener is not open_plain:
        return False  # compressed: counting means decompressing it all
    try:
        return path.stat().st_size <= ordinal * COUNT_BYTES_PER_RECORD
    except OSError:
        return False
