"""Records Faust skipped: each agent's batches completed from Kafka, so none is lost.

Around a rebalance Faust can drop records it fetched for the previous
generation without seeking back to them (faust-streaming issues #221, #596):
a worker that replaces a killed one, whose group membership has not expired
yet, goes through two generations in a few seconds and loses what it fetched
in between. Every agent that must see each record therefore checks its
batches: per partition, the offsets since the last one it processed (or the
group's committed offset, after an assignment) must all be there; the ones
that are not are read straight from Kafka and handed over with the rest.
Processing is idempotent downstream, so a record read twice does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import faust

from streams.progress import Offsets, missing_offsets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Record:
    """One consumed record: where it sits, and its bytes."""

    partition: int
    offset: int
    value: bytes


class GapFiller:
    """Completes an agent's batches of one topic (one instance per agent)."""

    def __init__(self, offsets: Offsets, group: str, topic: str) -> None:
        self.offsets = offsets
        self.group = group
        self.topic = topic
        self.expected: dict[int, int] = {}  # partition → next offset this agent expects

    def forget(self, partitions: Iterable[int]) -> None:
        """Partitions revoked: when they come back, start from the committed offset."""
        for partition in partitions:
            self.expected.pop(partition, None)

    async def complete(self, events: Sequence[faust.EventT[Any]]) -> list[Record]:
        """The batch's records plus those Faust skipped, by partition and offset."""
        records = [Record(e.message.partition, e.message.offset, e.value) for e in events]
        found: list[Record] = []
        for partition in sorted({r.partition for r in records}):
            delivered = [r.offset for r in records if r.partition == partition]
            start = self.expected.get(partition)
            if start is None:
                start = await self.offsets.committed(self.group, self.topic, partition)
            missing = missing_offsets(delivered, start if start is not None else min(delivered))
            if missing:
                found += await self._read(partition, missing)
            self.expected[partition] = max(self.expected.get(partition, 0), max(delivered) + 1)
        return sorted([*records, *found], key=lambda r: (r.partition, r.offset))

    async def _read(self, partition: int, missing: list[int]) -> list[Record]:
        log.warning(
            "%s[%d]: offsets %d..%d were not delivered (a rebalance); reading them directly",
            self.topic, partition, missing[0], missing[-1],
        )  # fmt: skip
        wanted = set(missing)
        read = await self.offsets.read(self.topic, partition, missing[0], missing[-1] + 1)
        return [Record(partition, o, v) for o, v in read if o in wanted]


def gap_filler(app: faust.App, offsets: Offsets, group: str, topic: str) -> GapFiller:
    """A filler for ``topic`` that forgets the partitions the app loses."""
    filler = GapFiller(offsets, group, topic)

    @app.on_partitions_revoked.connect
    async def forget(sender: Any, /, *args: Any, signal: Any, **kwargs: Any) -> None:
        revoked = args[0] if args else kwargs.get("revoked", ())
        filler.forget(tp.partition for tp in revoked if tp.topic == topic)

    return filler


__all__ = ["GapFiller", "Record", "gap_filler"]
