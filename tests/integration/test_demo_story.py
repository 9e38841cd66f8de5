"""The demo's story through the real pipeline: every scripted incident found, nothing else opened.

A shortened demo feed (three days of history at the demo's own pace, no live
part) goes through the real broker, the worker and the alert service. Then
``radar alerts incident list --status all --json`` must hold, for each
scripted incident, an incident of its type with a signal whose key has every
field of the scripted key; and every signal of every incident must belong to
a scripted incident.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ingest.demo_incidents import LOCAL, check_story
from radar.store import Store
from radar.store.signals import load_signals
from tests.integration.conftest import Pipeline

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1800)]


def as_incidents(store: Store) -> list[dict[str, Any]]:
    """Every stored signal as an incident of its own: what detection found so far."""
    return [
        {"type": kind, "signal_keys": [signal["key"] for signal in load_signals(store, kind)]}
        for kind in ("silence", "source_down", "spike", "crisis", "unanswered", "emerging")
    ]


def incidents(pipeline: Pipeline) -> list[dict[str, Any]]:
    out = pipeline.radar("alerts", "incident", "list", "--status", "all", "--json").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_the_demo_opens_exactly_the_incidents_it_scripts(pipeline: Pipeline) -> None:
    scripted_path = pipeline.data_dir / "demo_incidents.json"
    # the history ends at 22:00 Beijing time yesterday, so three days hold the whole story
    local_midnight = datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    end = (local_midnight - timedelta(hours=2)).astimezone(UTC)
    until = end.strftime("%Y-%m-%dT%H:%M%z")
    pipeline.env["RADAR_WORKER_IDLE_S"] = "5"  # the history ends: let time run out sooner
    pipeline.start("worker")
    pipeline.start("worker")  # as `radar demo` runs them: two share the partitions
    pipeline.start("alerts", "run", name="alerts")
    feed = pipeline.radar(
        "ingest", "demo", "--seed", "11", "--days", "3", "--no-follow",
        "--incidents", str(scripted_path), "--until", until, "--json",
        timeout=600,
    )  # fmt: skip
    sent = json.loads(feed.stdout)
    scripted = json.loads(scripted_path.read_text(encoding="utf-8"))
    story = {s["type"] for s in scripted}
    assert story == {"silence", "source_down", "spike", "crisis", "unanswered", "emerging"}

    began = time.monotonic()
    stored = sent["backfilled"]
    pipeline.wait_for(
        lambda: pipeline.report()["events"]["total"] >= stored, 660, "the history stored"
    )
    took = {"stored": time.monotonic() - began}
    # detection may still be catching up with the history: first every scripted signal...
    signals = Store.from_settings(pipeline.settings)
    deadline = time.monotonic() + 600
    while check_story(scripted, as_incidents(signals)).missing and time.monotonic() < deadline:
        time.sleep(5)
    took["detected"] = time.monotonic() - began
    # ...then the alert service: a group takes new alerts in every group_interval (5 minutes)
    deadline = time.monotonic() + 360
    check = check_story(scripted, incidents(pipeline))
    while (check.missing or check.unexplained) and time.monotonic() < deadline:
        time.sleep(5)
        check = check_story(scripted, incidents(pipeline))
    took["opened"] = time.monotonic() - began
    time.sleep(40)  # a group waits 30 s: anything else would have opened by now
    opened = incidents(pipeline)
    check = check_story(scripted, opened)
    missing = [(m["type"], m["key"]) for m in check.missing]
    seconds = ", ".join(f"{k} after {v:.0f} s" for k, v in took.items())
    assert not missing, f"scripted but not found: {missing} ({seconds})\n{pipeline.logs()}"
    assert not check.unexplained, f"opened but not scripted: {check.unexplained[:10]} ({seconds})"
    titles = {i["type"]: i["title"] for i in opened}
    assert "热水器" in titles["crisis"] and "广东" in titles["spike"]  # Chinese, named by key
    assert titles["emerging"].startswith("新问题：")
