"""Dashboard analysis: the overview's key figures per channel and their change."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from radar.localtime import DAY_MS, DEFAULT_ZONE, bucket_start, zone

#: The figures a service manager watches, in display order.
METRICS = ("volume", "complaint_rate", "sentiment", "csat", "nps", "sla_share")
SUMS = (
    "volume",
    "complaints",
    "sentiment_sum",
    "csat_n",
    "csat_satisfied",
    "nps_n",
    "promoters",
    "detractors",
    "sla_complaints",
    "sla_answered",
)


def _ratio(num: float, den: float) -> float | None:
    return None if den == 0 else num / den


def figures(totals: pd.Series) -> dict[str, float | None]:
    """Key figures from summed counts: rates are shares (0..1), NPS is -100..100."""
    volume = float(totals["volume"])
    nps = _ratio(float(totals["promoters"] - totals["detractors"]), float(totals["nps_n"]))
    return {
        "volume": volume,
        "complaint_rate": _ratio(float(totals["complaints"]), volume),
        "sentiment": _ratio(float(totals["sentiment_sum"]), volume),
        "csat": _ratio(float(totals["csat_satisfied"]), float(totals["csat_n"])),
        "nps": None if nps is None else 100 * nps,
        "sla_share": _ratio(float(totals["sla_answered"]), float(totals["sla_complaints"])),
    }


def _sla_limited(frame: pd.DataFrame, sla_cutoff_ms: int | None) -> pd.DataFrame:
    """Hourly rows with SLA counts only for hours whose complaints are past their deadline."""
    if sla_cutoff_ms is None or frame.empty:
        return frame
    young = frame["hour"] >= sla_cutoff_ms
    out = frame.copy()
    out.loc[young, ["sla_complaints", "sla_answered"]] = 0
    return out


def per_channel(
    frame: pd.DataFrame, channels: Iterable[str] = (), sla_cutoff_ms: int | None = None
) -> pd.DataFrame:
    """One row per channel plus ``all``: the key figures of the hourly rows in ``frame``."""
    frame = _sla_limited(frame, sla_cutoff_ms)
    wanted = list(dict.fromkeys([*channels, *sorted(frame["channel"].unique())]))
    sums = frame.groupby("channel")[list(SUMS)].sum() if not frame.empty else None
    rows = {}
    for channel in wanted:
        if sums is not None and channel in sums.index:
            rows[channel] = figures(sums.loc[channel])
        else:
            rows[channel] = figures(pd.Series(0, index=list(SUMS)))
    rows["all"] = figures(frame[list(SUMS)].sum() if not frame.empty else pd.Series(0, index=SUMS))
    return pd.DataFrame.from_dict(rows, orient="index")[list(METRICS)]


def change(current: float | None, previous: float | None, metric: str) -> float | None:
    """Change vs the previous period: relative for volume, absolute for rates, NPS, sentiment."""
    if current is None or previous is None:
        return None
    if metric == "volume":
        return None if previous == 0 else (current - previous) / previous
    return current - previous


def compare(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Per channel and metric: value, previous value and change (tidy: one row each)."""
    rows = []
    for channel in current.index:
        for metric in METRICS:
            now = _clean(current.at[channel, metric])
            before = _clean(previous.at[channel, metric]) if channel in previous.index else None
            rows.append(
                {
                    "channel": channel,
                    "metric": metric,
                    "value": now,
                    "previous": before,
                    "change": change(now, before, metric),
                }
            )
    return pd.DataFrame(rows, columns=["channel", "metric", "value", "previous", "change"])


def _clean(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def series(frame: pd.DataFrame, bucket_ms: int, timezone: str = DEFAULT_ZONE) -> pd.DataFrame:
    """Hourly rows re-bucketed (hour or local day) per channel: volume, complaint rate,
    sentiment; ``time`` is the bucket's start in ``timezone``."""
    if frame.empty:
        return pd.DataFrame(columns=["time", "channel", "volume", "complaint_rate", "sentiment"])
    tz = zone(timezone)
    hours = frame["hour"].astype("int64")
    days = bucket_ms // DAY_MS
    buckets = hours if not days else hours.map(lambda ms: bucket_start(ms, tz, days))
    grouped = (
        frame.assign(bucket=buckets)
        .groupby(["bucket", "channel"], as_index=False)[["volume", "complaints", "sentiment_sum"]]
        .sum()
    )
    volume = grouped["volume"].where(grouped["volume"] > 0)
    grouped["complaint_rate"] = grouped["complaints"] / volume
    grouped["sentiment"] = grouped["sentiment_sum"] / volume
    grouped["time"] = pd.to_datetime(grouped["bucket"], unit="ms", utc=True).dt.tz_convert(tz)
    return grouped[["time", "channel", "volume", "complaint_rate", "sentiment"]]
