"""Worker: consumer lag and records/s per input topic, sampled into the store (health page)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from functools import partial

from radar.store import Store
from radar.store.health import record_pipeline_stats
from streams import metrics
from streams.progress import Offsets

log = logging.getLogger(__name__)


class PipelineStats:
    """Every ``sample`` writes lag and records/s per topic; ``totals`` is what the agents
    processed so far per topic (a live mapping they update)."""

    def __init__(
        self,
        store: Store,
        offsets: Offsets,
        *,
        group: str,
        partitions: int,
        totals: Mapping[str, int],
        service: str = "worker",
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.offsets = offsets
        self.group = group
        self.partitions = partitions
        self.service = service
        self.wall = wall
        self.totals = totals
        self._last: dict[str, tuple[float, int]] = {}  # topic → (wall, total) at the last sample

    def rate(self, topic: str) -> float:
        """Records/s since the previous call for ``topic`` (0 on the first)."""
        now, total = self.wall(), self.totals.get(topic, 0)
        last = self._last.get(topic)
        self._last[topic] = (now, total)
        if last is None or now <= last[0]:
            return 0.0
        return (total - last[1]) / (now - last[0])

    async def sample(self, topics: list[str]) -> int:
        """Write one sample per topic whose lag Kafka told; returns how many were written."""
        written = 0
        loop = asyncio.get_running_loop()
        for topic in topics:
            lag = await self.offsets.lag(self.group, topic, self.partitions)
            rate = self.rate(topic)
            if lag is None:
                continue
            metrics.consumer_lag(self.group, topic, lag)
            write = partial(
                record_pipeline_stats,
                self.store,
                service=self.service,
                consumer_group=self.group,
                topic=topic,
                lag=lag,
                records_per_s=rate,
                records_total=self.totals.get(topic, 0),
            )
            try:
                await loop.run_in_executor(None, write)
                written += 1
            except Exception as exc:  # the store is away: the next sample tries again
                log.warning("pipeline stats not stored (%r); next try in one interval", exc)
        return written


__all__ = ["PipelineStats"]
