"""A plan's bytes to text, before any YAML is parsed: size, UTF-8, characters YAML refuses.

The first step of :func:`promoplan.yamlsafe.load_yaml`; each problem stops loading
with a diagnostic at the place an editor shows (:class:`LoadStop`).
"""

from __future__ import annotations

import re

from promoplan.diagnostics import Diagnostic, diagnostic
from promoplan.yamlnodes import Position

MAX_BYTES = 1024 * 1024
_BOM = "\ufeff"

# YAML allows these; anything else (C0 controls such as NUL and ESC, DEL, C1,
# surrogates, U+FFFE/U+FFFF) is unreadable to the parser. Checked up front so the
# message can name the character and its place.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


class LoadStop(Exception):
    """Loading cannot go on; carries the diagnostic that says why."""

    def __init__(self, found: Diagnostic) -> None:
        super().__init__(found.message)
        self.found = found


def decode_plan(data: bytes, file: str, size: int) -> str:
    size = max(size, len(data))
    if size > MAX_BYTES:
        mib = 1024 * 1024
        amount = f"{size / mib:.1f} MiB" if size >= 1.1 * mib else f"{size:,} bytes"
        raise LoadStop(
            diagnostic(
                "PP010",
                f"plan is {amount}; the limit is {MAX_BYTES // mib} MiB",
                file=file,
                line=1,
                column=1,
                hint="is this really the plan file? A plan is a few hundred lines of YAML",
            )
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LoadStop(
            diagnostic(
                "PP001",
                "the file is UTF-16 text, not UTF-8",
                file=file,
                line=1,
                column=1,
                hint="re-save the file as UTF-8",
            )
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _nul_dense(data):  # UTF-16 without a BOM, with text beyond ASCII in it
            raise LoadStop(_utf16_without_bom(file)) from None
        raise LoadStop(_not_utf8(data, exc.start, file)) from None
    return text[1:] if text.startswith(_BOM) else text


def _nul_dense(data: bytes) -> bool:
    """A NUL in a quarter of the bytes or more: UTF-16 (every other byte of ASCII text)."""
    return data.count(b"\x00") * 4 >= len(data)


def _utf16_without_bom(file: str) -> Diagnostic:
    return diagnostic(
        "PP001",
        "the file looks like UTF-16 text without a BOM, not UTF-8",
        file=file,
        line=1,
        column=1,
        hint="re-save the file as UTF-8",
    )


def _not_utf8(data: bytes, offset: int, file: str) -> Diagnostic:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    # Everything before ``offset`` decoded, so the column counts characters.
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    looks = ""
    try:
        data.decode("gb18030")
        looks = " (it looks like GBK/GB18030)"
    except UnicodeDecodeError:
        pass
    return diagnostic(
        "PP001",
        f"the file is not UTF-8: byte 0x{data[offset]:02x} cannot be read{looks}",
        file=file,
        line=line,
        column=column,
        hint="re-save the file as UTF-8",
    )


# YAML 1.2 reads these as content, but PyYAML and libyaml (YAML 1.1) break lines at
# them, so a name pasted from the web would shift every later line number or fail to
# parse far from the character. Rejected up front, at the place an editor shows.
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")
_BREAK_NAMES = {"\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator"}


def check_characters(text: str, file: str) -> None:
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        line, column = _line_column(text, bad.start())
        message = f"control character U+{ord(bad.group()):04X} is not allowed in a YAML file"
        hint = "remove it; a plan is plain text (is the file damaged or binary?)"
        if bad.group() == "\x00" and _nul_dense(text.encode("utf-8")):
            raise LoadStop(_utf16_without_bom(file))
        raise LoadStop(diagnostic("PP001", message, file=file, line=line, column=column, hint=hint))
    odd = _YAML11_BREAKS.search(text)
    if odd is not None:
        line, column = _line_column(text, odd.start())
        char = odd.group()
        raise LoadStop(
            diagnostic(
                "PP001",
                f"character U+{ord(char):04X} ({_BREAK_NAMES[char]}) is not allowed: "
                "YAML parsers read it as a line break",
                file=file,
                line=line,
                column=column,
                hint="replace it with a space or a real line break",
            )
        )


def _line_column(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# Chinese and Japanese input methods type a full-width colon, or an ideographic space
# after ':', where YAML needs ':' and a space. The key line is then read as plain text
# that runs on, and the parser stops a line or more later with a hint that does not
# fit; the line the character is on is found again from the text.
_KEY_START = r"^[ ]*(?:-[ ]+)*[^\s#'\"\[\]{},&*!|>%@`][^#:\uff1a\n]*?"
_FULLWIDTH_COLON = re.compile(_KEY_START + r"(\uff1a)(?=[ \t\u3000]|$)")
_IDEOGRAPHIC_SPACE = re.compile(_KEY_START + r":(\u3000)")
# A key line YAML did read: the search for the character stops above it.
_KEY_LINE = re.compile(_KEY_START + r":(?=[ \t]|$)")


def input_method_slip(text: str, file: str, line: int) -> Diagnostic | None:
    """PP001 at a full-width ``：`` or a U+3000 after ``:`` that made a key line plain
    text, searched from the parser's ``line`` up to the last key line it read."""
    rows = text.split("\n")
    for number in range(min(line, len(rows)), 0, -1):
        row = rows[number - 1]
        found = _FULLWIDTH_COLON.match(row) or _IDEOGRAPHIC_SPACE.match(row)
        if found is not None:
            key = row[: found.start(1)].strip(" -:\u3000")
            if found.group(1) == "\uff1a":
                message = "'\uff1a' (U+FF1A, a full-width colon) is not YAML's ':'"
                hint = "type ':' followed by a space, with the input method in half-width mode"
            else:
                message = "U+3000 (an ideographic space) after ':' is not a space YAML accepts"
                hint = "replace it with an ordinary space"
            return diagnostic(
                "PP001",
                f"YAML syntax: {message}, so {key!r} is not read as a key",
                file=file,
                line=number,
                column=found.start(1) + 1,
                hint=hint,
            )
        if number != line and _KEY_LINE.match(row):
            return None
    return None
