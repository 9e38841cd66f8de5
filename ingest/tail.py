"""Connectors: read CSV, JSON-lines and Excel files from a saved position (backfill and tail).

A :class:`FileMark` says how much of a file was read: bytes and lines for text
formats (only whole records count, so a half-written last line waits for the
writer), rows for Excel workbooks (rewritten whole on every save). When a file
shrinks or is replaced by another one (new inode), it is read from the start
again; ids are stable, so nothing is counted twice.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ingest.files import MAX_LINE_BYTES, SourceRow, parse_json_record, read_lines, too_long_row
from radar.errors import RadarError, ValidationFailed

TEXT_FORMATS = ("csv", "jsonl")
ALL_FORMATS = (*TEXT_FORMATS, "xlsx")

#: Longest CSV record (bytes) before it is refused as malformed (an unclosed quote).
MAX_RECORD_BYTES = MAX_LINE_BYTES


@dataclass(frozen=True)
class FileMark:
    """How far a file was read: bytes, lines (text) or rows (Excel), and which file it was."""

    offset: int = 0
    line: int = 0
    rows: int = 0
    inode: int = 0
    size: int = 0
    mtime_ns: int = 0
    header: tuple[str, ...] | None = None

    @classmethod
    def from_state(cls, value: Any) -> FileMark:
        if not isinstance(value, dict):
            return cls()
        header = value.get("header")
        fields = {k: v for k, v in value.items() if k in cls.__dataclass_fields__}
        fields["header"] = tuple(header) if isinstance(header, list) else None
        return cls(**fields)

    def to_state(self) -> dict[str, Any]:
        data = asdict(self)
        data["header"] = list(self.header) if self.header is not None else None
        return data


class NotARegularFile(RadarError):
    """A path in a watched folder is a link, a device, a pipe: never read (its target is not
    the folder's to give: ``/proc/self/environ``, a key file)."""


def open_regular(path: Path) -> io.BufferedReader:
    """``path`` opened for reading if it is a regular file itself, not through a link.

    ``O_NOFOLLOW`` closes the gap between listing a folder and opening a file (a
    file swapped for a link meanwhile), ``O_NONBLOCK`` keeps a named pipe from
    hanging the connector before it is refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if path.is_symlink():
            raise NotARegularFile(f"{path.name!r} is a link; links are not followed") from exc
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotARegularFile(f"{path.name!r} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def format_of(path: Path) -> str | None:
    """The format a file's extension names, or None for files to leave alone."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if suffix == ".xlsx":
        return "xlsx"
    return None


def start_mark(path: Path, mark: FileMark) -> FileMark:
    """Where to resume in ``path``: the mark, or the start when the file was replaced or cut."""
    stat = path.stat()
    if mark.inode and (stat.st_ino != mark.inode or stat.st_size < mark.offset):
        return FileMark(inode=stat.st_ino)
    return replace(mark, inode=stat.st_ino)


def unchanged(path: Path, mark: FileMark) -> bool:
    """True when ``path`` is exactly as it was when ``mark`` was taken."""
    stat = path.stat()
    return (
        stat.st_ino == mark.inode
        and stat.st_size == mark.size
        and stat.st_mtime_ns == mark.mtime_ns
    )


def read_from(
    path: Path, fmt: str, mark: FileMark, *, final: bool = True
) -> Iterator[tuple[SourceRow, FileMark]]:
    """Rows after ``mark``, each with the mark that is true once it is handled.

    ``final`` also reads a last record that has no line end yet (a one-off
    ingest); a follower leaves it until the writer finishes the line.
    """
    mark = start_mark(path, mark)
    if fmt == "xlsx":
        from ingest.excel import read_workbook

        yield from read_workbook(path, mark)
        return
    with open_regular(path) as binary:
        binary.seek(mark.offset)
        if fmt == "csv":
            yield from _csv_from(binary, path, mark, final)
        else:
            yield from _jsonl_from(binary, path, mark, final)


def _stamp(path: Path, mark: FileMark) -> FileMark:
    stat = path.stat()
    return replace(mark, size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def _jsonl_from(
    binary: io.BufferedReader, path: Path, mark: FileMark, final: bool
) -> Iterator[tuple[SourceRow, FileMark]]:
    offset, line = mark.offset, mark.line
    for read in read_lines(binary):
        if not read.ended and not final:
            return
        offset += read.length
        line += 1
        if read.too_long:
            after = _stamp(path, replace(mark, offset=offset, line=line))
            yield too_long_row(read, f"{path.name}:{line}"), after
            continue
        stripped = read.data.strip()
        if stripped.startswith(b"\xef\xbb\xbf"):
            stripped = stripped[3:]
        if not stripped:
            continue
        row = parse_json_record(stripped, f"{path.name}:{line}")
        yield row, _stamp(path, replace(mark, offset=offset, line=line))


def _csv_from(
    binary: io.BufferedReader, path: Path, mark: FileMark, final: bool
) -> Iterator[tuple[SourceRow, FileMark]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    offset, line, header = mark.offset, mark.line, mark.header
    buffer, first_line = b"", line + 1
    for read in read_lines(binary):
        if not read.ended and not final:
            return
        if not buffer:
            first_line = line + 1
        if read.too_long:
            offset += len(buffer) + read.length
            line += 1
            after = _stamp(path, replace(mark, offset=offset, line=line, header=header))
            yield too_long_row(read, f"{path.name}:{first_line}"), after
            buffer = b""
            continue
        chunk = read.data
        buffer += chunk
        line += 1
        if buffer.count(b'"') % 2 and len(buffer) < MAX_RECORD_BYTES:
            continue  # a quoted field goes on on the next line
        offset += len(buffer)
        record, buffer = buffer, b""
        text = record.decode("utf-8", errors="surrogateescape")
        if offset == len(record):
            text = text.removeprefix("\ufeff")
        if not text.strip():
            continue
        locator = f"{path.name}:{first_line}"
        try:
            values = next(csv.reader([text], delimiter=delimiter, strict=True), [])
        except csv.Error as exc:
            error = ValidationFailed(f"malformed CSV: {exc}", reason="bad_csv")
            row = SourceRow(locator, None, record, error)
        else:
            if header is None:
                header = tuple(values)
                mark = replace(mark, header=header)
                continue
            row = _csv_row(locator, header, values, record)
        yield row, _stamp(path, replace(mark, offset=offset, line=line, header=header))
    if buffer and final:
        error = ValidationFailed("malformed CSV: a quoted field is never closed", reason="bad_csv")
        yield (
            SourceRow(f"{path.name}:{first_line}", None, buffer, error),
            _stamp(path, replace(mark, offset=offset + len(buffer), line=line, header=header)),
        )


def _csv_row(locator: str, header: tuple[str, ...], values: list[str], record: bytes) -> SourceRow:
    if len(values) < len(header):
        missing = ", ".join(header[len(values) :])
        error = ValidationFailed(
            f"row has fewer columns than the header (missing {missing})", reason="bad_csv"
        )
        partial = dict(zip(header, values, strict=False))
        return SourceRow(locator, None, partial, error)
    fields: dict[str, Any] = dict(zip(header, values, strict=False))
    if len(values) > len(header):
        fields["_extra_columns"] = json.dumps(values[len(header) :], ensure_ascii=False)
    return SourceRow(locator, fields, dict(fields))
