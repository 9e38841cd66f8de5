"""Signals: what detectors found, as ``feedback.signals`` records with their evidence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from radar.events import Attribute, Driver, Sample, Signal, SignalType, stable_id
from streams.windows import dim_key, top_topics


def signal_id(kind: str, subject: str, episode_start: float) -> str:
    """One id per episode: the same incident keeps its id through every update."""
    return stable_id("signal", kind, subject, str(int(episode_start)))


def at(epoch_s: float) -> datetime:
    return datetime.fromtimestamp(epoch_s, tz=UTC)


def samples_of(items: list[dict[str, Any]]) -> list[Sample]:
    return [
        Sample(
            id=item["id"],
            text=item["text"],
            channel=item.get("channel"),
            created_at=datetime.fromisoformat(item["created_at"])
            if item.get("created_at")
            else None,
        )
        for item in items[:5]
    ]


def window_signal(
    kind: SignalType,
    dim: str,
    *,
    status: str,
    episode_start: float,
    window_start: float,
    window_s: float,
    observed: float,
    expected: float,
    score: float,
    statistic: str,
    cell: dict[str, Any],
    detected_at: datetime,
    details: Mapping[str, Attribute],
    report_as: str | None = None,
    drivers: list[Driver] | None = None,
) -> Signal:
    """A signal about one key's window, with the window's evidence (topics, terms, samples).

    ``report_as`` names the key the signal is shown under when it is not the
    key that was judged (a spike explained by one of its combinations).
    """
    crisis = sorted(cell["crisis"], key=lambda term: (-cell["crisis"][term], term))
    severity = cell["max_severity"] if kind == "spike" else 0
    if status == "firing":
        severity = max(severity, 2 if score >= 0.9 else 1)
    return Signal(
        id=signal_id(kind, dim, episode_start),
        type=kind,
        key=dim_key(report_as or dim),
        status="resolved" if status == "resolved" else "firing",
        window_start=at(window_start),
        window_end=at(window_start + window_s),
        observed=round(observed, 6),
        expected=round(expected, 6),
        score=round(min(max(score, 0.0), 1.0), 6),
        statistic=statistic,
        severity=min(severity, 3),
        top_topics=top_topics(cell),
        crisis_terms=crisis[:10],
        samples=samples_of(cell["samples"]),
        detected_at=detected_at,
        details={"episode_start": at(episode_start).isoformat(), **details},
        drivers=drivers or [],
    )
