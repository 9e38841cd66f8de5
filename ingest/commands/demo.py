"""``radar ingest demo``: the multi-channel demo feed with scripted incidents."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

from ingest.commands.common import load_settings
from ingest.demo_feed import DemoSettings, run_demo_feed
from ingest.demo_incidents import Incident
from ingest.metrics import serve_metrics
from ingest.service import stop_on_signals
from radar.settings import CoreSettings


def print_incidents(incidents: list[Incident]) -> None:
    click.echo("scripted incidents (UTC):")
    for incident in incidents:
        if incident.type == "unanswered":
            continue
        key = ", ".join(f"{k}={v}" for k, v in incident.key.items())
        end = incident.end.isoformat() if incident.end else "open"
        click.echo(f"  {incident.type:<12} {key:<34} {incident.start.isoformat()} → {end}")
    unanswered = sum(1 for i in incidents if i.type == "unanswered")
    if unanswered:
        click.echo(f"  unanswered   {unanswered} forum threads without a staff reply in 6 h")


@click.command("demo")
@click.option("--seed", type=int, help="Same seed, same feed (default 7)")
@click.option("--days", type=float, help="Days of event time to backfill (default 7)")
@click.option("--per-day", type=float, help="Average customer items a day in the backfill")
@click.option(
    "--rate", type=float, help="Average items a minute once live (default: the history's pace)"
)
@click.option(
    "--incidents",
    "incidents_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the incidents (default <data_dir>/demo_incidents.json)",
)
@click.option(
    "--until",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z"]),
    help="End the backfill here instead of now, e.g. 2026-11-20T08:00+0000",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Labelled cat,label,review CSV to speak with instead of the generated texts",
)
@click.option("--no-follow", is_flag=True, help="Stop after the backfill")
@click.option("--metrics-port", type=int, help="Serve Prometheus /metrics on this port")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON")
def demo_command(
    seed: int | None,
    days: float | None,
    per_day: float | None,
    rate: float | None,
    incidents_path: Path | None,
    until: datetime | None,
    corpus: Path | None,
    no_follow: bool,
    metrics_port: int | None,
    as_json: bool,
) -> None:
    """A realistic multi-channel feed of generated customer texts, with scripted incidents.

    Backfills the last --days of event time (daily and weekly rhythm, staff
    replies after realistic delays), lists the scripted incidents, then keeps
    producing in real time until stopped (Ctrl-C) unless --no-follow. The texts
    are written from the project's own templates; --corpus takes normal
    traffic from a labelled cat,label,review CSV instead.
    """
    settings = load_settings(
        DemoSettings,
        {"metrics_port": metrics_port},
        seed=seed,
        days=days,
        per_day=per_day,
        rate=rate,
        incidents_path=incidents_path,
        until=until,
        corpus=corpus,
    )
    serve_metrics(settings.metrics_port, CoreSettings().metrics_host)
    with stop_on_signals() as stop:
        if as_json:
            result = run_demo_feed(settings, stop_event=stop, follow=not no_follow)
            click.echo(
                json.dumps(
                    {
                        "backfilled": result.backfilled,
                        "live": result.live,
                        "deadletters": result.deadletters,
                        "incidents_path": str(result.incidents_path),
                        "incidents": [i.to_dict() for i in result.incidents],
                    },
                    ensure_ascii=False,
                )
            )
            return
        columns = (
            *Progress.get_default_columns()[:1],
            BarColumn(),
            TaskProgressColumn(),
            TimeRemainingColumn(),
        )
        progress = Progress(*columns, transient=True)
        task = progress.add_task("backfilling hours", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
            if done == total:
                progress.stop()

        def show(incidents: list[Incident]) -> None:
            if progress.finished or stage:
                progress.stop()
                print_incidents(incidents)
                path = settings.incidents_path or CoreSettings().data_dir / "demo_incidents.json"
                click.echo(f"incidents written to {path}")
                if not no_follow:
                    pace = settings.rate if settings.rate is not None else settings.per_day / 1440
                    click.echo(f"live at {pace:g} items a minute; Ctrl-C stops")
            stage.append(True)

        stage: list[bool] = []
        progress.start()
        try:
            result = run_demo_feed(
                settings,
                stop_event=stop,
                follow=not no_follow,
                on_progress=advance,
                on_incidents=show,
            )
        finally:
            progress.stop()
    click.echo(
        f"sent {result.backfilled} backfilled and {result.live} live items "
        f"({result.deadletters} dead letters)"
    )
