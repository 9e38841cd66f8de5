"""Dashboard: reshaping query results for charts and tables (no streamlit import here)."""

from __future__ import annotations

import pandas as pd

#: Bucket sizes offered for time series, in seconds.
BUCKETS = {"hour": 3600, "day": 86400}


def pick_bucket(span_s: float) -> int:
    """Hourly buckets for up to three days of data, daily beyond."""
    return BUCKETS["hour"] if span_s <= 3 * 86400 else BUCKETS["day"]


def volume_frame(rows: list[tuple[int, str, int, float | None]]) -> pd.DataFrame:
    """(bucket start ms, channel, count, mean sentiment) rows → a tidy frame with UTC times."""
    frame = pd.DataFrame(rows, columns=["bucket_ms", "channel", "events", "sentiment"])
    frame["time"] = pd.to_datetime(frame["bucket_ms"], unit="ms", utc=True)
    return frame.drop(columns=["bucket_ms"]).sort_values(["time", "channel"]).reset_index(drop=True)


def totals_by_channel(frame: pd.DataFrame) -> pd.DataFrame:
    """Events and event-weighted mean sentiment per channel over the whole frame."""
    if frame.empty:
        return pd.DataFrame(columns=["channel", "events", "sentiment"])
    weighted = frame.assign(weight=frame["events"] * frame["sentiment"])
    grouped = weighted.groupby("channel", as_index=False)[["events", "weight"]].sum()
    grouped["sentiment"] = grouped["weight"] / grouped["events"]
    return grouped.drop(columns=["weight"]).sort_values("events", ascending=False)
