"""Demo feed: the scripted incidents (what detectors should find, and when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ingest import demo_corpus as words

#: How long a customer may wait for a first reply (the documents' 6 hours).
SLA = timedelta(hours=6)


@dataclass(frozen=True)
class Incident:
    """A scripted event detectors should find: type, key, and when (end None: open)."""

    type: str
    key: dict[str, str]
    start: datetime
    end: datetime | None
    description: str = ""

    def active(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "description": self.description,
        }


def scripted_incidents(start: datetime, end: datetime) -> list[Incident]:
    """The incidents of a backfill from ``start`` to ``end`` plus one early in the live part."""
    span = end - start

    def at(fraction: float) -> datetime:
        return (start + span * fraction).replace(minute=0, second=0, microsecond=0)

    quiet, down, wave, scare = at(0.4), at(0.55), at(0.7), at(0.82)

    def until(moment: datetime) -> datetime:
        return min(moment, end)  # short backfills: incidents end with the backfill

    forum_phase = min(timedelta(hours=3), (end - scare) / 2)

    product = words.SAFETY_PRODUCT
    return [
        Incident(
            "silence",
            {"channel": "chat"},
            quiet,
            until(quiet + timedelta(hours=6)),
            "chat goes quiet: customers stop writing, the source stays up",
        ),
        Incident(
            "source_down",
            {"source": "demo-email", "channel": "email"},
            down,
            until(down + timedelta(hours=5)),
            "the mailbox connector is down: no mail, no heartbeats",
        ),
        Incident(
            "spike",
            {"topic": "物流配送", "region": "广东"},
            wave,
            until(wave + timedelta(hours=6)),
            "courier-delay wave in one region across reviews, chat, surveys and social",
        ),
        Incident(
            "crisis",
            {"product": product, "channel": "forum"},
            scare,
            scare + forum_phase,
            "product-safety scare starts on the forum",
        ),
        Incident(
            "crisis",
            {"product": product, "channel": "social"},
            scare + forum_phase,
            until(scare + forum_phase + timedelta(hours=12)),
            "the safety scare spreads to social media with large reach",
        ),
        Incident(
            "spike",
            {"topic": "物流配送", "region": "浙江"},
            end + timedelta(minutes=10),
            end + timedelta(minutes=70),
            "live courier-delay wave (real time)",
        ),
    ]
