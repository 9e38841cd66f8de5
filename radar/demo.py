"""``radar demo``: the whole system on one machine with a generated feed; Ctrl-C stops it all."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlencode

import click

from radar.broker import fetch_jars, local_broker
from radar.errors import RadarError
from radar.settings import BrokerSettings, CoreSettings
from radar.store import Store
from radar.topics import ensure_topics

RADAR = [sys.executable, "-m", "radar.cli"]


@dataclass
class Services:
    """Child processes the demo started, stopped in reverse order."""

    log_dir: Path
    children: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(
        self, name: str, *args: str, env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [*RADAR, *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches the demo only; it stops children in order
        )
        self.children.append((name, process))
        return process

    def check(self) -> None:
        """Raise if a child died, pointing at its log."""
        for name, process in self.children:
            if process.poll() is not None:
                log = self.log_dir / f"{name}.log"
                msg = f"{name} exited with code {process.returncode}; see {log}"
                raise RadarError(msg)

    def stop(self) -> None:
        for name, process in reversed(self.children):
            if process.poll() is None:
                click.echo(f"stopping {name} ...")
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        self.children.clear()


def wait_until(check: Callable[[], bool], timeout_s: float, what: str, services: Services) -> None:
    """Poll ``check`` each second while the children live; raise after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        services.check()
        if check():
            return
        time.sleep(1)
    msg = f"{what} did not happen within {timeout_s:.0f}s; see the logs in {services.log_dir}"
    raise RadarError(msg)


def dashboard_users() -> tuple[dict[str, str] | None, str | None]:
    """(environment of the dashboard child, the demo admin's password to print).

    With RADAR_DASHBOARD_USERS (or users in the YAML file) set, those users sign
    in and the child inherits the environment. Otherwise the demo makes a user
    ``admin`` with a fresh random password, passed to the dashboard only.
    """
    from dashboard.auth import hash_password
    from dashboard.settings import DashboardSettings

    if DashboardSettings().users:
        return None, None
    password = secrets.token_urlsafe(12)
    users = {"admin": {"role": "admin", "password_hash": hash_password(password)}}
    return {**os.environ, "RADAR_DASHBOARD_USERS": json.dumps(users)}, password


def dashboard_answers(url: str) -> bool:
    try:
        health = f"{url}/_stcore/health"
        with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310 - loopback URL
            return bool(response.status == 200)
    except OSError:
        return False


class Story:
    """What the demo scripted (``demo_incidents.json``) against what Radar opened so far."""

    def __init__(self, store: Store, scripted: Path, url: str) -> None:
        self.store = store
        self.scripted = scripted
        self.url = url
        self.first_seen = False
        self.last: tuple[int, int, int] | None = None

    def incidents(self) -> list[dict[str, Any]]:
        from alerts.incidents import list_incidents

        return [
            {"type": i.type, "signal_keys": i.signal_keys(), "incident": i}
            for i in list_incidents(self.store, status=None, limit=None)
        ]

    def report(self, started: float) -> None:
        """Print the first incident with its link once, then the story's progress as it moves."""
        from ingest.demo_incidents import check_story
        from radar.i18n import Locale

        opened = self.incidents()
        if opened and not self.first_seen:
            self.first_seen = True
            first = min(opened, key=lambda item: item["incident"].opened_at)["incident"]
            title = first.title_in(Locale.from_settings(CoreSettings()))
            click.secho(
                f"\nfirst incident after {time.monotonic() - started:.0f}s: {title}",
                fg="yellow",
                bold=True,
            )
            click.echo(f"  {self.url}/incidents?{urlencode({'incident': first.id})}")
        if not self.scripted.is_file():
            return
        scripted = json.loads(self.scripted.read_text(encoding="utf-8"))
        due = [s for s in scripted if datetime.fromisoformat(s["start"]) <= datetime.now(UTC)]
        check = check_story(due, opened)
        figures = (len(check.found), len(due), len(check.unexplained))
        if figures != self.last:
            self.last = figures
            found, total, other = figures
            click.echo(
                f"  story: {found} of {total} scripted incidents so far found"
                + (f", {other} signals it did not script" if other else "")
            )


@click.command()
@click.option(
    "--rate", type=float, help="Live items a minute (default: the history's pace, about 2)"
)
@click.option(
    "--days", type=float, default=4, show_default=True, help="Days of history to backfill"
)
@click.option("--per-day", type=float, help="Items a day in the backfill (default: the feed's)")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the generated feed")
@click.option("--port", type=int, default=8501, show_default=True, help="Dashboard port")
@click.option("--engine", help="Sentiment engine of the worker (default: the setting)")
@click.option(
    "--workers",
    type=click.IntRange(1, 4),
    default=2,
    show_default=True,
    help="Stream worker processes (they share the partitions; two use both cores of a laptop)",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled cat,label,review CSV for the feed's texts (default: generated texts)",
)
def demo(
    rate: float | None,
    days: float,
    per_day: float | None,
    seed: int,
    port: int,
    engine: str | None,
    workers: int,
    corpus: Path | None,
) -> None:
    """Start Kafka, the worker, the alert service, the dashboard and a generated feed.

    The feed (``radar ingest demo``) backfills --days of multi-channel history
    with scripted incidents (a chat silence, a mailbox outage, a courier-delay
    wave, a product-safety scare, complaints nobody answered), then keeps
    arriving live. Its customers speak with texts generated from the project's
    own templates, or with the reviews of a labelled CSV given with --corpus.
    The demo prints the first incident's link as soon as Radar opens it, and
    how many of the scripted incidents Radar has found.
    """
    started = time.monotonic()
    core = CoreSettings()
    broker_settings = BrokerSettings()
    broker = local_broker(core, broker_settings)
    services = Services(core.data_dir / "logs")
    started_broker = False

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        click.echo(f"[1/5] Kafka {broker_settings.kafka_version} jars ...")
        fetch_jars(broker_settings)
        click.echo(f"[2/5] Kafka broker on {broker.bootstrap} ...")
        started_broker = not broker.status().running
        broker.start()
        if broker.bootstrap != core.kafka_bootstrap:
            msg = (
                f"RADAR_KAFKA_BOOTSTRAP={core.kafka_bootstrap} but the local broker listens on "
                f"{broker.bootstrap}; set both to the same address"
            )
            raise RadarError(msg)
        ensure_topics(core)
        store = Store.from_settings(core)
        click.echo(f"[3/5] stream workers ({workers}), alert service and the feed ...")
        for n in range(1, workers + 1):
            name = "worker" if n == 1 else f"worker-{n}"
            services.start(name, "worker", *(["--engine", engine] if engine else []))
        services.start("alerts", "alerts", "run")
        pace = f"{rate:g} items a minute" if rate is not None else "the same pace"
        feed = ["ingest", "demo", "--seed", str(seed), "--days", str(days)]
        feed += ["--rate", str(rate)] if rate is not None else []
        feed += ["--per-day", str(per_day)] if per_day is not None else []
        feed += ["--corpus", str(corpus.resolve())] if corpus is not None else []
        click.echo(f"  feed: {days:g} days of history, then live at {pace}")
        services.start("feed", *feed)
        click.echo(f"[4/5] dashboard on port {port} ...")
        dashboard_env, admin_password = dashboard_users()
        if admin_password:
            click.secho(f"  sign in as admin / {admin_password}", fg="green", bold=True)
        services.start("dashboard", "dashboard", "--port", str(port), env=dashboard_env)
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: dashboard_answers(url), 90, "the dashboard answering", services)
        click.echo("[5/5] waiting for the first stored events ...")
        wait_until(
            lambda: store.report()["events"]["total"] > 0, 300, "the first stored events", services
        )
        click.secho(f"\nRadar is running: open {url}", fg="green", bold=True)
        if admin_password:
            click.echo(f"sign in as admin / {admin_password}")
        scripted = core.data_dir / "demo_incidents.json"
        click.echo(f"scripted incidents: {scripted}")
        click.echo(f"logs in {services.log_dir}; Ctrl-C stops everything the demo started")
        story = Story(store, scripted, url)
        last = -1
        while True:
            services.check()
            total = store.report()["events"]["total"]
            if total != last:
                click.echo(f"  {total:,} events stored", nl=True)
                last = total
            story.report(started)
            time.sleep(5)
    except KeyboardInterrupt:
        click.echo("\nstopping ...")
    finally:
        # a second Ctrl-C must not leave half the services running
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        services.stop()
        if started_broker:
            with contextlib.suppress(RadarError):
                broker.stop()
                click.echo("Kafka stopped")
