"""Windowed counts: event-time tumbling windows, the keys counted, and the aggregate per window.

A *cell* is the aggregate of one key (``overall``, ``topic=物流配送``,
``channel=review``, a combination such as ``topic=物流配送;region=广东``...)
in one window, as a JSON-ready dict so Faust tables and Kafka records carry
it unchanged. Cells from different partitions merge by adding up; samples
keep the five most severe complaints; a likely duplicate is counted once.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from radar.clock import to_millis
from radar.events import ScoredEvent
from radar.masking import masked_excerpt
from streams.phrases import merge_terms

#: Window sizes counted, name → seconds.
SIZES: dict[str, int] = {"5m": 300, "1h": 3600}
OVERALL = "overall"
MAX_SAMPLES = 5
#: Characters of a sample's text kept as evidence (its id leads to the whole text in the store).
SAMPLE_CHARS = 120
#: Single fields an event is counted under (besides overall), in the order of its keys.
SINGLE_FIELDS = ("channel", "topic", "product", "region")
#: Field combinations counted by default: a wave of delivery complaints in one region is
#: ``topic × region``, a defect of one product ``topic × product``, a storm about one
#: product on one channel ``product × channel``.
DEFAULT_COMBINATIONS: tuple[tuple[str, ...], ...] = (
    ("topic", "region"),
    ("topic", "product"),
    ("product", "channel"),
)
#: Separates the fields of a compound key's text; ``%``, ``;`` and ``=`` in values are escaped.
FIELD_SEP = ";"
_ESCAPES = {"%": "%25", ";": "%3B", "=": "%3D"}
_UNESCAPE = re.compile("%(25|3B|3D)")


def _escape(value: str) -> str:
    return "".join(_ESCAPES.get(ch, ch) for ch in value)


def _unescape(value: str) -> str:
    return _UNESCAPE.sub(lambda m: bytes.fromhex(m.group(1)).decode(), value)


def dim_text(fields: Iterable[tuple[str, str]]) -> str:
    """The text of a key: ``topic=物流配送;region=广东`` (fields in the combination's order)."""
    return FIELD_SEP.join(f"{name}={_escape(value)}" for name, value in fields)


def window_start(ts_ms: int, size_s: int) -> int:
    """Start (epoch ms) of the tumbling window of ``size_s`` seconds holding ``ts_ms``."""
    size_ms = size_s * 1000
    return ts_ms - ts_ms % size_ms


def event_values(event: ScoredEvent) -> dict[str, list[str]]:
    """The values an event has for each field it can be counted under."""
    return {
        "channel": [event.channel],
        "topic": list(dict.fromkeys(event.topics)),
        "product": [event.product] if event.product else [],
        "region": [event.region] if event.region else [],
        "shop": [event.shop] if event.shop else [],
        "segment": [event.segment] if event.segment else [],
    }


def dimensions(
    event: ScoredEvent,
    combinations: Sequence[Sequence[str]] = DEFAULT_COMBINATIONS,
    singles: Sequence[str] = SINGLE_FIELDS,
) -> list[str]:
    """Every key the event is counted under: overall, each single field, each combination.

    An event with two topics counts under both (and under each topic's combinations);
    a combination needs a value for every one of its fields.
    """
    values = event_values(event)
    dims = [OVERALL]
    dims += [dim_text([(name, value)]) for name in singles for value in values[name]]
    for combination in combinations:
        for combo in itertools.product(*(values[name] for name in combination)):
            dims.append(dim_text(zip(combination, combo, strict=True)))
    return dims


def dim_fields(dim: str) -> list[tuple[str, str]]:
    """The (field, value) pairs of a key's text, in order (none for overall)."""
    if dim == OVERALL:
        return []
    pairs = []
    for part in dim.split(FIELD_SEP):
        name, _, value = part.partition("=")
        pairs.append((name, _unescape(value)))
    return pairs


def dim_kind(dim: str) -> str:
    """``topic`` for ``topic=物流配送``, ``topic+region`` for a combination, ``overall``."""
    fields = dim_fields(dim)
    return "+".join(name for name, _ in fields) if fields else OVERALL


def dim_key(dim: str) -> dict[str, str]:
    """The signal key of a dimension: ``topic=物流配送;region=广东`` → both fields."""
    fields = dim_fields(dim)
    return dict(fields) if fields else {"scope": "all"}


def anchor(dim: str) -> str:
    """The key's first field alone: a combination is detected where its first field is.

    Windows are routed by anchor, so ``topic=物流配送`` and every ``topic=物流配送;…``
    meet on one detection partition, where a combination is judged against its anchor.
    """
    return dim.split(FIELD_SEP, 1)[0]


def parse_combinations(specs: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """``["topic+region", ...]`` → ``(("topic", "region"), ...)``; unknown fields are an error."""
    known = set(SINGLE_FIELDS) | {"shop", "segment"}
    out = []
    for spec in specs:
        names = tuple(name.strip() for name in spec.split("+"))
        unknown = [n for n in names if n not in known]
        if len(names) < 2 or unknown or len(set(names)) != len(names):
            msg = (
                f"key combination {spec!r}: expected two or more of {sorted(known)} "
                "joined by '+', each once (e.g. topic+region)"
            )
            raise ValueError(msg)
        out.append(names)
    return tuple(out)


def new_cell() -> dict[str, Any]:
    return {
        "n": 0,
        "duplicates": 0,
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
        "by": {},
    }


def reach_weight(reach: int | None) -> float:
    """A complaint's weight by reach: 1 for a private message, +1 per tenfold audience."""
    return 1.0 + math.log10(1 + reach) if reach else 1.0


#: Fields whose values a cell counts its complaints and negatives by (``streams.drivers``).
BY_FIELDS = ("product", "region", "channel", "topic", "shop", "segment")
#: Values counted per field and cell; the rest are added up under "" (``streams.drivers``).
MAX_BY_VALUES = 20


def by_pairs(values: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The (field, value) pairs an event's complaints and negatives are counted by."""
    return [(name, value) for name in BY_FIELDS for value in values[name]]


def _count_by(cell: dict[str, Any], pairs: list[tuple[str, str]], complaint: int, neg: int) -> None:
    by: dict[str, dict[str, list[int]]] = cell.setdefault("by", {})
    for name, value in pairs:
        counts = by.get(name)
        if counts is None:
            counts = by[name] = {}
        pair = counts.get(value)
        if pair is None:
            if len(counts) >= MAX_BY_VALUES:
                value = ""  # beyond the cap: counted, never named
            pair = counts.setdefault(value, [0, 0])
        pair[0] += complaint
        pair[1] += neg


def add_event(
    cell: dict[str, Any], event: ScoredEvent, pairs: list[tuple[str, str]] | None = None
) -> None:
    """Count one event into a cell; a likely duplicate adds its reach only.

    ``pairs`` are :func:`by_pairs` of the event, when the caller has them (an event
    is counted into a dozen cells or more).

    One customer who says the same on five channels is one voice: the copies
    (``duplicate_of`` set at ingest) leave volume, complaints and the means
    alone, but the audience they reached still weighs the complaint.
    """
    if event.duplicate_of:
        cell["duplicates"] = cell.get("duplicates", 0) + 1
        if event.is_complaint and event.reach:
            cell["reach_complaints"] += reach_weight(event.reach) - 1.0
        return
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
    negative = event.sentiment_label == "neg"
    if event.is_complaint or negative:
        if pairs is None:
            pairs = by_pairs(event_values(event))
        _count_by(cell, pairs, int(event.is_complaint), int(negative))
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
        "text": masked_excerpt(event.text, SAMPLE_CHARS),
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
        total["duplicates"] += cell.get("duplicates", 0)
        for name in ("promoters", "detractors", "reach_complaints", "sentiment_sum"):
            total[name] += cell[name]
        total["max_severity"] = max(total["max_severity"], cell["max_severity"])
        for name in ("topics", "crisis", "sources"):
            for item, count in cell[name].items():
                total[name][item] = total[name].get(item, 0) + count
        samples.extend(cell["samples"])
        merge_terms(total, cell)
        for name, counts in cell.get("by", {}).items():
            into = total["by"].setdefault(name, {})
            for value, (c, neg) in counts.items():
                pair = into.setdefault(value, [0, 0])
                pair[0] += c
                pair[1] += neg
    total["samples"] = _top_samples(samples)
    total["by"] = {name: cap_by(counts) for name, counts in total["by"].items()}
    return total


def cap_by(counts: dict[str, list[int]], limit: int = MAX_BY_VALUES) -> dict[str, list[int]]:
    """The ``limit`` values with the most items, the rest added up under ``""``."""
    named = [(v, c) for v, c in counts.items() if v]
    if len(named) <= limit:
        return counts
    named.sort(key=lambda item: (-(item[1][0] + item[1][1]), item[0]))
    out = dict(named[:limit])
    rest = [c for _, c in named[limit:]]
    if "" in counts:
        rest.append(counts[""])
    out[""] = [sum(c[0] for c in rest), sum(c[1] for c in rest)]
    return out


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
