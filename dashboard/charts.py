"""Dashboard: chart builders (Altair specs from tidy frames); titles come in already translated."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

#: Selection names the pages read back from ``st.altair_chart(on_select=...)``.
CELL = "cell"
BAR = "bar"


def volume_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Stacked bars of customer messages per time bucket, coloured by channel."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("sum(volume):Q", title=None),
            color=alt.Color("channel:N", title=None),
            tooltip=["time:T", "channel:N", "volume:Q"],
        )
    )


def line_chart(frame: pd.DataFrame, field: str, title: str, percent: bool = False) -> alt.Chart:
    """One line per channel of ``field`` over time."""
    axis = alt.Axis(format="%") if percent else alt.Axis()
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y(f"{field}:Q", title=None, axis=axis),
            color=alt.Color("channel:N", title=None),
            tooltip=["time:T", "channel:N", alt.Tooltip(f"{field}:Q", format=".2f")],
        )
    )


def heatmap_chart(frame: pd.DataFrame, title: str, time_format: str) -> alt.Chart:
    """Complaints per topic (rows) and time bucket (columns); click a cell to drill down."""
    select = alt.selection_point(name=CELL, fields=["topic", "bucket_ms"], on="click")
    return (
        alt.Chart(frame, title=title)
        .mark_rect()
        .encode(
            x=alt.X("bucket_ms:O", title=None, axis=alt.Axis(labelExpr=_time_label(time_format))),
            y=alt.Y("topic:N", title=None, sort="-color"),
            color=alt.Color("complaints:Q", title=None, scale=alt.Scale(scheme="orangered")),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.45)),
            tooltip=["topic:N", alt.Tooltip("time:T", format=time_format), "complaints:Q"],
        )
        .add_params(select)
    )


def _time_label(time_format: str) -> str:
    return f"timeFormat(datum.value, '{time_format}')"


def rising_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Fastest-rising topics: recent complaints vs expected; click a bar to drill down."""
    select = alt.selection_point(name=BAR, fields=["topic"], on="click")
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("topic:N", sort="-x", title=None),
            x=alt.X("score:Q", title="z"),
            color=alt.Color("ratio:Q", title="×", scale=alt.Scale(scheme="reds")),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.5)),
            tooltip=[
                "topic:N",
                "recent:Q",
                alt.Tooltip("expected:Q", format=".1f"),
                alt.Tooltip("ratio:Q", format=".2f"),
            ],
        )
        .add_params(select)
    )


def severity_age_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Open incidents by severity, stacked by age."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("severity:N", title=None, sort=None),
            y=alt.Y("count():Q", title=None),
            color=alt.Color("age:N", title=None, sort=None),
            tooltip=["severity:N", "age:N", "count():Q"],
        )
    )


def evidence_chart(frame: pd.DataFrame, title: str, observed: str, expected: str) -> alt.Chart:
    """Observed count per window against the expected baseline, per signal."""
    long = frame.melt(
        id_vars=["signal", "window_start"], value_vars=["observed", "expected"], var_name="series"
    )
    long["series"] = long["series"].map({"observed": observed, "expected": expected})
    return (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("window_start:T", title=None),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("series:N", title=None),
            strokeDash=alt.StrokeDash("signal:N", title=None),
            tooltip=[
                "signal:N",
                "window_start:T",
                "series:N",
                alt.Tooltip("value:Q", format=".1f"),
            ],
        )
    )


def effect_chart(frame: pd.DataFrame, shipped_at: datetime, title: str) -> alt.Chart:
    """Complaint rate in the action's scope over time, with the day the change shipped."""
    line = (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("complaint_rate:Q", title=None, axis=alt.Axis(format="%")),
            tooltip=["time:T", alt.Tooltip("complaint_rate:Q", format=".1%"), "volume:Q"],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"time": [pd.Timestamp(shipped_at)]}))
        .mark_rule(color="green", strokeDash=[4, 4], size=2)
        .encode(x="time:T")
    )
    return line + rule


def topic_mix_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Share of each topic among a product's topic mentions, per bucket."""
    return (
        alt.Chart(frame, title=title)
        .mark_area()
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("messages:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
            color=alt.Color("topic:N", title=None),
            tooltip=["time:T", "topic:N", "messages:Q"],
        )
    )


def throughput_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_area(opacity=0.6)
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("per_s:Q", title="/s"),
            tooltip=["time:T", "events:Q", alt.Tooltip("per_s:Q", format=".1f")],
        )
    )


def lag_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    return (
        alt.Chart(frame.assign(group=frame["service"] + " / " + frame["topic"]), title=title)
        .mark_line()
        .encode(
            x=alt.X("at:T", title=None),
            y=alt.Y("lag:Q", title=None),
            color=alt.Color("group:N", title=None),
            tooltip=["at:T", "group:N", "lag:Q"],
        )
    )


def deadletter_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", sort="-x", title=None),
            x=alt.X("total:Q", title=None),
            color=alt.Color("stage:N", title=None),
            tooltip=["reason:N", "stage:N", "total:Q", "recent:Q"],
        )
    )
