"""Dashboard queries for 响应与满意度 Responses & satisfaction: time to first reply, the backlog,
CSAT/NPS/stars over time, and regions, segments or stages side by side (as DataFrames)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from dashboard.queries.filters import Filters
from radar.i18n import Locale
from radar.store import Store
from radar.store.exports import Sheet
from radar.store.listing import key_figures
from radar.store.responses import (
    Conversation,
    Waits,
    backlog,
    backlog_by_age,
    conversations,
    waits,
    waits_by,
)
from radar.store.rollups import ResponseSla

WAIT_COLUMNS = ["value", "conversations", "answered", "median_hours", "p90_hours", "within_sla"]
SATISFACTION_COLUMNS = ["day", "csat", "csat_answers", "nps", "nps_answers", "rating", "ratings"]
COMPARE_COLUMNS = [
    "value",
    "volume",
    "complaint_rate",
    "sentiment",
    "csat",
    "nps",
    "rating",
    "median_hours",
    "conversations",
]
WAITING_COLUMNS = ["asked_at", "channel", "source", "shop", "product", "department", "text", "id"]


def _rows(summaries: Sequence[Waits], by: str) -> pd.DataFrame:
    rows = [{**w.as_dict(), "value": w.key.get(by)} for w in summaries]
    return pd.DataFrame(rows, columns=WAIT_COLUMNS)


def first_reply(
    store: Store, filters: Filters, by: str, sla: ResponseSla, now: datetime
) -> tuple[Waits, pd.DataFrame]:
    """Waits of every conversation of the period, and per value of ``by``."""
    found = conversations(store, filters.messages(), now)
    return waits(found, sla, now), _rows(waits_by(found, by, sla, now), by)


def waiting(store: Store, filters: Filters, now: datetime) -> list[Conversation]:
    """Conversations still waiting for a first reply (the longest waiting first)."""
    return backlog(store, filters.messages(), now)


def backlog_table(found: Sequence[Conversation], now: datetime) -> pd.DataFrame:
    """How many wait per age bucket and channel."""
    return pd.DataFrame(backlog_by_age(found, now), columns=["age", "channel", "conversations"])


def waiting_table(found: Sequence[Conversation]) -> pd.DataFrame:
    """The waiting conversations' first messages, one row each."""
    rows = [{name: getattr(c, name) for name in WAITING_COLUMNS} for c in found]
    return pd.DataFrame(rows, columns=WAITING_COLUMNS)


def waiting_sheet(found: Sequence[Conversation], now: datetime, locale: Locale) -> Sheet:
    """The waiting conversations as a sheet for a spreadsheet, with how long each waited."""
    rows = [
        {
            "asked_at": c.asked_at,
            "waited": round((now - c.asked_at).total_seconds() / 3600, 1),
            "channel": locale.label("channel", c.channel),
            "source": c.source,
            "shop": c.shop,
            "product": c.product,
            "department": c.department,
            "text": c.text,
            "id": c.id,
        }
        for c in found
    ]
    hours = locale.t("dashboard.responses.hours")
    columns = [
        ("asked_at", locale.heading("export.field.created_at")),
        ("waited", f"{locale.t('dashboard.responses.waited')} ({hours})"),
        ("channel", locale.t("export.field.channel")),
        ("source", locale.t("export.field.source")),
        ("shop", locale.t("export.field.shop")),
        ("product", locale.t("export.field.product")),
        ("department", locale.t("export.field.department")),
        ("text", locale.t("export.field.text")),
        ("id", locale.t("export.field.id")),
    ]
    return Sheet(locale.t("dashboard.responses.waiting"), columns, rows)


def satisfaction(store: Store, filters: Filters) -> pd.DataFrame:
    """CSAT, NPS and mean stars per local day of the period (days without answers left out)."""
    _, days = key_figures(store, filters.messages(), "day", filters.timezone)
    rows = [g.as_dict() for g in days]
    frame = pd.DataFrame(rows, columns=SATISFACTION_COLUMNS)
    answered = (frame["csat_answers"] > 0) | (frame["nps_answers"] > 0) | (frame["ratings"] > 0)
    frame = frame[answered].reset_index(drop=True)
    frame["day"] = pd.to_datetime(frame["day"]).dt.tz_localize(filters.timezone)
    return frame


def compare(
    store: Store, filters: Filters, by: str, sla: ResponseSla, now: datetime
) -> pd.DataFrame:
    """Key figures and the median first reply per value of ``by`` (region, segment, stage)."""
    _, groups = key_figures(store, filters.messages(), by, filters.timezone)
    replies = {
        w.key[by]: w for w in waits_by(conversations(store, filters.messages(), now), by, sla, now)
    }
    rows = []
    for group in groups:
        figures = group.as_dict()
        value = figures[by]
        reply = replies.get(value)
        rows.append(
            {
                **figures,
                "value": value,
                "median_hours": reply.median_hours if reply else None,
                "conversations": reply.conversations if reply else 0,
            }
        )
    frame = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    return frame.sort_values("volume", ascending=False).reset_index(drop=True)
