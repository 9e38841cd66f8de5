"""Dashboard queries: the files behind the download buttons (a drill-down's messages, an
incident's evidence), as CSV or Excel that spreadsheets read as text (radar/store/exports.py)."""

from __future__ import annotations

from typing import Literal

from alerts.evidence_export import evidence_sheets
from dashboard.queries.filters import Filters
from radar.i18n import Locale
from radar.store import Store
from radar.store.exports import csv_bytes, message_sheet, xlsx_bytes
from radar.store.listing import MAX_EXPORT, MessageFilter, iter_messages

Format = Literal["csv", "xlsx"]


def drilldown(
    filters: Filters, *, topic: str | None = None, complaints_only: bool = True
) -> MessageFilter:
    """The messages a drill-down lists (all of them, not only the newest shown), within the
    reader's shops."""
    return filters.messages(topic=topic, complaints_only=complaints_only)


def messages_file(
    store: Store, where: MessageFilter, fmt: Format, locale: Locale, max_rows: int = MAX_EXPORT
) -> bytes:
    """Every message of ``where`` (newest first, at most ``max_rows``) as one file."""
    sheet = message_sheet(list(iter_messages(store, where, max_rows=max_rows)), locale)
    return csv_bytes(sheet, locale.tz) if fmt == "csv" else xlsx_bytes([sheet], locale.tz)


def evidence_file(
    store: Store, incident_id: str, fmt: Format, locale: Locale, part: str = "samples"
) -> bytes:
    """An incident's evidence: every part as sheets of one Excel file, or one part as CSV."""
    sheets = evidence_sheets(store, incident_id, locale)
    if fmt == "csv":
        return csv_bytes(sheets[part], locale.tz)
    return xlsx_bytes(list(sheets.values()), locale.tz)
