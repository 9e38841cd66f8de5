"""Stream state: Faust tables whose keys carry their partition, stored as compact UTF-8 JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import faust
from faust.serializers import codecs
from faust.stores import memory
from faust.types import TP, EventT

from radar.topics import topic_configs

#: Codec of the tables' keys and values: UTF-8 (Chinese samples take 3 bytes a
#: character, not 6 as ``\\uXXXX``) and no spaces; their changelogs carry every write.
CODEC = "radar-json"


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, for table values and the worker's internal records."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class CompactJson(codecs.Codec):
    def _dumps(self, s: Any) -> bytes:
        return dumps(s)

    def _loads(self, s: bytes) -> Any:
        return json.loads(s)


codecs.register(CODEC, CompactJson())


def partition_of(key: Any) -> int:
    """The partition a table key names (``"{partition}|..."``)."""
    return int(str(key).split("|", 1)[0])


class KeptPartitionStore(memory.Store[Any, Any]):
    """Faust's in-memory store, except that a partition the worker keeps through a rebalance
    is not restored again from its changelog.

    Faust's recovery reads a partition that stays active from the offset it last *recovered*
    (the first assignment: the very start), not from the last write, and applies those
    records over the state in memory, which is newer; the agents' batches still running
    through the rebalance write in between. A detection partition kept by its worker
    through the loss of another worker came back with an older clock (the horizon of
    forgotten windows) beside window parts already forgotten, and a cell sent again then
    overwrote the stored total of its window with one partition's part. The changelog of
    a kept partition holds only this worker's writes, so memory is already what it says.
    A partition newly assigned is restored from its whole changelog as before, and one
    no longer active is forgotten (it is restored whole if it comes back).
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        self._active: set[int] = set()  # partitions this worker processes
        self._kept: set[int] = set()  # active before the rebalance under way, and after it
        self._written: dict[TP, int] = {}  # offset of the last changelog write acknowledged
        #: partition → how often its records were replaced from outside the agents (restored
        #: from the changelog, or forgotten): indexes of its keys are rebuilt after each
        self.restores: Counter[int] = Counter()

    async def on_rebalance(
        self,
        assigned: set[TP],
        revoked: set[TP],
        newly_assigned: set[TP],
        generation_id: int = 0,
    ) -> None:
        changelog = self.table.changelog_topic.get_topic_name()
        actives = self.app.assignor.assigned_actives()
        active = {tp.partition for tp in actives if tp.topic == changelog}
        self._kept, self._active = self._active & active, active
        self._written = {tp: o for tp, o in self._written.items() if tp.partition in self._kept}
        for key in [k for k in self.data if partition_of(k) not in active]:
            del self.data[key]
            self._key_partition.pop(key, None)
        self.restores.update(self._active - self._kept)  # newly assigned: restored next

    def persisted_offset(self, tp: TP) -> int | None:
        """Where the recovery of a kept partition starts: its last write (None: the start)."""
        return self._written.get(tp) if tp.partition in self._kept else None

    def set_persisted_offset(self, tp: TP, offset: int) -> None:
        if tp.partition in self._active:
            self._written[tp] = max(offset, self._written.get(tp, -1))

    def apply_changelog_batch(
        self,
        batch: Iterable[EventT[Any]],
        to_key: Callable[[Any], Any],
        to_value: Callable[[Any], Any],
    ) -> None:
        fresh = [event for event in batch if event.message.partition not in self._kept]
        super().apply_changelog_batch(fresh, to_key, to_value)
        self.restores.update({event.message.partition for event in fresh})


class PartitionedTable(faust.Table[str, Any]):
    """A table whose key starts with ``"{partition}|"``: its changelog goes to that partition.

    Faust normally takes the partition from the event being processed, which a
    batch (``take_events``) does not have; our keys say it themselves, so the
    state of partition *p* is recovered by whichever worker owns *p*.
    """

    def partition_for_key(self, key: Any) -> int | None:
        return partition_of(key)

    def restores(self, partition: int) -> int:
        """How often ``partition``'s records were replaced from its changelog or forgotten
        (:class:`streams.state.KeyFamily` rebuilds its index when this moves)."""
        store = self.data
        return store.restores[partition] if isinstance(store, KeptPartitionStore) else 0

    def _new_store(self) -> KeptPartitionStore:
        return KeptPartitionStore(
            "memory://",
            self.app,
            self,
            table_name=self.name,
            key_type=self.key_type,
            key_serializer=self.key_serializer,
            value_serializer=self.value_serializer,
            value_type=self.value_type,
            loop=self.loop,
            options=self.options,
        )


def partitioned_table(app: faust.App, name: str, partitions: int) -> PartitionedTable:
    table = PartitionedTable(
        app,
        name=name,
        partitions=partitions,
        schema=faust.Schema(key_serializer=CODEC, value_serializer=CODEC),
        beacon=app.tables.beacon,
        # its changelog is written with acks=all like every topic: 2 of 3 replicas in sync
        extra_topic_configs=topic_configs(app.conf.topic_replication_factor),
    )
    app.tables.add(table)
    return table
