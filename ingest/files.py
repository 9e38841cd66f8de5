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
    for number, line in enumerate(binary, start=1):
        stripped = line.strip()
        if not stripped:
            continue
        locator = f"{path.name}:{number}"
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
