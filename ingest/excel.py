"""Connectors: read Excel workbooks (.xlsx) row by row, the first row naming the columns."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from ingest.files import SourceRow
from ingest.tail import FileMark, _stamp
from radar.errors import ValidationFailed


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def read_workbook(path: Path, mark: FileMark) -> Iterator[tuple[SourceRow, FileMark]]:
    """Rows of the first sheet after ``mark.rows``; an unreadable file is one bad record."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        error = ValidationFailed(
            f"not a readable .xlsx workbook ({exc}); save it again as Excel 2007+ (.xlsx)",
            reason="bad_file",
        )
        raw = path.read_bytes()[:100_000]
        yield SourceRow(f"{path.name}", None, raw, error), _stamp(path, replace(mark, rows=-1))
        return
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_values = next(rows, None)
        if header_values is None:
            return
        header = tuple(
            str(v).strip() if v is not None else f"column{i + 1}"
            for i, v in enumerate(header_values)
        )
        for number, values in enumerate(rows, start=1):
            if number <= mark.rows:
                continue
            cells = [_cell(v) for v in values]
            if all(v is None or v == "" for v in cells):
                continue
            fields = {name: cells[i] for i, name in enumerate(header) if i < len(cells)}
            row = SourceRow(f"{path.name}:{number + 1}", fields, dict(fields))
            yield row, _stamp(path, replace(mark, rows=number, header=header))
    finally:
        workbook.close()
