"""``radar alerts``: run the alert service, check a rules file, and dry-run it on signals."""

from __future__ import annotations

import json
import logging
import signal
from pathlib import Path
from typing import Any

import click

from alerts.oncall import duration_option, incident, notifications, silence, when
from radar.errors import RadarError
from radar.i18n import Locale
from radar.settings import CoreSettings

RULES = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.group()
def alerts() -> None:
    """Turn signals into incidents and notifications; work incidents and silences."""


@alerts.command()
@click.option(
    "--rules", "rules_file", type=RULES, help="Rules file (default: RADAR_ALERTS_RULES_FILE)"
)
@click.option("--metrics-port", type=int, help="Serve Prometheus /metrics on this port")
def run(rules_file: Path | None, metrics_port: int | None) -> None:
    """Read feedback.signals, notify receivers and keep incidents, until stopped (Ctrl-C)."""
    from kafka.errors import KafkaError

    from alerts.service import AlertService
    from alerts.settings import AlertsSettings
    from radar.topics import ensure_topics

    core = CoreSettings()
    settings = AlertsSettings.load(rules_file=rules_file, metrics_port=metrics_port)
    try:
        ensure_topics(core)
    except KafkaError as exc:
        msg = (
            f"cannot reach Kafka at {core.kafka_bootstrap} ({exc}); "
            "start it with `radar kafka up` or set RADAR_KAFKA_BOOTSTRAP"
        )
        raise RadarError(msg) from exc
    if settings.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.metrics_port, addr=core.metrics_host)
    service = AlertService(core, settings)
    # SIGTERM (service managers, tests) stops as cleanly as Ctrl-C: the consumer leaves its group
    signal.signal(signal.SIGTERM, lambda *_: service.stop(timeout_s=0))
    click.echo(f"radar alerts: rules {settings.resolved_rules_file}, Ctrl-C stops", err=True)
    try:
        service.run()
    except KeyboardInterrupt:
        service.stop(timeout_s=0)


@alerts.command()
@click.argument("path", type=RULES)
def lint(path: Path) -> None:
    """Check a rules file; print each problem with its line number (exit 1 if any)."""
    from alerts.loader import lint as lint_rules

    problems = lint_rules(path)
    for problem in problems:
        click.echo(f"{path}:{problem}")
    if problems:
        raise SystemExit(1)
    click.echo(f"{path}: ok")


@alerts.command("test")
@click.option("--rules", "rules_file", type=RULES, required=True, help="Rules file to try")
@click.option(
    "--signal",
    "signal_file",
    type=RULES,
    required=True,
    help="Signals as JSON lines (or a JSON array), in the feedback.signals format",
)
@click.option(
    "--for",
    "after",
    callback=duration_option,
    metavar="DURATION",
    help="Simulate this long after the last signal, e.g. 1h (default: the group wait)",
)
@click.option("--json", "as_json", is_flag=True, help="Print the messages as JSON lines")
def test_rules(rules_file: Path, signal_file: Path, after: Any, as_json: bool) -> None:
    """Show what the rules would send to whom for these signals, without sending anything."""
    from alerts.dryrun import dry_run, read_signals
    from alerts.loader import load_rules

    logging.getLogger("alerts").setLevel(logging.WARNING)  # the plan is the output
    config = load_rules(rules_file)
    core = CoreSettings()
    locale = Locale.from_settings(core)
    planned = dry_run(
        config,
        read_signals(signal_file),
        after=after,
        dashboard_url=core.dashboard_url,
        locale=locale,
    )
    if as_json:
        for item in planned:
            click.echo(
                json.dumps(
                    {
                        "at": item.at.isoformat(),
                        "receiver": item.receiver,
                        "target": item.target,
                        **item.message.model_dump(mode="json"),
                    },
                    ensure_ascii=False,
                )
            )
        return
    if not planned:
        click.echo(locale.t("alerts.cli.nothing"))
        return
    from alerts.render import render_text

    for item in planned:
        heading = locale.t(
            "alerts.cli.at",
            at=when(item.at, locale),
            receiver=item.receiver,
            target=item.target,
            kind=locale.label("notification_kind", item.message.kind),
        )
        click.secho(heading, bold=True)
        click.echo(render_text(item.message))
    click.echo(locale.t("alerts.cli.would_send", count=len(planned)))


alerts.add_command(incident)
alerts.add_command(silence)
alerts.add_command(notifications)

__all__ = ["alerts"]
