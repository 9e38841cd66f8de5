"""Alert service metrics: signals by type and outcome, alert updates by type, rule and status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY

from alerts import metrics
from alerts.model import Alert
from radar.events import Signal

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_applied_signals_count_by_type_and_their_alerts_by_rule_and_status() -> None:
    signal = Signal.model_validate(
        {
            "id": "sig-crisis-1",
            "type": "crisis",
            "key": {"term": "起火"},
            "window_start": T0,
            "window_end": T0 + timedelta(minutes=5),
            "observed": 1,
            "expected": 0,
            "score": 1.0,
            "statistic": "term_match",
            "detected_at": T0,
        }
    )
    alert = Alert(
        fingerprint="f1",
        group_key="g1",
        rule="crisis-page",
        labels={"type": "crisis"},
        severity=3,
        status="firing",
        starts_at=T0,
        updated_at=T0,
        signal=signal,
    )
    applied = value("radar_alerts_signals_total", type="crisis", outcome="applied")
    alerts = value("radar_alerts_alerts_total", type="crisis", rule="crisis-page", status="firing")
    rejected = value("radar_alerts_signals_total", type="unknown", outcome="rejected")
    metrics.signal_applied(signal, [alert])
    metrics.signal_applied(signal, [])  # a replay the rules ignore: read, but no alert
    metrics.signal_rejected()
    assert value("radar_alerts_signals_total", type="crisis", outcome="applied") == applied + 2
    assert (
        value("radar_alerts_alerts_total", type="crisis", rule="crisis-page", status="firing")
        == alerts + 1
    )
    assert value("radar_alerts_signals_total", type="unknown", outcome="rejected") == rejected + 1
