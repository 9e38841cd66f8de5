"""``radar report``: a summary of what the store holds, for scripts and on-call."""

from __future__ import annotations

import json

import click

from radar.settings import CoreSettings
from radar.store import Store


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts)")
def report(as_json: bool) -> None:
    """Events by channel, complaints, dead letters by reason and open incidents."""
    summary = Store.from_settings(CoreSettings()).report()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True))
        return
    events, letters = summary["events"], summary["deadletter"]
    click.echo(f"events: {events['total']}")
    for channel, count in events["by_channel"].items():
        click.echo(f"  {channel:<8} {count}")
    click.echo(f"complaints: {summary['complaints']}")
    click.echo(f"dead letters: {letters['total']}")
    for reason, count in letters["by_reason"].items():
        click.echo(f"  {reason:<16} {count}")
    click.echo(f"open incidents: {summary['incidents']['open']}")
