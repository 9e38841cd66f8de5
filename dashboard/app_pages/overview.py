"""Dashboard page 总览 Overview: volume and mean sentiment over time, per channel."""

from __future__ import annotations

from datetime import datetime, timedelta

import streamlit as st

from dashboard import charts, data, transforms
from dashboard.resources import settings, store


@st.cache_data(ttl=settings().cache_ttl_s, show_spinner=False)
def load_volume(
    since: datetime, until: datetime, bucket_s: int
) -> list[tuple[int, str, int, float | None]]:
    return data.volume_by_channel(store(), since, until, bucket_s)


@st.cache_data(ttl=settings().cache_ttl_s, show_spinner=False)
def load_range() -> tuple[datetime, datetime] | None:
    return data.time_range(store())


st.title("总览 Overview")
span = load_range()
if span is None:
    st.info("The store holds no events yet. Ingest some feedback and start `radar worker`.")
    st.stop()

days = st.segmented_control(
    "Period", options=[1, 7, 14, 30], default=14, format_func=lambda d: f"{d} d"
)
until = span[1] + timedelta(seconds=1)
since = until - timedelta(days=days or 14)
bucket = transforms.pick_bucket((until - since).total_seconds())
frame = transforms.volume_frame(load_volume(since, until, bucket))

totals = transforms.totals_by_channel(frame)
columns = st.columns(max(1, len(totals)) + 1)
columns[0].metric("events", f"{int(totals['events'].sum()):,}")
for column, row in zip(columns[1:], totals.itertuples(), strict=False):
    column.metric(
        f"{row.channel}", f"{int(row.events):,}", help=f"mean sentiment {row.sentiment:.2f}"
    )

st.altair_chart(charts.volume_chart(frame, "Volume per channel"), use_container_width=True)
st.altair_chart(
    charts.sentiment_chart(frame, "Mean sentiment per channel"), use_container_width=True
)
st.caption(
    f"Event time, UTC, {'hourly' if bucket == 3600 else 'daily'} buckets; "
    f"newest event {span[1]:%Y-%m-%d %H:%M}."
)
