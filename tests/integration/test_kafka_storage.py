"""Kafka's own storage tool formats the local broker's log dir, whatever id it gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.broker import LocalBroker
from radar.settings import BrokerSettings
from tests.integration.conftest import ROOT
from tests.ports import free_port

pytestmark = pytest.mark.integration


def test_a_cluster_id_beginning_with_a_dash_is_formatted(tmp_path: Path) -> None:
    # a random id begins with "-" once in 64 draws; Kafka's tool once read it as an option
    settings = BrokerSettings(
        port=free_port(), controller_port=free_port(), cache_dir=ROOT / ".cache" / "kafka"
    )
    broker = LocalBroker(settings, tmp_path / "kafka", cluster_id="-dashFirst0123456789ab")
    broker.write_config()
    broker.format_storage()
    meta = (broker.log_dir / "meta.properties").read_text(encoding="utf-8")
    assert "cluster.id=-dashFirst0123456789ab" in meta.splitlines()
