"""``radar alerts`` commands: lint, dry-run test, silences and incidents from a terminal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from alerts import incidents
from alerts.cli import alerts
from alerts.incidents import IncidentNotFound
from radar.settings import CoreSettings
from radar.store import Store
from tests.unit.alerts.conftest import make_signal
from tests.unit.alerts.test_pipeline import RULES

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def run(*args: str) -> Result:
    return CliRunner().invoke(alerts, list(args), catch_exceptions=True)


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
    assert "→ oncall (webhook http://127.0.0.1:9/oncall) [firing]" in result.output
    assert "observed 30 vs expected 5" in result.output
    assert "1 notifications would be sent" in result.output

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
    assert (
        "nothing would be sent"
        in run("test", "--rules", str(rules_file), "--signal", str(quiet)).output
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
    listed = run("silence", "list", "--json")
    (item,) = [json.loads(line) for line in listed.output.splitlines()]
    assert item["id"] == silence_id and item["state"] == "active" and item["created_by"] == "lin"
    assert run("silence", "expire", silence_id, "--by", "lin").exit_code == 0
    assert run("silence", "list").output.strip() == "no silences"
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
    assert "acknowledged by lin" in run("incident", "ack", incident.id, "--by", "lin").output
    assert run("incident", "note", incident.id, "SF says tomorrow", "--by", "lin").exit_code == 0
    assert run("incident", "check", incident.id, "1", "--by", "lin").exit_code == 0
    assert run("incident", "assign", incident.id, "wang", "--by", "lin").exit_code == 0
    shown = run("incident", "show", incident.id).output
    assert "1. [x] remedy: call SF" in shown and "SF says tomorrow" in shown
    assert "owner wang" in shown
    out = tmp_path / "summary.md"
    assert run("incident", "summary", incident.id, "--out", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(f"# Incident {incident.id}")
    assert run("incident", "resolve", incident.id, "--note", "done", "--by", "lin").exit_code == 0
    assert run("incident", "list").output.strip() == "no open incidents"
    records = [
        json.loads(x)
        for x in run("incident", "list", "--status", "all", "--json").output.splitlines()
    ]
    assert records[0]["status"] == "resolved" and records[0]["resolved_by"] == "lin"
    missing = run("incident", "ack", "INC-missing")
    assert isinstance(missing.exception, IncidentNotFound)
