"""Dashboard queries: the files behind the download buttons (a drill-down's messages, an
incident's evidence, the overview's figures, the incident list, the time to first reply), as
CSV or Excel that spreadsheets read as text (radar/store/exports.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import pandas as pd

from alerts.evidence_export import evidence_sheets
from alerts.incident_list_export import incidents_sheet
from alerts.incidents import Incident
from dashboard.queries.filters import Filters
from radar.i18n import Locale
from radar.store import Store
from radar.store.exports import Sheet, csv_bytes, message_sheet, xlsx_bytes
from radar.store.listing import MAX_EXPORT, MessageFilter, iter_messages
from radar.store.report_exports import WAIT_FIELDS, summary_sheet
from radar.store.responses import Waits

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


def sheets_file(sheets: Sequence[Sheet], fmt: str, locale: Locale) -> bytes:
    """Tables as one file: the first sheet as CSV (``fmt`` ``csv``), else every sheet in one
    Excel workbook."""
    return csv_bytes(sheets[0], locale.tz) if fmt == "csv" else xlsx_bytes(sheets, locale.tz)


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 4)


def overview_sheet(compared: pd.DataFrame, locale: Locale) -> Sheet:
    """The overview's key figures per channel (all channels first): this period, the one
    before and the change (rates as fractions, a rate's change in points as a fraction)."""
    columns = [
        ("channel", locale.t("export.field.channel")),
        ("metric", locale.t("export.report.metric")),
        ("value", locale.t("export.report.value")),
        ("previous", locale.t("export.report.previous")),
        ("change", locale.t("export.report.change")),
    ]
    rows = [
        {
            "channel": locale.label("channel", r["channel"]),
            "metric": locale.label("metric", r["metric"]),
            "value": _number(r["value"]),
            "previous": _number(r["previous"]),
            "change": _number(r["change"]),
        }
        for r in compared.sort_values("channel", key=lambda c: c != "all", kind="stable").to_dict(
            "records"
        )
    ]
    return Sheet(locale.t("export.report.overview"), columns, rows)


def incidents_file(incidents: Sequence[Incident], fmt: str, locale: Locale) -> bytes:
    """The incidents listed (as the API's ``GET /incidents?format=``)."""
    return sheets_file([incidents_sheet(incidents, locale)], fmt, locale)


def waits_file(total: Waits, groups: pd.DataFrame, by: str, fmt: str, locale: Locale) -> bytes:
    """The time to first reply, the total first, then per value of ``by`` (hours)."""
    rows = groups.rename(columns={"value": by}).to_dict("records")
    sheet = summary_sheet(
        locale.t("export.report.first_reply"), by, WAIT_FIELDS, total.as_dict(), rows, locale
    )
    return sheets_file([sheet], fmt, locale)
