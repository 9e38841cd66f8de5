"""The dashboard's Prometheus metrics: served once per process, counting what users do."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from prometheus_client import REGISTRY

import alerts
from tests.ports import free_port
from tests.unit.dashboard.conftest import PASSWORDS, Seeded


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def test_pages_sign_ins_and_incident_actions_are_counted_and_served(
    seeded: Seeded, app_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("RADAR_DASHBOARD_METRICS_PORT", str(port))
    views = value("radar_dashboard_page_views_total", page="incidents")
    acks = value("radar_dashboard_incident_actions_total", action="acknowledge", outcome="done")
    refused = value(
        "radar_dashboard_incident_actions_total", action="acknowledge", outcome="refused"
    )
    failures = value("radar_dashboard_sign_ins_total", outcome="failure")
    successes = value("radar_dashboard_sign_ins_total", outcome="success")

    at = app_for(user=None)
    at.text_input[0].input("lin")
    at.text_input[1].input("wrong password")
    at.button[0].click().run()
    at.text_input[0].input("lin")
    at.text_input[1].input(PASSWORDS["lin"])
    at.button[0].click().run()
    assert value("radar_dashboard_sign_ins_total", outcome="failure") == failures + 1
    assert value("radar_dashboard_sign_ins_total", outcome="success") == successes + 1

    at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
    next(b for b in at.button if b.label == "确认").click().run()
    assert alerts.get_incident(seeded.store, seeded.incident_id).status == "acknowledged"
    assert value("radar_dashboard_page_views_total", page="incidents") >= views + 2
    assert (
        value("radar_dashboard_incident_actions_total", action="acknowledge", outcome="done")
        == acks + 1
    )
    assert (
        value("radar_dashboard_incident_actions_total", action="acknowledge", outcome="refused")
        == refused
    )
    assert value("radar_dashboard_page_seconds_count", page="incidents") >= views + 2

    served = scrape(port)
    assert 'radar_dashboard_page_views_total{page="incidents"}' in served
    assert 'radar_dashboard_incident_actions_total{action="acknowledge",outcome="done"}' in served
