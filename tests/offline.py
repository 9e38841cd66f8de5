"""The worker's stages in one process, without Kafka: counting → outbox → detection.

What the ideal single worker computes for a history of scored events: the same
stage objects and outbox the agents use, with an in-memory wire between them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from radar.events import Signal
from streams.counting import Delivery, MemoryClaims, PartitionCounter
from streams.detection import Detection
from streams.outbox import Outbox
from streams.phrases import PhraseCounter
from streams.pipeline import detection_settings
from streams.protocol import ProgressMark, WindowRecord
from streams.settings import WorkerSettings
from streams.stages import CountStage, DetectStage
from streams.taxonomy import default_taxonomy


class OfflineWorker:
    """One counting partition and one detection partition, fed batch by batch."""

    def __init__(self, worker: WorkerSettings, now: Callable[[], datetime]) -> None:
        self.claims = MemoryClaims()
        self.counter = PartitionCounter(
            {},
            self.claims,
            lateness_s=worker.lateness_s,
            combinations=worker.combinations(),
            phrases=PhraseCounter(default_taxonomy()) if worker.emerging_enabled else None,
        )
        self.detection = Detection({}, detection_settings(worker), now=now, wall=lambda: 0.0)
        self.counting = CountStage(self.counter, default_taxonomy(), worker.unanswered_channels)
        self.detecting = DetectStage(self.detection, partitions=1)
        self.outbox = Outbox(self.counter, self._deliver)
        self.totals: dict[tuple[str, str, int], dict[str, Any]] = {}
        self.signals: list[Signal] = []
        self._loop = asyncio.new_event_loop()

    async def _deliver(self, records: Sequence[WindowRecord]) -> None:
        for effects in self.detecting.run((0, record) for record in records):
            for dim, size, start, total in effects.totals:
                self.totals[(dim, size, start)] = total
            self.signals += effects.signals

    def feed(self, deliveries: Sequence[Delivery]) -> None:
        """Count a batch as the count agent does, and let detection take what it sent."""
        plan = self.counting.plan(deliveries)
        done = self.counting.apply(plan, self.claims.claim(plan.claims))
        self.outbox.add(done.outcome, done.items)
        self._loop.run_until_complete(self.outbox.flush())

    def finish(self) -> None:
        """Every partition caught up: time runs out, every window closes."""
        mark = ProgressMark(p=0, wm=self.counter.watermark(0), idle=True)
        self._loop.run_until_complete(self._deliver([mark]))
        self._loop.close()
