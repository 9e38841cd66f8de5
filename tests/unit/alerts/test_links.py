"""Signed, expiring acknowledge/resolve links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from alerts.links import InvalidToken, LinkSigner

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
SIGNER = LinkSigner(b"k" * 32, "http://dash.example/", timedelta(hours=2))


def test_a_token_verifies_until_it_expires() -> None:
    token = SIGNER.token("INC-1", "acknowledge", NOW)
    action = SIGNER.verify(token, NOW + timedelta(minutes=119))
    assert (action.incident_id, action.action) == ("INC-1", "acknowledge")
    with pytest.raises(InvalidToken, match="expired"):
        SIGNER.verify(token, NOW + timedelta(hours=2))


def test_forged_altered_and_foreign_tokens_fail() -> None:
    token = SIGNER.token("INC-1", "resolve", NOW)
    other = LinkSigner(b"x" * 32, "http://dash.example")
    with pytest.raises(InvalidToken, match="signature"):
        other.verify(token, NOW)
    _body, _, sig = token.partition(".")
    forged = SIGNER.token("INC-2", "resolve", NOW).partition(".")[0] + "." + sig
    with pytest.raises(InvalidToken, match="signature"):
        SIGNER.verify(forged, NOW)
    with pytest.raises(InvalidToken, match="damaged"):
        SIGNER.verify("not-a-token", NOW)
    with pytest.raises(InvalidToken, match="another incident"):
        SIGNER.verify(token, NOW, incident_id="INC-9")


def test_action_url_carries_incident_action_and_token() -> None:
    url = SIGNER.action_url("INC-20261120-abc123", "acknowledge", NOW)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://dash.example/incidents"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query["incident"] == "INC-20261120-abc123" and query["action"] == "acknowledge"
    assert SIGNER.verify(query["token"], NOW).incident_id == "INC-20261120-abc123"
    assert SIGNER.incident_url("INC-1") == "http://dash.example/incidents?incident=INC-1"


def test_short_secrets_and_unknown_actions_are_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        LinkSigner(b"short", "http://x")
    with pytest.raises(ValueError, match="action"):
        SIGNER.token("INC-1", "delete", NOW)


class TestLinkSecretSetting:
    """A configured secret too short to sign with is a configuration error naming the setting."""

    def secret(self, value: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
        from alerts.settings import AlertsSettings, link_secret
        from radar.settings import CoreSettings

        monkeypatch.setenv("RADAR_ALERTS_LINK_SECRET", value)
        return link_secret(AlertsSettings(), CoreSettings())

    @pytest.mark.parametrize("value", ["short-key-15chr", "密钥太短了"])  # 15 bytes each
    def test_under_16_bytes_says_what_to_set(
        self, value: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from radar.errors import ConfigError

        with pytest.raises(ConfigError) as refused:
            self.secret(value, monkeypatch)
        message = str(refused.value)
        assert "RADAR_ALERTS_LINK_SECRET" in message and "is 15 bytes" in message
        assert "at least 16" in message and value not in message

    @pytest.mark.parametrize("value", ["sixteen-byte-key", "六个汉字密钥"])  # 16 and 18 bytes
    def test_16_bytes_or_more_sign_links(self, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
        secret = self.secret(value, monkeypatch)
        assert secret == value.encode("utf-8")
        LinkSigner(secret, "http://dash.example").token("INC-1", "resolve", NOW)

    def test_the_alert_service_stops_with_the_message(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`radar alerts run` prints a ConfigError without a traceback; a ValueError had one."""
        from alerts.service import build_pipeline
        from alerts.settings import AlertsSettings
        from radar.errors import ConfigError
        from radar.settings import CoreSettings

        monkeypatch.setenv("RADAR_ALERTS_LINK_SECRET", "too-short")
        with pytest.raises(ConfigError, match="RADAR_ALERTS_LINK_SECRET"):
            build_pipeline(CoreSettings(), AlertsSettings())

    def test_unset_is_a_generated_key(self) -> None:
        from alerts.settings import AlertsSettings, link_secret
        from radar.settings import CoreSettings

        assert len(link_secret(AlertsSettings(), CoreSettings())) == 64
