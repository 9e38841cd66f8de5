"""Dashboard page 响应与满意度 Responses & satisfaction: time to first reply per channel,
department or product (median, p90), the unanswered backlog by age, CSAT/NPS/stars over
time, and regions, segments or stages side by side."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import streamlit as st

from dashboard import charts, data
from dashboard.queries import exports
from dashboard.queries.responses import backlog_table, waiting_sheet, waiting_table
from dashboard.resources import response_sla, store
from dashboard.widgets import (
    current_user,
    export_buttons,
    filter_bar,
    from_url,
    keep_in_url,
    label,
    local_times,
    locale,
    now_until,
    t,
    time_heading,
    user_shops,
)
from radar.store.audit import record_action
from radar.store.exports import csv_bytes, xlsx_bytes
from radar.store.responses import AGES, BACKLOG_DAYS

REPLY_GROUPS = ("channel", "department", "product")
COMPARE_GROUPS = ("region", "segment", "stage")

st.title(label("page", "responses"))
filters = filter_bar(data.dimension_values(now_until(), user_shops()), default_days=7)
now = now_until()
reader = locale()


def hours(value: float | None) -> str:
    """A wait for people: ``42 分钟`` under an hour, else ``4.8 小时`` (``—`` when none)."""
    if value is None or pd.isna(value):
        return "—"
    if float(value) < 1:
        return reader.duration(timedelta(minutes=round(float(value) * 60)))
    return t("dashboard.responses.hours_value", hours=f"{float(value):.1f}")


def share(value: float | None) -> str:
    return "—" if value is None or pd.isna(value) else f"{value:.1%}"


def shown_value(by: str, value: object) -> str:
    """A group's name: labels for codes, a dash-like note for messages that name none."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return t("dashboard.responses.unknown")
    if by in ("channel", "stage"):
        return label(by, value)
    return str(value)


def choice(key: str, options: tuple[str, ...]) -> str:
    """A segmented choice of grouping, kept in the URL (``?by=department``)."""
    picked = st.segmented_control(
        t("dashboard.responses.by" if key == "by" else "dashboard.responses.compare_by"),
        options=list(options),
        default=from_url(key, options) or options[0],
        format_func=lambda g: t(f"dashboard.responses.group_{g}"),
        key=key,
    )
    value = str(picked or options[0])
    keep_in_url(key, value, options[0])
    return value


# --- time to first reply --------------------------------------------------------------------
st.subheader(t("dashboard.responses.first_reply"))
st.caption(t("dashboard.responses.first_reply_caption"))
by = choice("by", REPLY_GROUPS)
total, groups = data.first_reply(filters, by, now)
if total.conversations == 0:
    st.info(t("dashboard.responses.no_conversations"))
else:
    cells = st.columns(5)
    cells[0].metric(t("dashboard.responses.conversations"), f"{total.conversations:,}")
    cells[1].metric(t("dashboard.responses.answered"), f"{total.answered:,}")
    cells[2].metric(t("dashboard.responses.median"), hours(total.median_hours))
    cells[3].metric(t("dashboard.responses.p90"), hours(total.p90_hours))
    cells[4].metric(
        t("dashboard.responses.within_sla"),
        share(total.within_sla),
        help=t("dashboard.overview.sla_caption", sla=response_sla().default_hours),
    )
    named = groups.assign(value=[shown_value(by, v) for v in groups["value"]])
    left, right = st.columns([3, 2])
    left.dataframe(
        named.assign(
            median=[hours(v) for v in named["median_hours"]],
            p90=[hours(v) for v in named["p90_hours"]],
            within=[share(v) for v in named["within_sla"]],
        )[["value", "conversations", "answered", "median", "p90", "within"]],
        hide_index=True,
        width="stretch",
        column_config={
            "value": t(f"dashboard.responses.group_{by}"),
            "conversations": t("dashboard.responses.conversations"),
            "answered": t("dashboard.responses.answered"),
            "median": t("dashboard.responses.median"),
            "p90": t("dashboard.responses.p90"),
            "within": t("dashboard.responses.within_sla"),
        },
        key="waits",
    )
    with left:
        export_buttons(
            lambda fmt: exports.waits_file(total, groups, by, fmt, reader),
            f"radar-first-reply-{reader.clock(now, '%Y%m%d-%H%M')}",
            key="export-waits",
        )
    right.altair_chart(
        charts.waits_chart(
            named.head(15),
            f"{t('dashboard.responses.first_reply')}（{t('dashboard.responses.hours')}）",
            t("dashboard.responses.median"),
            t("dashboard.responses.p90"),
        ),
        width="stretch",
    )

# --- the backlog ------------------------------------------------------------------------------
st.subheader(t("dashboard.responses.backlog"))
st.caption(t("dashboard.responses.backlog_caption", days=BACKLOG_DAYS))
waiting = data.waiting(filters, now)
if not waiting:
    st.success(t("dashboard.responses.no_backlog"))
else:
    ages = [label("age", code) for code, _ in AGES]
    table = backlog_table(waiting, now)
    table = table.assign(
        age=[label("age", a) for a in table["age"]],
        channel=[label("channel", c) for c in table["channel"]],
    )
    left, right = st.columns([2, 3])
    left.metric(t("dashboard.responses.waiting"), f"{len(waiting):,}")
    left.altair_chart(
        charts.backlog_chart(table, t("dashboard.responses.backlog"), ages), width="stretch"
    )
    oldest = local_times(waiting_table(waiting[:50]), "asked_at")
    with right:
        st.markdown(f"**{t('dashboard.responses.oldest')}**")
        st.dataframe(
            oldest.assign(
                channel=[label("channel", c) for c in oldest["channel"]],
                waited=[hours((now - c.asked_at).total_seconds() / 3600) for c in waiting[:50]],
                shop=oldest["shop"].fillna(""),
                product=oldest["product"].fillna(""),
            )[["asked_at", "waited", "channel", "shop", "product", "text"]],
            hide_index=True,
            width="stretch",
            key="oldest",
            column_config={
                "asked_at": st.column_config.DatetimeColumn(
                    time_heading("dashboard.common.time"), format="YYYY-MM-DD HH:mm"
                ),
                "waited": t("dashboard.responses.waited"),
                "channel": t("dashboard.common.channel"),
                "shop": t("dashboard.widgets.shop"),
                "product": t("dashboard.common.product"),
                "text": st.column_config.TextColumn(t("dashboard.widgets.text"), width="large"),
            },
        )
    opened, who = store(), current_user().name

    def backlog_file(fmt: str) -> bytes:
        record_action(opened, who, "export.backlog", None, fmt)
        sheet = waiting_sheet(waiting, now, reader)
        return csv_bytes(sheet, reader.tz) if fmt == "csv" else xlsx_bytes([sheet], reader.tz)

    export_buttons(
        backlog_file,
        f"radar-backlog-{reader.clock(now, '%Y%m%d-%H%M')}",
        key="export-backlog",
        label=t("dashboard.responses.export_caption", total=f"{len(waiting):,}"),
    )

# --- satisfaction over time ---------------------------------------------------------------------
st.subheader(t("dashboard.responses.satisfaction"))
st.caption(t("dashboard.responses.satisfaction_caption", zone=reader.zone_label()))
days = data.satisfaction(filters)
if days.empty:
    st.info(t("dashboard.responses.no_answers"))
else:
    one, two, three = st.columns(3)
    one.altair_chart(
        charts.daily_line(days, "csat", t("dashboard.responses.csat"), percent=True),
        width="stretch",
    )
    two.altair_chart(charts.daily_line(days, "nps", t("dashboard.responses.nps")), width="stretch")
    three.altair_chart(
        charts.daily_line(days, "rating", t("dashboard.responses.rating")), width="stretch"
    )

# --- side by side -------------------------------------------------------------------------------
st.subheader(t("dashboard.responses.compare"))
st.caption(t("dashboard.responses.compare_caption"))
compare_by = choice("compare", COMPARE_GROUPS)
side = data.compare(filters, compare_by, now)
if side.empty:
    st.info(t("dashboard.overview.no_feedback"))
else:
    side = side.assign(value=[shown_value(compare_by, v) for v in side["value"]])
    st.dataframe(
        side.assign(
            complaint_rate=[share(v) for v in side["complaint_rate"]],
            csat=[share(v) for v in side["csat"]],
            nps=["—" if pd.isna(v) else f"{v:+.0f}" for v in side["nps"]],
            rating=["—" if pd.isna(v) else f"{v:.2f}" for v in side["rating"]],
            sentiment=["—" if pd.isna(v) else f"{v:.2f}" for v in side["sentiment"]],
            median=[hours(v) for v in side["median_hours"]],
        )[["value", "volume", "complaint_rate", "sentiment", "csat", "nps", "rating", "median"]],
        hide_index=True,
        width="stretch",
        key="compare-table",
        column_config={
            "value": t(f"dashboard.responses.group_{compare_by}"),
            "volume": t("dashboard.responses.volume"),
            "complaint_rate": t("dashboard.responses.complaint_rate"),
            "sentiment": t("dashboard.responses.sentiment"),
            "csat": t("dashboard.responses.csat"),
            "nps": t("dashboard.responses.nps"),
            "rating": t("dashboard.responses.rating"),
            "median": t("dashboard.responses.median_reply"),
        },
    )
    top = side.head(12)
    panels = [
        ("complaint_rate", "dashboard.responses.complaint_rate", ".1%"),
        ("csat", "dashboard.responses.csat", ".1%"),
        ("nps", "dashboard.responses.nps", ".0f"),
        ("median_hours", "dashboard.responses.median_reply", ".1f"),
    ]
    for column, (field, key, fmt) in zip(st.columns(len(panels)), panels, strict=True):
        column.altair_chart(charts.comparison_chart(top, field, t(key), fmt), width="stretch")
