"""The demo's story offline: the demo feed, normalised and scored, through the worker's stages.

No broker and no alert service: the scripted feed of ``radar ingest demo``
(the same script, texts and seed) becomes feedback events as its connectors
would make them, scored by the fast sentiment engine, counted and judged by
:class:`tests.offline.OfflineWorker`. What it returns are the worker's
signals, which the story check reads as one incident per signal type.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ingest.demo_corpus import load_texts
from ingest.demo_feed import DemoSettings
from ingest.demo_incidents import Incident
from ingest.demo_script import DemoScript
from ingest.emitter import make_normaliser
from radar.clock import ManualClock
from radar.events import Signal
from radar.settings import CoreSettings
from streams.counting import Delivery
from streams.scoring import score_events
from streams.sentiment import get_engine
from streams.settings import WorkerSettings
from tests.offline import OfflineWorker


def demo_story(
    end: datetime, *, days: float = 3.0, seed: int = 11
) -> tuple[list[Incident], list[Signal]]:
    """The scripted incidents of a backfill ending at ``end`` and the signals the worker raises."""
    settings = DemoSettings()
    start = end - timedelta(days=days)
    script = DemoScript(load_texts(settings.corpus), seed, start, end, live=False)
    clock = ManualClock(end)
    normalisers = {
        channel: make_normaliser(channel, f"demo-{channel}", CoreSettings(), settings, clock=clock)
        for channel in ("review", "survey", "forum", "social", "email", "chat")
    }
    engine = get_engine("fast")
    worker = OfflineWorker(WorkerSettings(), clock.now)
    offset = 0
    hours = int((end - start).total_seconds() // 3600)
    for hour in range(hours):
        until = start + timedelta(hours=hour + 1)
        items = script.advance(until, settings.per_day)
        events = [normalisers[i.channel].build(_fields(i.fields)) for i in items]
        scored = score_events(events, engine, until)
        deliveries = [Delivery(0, offset + n, e) for n, e in enumerate(scored)]
        offset += len(deliveries)
        if deliveries:
            worker.feed(deliveries)
    worker.finish()
    return [*script.incidents, *script.unanswered], worker.signals


def _fields(fields: dict[str, Any]) -> dict[str, Any]:
    return dict(fields)


def story_end() -> datetime:
    """22:00 Beijing time of a fixed day: the whole story fits in three days before it."""
    return datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
