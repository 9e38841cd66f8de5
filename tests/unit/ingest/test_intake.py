"""Push endpoint rules without a server: signatures in time, per-client limits, exposure."""

from __future__ import annotations

import pytest

from ingest.intake import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Auth,
    ClientLimits,
    sign,
    signed_headers,
)
from ingest.social import SocialSettings
from radar.errors import ConfigError

SECRET = "s" * 40
NOW = 1_800_000_000.0


class TestAuth:
    def test_a_fresh_signature_of_timestamp_and_body_passes(self) -> None:
        auth = Auth(hmac_secret=SECRET)
        assert auth.check(signed_headers(b"{}", SECRET, now=NOW), b"{}", NOW + 299) is None

    @pytest.mark.parametrize("age", [-301, 301, 86_400])
    def test_outside_the_window_it_is_refused(self, age: float) -> None:
        problem = Auth(hmac_secret=SECRET).check(
            signed_headers(b"{}", SECRET, now=NOW), b"{}", NOW + age
        )
        assert problem is not None and TIMESTAMP_HEADER in problem

    def test_the_body_alone_signed_is_refused(self) -> None:
        """What senders did before: no timestamp in the signature, replayable for ever."""
        headers = {TIMESTAMP_HEADER: str(int(NOW)), SIGNATURE_HEADER: "sha256=" + "0" * 64}
        assert Auth(hmac_secret=SECRET).check(headers, b"{}", NOW) is not None
        assert sign(b"{}", SECRET, int(NOW)) != sign(b"{}", SECRET, int(NOW) + 1)

    @pytest.mark.parametrize("given", ["sha256=\u00e9", "\udcff", "sha256=中文"])
    def test_any_header_text_is_a_refusal_not_an_error(self, given: str) -> None:
        headers = {TIMESTAMP_HEADER: str(int(NOW)), SIGNATURE_HEADER: given, "X-Radar-Token": given}
        assert Auth(token="t" * 40, hmac_secret=SECRET).check(headers, b"{}", NOW) is not None


def test_a_client_gets_its_burst_then_its_rate() -> None:
    limits = ClientLimits(rate=2.0, burst=3)
    assert [limits.allow("a", NOW) for _ in range(4)] == [True, True, True, False]
    assert limits.allow("b", NOW)  # another client has its own bucket
    assert limits.allow("a", NOW + 0.5) and not limits.allow("a", NOW + 0.5)


class TestExposure:
    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
    def test_loopback_may_run_open_for_development(self, host: str) -> None:
        SocialSettings(host=host).check_exposure()

    @pytest.mark.parametrize("host", ["0.0.0.0", "::", "", "10.0.0.5", "radar.example"])
    def test_anything_else_needs_a_long_secret(self, host: str) -> None:
        with pytest.raises(ConfigError, match="without a token"):
            SocialSettings(host=host).check_exposure()
        with pytest.raises(ConfigError, match="shorter than 32"):
            SocialSettings(host=host, token="short").check_exposure()  # type: ignore[arg-type]
        SocialSettings(host=host, hmac_secret="x" * 32).check_exposure()  # type: ignore[arg-type]
