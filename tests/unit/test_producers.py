"""Every Kafka producer in Radar waits for all in-sync replicas (acks=all): with topics that want
two of three replicas in sync, an acknowledged record survives the loss of a broker."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("radar", "ingest", "streams", "alerts", "api", "dashboard", "bench")


def calls(name: str) -> list[tuple[Path, ast.Call]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called == name:
                    found.append((path, node))
    return found


def keyword(call: ast.Call, name: str) -> object:
    for kw in call.keywords:
        if kw.arg == name:
            return ast.literal_eval(kw.value)
    return None


def test_every_kafka_producer_waits_for_all_in_sync_replicas() -> None:
    producers = calls("KafkaProducer")
    assert len(producers) >= 3  # connectors (made and made anew), the alert service
    for path, call in producers:
        where = f"{path.relative_to(ROOT)}:{call.lineno}"
        if keyword(call, "acks") is not None:
            assert keyword(call, "acks") == "all", where
            continue
        # the connectors' producer takes its configuration as one dict
        assert [kw.arg for kw in call.keywords] == [None], f"{where}: no acks given"
        source = path.read_text(encoding="utf-8")
        assert source.count('"acks": "all"') == 1, f"{where}: acks=all not in its configuration"


def test_no_caller_overrides_the_connectors_acks() -> None:
    for path, call in calls("FeedbackProducer"):
        assert keyword(call, "acks") is None, f"{path.relative_to(ROOT)}:{call.lineno}"


def test_the_worker_produces_with_acks_all() -> None:
    apps = [
        (path, call)
        for name in ("App", "RadarApp")
        for path, call in calls(name)
        if path.parent.name == "streams"
    ]
    assert apps
    for path, call in apps:
        assert keyword(call, "producer_acks") == -1, f"{path.relative_to(ROOT)}:{call.lineno}"
