"""Stream state: Faust tables whose keys carry their partition, stored as compact UTF-8 JSON."""

from __future__ import annotations

import json
from typing import Any

import faust
from faust.serializers import codecs

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


class PartitionedTable(faust.Table[str, Any]):
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
        schema=faust.Schema(key_serializer=CODEC, value_serializer=CODEC),
        beacon=app.tables.beacon,
        # its changelog is written with acks=all like every topic: 2 of 3 replicas in sync
        extra_topic_configs=topic_configs(app.conf.topic_replication_factor),
    )
    app.tables.add(table)
    return table
