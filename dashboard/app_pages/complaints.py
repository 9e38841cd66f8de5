"""Dashboard page 投诉与话题 Complaints & topics: heatmap, rising topics, drill-down to messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.analysis.rising import rising_topics
from dashboard.widgets import filter_bar, message_table, now_until, tr, url_selectbox

st.title(tr("投诉与话题", "Complaints & topics"))
filters = filter_bar(data.dimension_values(now_until()), default_days=7)
span_s = (filters.until - filters.since).total_seconds()
bucket_ms = 3_600_000 if span_s <= 3 * 86400 else 86_400_000
time_format = "%m-%d %H:00" if bucket_ms == 3_600_000 else "%m-%d"
st.caption(
    tr(
        "点击热力图的格子或柱形查看背后的消息；筛选条件保存在网址中，可直接分享。",
        "Click a heatmap cell or a bar to see the messages behind it; the filters are kept in "
        "the URL, so the view can be shared.",
    )
)

heat = data.heatmap(filters, bucket_ms)
heat = heat.assign(time=pd.to_datetime(heat["bucket_ms"], unit="ms", utc=True))
left, right = st.columns([3, 2])
with left:
    if heat.empty:
        st.info(tr("所选范围内没有投诉。", "No complaints in this selection."))
        cell: dict[str, object] = {}
    else:
        event = st.altair_chart(
            charts.heatmap_chart(
                heat, tr("话题 × 时间（投诉数）", "Topic × time (complaints)"), time_format
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
        st.info(tr("没有明显上升的话题。", "No topic is rising noticeably."))
        bar: dict[str, object] = {}
    else:
        title = tr(
            f"上升最快的话题（最近 {recent_s // 3600} 小时 vs 之前）",
            f"Fastest-rising topics (last {recent_s // 3600} h vs before)",
        )
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

st.subheader(tr("消息明细", "Messages"))
topics = sorted(set(heat["topic"]) | set(rising["topic"]))
buckets = sorted({int(b) for b in heat["bucket_ms"]})
one, two = st.columns(2)
topic = one.selectbox(
    tr("话题", "Topic"),
    options=topics,
    index=None,
    key="topic",
    bind="query-params",
    placeholder=tr("全部话题", "All topics"),
)


def bucket_label(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime(
        time_format.replace("%H:00", "%H:00 UTC")
    )


with two:
    at = url_selectbox(
        tr("时间段", "Time bucket"),
        buckets,
        key="at",
        format_func=bucket_label,
        placeholder=tr("整个时间范围", "Whole period"),
    )
scope = (
    filters
    if at is None
    else filters.with_time(
        datetime.fromtimestamp(at / 1000, tz=UTC),
        datetime.fromtimestamp(at / 1000, tz=UTC) + timedelta(milliseconds=bucket_ms),
    )
)
total = data.count_messages(scope, topic)
shown = data.messages(scope, topic)
st.caption(
    tr(
        f"共 {total:,} 条投诉，显示最新 {len(shown)} 条。",
        f"{total:,} complaints; the newest {len(shown)} are shown.",
    )
)
message_table(shown, key="messages")
