"""Counting stage: which partitions of feedback.scored are caught up (and so hold no event time).

A window closes when every source partition has passed it. A partition that
gets nothing would hold time back forever, so the counting side says when a
partition is *caught up*: every record of it counted and sent downstream,
and nothing upstream either: the scoring stage (same consumer group) has
committed every record of ``feedback.raw``, so no scored record is on its
way. Without that second check a backfill would look caught up on its first
empty partitions and close windows before their records were scored.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

log = logging.getLogger(__name__)


class OffsetsReader(Protocol):
    """What the Faust consumer offers: end and start offsets of any partitions."""

    async def highwaters(self, *partitions: Any) -> Mapping[Any, int]: ...

    async def earliest_offsets(self, *partitions: Any) -> Mapping[Any, int]: ...


class UpstreamLag:
    """Records of a topic the group has not committed yet (the scoring stage's backlog)."""

    def __init__(self, bootstrap: str, group: str, topic: str, partitions: int) -> None:
        self.bootstrap = bootstrap
        self.group = group
        self.partitions = [TopicPartition(topic, p) for p in range(partitions)]
        self._admin: AIOKafkaAdminClient | None = None

    async def pending(self, offsets: OffsetsReader) -> int | None:
        """How many records are left; None when Kafka did not say (count it as pending)."""
        try:
            if self._admin is None:
                self._admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
                await self._admin.start()
            committed = await self._admin.list_consumer_group_offsets(
                self.group, partitions=self.partitions
            )
            ends = await offsets.highwaters(*self.partitions)
            starts = await offsets.earliest_offsets(*self.partitions)
        except Exception as exc:  # the broker is busy or away: assume work is left
            log.debug("could not read the scoring stage's lag: %r", exc)
            return None
        left = 0
        for tp in self.partitions:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else starts[tp]
            left += max(0, ends[tp] - done)
        return left

    async def close(self) -> None:
        if self._admin is not None:
            await self._admin.close()
            self._admin = None


def caught_up(
    partitions: Sequence[int],
    sent: Mapping[int, int],
    ends: Mapping[int, int],
    starts: Mapping[int, int],
    *,
    counted_next: Mapping[int, int | None],
) -> dict[int, bool]:
    """Per partition: has everything in it been counted and sent downstream?

    ``sent`` is the next offset whose effects this worker sent; a partition
    not in it was just taken over, and is caught up only when it is empty
    (``counted_next`` is None and ``starts == ends``); the caller re-sends the
    open cells of a taken-over partition whose counting is complete.
    """
    status = {}
    for p in partitions:
        if p in sent:
            status[p] = sent[p] >= ends[p]
        elif counted_next.get(p) is None:
            status[p] = starts[p] >= ends[p]
        else:
            status[p] = False
    return status


__all__ = ["OffsetsReader", "UpstreamLag", "caught_up"]
