"""Windowed counts: event-time tumbling windows, the keys counted, and the aggregate per window.

A *cell* is the aggregate of one key (``overall``, ``topic=物流配送``,
``channel=review``...) in one window, as a JSON-ready dict so Faust tables
and Kafka records carry it unchanged. Cells from different partitions merge
by adding up; samples keep the five most severe complaints.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from radar.clock import to_millis
from radar.events import ScoredEvent
from radar.masking import mask_text

#: Window sizes counted, name → seconds.
SIZES: dict[str, int] = {"5m": 300, "1h": 3600}
OVERALL = "overall"
MAX_SAMPLES = 5
#: Characters of a sample's text kept as evidence (its id leads to the whole text in the store).
SAMPLE_CHARS = 120
#: Dimensions an event is counted under (besides overall), in the order of its key.
DIMENSIONS = ("channel", "topic", "product", "region")


def window_start(ts_ms: int, size_s: int) -> int:
    """Start (epoch ms) of the tumbling window of ``size_s`` seconds holding ``ts_ms``."""
    size_ms = size_s * 1000
    return ts_ms - ts_ms % size_ms


def dimensions(event: ScoredEvent) -> list[str]:
    """Every key the event is counted under: overall, its channel, topics, product, region."""
    dims = [OVERALL, f"channel={event.channel}"]
    dims += [f"topic={topic}" for topic in dict.fromkeys(event.topics)]
    if event.product:
        dims.append(f"product={event.product}")
    if event.region:
        dims.append(f"region={event.region}")
    return dims


def dim_kind(dim: str) -> str:
    return dim.partition("=")[0] if "=" in dim else OVERALL


def dim_key(dim: str) -> dict[str, str]:
    """The signal key of a dimension: ``topic=物流配送`` → ``{"topic": "物流配送"}``."""
    if dim == OVERALL:
        return {"scope": "all"}
    name, _, value = dim.partition("=")
    return {name: value}


def new_cell() -> dict[str, Any]:
    return {
        "n": 0,
        "complaints": 0,
        "negatives": 0,
        "reach_complaints": 0.0,
        "sentiment_sum": 0.0,
        "csat_sum": 0,
        "csat_n": 0,
        "nps_n": 0,
        "promoters": 0,
        "detractors": 0,
        "max_severity": 0,
        "topics": {},
        "crisis": {},
        "sources": {},
        "samples": [],
    }


def reach_weight(reach: int | None) -> float:
    """A complaint's weight by reach: 1 for a private message, +1 per tenfold audience."""
    return 1.0 + math.log10(1 + reach) if reach else 1.0


def add_event(cell: dict[str, Any], event: ScoredEvent) -> None:
    """Count one event into a cell."""
    cell["n"] += 1
    cell["sentiment_sum"] += event.sentiment
    if event.sentiment_label == "neg":
        cell["negatives"] += 1
    if event.csat is not None:
        cell["csat_sum"] += event.csat
        cell["csat_n"] += 1
    if event.nps is not None:
        cell["nps_n"] += 1
        cell["promoters"] += event.nps >= 9
        cell["detractors"] += event.nps <= 6
    cell["sources"][event.source] = cell["sources"].get(event.source, 0) + 1
    if not event.is_complaint:
        return
    cell["complaints"] += 1
    cell["reach_complaints"] += reach_weight(event.reach)
    cell["max_severity"] = max(cell["max_severity"], event.severity)
    for topic in event.topics:
        cell["topics"][topic] = cell["topics"].get(topic, 0) + 1
    for term in event.crisis_terms:
        cell["crisis"][term] = cell["crisis"].get(term, 0) + 1
    created = event.created_at.isoformat()
    samples = cell["samples"]
    if len(samples) >= MAX_SAMPLES and _rank(samples[-1]) <= (-event.severity, created, event.id):
        return  # it would not make the five: spare masking its text
    sample = {
        "id": event.id,
        "text": mask_text(event.text[:SAMPLE_CHARS]),
        "channel": event.channel,
        "created_at": created,
        "severity": event.severity,
    }
    cell["samples"] = _top_samples([*samples, sample])


def _rank(sample: dict[str, Any]) -> tuple[int, str, str]:
    """Samples kept first: the most severe, then the earliest."""
    return (-sample["severity"], sample["created_at"], sample["id"])


def _top_samples(samples: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    unique = {s["id"]: s for s in samples}.values()
    return sorted(unique, key=_rank)[:MAX_SAMPLES]


def merge_cells(cells: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The sum of cells (partials of one key and window from several partitions)."""
    total = new_cell()
    samples: list[dict[str, Any]] = []
    for cell in cells:
        for name in ("n", "complaints", "negatives", "csat_sum", "csat_n", "nps_n"):
            total[name] += cell[name]
        for name in ("promoters", "detractors", "reach_complaints", "sentiment_sum"):
            total[name] += cell[name]
        total["max_severity"] = max(total["max_severity"], cell["max_severity"])
        for name in ("topics", "crisis", "sources"):
            for item, count in cell[name].items():
                total[name][item] = total[name].get(item, 0) + count
        samples.extend(cell["samples"])
    total["samples"] = _top_samples(samples)
    return total


def summary(cell: dict[str, Any]) -> dict[str, float | int | None]:
    """The figures a window reports: volume, complaints, negatives, means, CSAT and NPS."""
    n = cell["n"]
    return {
        "volume": n,
        "complaints": cell["complaints"],
        "negatives": cell["negatives"],
        "reach_complaints": round(cell["reach_complaints"], 3),
        "mean_sentiment": round(cell["sentiment_sum"] / n, 4) if n else None,
        "csat": round(cell["csat_sum"] / cell["csat_n"], 3) if cell["csat_n"] else None,
        "nps": (
            round(100 * (cell["promoters"] - cell["detractors"]) / cell["nps_n"], 1)
            if cell["nps_n"]
            else None
        ),
    }


def top_topics(cell: dict[str, Any], limit: int = 3) -> list[str]:
    ranked = sorted(cell["topics"].items(), key=lambda item: (-item[1], item[0]))
    return [topic for topic, _ in ranked[:limit]]


def event_millis(event: ScoredEvent) -> int:
    return to_millis(event.created_at)
