"""Local broker: Apache Kafka (KRaft, single node) on loopback for development, demos and tests."""

from radar.broker.jars import fetch_jars, jars_ready
from radar.broker.server import BrokerStatus, LocalBroker, broker_answers
from radar.settings import BrokerSettings, CoreSettings


def local_broker(
    core: CoreSettings | None = None, settings: BrokerSettings | None = None
) -> LocalBroker:
    """The broker whose files live under ``<data_dir>/kafka``."""
    core = core or CoreSettings()
    settings = settings or BrokerSettings()
    return LocalBroker(settings, core.data_dir / "kafka", partitions=core.topic_partitions)


__all__ = [
    "BrokerSettings",
    "BrokerStatus",
    "LocalBroker",
    "broker_answers",
    "fetch_jars",
    "jars_ready",
    "local_broker",
]
