"""Prometheus and Grafana configs: valid for their tools, and naming only metrics the code has."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import REGISTRY

import alerts.metrics
import ingest.metrics
import streams.metrics
from dashboard import metrics as dashboard_metrics
from tests.browser import require

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
BUILTIN = {"up"}  # series Prometheus makes itself for every target
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
}
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_OPERATORS = {"and", "or", "unless", "bool", "offset", "inf", "nan"}


def promtool() -> str:
    return require("promtool", "install Debian's prometheus package: apt-get install prometheus")


def defined_metrics() -> set[str]:
    """Every series name the services' metrics expose (imported, so they are registered)."""
    assert ingest.metrics and alerts.metrics and streams.metrics and dashboard_metrics
    names = set(BUILTIN)
    for family in REGISTRY.collect():
        if family.name.startswith("radar_"):
            names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    text = re.sub(r'"[^"]*"', "", expr)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)
    keyword = "|".join(sorted(_KEYWORDS))
    text = re.sub(rf"\b({keyword})\s*\([^)]*\)", " ", text)
    words = re.findall(r"(?<![\w.])([a-zA-Z_:][\w:]*)\b(?!\s*\()", text)
    return {w for w in words if w.lower() not in _OPERATORS | _KEYWORDS}


def dashboard() -> dict[str, Any]:
    return json.loads((GRAFANA / "dashboards" / "radar.json").read_text(encoding="utf-8"))


def rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((PROMETHEUS / "rules.yml").read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_metric_names_are_read_from_promql() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (stage, le) (rate(radar_a_bucket{stage="x"}[5m])))'
        " / on (stage) clamp_min(radar_b, 1) > 0 and time() - max(up) > 600"
    )
    assert metric_names(expr) == {"radar_a_bucket", "radar_b", "up"}


def test_prometheus_config_and_rules_pass_promtool() -> None:
    tool = promtool()
    for args in (
        ["check", "config", str(PROMETHEUS / "prometheus.yml")],
        ["check", "rules", str(PROMETHEUS / "rules.yml")],
        ["test", "rules", str(PROMETHEUS / "rules_test.yml")],
    ):
        result = subprocess.run([tool, *args], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}{result.stderr}"


def test_every_rule_reads_metrics_the_code_defines() -> None:
    known = defined_metrics()
    for rule in rules():
        used = metric_names(rule["expr"])
        assert used, f"{rule['alert']} reads no metric"
        assert used <= known, f"{rule['alert']} reads undefined metrics {sorted(used - known)}"
        assert rule["labels"]["severity"] in {"warning", "critical"}


def test_the_rules_cover_lag_dead_letters_silence_and_services_down() -> None:
    used = set().union(*(metric_names(rule["expr"]) for rule in rules()))
    assert {
        "radar_worker_consumer_lag",
        "radar_worker_records_in_total",
        "radar_worker_heartbeat_timestamp_seconds",
        "up",
    } <= used


def test_every_dashboard_panel_queries_metrics_the_code_defines() -> None:
    known = defined_metrics()
    panels = dashboard()["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        assert panel["targets"], f"panel {panel['title']} has no query"
        for target in panel["targets"]:
            used = metric_names(target["expr"])
            assert used and used <= known, f"{panel['title']}: undefined {sorted(used - known)}"


def test_the_dashboard_shows_every_part_of_the_pipeline() -> None:
    exprs = " ".join(t["expr"] for p in dashboard()["panels"] for t in p["targets"])
    for name in (
        "radar_worker_records_in_total",
        "radar_worker_records_out_total",
        "radar_worker_batch_seconds_bucket",
        "radar_worker_consumer_lag",
        "radar_worker_deadletters_total",
        "radar_worker_signals_total",
        "radar_alerts_alerts_total",
        "radar_ingest_source_up",
        "radar_worker_heartbeat_timestamp_seconds",
        "radar_ingest_records_produced_total",
        "radar_dashboard_page_seconds_bucket",
    ):
        assert name in exprs, f"no panel shows {name}"


def test_every_panel_uses_the_provisioned_datasource() -> None:
    provisioned = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text(encoding="utf-8")
    )["datasources"]
    uid = next(s["uid"] for s in provisioned if s["type"] == "prometheus")
    for panel in dashboard()["panels"]:
        sources = [panel["datasource"], *(t["datasource"] for t in panel["targets"])]
        assert all(s == {"type": "prometheus", "uid": uid} for s in sources), panel["title"]
