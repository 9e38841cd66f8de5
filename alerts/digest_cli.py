"""``radar digest``: one digest now (to receivers, or to files), or the scheduled service."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Any

import click

RULES = click.Path(exists=True, dir_okay=False, path_type=Path)
RULES_HELP = "Rules file with the receivers (default RADAR_ALERTS_RULES_FILE)"


def _context(rules_file: Path | None) -> tuple[Any, Any, Any, Any, Any, Any]:
    """Settings, store, rules and the response SLA every digest command needs."""
    from alerts.digest_schedule import DigestSettings
    from alerts.loader import load_rules
    from alerts.settings import AlertsSettings
    from dashboard.settings import DashboardSettings
    from radar.settings import CoreSettings
    from radar.store import Store
    from radar.store.digests import digest_log  # noqa: F401 - its table, created with the rest
    from radar.store.rollups import ResponseSla

    core = CoreSettings()
    alerts_settings = AlertsSettings.load(rules_file=rules_file)
    dashboard = DashboardSettings()
    sla = ResponseSla(dashboard.sla_hours, dict(dashboard.sla_hours_by_channel))
    rules = load_rules(alerts_settings.resolved_rules_file)
    return core, alerts_settings, DigestSettings(), Store.from_settings(core), rules, sla


@click.group(invoke_without_command=True)
@click.option("--now", "now_", is_flag=True, help="Build one digest now (the period before today)")
@click.option(
    "--kind",
    type=click.Choice(["daily", "weekly"]),
    default="daily",
    show_default=True,
    help="daily: yesterday, for service managers; weekly: the last 7 days, for product teams",
)
@click.option("--to", "receivers", multiple=True, help="A receiver of the rules file (repeat)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Also write it here")
@click.option(
    "--shop",
    "shops",
    multiple=True,
    help="Cover this shop only (repeat for several; default: every shop)",
)
@click.option(
    "--rules", "rules_file", type=RULES, help="Rules file (default RADAR_ALERTS_RULES_FILE)"
)
@click.pass_context
def digest(
    ctx: click.Context,
    now_: bool,
    kind: str,
    receivers: tuple[str, ...],
    out: Path | None,
    shops: tuple[str, ...],
    rules_file: Path | None,
) -> None:
    """Daily and weekly digests (charts included), sent to receivers of the rules file.

    `radar digest --now --to managers-email` sends one now (`--shop 旗舰店`: of that shop
    only); `radar digest run` sends them on the schedule of RADAR_DIGEST_* (see
    docs/digests.md).
    """
    if ctx.invoked_subcommand is not None:
        return
    if not now_:
        click.echo(ctx.get_help())
        return
    from alerts.digest_render import write_files
    from alerts.digest_schedule import build_digest
    from alerts.digest_send import send_digest
    from alerts.notifiers.base import NotifyFailed
    from radar.clock import SystemClock
    from radar.i18n import Locale

    core, alerts_settings, settings, store, rules, sla = _context(rules_file)
    locale = Locale.from_settings(core)
    if not receivers and out is None:
        raise click.UsageError(locale.t("digest.send.no_receivers"))
    known = [r.name for r in rules.receivers]
    for name in receivers:
        if name not in known:
            raise click.UsageError(
                locale.t("digest.send.unknown_receiver", receiver=name, known=", ".join(known))
            )
    now = SystemClock().now()
    built = build_digest(
        "weekly" if kind == "weekly" else "daily",
        store,
        now,
        locale,
        core=core,
        settings=settings,
        sla=sla,
        shops=tuple(dict.fromkeys(s.strip() for s in shops if s.strip())) or None,
    )
    label = locale.t(f"digest.kind.{kind}")
    if out is not None:
        click.echo(locale.t("digest.send.written", path=write_files(built, out)))
    failed = False
    for name in receivers:
        try:
            answer = send_digest(
                built, name, rules.receiver(name).config, timeout=alerts_settings.send_timeout_s
            )
        except NotifyFailed as exc:
            failed = True
            click.secho(
                locale.t("digest.send.failed", kind=label, receiver=name, error=exc), err=True
            )
        else:
            click.echo(locale.t("digest.send.sent", kind=label, receiver=name, answer=answer))
    if failed:
        sys.exit(1)


@digest.command()
@click.option(
    "--rules", "rules_file", type=RULES, help="Rules file (default RADAR_ALERTS_RULES_FILE)"
)
def run(rules_file: Path | None) -> None:
    """Send the scheduled digests (RADAR_DIGEST_*) and apply the retention, until stopped."""
    from alerts.digest_schedule import DigestService

    core, alerts_settings, settings, store, rules, sla = _context(rules_file)
    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port, addr=core.metrics_host)
    service = DigestService(
        store,
        rules,
        core=core,
        settings=settings,
        sla=sla,
        timeout=alerts_settings.send_timeout_s,
    )
    signal.signal(signal.SIGTERM, lambda *_: service.stop())
    click.echo(
        f"radar digest: daily {settings.daily_at} → {', '.join(settings.daily_to) or '-'}; "
        f"weekly {settings.weekly_at} → {', '.join(settings.weekly_to) or '-'} "
        f"({core.timezone}); Ctrl-C stops",
        err=True,
    )
    try:
        service.run()
    except KeyboardInterrupt:
        service.stop()
