"""Dashboard page 管道健康 Pipeline health: throughput, consumer lag, dead letters, connectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from dashboard import charts, data
from dashboard.resources import settings
from dashboard.widgets import label, local_times, t, time_heading

st.title(label("page", "health"))


@st.fragment(run_every=settings().refresh_s)
def live() -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    since = now - timedelta(hours=6)
    left, right = st.columns(2)
    flow = local_times(data.throughput(since), "time")
    with left:
        last = flow["per_s"].tail(5).mean() if not flow.empty else 0.0
        st.metric(t("dashboard.health.stored_per_second"), f"{last:.1f}")
        if not flow.empty:
            st.altair_chart(
                charts.throughput_chart(flow, t("dashboard.health.stored_per_second_chart")),
                width="stretch",
            )
    latest, history = data.lag(since)
    latest, history = local_times(latest, "at"), local_times(history, "at")
    with right:
        total = int(latest["lag"].sum()) if not latest.empty else None
        st.metric(
            t("dashboard.health.consumer_lag_messages"), "—" if total is None else f"{total:,}"
        )
        if history.empty:
            st.caption(t("dashboard.health.no_lag"))
        else:
            st.altair_chart(
                charts.lag_chart(history, t("dashboard.health.consumer_lag")), width="stretch"
            )
    if not latest.empty:
        st.dataframe(
            latest,
            hide_index=True,
            width="stretch",
            column_config={
                "service": t("dashboard.health.service"),
                "consumer_group": t("dashboard.health.consumer_group"),
                "topic": t("dashboard.health.topic"),
                "at": st.column_config.DatetimeColumn(
                    time_heading("dashboard.health.at"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "lag": t("dashboard.health.lag_messages"),
                "records_per_s": st.column_config.NumberColumn(
                    t("dashboard.health.per_second"), format="%.1f"
                ),
                "records_total": t("dashboard.health.records"),
            },
        )

    st.subheader(t("dashboard.health.dead_letters_reason"))
    reasons, examples = data.deadletters(now - timedelta(hours=24))
    reasons, examples = local_times(reasons, "newest"), local_times(examples, "created_at")
    if reasons.empty:
        st.success(t("dashboard.health.no_dead_letters"))
    else:
        st.altair_chart(
            charts.deadletter_chart(reasons, t("dashboard.health.reasons")), width="stretch"
        )
        st.dataframe(
            reasons,
            hide_index=True,
            width="stretch",
            column_config={
                "reason": t("dashboard.health.reason"),
                "stage": t("dashboard.health.stage"),
                "recent": t("dashboard.health.last_24_h"),
                "total": t("dashboard.health.total"),
                "newest": st.column_config.DatetimeColumn(
                    time_heading("dashboard.health.newest"), format="YYYY-MM-DD HH:mm"
                ),
            },
        )
        with st.expander(t("dashboard.health.newest_dead_letters")):
            st.dataframe(
                examples,
                hide_index=True,
                width="stretch",
                column_config={
                    "created_at": st.column_config.DatetimeColumn(
                        time_heading("dashboard.common.time"), format="YYYY-MM-DD HH:mm:ss"
                    ),
                    "reason": t("dashboard.health.reason"),
                    "stage": t("dashboard.health.stage"),
                    "source": t("dashboard.common.source"),
                    "locator": t("dashboard.health.locator"),
                    "message": st.column_config.TextColumn(t("dashboard.health.message")),
                    "original": st.column_config.TextColumn(t("dashboard.health.original")),
                },
            )

    st.subheader(t("dashboard.health.connectors"))
    beats = data.connectors(now)
    if beats.empty:
        st.caption(t("dashboard.health.no_connectors"))
    else:
        st.dataframe(
            local_times(beats, "at", "last_success_at").assign(
                channel=[label("channel", c) for c in beats["channel"]],
                status=[label("heartbeat", x) for x in beats["status"]],
                message=beats["message"].fillna(""),
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "source": t("dashboard.common.source"),
                "channel": t("dashboard.common.channel"),
                "status": t("dashboard.common.status"),
                "at": st.column_config.DatetimeColumn(
                    time_heading("dashboard.health.last_heartbeat"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "last_success_at": st.column_config.DatetimeColumn(
                    time_heading("dashboard.health.last_success"), format="YYYY-MM-DD HH:mm:ss"
                ),
                "records_total": t("dashboard.health.records"),
                "lag_seconds": st.column_config.NumberColumn(
                    t("dashboard.health.lag_s"), format="%.0f"
                ),
                "message": st.column_config.TextColumn(t("dashboard.common.note")),
            },
        )


live()
