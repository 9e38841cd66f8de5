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

import asyncio
import logging
from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition

from radar.settings import KafkaSecurity

log = logging.getLogger(__name__)


class Offsets:
    """Start and end offsets of any partitions, and a group's committed offsets.

    Its own Kafka clients (no group), so asking never waits on the worker's
    consumer, which may sit in a long fetch.
    """

    def __init__(self, bootstrap: str, security: KafkaSecurity | None = None) -> None:
        self.bootstrap = bootstrap
        self._auth = (security or KafkaSecurity()).aiokafka()
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._closed = False
        #: one object serves every agent and timer: clients are made and started by one
        #: caller while the others wait (a client used before it started can wait for ever)
        self._starting = asyncio.Lock()

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        async with self._starting:
            if self._closed:  # the worker is stopping: no new clients nobody would close
                raise ConnectionError("the offsets reader is closed (the worker is stopping)")
            if self._admin is None or self._consumer is None:
                admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, **self._auth)
                consumer = AIOKafkaConsumer(
                    bootstrap_servers=self.bootstrap, group_id=None, **self._auth
                )
                await admin.start()
                await consumer.start()
                self._admin, self._consumer = admin, consumer
            return self._admin, self._consumer

    async def bounds(self, tps: Sequence[TopicPartition]) -> tuple[dict[int, int], dict[int, int]]:
        """``(starts, ends)`` by partition number."""
        _, consumer = await self._clients()
        asked = [TopicPartition(tp.topic, tp.partition) for tp in tps]
        starts, ends = await asyncio.gather(
            consumer.beginning_offsets(asked), consumer.end_offsets(asked)
        )
        return {tp.partition: n for tp, n in starts.items()}, {
            tp.partition: n for tp, n in ends.items()
        }

    async def lag(self, group: str, topic: str, partitions: int) -> int | None:
        """Records of ``topic`` the group has not committed; None when Kafka did not say."""
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        try:
            admin, _ = await self._clients()
            committed = await admin.list_consumer_group_offsets(group, partitions=tps)
            starts, ends = await self.bounds(tps)
        except Exception as exc:  # the broker is busy or away: assume work is left
            log.debug("could not read the lag of %s on %s: %r", group, topic, exc)
            return None
        left = 0
        for tp in tps:
            meta = committed.get(tp)
            done = meta.offset if meta is not None and meta.offset >= 0 else starts[tp.partition]
            left += max(0, ends[tp.partition] - done)
        return left

    async def committed(self, group: str, topic: str, partition: int) -> int | None:
        """The group's committed offset of one partition (None: none, or Kafka did not say)."""
        tp = TopicPartition(topic, partition)
        try:
            admin, _ = await self._clients()
            meta = (await admin.list_consumer_group_offsets(group, partitions=[tp])).get(tp)
        except Exception as exc:  # the broker is busy: the caller goes without
            log.debug("could not read the committed offset of %s: %r", tp, exc)
            return None
        return meta.offset if meta is not None and meta.offset >= 0 else None

    async def read(
        self, topic: str, partition: int, start: int, end: int, timeout_s: float = 30.0
    ) -> list[tuple[int, bytes]]:
        """The records ``start <= offset < end`` of one partition, as ``(offset, value)``
        (fewer when some were deleted by retention, or ``timeout_s`` passed)."""
        tp = TopicPartition(topic, partition)
        if self._closed:
            raise ConnectionError("the offsets reader is closed (the worker is stopping)")
        reader = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False, **self._auth
        )
        await reader.start()
        records: list[tuple[int, bytes]] = []
        try:
            reader.assign([tp])
            first = (await reader.beginning_offsets([tp]))[tp]
            reader.seek(tp, max(start, first))
            deadline = asyncio.get_running_loop().time() + timeout_s
            while await reader.position(tp) < end:
                if asyncio.get_running_loop().time() > deadline:
                    break
                batch = await reader.getmany(tp, timeout_ms=1000)
                records += [(m.offset, m.value) for m in batch.get(tp, []) if m.offset < end]
        finally:
            await reader.stop()
        return records

    async def close(self) -> None:
        """Stop the clients; later questions fail at once (one object serves every agent)."""
        async with self._starting:
            self._closed = True
            if self._consumer is not None:
                await self._consumer.stop()
            if self._admin is not None:
                await self._admin.close()
            self._admin = self._consumer = None


def missing_offsets(delivered: Sequence[int], expected_from: int) -> list[int]:
    """Offsets of one partition that should have come before or among ``delivered``: from
    ``expected_from`` (the first not yet processed) to the last delivered. Faust can skip
    records fetched around a rebalance; counting reads these back itself."""
    if not delivered:
        return []
    return sorted(set(range(expected_from, max(delivered))) - set(delivered))


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


__all__ = ["Offsets", "caught_up", "missing_offsets"]
