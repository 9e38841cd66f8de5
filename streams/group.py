"""The worker's consumer group: a committed offset on every partition it reads, before it joins.

Faust restores its tables while the fetcher already runs, then seeks every
stream partition back to its committed offset and drops what was fetched
meanwhile. A partition with *no* committed offset is not sought back, so the
records fetched during the restore are lost to the stream. That happens to a
worker that replaces one killed before its first commit. Committing the
partition's first offset up front (what ``auto_offset_reset="earliest"``
would choose) makes the seek exact, and changes nothing else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.errors import KafkaError, NoError
from kafka.structs import OffsetAndMetadata

from radar.settings import KafkaSecurity

log = logging.getLogger(__name__)


def commit_start_offsets(
    bootstrap: str,
    group: str,
    topics: Iterable[str],
    timeout_s: float = 60.0,
    *,
    security: KafkaSecurity | None = None,
) -> int:
    """Commit the first offset of each partition of ``topics`` that ``group`` has no commit
    for; returns how many were committed. A group with live members refuses (they commit
    for themselves): that is logged and left to them. A coordinator still starting up
    (a new broker) is waited for up to ``timeout_s``."""
    names = sorted(set(topics))
    auth = (security or KafkaSecurity()).kafka_python()
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return _commit_start_offsets(bootstrap, group, names, auth)
        except KafkaError as exc:
            if not exc.retriable or time.monotonic() > deadline:
                raise
            log.info("waiting for the coordinator of group %s: %r", group, exc)
            time.sleep(0.5)


def _commit_start_offsets(
    bootstrap: str, group: str, topics: list[str], auth: dict[str, Any]
) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id=f"{group}-start", **auth)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, **auth)
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        committed = admin.list_group_offsets(group).get(group, {})
        missing = [tp for tp in partitions if tp not in committed or committed[tp].offset < 0]
        if not missing:
            return 0
        starts = consumer.beginning_offsets(missing)
        offsets = {tp: OffsetAndMetadata(starts[tp], "", -1) for tp in missing}
        try:
            results = admin.alter_group_offsets(group, offsets)
        except KafkaError as exc:
            results = dict.fromkeys(missing, exc)
        failed = [tp for tp, error in results.items() if error is not NoError]
        if failed:  # members are live: they commit their own offsets
            log.info("group %s is active: %d start offsets left to its members", group, len(failed))
        done = len(missing) - len(failed)
        log.info("committed the start offsets of %d partitions for group %s", done, group)
        return done
    finally:
        consumer.close()
        admin.close()


__all__ = ["commit_start_offsets"]
