"""Connectors: read Excel workbooks (.xlsx) row by row, the first row naming the columns.

A workbook is a zip of XML parts that anyone can make small on disk and huge
inside (a zip bomb, or a sheet whose dimension claims 16,384 columns): its
size, the size its parts unpack to and their compression ratio are checked
before openpyxl reads anything, and rows are read no wider than the header.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from ingest.files import SourceRow
from ingest.tail import FileMark, _stamp, open_regular
from radar.errors import ValidationFailed

#: Largest workbook file read (bytes).
MAX_FILE_BYTES = 100_000_000
#: Most bytes its parts may unpack to, and the highest compression ratio of a large part.
MAX_UNPACKED_BYTES = 500_000_000
MAX_RATIO = 100
#: Most columns read (a header wider than this is cut).
MAX_COLUMNS = 256
#: How much of an unreadable workbook its dead letter keeps.
KEPT_BYTES = 100_000


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def check_archive(handle: IO[bytes], size: int) -> None:
    """Raise ValueError when a workbook is too large on disk or once unpacked."""
    if size > MAX_FILE_BYTES:
        msg = f"{size:,} bytes, more than the {MAX_FILE_BYTES:,} read"
        raise ValueError(msg)
    with zipfile.ZipFile(handle) as archive:
        unpacked = 0
        for part in archive.infolist():
            unpacked += part.file_size
            ratio = part.file_size / max(part.compress_size, 1)
            if part.file_size > 1_000_000 and ratio > MAX_RATIO:
                msg = f"part {part.filename!r} unpacks {ratio:,.0f} times its size (a zip bomb?)"
                raise ValueError(msg)
        if unpacked > MAX_UNPACKED_BYTES:
            msg = f"its parts unpack to {unpacked:,} bytes, more than {MAX_UNPACKED_BYTES:,}"
            raise ValueError(msg)
    handle.seek(0)


def read_workbook(path: Path, mark: FileMark) -> Iterator[tuple[SourceRow, FileMark]]:
    """Rows of the first sheet after ``mark.rows``; an unreadable file is one bad record."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with open_regular(path) as handle:
        done = _stamp(path, replace(mark, rows=-1))
        try:
            check_archive(handle, path.stat().st_size)
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            handle.seek(0)
            yield _unreadable(path, handle.read(KEPT_BYTES), str(exc)), done
            return
        try:
            yield from _rows(path, workbook, mark)
        except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
            # openpyxl reads as it goes: a cell it cannot convert (a number of 5,000
            # digits), or a part missing, ends the sheet here
            yield _unreadable(path, b"", f"a cell or part cannot be read: {exc}"), done
        finally:
            workbook.close()


def _unreadable(path: Path, raw: bytes, why: str) -> SourceRow:
    error = ValidationFailed(
        f"not a readable .xlsx workbook ({why}); save it again as Excel 2007+ (.xlsx)",
        reason="bad_file",
    )
    return SourceRow(f"{path.name}", None, raw, error)


def _rows(path: Path, workbook: Any, mark: FileMark) -> Iterator[tuple[SourceRow, FileMark]]:
    sheet = workbook.worksheets[0]
    header_values = next(sheet.iter_rows(values_only=True, max_row=1, max_col=MAX_COLUMNS), None)
    if header_values is None:
        return
    named = list(header_values)
    while named and named[-1] in (None, ""):  # read-only rows are padded to max_col
        named.pop()
    if not named:
        return
    header_values = tuple(named)
    header = tuple(
        str(v).strip()[:200] if v is not None else f"column{i + 1}"
        for i, v in enumerate(header_values)
    )
    rows = sheet.iter_rows(values_only=True, min_row=2, max_col=len(header))
    for number, values in enumerate(rows, start=1):
        if number <= mark.rows:
            continue
        cells = [_cell(v) for v in values]
        if all(v is None or v == "" for v in cells):
            continue
        fields = {name: cells[i] for i, name in enumerate(header) if i < len(cells)}
        row = SourceRow(f"{path.name}:{number + 1}", fields, dict(fields))
        yield row, _stamp(path, replace(mark, rows=number, header=header))
