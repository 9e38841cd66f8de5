"""CPU per event of each worker stage, in one process and without Kafka.

The same stage objects the worker's agents run, timed apart with the process's
CPU clock, so the figures hold on a shared machine and compare across commits
(run the script of this checkout against other code with ``PYTHONPATH``):
parsing a raw record, scoring (sentiment, topics, stage, severity), counting and
detection (tests/offline.py: counting → outbox → detection, in memory), the sink
(scored events into a fresh SQLite store). Kafka and Faust's own per-message
work come on top in the worker (bench/pipeline.py measures the whole).

    .venv/bin/python bench/worker_cpu.py --events 20000

Texts come from ../shared/data/reviews_train.csv beside the checkout. Not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from radar.events import FeedbackEvent, ScoredEvent, make_event_id, parse_values
from radar.store import Store, make_engine
from streams.counting import Delivery
from streams.scoring import score_or_reject
from streams.sentiment import get_engine
from streams.settings import WorkerSettings
from streams.sink import StoreSink
from streams.taxonomy import default_taxonomy
from tests.offline import OfflineWorker

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = ROOT.parent / "shared" / "data" / "reviews_train.csv"
T0 = datetime(2026, 11, 20, tzinfo=UTC)
CHANNELS = ("review", "email", "chat", "social", "survey")
REGIONS = ("华东", "华南", "华北", "西南")


def raw_records(n: int) -> list[bytes]:
    """``n`` raw records as connectors send them: reviews of the shared set, one every 0.2 s."""
    with REVIEWS.open(encoding="utf-8") as fh:
        texts = [row["review"] for _, row in zip(range(20_000), csv.DictReader(fh), strict=False)]
    records = []
    for i in range(n):
        at = (T0 + timedelta(seconds=i / 5)).isoformat()
        channel = CHANNELS[i % len(CHANNELS)]
        record = {
            "id": make_event_id(channel, "bench", str(i)),
            "channel": channel,
            "source": "bench",
            "external_id": str(i),
            "text": texts[i % len(texts)],
            "created_at": at,
            "ingested_at": at,
            "product": f"p{i % 50}",
            "region": REGIONS[i % 4],
        }
        records.append(json.dumps(record, ensure_ascii=False).encode())
    return records


@contextmanager
def timed(results: dict[str, float], name: str) -> Iterator[None]:
    """Adds the process CPU time of the block to ``results[name]``."""
    started = time.process_time()
    yield
    results[name] = results.get(name, 0.0) + time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=500, help="Events per batch, as the agents")
    args = parser.parse_args()
    records = raw_records(args.events)
    engine = get_engine("default")
    engine.score_batch(["预热 warm-up"])
    taxonomy = default_taxonomy()
    worker = OfflineWorker(WorkerSettings(), now=lambda: T0)
    folder = Path(tempfile.mkdtemp(prefix="radar-cpu-"))
    store = Store(make_engine(f"sqlite:///{folder / 'radar.db'}"))
    store.create_schema()
    sink = StoreSink(store)
    cpu: dict[str, float] = {}
    offset = 0
    for i in range(0, len(records), args.batch):
        batch = records[i : i + args.batch]
        with timed(cpu, "parse raw"):
            events, _ = parse_values(batch, FeedbackEvent, now=T0, stage="worker")
        with timed(cpu, "score"):
            scored, _ = score_or_reject(events, engine, T0, taxonomy)
        with timed(cpu, "encode scored"):
            values = [s.to_json() for s in scored]
        with timed(cpu, "sink"):
            sink.write_scored(values)
        with timed(cpu, "parse scored"):
            parsed, _ = parse_values(values, ScoredEvent, now=T0, stage="count")
        deliveries = [Delivery(0, offset + n, e) for n, e in enumerate(parsed)]
        offset += len(deliveries)
        with timed(cpu, "count + detect"):
            worker.feed(deliveries)
        print(f"\r{i + len(batch)}/{len(records)} events", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    total = sum(cpu.values())
    print(f"CPU per event, {args.events} events in batches of {args.batch} (one process):")
    for name, seconds in cpu.items():
        print(f"  {name:<16} {seconds * 1000 / args.events:7.3f} ms  {seconds / total:6.1%}")
    print(f"  {'all stages':<16} {total * 1000 / args.events:7.3f} ms")


if __name__ == "__main__":
    main()
