"""Connectors: online-form and survey submissions (CSAT, NPS, free text) over HTTP or replayed."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ingest.push import PushSettings
from ingest.schemas import SurveySubmission, survey_fields
from radar.settings import settings_config

CHANNEL = "survey"
DEFAULT_SOURCE = "survey-endpoint"


class SurveySettings(PushSettings):
    """``radar ingest surveys`` (``RADAR_INGEST_SURVEYS_*``)."""

    model_config = settings_config("INGEST_SURVEYS_")
    yaml_section: ClassVar[str | None] = "ingest_surveys"

    port: int = Field(8311, ge=1, le=65535, description="Port of POST /submit")


__all__ = ["CHANNEL", "DEFAULT_SOURCE", "SurveySettings", "SurveySubmission", "survey_fields"]
