"""Dashboard page 投诉与话题 Complaints & topics: heatmap, rising topics, drill-down to messages."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.analysis.rising import rising_topics
from dashboard.queries import exports
from dashboard.resources import store
from dashboard.widgets import (
    current_user,
    duplicate_list,
    export_buttons,
    filter_bar,
    label,
    local_times,
    locale,
    message_table,
    now_until,
    t,
    time_heading,
    url_selectbox,
    user_shops,
)
from radar.clock import from_millis, to_millis
from radar.localtime import DAY_MS, bucket_starts, offset_ms
from radar.store.audit import record_action

st.title(label("page", "complaints"))
filters = filter_bar(data.dimension_values(now_until(), user_shops()), default_days=7)
span_s = (filters.until - filters.since).total_seconds()
bucket_ms = 3_600_000 if span_s <= 3 * 86400 else 86_400_000
time_format = "%m-%d %H:00" if bucket_ms == 3_600_000 else "%m-%d"
st.caption(t("dashboard.complaints.caption"))

heat = data.heatmap(filters, bucket_ms)
heat = local_times(heat.assign(time=pd.to_datetime(heat["bucket_ms"], unit="ms", utc=True)), "time")
left, right = st.columns([3, 2])
with left:
    if heat.empty:
        st.info(t("dashboard.complaints.no_complaints"))
        cell: dict[str, object] = {}
    else:
        event = st.altair_chart(
            charts.heatmap_chart(
                heat,
                t("dashboard.complaints.heatmap"),
                time_format,
                offset_ms(to_millis(filters.until), locale().tz),
            ),
            width="stretch",
            on_select="rerun",
            selection_mode=charts.CELL,
            key="heatmap",
        )
        picked = event.selection.get(charts.CELL) or [] if event else []
        cell = dict(picked[0]) if picked else {}

recent_s = 86400 if span_s > 86400 else 3 * 3600
windows = data.topic_windows(filters, recent_s)
rising = rising_topics(windows, recent_s, span_s - recent_s)
with right:
    if rising.empty:
        st.info(t("dashboard.complaints.nothing_rising"))
        bar: dict[str, object] = {}
    else:
        title = t("dashboard.complaints.rising", hours=recent_s // 3600)
        event = st.altair_chart(
            charts.rising_chart(rising.head(10), title),
            width="stretch",
            on_select="rerun",
            selection_mode=charts.BAR,
            key="rising",
        )
        picked = event.selection.get(charts.BAR) or [] if event else []
        bar = dict(picked[0]) if picked else {}

# A click on the chart fills the drill-down fields (kept in the URL); they can be set by hand too.
clicked = (
    (cell.get("topic"), cell.get("bucket_ms"))
    if cell
    else (bar.get("topic"), None)
    if bar
    else None
)
if clicked and clicked != st.session_state.get("_applied_click"):
    st.session_state["_applied_click"] = clicked
    st.session_state["topic"] = str(clicked[0]) if clicked[0] else None
    st.session_state["at"] = None if clicked[1] is None else int(str(clicked[1]))

st.subheader(t("dashboard.complaints.messages"))
topics = sorted(set(heat["topic"]) | set(rising["topic"]))
buckets = sorted({int(b) for b in heat["bucket_ms"]})
one, two = st.columns(2)
topic = one.selectbox(
    t("dashboard.common.topic"),
    options=topics,
    index=None,
    key="topic",
    bind="query-params",
    placeholder=t("dashboard.complaints.all_topics"),
)


def bucket_label(ms: int) -> str:
    return locale().clock(datetime.fromtimestamp(ms / 1000, tz=UTC), time_format)


with two:
    at = url_selectbox(
        time_heading("dashboard.complaints.time_bucket"),
        buckets,
        key="at",
        format_func=bucket_label,
        placeholder=t("dashboard.complaints.whole_period"),
    )
# a local day is not always 24 hours long (summer time): the bucket ends at the next midnight
bucket_end = None if at is None else at + bucket_ms
if at is not None and bucket_ms >= DAY_MS:
    bucket_end = bucket_starts(at, at + 1, locale().tz)[-1]
scope = (
    filters
    if at is None or bucket_end is None
    else filters.with_time(from_millis(at), from_millis(bucket_end))
)
total = data.count_messages(scope, topic)
shown = data.messages(scope, topic)
st.caption(t("dashboard.complaints.total", total=total, shown=len(shown)))
message_table(shown, key="messages")
with_copies = tuple(shown.loc[shown["duplicates"] > 0, "id"])
if with_copies:
    duplicate_list(shown, data.copies(with_copies), key="duplicates")

# every message of the drill-down, not only the newest shown; built when a button is clicked
where = exports.drilldown(scope, topic=topic)
reader, opened, who = locale(), store(), current_user().name


def drilldown_file(fmt: str) -> bytes:
    record_action(opened, who, "export.messages", topic, f"{fmt} {where.since:%Y-%m-%d}..")
    return exports.messages_file(opened, where, "csv" if fmt == "csv" else "xlsx", reader)


export_buttons(
    drilldown_file,
    f"radar-complaints-{reader.clock(where.until, '%Y%m%d-%H%M')}",
    key="export-messages",
    label=t("dashboard.complaints.export_caption", total=f"{total:,}"),
)
