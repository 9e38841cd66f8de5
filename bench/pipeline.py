"""Load benchmark of the real pipeline: broker → worker(s) → store, at rising rates.

Starts its own Kafka broker and `radar worker` processes on free loopback ports
in a temporary folder, produces feedback events (texts from the shared reviews)
straight to ``feedback.raw`` at each target rate, and prints, side by side per
rate: the rate achieved by the producer, the rate the store absorbed, end-to-end
latency p50/p99 (``ingested_at`` at the producer → ``stored_at`` in the store), and
the peak memory of each process. A final "drain" step pushes a backlog as fast as
possible and reports the sustained rate.

    .venv/bin/python bench/pipeline.py --rates 500 1000 2000 --seconds 20 --drain 40000
    .venv/bin/python bench/pipeline.py --workers 2 --baseline     (beside a plain consumer)
    .venv/bin/python bench/pipeline.py --brokers 3 --store postgresql   (beside 1 node, SQLite)

Not a test: run it by hand; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil
from kafka import KafkaProducer
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.broker import free_port, model_cache, start_broker
from radar.broker import LocalCluster
from radar.clock import from_millis, to_millis
from radar.events import FeedbackEvent, make_event_id
from radar.settings import BrokerSettings, CoreSettings, codec
from radar.store import Store
from radar.store.tables import events
from radar.topics import Topics, ensure_topics

ROOT = Path(__file__).resolve().parents[1]
NAN = float("nan")
REVIEWS = ROOT.parent / "shared" / "data" / "reviews_train.csv"
RADAR = str(Path(sys.executable).with_name("radar"))


def load_texts(limit: int = 20_000) -> list[str]:
    with REVIEWS.open(encoding="utf-8") as fh:
        return [row["review"] for _, row in zip(range(limit), csv.DictReader(fh), strict=False)]


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


@dataclass
class MemoryWatch:
    """Samples the resident memory of processes (and their children) until stopped, and
    how many cores each kept busy on average."""

    processes: dict[str, psutil.Process]
    peak_mb: dict[str, float] = field(default_factory=dict)
    last_mb: dict[str, float] = field(default_factory=dict)
    cores: dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _cpu_start: dict[str, float] = field(default_factory=dict)
    _started: float = 0.0

    def start(self) -> None:
        self._started = time.perf_counter()
        self._cpu_start = {name: cpu_seconds(p) for name, p in self.processes.items()}
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for name, process in self.processes.items():
                try:
                    rss = process.memory_info().rss + sum(
                        c.memory_info().rss for c in process.children(recursive=True)
                    )
                except psutil.Error:
                    continue
                self.last_mb[name] = rss / 2**20
                self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), rss / 2**20)
            self._stop.wait(0.5)

    def workers_cpu_s(self) -> float:
        """CPU seconds the worker processes used so far (user and system, all threads)."""
        return sum(
            cpu_seconds(p) for name, p in self.processes.items() if name.startswith("worker")
        )

    def stop(self) -> None:
        self._stop.set()
        wall = time.perf_counter() - self._started
        for name, process in self.processes.items():
            try:
                used = cpu_seconds(process) - self._cpu_start[name]
            except psutil.Error:
                continue
            self.cores[name] = used / wall


class Feeder:
    """Produces feedback events to ``feedback.raw`` at a target rate."""

    def __init__(self, settings: CoreSettings, texts: list[str]) -> None:
        self.topic = Topics.from_settings(settings).raw
        self.texts = texts
        self.sent = 0
        self.producer = KafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap,
            acks="all",
            linger_ms=5,
            compression_type=codec(settings.kafka_compression),
            batch_size=256 * 1024,
        )
        now = datetime.now(UTC)
        sample = FeedbackEvent(
            id=make_event_id("review", "bench", "0"),
            channel="review",
            source="bench",
            external_id="0",
            text="模板",
            created_at=now,
            ingested_at=now,
        )
        self.template = json.loads(sample.to_json())
        assert FeedbackEvent.model_validate_json(self.event(0)).source == "bench"

    def event(self, n: int) -> bytes:
        """Event ``n`` as a connector would send it (the bench's own CPU kept low: the
        fields are laid out once, only id, text and times change)."""
        now = datetime.now(UTC).isoformat()
        external = f"bench-{n}"
        record = self.template | {
            "id": make_event_id("review", "bench", external),
            "external_id": external,
            "text": self.texts[n % len(self.texts)],
            "created_at": now,
            "ingested_at": now,
            "product": f"p{n % 50}",
            "region": ("华东", "华南", "华北", "西南")[n % 4],
        }
        return json.dumps(record, ensure_ascii=False).encode()

    def run(self, rate: float | None, count: int) -> float:
        """Send ``count`` events at ``rate`` per second (None: as fast as possible); returns s."""
        start = time.perf_counter()
        for i in range(count):
            if rate:
                due = start + i / rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            self.producer.send(self.topic, key=str(self.sent).encode(), value=self.event(self.sent))
            self.sent += 1
        self.producer.flush()
        return time.perf_counter() - start


def stored(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(events)) or 0)


def latencies_ms(store: Store, since_ms: int) -> list[float]:
    query = select(events.c.ingested_at, events.c.stored_at).where(
        events.c.ingested_at >= from_millis(since_ms)
    )
    with store.engine.connect() as conn:
        return [(s - i).total_seconds() * 1000 for i, s in conn.execute(query).all()]


def wait_stored(store: Store, target: int, timeout_s: float) -> float:
    """Seconds until the store holds ``target`` events (or the timeout)."""
    start = time.perf_counter()
    while stored(store) < target and time.perf_counter() - start < timeout_s:
        time.sleep(0.2)
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass(frozen=True)
class Setup:
    """One configuration the bench runs: brokers, store, and Radar or the plain consumer."""

    brokers: int = 1
    store: str = "sqlite"
    plain: bool = False

    def label(self) -> str:
        who = "plain consumer" if self.plain else "Radar"
        return f"{who}, {self.brokers} broker{'s' if self.brokers > 1 else ''}, {self.store}"


@dataclass
class Result:
    setup: Setup
    rows: list[tuple[str, float, float, float, float, float, float]]
    watch: MemoryWatch


@contextmanager
def kafka(setup: Setup, home: Path) -> Iterator[tuple[str, list[psutil.Process]]]:
    """The broker(s) of a setup, running: (bootstrap, their processes)."""
    if setup.brokers == 1:
        broker = start_broker(home)
        try:
            yield broker.bootstrap, [psutil.Process(broker.pid() or 0)]
        finally:
            broker.stop()
        return
    settings = BrokerSettings(
        port=free_port(), controller_port=free_port(), cache_dir=ROOT / ".cache" / "kafka",
        heap_mb=512,
    )  # fmt: skip
    settings = settings.model_copy(update={"controller_port": settings.port + 2 * setup.brokers})
    cluster = LocalCluster(settings, home / "kafka-cluster", brokers=setup.brokers)
    print(f"starting a {setup.brokers}-node Kafka cluster in {home} ...", flush=True)
    cluster.start()
    try:
        pids = [node.pid() or 0 for node in cluster.nodes]
        yield cluster.bootstrap, [psutil.Process(pid) for pid in pids]
    finally:
        cluster.stop()


@contextmanager
def store_url(setup: Setup, home: Path) -> Iterator[str]:
    if setup.store == "sqlite":
        yield f"sqlite:///{home / 'radar.db'}"
        return
    from tests.postgres import postgres_cluster

    with postgres_cluster() as server:
        yield server.url


def run(setup: Setup, args: argparse.Namespace, texts: list[str]) -> Result:
    """One setup from start to end: the table's rows and what each process used."""
    home = Path(tempfile.mkdtemp(prefix="radar-bench-"))
    with kafka(setup, home) as (bootstrap, brokers), store_url(setup, home) as url:
        env = {
            **os.environ,
            "RADAR_DATA_DIR": str(home / "data"),
            "RADAR_KAFKA_BOOTSTRAP": bootstrap,
            "RADAR_STORE_URL": url,
            "RADAR_TOPIC_REPLICATION": str(min(3, setup.brokers)),
            "RADAR_CACHE_DIR": str(model_cache()),
            "RADAR_WORKER_SENTIMENT_ENGINE": args.engine,
        }
        os.environ.update(env)
        settings = CoreSettings()
        ensure_topics(settings)
        store = Store.from_settings(settings)
        store.create_schema()
        command = [sys.executable, str(ROOT / "bench" / "plain_consumer.py")]
        workers = [
            subprocess.Popen(
                command if setup.plain else [RADAR, "worker"],
                env=env,
                stdout=(home / f"worker{i}.log").open("wb"),
                stderr=subprocess.STDOUT,
            )
            for i in range(1 if setup.plain else args.workers)
        ]
        watch = MemoryWatch(
            {f"broker{i}": p for i, p in enumerate(brokers)}
            | {f"worker{i}": psutil.Process(w.pid) for i, w in enumerate(workers)}
            | {"feeder": psutil.Process()}
        )
        watch.start()
        feeder = Feeder(settings, texts)
        rows = []
        try:
            print(f"{setup.label()}: warming up (start, engine load, partitions) ...", flush=True)
            feeder.run(None, 200)
            wait_stored(store, 200, 180)
            time.sleep(5 * len(workers))  # workers joining later rebalance the group: let them
            feeder.run(200, 1000)
            wait_stored(store, 1200, 180)
            for rate in args.rates:
                count = int(rate * args.seconds)
                before, since = stored(store), to_millis(datetime.now(UTC))
                cpu = watch.workers_cpu_s()
                sent_s = feeder.run(rate, count)
                extra_s = wait_stored(store, before + count, 120)
                lat = latencies_ms(store, since)
                rows.append(
                    (
                        f"{rate:>7.0f}/s",
                        count / sent_s,
                        count / (sent_s + extra_s),
                        percentile(lat, 0.5),
                        percentile(lat, 0.99),
                        extra_s,
                        (watch.workers_cpu_s() - cpu) * 1000 / count,
                    )
                )
                print(f"  rate {rate:.0f}/s done", flush=True)
            if args.drain:
                before = stored(store)
                cpu = watch.workers_cpu_s()
                start = time.perf_counter()  # the backlog is produced while it is read
                feeder.run(None, args.drain)
                wait_stored(store, before + args.drain, 600)
                took = time.perf_counter() - start
                cpu_ms = (watch.workers_cpu_s() - cpu) * 1000 / args.drain
                rows.append(("  drain", NAN, args.drain / took, NAN, NAN, took, cpu_ms))
        finally:
            watch.stop()
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(timeout=30)
            store.engine.dispose()
    return Result(setup, rows, watch)


def print_result(result: Result, args: argparse.Namespace) -> None:
    workers = 1 if result.setup.plain else args.workers
    print(f"\n{result.setup.label()}: workers {workers}, engine {args.engine}, ", end="")
    print(f"step {args.seconds:.0f}s, cores {os.cpu_count()}")
    print(
        f"{'target':>10} {'produced/s':>11} {'stored/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'catch-up s':>10} {'worker CPU ms/event':>20}"
    )
    for target, produced, absorbed, p50, p99, extra, cpu_ms in result.rows:
        print(
            f"{target:>10} {produced:>11.0f} {absorbed:>9.0f} {p50:>8.0f} {p99:>8.0f}"
            f" {extra:>10.1f} {cpu_ms:>20.2f}"
        )
    watch = result.watch
    print(
        "memory (MB), peak / at the end: "
        + ", ".join(
            f"{k} {v:.0f} / {watch.last_mb[k]:.0f}" for k, v in sorted(watch.peak_mb.items())
        )
    )
    print(
        "cores busy (average): " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(watch.cores.items()))
    )


def print_side_by_side(results: list[Result]) -> None:
    """stored/s and p99 of every setup per step, Radar as a share of the plain consumer."""
    print("\nside by side: stored/s (p99 ms)")
    print(f"{'step':>10} " + " ".join(f"{r.setup.label():>34}" for r in results))
    for i, (target, *_rest) in enumerate(results[0].rows):
        cells = []
        for r in results:
            _, _, absorbed, _, p99, _, _ = r.rows[i]
            cells.append(f"{absorbed:>8.0f}" + (f" ({p99:.0f})" if p99 == p99 else ""))
        print(f"{target:>10} " + " ".join(f"{c:>34}" for c in cells))
    for r in results:
        if r.setup.plain:
            continue
        plain = next(
            (p for p in results if p.setup.plain and p.setup.brokers == r.setup.brokers
             and p.setup.store == r.setup.store), None,
        )  # fmt: skip
        if plain is not None and r.rows[-1][0].strip() == "drain":
            share = r.rows[-1][2] / plain.rows[-1][2]
            print(f"{r.setup.label()}: drain at {share:.0%} of the plain consumer's")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rates", type=float, nargs="+", default=[500, 1000, 2000, 3000])
    parser.add_argument("--seconds", type=float, default=20, help="Duration of each rate step")
    parser.add_argument(
        "--drain", type=int, default=40_000, help="Backlog size of the drain step (0: skip)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="Worker processes (one consumer group)"
    )
    parser.add_argument("--engine", default="default", help="Sentiment engine of the workers")
    parser.add_argument(
        "--brokers", type=int, default=1, help="Kafka nodes (3: a cluster, run beside one node)"
    )
    parser.add_argument(
        "--store",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="Store of the setup (postgresql: a throwaway server; run beside SQLite)",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="Also run a plain consumer (no work, same rows, same store) on each setup",
    )
    args = parser.parse_args()
    texts = load_texts()
    setups = [Setup()]
    if (args.brokers, args.store) != (1, "sqlite"):
        setups.append(Setup(args.brokers, args.store))
    if args.baseline:
        setups += [Setup(s.brokers, s.store, plain=True) for s in list(setups)]
    results = [run(setup, args, texts) for setup in setups]
    for result in results:
        print_result(result, args)
    if len(results) > 1:
        print_side_by_side(results)


if __name__ == "__main__":
    main()
