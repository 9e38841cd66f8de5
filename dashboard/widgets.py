"""Dashboard: widgets the pages share (language, user, time, URL-bound filters, safe text tables)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import i18n
from dashboard.auth import User
from dashboard.queries.filters import DIMENSIONS, Filters
from dashboard.resources import settings

#: Period choices in days.
PERIODS = (1, 7, 14, 30, 90)


def lang() -> str:
    return str(st.session_state.get("lang") or settings().language)


def tr(zh: str, en: str) -> str:
    """The text in the chosen interface language."""
    return i18n.pick(lang(), zh, en)


def label(table: dict[str, tuple[str, str]] | dict[int, tuple[str, str]], key: object) -> str:
    return i18n.label(table, key, lang())


def current_user() -> User:
    """The signed-in user (the router lets no page run without one)."""
    user = st.session_state.get("user")
    assert isinstance(user, User), "pages run only after sign-in"
    return user


def now_until() -> datetime:
    """Now, rounded up to the next minute, so cached queries are reused within a minute."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now + timedelta(minutes=1)


def period(key: str = "days", default: int = 7) -> int:
    """A period picker kept in the URL (``?days=14``)."""
    chosen = st.segmented_control(
        tr("时间范围", "Period"),
        options=list(PERIODS),
        default=default,
        format_func=lambda d: tr(f"{d} 天", f"{d} d"),
        key=key,
        bind="query-params",
    )
    return int(chosen or default)


def filter_bar(options: dict[str, list[str]], *, default_days: int = 7) -> Filters:
    """Channel, product, region, segment, stage and period filters, all kept in the URL."""
    names = {
        "channel": tr("渠道", "Channel"),
        "product": tr("产品", "Product"),
        "region": tr("地区", "Region"),
        "segment": tr("客群", "Segment"),
        "stage": tr("阶段", "Stage"),
    }
    formatters = {"channel": i18n.CHANNEL_LABELS, "stage": i18n.STAGE_LABELS}
    columns = st.columns(len(DIMENSIONS) + 1)
    chosen: dict[str, tuple[str, ...]] = {}
    for column, name in zip(columns, DIMENSIONS, strict=False):
        table = formatters.get(name)
        with column:
            picked = st.multiselect(
                names[name],
                options=options.get(name, []),
                key=name,
                bind="query-params",
                format_func=(lambda v, t=table: label(t, v)) if table else str,
                placeholder=tr("全部", "All"),
            )
        chosen[name] = tuple(picked)
    with columns[-1]:
        days = st.selectbox(
            tr("时间范围", "Period"),
            options=list(PERIODS),
            index=list(PERIODS).index(default_days),
            format_func=lambda d: tr(f"最近 {d} 天", f"last {d} d"),
            key="days",
            bind="query-params",
        )
    until = now_until()
    return Filters(since=until - timedelta(days=int(days)), until=until, **chosen)


def message_table(frame: pd.DataFrame, *, key: str | None = None) -> None:
    """Customer messages as plain text cells: HTML or Markdown in them is never rendered."""
    shown = frame.drop(columns=[c for c in ("id", "url") if c in frame.columns])
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={
            "created_at": st.column_config.DatetimeColumn(tr("时间", "Time"), format="YYYY-MM-DD HH:mm"),
            "text": st.column_config.TextColumn(tr("内容", "Text"), width="large"),
            "title": st.column_config.TextColumn(tr("标题", "Title")),
            "sentiment": st.column_config.NumberColumn(tr("情感", "Sentiment"), format="%.2f"),
        },
    )


def plain(text: str) -> None:
    """One customer text, shown exactly as written (never as Markdown or HTML)."""
    st.text(text)
