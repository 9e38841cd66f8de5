"""Dashboard: chart builders (Altair specs from tidy frames); titles come in already translated.

Times come in the display zone (tz-aware columns); a chart shows their wall-clock
time as it is, whatever the browser's own zone, by handing Vega-Lite the local
time as if it were UTC and reading it back with UTC scales and formats.
"""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd

#: Selection names the pages read back from ``st.altair_chart(on_select=...)``.
CELL = "cell"
BAR = "bar"
#: Integer counts: no 0.2 ticks on a count axis.
COUNT_AXIS = alt.Axis(tickMinStep=1, format="d")


def wall_clock(frame: pd.DataFrame, *fields: str) -> pd.DataFrame:
    """``frame`` with each tz-aware time in ``fields`` as its local wall time, labelled UTC."""
    out = frame.copy()
    for name in fields:
        if name in out.columns and isinstance(out[name].dtype, pd.DatetimeTZDtype):
            out[name] = out[name].dt.tz_localize(None).dt.tz_localize("UTC")
    return out


def _aligned_to(frame: pd.DataFrame, field: str, freq: str) -> bool:
    """True when every time in ``field`` starts a ``freq`` bucket ("D", "h") and there is one."""
    if frame.empty:
        return False
    times = pd.to_datetime(frame[field], utc=True)
    return bool((times.dt.floor(freq) == times).all())


def time_x(frame: pd.DataFrame, field: str = "time", *, bars: bool = False) -> alt.X:
    """A time axis in wall-clock time (see :func:`wall_clock`): dates for daily buckets, else
    date and time.

    Bars get a time unit, so each is as wide as its bucket (a day, an hour or a minute).
    """
    daily = _aligned_to(frame, field, "D")
    if daily:
        days = pd.to_datetime(frame[field], utc=True).nunique()
        # one label a day, fewer on long ranges (explicit tick values lose their labels in
        # Streamlit's renderer; a tick interval does not)
        ticks = {"interval": "day", "step": max(1, days // 12)}
        axis = alt.Axis(format="%m-%d", labelAngle=0, tickCount=ticks)
    else:
        axis = alt.Axis(format="%m-%d %H:%M", labelAngle=0, labelOverlap=True)
    if bars:
        if daily:
            unit = "utcyearmonthdate"
        elif _aligned_to(frame, field, "h"):
            unit = "utcyearmonthdatehours"
        else:
            unit = "utcyearmonthdatehoursminutes"
        return alt.X(f"{unit}({field}):T", title=None, axis=axis)
    return alt.X(f"{field}:T", title=None, axis=axis, scale=alt.Scale(type="utc"))


def time_tip(field: str = "time") -> alt.Tooltip:
    """A tooltip line with the full wall-clock time (the zone is named in the page)."""
    return alt.Tooltip(f"{field}:T", format="%Y-%m-%d %H:%M", formatType="utc")


def volume_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Stacked bars of customer messages per time bucket, coloured by channel."""
    frame = wall_clock(frame, "time")
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=time_x(frame, bars=True),
            y=alt.Y("sum(volume):Q", title=None, axis=COUNT_AXIS),
            color=alt.Color("channel:N", title=None),
            tooltip=[time_tip(), "channel:N", "volume:Q"],
        )
    )


def line_chart(frame: pd.DataFrame, field: str, title: str, percent: bool = False) -> alt.Chart:
    """One line per channel of ``field`` over time."""
    frame = wall_clock(frame, "time")
    axis = alt.Axis(format="%") if percent else alt.Axis()
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=time_x(frame),
            y=alt.Y(f"{field}:Q", title=None, axis=axis),
            color=alt.Color("channel:N", title=None),
            tooltip=[time_tip(), "channel:N", alt.Tooltip(f"{field}:Q", format=".2f")],
        )
    )


def heatmap_chart(
    frame: pd.DataFrame, title: str, time_format: str, offset_ms: int = 0
) -> alt.Chart:
    """Complaints per topic (rows) and time bucket (columns); click a cell to drill down.

    Columns are the buckets' epoch ms (what a click selects); their labels add the
    display zone's ``offset_ms`` to show local time.
    """
    frame = wall_clock(frame, "time")
    select = alt.selection_point(name=CELL, fields=["topic", "bucket_ms"], on="click")
    return (
        alt.Chart(frame, title=title)
        .mark_rect()
        .encode(
            x=alt.X(
                "bucket_ms:O",
                title=None,
                axis=alt.Axis(labelExpr=_time_label(time_format, offset_ms)),
            ),
            y=alt.Y("topic:N", title=None, sort="-color"),
            color=alt.Color("complaints:Q", title=None, scale=alt.Scale(scheme="orangered")),
            opacity=alt.condition(select, alt.value(1.0), alt.value(0.45)),
            tooltip=[
                "topic:N",
                alt.Tooltip("time:T", format=time_format, formatType="utc"),
                "complaints:Q",
            ],
        )
        .add_params(select)
    )


def _time_label(time_format: str, offset_ms: int = 0) -> str:
    return f"utcFormat(datum.value + {int(offset_ms)}, '{time_format}')"


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
            x=alt.X("severity:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count():Q", title=None, axis=COUNT_AXIS),
            color=alt.Color("age:N", title=None, sort=None),
            tooltip=["severity:N", "age:N", "count():Q"],
        )
    )


def evidence_chart(frame: pd.DataFrame, title: str, observed: str, expected: str) -> alt.Chart:
    """Observed count per window against the expected baseline, per signal."""
    frame = wall_clock(frame, "window_start")
    long = frame.melt(
        id_vars=["signal", "window_start"], value_vars=["observed", "expected"], var_name="series"
    )
    long["series"] = long["series"].map({"observed": observed, "expected": expected})
    return (
        alt.Chart(long, title=title)
        .mark_line(point=True)
        .encode(
            x=time_x(frame, "window_start"),
            y=alt.Y("value:Q", title=None),
            color=alt.Color("series:N", title=None),
            strokeDash=alt.StrokeDash("signal:N", title=None, legend=alt.Legend(labelLimit=400)),
            tooltip=[
                "signal:N",
                time_tip("window_start"),
                "series:N",
                alt.Tooltip("value:Q", format=".1f"),
            ],
        )
    )


def effect_chart(frame: pd.DataFrame, shipped_at: datetime, title: str) -> alt.Chart:
    """Complaint rate in the action's scope over time, with the day the change shipped."""
    frame = wall_clock(frame, "time")
    shipped = wall_clock(pd.DataFrame({"time": [pd.Timestamp(shipped_at)]}), "time")
    line = (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=time_x(frame),
            y=alt.Y("complaint_rate:Q", title=None, axis=alt.Axis(format="%")),
            tooltip=[time_tip(), alt.Tooltip("complaint_rate:Q", format=".1%"), "volume:Q"],
        )
    )
    rule = (
        alt.Chart(shipped)
        .mark_rule(color="green", strokeDash=[4, 4], size=2)
        .encode(x=alt.X("time:T", scale=alt.Scale(type="utc")))
    )
    return line + rule


def topic_mix_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Share of each topic among a product's topic mentions, per bucket."""
    frame = wall_clock(frame, "time")
    return (
        alt.Chart(frame, title=title)
        .mark_area()
        .encode(
            x=time_x(frame),
            y=alt.Y("messages:Q", stack="normalize", title=None, axis=alt.Axis(format="%")),
            color=alt.Color("topic:N", title=None),
            tooltip=[time_tip(), "topic:N", "messages:Q"],
        )
    )


def throughput_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Events stored per second, one point a minute (minutes without events are 0)."""
    frame = wall_clock(frame, "time")
    return (
        alt.Chart(frame, title=title)
        .mark_area(opacity=0.6, interpolate="step-after")
        .encode(
            x=time_x(frame),
            y=alt.Y("per_s:Q", title="/s"),
            tooltip=[time_tip(), "events:Q", alt.Tooltip("per_s:Q", format=".1f")],
        )
    )


def lag_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    frame = wall_clock(frame, "at")
    return (
        alt.Chart(frame.assign(group=frame["service"] + " / " + frame["topic"]), title=title)
        .mark_line()
        .encode(
            x=time_x(frame, "at"),
            y=alt.Y("lag:Q", title=None, axis=COUNT_AXIS),
            color=alt.Color("group:N", title=None),
            tooltip=[time_tip("at"), "group:N", "lag:Q"],
        )
    )


def deadletter_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", sort="-x", title=None),
            x=alt.X("total:Q", title=None, axis=COUNT_AXIS),
            color=alt.Color("stage:N", title=None),
            tooltip=["reason:N", "stage:N", "total:Q", "recent:Q"],
        )
    )


def waits_chart(frame: pd.DataFrame, title: str, median: str, p90: str) -> alt.Chart:
    """Median and p90 hours to first reply per group, side by side (``value``, hours)."""
    tidy = frame.melt(
        id_vars=["value"], value_vars=["median_hours", "p90_hours"], var_name="q", value_name="h"
    ).dropna(subset=["h"])
    tidy["q"] = tidy["q"].map({"median_hours": median, "p90_hours": p90})
    return (
        alt.Chart(tidy, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", title=None, sort=None),
            x=alt.X("h:Q", title=None),
            yOffset=alt.YOffset("q:N", sort=[median, p90]),
            color=alt.Color("q:N", title=None, sort=[median, p90]),
            tooltip=["value:N", "q:N", alt.Tooltip("h:Q", format=".1f")],
        )
    )


def backlog_chart(frame: pd.DataFrame, title: str, ages: list[str]) -> alt.Chart:
    """Conversations still waiting per age bucket (in ``ages`` order), stacked by channel."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("age:N", title=None, sort=ages, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(conversations):Q", title=None, axis=COUNT_AXIS),
            color=alt.Color("channel:N", title=None),
            tooltip=["age:N", "channel:N", "sum(conversations):Q"],
        )
    )


def daily_line(frame: pd.DataFrame, field: str, title: str, percent: bool = False) -> alt.Chart:
    """One figure per local day (``day``, tz-aware), as a line with points."""
    frame = wall_clock(frame.dropna(subset=[field]), "day")
    axis = alt.Axis(format="%") if percent else alt.Axis()
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=time_x(frame, "day"),
            y=alt.Y(f"{field}:Q", title=None, axis=axis),
            tooltip=[time_tip("day"), alt.Tooltip(f"{field}:Q", format=".2f")],
        )
    )


def comparison_chart(frame: pd.DataFrame, field: str, title: str, fmt: str = ".2f") -> alt.Chart:
    """One bar per group (``value``) of ``field``: regions, segments or stages side by side."""
    axis = alt.Axis(format="%") if fmt.endswith("%") else alt.Axis()
    return (
        alt.Chart(frame.dropna(subset=[field]), title=title)
        .mark_bar()
        .encode(
            y=alt.Y("value:N", title=None, sort=None),
            x=alt.X(f"{field}:Q", title=None, axis=axis),
            tooltip=["value:N", alt.Tooltip(f"{field}:Q", format=fmt)],
        )
        .properties(height=alt.Step(18))
    )
