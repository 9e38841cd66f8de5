"""Caught-up partitions: counted and sent to the end, or empty; a taken-over one waits."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import pytest

from streams.progress import caught_up


def test_a_partition_is_caught_up_when_everything_was_sent() -> None:
    status = caught_up(
        [0, 1],
        sent={0: 10, 1: 7},
        ends={0: 10, 1: 9},
        starts={0: 0, 1: 0},
        counted_next={0: 10, 1: 9},
    )
    assert status == {0: True, 1: False}  # partition 1 counted 9 but sent only up to 7


def test_an_empty_partition_never_counted_is_caught_up() -> None:
    status = caught_up(
        [2, 3], sent={}, ends={2: 0, 3: 5}, starts={2: 0, 3: 5}, counted_next={2: None, 3: None}
    )
    assert status == {2: True, 3: True}  # 3 had records once; they are gone by retention


def test_a_partition_with_records_nobody_counted_yet_is_not() -> None:
    status = caught_up([0], sent={}, ends={0: 5}, starts={0: 0}, counted_next={0: None})
    assert status == {0: False}


def test_a_taken_over_partition_waits_until_its_cells_were_sent_again() -> None:
    status = caught_up([1], sent={}, ends={1: 9}, starts={1: 0}, counted_next={1: 9})
    assert status == {1: False}


class SlowClient:
    """A Kafka client whose start takes a while; records how many were made and started."""

    made: ClassVar[list[SlowClient]] = []

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.started = self.stopped = False
        SlowClient.made.append(self)

    async def start(self) -> None:
        await asyncio.sleep(0.05)
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    close = stop


def test_one_offsets_reader_serves_every_agent_with_clients_made_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import streams.progress as progress

    monkeypatch.setattr(progress, "AIOKafkaAdminClient", SlowClient)
    monkeypatch.setattr(progress, "AIOKafkaConsumer", SlowClient)
    SlowClient.made = []
    offsets = progress.Offsets("127.0.0.1:9")

    async def scenario() -> list[tuple[object, object]]:
        asked = await asyncio.gather(*(offsets._clients() for _ in range(5)))
        await offsets.close()
        with pytest.raises(ConnectionError):  # stopping: no new clients nobody would close
            await offsets._clients()
        return list(asked)

    asked = asyncio.run(scenario())
    assert len(SlowClient.made) == 2  # one admin client, one consumer, for all five callers
    assert all(a.started and c.started for a, c in asked)  # none used before it started
    assert all(client.stopped for client in SlowClient.made)
