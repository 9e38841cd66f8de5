"""Key families: a partition's keys of one family without a scan of the whole table."""

from __future__ import annotations

from typing import Any

from streams.state import KeyFamily, PartKey, part_key


class CountingReads(dict[str, Any]):
    """A table that counts how often it is walked key by key."""

    walks = 0

    def __iter__(self) -> Any:
        self.walks += 1
        return super().__iter__()


def test_a_part_key_reads_back() -> None:
    key = PartKey(2, "5m", 1_000, 3, "topic=物流配送|region=华东")
    assert key.encode() == "2|w|5m|1000|3|topic=物流配送|region=华东"
    assert PartKey.decode(key.encode()) == key
    assert part_key(2, "5m", 1_000, 3, "overall") == "2|w|5m|1000|3|overall"


def test_the_index_is_built_once_then_kept_by_the_writes() -> None:
    table = CountingReads({"0|w|5m|0|0|overall": {"n": 1}, "0|clock": {}, "1|w|5m|0|0|overall": 1})
    parts = KeyFamily(table, "w")

    assert parts.keys(0) == {"0|w|5m|0|0|overall"}
    parts.set(0, "0|w|5m|300000|0|overall", {"n": 2})
    parts.delete(0, "0|w|5m|0|0|overall")
    assert parts.keys(0) == {"0|w|5m|300000|0|overall"}
    assert [k for k, _ in parts.items(0)] == ["0|w|5m|300000|0|overall"]
    assert table.walks == 1  # one walk to build partition 0's index, none after
    assert "0|w|5m|0|0|overall" not in table and "1|w|5m|0|0|overall" in table


class RestoredTable(dict[str, Any]):
    """A worker table whose partitions can be restored from outside the agents."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.restored: dict[int, int] = {}

    def restores(self, partition: int) -> int:
        return self.restored.get(partition, 0)


def test_a_partition_restored_from_its_changelog_is_indexed_again() -> None:
    table = RestoredTable({"0|t|a": {}, "1|t|x": {}})
    threads = KeyFamily(table, "t")
    assert threads.keys(0) == {"0|t|a"} and threads.keys(1) == {"1|t|x"}
    table["0|t|b"] = {}  # written by another worker, restored here from the changelog
    table.restored[0] = 1

    assert threads.keys(0) == {"0|t|a", "0|t|b"}
    table["1|t|y"] = {}  # not restored: the index of partition 1 stands
    assert threads.keys(1) == {"1|t|x"}


def test_members_leave_out_other_records_under_the_prefix() -> None:
    table = {"0|5m|0|overall": {"n": 1}, "0|wm": {"wm": 5}, "1|5m|0|overall": {"n": 2}}
    cells = KeyFamily(table, "", member=lambda key: not key.endswith("|wm"))

    assert cells.keys(0) == {"0|5m|0|overall"}  # not the progress record
