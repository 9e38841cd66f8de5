"""Connectors: the shell around a connector run from the CLI (signals, metrics, progress)."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from typing import Any

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

from ingest.base import PullConnector
from ingest.checkpoint import CheckpointStore
from ingest.emitter import Emitter, make_dedupe
from ingest.metrics import serve_metrics
from ingest.producer import FeedbackProducer
from ingest.runner import Runner, RunSummary
from ingest.settings import ConnectorSettings
from radar.settings import CoreSettings
from radar.topics import ensure_topics

log = logging.getLogger(__name__)


def checkpoints_for(core: CoreSettings) -> CheckpointStore:
    """The checkpoint folder of this deployment (``<data_dir>/checkpoints``)."""
    return CheckpointStore(core.data_dir / "checkpoints")


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT, so a service finishes its batch and exits cleanly."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s; finishing the current batch", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_pull(
    make_connector: Callable[[CoreSettings], PullConnector],
    settings: ConnectorSettings,
    *,
    follow: bool,
    quiet: bool = False,
    as_json: bool = False,
) -> RunSummary:
    """Run a pull connector once or until stopped, and print what it did."""
    core = CoreSettings()
    ensure_topics(core)
    connector = make_connector(core)
    serve_metrics(settings.metrics_port, core.metrics_host)
    with (
        stop_on_signals() as stop,
        FeedbackProducer(core, client_id=f"radar-ingest-{connector.name}") as producer,
    ):
        emitter = Emitter(producer, connector.normaliser, dedupe=make_dedupe(core, settings))
        runner = Runner(connector, emitter, checkpoints_for(core), settings, stop=stop)
        if quiet or as_json:
            summary = runner.run(follow=follow)
        else:
            columns = (
                *Progress.get_default_columns()[:1],
                BarColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, transient=follow) as progress:
                task = progress.add_task(f"{connector.name} {connector.source}", total=None)
                runner.on_progress = lambda done, total: progress.update(
                    task, completed=done, total=total or None
                )
                summary = runner.run(follow=follow)
    print_summary(summary, as_json=as_json)
    return summary


def print_summary(summary: RunSummary, *, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    click.echo(
        f"{summary.records} records: {summary.events} events to feedback.raw "
        f"({summary.duplicates} flagged as likely duplicates), "
        f"{sum(summary.deadletters.values())} dead letters"
    )
    for reason, count in summary.deadletters.most_common():
        click.echo(f"  {reason}: {count}")
