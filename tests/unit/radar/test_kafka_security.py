"""Kafka security settings: one model, every client's keyword arguments, errors naming the fix."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest

from radar.settings import KafkaSecurity


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    """A self-signed CA certificate (what a private cluster's brokers are signed with)."""
    key, cert = tmp_path / "ca.key", tmp_path / "ca.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=radar-test-ca", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert


class TestKafkaSecurity:
    def test_plaintext_by_default_for_the_local_broker(self) -> None:
        security = KafkaSecurity()
        assert security.kafka_python() == {"security_protocol": "PLAINTEXT"}
        assert security.ssl_context() is None

    def test_sasl_scram_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("RADAR_KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
        monkeypatch.setenv("RADAR_KAFKA_SASL_MECHANISM", "SCRAM-SHA-256")
        monkeypatch.setenv("RADAR_KAFKA_SASL_USERNAME", "radar")
        monkeypatch.setenv("RADAR_KAFKA_SASL_PASSWORD", "s3cret-s3cret")
        security = KafkaSecurity()
        assert "s3cret" not in repr(security)  # a SecretStr, never printed
        assert security.kafka_python() == {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": "SCRAM-SHA-256",
            "sasl_plain_username": "radar",
            "sasl_plain_password": "s3cret-s3cret",
        }
        assert security.aiokafka() == security.kafka_python()

    def test_sasl_ssl_checks_the_brokers_certificate_and_host(self, ca: Path) -> None:
        security = KafkaSecurity(
            security_protocol="SASL_SSL",
            sasl_username="radar",
            sasl_password="pw",  # type: ignore[arg-type]
            ssl_cafile=ca,
        )
        context = security.kafka_python()["ssl_context"]
        assert isinstance(context, ssl.SSLContext)
        assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        assert any(
            c["subject"] == ((("commonName", "radar-test-ca"),),) for c in context.get_ca_certs()
        )

    @pytest.mark.parametrize(
        ("values", "fix"),
        [
            ({"security_protocol": "SASL_SSL"}, "RADAR_KAFKA_SASL_USERNAME"),
            ({"security_protocol": "SSL", "ssl_cafile": "/nowhere/ca.pem"}, "no such file"),
            ({"ssl_cafile": "/etc/hostname"}, "use SSL or SASL_SSL"),
            ({"security_protocol": "SSL", "ssl_certfile": "/etc/hostname"}, "_SSL_KEYFILE"),
        ],
    )
    def test_incomplete_settings_are_refused_naming_the_fix(
        self, values: dict[str, str], fix: str
    ) -> None:
        with pytest.raises(ValueError, match=fix):
            KafkaSecurity(**values)  # type: ignore[arg-type]
