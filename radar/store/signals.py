"""Store: signals with their evidence, each window of an episode, and live window counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import JSON, Column, Float, Index, Integer, String, Table, select

from radar.events import Signal
from radar.store.db import EpochMillis, metadata
from radar.store.feedback import Store, insert_ignoring_duplicates, upsert

#: The latest state of every signal (one row per episode; updates overwrite it).
signals = Table(
    "signals",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("key", JSON, nullable=False),
    Column("key_text", String(300), nullable=False),
    Column("status", String(16), nullable=False),
    Column("window_start", EpochMillis, nullable=False),
    Column("window_end", EpochMillis, nullable=False),
    Column("observed", Float, nullable=False),
    Column("expected", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("statistic", String(64), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("top_topics", JSON),
    Column("crisis_terms", JSON),
    Column("samples", JSON),
    Column("detected_at", EpochMillis, nullable=False),
    Column("details", JSON),
    Index("ix_signals_type_status", "type", "status"),
    Index("ix_signals_detected", "detected_at"),
)

#: Each window an episode reported: observed vs expected over time, for evidence charts.
signal_points = Table(
    "signal_points",
    metadata,
    Column("signal_id", String(64), primary_key=True),
    Column("window_start", EpochMillis, primary_key=True),
    Column("window_end", EpochMillis, nullable=False),
    Column("observed", Float, nullable=False),
    Column("expected", Float, nullable=False),
    Column("score", Float, nullable=False),
    Column("status", String(16), nullable=False),
)

#: What the stream counted per key and window (absolute values, written idempotently).
window_counts = Table(
    "window_counts",
    metadata,
    Column("dim", String(300), primary_key=True),
    Column("size", String(8), primary_key=True),
    Column("window_start", EpochMillis, primary_key=True),
    Column("volume", Integer, nullable=False),
    Column("complaints", Integer, nullable=False),
    Column("negatives", Integer, nullable=False),
    Column("reach_complaints", Float, nullable=False),
    Column("sentiment_sum", Float, nullable=False),
    Column("csat_sum", Integer, nullable=False),
    Column("csat_n", Integer, nullable=False),
    Column("nps_n", Integer, nullable=False),
    Column("promoters", Integer, nullable=False),
    Column("detractors", Integer, nullable=False),
    Column("topics", JSON),
    Index("ix_window_counts_size_start", "size", "window_start"),
)

_COUNT_FIELDS = (
    "complaints",
    "negatives",
    "reach_complaints",
    "sentiment_sum",
    "csat_sum",
    "csat_n",
    "nps_n",
    "promoters",
    "detractors",
)


def key_text(key: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(key.items()))


def record_signals(store: Store, batch: Sequence[Signal]) -> int:
    """Keep the latest state of each signal and every window it reported; returns rows written."""
    if not batch:
        return 0
    latest: dict[str, Signal] = {}
    for signal in batch:
        if signal.id not in latest or signal.window_end >= latest[signal.id].window_end:
            latest[signal.id] = signal
    rows = []
    for signal in latest.values():
        row = signal.model_dump(mode="python")
        row["key_text"] = key_text(signal.key)
        row["samples"] = [s.model_dump(mode="json") for s in signal.samples]
        # drivers ride in the details column (JSON): no column of their own to migrate
        drivers = row.pop("drivers", [])
        if drivers:
            row["details"] = {**row["details"], "drivers": drivers}
        rows.append(row)
    points = {
        (s.id, s.window_start): {
            "signal_id": s.id,
            "window_start": s.window_start,
            "window_end": s.window_end,
            "observed": s.observed,
            "expected": s.expected,
            "score": s.score,
            "status": s.status,
        }
        for s in batch
    }
    with store.engine.begin() as conn:
        # a redelivered older state (a replay after a crash) must not undo a newer one
        columns = [c for c in rows[0] if c != "id"]
        conn.execute(upsert(store.engine, signals, columns, unless_older="window_end"), rows)
        conn.execute(insert_ignoring_duplicates(store.engine, signal_points), list(points.values()))
    return len(rows)


def record_window_counts(
    store: Store, totals: Iterable[tuple[str, str, int, dict[str, Any]]]
) -> int:
    """Write the stream's totals per key and window (absolute, so writing twice is harmless)."""
    rows = {}
    for dim, size, start, cell in totals:
        row = {"dim": dim, "size": size, "window_start": start, "volume": cell["n"]}
        row |= {name: cell[name] for name in _COUNT_FIELDS}
        row["topics"] = cell["topics"]
        rows[(dim, size, start)] = row
    if not rows:
        return 0
    update = [c for c in next(iter(rows.values())) if c not in ("dim", "size", "window_start")]
    with store.engine.begin() as conn:
        conn.execute(upsert(store.engine, window_counts, update), list(rows.values()))
    return len(rows)


def load_window_counts(store: Store, size: str, dim: str | None = None) -> list[dict[str, Any]]:
    """The stored window counts of one size (and key), oldest first."""
    query = select(window_counts).where(window_counts.c.size == size)
    if dim is not None:
        query = query.where(window_counts.c.dim == dim)
    with store.engine.connect() as conn:
        return [
            dict(r._mapping) for r in conn.execute(query.order_by(window_counts.c.window_start))
        ]


def load_signals(store: Store, type_: str | None = None) -> list[dict[str, Any]]:
    query = select(signals)
    if type_ is not None:
        query = query.where(signals.c.type == type_)
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query.order_by(signals.c.detected_at))]


def signal_history(store: Store, signal_id: str) -> list[dict[str, Any]]:
    """Every window an episode reported, oldest first (the evidence chart)."""
    query = select(signal_points).where(signal_points.c.signal_id == signal_id)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(signal_points.c.window_start))
        return [dict(r._mapping) for r in rows]


__all__ = [
    "load_signals",
    "load_window_counts",
    "record_signals",
    "record_window_counts",
    "signal_history",
    "signal_points",
    "signals",
    "window_counts",
]
