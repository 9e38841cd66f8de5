"""``radar kafka``: fetch, start, inspect and stop the local broker; create Radar's topics."""

from __future__ import annotations

import json

import click

from radar.broker import fetch_jars, local_broker
from radar.settings import BrokerSettings, CoreSettings
from radar.topics import describe_topics, ensure_topics


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
    """A local single-node Apache Kafka (KRaft) on loopback."""


@kafka.command()
def fetch() -> None:
    """Fetch Kafka's jars from Maven Central into the cache (once), or check KAFKA_HOME."""
    settings = BrokerSettings()
    libs = fetch_jars(settings, quiet=False)
    click.echo(f"Kafka {settings.kafka_version} jars ready in {libs}")


@kafka.command()
@port_option
@controller_option
@click.option("--no-topics", is_flag=True, help="Do not create Radar's topics")
def up(port: int | None, controller_port: int | None, no_topics: bool) -> None:
    """Start the broker and return once it answers; create Radar's topics."""
    core, settings = _settings(port, controller_port)
    broker = local_broker(core, settings)
    if not broker.status().running:
        click.echo(f"starting Kafka {settings.kafka_version} on {broker.bootstrap} ...")
    pid = broker.start()
    if not no_topics:
        created = ensure_topics(core.model_copy(update={"kafka_bootstrap": broker.bootstrap}))
        if created:
            click.echo(f"created topics: {', '.join(created)}")
    click.echo(f"Kafka is up on {broker.bootstrap} (pid {pid}, data {broker.home})")
    if broker.bootstrap != core.kafka_bootstrap:
        click.echo(f"tell the other services: export RADAR_KAFKA_BOOTSTRAP={broker.bootstrap}")


@kafka.command()
@port_option
@controller_option
def down(port: int | None, controller_port: int | None) -> None:
    """Stop the broker cleanly."""
    core, settings = _settings(port, controller_port)
    broker = local_broker(core, settings)
    if broker.stop():
        click.echo("Kafka stopped")
    else:
        click.echo("Kafka was not running")


@kafka.command()
@port_option
@controller_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON")
def status(port: int | None, controller_port: int | None, as_json: bool) -> None:
    """Say where the broker runs and list topics with partition counts."""
    core, settings = _settings(port, controller_port)
    broker = local_broker(core, settings)
    state = broker.status()
    topics = {}
    if state.running:
        topics = describe_topics(core.model_copy(update={"kafka_bootstrap": state.bootstrap}))
    if as_json:
        out = {
            "running": state.running,
            "pid": state.pid,
            "bootstrap": state.bootstrap,
            "data_dir": str(state.data_dir),
            "log_file": str(state.log_file),
            "topics": topics,
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif not state.running:
        click.echo(f"Kafka is not running (would use {state.bootstrap}); start it: radar kafka up")
        raise SystemExit(1)
    else:
        click.echo(f"Kafka runs on {state.bootstrap} (pid {state.pid})")
        click.echo(f"data {state.data_dir}, log {state.log_file}")
        click.echo(f"{len(topics)} topics:")
        for name, partitions in topics.items():
            click.echo(f"  {name:<32} {partitions} partitions")


@kafka.command("topics")
def create_topics() -> None:
    """Create Radar's topics on the configured cluster (RADAR_KAFKA_BOOTSTRAP) if missing."""
    core = CoreSettings()
    created = ensure_topics(core)
    click.echo(f"created: {', '.join(created)}" if created else "all topics exist")
