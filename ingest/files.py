"""Connectors: read CSV and JSON-lines files row by row, keeping each row's position."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from radar.errors import RadarError, ValidationFailed

FORMATS = ("csv", "jsonl")

#: JSON nested deeper than this is refused as a record (it is never a feedback item).
MAX_JSON_DEPTH = 32
#: Longest line (bytes) read as one record; a longer one is a ``too_long`` dead letter
#: holding its start, and is skipped without being read into memory whole.
MAX_LINE_BYTES = 1_000_000
#: How much of a refused line a dead letter keeps.
KEPT_BYTES = 65_536


@dataclass(frozen=True)
class Line:
    """One line of a file: its bytes (cut at the limit), its full length, whether it ended."""

    data: bytes
    length: int
    ended: bool

    @property
    def too_long(self) -> bool:
        return self.length > len(self.data)


def read_lines(binary: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[Line]:
    """Lines of ``binary``, never holding more than ``limit`` bytes of one in memory."""
    while True:
        data = binary.readline(limit + 1)
        if not data:
            return
        length, ended = len(data), data.endswith(b"\n")
        if length > limit:
            data, rest = data[:limit], data[limit:]
            ended = rest.endswith(b"\n")
            while not ended:
                more = binary.readline(1 << 20)
                if not more:
                    break
                length += len(more)
                ended = more.endswith(b"\n")
        yield Line(data, length, ended)


def too_long_row(line: Line, locator: str) -> SourceRow:
    """The dead-letter row for a line longer than :data:`MAX_LINE_BYTES`."""
    error = ValidationFailed(
        f"line of {line.length:,} bytes; at most {MAX_LINE_BYTES:,} are read as one record",
        reason="too_long",
    )
    return SourceRow(locator, None, line.data[:KEPT_BYTES], error)


@dataclass(frozen=True)
class SourceRow:
    """One row of a source: its fields (or the error that stopped parsing) and where it was."""

    locator: str
    fields: dict[str, Any] | None
    raw: bytes | str | dict[str, Any]
    error: ValidationFailed | None = None


def detect_format(path: Path, declared: str | None = None) -> str:
    if declared:
        if declared not in FORMATS:
            msg = f"unknown format {declared!r}; choose one of: {', '.join(FORMATS)}"
            raise RadarError(msg)
        return declared
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        return "csv"
    if suffix in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    msg = f"{path.name}: unknown format '{suffix}'; pass --format csv or --format jsonl"
    raise RadarError(msg)


def read_rows(
    path: Path, fmt: str, *, on_progress: Callable[[int], None] | None = None
) -> Iterator[SourceRow]:
    """Rows of ``path``; ``on_progress`` gets the bytes consumed so far."""
    with path.open("rb") as binary:
        rows = _csv_rows(binary, path) if fmt == "csv" else _jsonl_rows(binary, path)
        for row in rows:
            yield row
            if on_progress is not None:
                on_progress(binary.tell())


def _csv_rows(binary: BinaryIO, path: Path) -> Iterator[SourceRow]:
    # surrogateescape keeps undecodable bytes, so a bad row is dead-lettered, not fatal
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.DictReader(text, delimiter=delimiter)
    if reader.fieldnames is None:
        return
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            locator = f"{path.name}:{reader.line_num}"
            error = ValidationFailed(f"malformed CSV: {exc}", reason="bad_csv")
            yield SourceRow(locator, None, f"line {reader.line_num}", error)
            continue
        locator = f"{path.name}:{reader.line_num}"
        extra = record.pop(None, None)
        if extra:
            record["_extra_columns"] = json.dumps(extra, ensure_ascii=False)
        missing = [k for k, v in record.items() if v is None]
        if missing:
            error = ValidationFailed(
                f"row has fewer columns than the header (missing {', '.join(missing)})",
                reason="bad_csv",
            )
            partial = {k: v for k, v in record.items() if v is not None}
            yield SourceRow(locator, None, partial, error)
            continue
        yield SourceRow(locator, dict(record), dict(record))


def _jsonl_rows(binary: BinaryIO, path: Path) -> Iterator[SourceRow]:
    for number, line in enumerate(read_lines(binary), start=1):
        locator = f"{path.name}:{number}"
        if line.too_long:
            yield too_long_row(line, locator)
            continue
        stripped = line.data.strip()
        if stripped:
            yield parse_json_record(stripped, locator)


def parse_json_record(data: bytes, locator: str) -> SourceRow:
    """One JSON object from bytes, or the reason it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        error = ValidationFailed(f"not valid UTF-8 at byte {exc.start}", reason="bad_encoding")
        return SourceRow(locator, None, data, error)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"not valid JSON: {exc.msg} at column {exc.colno}"
        error = ValidationFailed(message, reason="bad_json")
        return SourceRow(locator, None, text, error)
    except RecursionError:
        error = ValidationFailed("JSON nested too deeply", reason="too_deep")
        return SourceRow(locator, None, text, error)
    except ValueError as exc:  # an integer of over 4,300 digits
        error = ValidationFailed(f"not readable JSON: {exc}", reason="bad_json")
        return SourceRow(locator, None, text, error)
    if not isinstance(value, dict):
        error = ValidationFailed(
            f"expected a JSON object per line, got {type(value).__name__}", reason="wrong_type"
        )
        return SourceRow(locator, None, text, error)
    if _depth(value) > MAX_JSON_DEPTH:
        error = ValidationFailed(f"JSON nested deeper than {MAX_JSON_DEPTH}", reason="too_deep")
        return SourceRow(locator, None, text, error)
    return SourceRow(locator, value, value)


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_JSON_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level
