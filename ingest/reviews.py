"""Connectors: reviews from files (CSV, JSON lines, Excel) and watched folders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ingest.emitter import make_normaliser
from ingest.folder import FileConnector
from ingest.settings import ConnectorSettings
from radar.settings import CoreSettings, settings_config


class ReviewsSettings(ConnectorSettings):
    """``radar ingest reviews``: which files, which columns (``RADAR_INGEST_REVIEWS_*``)."""

    model_config = settings_config("INGEST_REVIEWS_")
    yaml_section: ClassVar[str | None] = "ingest_reviews"

    pattern: str = Field("*", description="Files of a watched folder to read (glob)")
    mapping: dict[str, str] = Field(
        default_factory=dict,
        description="Contract field → column, for columns the usual names do not cover",
    )
    settle_s: float = Field(
        2.0, ge=0, description="A last line without its end is read once the file is this old"
    )


def default_source(paths: Sequence[Path]) -> str:
    """One file: its name (as ``radar ingest file`` does); folders: the first folder's name."""
    if len(paths) == 1:
        return paths[0].name
    return "+".join(sorted(p.name for p in paths))[:200]


def review_files(
    paths: Sequence[Path],
    core: CoreSettings,
    settings: ReviewsSettings,
    *,
    follow: bool = False,
    mapping: Mapping[str, str] | None = None,
) -> FileConnector:
    """The connector for review files and folders."""
    source = settings.source or default_source(paths)
    normaliser = make_normaliser(
        "review", source, core, settings, mapping={**settings.mapping, **(mapping or {})}
    )
    connector = FileConnector(
        paths, normaliser, pattern=settings.pattern, follow=follow, settle_s=settings.settle_s
    )
    connector.name = "reviews"
    return connector
