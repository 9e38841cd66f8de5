"""The dashboard in headless Chromium against a seeded store: the charts and counts are there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radar.events import ScoredEvent, make_event_id
from radar.settings import CoreSettings
from radar.store import Store
from tests.browser import chromium_page
from tests.integration.conftest import ROOT, free_port

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def seed(store: Store) -> dict[str, int]:
    counts = {"review": 30, "forum": 12, "social": 7}
    batch = []
    for channel, count in counts.items():
        for n in range(count):
            batch.append(
                ScoredEvent(
                    id=make_event_id(channel, "seed", str(n)),
                    channel=channel,  # type: ignore[arg-type]
                    source="seed",
                    external_id=str(n),
                    text="物流很快" if n % 3 else "质量太差",
                    created_at=NOW - timedelta(hours=n * 5),
                    ingested_at=NOW,
                    sentiment=0.8 if n % 3 else 0.1,
                    sentiment_label="pos" if n % 3 else "neg",
                    is_complaint=n % 3 == 0,
                    scored_at=NOW,
                )
            )
    store.add_scored(batch)
    return counts


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the dashboard exited"
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the dashboard did not answer")


def test_overview_shows_volume_and_sentiment_per_channel(isolated_settings: Path) -> None:
    counts = seed(Store.from_settings(CoreSettings()))
    port = free_port()
    env = {**os.environ, "RADAR_DASHBOARD_PORT": str(port)}
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("radar")), "dashboard"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process)
        with chromium_page() as page:
            page.goto(url)  # type: ignore[attr-defined]
            page.get_by_text("Volume per channel").wait_for(timeout=30_000)  # type: ignore[attr-defined]
            page.get_by_text("Mean sentiment per channel").wait_for(timeout=30_000)  # type: ignore[attr-defined]
            charts = page.locator("[data-testid='stVegaLiteChart']")  # type: ignore[attr-defined]
            charts.first.wait_for(timeout=30_000)
            assert charts.count() == 2
            metrics = page.locator("[data-testid='stMetric']").all_inner_texts()  # type: ignore[attr-defined]
            shown = {m.split("\n")[0].strip(): m.split("\n")[-1].strip() for m in metrics}
            assert shown["events"] == str(sum(counts.values()))
            for channel, count in counts.items():
                assert shown[channel] == str(count)
            artifacts = ROOT / "test-artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "dashboard-overview.png"), full_page=True)  # type: ignore[attr-defined]
    finally:
        process.terminate()
        process.wait(timeout=20)
