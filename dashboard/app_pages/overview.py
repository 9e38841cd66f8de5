"""Dashboard page 总览 Overview: key figures per channel vs the previous period, freshness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.analysis import kpis
from dashboard.queries import exports
from dashboard.resources import core, response_sla, settings
from dashboard.widgets import (
    export_buttons,
    label,
    literal,
    local_times,
    locale,
    now_until,
    period,
    shop_filter,
    t,
    time_heading,
    user_shops,
)

st.title(label("page", "overview"))
left, right = st.columns([2, 3])
with left:
    shops = shop_filter(
        data.dimension_values(now_until(), user_shops()).get("shop", []), "overview"
    )
with right:
    days = period(default=7)
bucket_ms = 3_600_000 if days <= 3 else 86_400_000


def fmt(metric: str, value: float | None) -> str:
    if value is None or pd.isna(value):
        return "—"
    if metric == "volume":
        return f"{int(value):,}"
    if metric in ("complaint_rate", "csat", "sla_share"):
        return f"{value:.1%}"
    if metric == "nps":
        return f"{value:+.0f}"
    return f"{value:.2f}"


def fmt_change(metric: str, value: float | None) -> str | None:
    if value is None or pd.isna(value):
        return None
    if metric == "volume":
        return f"{value:+.1%}"
    if metric in ("complaint_rate", "csat", "sla_share"):
        return f"{100 * value:+.1f} pt"
    if metric == "nps":
        return f"{value:+.0f}"
    return f"{value:+.2f}"


#: Whether a rise is good news (the delta arrow is coloured accordingly).
RISE_IS_GOOD = {
    "volume": True,
    "complaint_rate": False,
    "sentiment": True,
    "csat": True,
    "nps": True,
    "sla_share": True,
}


@st.fragment(run_every=settings().refresh_s)
def figures() -> None:
    until = now_until()
    since, before = until - timedelta(days=days), until - timedelta(days=2 * days)
    frame = data.hourly(before, until, shops)
    current = frame[frame["hour"] >= int(since.timestamp() * 1000)]
    previous = frame[frame["hour"] < int(since.timestamp() * 1000)]
    sla_cut = int((until - timedelta(hours=response_sla().default_hours)).timestamp() * 1000)
    now_table = kpis.per_channel(current, sla_cutoff_ms=sla_cut)
    before_table = kpis.per_channel(previous)
    compared = kpis.compare(now_table, before_table)
    if current["volume"].sum() == 0:
        st.info(t("dashboard.overview.no_feedback"))
    overall = compared[compared["channel"] == "all"].set_index("metric")
    for column, metric in zip(st.columns(len(kpis.METRICS)), kpis.METRICS, strict=True):
        column.metric(
            label("metric", metric),
            fmt(metric, overall.at[metric, "value"]),
            fmt_change(metric, overall.at[metric, "change"]),
            delta_color="normal" if RISE_IS_GOOD[metric] else "inverse",
            help=t("dashboard.overview.vs_previous", days=days),
        )
    sla = response_sla().default_hours
    st.caption(t("dashboard.overview.sla_caption", sla=sla))
    st.subheader(t("dashboard.overview.per_channel"))
    table = compared.assign(
        shown=[
            fmt(m, v) + (f" ({fmt_change(m, c)})" if fmt_change(m, c) else "")
            for m, v, c in zip(
                compared["metric"], compared["value"], compared["change"], strict=True
            )
        ]
    ).pivot(index="channel", columns="metric", values="shown")[list(kpis.METRICS)]
    table.index = [label("channel", c) for c in table.index]
    table.columns = [label("metric", m) for m in table.columns]
    st.dataframe(table, width="stretch")
    reader = locale()
    export_buttons(
        lambda fmt: exports.sheets_file([exports.overview_sheet(compared, reader)], fmt, reader),
        f"radar-overview-{reader.clock(until, '%Y%m%d-%H%M')}",
        key="export-overview",
    )

    series = kpis.series(current, bucket_ms, core().timezone)
    series = series.assign(channel=[label("channel", c) for c in series["channel"]])
    left, right = st.columns(2)
    left.altair_chart(
        charts.volume_chart(series, t("dashboard.overview.volume_per_channel")), width="stretch"
    )
    right.altair_chart(
        charts.line_chart(
            series,
            "complaint_rate",
            t("dashboard.overview.complaint_rate_per_channel"),
            percent=True,
        ),
        width="stretch",
    )
    st.altair_chart(
        charts.line_chart(series, "sentiment", t("dashboard.overview.mean_sentiment_per_channel")),
        width="stretch",
    )


@st.fragment(run_every=settings().refresh_s)
def freshness() -> None:
    st.subheader(t("dashboard.overview.data_freshness"))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    frame = data.sources(now)
    if frame.empty:
        st.info(t("dashboard.overview.no_sources"))
        return
    stale = pd.Timestamp(now - timedelta(seconds=settings().source_stale_s))
    beat = pd.to_datetime(frame["at"], utc=True)
    down = (frame["status"] == "down") | (beat.notna() & (beat < stale))
    for row in frame[down].itertuples():
        st.error(
            t(
                "dashboard.overview.source_down",
                source=literal(row.source),
                channel=label("channel", row.channel),
                at=locale().time(row.at),
                message=literal(row.message or ""),  # a connector's error: upstream text
            ),
            icon=":material/error:",
        )
    shown = local_times(frame, "at", "last_success_at", "newest_event").assign(
        channel=[label("channel", c) for c in frame["channel"]],
        state=[t("dashboard.overview.down") if d else t("dashboard.overview.ok") for d in down],
        status=[label("heartbeat", s) if isinstance(s, str) else "" for s in frame["status"]],
        message=frame["message"].fillna(""),
    )
    st.dataframe(
        shown[
            [
                "source",
                "channel",
                "state",
                "status",
                "at",
                "last_success_at",
                "newest_event",
                "events_24h",
                "message",
            ]
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "source": t("dashboard.common.source"),
            "channel": t("dashboard.common.channel"),
            "state": t("dashboard.overview.state"),
            "status": t("dashboard.overview.heartbeat"),
            "at": st.column_config.DatetimeColumn(
                time_heading("dashboard.overview.last_heartbeat"), format="YYYY-MM-DD HH:mm"
            ),
            "last_success_at": st.column_config.DatetimeColumn(
                time_heading("dashboard.overview.last_success"), format="YYYY-MM-DD HH:mm"
            ),
            "newest_event": st.column_config.DatetimeColumn(
                time_heading("dashboard.overview.newest_message"), format="YYYY-MM-DD HH:mm"
            ),
            "events_24h": t("dashboard.overview.stored_24_h"),
            "message": st.column_config.TextColumn(t("dashboard.common.note")),
        },
    )


figures()
if user_shops() is None:  # sources feed every shop: their freshness is not one shop's view
    freshness()
