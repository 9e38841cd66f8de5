"""``radar worker``: run the Faust stream worker (one consumer group; start more to scale out)."""

from __future__ import annotations

import gc
from pathlib import Path

import click

from radar.settings import CoreSettings
from radar.topics import ensure_topics
from streams.sentiment import engine_names
from streams.settings import WorkerSettings


@click.command()
@click.option(
    "--engine",
    type=click.Choice(engine_names()),
    help="Sentiment engine (default: RADAR_WORKER_SENTIMENT_ENGINE)",
)
@click.option(
    "--no-sink",
    is_flag=True,
    help="Do not store events, dead letters and signals (another worker does); "
    "counting still keeps its claims and window counts in the store",
)
@click.option("--metrics-port", type=int, help="Serve Prometheus /metrics on this port")
def worker(engine: str | None, no_sink: bool, metrics_port: int | None) -> None:
    """Score feedback.raw into feedback.scored and write the store, until stopped (Ctrl-C)."""
    from streams.app import create_app
    from streams.group import commit_start_offsets
    from streams.shutdown import RadarWorker

    core = CoreSettings()
    settings = WorkerSettings.load(
        sentiment_engine=engine,
        sink_enabled=False if no_sink else None,
        metrics_port=metrics_port,
    )
    # the internal topic must exist before the worker subscribes, or it is never assigned
    ensure_topics(core, extra=[settings.windows_topic(core.topic_prefix)])
    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port, addr=core.metrics_host)
    app = create_app(core, settings)
    consumed = {name for agent in app.agents.values() for name in agent.channel.topics}
    commit_start_offsets(core.kafka_bootstrap, settings.app_id, consumed)
    # what is loaded now (models, taxonomy, libraries) lives as long as the process: keep it
    # out of the garbage collector's full passes, which otherwise walk it every few seconds
    gc.collect()
    gc.freeze()
    worker = RadarWorker(
        app, loglevel=settings.log_level, shutdown_timeout_s=settings.shutdown_timeout_s
    )
    worker.execute_from_commandline()


@click.group()
def spikes() -> None:
    """The complaint-spike detector over count series, without Kafka."""


@spikes.command("score-csv")
@click.argument(
    "source", metavar="IN", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.argument("target", metavar="OUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--tz",
    help="Time zone of the daily and weekly rhythm (IANA name; default RADAR_TIMEZONE)",
)
def score_csv_command(source: Path, target: Path, tz: str | None) -> None:
    """Score IN (columns timestamp,value) into OUT with an anomaly_score column (0..1).

    Online: each row's score uses only the rows before it and itself. Timestamps
    are ISO 8601 (no zone means UTC) or epoch seconds, in time order. Hours and
    weekdays of the rhythm are those of --tz.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from streams.series import score_csv

    zone = tz or CoreSettings().timezone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"{zone!r} is not an IANA time zone name (such as Asia/Shanghai)"
        raise click.BadParameter(msg, param_hint="--tz") from exc
    rows = score_csv(source, target, tz=zone)
    click.echo(f"scored {rows} rows into {target}", err=True)
