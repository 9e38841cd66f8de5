"""docker-compose.yml checked by structure (no Docker engine here): services, health, settings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from radar.settings import BrokerSettings
from tests.catalog import known_variables

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict[str, dict[str, Any]] = COMPOSE["services"]
RADAR_SERVICES = [name for name, svc in SERVICES.items() if "build" in svc]
LONG_RUNNING = [name for name, svc in SERVICES.items() if svc.get("restart") != "no"]


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in (SERVICES[service].get("environment") or {}).items()}


# -- the file as `docker compose config` reads it, with one broker or the cluster profile ------
#: what docker-compose.yml's header says to set (letters and digits, as it asks)
SECRETS = {
    "RADAR_KAFKA_PASSWORD": "k" * 48,
    "RADAR_POSTGRES_PASSWORD": "p" * 48,
    "RADAR_SURVEYS_TOKEN": "s" * 48,
    "GRAFANA_ADMIN_PASSWORD": "g" * 24,
}
CLUSTER_ENV_FILE = ROOT / "deploy" / "kafka-cluster.env"


def env_file(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(
        line.split("=", 1) for line in (raw.strip() for raw in lines) if line and line[0] != "#"
    )


#: the variables compose sees: one broker (the default), and the three-broker profile
PROFILES = {"single": dict(SECRETS), "cluster": {**SECRETS, **env_file(CLUSTER_ENV_FILE)}}
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}`` ($$ is a dollar)."""

    def value(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if variables.get(name):
            return variables[name]
        if op == ":-":
            return arg
        raise AssertionError(f"compose refuses to start: {arg or name}")

    return VARIABLE.sub(value, text.replace("$$", "\0")).replace("\0", "$")


def enabled(profile: str) -> set[str]:
    wanted = set(filter(None, PROFILES[profile].get("COMPOSE_PROFILES", "").split(",")))
    return {name for name, svc in SERVICES.items() if set(svc.get("profiles", [])) <= wanted}


def resolved(service: str, profile: str) -> dict[str, str]:
    return {k: interpolate(v, PROFILES[profile]) for k, v in env(service).items()}


def brokers(profile: str) -> list[str]:
    return sorted(
        name
        for name in enabled(profile)
        if SERVICES[name].get("image", "").startswith("apache/kafka:")
    )


def test_the_stack_has_kafka_the_radar_services_and_prometheus() -> None:
    assert {"kafka", "worker", "alerts", "dashboard", "digests", "prometheus"} <= set(SERVICES)
    assert {"worker", "alerts", "dashboard", "digests"} <= set(RADAR_SERVICES)


def test_the_scheduler_sends_digests_and_applies_the_retention(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One long-running ``radar digest run``: the digests on RADAR_DIGEST_* and the retention
    once a day (the command prunes only when RADAR_RETENTION_DAYS is set: it is, 180 by
    default), in the default stack (no profile: Prometheus scrapes it, a missing target would
    be a service down)."""
    from alerts.digest_schedule import DigestSettings
    from radar.settings import CoreSettings

    scheduler = SERVICES["digests"]
    assert scheduler["command"] == ["digest", "run"]
    assert "profiles" not in scheduler and scheduler["restart"] == "unless-stopped"
    # it needs the store only: no Kafka, no topics
    assert set(scheduler["depends_on"]) == {"postgres"}
    assert "9106" in " ".join(scheduler["healthcheck"]["test"])
    later = interpolate(env("digests")["RADAR_RETENTION_DAYS"], {"RADAR_RETENTION_DAYS": "90"})
    assert later == "90"
    # the values the service gets parse as its settings read them (receivers: none until set)
    for name, value in resolved("digests", "single").items():
        monkeypatch.setenv(name, value)
    assert CoreSettings().retention_days == 180
    settings = DigestSettings()
    assert (settings.daily_to, settings.weekly_to, settings.metrics_port) == ([], [], 9106)
    chosen = {"RADAR_DIGEST_DAILY_TO": '["managers-email"]'}
    monkeypatch.setenv(
        "RADAR_DIGEST_DAILY_TO", interpolate(env("digests")["RADAR_DIGEST_DAILY_TO"], chosen)
    )
    assert DigestSettings().daily_to == ["managers-email"]


def test_nothing_else_prunes_on_its_own() -> None:
    """The retention runs in one place (the scheduler), so two passes never race."""
    pruning = {name for name in RADAR_SERVICES if "RADAR_RETENTION_DAYS" in env(name)}
    assert pruning == {"digests"}
    commands = {name: SERVICES[name].get("command") for name in RADAR_SERVICES}
    assert [n for n, c in commands.items() if c and c[:2] == ["store", "prune"]] == []


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


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("service", RADAR_SERVICES)
def test_radar_services_reach_every_broker_on_an_advertised_listener(
    service: str, profile: str
) -> None:
    advertised = {
        item.split("://", 1)[1]
        for broker in brokers(profile)
        for item in env(broker)["KAFKA_ADVERTISED_LISTENERS"].split(",")
    }
    bootstrap = resolved(service, profile)["RADAR_KAFKA_BOOTSTRAP"].split(",")
    assert set(bootstrap) <= advertised
    assert {address.split(":")[0] for address in bootstrap} == set(brokers(profile))


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
    "digests": "RADAR_DIGEST_METRICS_PORT",
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
    for package in ("radar", "ingest", "streams", "alerts", "dashboard", "api"):
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
    assert not any("ports" in SERVICES[broker] for broker in brokers("cluster"))
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
    sasl = {p for name, (_, p, protocol) in listeners().items() if protocol.startswith("SASL_")}
    for profile in PROFILES:
        for address in resolved(service, profile)["RADAR_KAFKA_BOOTSTRAP"].split(","):
            host, _, port = address.rpartition(":")
            assert host in brokers(profile) and port in sasl


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


# -- both profiles as `docker compose config` would take them ---------------------------------
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_variable_resolves_and_every_dependency_runs(profile: str) -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    resolved_file = yaml.safe_load(interpolate(text, PROFILES[profile]))
    assert "${" not in json.dumps(resolved_file)
    running = enabled(profile)
    for name in running:
        needs = resolved_file["services"][name].get("depends_on") or {}
        if isinstance(needs, list):  # the short form: started, nothing optional
            needs = {target: {} for target in needs}
        for target, how in needs.items():
            optional = isinstance(how, dict) and how.get("required") is False
            assert target in running or optional, f"{name} needs {target}, not in {profile}"


def test_the_cluster_profile_adds_two_brokers_to_the_first() -> None:
    assert brokers("single") == ["kafka"]
    assert brokers("cluster") == ["kafka", "kafka-2", "kafka-3"]
    assert {name for name, svc in SERVICES.items() if "profiles" in svc} == {"kafka-2", "kafka-3"}
    assert env_file(CLUSTER_ENV_FILE)["COMPOSE_PROFILES"] == "cluster"
    assert str(CLUSTER_ENV_FILE.relative_to(ROOT)) in COMPOSE_HEADER


COMPOSE_HEADER = (ROOT / "docker-compose.yml").read_text(encoding="utf-8").split("\nname:")[0]


@pytest.mark.parametrize(
    ("profile", "replication", "in_sync"), [("single", 1, 1), ("cluster", 3, 2)]
)
def test_brokers_form_one_quorum_and_replicate_as_radars_topics(
    profile: str, replication: int, in_sync: int
) -> None:
    from radar.topics import min_insync_replicas

    nodes = {name: resolved(name, profile) for name in brokers(profile)}
    voters = {values["KAFKA_CONTROLLER_QUORUM_VOTERS"] for values in nodes.values()}
    assert voters == {",".join(f"{v['KAFKA_NODE_ID']}@{name}:9093" for name, v in nodes.items())}
    assert len({values["CLUSTER_ID"] for values in nodes.values()}) == 1
    assert sorted(values["KAFKA_NODE_ID"] for values in nodes.values()) == [
        str(n) for n in range(1, len(nodes) + 1)
    ]
    for name, values in nodes.items():
        assert values["KAFKA_INTER_BROKER_LISTENER_NAME"] == "BROKER"
        assert f"BROKER://{name}:9095" in values["KAFKA_ADVERTISED_LISTENERS"].split(",")
        assert f"SASL://{name}:9092" in values["KAFKA_ADVERTISED_LISTENERS"].split(",")
        for key in ("DEFAULT", "OFFSETS_TOPIC", "TRANSACTION_STATE_LOG"):
            setting = f"KAFKA_{key}_REPLICATION_FACTOR"
            assert values[setting] == str(replication), (name, setting)
        assert values["KAFKA_MIN_INSYNC_REPLICAS"] == str(in_sync)
        assert values["KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"] == str(in_sync)
    assert in_sync == min_insync_replicas(replication)  # what Radar gives the topics it creates
    for service in RADAR_SERVICES:
        assert resolved(service, profile)["RADAR_TOPIC_REPLICATION"] == str(replication)
    assert {volume for name in nodes for volume in SERVICES[name]["volumes"]} == {
        f"{name}-data:/var/lib/kafka/data" for name in nodes
    }


def test_brokers_replicate_among_themselves_only_with_the_password() -> None:
    jaas = KAFKA_ENV["KAFKA_LISTENER_NAME_BROKER_PLAIN_SASL_JAAS_CONFIG"]
    assert KAFKA_ENV["KAFKA_LISTENER_NAME_BROKER_SASL_ENABLED_MECHANISMS"] == "PLAIN"
    assert KAFKA_ENV["KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL"] == "PLAIN"
    assert listeners()["BROKER"][2] == "SASL_PLAINTEXT"
    assert (
        'password="${RADAR_KAFKA_PASSWORD:?' in jaas
        and 'user_broker="${RADAR_KAFKA_PASSWORD:?' in jaas
    )


def test_topics_wait_for_every_broker_of_the_profile() -> None:
    needs = SERVICES["topics"]["depends_on"]
    assert set(brokers("cluster")) <= set(needs)
    for broker in brokers("cluster"):
        assert needs[broker]["condition"] == "service_healthy"
    assert needs["kafka-2"]["required"] is False and needs["kafka-3"]["required"] is False


# -- PostgreSQL: the store of every service ----------------------------------------------------
POSTGRES = SERVICES["postgres"]


def test_postgres_is_the_official_image_pinned_on_a_volume_and_not_published() -> None:
    image, _, tag = POSTGRES["image"].partition(":")
    assert image == "postgres" and tag.split(".")[0].isdigit()
    assert "ports" not in POSTGRES
    assert "postgres-data:/var/lib/postgresql/data" in POSTGRES["volumes"]
    assert "postgres-data" in COMPOSE["volumes"]
    password = str(POSTGRES["environment"]["POSTGRES_PASSWORD"])
    assert password.startswith("${RADAR_POSTGRES_PASSWORD:?"), "the password comes from the env"
    assert "pg_isready" in POSTGRES["healthcheck"]["test"][-1]


@pytest.mark.parametrize("profile", sorted(PROFILES))
@pytest.mark.parametrize("service", RADAR_SERVICES)
def test_every_radar_service_writes_the_store_in_postgres(service: str, profile: str) -> None:
    assert "postgres" in enabled(profile)
    url = make_url(resolved(service, profile)["RADAR_STORE_URL"])
    server = {k: interpolate(str(v), SECRETS) for k, v in POSTGRES["environment"].items()}
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port) == ("postgres", 5432)
    assert url.username == server["POSTGRES_USER"] and url.database == server["POSTGRES_DB"]
    assert url.password == server["POSTGRES_PASSWORD"] == SECRETS["RADAR_POSTGRES_PASSWORD"]


@pytest.mark.parametrize("service", sorted(set(RADAR_SERVICES) & set(LONG_RUNNING)))
def test_services_start_once_postgres_is_healthy(service: str) -> None:
    assert SERVICES[service]["depends_on"]["postgres"] == {"condition": "service_healthy"}
