"""Settings: defaults that work on one machine, RADAR_* variables, the YAML file, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.errors import ConfigError
from radar.settings import BrokerSettings, CoreSettings, yaml_section


def test_defaults_work_on_one_machine(isolated_settings: Path) -> None:
    core = CoreSettings()
    assert core.kafka_bootstrap == "127.0.0.1:9092"
    assert core.topic_partitions == 4
    assert core.data_dir == isolated_settings.resolve()
    assert core.resolved_store_url == f"sqlite:///{isolated_settings.resolve() / 'radar.db'}"


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_TOPIC_PREFIX", "shop1.")
    monkeypatch.setenv("RADAR_TOPIC_PARTITIONS", "8")
    monkeypatch.setenv("RADAR_STORE_URL", "postgresql+psycopg://radar@db/radar")
    core = CoreSettings()
    assert (core.topic_prefix, core.topic_partitions) == ("shop1.", 8)
    assert core.resolved_store_url == "postgresql+psycopg://radar@db/radar"


def test_yaml_file_fills_sections_and_env_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "radar.yaml"
    config.write_text(
        "topic_prefix: staging.\nbroker:\n  port: 19092\n  heap_mb: 1024\n", encoding="utf-8"
    )
    monkeypatch.setenv("RADAR_CONFIG", str(config))
    monkeypatch.setenv("RADAR_BROKER_HEAP_MB", "768")
    yaml_section.__globals__["_load_yaml"].cache_clear()
    assert CoreSettings().topic_prefix == "staging."
    broker = BrokerSettings()
    assert broker.port == 19092
    assert broker.heap_mb == 768


def test_kafka_home_is_read_from_its_usual_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KAFKA_HOME", str(tmp_path))
    assert BrokerSettings().kafka_home == tmp_path


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_TOPIC_PARTITIONS", "0")
    with pytest.raises(ValueError, match="topic_partitions"):
        CoreSettings()


def test_missing_config_file_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RADAR_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigError, match="unset RADAR_CONFIG"):
        CoreSettings()


def test_settings_are_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        CoreSettings().topic_prefix = "x"  # type: ignore[misc]


def test_load_applies_only_given_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RADAR_BROKER_PORT", "29092")
    assert BrokerSettings.load(port=None).port == 29092
    assert BrokerSettings.load(port=39092).port == 39092


def test_language_and_time_zone_default_to_chinese_and_beijing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core = CoreSettings()
    assert (core.language, core.timezone) == ("zh", "Asia/Shanghai")
    monkeypatch.setenv("RADAR_LANGUAGE", "en")
    monkeypatch.setenv("RADAR_TIMEZONE", "Asia/Tokyo")
    assert (CoreSettings().language, CoreSettings().timezone) == ("en", "Asia/Tokyo")


def test_an_unknown_time_zone_is_refused_with_what_to_use(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RADAR_TIMEZONE", "Beijing")
    with pytest.raises(ValueError, match="IANA name"):
        CoreSettings()
