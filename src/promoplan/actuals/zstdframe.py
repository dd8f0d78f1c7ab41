"""The zstd frame format (RFC 8878), read without decompressing.

A zstd decompressor given a file cut short stops at the last whole block and
says nothing, and DuckDB then reads the text up to there: a file cut in half
was "empty", or a cut row was blamed as ragged CSV at a line that is not it.
Walking the frames' block headers (3 bytes each, at most 128 KiB apart) tells a
whole file from a cut one for the price of a seek per block.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

MAGIC = b"\x28\xb5\x2f\xfd"
_SKIPPABLE = range(0x184D2A50, 0x184D2A60)  # skippable frames' magic numbers
_RESERVED_BLOCK = 3


def content_size(frame: bytes) -> int | None:
    """The content size a frame header declares (RFC 8878 3.1.1.1), if it does.

    ``frame`` is the header after the magic number.
    """
    descriptor = frame[0]
    flag, single, dictionary = descriptor >> 6, (descriptor >> 5) & 1, descriptor & 3
    width = (1 if single else 0, 2, 4, 8)[flag]
    if width == 0:
        return None
    at = 1 + (0 if single else 1) + (0, 1, 2, 4)[dictionary]
    field = frame[at : at + width]
    if len(field) < width:
        return None
    value = int.from_bytes(field, "little")
    return value + 256 if width == 2 else value


def damage(path: Path) -> str | None:
    """Why the zstd file at ``path`` is not whole (cut short, or not zstd past its first
    bytes); None when every frame in it ends where its blocks say it does."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        frames = 0
        while handle.tell() < size:
            problem = _frame(handle, size)
            if problem is not None:
                where = "" if frames == 0 else f" (after {frames} whole frame{'s' * (frames > 1)})"
                return f"{problem} at byte {handle.tell():,}{where}"
            frames += 1
    return None


def _frame(handle: BinaryIO, size: int) -> str | None:
    """Skip one frame; why it cannot be, else None."""
    magic = handle.read(4)
    if len(magic) < 4:
        return "the file ends inside a frame's magic number"
    number = int.from_bytes(magic, "little")
    if number in _SKIPPABLE:
        length = handle.read(4)
        if len(length) < 4:
            return "the file ends inside a skippable frame"
        return _skip(handle, int.from_bytes(length, "little"), size, "a skippable frame")
    if magic != MAGIC:
        return "not a zstd frame"
    return _zstd_frame(handle, size)


def _zstd_frame(handle: BinaryIO, size: int) -> str | None:
    """Skip a zstd frame's header, blocks and checksum, past its magic number."""
    descriptor = handle.read(1)
    if not descriptor:
        return "the file ends inside a frame header"
    bits = descriptor[0]
    if bits & 0x08:
        return "a frame header with its reserved bit set (not zstd data)"
    flag, single, checksum, dictionary = bits >> 6, (bits >> 5) & 1, (bits >> 2) & 1, bits & 3
    header = (0 if single else 1) + (0, 1, 2, 4)[dictionary] + (1 if single else 0, 2, 4, 8)[flag]
    problem = _skip(handle, header, size, "a frame header")
    while problem is None:
        block = handle.read(3)
        if len(block) < 3:
            return "the file ends inside a block header"
        value = int.from_bytes(block, "little")
        last, kind, length = value & 1, (value >> 1) & 3, value >> 3
        if kind == _RESERVED_BLOCK:
            return "a block of a reserved type (not zstd data)"
        problem = _skip(handle, 1 if kind == 1 else length, size, "a block")
        if last:
            break
    if problem is None and checksum:
        problem = _skip(handle, 4, size, "the frame's checksum")
    return problem


def _skip(handle: BinaryIO, length: int, size: int, what: str) -> str | None:
    """Seek past ``length`` bytes; "the file ends inside WHAT" when it has fewer."""
    if handle.tell() + length > size:
        handle.seek(size)
        return f"the file ends inside {what}"
    handle.seek(length, 1)
    return None
