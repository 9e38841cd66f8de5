"""The ``radar`` command line: one entry point whose subcommands live with their packages."""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click

from radar.errors import RadarError

#: subcommand -> "module:attribute"; modules load only when their command runs.
COMMANDS: dict[str, str] = {
    "kafka": "radar.broker.cli:kafka",
    "ingest": "ingest.cli:ingest",
    "worker": "streams.cli:worker",
    "sentiment": "streams.sentiment.cli:sentiment",
    "classify": "streams.classify:classify",
    "spikes": "streams.cli:spikes",
    "alerts": "alerts.cli:alerts",
    "digest": "alerts.digest_cli:digest",
    "dashboard": "dashboard.cli:dashboard",
    "api": "api.cli:api",
    "report": "radar.report:report",
    "store": "radar.store.cli:store",
    "demo": "radar.demo:demo",
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when it is used."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = {*super().list_commands(ctx)}
        names.update(name for name in self.lazy if self.get_command(ctx, name) is not None)
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, _, attr = self.lazy[cmd_name].partition(":")
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    return None  # that part of Radar is not installed
                raise
            command = getattr(module, attr, None)
            return command if isinstance(command, click.Command) else None
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="radar")
def cli() -> None:
    """Radar (客服舆情雷达): customer feedback and crisis monitoring on Apache Kafka.

    Settings come from RADAR_* environment variables and the YAML file named by
    RADAR_CONFIG; see the README for the table.
    """


def main() -> None:
    """Console entry point: run the CLI, printing Radar's own errors without a traceback."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # radar.store.schema says what ran
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except RadarError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    if isinstance(code, int):
        sys.exit(code)


if __name__ == "__main__":
    main()
