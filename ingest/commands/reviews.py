"""``radar ingest reviews``: review files, watched folders, or a shop's review API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ingest.commands.common import load_settings, parse_mapping, pull_options
from ingest.review_api import ReviewApi, ReviewApiSettings
from ingest.reviews import ReviewsSettings, review_files
from ingest.service import run_pull
from radar.errors import ConfigError


def _api_settings(path: Path | None, options: dict[str, Any]) -> ReviewApiSettings:
    extra: dict[str, Any] = {}
    if path is not None:
        import yaml

        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: not valid YAML ({exc})") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: expected a mapping of settings (url, items_path, ...)")
        extra = {k: v for k, v in loaded.items() if v is not None}
    return load_settings(ReviewApiSettings, options, **extra)


@click.command("reviews")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--api",
    "api_config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Poll a review API described by this YAML file (see docs/connectors.md)",
)
@click.option(
    "--api-env", is_flag=True, help="Poll the review API set by RADAR_INGEST_REVIEW_API_*"
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="Read a contract field from another column (repeatable)",
)
@pull_options
def reviews_command(
    paths: tuple[Path, ...],
    api_config: Path | None,
    api_env: bool,
    mappings: tuple[str, ...],
    follow: bool,
    as_json: bool,
    quiet: bool,
    **options: Any,
) -> None:
    """Reviews from CSV / JSON-lines / Excel files and folders, or from a shop API.

    Files are read once; with --follow, folders are watched and new files and
    appended lines are picked up. Progress is checkpointed only after Kafka
    acknowledged, so an interrupted backfill resumes where it stopped.
    """
    if api_config is not None or api_env:
        if paths:
            raise click.UsageError("give either PATHS or --api, not both")
        api = _api_settings(api_config, options)
        run_pull(
            lambda core: ReviewApi(api, core), api, follow=follow, quiet=quiet, as_json=as_json
        )
        return
    if not paths:
        raise click.UsageError("give files or folders to read, or --api FILE")
    settings = load_settings(ReviewsSettings, options)
    mapping = parse_mapping(mappings)
    run_pull(
        lambda core: review_files(list(paths), core, settings, follow=follow, mapping=mapping),
        settings,
        follow=follow,
        quiet=quiet,
        as_json=as_json,
    )
