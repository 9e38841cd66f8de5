"""The alert service's consumer loop: a signal it cannot apply never stalls its partition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from alerts.service import AlertService
from radar.settings import CoreSettings
from radar.store.writes import WriteAttempts
from tests.unit.alerts.conftest import START, make_signal


class Partition:
    topic, partition = "feedback.signals", 0


class Record:
    def __init__(self, offset: int, value: bytes) -> None:
        self.offset, self.value = offset, value


class Consumer:
    def __init__(self) -> None:
        self.commits: list[int] = []
        self.seeks: list[int] = []

    def commit(self, offsets: dict[Any, Any]) -> None:
        self.commits += [meta.offset for meta in offsets.values()]

    def seek(self, partition: Any, offset: int) -> None:
        self.seeks.append(offset)


class Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def send(self, topic: str, *, key: bytes, value: bytes) -> None:
        self.sent.append((topic, json.loads(value)))

    def flush(self, timeout: float) -> None:
        pass


@pytest.fixture
def service(tmp_path: Path) -> AlertService:
    core = CoreSettings(data_dir=tmp_path, store_url=f"sqlite:///{tmp_path / 'radar.db'}")
    made = AlertService(core)
    made._stop.wait = lambda timeout=None: False  # type: ignore[method-assign]
    return made


def test_a_signal_refused_every_time_is_dead_lettered_and_the_partition_goes_on(
    service: AlertService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(signal: Any) -> Any:
        raise ValueError("a bug meeting one odd signal")

    monkeypatch.setattr(service.pipeline, "handle", refuse)
    consumer, producer = Consumer(), Producer()
    value = make_signal("odd", at=START).to_json()
    for _ in range(WriteAttempts("x").poison_after):
        service._consume(consumer, producer, {Partition(): [Record(7, value)]})
    assert consumer.seeks == [7, 7]  # tried again twice, then set aside
    assert consumer.commits == [8]
    ((topic, letter),) = producer.sent
    assert topic.endswith("deadletter") and letter["reason"] == "unprocessable"
    assert "a bug meeting one odd signal" in letter["message"]


def test_a_store_away_is_waited_for_however_long(
    service: AlertService, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def locked(signal: Any) -> Any:
        calls.append(signal.id)
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    monkeypatch.setattr(service.pipeline, "handle", locked)
    consumer, producer = Consumer(), Producer()
    value = make_signal("s", at=START).to_json()
    for _ in range(10):
        service._consume(consumer, producer, {Partition(): [Record(3, value)]})
    assert len(calls) == 10 and consumer.seeks == [3] * 10
    assert consumer.commits == [] and producer.sent == []
