"""Memory of one `radar worker` while it counts a long feed: resident size per 100k events.

Starts its own Kafka broker and worker on free loopback ports in a temporary
folder and feeds events whose event time advances at ``--event-rate`` per
second (2,000/s: a busy shop). By default the events go straight to
``feedback.scored`` already understood (topics, complaint, severity from the
taxonomy; sentiment from the review's label), so a million events take minutes
and the figures show what grows with volume: counting, detection, the sink.
``--via raw`` sends them to ``feedback.raw`` instead, so the worker scores them
too (snownlp: slow on two cores; use it with fewer events).

    .venv/bin/python bench/worker_memory.py --events 1000000
    .venv/bin/python bench/worker_memory.py --events 50000 --via raw
    .venv/bin/python bench/worker_memory.py --data reviews.csv   # any labelled CSV

The texts and labels come from --data (default: ../shared/data/reviews_train.csv
beside the checkout, not part of the repository).

Prints: events stored, windows counted, worker RSS (MB) at each step, then
the peak. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psutil
from kafka import KafkaProducer
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.broker import model_cache, start_broker
from radar.errors import ConfigError
from radar.events import FeedbackEvent, ScoredEvent, make_event_id
from radar.settings import CoreSettings
from radar.store import Store
from radar.store.claims import event_claims
from radar.store.signals import window_counts
from radar.store.tables import events
from radar.topics import Topics, ensure_topics
from streams.scoring import understand
from streams.sentiment.dataset import DEFAULT_TRAINING_CSV
from streams.sentiment.dataset import load_reviews as load_labelled
from streams.settings import WorkerSettings
from streams.taxonomy import default_taxonomy

ROOT = Path(__file__).resolve().parents[1]
RADAR = str(Path(sys.executable).with_name("radar"))
REGIONS = ("华东", "华南", "华北", "西南")


def load_reviews(path: Path, limit: int = 20_000) -> list[tuple[str, int]]:
    """The first ``limit`` texts of a labelled CSV with their labels; exits naming --data."""
    try:
        reviews = load_labelled(path)
    except ConfigError as exc:
        sys.exit(f"error: {exc}")
    rows = zip(reviews.texts[:limit], reviews.labels, strict=False)
    return [(text, int(label)) for text, label in rows]


def feed(
    n: int, start: datetime, event_rate: float, reviews: list[tuple[str, int]], scored: bool
) -> tuple[str, bytes]:
    """The n-th event as bytes: a review of one of 50 products in one of 4 regions."""
    text, label = reviews[n % len(reviews)]
    at = start + timedelta(seconds=n / event_rate)
    external = f"mem-{n}"
    event = FeedbackEvent(
        id=make_event_id("review", "bench", external),
        channel="review",
        source="bench",
        external_id=external,
        text=text,
        created_at=at,
        ingested_at=at,
        product=f"p{n % 50}",
        region=REGIONS[n % 4],
    )
    if not scored:
        return event.id, event.to_json()
    fields = event.model_dump()
    fields.update(understand(event, 0.8 if label else 0.2, TAXONOMY), engine="label", scored_at=at)
    return event.id, ScoredEvent.model_construct(**fields).to_json()


TAXONOMY = default_taxonomy()


def rss_mb(process: psutil.Process) -> float:
    try:
        return process.memory_info().rss / 2**20
    except psutil.Error:
        return float("nan")


def count(store: Store, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_TRAINING_CSV, help="labelled CSV of reviews"
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--event-rate", type=float, default=2000.0, help="Events per event-time s")
    parser.add_argument("--via", choices=("scored", "raw"), default="scored")
    parser.add_argument("--step", type=int, default=100_000, help="Print a row every this many")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (logs)")
    args = parser.parse_args()
    reviews = load_reviews(args.data)  # before anything starts: a missing file exits at once

    home = Path(tempfile.mkdtemp(prefix="radar-memory-"))
    broker = start_broker(home)
    env = {
        **os.environ,
        "RADAR_DATA_DIR": str(home / "data"),
        "RADAR_KAFKA_BOOTSTRAP": broker.bootstrap,
        "RADAR_CACHE_DIR": str(model_cache()),
    }
    os.environ.update(env)
    settings = CoreSettings()
    ensure_topics(settings, extra=[WorkerSettings().windows_topic(settings.topic_prefix)])
    store = Store.from_settings(settings)
    topics = Topics.from_settings(settings)
    topic = topics.scored if args.via == "scored" else topics.raw
    log = (home / "worker.log").open("wb")
    worker = subprocess.Popen([RADAR, "worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
    process = psutil.Process(worker.pid)
    producer = KafkaProducer(
        bootstrap_servers=broker.bootstrap, linger_ms=20, batch_size=512 * 1024, acks="all"
    )
    start = datetime.now(UTC) - timedelta(seconds=args.events / args.event_rate)
    peak, rows = 0.0, []
    began = time.perf_counter()
    try:
        sent = 0
        for step_end in range(args.step, args.events + args.step, args.step):
            step_end = min(step_end, args.events)
            for n in range(sent, step_end):
                key, value = feed(n, start, args.event_rate, reviews, args.via == "scored")
                producer.send(topic, key=key.encode(), value=value)
            producer.flush()
            sent = step_end
            while count(store, events) < sent:  # let the worker catch up before the next step
                peak = max(peak, rss_mb(process))
                if worker.poll() is not None:
                    raise SystemExit(f"the worker stopped; see {home / 'worker.log'}")
                time.sleep(1.0)
            time.sleep(3.0)  # counting and detection finish the step's last batches
            now = rss_mb(process)
            peak = max(peak, now)
            row = (sent, count(store, window_counts), count(store, event_claims), now)
            rows.append(row)
            print(
                f"  {sent:>9,} events  {row[1]:>7,} windows  {row[2]:>8,} claims  "
                f"RSS {now:6.0f} MB  ({time.perf_counter() - began:.0f}s)",
                flush=True,
            )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        producer.close()
        broker.stop()
        if not args.keep:
            shutil.rmtree(home, ignore_errors=True)
    first = rows[0][3] if rows else float("nan")
    print(
        f"\nvia {args.via}, {args.events:,} events at {args.event_rate:.0f}/s of event time, "
        f"cores: {os.cpu_count()}"
    )
    print(
        f"worker RSS: after {rows[0][0]:,} events {first:.0f} MB, "
        f"after {rows[-1][0]:,} {rows[-1][3]:.0f} MB, peak {peak:.0f} MB"
    )


if __name__ == "__main__":
    main()
