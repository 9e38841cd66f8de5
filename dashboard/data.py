"""Dashboard: cached loaders the pages call (queries with a TTL; actions clear the cache).

The dashboard only reads: the roll-ups it reads are kept current by the worker
(:mod:`streams.rollups`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from alerts import Incident, checklist, get_incident, list_incidents, timeline
from dashboard.analysis.faq import faq_table, group_questions
from dashboard.analysis.terms import emerging_terms
from dashboard.queries import (
    health,
    improvements,
    incidents,
    overview,
    products,
    responses,
    topics,
)
from dashboard.queries.filters import Filters
from dashboard.resources import core, response_sla, settings, store
from radar.i18n import Locale
from radar.store import duplicates
from radar.store.improvements import ImprovementAction, list_improvements
from radar.store.responses import Conversation, Waits

TTL = settings().cache_ttl_s


def zone() -> str:
    """The display time zone: days and hours are counted in it."""
    return core().timezone


LIVE_TTL = max(1, min(TTL, settings().refresh_s // 2))


@st.cache_data(ttl=TTL, show_spinner=False)
def hourly(since: datetime, until: datetime, shops: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Hourly figures per channel; within ``shops`` counted from the events (no roll-up)."""
    if shops is not None:
        return overview.hourly_in_shops(store(), since, until, shops, response_sla(), zone())
    return overview.hourly(store(), since, until)


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def sources(now: datetime) -> pd.DataFrame:
    return overview.sources(store(), now)


@st.cache_data(ttl=600, show_spinner=False)
def dimension_values(until: datetime, shops: tuple[str, ...] | None = None) -> dict[str, list[str]]:
    return topics.dimension_values(store(), until - timedelta(days=7), zone(), shops)


@st.cache_data(ttl=600, show_spinner=False)
def topics_seen(until: datetime) -> list[str]:
    return topics.topics_seen(store(), until - timedelta(days=90), zone())


@st.cache_data(ttl=TTL, show_spinner=False)
def heatmap(filters: Filters, bucket_ms: int) -> pd.DataFrame:
    return topics.heatmap(store(), filters, bucket_ms)


@st.cache_data(ttl=TTL, show_spinner=False)
def topic_windows(filters: Filters, recent_s: int) -> pd.DataFrame:
    return topics.topic_windows(store(), filters, timedelta(seconds=recent_s))


@st.cache_data(ttl=TTL, show_spinner=False)
def messages(filters: Filters, topic: str | None, limit: int = 200) -> pd.DataFrame:
    return topics.messages(store(), filters, topic=topic, limit=limit)


@st.cache_data(ttl=TTL, show_spinner=False)
def copies(ids: tuple[str, ...]) -> pd.DataFrame:
    """The likely duplicates of the listed messages ``ids`` (each with its ``first_id``)."""
    return topics.copies(store(), ids)


@st.cache_data(ttl=TTL, show_spinner=False)
def first_ids(ids: tuple[str, ...]) -> dict[str, str]:
    """The first copy of each message ``ids`` (itself unless it is a likely duplicate)."""
    return duplicates.first_ids(store(), ids)


@st.cache_data(ttl=TTL, show_spinner=False)
def count_messages(filters: Filters, topic: str | None) -> int:
    return topics.count_messages(store(), filters, topic)


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def open_incidents(_minute: datetime) -> list[Incident]:
    return list_incidents(store(), status="open", limit=200)


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def past_incidents(_minute: datetime) -> list[Incident]:
    return list_incidents(store(), status="resolved", limit=100)


def incident_detail(incident_id: str) -> tuple[Incident, list[Any], list[Any]]:
    """Not cached: on-call must see their own changes at once."""
    return (
        get_incident(store(), incident_id),
        checklist(store(), incident_id),
        timeline(store(), incident_id),
    )


@st.cache_data(ttl=TTL, show_spinner=False)
def evidence(alerts: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    return incidents.evidence(store(), alerts, Locale.of(lang, zone()))


def improvement_actions() -> list[ImprovementAction]:
    return list_improvements(store())


Shops = tuple[str, ...] | None  # the shops a view counts (None: every shop)


@st.cache_data(ttl=TTL, show_spinner=False)
def scope_counts(
    action: ImprovementAction, since: datetime, until: datetime, shops: Shops = None
) -> tuple[int, int]:
    return improvements.scope_counts(store(), action, since, until, zone(), shops)


@st.cache_data(ttl=TTL, show_spinner=False)
def scope_series(
    action: ImprovementAction, since: datetime, until: datetime, bucket_ms: int, shops: Shops = None
) -> pd.DataFrame:
    return improvements.scope_series(store(), action, since, until, bucket_ms, zone(), shops)


@st.cache_data(ttl=TTL, show_spinner=False)
def topic_mix(
    product: str | None, since: datetime, until: datetime, bucket_ms: int, shops: Shops = None
) -> pd.DataFrame:
    return products.topic_mix(store(), product, since, until, bucket_ms, zone(), shops)


@st.cache_data(ttl=TTL, show_spinner=False)
def product_texts(
    product: str | None,
    since: datetime,
    until: datetime,
    questions: bool = False,
    shops: Shops = None,
) -> list[str]:
    return products.texts(store(), product, since, until, questions=questions, shops=shops)


@st.cache_data(ttl=TTL, show_spinner=False)
def emerging(
    product: str | None, since: datetime, cut: datetime, until: datetime, shops: Shops = None
) -> tuple[pd.DataFrame, int]:
    """(terms of the last stretch ``cut``..``until`` against the time before, texts before)."""
    before = product_texts(product, since, cut, shops=shops)
    return emerging_terms(product_texts(product, cut, until, shops=shops), before), len(before)


@st.cache_data(ttl=TTL, show_spinner=False)
def faq_candidates(
    product: str | None, since: datetime, until: datetime, shops: Shops = None
) -> tuple[pd.DataFrame, int, int]:
    """(top FAQ groups, questions asked, number of groups)."""
    groups = group_questions(product_texts(product, since, until, questions=True, shops=shops))
    return faq_table(groups), sum(g.count for g in groups), len(groups)


@st.cache_data(ttl=TTL, show_spinner=False)
def first_reply(filters: Filters, by: str, now: datetime) -> tuple[Waits, pd.DataFrame]:
    return responses.first_reply(store(), filters, by, response_sla(), now)


@st.cache_data(ttl=TTL, show_spinner=False)
def waiting(filters: Filters, now: datetime) -> list[Conversation]:
    return responses.waiting(store(), filters, now)


@st.cache_data(ttl=TTL, show_spinner=False)
def satisfaction(filters: Filters) -> pd.DataFrame:
    return responses.satisfaction(store(), filters)


@st.cache_data(ttl=TTL, show_spinner=False)
def compare(filters: Filters, by: str, now: datetime) -> pd.DataFrame:
    return responses.compare(store(), filters, by, response_sla(), now)


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def throughput(since: datetime) -> pd.DataFrame:
    return health.throughput(store(), since)


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def lag(since: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    return health.lag(store(), since)


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def deadletters(since: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    return health.deadletter_reasons(store(), since), health.deadletter_examples(store())


@st.cache_data(ttl=LIVE_TTL, show_spinner=False)
def connectors(_minute: datetime) -> pd.DataFrame:
    return health.connectors(store())


def clear() -> None:
    """After an action: everyone's next view reads the store again."""
    st.cache_data.clear()
