"""``radar kafka``: fetch, start, inspect and stop the local broker or cluster; create topics."""

from __future__ import annotations

import json
from typing import Any

import click

from radar.broker import BrokerStatus, fetch_jars, local_broker, local_cluster, running_cluster
from radar.broker.cluster import MAX_BROKERS
from radar.settings import BrokerSettings, CoreSettings
from radar.topics import describe_topics, ensure_topics, min_insync_replicas


def _settings(port: int | None, controller_port: int | None) -> tuple[CoreSettings, BrokerSettings]:
    broker = BrokerSettings.load(port=port, controller_port=controller_port)
    core = CoreSettings()
    if port is not None:
        core = core.model_copy(update={"kafka_bootstrap": f"{broker.host}:{broker.port}"})
    return core, broker


port_option = click.option("--port", type=int, help="Client port (default RADAR_BROKER_PORT, 9092)")
controller_option = click.option(
    "--controller-port", type=int, help="KRaft controller port (default 9093)"
)


@click.group()
def kafka() -> None:
    """A local Apache Kafka (KRaft) on loopback: one node, or a cluster with --brokers."""


@kafka.command()
def fetch() -> None:
    """Fetch Kafka's jars from Maven Central into the cache (once), or check KAFKA_HOME."""
    settings = BrokerSettings()
    libs = fetch_jars(settings, quiet=False)
    click.echo(f"Kafka {settings.kafka_version} jars ready in {libs}")


@kafka.command()
@port_option
@controller_option
@click.option(
    "--brokers",
    type=click.IntRange(1, MAX_BROKERS),
    default=1,
    show_default=True,
    help="Nodes (each broker and controller); node i listens on the ports + 2i",
)
@click.option("--no-topics", is_flag=True, help="Do not create Radar's topics")
def up(port: int | None, controller_port: int | None, brokers: int, no_topics: bool) -> None:
    """Start the broker (or a cluster) and return once it answers; create Radar's topics.

    With --brokers 3 topics are replicated to three nodes and want two in sync, so one
    node may stop without losing a record.
    """
    core, settings = _settings(port, controller_port)
    if brokers == 1:
        broker = local_broker(core, settings)
        if not broker.status().running:
            click.echo(f"starting Kafka {settings.kafka_version} on {broker.bootstrap} ...")
        pid = broker.start()
        bootstrap, replication, started = broker.bootstrap, core.topic_replication, f"pid {pid}"
        where = broker.home
    else:
        cluster = local_cluster(brokers, core, settings)
        if not all(state.running for state in cluster.status()):
            nodes = ", ".join(node.bootstrap for node in cluster.nodes)
            click.echo(f"starting a Kafka {settings.kafka_version} cluster on {nodes} ...")
        pids = cluster.start()
        bootstrap, replication = cluster.bootstrap, max(core.topic_replication, cluster.replication)
        started, where = "pids " + ", ".join(map(str, pids)), cluster.home
    if not no_topics:
        created = ensure_topics(
            core.model_copy(update={"kafka_bootstrap": bootstrap, "topic_replication": replication})
        )
        if created:
            click.echo(
                f"created topics: {', '.join(created)} (replication {replication}, "
                f"min.insync.replicas {min_insync_replicas(replication)})"
            )
    click.echo(f"Kafka is up on {bootstrap} ({started}, data {where})")
    exports = []
    if bootstrap != core.kafka_bootstrap:
        exports.append(f"RADAR_KAFKA_BOOTSTRAP={bootstrap}")
    if replication != core.topic_replication:
        exports.append(f"RADAR_TOPIC_REPLICATION={replication}")
    if exports:
        click.echo(f"tell the other services: export {' '.join(exports)}")


@kafka.command()
@port_option
@controller_option
def down(port: int | None, controller_port: int | None) -> None:
    """Stop the broker, and the cluster made with --brokers, cleanly."""
    core, settings = _settings(port, controller_port)
    stopped = local_broker(core, settings).stop()
    cluster = running_cluster(core, settings)
    if cluster is not None:
        stopped = cluster.stop() or stopped
    click.echo("Kafka stopped" if stopped else "Kafka was not running")


@kafka.command()
@port_option
@controller_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON")
def status(port: int | None, controller_port: int | None, as_json: bool) -> None:
    """Say where the broker (or each node of the cluster) runs; list topics with partitions."""
    core, settings = _settings(port, controller_port)
    cluster = running_cluster(core, settings)
    if cluster is not None and any(state.running for state in cluster.status()):
        states = cluster.status()
        bootstrap = ",".join(state.bootstrap for state in states if state.running)
    else:
        states = [local_broker(core, settings).status()]
        bootstrap = states[0].bootstrap
    running = any(state.running for state in states)
    topics = {}
    if running:
        topics = describe_topics(core.model_copy(update={"kafka_bootstrap": bootstrap}))
    if as_json:
        out: dict[str, Any] = {**_state(states[0]), "running": running, "bootstrap": bootstrap}
        if cluster is not None and len(states) > 1:
            out["nodes"] = [_state(state) for state in states]
        out["topics"] = topics
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif not running:
        click.echo(f"Kafka is not running (would use {bootstrap}); start it: radar kafka up")
        raise SystemExit(1)
    else:
        for node, state in enumerate(states, start=1):
            name = f"node {node} " if len(states) > 1 else ""
            if not state.running:
                click.echo(f"Kafka {name}is down (would use {state.bootstrap})")
                continue
            click.echo(f"Kafka {name}runs on {state.bootstrap} (pid {state.pid})")
            click.echo(f"data {state.data_dir}, log {state.log_file}")
        click.echo(f"{len(topics)} topics:")
        for name, partitions in topics.items():
            click.echo(f"  {name:<32} {partitions} partitions")


def _state(state: BrokerStatus) -> dict[str, Any]:
    return {
        "running": state.running,
        "pid": state.pid,
        "bootstrap": state.bootstrap,
        "data_dir": str(state.data_dir),
        "log_file": str(state.log_file),
    }


@kafka.command("topics")
def create_topics() -> None:
    """Create Radar's topics on the configured cluster (RADAR_KAFKA_BOOTSTRAP) if missing."""
    core = CoreSettings()
    created = ensure_topics(core)
    click.echo(f"created: {', '.join(created)}" if created else "all topics exist")
