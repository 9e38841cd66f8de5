"""``radar ingest surveys`` and ``radar ingest social``: an HTTP endpoint or a replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ingest import social, surveys
from ingest.commands.common import load_settings, pull_options
from ingest.intake import SIGNATURE_HEADER, TIMESTAMP_HEADER, TOKEN_HEADER
from ingest.push import PushSettings, replay_files, serve_endpoint
from ingest.schemas import mention_fields, survey_fields

_SERVE_HELP = f"""

With --serve, listen for POST /submit (one JSON object per request) until
stopped. Answers 202 with the event id once Kafka acknowledged it, 400/422
naming the bad field (the payload goes to feedback.deadletter), 401 without
the token ({TOKEN_HEADER} or Bearer) or a fresh signature ({TIMESTAMP_HEADER}:
Unix seconds, {SIGNATURE_HEADER}: sha256=HMAC of "TIMESTAMP." + body) when
they are set, 429 when one client sends too fast. On an address other than
loopback it refuses to start without a token or secret of 32+ characters.
GET /healthz; Prometheus metrics on --metrics-port only. Without --serve,
replay FILES of saved payloads (JSON lines).
"""


def _push_command(
    name: str,
    channel: str,
    default_source: str,
    settings_model: type[PushSettings],
    parse: Any,
    summary: str,
) -> click.Command:
    @click.command(name, help=summary + _SERVE_HELP)
    @click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
    @click.option("--serve", is_flag=True, help="Run the HTTP endpoint until stopped")
    @click.option("--host", help="Address to listen on (default 127.0.0.1)")
    @click.option("--port", type=int, help="Port to listen on")
    @pull_options
    def command(
        files: tuple[Path, ...],
        serve: bool,
        host: str | None,
        port: int | None,
        follow: bool,
        as_json: bool,
        quiet: bool,
        **options: Any,
    ) -> None:
        settings = load_settings(settings_model, options, host=host, port=port)
        if serve:
            if files:
                raise click.UsageError("give either FILES to replay or --serve, not both")
            serve_endpoint(channel, default_source, parse, settings)
            return
        if not files:
            raise click.UsageError("give FILES to replay, or --serve to run the endpoint")
        replay_files(
            channel,
            default_source,
            parse,
            files,
            settings,
            follow=follow,
            quiet=quiet,
            as_json=as_json,
        )

    return command


surveys_command = _push_command(
    "surveys",
    surveys.CHANNEL,
    surveys.DEFAULT_SOURCE,
    surveys.SurveySettings,
    survey_fields,
    "Survey and online-form submissions (CSAT 1-5, NPS 0-10, free-text answers).",
)
social_command = _push_command(
    "social",
    social.CHANNEL,
    social.DEFAULT_SOURCE,
    social.SocialSettings,
    mention_fields,
    "Social-media mentions (Weibo-like webhooks: author, followers, reposts, likes, url, text).",
)
