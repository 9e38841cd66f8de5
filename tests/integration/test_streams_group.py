"""The worker's group gets a committed start offset on every partition it reads, before joining."""

from __future__ import annotations

from kafka import KafkaAdminClient, KafkaProducer

from streams.group import commit_start_offsets
from tests.integration.conftest import Pipeline


def test_start_offsets_are_committed_once_for_partitions_without_a_commit(
    pipeline: Pipeline,
) -> None:
    raw = pipeline.topics.raw
    producer = KafkaProducer(bootstrap_servers=pipeline.bootstrap)
    for n in range(12):
        producer.send(raw, key=f"k{n}".encode(), value=b"{}")
    producer.flush()
    producer.close()
    group = f"group-{pipeline.settings.topic_prefix}"
    partitions = pipeline.settings.topic_partitions

    assert commit_start_offsets(pipeline.bootstrap, group, [raw]) == partitions
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    try:
        committed = admin.list_group_offsets(group).get(group, {})
    finally:
        admin.close()
    starts = {tp.partition: meta.offset for tp, meta in committed.items() if tp.topic == raw}
    # the first offset of each partition: nothing read, nothing skipped
    assert starts == dict.fromkeys(range(partitions), 0)
    assert pipeline.lag(group) == 12  # every record still ahead of the group
    assert commit_start_offsets(pipeline.bootstrap, group, [raw]) == 0  # nothing left to do
