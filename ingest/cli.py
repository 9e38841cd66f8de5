"""``radar ingest``: run a connector once or as a service (one command per connector)."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

from ingest.commands.common import parse_mapping
from ingest.file_source import ingest_file
from ingest.files import FORMATS
from ingest.normalize import Normaliser
from ingest.producer import FeedbackProducer
from radar.events import CHANNELS
from radar.masking import pseudonym_key
from radar.settings import CoreSettings


@click.group()
def ingest() -> None:
    """Bring feedback into Kafka (feedback.raw; rejects to feedback.deadletter)."""


@ingest.command("file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", type=click.Choice(CHANNELS), required=True, help="Channel of the items")
@click.option("--source", help="Source name (default: the file name); part of every event id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Default: from the extension")
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read a contract field from another column, e.g. --map text=review (repeatable)",
)
@click.option("--timezone", default="Asia/Shanghai", show_default=True, help="Zone of naive times")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON")
@click.option("--quiet", is_flag=True, help="No progress bar")
def file_command(
    path: Path,
    channel: str,
    source: str | None,
    fmt: str | None,
    mappings: tuple[str, ...],
    timezone: str,
    as_json: bool,
    quiet: bool,
) -> None:
    """Ingest a CSV or JSON-lines file: valid rows to feedback.raw, others to the dead letters."""
    settings = CoreSettings()
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"--timezone {timezone!r} is not a known time zone (e.g. Asia/Shanghai, UTC)"
        raise click.BadParameter(msg) from exc
    normaliser = Normaliser(
        channel=channel,
        source=source or path.name,
        pseudonym_key=pseudonym_key(settings),
        mapping=parse_mapping(mappings),
        timezone=zone,
    )
    size = path.stat().st_size
    with FeedbackProducer(settings, client_id="radar-ingest-file") as producer:
        if quiet or as_json:
            summary = ingest_file(path, normaliser, producer, fmt=fmt)
        else:
            columns = (
                *Progress.get_default_columns()[:1],
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, transient=False) as progress:
                task = progress.add_task(f"ingesting {path.name}", total=size)
                summary = ingest_file(
                    path,
                    normaliser,
                    producer,
                    fmt=fmt,
                    on_progress=lambda done: progress.update(task, completed=done),
                )
                progress.update(task, completed=size)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    click.echo(
        f"{summary.rows} rows: {summary.events} events to feedback.raw, "
        f"{sum(summary.deadletters.values())} dead letters"
    )
    for reason, count in summary.deadletters.most_common():
        click.echo(f"  {reason}: {count}")


def _register() -> None:
    from ingest.commands.demo import demo_command
    from ingest.commands.pull import chat_command, email_command, forum_command
    from ingest.commands.push import social_command, surveys_command
    from ingest.commands.reviews import reviews_command

    commands = (
        reviews_command,
        surveys_command,
        forum_command,
        social_command,
        email_command,
        chat_command,
        demo_command,
    )
    for command in commands:
        ingest.add_command(command)


_register()

__all__ = ["ingest"]
