"""Stream state: the key families of the worker's tables, and an index of each family's keys.

Every key of a worker table starts with the partition it belongs to, so it moves
and recovers with that partition. Some families are walked a partition at a
time (the window parts detection forgets, the threads it checks, the cells
counting publishes again or forgets); walking them must not read the whole
table, which holds every other family too. A :class:`KeyFamily` keeps the keys
of one family per partition in memory beside the table, and every write of the
family goes through it.

The index is built from the table once per partition, and again whenever the
partition's records were replaced from outside the agents: a worker table tells
how often that happened per partition (``restores``, counted by
:class:`streams.tables.KeptPartitionStore` when it restores a partition from its
changelog or forgets it); a plain mapping (tests, the offline worker) never is.

The families (``mp``: detection partition, ``p``: source partition):

========================================  ==========================================
``{mp}|w|{size}|{start}|{p}|{dim}``       a source partition's part of a key's window
``{mp}|t|{thread}``                       a thread waiting for a staff reply
``{p}|{size}|{start}|{dim}``              a counting cell (the cells table)
``{p}|wm``                                a counting partition's progress (cells table)
``{mp}|clock``, ``{mp}|dims``, ...        one record per partition (no index needed)
========================================  ==========================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PartKey:
    """The key of a source partition's part of a key's window in the detection state."""

    mp: int
    size: str
    start: int
    p: int
    dim: str

    TAG = "w"

    def encode(self) -> str:
        return part_key(self.mp, self.size, self.start, self.p, self.dim)

    @classmethod
    def decode(cls, key: str) -> PartKey:
        mp, _tag, size, start, p, dim = key.split("|", 5)
        return cls(int(mp), size, int(start), int(p), dim)


def part_key(mp: int, size: str, start: int, p: int, dim: str) -> str:
    """:meth:`PartKey.encode` without the object (detection reads parts per partial)."""
    return f"{mp}|{PartKey.TAG}|{size}|{start}|{p}|{dim}"


class KeyFamily:
    """One family of a partitioned table's keys (``{partition}|{tag}...``), indexed per
    partition; ``member`` leaves out keys under the same prefix that are not of it."""

    def __init__(
        self,
        table: MutableMapping[str, Any],
        tag: str,
        member: Callable[[str], bool] = lambda key: True,
    ) -> None:
        self.table = table
        self.tag = tag
        self.member = member
        self._index: dict[int, tuple[int, set[str]]] = {}  # partition → (version, keys)

    def prefix(self, partition: int) -> str:
        return f"{partition}|{self.tag}|" if self.tag else f"{partition}|"

    def _version(self, partition: int) -> int:
        restores = getattr(self.table, "restores", None)
        return int(restores(partition)) if callable(restores) else 0

    def keys(self, partition: int) -> set[str]:
        """The family's keys of ``partition`` (the live set: callers only read it)."""
        version = self._version(partition)
        known = self._index.get(partition)
        if known is not None and known[0] == version:
            return known[1]
        prefix = self.prefix(partition)
        keys = {k for k in list(self.table) if k.startswith(prefix) and self.member(k)}
        self._index[partition] = (version, keys)
        return keys

    def items(self, partition: int) -> Iterator[tuple[str, Any]]:
        """The family's keys of ``partition`` with their values, in key order."""
        keys = self.keys(partition)
        for key in sorted(keys):
            value = self.table.get(key)
            if value is None:  # gone with the state it was in
                keys.discard(key)
                continue
            yield key, value

    def get(self, key: str) -> Any:
        return self.table.get(key)

    def set(self, partition: int, key: str, value: Any) -> None:
        self.keys(partition).add(key)
        self.table[key] = value

    def delete(self, partition: int, key: str) -> None:
        self.keys(partition).discard(key)
        if key in self.table:
            del self.table[key]
