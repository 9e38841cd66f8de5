"""docker-compose.yml checked by structure (no Docker engine here): services, health, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from radar.settings import BrokerSettings
from tests.catalog import known_variables

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
RADAR_SERVICES = [name for name, svc in SERVICES.items() if "build" in svc]
LONG_RUNNING = [name for name, svc in SERVICES.items() if svc.get("restart") != "no"]


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in (SERVICES[service].get("environment") or {}).items()}


def test_the_stack_has_kafka_the_radar_services_and_prometheus() -> None:
    assert {"kafka", "worker", "alerts", "dashboard", "prometheus"} <= set(SERVICES)
    assert {"worker", "alerts", "dashboard"} <= set(RADAR_SERVICES)


def test_kafka_is_the_official_image_in_kraft_mode_at_the_version_we_run_locally() -> None:
    kafka = SERVICES["kafka"]
    image, _, tag = kafka["image"].partition(":")
    assert image == "apache/kafka"
    assert tag == BrokerSettings().kafka_version
    roles = set(kafka["environment"]["KAFKA_PROCESS_ROLES"].split(","))
    assert roles == {"broker", "controller"}
    assert "ZOOKEEPER" not in " ".join(kafka["environment"]).upper()


@pytest.mark.parametrize("service", LONG_RUNNING)
def test_every_long_running_service_has_a_healthcheck(service: str) -> None:
    check = SERVICES[service].get("healthcheck")
    assert check and check.get("test"), f"{service} has no healthcheck"


@pytest.mark.parametrize("service", RADAR_SERVICES)
def test_radar_services_use_only_real_settings(service: str) -> None:
    unknown = {name for name in env(service) if name.startswith("RADAR_")} - known_variables()
    assert not unknown, f"{service} sets variables no settings model reads: {sorted(unknown)}"


@pytest.mark.parametrize("service", RADAR_SERVICES)
def test_radar_services_reach_kafka_on_an_advertised_listener(service: str) -> None:
    advertised = SERVICES["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    addresses = {item.split("://", 1)[1] for item in advertised.split(",")}
    assert env(service)["RADAR_KAFKA_BOOTSTRAP"] in addresses


@pytest.mark.parametrize("service", sorted(set(RADAR_SERVICES) & set(LONG_RUNNING)))
def test_the_store_lives_on_a_named_volume_at_the_data_dir(service: str) -> None:
    data_dir = env(service)["RADAR_DATA_DIR"]
    mounts = SERVICES[service]["volumes"]
    assert f"radar-data:{data_dir}" in mounts
    assert "radar-data" in COMPOSE["volumes"]


def test_dashboard_port_is_published_as_configured() -> None:
    port = env("dashboard")["RADAR_DASHBOARD_PORT"]
    assert f"{port}:{port}" in SERVICES["dashboard"]["ports"]
    assert env("dashboard")["RADAR_DASHBOARD_HOST"] == "0.0.0.0"


#: where each long-running Radar service serves /metrics (the survey endpoint: on its own port)
METRICS_PORTS = {
    "worker": "RADAR_WORKER_METRICS_PORT",
    "alerts": "RADAR_ALERTS_METRICS_PORT",
    "dashboard": "RADAR_DASHBOARD_METRICS_PORT",
    "surveys": "RADAR_INGEST_SURVEYS_METRICS_PORT",
    "reviews-inbox": "RADAR_INGEST_REVIEWS_METRICS_PORT",
}


def test_every_long_running_radar_service_has_a_metrics_port() -> None:
    assert set(METRICS_PORTS) == set(RADAR_SERVICES) & set(LONG_RUNNING)


@pytest.mark.parametrize(("service", "variable"), sorted(METRICS_PORTS.items()))
def test_prometheus_scrapes_every_service_metrics_port(service: str, variable: str) -> None:
    config_path = next(
        v.split(":")[0]
        for v in SERVICES["prometheus"]["volumes"]
        if v.endswith("prometheus.yml:ro")
    )
    config = yaml.safe_load((ROOT / config_path).read_text(encoding="utf-8"))
    targets = {
        t for job in config["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]
    }
    assert f"{service}:{env(service)[variable]}" in targets
    assert env(service)["RADAR_METRICS_HOST"] == "0.0.0.0"


def test_the_image_contains_every_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for package in ("radar", "ingest", "streams", "alerts", "dashboard"):
        assert f"COPY {package} {package}" in dockerfile


def mounts(service: str) -> dict[str, str]:
    """Container path → host path of a service's bind mounts (relative to the repo root)."""
    found = {}
    for volume in SERVICES[service].get("volumes", []):
        host, container, *_ = volume.split(":")
        if host.startswith("./"):
            found[container] = host
    return found


def test_prometheus_loads_the_rules_file_its_config_names() -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text("utf-8"))
    assert config["rule_files"] == ["rules.yml"]  # relative to the config file
    assert mounts("prometheus")["/etc/prometheus/rules.yml"] == "./deploy/prometheus/rules.yml"
    assert (ROOT / "deploy/prometheus/rules.yml").is_file()


def test_grafana_is_pinned_published_and_keeps_no_secret_in_the_file() -> None:
    grafana = SERVICES["grafana"]
    image, _, tag = grafana["image"].partition(":")
    assert image == "grafana/grafana" and tag != "latest"
    # 11.x is out of support and has open CVEs (CVE-2025-4123, CVE-2025-6023)
    assert tuple(int(part) for part in tag.split(".")[:2]) >= (12, 4)
    assert "3000:3000" in grafana["ports"]
    password = str(grafana["environment"]["GF_SECURITY_ADMIN_PASSWORD"])
    assert password.startswith("${GRAFANA_ADMIN_PASSWORD:?"), "the password comes from the env"
    assert "prometheus" in grafana["depends_on"]
    assert "grafana-data" in COMPOSE["volumes"]


def test_grafana_mounts_its_provisioning_and_the_dashboard_folder_it_names() -> None:
    bound = mounts("grafana")
    provisioning = ROOT / bound["/etc/grafana/provisioning"]
    assert (provisioning / "datasources" / "prometheus.yml").is_file()
    provider = yaml.safe_load((provisioning / "dashboards" / "radar.yml").read_text("utf-8"))
    path = provider["providers"][0]["options"]["path"]
    assert (ROOT / bound[path] / "radar.json").is_file()
    home = env("grafana")["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{path}/radar.json"
    source = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text("utf-8"))
    assert source["datasources"][0]["url"] == "http://prometheus:9090"


def test_the_survey_endpoint_takes_its_token_from_the_environment() -> None:
    token = env("surveys")["RADAR_INGEST_SURVEYS_TOKEN"]
    assert token.startswith("${RADAR_SURVEYS_TOKEN:?"), "the token comes from the env, not the file"
    assert env("surveys")["RADAR_INGEST_SURVEYS_HOST"] == "0.0.0.0"


# -- Kafka: no client without the SCRAM password, nothing published (review finding H1) --------
KAFKA_ENV: dict[str, str] = {k: str(v) for k, v in SERVICES["kafka"]["environment"].items()}


def listeners() -> dict[str, tuple[str, str, str]]:
    """Listener name → (bind address, port, security protocol) of the broker."""
    protocols = dict(
        item.split(":") for item in KAFKA_ENV["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    found = {}
    for item in KAFKA_ENV["KAFKA_LISTENERS"].split(","):
        name, _, address = item.partition("://")
        host, _, port = address.rpartition(":")
        found[name] = (host, port, protocols[name])
    return found


def test_the_broker_publishes_no_port_on_the_host() -> None:
    assert "ports" not in SERVICES["kafka"]
    published = {str(p).split(":")[-1] for svc in SERVICES.values() for p in svc.get("ports", [])}
    assert not published & {port for _, port, _ in listeners().values()}


def test_every_listener_other_containers_reach_wants_sasl() -> None:
    for name, (address, _, protocol) in listeners().items():
        if name == KAFKA_ENV["KAFKA_CONTROLLER_LISTENER_NAMES"]:
            continue  # the KRaft controller: no client requests
        if protocol == "PLAINTEXT":
            assert address == "127.0.0.1", f"{name} is plaintext beyond the container's loopback"
        else:
            assert protocol.startswith("SASL_"), name
    assert KAFKA_ENV["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"


@pytest.mark.parametrize("service", RADAR_SERVICES)
def test_every_radar_service_logs_in_to_kafka_with_the_password_from_the_environment(
    service: str,
) -> None:
    values = env(service)
    assert values["RADAR_KAFKA_SECURITY_PROTOCOL"].startswith("SASL_")
    assert values["RADAR_KAFKA_SASL_MECHANISM"] in KAFKA_ENV["KAFKA_SASL_ENABLED_MECHANISMS"]
    assert values["RADAR_KAFKA_SASL_USERNAME"] == KAFKA_ENV["SCRAM_USER"]
    password = values["RADAR_KAFKA_SASL_PASSWORD"]
    assert password.startswith("${RADAR_KAFKA_PASSWORD:?"), "the password comes from the env"
    assert KAFKA_ENV["SCRAM_PASSWORD"] == password
    host, _, port = values["RADAR_KAFKA_BOOTSTRAP"].rpartition(":")
    sasl = {p for _, p, protocol in listeners().values() if protocol.startswith("SASL_")}
    assert host == "kafka" and port in sasl


def test_the_brokers_health_waits_for_radars_user() -> None:
    script = SERVICES["kafka"]["command"][-1]
    assert "kafka-configs.sh" in script and "SCRAM-SHA-512=[password=$$SCRAM_PASSWORD]" in script
    assert "radar-user-ready" in SERVICES["kafka"]["healthcheck"]["test"][-1]


@pytest.mark.parametrize(("service", "variable"), sorted(METRICS_PORTS.items()))
def test_no_metrics_port_is_published(service: str, variable: str) -> None:
    port = env(service)[variable]
    published = [str(p) for p in SERVICES[service].get("ports", [])]
    assert not any(p.split(":")[-1] == port for p in published), f"{service} publishes /metrics"


def test_prometheus_answers_this_host_only() -> None:
    assert SERVICES["prometheus"]["ports"] == ["127.0.0.1:9090:9090"]
