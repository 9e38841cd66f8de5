"""The foundation slice on the real broker: file → raw → worker → scored → store."""

from __future__ import annotations

import csv
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from radar.store import Store
from radar.store.health import latest_pipeline_stats
from radar.store.rollups import read_hourly_stats
from tests.integration.conftest import Pipeline, free_port

pytestmark = pytest.mark.integration

VALID = [
    ("r1", "这个手机非常好用，物流也很快，五星好评", "2026-11-20 10:00:00", "5"),
    ("r2", "质量太差了，用了两天就坏了，客服也不回复，差评", "2026-11-20 11:00:00", "1"),
    ("r3", "包装完好，发货速度快，孩子很喜欢", "2026-11-21 09:30:00", "4"),
    ("r4", "屏幕有划痕，联系我 13812345678 处理退货", "2026-11-21 12:00:00", "2"),
    ("r5", "The delivery was late but the product works", "2026-11-22T08:00:00+00:00", ""),
]
INVALID = [
    ("r6", "", "2026-11-20 10:00:00", ""),  # nothing to analyse
    ("r7", "评分超出范围", "2026-11-20 10:00:00", "9"),  # rating out of range
    ("r8", "时间不对", "yesterday-ish", "3"),  # unreadable time
]


def write_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "content", "time", "stars"])
        writer.writerows(VALID + INVALID)
    return path


def test_file_to_store_through_kafka_and_worker(pipeline: Pipeline, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "reviews.csv")
    out = pipeline.radar(
        "ingest", "file", str(source), "--channel", "review", "--map", "text=content", "--json"
    )
    assert '"events": 5' in out.stdout and '"deadletters": 3' in out.stdout

    metrics_port = free_port()
    pipeline.env["RADAR_WORKER_ROLLUP_INTERVAL_S"] = "1"
    pipeline.start("worker", "--metrics-port", str(metrics_port))
    pipeline.wait_for(
        lambda: (
            pipeline.report()["events"]["total"] == len(VALID)
            and pipeline.report()["deadletter"]["total"] == len(INVALID)
        ),
        what="the store to hold every event and dead letter",
    )

    scored = pipeline.consume("feedback.scored", len(VALID))
    assert len(scored) == len(VALID)
    by_external = {s["external_id"]: s for s in scored}
    assert set(by_external) == {row[0] for row in VALID}
    for record in scored:
        assert 0.0 <= record["sentiment"] <= 1.0
        assert record["sentiment_label"] in {"neg", "neu", "pos"}
        assert record["channel"] == "review" and record["source"] == "reviews.csv"
        assert record["created_at"].endswith("Z") or record["created_at"].endswith("+00:00")
    assert by_external["r1"]["sentiment"] > by_external["r2"]["sentiment"]
    assert by_external["r2"]["is_complaint"] is True  # one star
    assert "13812345678" not in by_external["r4"]["text"]  # masked at the connector
    assert "138****5678" in by_external["r4"]["text"]

    letters = pipeline.consume("feedback.deadletter", len(INVALID))
    reasons = {letter["locator"]: letter["reason"] for letter in letters}
    assert reasons == {
        "reviews.csv:7": "missing_field",
        "reviews.csv:8": "invalid_value",
        "reviews.csv:9": "bad_timestamp",
    }
    originals = [letter["original"] for letter in letters]
    assert any('"stars": "9"' in original for original in originals)

    report = pipeline.report()
    assert report["events"] == {"total": 5, "by_channel": {"review": 5}, "duplicates": 0}
    assert report["deadletter"]["by_reason"] == {
        "bad_timestamp": 1,
        "invalid_value": 1,
        "missing_field": 1,
    }
    assert report["complaints"] >= 2
    assert report["incidents"] == {"open": 0}

    # the worker samples its lag for the dashboard's health page: caught up on feedback.raw
    store = Store.from_settings(pipeline.settings)
    raw = pipeline.topics.raw

    def caught_up_sample() -> bool:
        samples = [s for s in latest_pipeline_stats(store) if s.topic == raw]
        return bool(samples) and samples[0].lag == 0 and samples[0].records_total == len(VALID)

    pipeline.wait_for(caught_up_sample, timeout=60, what="a pipeline_stats sample with lag 0")

    # the worker keeps the dashboard's roll-ups current (the dashboard only reads them)
    def rolled_up() -> int:
        since, until = datetime(2026, 11, 19, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)
        return sum(row["volume"] for row in read_hourly_stats(store, since, until))

    pipeline.wait_for(lambda: rolled_up() == len(VALID), timeout=60, what="hourly roll-ups")

    # Prometheus sees what the stages did: records in and out, dead letters stored, the lag
    samples = scrape(metrics_port)
    assert samples[("radar_worker_records_in_total", (("stage", "score"),))] == len(VALID)
    assert samples[("radar_worker_records_out_total", (("stage", "score"),))] == len(VALID)
    assert samples[("radar_worker_records_out_total", (("stage", "sink-scored"),))] == len(VALID)
    assert samples[("radar_worker_records_in_total", (("stage", "sink-deadletter"),))] == 3
    assert samples[("radar_worker_batch_seconds_count", (("stage", "score"),))] >= 1
    lag = (
        "radar_worker_consumer_lag",
        (("group", pipeline.env["RADAR_WORKER_APP_ID"]), ("topic", raw)),
    )
    assert samples[lag] == 0


def test_reingesting_the_same_file_changes_nothing(pipeline: Pipeline, tmp_path: Path) -> None:
    source = write_csv(tmp_path / "reviews.csv")
    args = (
        "ingest",
        "file",
        str(source),
        "--channel",
        "review",
        "--map",
        "text=content",
        "--quiet",
    )
    pipeline.radar(*args)
    pipeline.start("worker")
    pipeline.wait_for(
        lambda: (
            pipeline.report()["events"]["total"] == len(VALID)
            and pipeline.report()["deadletter"]["total"] == len(INVALID)
        ),
        what="the first ingest to be stored",
    )
    first = pipeline.report()

    pipeline.radar(*args)
    group = pipeline.env["RADAR_WORKER_APP_ID"]
    pipeline.wait_for(
        lambda: (
            len(pipeline.consume("feedback.raw", 2 * len(VALID), timeout=5)) == 2 * len(VALID)
            and pipeline.lag(group) == 0
        ),
        what="the worker to process the second ingest",
    )
    assert len(pipeline.consume("feedback.scored", 2 * len(VALID))) == 2 * len(VALID)
    assert pipeline.report() == first


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample a /metrics endpoint serves, by name and sorted labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
