"""Dashboard page 总览 Overview: key figures per channel vs the previous period, freshness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data, i18n
from dashboard.analysis import kpis
from dashboard.resources import response_sla, settings
from dashboard.widgets import label, now_until, period, tr

st.title(tr("总览", "Overview"))
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
    frame = data.hourly(before, until)
    current = frame[frame["hour"] >= int(since.timestamp() * 1000)]
    previous = frame[frame["hour"] < int(since.timestamp() * 1000)]
    sla_cut = int((until - timedelta(hours=response_sla().default_hours)).timestamp() * 1000)
    now_table = kpis.per_channel(current, sla_cutoff_ms=sla_cut)
    before_table = kpis.per_channel(previous)
    compared = kpis.compare(now_table, before_table)
    if current["volume"].sum() == 0:
        st.info(tr("所选时间段内没有反馈。", "No feedback in this period."))
    overall = compared[compared["channel"] == "all"].set_index("metric")
    for column, metric in zip(st.columns(len(kpis.METRICS)), kpis.METRICS, strict=True):
        column.metric(
            label(i18n.METRIC_LABELS, metric),
            fmt(metric, overall.at[metric, "value"]),
            fmt_change(metric, overall.at[metric, "change"]),
            delta_color="normal" if RISE_IS_GOOD[metric] else "inverse",
            help=tr(f"与前 {days} 天相比", f"vs the previous {days} days"),
        )
    sla = response_sla().default_hours
    st.caption(
        tr(
            f"及时回复率：会话类渠道（邮件、在线客服、社交、论坛）的投诉中，{sla:g} 小时内"
            "得到客服回复的比例（只计已过时限的投诉）。",
            "Answered within SLA: share of complaints on conversation channels (email, chat, "
            f"social, forum) that got a staff reply within {sla:g} h (complaints past the "
            "deadline only).",
        )
    )
    st.subheader(tr("分渠道", "Per channel"))
    table = compared.assign(
        shown=[
            fmt(m, v) + (f" ({fmt_change(m, c)})" if fmt_change(m, c) else "")
            for m, v, c in zip(
                compared["metric"], compared["value"], compared["change"], strict=True
            )
        ]
    ).pivot(index="channel", columns="metric", values="shown")[list(kpis.METRICS)]
    table.index = [label(i18n.CHANNEL_LABELS, c) for c in table.index]
    table.columns = [label(i18n.METRIC_LABELS, m) for m in table.columns]
    st.dataframe(table, width="stretch")

    series = kpis.series(current, bucket_ms)
    left, right = st.columns(2)
    left.altair_chart(
        charts.volume_chart(series, tr("各渠道反馈量", "Volume per channel")), width="stretch"
    )
    right.altair_chart(
        charts.line_chart(
            series, "complaint_rate", tr("各渠道投诉率", "Complaint rate per channel"), percent=True
        ),
        width="stretch",
    )
    st.altair_chart(
        charts.line_chart(series, "sentiment", tr("各渠道平均情感", "Mean sentiment per channel")),
        width="stretch",
    )


@st.fragment(run_every=settings().refresh_s)
def freshness() -> None:
    st.subheader(tr("数据新鲜度", "Data freshness"))
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    frame = data.sources(now)
    if frame.empty:
        st.info(tr("还没有任何来源的数据或心跳。", "No source has sent data or a heartbeat yet."))
        return
    stale = pd.Timestamp(now - timedelta(seconds=settings().source_stale_s))
    beat = pd.to_datetime(frame["at"], utc=True)
    down = (frame["status"] == "down") | (beat.notna() & (beat < stale))
    for row in frame[down].itertuples():
        st.error(
            tr(
                f"来源 {row.source}（{row.channel}）已中断：最后心跳 {row.at:%Y-%m-%d %H:%M} UTC。"
                f"{row.message or ''}",
                f"Source {row.source} ({row.channel}) is down: last heartbeat "
                f"{row.at:%Y-%m-%d %H:%M} UTC. {row.message or ''}",
            ),
            icon=":material/error:",
        )
    shown = frame.assign(
        state=[tr("中断", "down") if d else tr("正常", "ok") for d in down],
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
            "source": tr("来源", "Source"),
            "channel": tr("渠道", "Channel"),
            "state": tr("状态", "State"),
            "status": tr("心跳状态", "Heartbeat"),
            "at": st.column_config.DatetimeColumn(
                tr("最后心跳", "Last heartbeat"), format="YYYY-MM-DD HH:mm"
            ),
            "last_success_at": st.column_config.DatetimeColumn(
                tr("最后成功", "Last success"), format="YYYY-MM-DD HH:mm"
            ),
            "newest_event": st.column_config.DatetimeColumn(
                tr("最新消息", "Newest message"), format="YYYY-MM-DD HH:mm"
            ),
            "events_24h": tr("24 小时入库", "Stored in 24 h"),
            "message": st.column_config.TextColumn(tr("说明", "Note")),
        },
    )


figures()
freshness()
