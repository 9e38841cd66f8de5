"""Local broker: Apache Kafka (KRaft) on loopback, one node or a cluster, for development."""

from pathlib import Path

from radar.broker.cluster import LocalCluster, existing_cluster
from radar.broker.jars import fetch_jars, jars_ready
from radar.broker.server import BrokerStatus, LocalBroker, broker_answers
from radar.errors import BrokerError
from radar.settings import BrokerSettings, CoreSettings, KafkaSecurity


def local_broker(
    core: CoreSettings | None = None,
    settings: BrokerSettings | None = None,
    security: KafkaSecurity | None = None,
) -> LocalBroker:
    """The broker whose files live under ``<data_dir>/kafka``.

    When Radar's clients are set to SASL_PLAINTEXT with SCRAM
    (``RADAR_KAFKA_*``), the broker takes that user, and no one without it.
    """
    core = core or CoreSettings()
    settings = settings or BrokerSettings()
    return LocalBroker(
        settings, core.data_dir / "kafka", partitions=core.topic_partitions, users=users(security)
    )


def local_cluster(
    brokers: int,
    core: CoreSettings | None = None,
    settings: BrokerSettings | None = None,
    security: KafkaSecurity | None = None,
) -> LocalCluster:
    """The cluster of ``brokers`` nodes whose files live under ``<data_dir>/kafka-cluster``."""
    core = core or CoreSettings()
    return LocalCluster(
        settings or BrokerSettings(),
        cluster_home(core),
        brokers=brokers,
        partitions=core.topic_partitions,
        users=users(security),
    )


def running_cluster(
    core: CoreSettings | None = None,
    settings: BrokerSettings | None = None,
    security: KafkaSecurity | None = None,
) -> LocalCluster | None:
    """The cluster ``radar kafka up --brokers N`` made in this data dir, if it made one."""
    core = core or CoreSettings()
    return existing_cluster(
        settings or BrokerSettings(),
        cluster_home(core),
        partitions=core.topic_partitions,
        users=users(security),
    )


def cluster_home(core: CoreSettings) -> Path:
    return core.data_dir / "kafka-cluster"


def users(security: KafkaSecurity | None = None) -> dict[str, str]:
    """The SASL users the local broker must take for Radar's clients to reach it."""
    security = security or KafkaSecurity()
    if not security.sasl:
        return {}
    if security.tls or security.sasl_mechanism == "PLAIN":
        msg = (
            "the local broker speaks PLAINTEXT or SASL_PLAINTEXT with SCRAM on loopback; "
            "for TLS or SASL PLAIN use a real cluster, or set RADAR_KAFKA_SECURITY_PROTOCOL"
        )
        raise BrokerError(msg)
    password = security.sasl_password.get_secret_value() if security.sasl_password else ""
    return {str(security.sasl_username): password}


__all__ = [
    "BrokerSettings",
    "BrokerStatus",
    "LocalBroker",
    "LocalCluster",
    "broker_answers",
    "fetch_jars",
    "jars_ready",
    "local_broker",
    "local_cluster",
    "running_cluster",
]
