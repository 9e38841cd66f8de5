"""``radar alerts`` commands: lint, dry-run test, silences and incidents from a terminal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from alerts import incidents
from alerts.cli import alerts
from alerts.incidents import IncidentNotFound
from radar.clock import ManualClock
from radar.settings import CoreSettings
from radar.store import Store
from tests.unit.alerts.conftest import build_harness, make_signal, rules
from tests.unit.alerts.test_pipeline import RULES

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


EN = {"RADAR_LANGUAGE": "en"}


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(alerts, list(args), catch_exceptions=True, env=env)


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture
def spike_file(tmp_path: Path) -> Path:
    path = tmp_path / "spike.jsonl"
    lines = [
        make_signal("a", at=NOW + timedelta(minutes=n), observed=30 + n).model_dump_json()
        for n in range(3)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_lint_prints_problems_with_lines(tmp_path: Path, rules_file: Path) -> None:
    assert run("lint", str(rules_file)).output.strip() == f"{rules_file}: ok"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        RULES.replace(
            "receivers: [oncall]\n    group_wait: 0s", "receivers: [pager]\n    group_wait: 0s"
        ),
        encoding="utf-8",
    )
    result = run("lint", str(bad))
    assert result.exit_code == 1
    assert f"{bad}:line 24: rules[0].receivers[0]: unknown receiver 'pager'" in result.output


def test_dry_run_shows_who_gets_what(rules_file: Path, spike_file: Path) -> None:
    result = run("test", "--rules", str(rules_file), "--signal", str(spike_file))
    assert result.exit_code == 0, result.output
    heading = "== 2026-11-20 10:00（北京时间） → oncall（webhook http://127.0.0.1:9/oncall）[告警]"
    assert heading in result.output
    assert "观测 30，预期 5" in result.output and "将发送 1 条通知" in result.output

    english = run("test", "--rules", str(rules_file), "--signal", str(spike_file), env=EN)
    assert "→ oncall (webhook http://127.0.0.1:9/oncall) [firing]" in english.output
    assert "observed 30 vs expected 5" in english.output
    assert "1 notifications would be sent" in english.output

    later = run(
        "test", "--rules", str(rules_file), "--signal", str(spike_file), "--for", "20m", "--json"
    )
    planned = [json.loads(line) for line in later.output.splitlines()]
    assert [(p["receiver"], p["kind"]) for p in planned] == [
        ("oncall", "firing"),
        ("lead", "escalation"),
    ]


def test_dry_run_errors_and_no_match(tmp_path: Path, rules_file: Path) -> None:
    quiet = tmp_path / "quiet.jsonl"
    quiet.write_text(make_signal("q", at=NOW, score=0.5).model_dump_json() + "\n", encoding="utf-8")
    nothing = run("test", "--rules", str(rules_file), "--signal", str(quiet))
    assert "不会发送任何通知" in nothing.output
    assert (
        "nothing would be sent"
        in run("test", "--rules", str(rules_file), "--signal", str(quiet), env=EN).output
    )
    broken = tmp_path / "broken.jsonl"
    broken.write_text(quiet.read_text() + '{"id": "x"}\n', encoding="utf-8")
    result = run("test", "--rules", str(rules_file), "--signal", str(broken))
    assert result.exit_code != 0 and "line 2" in str(result.exception)


def test_silence_add_list_expire() -> None:
    added = run(
        "silence", "add", 'region="华东"', "--for", "2h", "--comment", "typhoon", "--by", "lin"
    )
    assert added.exit_code == 0, added.output
    silence_id = added.output.split()[0]
    assert silence_id.startswith("SIL-") and 'region="华东"' in added.output
    assert "（北京时间）" in added.output
    listed = run("silence", "list", "--json")
    (item,) = [json.loads(line) for line in listed.output.splitlines()]
    assert item["id"] == silence_id and item["state"] == "active" and item["created_by"] == "lin"
    assert run("silence", "expire", silence_id, "--by", "lin").exit_code == 0
    assert run("silence", "list").output.strip() == "没有静默"
    assert run("silence", "list", env=EN).output.strip() == "no silences"
    assert run("silence", "add", "region=x", "--comment", "c").exit_code == 2  # no duration


def test_incident_commands(tmp_path: Path) -> None:
    store = Store.from_settings(CoreSettings())
    incident = incidents.open_incident(
        store,
        group_key="g",
        rule="logistics-spike",
        type="spike",
        title="物流投诉激增: 华东",
        severity=2,
        key={"region": "华东"},
        data={"checklist": [{"area": "remedy", "text": "call SF"}]},
    )
    listed = run("incident", "list")
    assert incident.id in listed.output and "物流投诉激增" in listed.output
    assert "待处理" in listed.output and "（北京时间）" in listed.output
    assert "已由 lin 确认" in run("incident", "ack", incident.id, "--by", "lin").output
    assert run("incident", "note", incident.id, "SF says tomorrow", "--by", "lin").exit_code == 0
    assert run("incident", "check", incident.id, "1", "--by", "lin").exit_code == 0
    assert run("incident", "assign", incident.id, "wang", "--by", "lin").exit_code == 0
    shown = run("incident", "show", incident.id).output
    assert "1. [x] 处置: call SF" in shown and "SF says tomorrow" in shown
    assert "负责人 wang" in shown and "lin 已确认" in shown
    english = run("incident", "show", incident.id, env=EN).output
    assert "1. [x] remedy: call SF" in english and "owner wang" in english
    assert "acknowledged by lin" in english
    out = tmp_path / "summary.md"
    assert run("incident", "summary", incident.id, "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(f"# 事件 {incident.id}")
    assert run("incident", "resolve", incident.id, "--note", "done", "--by", "lin").exit_code == 0
    assert run("incident", "list").output.strip() == "没有待处理的事件"
    assert run("incident", "list", env=EN).output.strip() == "no open incidents"
    records = [
        json.loads(x)
        for x in run("incident", "list", "--status", "all", "--json").output.splitlines()
    ]
    assert records[0]["status"] == "resolved" and records[0]["resolved_by"] == "lin"
    missing = run("incident", "ack", "INC-missing")
    assert isinstance(missing.exception, IncidentNotFound)


def test_incident_list_json_holds_the_keys_of_its_signals() -> None:
    """The contract: `incident list --status all --json`, one object a line per incident."""
    clock = ManualClock(NOW)
    store = Store(Store.from_settings(CoreSettings()).engine, clock)
    store.create_schema()
    h = build_harness(rules(RULES.replace("[region, product]", "[region]")), clock, store)
    h.feed(
        make_signal("a", at=h.clock.now(), key={"topic": "物流配送", "region": "华东"}),
        make_signal("b", at=h.clock.now(), key={"topic": "商品质量", "region": "华东"}),
        make_signal("c", at=h.clock.now(), key={"topic": "物流配送", "region": "广东"}),
    )
    h.run_for(timedelta(seconds=40))
    east, south = sorted(
        incidents.list_incidents(h.store, status=None), key=lambda i: i.key["region"]
    )
    assert (east.key, south.key) == ({"region": "华东"}, {"region": "广东"})
    incidents.resolve(h.store, south.id, "lin")
    incidents.acknowledge(h.store, east.id, "wang")

    def listed(status: str) -> list[dict[str, Any]]:
        result = run("incident", "list", "--status", status, "--json")
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.output.splitlines()]

    records = {r["id"]: r for r in listed("all")}
    assert set(records) == {east.id, south.id}
    for record in records.values():
        assert {"id", "type", "title", "status", "severity", "opened_at", "resolved_at", "key"} <= (
            set(record)
        )
    assert records[east.id]["type"] == "spike" and records[east.id]["status"] == "acknowledged"
    assert records[east.id]["title"] == "投诉激增：华东 ×2"
    assert records[east.id]["signal_keys"] == [
        {"topic": "物流配送", "region": "华东"},
        {"topic": "商品质量", "region": "华东"},
    ]
    assert records[south.id]["signal_keys"] == [{"topic": "物流配送", "region": "广东"}]
    assert records[south.id]["status"] == "resolved" and records[south.id]["resolved_at"]
    assert [r["id"] for r in listed("open")] == [east.id]  # open = open or acknowledged
    assert [r["id"] for r in listed("acknowledged")] == [east.id]
    assert [r["id"] for r in listed("resolved")] == [south.id]
