"""Dashboard analysis: the fastest-rising complaint topics (recent window vs the time before)."""

from __future__ import annotations

import math

import pandas as pd


def rising_topics(
    windows: pd.DataFrame, recent_s: float, before_s: float, *, min_recent: int = 3
) -> pd.DataFrame:
    """Topics ranked by how far their recent complaints exceed the rate before.

    ``windows`` has ``topic, recent, before`` counts. Expected = the earlier
    rate scaled to the recent window; the score is a Poisson z-value
    ``(recent - expected) / sqrt(expected + 1)`` (the +1 keeps a topic that
    was absent from scoring infinitely), so many extra complaints on a large
    topic and a new small topic both show, and noise does not.
    """
    columns = ["topic", "recent", "expected", "ratio", "score"]
    if windows.empty or recent_s <= 0 or before_s <= 0:
        return pd.DataFrame(columns=columns)
    frame = windows.copy()
    frame["expected"] = frame["before"] * (recent_s / before_s)
    frame["ratio"] = (frame["recent"] + 0.5) / (frame["expected"] + 0.5)
    frame["score"] = [
        (r - e) / math.sqrt(e + 1.0)
        for r, e in zip(frame["recent"], frame["expected"], strict=True)
    ]
    rising = frame[(frame["recent"] >= min_recent) & (frame["recent"] > frame["expected"])]
    return rising.sort_values("score", ascending=False)[columns].reset_index(drop=True)
