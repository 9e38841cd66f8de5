"""``radar store``: retention (``prune``) and erasure of one customer (``forget``)."""

from __future__ import annotations

import getpass
import json

import click

from radar.errors import ConfigError
from radar.i18n import Locale
from radar.settings import CoreSettings


@click.group()
def store() -> None:
    """Keep the store within the law: retention of customer texts, erasure of one customer."""


@store.command()
@click.option("--days", type=click.IntRange(min=1), help="Retention in days (RADAR_RETENTION_DAYS)")
@click.option("--json", "as_json", is_flag=True, help="Print what was removed as JSON")
def prune(days: int | None, as_json: bool) -> None:
    """Empty customer texts and delete samples and dead letters older than the retention.

    Counts stay: messages keep channel, time, product, topics, sentiment and ratings.
    Run it daily (cron, a systemd timer), or keep `radar digest run` running.
    """
    from radar.store import Store
    from radar.store.retention import prune as apply

    core = CoreSettings()
    locale = Locale.from_settings(core)
    wanted = days or core.retention_days
    if wanted is None:
        raise ConfigError(locale.t("store.no_retention"))
    done = apply(Store.from_settings(core), wanted)
    if as_json:
        click.echo(json.dumps(done.as_dict(), ensure_ascii=False))
        return
    click.echo(
        locale.t(
            "store.pruned",
            days=wanted,
            cutoff=locale.time(done.cutoff),
            events=done.events_redacted,
            texts=done.text_samples,
            letters=done.deadletters,
            samples=done.signal_samples
            + done.alert_samples
            + done.incident_samples
            + done.notification_samples,
        )
    )


@store.command()
@click.option("--author", "authors", multiple=True, help="The customer's name or u_… pseudonym")
@click.option("--external-id", "external_ids", multiple=True, help="The source's id of a message")
@click.option("--by", help="Who asks for the erasure (the audit log); default: this user")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@click.option("--json", "as_json", is_flag=True, help="Print what was erased as JSON")
def forget(
    authors: tuple[str, ...],
    external_ids: tuple[str, ...],
    by: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Erase one customer's messages everywhere Radar keeps them (PIPL), and record it."""
    from radar.masking import pseudonym_key
    from radar.store import Store
    from radar.store.erasure import forget as erase

    core = CoreSettings()
    locale = Locale.from_settings(core)
    if not authors and not external_ids:
        raise click.UsageError(locale.t("store.name_the_customer"))
    who = "、".join([*authors, *external_ids])
    if not yes:
        click.confirm(locale.t("store.confirm_forget", who=who), abort=True)
    done = erase(
        Store.from_settings(core),
        authors=authors,
        external_ids=external_ids,
        key=pseudonym_key(core),
        by=by or getpass.getuser(),
        data_dir=core.data_dir,
    )
    if as_json:
        click.echo(json.dumps(done.as_dict(), ensure_ascii=False))
        return
    click.echo(
        locale.t(
            "store.forgotten",
            who=who,
            events=done.events,
            texts=done.text_samples,
            samples=done.signal_samples
            + done.alert_samples
            + done.incident_samples
            + done.notification_samples,
            letters=done.deadletters,
            index=done.duplicate_index,
        )
    )
