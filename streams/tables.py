"""Stream state: Faust tables whose keys carry their partition, so batches may mix partitions."""

from __future__ import annotations

from typing import Any

import faust


class PartitionedTable(faust.Table):
    """A table whose key starts with ``"{partition}|"``: its changelog goes to that partition.

    Faust normally takes the partition from the event being processed, which a
    batch (``take_events``) does not have; our keys say it themselves, so the
    state of partition *p* is recovered by whichever worker owns *p*.
    """

    def partition_for_key(self, key: Any) -> int | None:
        return int(str(key).split("|", 1)[0])


def partitioned_table(app: faust.App, name: str, partitions: int) -> PartitionedTable:
    table = PartitionedTable(
        app,
        name=name,
        partitions=partitions,
        schema=faust.Schema(key_serializer="json", value_serializer="json"),
        beacon=app.tables.beacon,
    )
    app.tables.add(table)
    return table
