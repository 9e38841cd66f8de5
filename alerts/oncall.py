"""``radar alerts incident|silence|notifications``: on-call work from a terminal.

What it prints is in ``RADAR_LANGUAGE``, with times in ``RADAR_TIMEZONE``; the
``--json`` outputs keep codes and ISO times (UTC) for scripts.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from alerts.values import parse_duration, severity_name
from radar.i18n import Locale
from radar.settings import CoreSettings
from radar.store import Store


def _store() -> Store:
    return Store.from_settings(CoreSettings())


def _locale() -> Locale:
    return Locale.from_settings(CoreSettings())


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "on-call"


def duration_option(_ctx: Any, _param: Any, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def when(value: datetime | None, locale: Locale | None = None) -> str:
    """``value`` as local wall-clock time with its zone (``2026-12-07 14:05（北京时间）``)."""
    return (locale or _locale()).time(value)


BY = click.option("--by", default=_user, show_default="your login", help="Who is doing this")


# -- silences --------------------------------------------------------------------------------
@click.group()
def silence() -> None:
    """Mute matching alerts for a while (maintenance, known causes)."""


@silence.command("add")
@click.argument("matchers", nargs=-1, required=True)
@click.option("--for", "duration", callback=duration_option, metavar="DURATION", help="e.g. 2h")
@click.option(
    "--until",
    "until",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    help="End time, in RADAR_TIMEZONE (default Beijing time)",
)
@click.option("--comment", required=True, help="Why (shown to everyone the silence mutes)")
@BY
def silence_add(
    matchers: tuple[str, ...], duration: Any, until: datetime | None, comment: str, by: str
) -> None:
    """Create a silence: MATCHERS like 'region="华东"' 'type=~"spike|crisis"'."""
    from alerts.silences import create_silence

    if duration is None and until is None:
        raise click.UsageError("give --for DURATION or --until TIME")
    locale = _locale()
    ends = until.replace(tzinfo=locale.tz).astimezone(UTC) if until else None
    made = create_silence(
        _store(), list(matchers), created_by=by, comment=comment, duration=duration, ends_at=ends
    )
    click.echo(
        locale.t(
            "alerts.cli.silenced",
            id=made.id,
            matchers=made.describe(),
            until=when(made.ends_at, locale),
        )
    )


@silence.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include expired silences")
@click.option("--json", "as_json", is_flag=True)
def silence_list(show_all: bool, as_json: bool) -> None:
    """Active and pending silences (and expired ones with --all)."""
    from alerts.silences import list_silences

    store = _store()
    now = store.clock.now()
    found = list_silences(store, include_expired=show_all)
    if as_json:
        for s in found:
            click.echo(
                json.dumps(
                    {
                        "id": s.id,
                        "matchers": [str(m) for m in s.matchers],
                        "state": s.state(now),
                        "starts_at": s.starts_at.isoformat(),
                        "ends_at": s.ends_at.isoformat(),
                        "created_by": s.created_by,
                        "comment": s.comment,
                    },
                    ensure_ascii=False,
                )
            )
        return
    locale = _locale()
    if not found:
        click.echo(locale.t("alerts.cli.no_silences"))
    for s in found:
        ended = locale.t("alerts.cli.silence_ended")
        left = locale.duration(s.ends_at - now) if s.ends_at > now else ended
        state = locale.label("silence_state", s.state(now))
        click.echo(f"{s.id}  {state}  {left}  {s.describe()}  ({s.created_by}: {s.comment})")


@silence.command("expire")
@click.argument("silence_id")
@BY
def silence_expire(silence_id: str, by: str) -> None:
    """End a silence now."""
    from alerts.silences import expire_silence

    done = expire_silence(_store(), silence_id, by)
    locale = _locale()
    click.echo(locale.t("alerts.cli.silence_expired", id=done.id, at=when(done.ends_at, locale)))


# -- incidents -------------------------------------------------------------------------------
@click.group()
def incident() -> None:
    """Work incidents: list, show, acknowledge, assign, note, tick playbook steps, resolve."""


@incident.command("list")
@click.option(
    "--status",
    type=click.Choice(["open", "acknowledged", "resolved", "all"]),
    default="open",
    show_default=True,
    help="open = open or acknowledged",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object a line: the incident with the keys of the signals it holds",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (default: all)")
def incident_list(status: str, as_json: bool, limit: int | None) -> None:
    """Incidents, newest first."""
    from alerts.incidents import list_incidents

    found = list_incidents(_store(), status=None if status == "all" else status, limit=limit)
    if as_json:
        for item in found:
            record = {**item.to_record(), "signal_keys": item.signal_keys()}
            click.echo(json.dumps(record, ensure_ascii=False))
        return
    locale = _locale()
    if not found:
        click.echo(
            locale.t("alerts.cli.no_incidents_status", status=locale.label("status", status))
            if status != "all"
            else locale.t("alerts.cli.no_incidents")
        )
    for item in found:
        severity = locale.label("severity_name", severity_name(item.severity))
        click.echo(
            f"{item.id}  {locale.label('status', item.status)}  {severity}  "
            f"{when(item.opened_at, locale)}  {item.owner or '-'}  {item.title_in(locale)}"
        )


@incident.command("show")
@click.argument("incident_id")
def incident_show(incident_id: str) -> None:
    """An incident with its checklist and timeline."""
    from alerts.incidents import checklist, get_incident, timeline

    store, locale = _store(), _locale()
    item = get_incident(store, incident_id)
    status = locale.label("status", item.status)
    click.secho(f"{item.id} [{status}] {item.title_in(locale)}", bold=True)
    click.echo(
        locale.t(
            "alerts.cli.show_line",
            type=locale.label("signal", item.type),
            severity=locale.label("severity_name", severity_name(item.severity)),
            owner=item.owner or "-",
            opened=when(item.opened_at, locale),
        )
    )
    click.echo(locale.t("alerts.cli.checklist"))
    for step in checklist(store, incident_id):
        area = locale.label("area", step.area)
        click.echo(f"  {step.step}. [{'x' if step.done else ' '}] {area}: {step.text_in(locale)}")
    click.echo(locale.t("alerts.cli.timeline"))
    for event in timeline(store, incident_id):
        click.echo(f"  {locale.clock(event.at)}  {event.actor:<10} {event.text(locale)}")


@incident.command("ack")
@click.argument("incident_id")
@click.option("--note", help="What you are doing about it")
@BY
def incident_ack(incident_id: str, note: str | None, by: str) -> None:
    """Acknowledge: you are on it (stops escalation and reminders)."""
    from alerts.incidents import acknowledge

    done = acknowledge(_store(), incident_id, by, note)
    click.echo(
        _locale().t(
            "alerts.cli.acknowledged", id=done.id, user=done.acknowledged_by, owner=done.owner
        )
    )


@incident.command("resolve")
@click.argument("incident_id")
@click.option("--note", help="Cause and remedy, for the summary")
@BY
def incident_resolve(incident_id: str, note: str | None, by: str) -> None:
    """Resolve: the receivers that were told get a resolved message."""
    from alerts.incidents import resolve

    done = resolve(_store(), incident_id, by, note)
    click.echo(_locale().t("alerts.cli.resolved", id=done.id, user=done.resolved_by))


@incident.command("assign")
@click.argument("incident_id")
@click.argument("owner")
@BY
def incident_assign(incident_id: str, owner: str, by: str) -> None:
    """Make OWNER responsible for the incident."""
    from alerts.incidents import assign

    done = assign(_store(), incident_id, owner, by)
    click.echo(_locale().t("alerts.cli.assigned", id=done.id, owner=done.owner))


@incident.command("note")
@click.argument("incident_id")
@click.argument("text")
@BY
def incident_note(incident_id: str, text: str, by: str) -> None:
    """Add a note (status update, customer message, finding) to the timeline."""
    from alerts.incidents import add_note

    add_note(_store(), incident_id, by, text)
    click.echo(_locale().t("alerts.cli.noted", id=incident_id))


@incident.command("check")
@click.argument("incident_id")
@click.argument("step", type=int)
@click.option("--undo", is_flag=True, help="Mark the step as not done")
@BY
def incident_check(incident_id: str, step: int, undo: bool, by: str) -> None:
    """Tick playbook STEP (numbered as `incident show` lists them)."""
    from alerts.incidents import set_step

    set_step(_store(), incident_id, step, by, done=not undo)
    key = "alerts.cli.step_undone" if undo else "alerts.cli.step_done"
    click.echo(_locale().t(key, id=incident_id, step=step))


@incident.command("summary")
@click.argument("incident_id")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file")
def incident_summary(incident_id: str, out: Path | None) -> None:
    """The post-incident summary in Markdown."""
    from alerts.summary import incident_summary as summarise

    locale = _locale()
    text = summarise(_store(), incident_id, locale)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(locale.t("alerts.cli.wrote", path=out))


@click.command()
@click.option("--incident", "incident_id", help="Only this incident's notifications")
@click.option("--json", "as_json", is_flag=True)
def notifications(incident_id: str | None, as_json: bool) -> None:
    """What was sent (or is waiting to be sent) to whom."""
    from alerts.nflog import NotificationLog

    log = NotificationLog(_store())
    entries = log.for_incident(incident_id) if incident_id else log.all()
    locale = _locale()
    for e in entries:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "id": e.id,
                        "incident": e.incident_id,
                        "receiver": e.receiver,
                        "kind": e.kind,
                        "status": e.status,
                        "attempts": e.attempts,
                        "created_at": e.created_at.isoformat(),
                        "sent_at": e.sent_at.isoformat() if e.sent_at else None,
                        "error": e.last_error,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            status = locale.label("notification_status", e.status)
            kind = locale.label("notification_kind", e.kind)
            click.echo(
                f"{locale.clock(e.created_at)}  {status}  {kind}  {e.receiver}  "
                f"{e.incident_id or '-'}  {e.last_error or e.answer or ''}"
            )


__all__ = ["incident", "notifications", "silence"]
