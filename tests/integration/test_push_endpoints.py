"""Push endpoints over real HTTP: who may post, replays, one client's share, where metrics are."""

from __future__ import annotations

import json
import time
import urllib.error

import pytest

from ingest.intake import SIGNATURE_HEADER, TIMESTAMP_HEADER, TOKEN_HEADER, signed_headers
from tests.integration.conftest import Pipeline, free_port
from tests.integration.connector_helpers import http_get, post, start_endpoint

pytestmark = pytest.mark.integration

SECRET = "0123456789abcdef0123456789abcdef-mentions"
MENTION = {"id": 1, "text": "这家店发货太慢了", "created_at": "2026-11-20T10:00:00+08:00"}


def mention(n: int) -> bytes:
    return json.dumps({**MENTION, "id": n}, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "without a token or HMAC secret"),
        ({"RADAR_INGEST_SOCIAL_TOKEN": "short-token"}, "shorter than 32"),
        ({"RADAR_INGEST_SOCIAL_HMAC_SECRET": "short-secret"}, "shorter than 32"),
    ],
)
def test_an_open_or_guessable_endpoint_refuses_to_start_beyond_loopback(
    pipeline: Pipeline, env: dict[str, str], says: str
) -> None:
    """Before: `--host 0.0.0.0` without a token took posts from anyone (a follower count of
    ten million from anyone is an immediate crisis page to on-call)."""
    pipeline.env.update(env)
    result = pipeline.radar(
        "ingest", "social", "--serve", "--host", "0.0.0.0", "--port", str(free_port()), check=False
    )
    assert result.returncode != 0 and says in result.stderr


def test_a_signed_request_is_taken_only_while_fresh(pipeline: Pipeline) -> None:
    """Before: the signature covered the body alone, so a captured request was good forever."""
    base, _ = start_endpoint(pipeline, "social", {"RADAR_INGEST_SOCIAL_HMAC_SECRET": SECRET})
    body = mention(1)
    headers = {"Content-Type": "application/json", **signed_headers(body, SECRET)}
    status, first = post(base + "/submit", body, headers)
    assert status == 202, first
    status, again = post(base + "/submit", body, headers)  # a retry within the window
    assert status == 202 and again["id"] == first["id"]  # the same event: counted once

    stale = signed_headers(mention(2), SECRET, now=time.time() - 3600)
    status, answer = post(base + "/submit", mention(2), stale)
    assert status == 401 and TIMESTAMP_HEADER in answer["message"]

    body_only = {SIGNATURE_HEADER: stale[SIGNATURE_HEADER]}  # the old scheme: body only
    status, answer = post(base + "/submit", mention(3), body_only)
    assert status == 401 and TIMESTAMP_HEADER in answer["message"]

    moved = {**signed_headers(mention(4), SECRET), TIMESTAMP_HEADER: str(int(time.time()) + 1)}
    status, answer = post(base + "/submit", mention(4), moved)  # timestamp not the signed one
    assert status == 401 and "signature" in answer["message"]


def test_a_non_ascii_signature_is_a_401_not_a_500(pipeline: Pipeline) -> None:
    base, _ = start_endpoint(pipeline, "social", {"RADAR_INGEST_SOCIAL_HMAC_SECRET": SECRET})
    headers = {TIMESTAMP_HEADER: str(int(time.time())), SIGNATURE_HEADER: "sha256=\u00e9\u00e9"}
    status, _ = post(base + "/submit", mention(5), headers)  # sent as latin-1 bytes
    assert status == 401


def test_one_client_gets_its_share_then_429(pipeline: Pipeline) -> None:
    base, _ = start_endpoint(
        pipeline,
        "social",
        {
            "RADAR_INGEST_SOCIAL_TOKEN": "listen-token",
            "RADAR_INGEST_SOCIAL_CLIENT_RATE": "0.5",
            "RADAR_INGEST_SOCIAL_CLIENT_BURST": "3",
        },
    )
    answers = [
        post(base + "/submit", mention(10 + n), {TOKEN_HEADER: "listen-token"})[0] for n in range(5)
    ]
    assert answers[:3] == [202, 202, 202] and answers[3:] == [429, 429]
    assert "ok" in http_get(base + "/healthz")  # health is not rate limited


def test_metrics_are_on_the_internal_port_only(pipeline: Pipeline) -> None:
    metrics_port = free_port()
    base, _ = start_endpoint(
        pipeline,
        "social",
        {
            "RADAR_INGEST_SOCIAL_TOKEN": "listen-token",
            "RADAR_INGEST_SOCIAL_METRICS_PORT": str(metrics_port),
        },
    )
    post(base + "/submit", mention(20), {TOKEN_HEADER: "wrong"})
    with pytest.raises(urllib.error.HTTPError) as missing:
        http_get(base + "/metrics")
    assert missing.value.code == 404
    metrics = http_get(f"http://127.0.0.1:{metrics_port}/metrics")
    assert 'radar_ingest_records_rejected_total{channel="social",reason="unauthorized"' in metrics
