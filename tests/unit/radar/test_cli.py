"""The radar command line: every command is reachable and explains itself with --help."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from radar.cli import COMMANDS, cli


def all_commands(
    group: click.Group, ctx: click.Context, path: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"radar {' '.join((*path, name))} is listed but does not load"
        found.append((*path, name))
        if isinstance(command, click.Group):
            found.extend(all_commands(command, ctx, (*path, name)))
    return found


def test_contract_commands_are_registered() -> None:
    for name in (
        "kafka",
        "ingest",
        "worker",
        "sentiment",
        "spikes",
        "alerts",
        "dashboard",
        "report",
        "demo",
    ):
        assert name in COMMANDS


def test_every_command_has_help() -> None:
    runner = CliRunner()
    with click.Context(cli) as ctx:
        commands = all_commands(cli, ctx)
    assert (
        ("kafka", "up") in commands and ("ingest", "file") in commands and ("report",) in commands
    )
    for path in commands:
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, f"radar {' '.join(path)} --help failed: {result.output}"
        assert "Usage:" in result.output


def test_unknown_command_is_an_error() -> None:
    result = CliRunner().invoke(cli, ["frobnicate"])
    assert result.exit_code != 0
    assert "No such command" in result.output


@pytest.mark.parametrize(
    "bad", [["ingest", "file", "x.csv", "--channel", "fax"], ["report", "--nope"]]
)
def test_bad_options_fail_with_usage(bad: list[str]) -> None:
    result = CliRunner().invoke(cli, bad)
    assert result.exit_code == 2
