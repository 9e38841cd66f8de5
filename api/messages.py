"""HTTP API: customer messages (a page at a time, one by id, exported), key figures, signals.

A caller limited to some shops gets only those shops' messages, figures and
signals: the scope is added to whatever the request filters by.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlalchemy import select

from api.context import answer, blocking, reader_locale, refuse, require, state
from api.params import (
    EventsQuery,
    ExportQuery,
    FiguresQuery,
    ResponseTimesQuery,
    SignalsQuery,
    from_query,
)
from dashboard.settings import DashboardSettings
from radar.i18n import Locale
from radar.store import Store
from radar.store.audit import record_action
from radar.store.exports import (
    CSV_MIME,
    XLSX_MIME,
    Sheet,
    csv_bytes,
    message_sheet,
    xlsx_bytes,
)
from radar.store.listing import (
    MessageFilter,
    get_message,
    iter_messages,
    key_figures,
    list_messages,
)
from radar.store.report_exports import backlog_sheet, figures_sheet, waits_sheet
from radar.store.responses import backlog, backlog_by_age, conversations, waits, waits_by
from radar.store.rollups import ResponseSla
from radar.store.signals import signals


def _scoped(request: web.Request, where: MessageFilter) -> MessageFilter:
    return where.within(require(request, "read").shops)


async def list_events(request: web.Request) -> web.Response:
    """``GET /api/v1/events``: the newest messages matching the filters, a page at a time."""
    api = state(request)
    query = from_query(EventsQuery, request.query, api.core.timezone)
    where = _scoped(request, query.message_filter(api.clock.now()))
    page = await blocking(list_messages, api.store, where, limit=query.limit, cursor=query.cursor)
    return answer({"items": page.items, "next_cursor": page.next_cursor})


async def get_event(request: web.Request) -> web.Response:
    """``GET /api/v1/events/{id}``."""
    api = state(request)
    who = require(request, "read")
    found = await blocking(get_message, api.store, request.match_info["id"], who.shops)
    if found is None:
        refuse(404, "not_found", "no_message", id=request.match_info["id"])
    return answer(found)


def attachment(data: bytes, content_type: str, filename: str) -> web.Response:
    """A download: ``filename`` may be Chinese (RFC 6266 ``filename*``)."""
    ascii_name = filename.encode("ascii", "ignore").decode() or "radar-export"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return web.Response(
        body=data,
        headers={"Content-Type": content_type, "Content-Disposition": disposition},
    )


def table_file(
    sheets: list[Sheet], fmt: str, locale: Locale, name: str, at: datetime
) -> web.Response:
    """Tables as a download: every sheet in one Excel file, or the first as CSV."""
    stamp = locale.clock(at, "%Y%m%d-%H%M")
    if fmt == "csv":
        return attachment(csv_bytes(sheets[0], locale.tz), CSV_MIME, f"{name}-{stamp}.csv")
    return attachment(xlsx_bytes(sheets, locale.tz), XLSX_MIME, f"{name}-{stamp}.xlsx")


async def export_events(request: web.Request) -> web.Response:
    """``GET /api/v1/events/export``: every matching message as CSV or Excel."""
    api = state(request)
    query = from_query(ExportQuery, request.query, api.core.timezone)
    where = _scoped(request, query.message_filter(api.clock.now()))
    locale = reader_locale(request)
    who = require(request, "read")

    def build() -> bytes:
        # customer texts leave Radar: who took which, like the dashboard's downloads
        detail = f"{query.format} {request.query_string}"[:500]
        record_action(api.store, who.name, "export.messages", None, detail, {"via": "api"})
        rows = list(iter_messages(api.store, where, max_rows=query.limit))
        sheet = message_sheet(rows, locale)
        if query.format == "csv":
            return csv_bytes(sheet, locale.tz)
        return xlsx_bytes([sheet], locale.tz)

    data = await blocking(build)
    stamp = locale.clock(where.until, "%Y%m%d-%H%M")
    mime = CSV_MIME if query.format == "csv" else XLSX_MIME
    return attachment(data, mime, f"radar-messages-{stamp}.{query.format}")


async def figures(request: web.Request) -> web.Response:
    """``GET /api/v1/kpis``: volume, complaint rate, sentiment, CSAT and NPS, per group too."""
    api = state(request)
    query = from_query(FiguresQuery, request.query, api.core.timezone)
    where = _scoped(request, query.message_filter(api.clock.now()))
    total, groups = await blocking(key_figures, api.store, where, query.by, api.core.timezone)
    if query.format != "json":
        locale = reader_locale(request)
        sheet = figures_sheet(total, groups, query.by, locale)
        return table_file([sheet], query.format, locale, "radar-kpis", where.until)
    return answer(
        {
            "since": where.since,
            "until": where.until,
            "by": query.by,
            "total": total.as_dict(),
            "groups": [g.as_dict() for g in groups],
        }
    )


async def response_times(request: web.Request) -> web.Response:
    """``GET /api/v1/response-times``: time to first reply (median, p90) in total and per
    group, and the conversations still waiting, by age and channel."""
    api = state(request)
    query = from_query(ResponseTimesQuery, request.query, api.core.timezone)
    now = api.clock.now()
    where = _scoped(request, query.message_filter(now))
    dashboard = DashboardSettings()  # one response SLA for the dashboard and the API
    sla = ResponseSla(dashboard.sla_hours, dict(dashboard.sla_hours_by_channel))

    def build() -> dict[str, Any]:
        found = conversations(api.store, where, now)
        if query.format != "json":
            return {
                "total": waits(found, sla, now),
                "groups": waits_by(found, query.by, sla, now),
                "backlog": backlog_by_age(backlog(api.store, where, now), now),
            }
        return {
            "since": where.since,
            "until": where.until,
            "by": query.by,
            "total": waits(found, sla, now).as_dict(),
            "groups": [w.as_dict() for w in waits_by(found, query.by, sla, now)],
            "backlog": backlog_by_age(backlog(api.store, where, now), now),
        }

    built = await blocking(build)
    if query.format != "json":
        locale = reader_locale(request)
        sheets = [
            waits_sheet(built["total"], built["groups"], query.by, locale),
            backlog_sheet(built["backlog"], locale),
        ]
        return table_file(sheets, query.format, locale, "radar-response-times", now)
    return answer(built)


def _signals(
    store: Store, query: SignalsQuery, since: datetime, until: datetime, shops: Any
) -> list[dict[str, Any]]:
    statement = select(signals).where(signals.c.window_end >= since, signals.c.window_start < until)
    if query.type:
        statement = statement.where(signals.c.type.in_(list(query.type)))
    if query.status:
        statement = statement.where(signals.c.status == query.status)
    statement = statement.order_by(signals.c.detected_at.desc(), signals.c.id)
    found = []
    with store.engine.connect() as conn:
        for row in conn.execute(statement):
            item = dict(row._mapping)
            item.pop("key_text", None)
            if shops is not None and (item["key"] or {}).get("shop") not in shops:
                continue  # a scoped caller sees the signals of its shops only
            found.append(item)
            if len(found) >= query.limit:
                break
    return found


async def list_signals(request: web.Request) -> web.Response:
    """``GET /api/v1/signals``: what the detectors reported in the period, newest first."""
    api = state(request)
    who = require(request, "read")
    query = from_query(SignalsQuery, request.query, api.core.timezone)
    since, until = query.bounds(api.clock.now())
    items = await blocking(_signals, api.store, query, since, until, who.shops)
    return answer({"items": items})


def routes() -> list[web.RouteDef]:
    return [
        web.get("/api/v1/events", list_events),
        web.get("/api/v1/events/export", export_events),
        web.get("/api/v1/events/{id}", get_event),
        web.get("/api/v1/kpis", figures),
        web.get("/api/v1/response-times", response_times),
        web.get("/api/v1/signals", list_signals),
    ]
