"""Stream state: a partition kept through a rebalance is not restored over newer state."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from faust.types import TP

from streams.state import KeyFamily
from streams.tables import KeptPartitionStore, PartitionedTable, partitioned_table


def changelog_event(partition: int, offset: int, key: str, value: Any) -> Any:
    """A changelog record as Faust's recovery hands it to the store."""
    message = SimpleNamespace(partition=partition, offset=offset, value=value)
    return SimpleNamespace(key=key, value=value, message=message)


class TestKeptPartitionStore:
    @pytest.fixture
    def table(self, monkeypatch: pytest.MonkeyPatch) -> PartitionedTable:
        app = faust.App("test-tables", store="memory://")
        return partitioned_table(app, "detection", 4)

    def rebalance(
        self, table: PartitionedTable, monkeypatch: pytest.MonkeyPatch, active: set[int]
    ) -> KeptPartitionStore:
        """A new assignment: ``active`` partitions of the table's changelog are this worker's."""
        topic = table.changelog_topic.get_topic_name()
        tps = {TP(topic, p) for p in active}
        monkeypatch.setattr(table.app.assignor, "assigned_actives", lambda: tps)
        store = table.data
        assert isinstance(store, KeptPartitionStore)
        asyncio.run(store.on_rebalance(tps, set(), set(), 1))
        return store

    def test_a_kept_partition_is_not_restored_over_what_the_worker_wrote_since(
        self, table: PartitionedTable, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        topic = table.changelog_topic.get_topic_name()
        store = self.rebalance(table, monkeypatch, {2})
        store.data["2|clock"] = {"horizon": 300}  # the worker's latest write
        store.set_persisted_offset(TP(topic, 2), 41)
        store = self.rebalance(table, monkeypatch, {2, 3})  # another worker left
        # Faust reads partition 2 again from its first recovery: older records come back
        assert store.persisted_offset(TP(topic, 2)) == 41
        assert store.persisted_offset(TP(topic, 3)) is None  # new here: read whole
        older = [
            changelog_event(2, 7, "2|clock", {"horizon": 100}),
            changelog_event(2, 8, "2|w|5m|100|1|overall", {"n": 3}),
            changelog_event(3, 5, "3|clock", {"horizon": 200}),
        ]
        store.apply_changelog_batch(older, lambda k: k, lambda v: v)
        assert store.data["2|clock"] == {"horizon": 300}
        assert "2|w|5m|100|1|overall" not in store.data  # forgotten stays forgotten
        assert store.data["3|clock"] == {"horizon": 200}

    def test_a_partition_lost_is_forgotten_and_restored_whole_when_it_comes_back(
        self, table: PartitionedTable, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        topic = table.changelog_topic.get_topic_name()
        store = self.rebalance(table, monkeypatch, {1, 2})
        store.data["1|clock"] = {"horizon": 100}
        store.set_persisted_offset(TP(topic, 1), 9)
        store = self.rebalance(table, monkeypatch, {2})
        assert "1|clock" not in store.data
        store = self.rebalance(table, monkeypatch, {1, 2})
        assert store.persisted_offset(TP(topic, 1)) is None
        later = [changelog_event(1, 12, "1|clock", {"horizon": 500})]
        store.apply_changelog_batch(later, lambda k: k, lambda v: v)
        assert store.data["1|clock"] == {"horizon": 500}

    def test_an_index_of_keys_is_rebuilt_after_a_restore_and_only_then(
        self, table: PartitionedTable, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        store = self.rebalance(table, monkeypatch, {2})
        store.data["2|t|a"] = {"n": 1}
        threads = KeyFamily(table, "t")
        assert threads.keys(2) == {"2|t|a"}
        restores = table.restores(2), table.restores(3)
        store = self.rebalance(table, monkeypatch, {2, 3})  # 2 kept: its index stands
        assert table.restores(2) == restores[0] and threads.keys(2) == {"2|t|a"}
        assert table.restores(3) > restores[1]  # 3 is new here: restored from its changelog
        assert threads.keys(3) == set()
        written_elsewhere = [changelog_event(3, 4, "3|t|b", {"n": 2})]
        store.apply_changelog_batch(written_elsewhere, lambda k: k, lambda v: v)

        assert threads.keys(3) == {"3|t|b"}
