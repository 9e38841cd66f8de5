"""Dashboard page 管道健康 Pipeline health: throughput, consumer lag, dead letters, connectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard import charts, data
from dashboard.resources import settings
from dashboard.widgets import tr

st.title(tr("管道健康", "Pipeline health"))


@st.fragment(run_every=settings().refresh_s)
def live() -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    since = now - timedelta(hours=6)
    left, right = st.columns(2)
    flow = data.throughput(since)
    with left:
        last = flow["per_s"].tail(5).mean() if not flow.empty else 0.0
        st.metric(tr("入库速率（近 5 分钟）", "Stored per second (last 5 min)"), f"{last:.1f}")
        if not flow.empty:
            st.altair_chart(
                charts.throughput_chart(flow, tr("每秒入库（6 小时）", "Stored per second (6 h)")),
                width="stretch",
            )
    latest, history = data.lag(since)
    with right:
        total = int(latest["lag"].sum()) if not latest.empty else None
        st.metric(
            tr("消费延迟（条）", "Consumer lag (messages)"), "—" if total is None else f"{total:,}"
        )
        if history.empty:
            st.caption(
                tr("还没有服务上报消费延迟。", "No service has reported its consumer lag yet.")
            )
        else:
            st.altair_chart(
                charts.lag_chart(history, tr("消费延迟", "Consumer lag")), width="stretch"
            )
    if not latest.empty:
        st.dataframe(
            latest,
            hide_index=True,
            width="stretch",
            column_config={
                "service": tr("服务", "Service"),
                "consumer_group": tr("消费组", "Consumer group"),
                "topic": tr("主题", "Topic"),
                "at": st.column_config.DatetimeColumn(
                    tr("时间 (UTC)", "At (UTC)"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "lag": tr("延迟（条）", "Lag (messages)"),
                "records_per_s": st.column_config.NumberColumn(
                    tr("每秒条数", "Per second"), format="%.1f"
                ),
                "records_total": tr("累计条数", "Records"),
            },
        )

    st.subheader(tr("死信（按原因）", "Dead letters by reason"))
    reasons, examples = data.deadletters(now - timedelta(hours=24))
    if reasons.empty:
        st.success(tr("没有死信。", "No dead letters."))
    else:
        st.altair_chart(
            charts.deadletter_chart(reasons, tr("死信原因", "Reasons")), width="stretch"
        )
        st.dataframe(
            reasons,
            hide_index=True,
            width="stretch",
            column_config={
                "reason": tr("原因", "Reason"),
                "stage": tr("环节", "Stage"),
                "recent": tr("24 小时内", "Last 24 h"),
                "total": tr("总计", "Total"),
                "newest": st.column_config.DatetimeColumn(
                    tr("最新 (UTC)", "Newest (UTC)"), format="YYYY-MM-DD HH:mm"
                ),
            },
        )
        with st.expander(tr("最新的死信", "Newest dead letters")):
            st.dataframe(
                examples,
                hide_index=True,
                width="stretch",
                column_config={
                    "created_at": st.column_config.DatetimeColumn(
                        tr("时间 (UTC)", "Time (UTC)"), format="YYYY-MM-DD HH:mm:ss"
                    ),
                    "reason": tr("原因", "Reason"),
                    "stage": tr("环节", "Stage"),
                    "source": tr("来源", "Source"),
                    "locator": tr("位置", "Locator"),
                    "message": st.column_config.TextColumn(tr("说明", "Message")),
                    "original": st.column_config.TextColumn(tr("原始输入", "Original")),
                },
            )

    st.subheader(tr("连接器", "Connectors"))
    beats = data.connectors(now)
    if beats.empty:
        st.caption(tr("还没有连接器发来心跳。", "No connector has sent a heartbeat yet."))
    else:
        st.dataframe(
            beats.assign(message=beats["message"].fillna("")),
            hide_index=True,
            width="stretch",
            column_config={
                "source": tr("来源", "Source"),
                "channel": tr("渠道", "Channel"),
                "status": tr("状态", "Status"),
                "at": st.column_config.DatetimeColumn(
                    tr("最后心跳 (UTC)", "Last heartbeat (UTC)"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "last_success_at": st.column_config.DatetimeColumn(
                    tr("最后成功 (UTC)", "Last success (UTC)"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "records_total": tr("累计条数", "Records"),
                "lag_seconds": st.column_config.NumberColumn(
                    tr("延迟（秒）", "Lag (s)"), format="%.0f"
                ),
                "message": st.column_config.TextColumn(tr("说明", "Note")),
            },
        )


live()
