"""Dashboard: chart builders (Altair specs from tidy frames)."""

from __future__ import annotations

import altair as alt
import pandas as pd


def volume_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Stacked bars of event volume per time bucket, coloured by channel."""
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("sum(events):Q", title="events"),
            color=alt.Color("channel:N", title="channel"),
            tooltip=["time:T", "channel:N", "events:Q"],
        )
    )


def sentiment_chart(frame: pd.DataFrame, title: str) -> alt.Chart:
    """Mean sentiment (0 negative .. 1 positive) per time bucket, one line per channel."""
    return (
        alt.Chart(frame, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("time:T", title=None),
            y=alt.Y("sentiment:Q", title="mean sentiment", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("channel:N", title="channel"),
            tooltip=["time:T", "channel:N", alt.Tooltip("sentiment:Q", format=".2f")],
        )
    )
