"""Connectors: social-media mentions (Weibo-like webhooks) over HTTP or replayed from JSON lines."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ingest.push import PushSettings
from ingest.schemas import Mention, mention_fields
from radar.settings import settings_config

CHANNEL = "social"
DEFAULT_SOURCE = "social-webhook"


class SocialSettings(PushSettings):
    """``radar ingest social`` (``RADAR_INGEST_SOCIAL_*``)."""

    model_config = settings_config("INGEST_SOCIAL_")
    yaml_section: ClassVar[str | None] = "ingest_social"

    port: int = Field(8312, ge=1, le=65535, description="Port of POST /submit")


__all__ = ["CHANNEL", "DEFAULT_SOURCE", "Mention", "SocialSettings", "mention_fields"]
