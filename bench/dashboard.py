"""Dashboard benchmark: every view against a store with 1,000,000 events, cold and warm.

Seeds a store (SQLite, and PostgreSQL with --postgres) with realistic scored
events over --days (texts from the shared reviews, threads with staff replies,
surveys), plus incidents, heartbeats, dead letters, pipeline samples and
improvement actions; builds the roll-ups once, as ``radar dashboard`` does before
serving; then, per view:

* ``page cold``: the first load after a start: Streamlit's AppTest renders the
  page with every cache and resource empty (store connection, indexes check,
  planner statistics), after a few hundred new events arrived, so the page also
  brings the roll-ups up to date;
* ``page warm``: the same page again (cached queries, as users mostly see it);
* ``queries``: the view's queries and analysis called directly, no cache.

    .venv/bin/python bench/dashboard.py --events 1000000 [--db /tmp/radar-1m.db]
        [--postgres | --postgres-url postgresql+psycopg://...]

``--db`` keeps (or reuses) the SQLite file and ``--postgres-url`` a database of
a running server, since seeding 1M events takes minutes. Not a test: run it by
hand; the machine's cores are shared, so compare the figures of one run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench.storeseed import Seeder  # noqa: E402
from radar.clock import from_millis  # noqa: E402
from radar.events import DeadLetter, Heartbeat, ScoredEvent  # noqa: E402
from radar.store import Store, make_engine  # noqa: E402
from radar.store.health import record_pipeline_stats  # noqa: E402
from radar.store.improvements import list_improvements, record_improvement  # noqa: E402
from radar.store.refresh import refresh_rollups  # noqa: E402
from radar.store.rollups import ResponseSla  # noqa: E402
from radar.store.tables import events  # noqa: E402

VIEWS = ("overview", "complaints", "incidents", "improvements", "products", "health")


def seed_extras(store: Store, now: datetime) -> None:
    """Incidents with evidence, heartbeats, dead letters, lag samples, improvement actions."""
    from alerts.incidents import open_incident, resolve
    from alerts.playbooks import checklist_data

    for n in range(30):
        incident = open_incident(
            store,
            group_key=f"bench{n}",
            rule="topic-spike",
            type="spike",
            title=f"投诉激增 #{n}",
            severity=n % 4,
            key={"topic": "物流配送", "region": "广东"},
            data={"alerts": [], "checklist": checklist_data("spike")},
            now=now - timedelta(hours=3 * n + 1),
        )
        if n >= 5:
            resolve(store, incident.id, "bench", "done", now=now - timedelta(hours=3 * n))
    store.record_heartbeat(
        Heartbeat(source="review-main", channel="review", at=now, last_success_at=now)
    )
    store.add_deadletters(
        [
            DeadLetter(
                id=f"dl{n}",
                reason=("bad_json", "missing_field", "too_long")[n % 3],
                message="bench",
                original="{",
                created_at=now - timedelta(minutes=n),
            )
            for n in range(500)
        ]
    )
    for minutes in range(0, 360, 1):
        record_pipeline_stats(
            store,
            service="worker",
            consumer_group="radar-worker",
            topic="feedback.raw",
            lag=minutes % 50,
            records_per_s=40.0,
            now=now - timedelta(minutes=minutes),
        )
    for topic, days in (("物流配送", 20), ("商品质量", 10), ("退换货退款", 40)):
        record_improvement(
            store,
            title=f"改进 {topic}",
            topic=topic,
            shipped_at=now - timedelta(days=days),
            owner="bench",
            created_by="bench",
        )


def seed(url: str, total: int, days: int, now: datetime) -> Store:
    store = Store(make_engine(url))
    store.create_schema()
    with store.engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(events)).scalar() or 0
    if have >= total:
        print(f"  reusing {have:,} events")
        if not list_improvements(store):
            seed_extras(store, now)
        return store
    started = time.monotonic()
    if url.startswith("sqlite"):
        with store.engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=OFF")

    def progress(done: int) -> None:
        print(f"\r  seeded {done:,} events ({time.monotonic() - started:.0f}s)", end="", flush=True)

    Seeder(store, now, days).run(total, progress)
    print()
    seed_extras(store, now)
    return store


def arrive(store: Store, now: datetime, n: int, batch: int) -> None:
    """``n`` new customer messages of the last minutes, stored through the store as a sink does."""
    seeder = Seeder(store, now, 1, seed=1000 + batch)
    seeder.seq = 10_000_000 * (batch + 1)
    fields = set(ScoredEvent.model_fields)
    fresh = []
    for k in range(n):
        row, _topics = seeder.customer(int(now.timestamp() * 1000) - 1000 * k)
        row = {f: v for f, v in row.items() if f in fields}
        for name in ("created_at", "ingested_at", "scored_at"):
            row[name] = from_millis(row[name])
        fresh.append(ScoredEvent(**row))
    store.add_scored(fresh)


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def view_queries(store: Store, now: datetime) -> dict[str, Callable[[], Any]]:
    """Each view's queries and analysis, called the way its page calls them (no cache)."""
    import alerts
    from dashboard.analysis import faq, kpis, rising, terms
    from dashboard.analysis.effects import measure
    from dashboard.queries import health, improvements, incidents, overview, products, topics
    from dashboard.queries.filters import Filters

    until = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    sla = ResponseSla()

    def overview_view() -> None:
        refresh_rollups(store, sla)
        frame = overview.hourly(store, until - timedelta(days=14), until)
        cut = int((until - timedelta(days=7)).timestamp() * 1000)
        kpis.compare(
            kpis.per_channel(frame[frame.hour >= cut]), kpis.per_channel(frame[frame.hour < cut])
        )
        kpis.series(frame, 86_400_000)
        overview.sources(store, now)

    def complaints_view() -> None:
        refresh_rollups(store, sla)
        topics.dimension_values(store, until - timedelta(days=7))
        f = Filters(until - timedelta(days=7), until)
        topics.heatmap(store, f, 86_400_000)
        rising.rising_topics(topics.topic_windows(store, f, timedelta(days=1)), 86400, 6 * 86400)
        topics.messages(store, f)
        topics.count_messages(store, f, None)

    def incidents_view() -> None:
        open_now = alerts.list_incidents(store, status="open")
        alerts.list_incidents(store, status="resolved")
        if open_now:
            chosen = open_now[0].id
            alerts.checklist(store, chosen)
            alerts.timeline(store, chosen)
            incidents.evidence(store, list(open_now[0].data.get("alerts", [])))

    def improvements_view() -> None:
        refresh_rollups(store, sla)
        topics.dimension_values(store, until - timedelta(days=7))
        topics.topics_seen(store, until - timedelta(days=90))
        window = timedelta(days=28)
        for action in list_improvements(store):
            before = improvements.scope_counts(
                store, action, action.shipped_at - window, action.shipped_at
            )
            after = improvements.scope_counts(
                store, action, action.shipped_at, min(until, action.shipped_at + window)
            )
            measure(*before, *after)
        first = list_improvements(store)[0]
        improvements.scope_series(store, first, first.shipped_at - window, until, 86_400_000)

    def products_view() -> None:
        refresh_rollups(store, sla)
        topics.dimension_values(store, until - timedelta(days=7))
        product = None  # the page opens on all products
        since, cut = until - timedelta(days=30), until - timedelta(days=7)
        products.topic_mix(store, product, since, until, 86_400_000)
        terms.emerging_terms(
            products.texts(store, product, cut, until), products.texts(store, product, since, cut)
        )
        faq.faq_table(
            faq.group_questions(products.texts(store, product, since, until, questions=True))
        )

    def health_view() -> None:
        since = until - timedelta(hours=6)
        health.throughput(store, since)
        health.lag(store, since)
        health.deadletter_reasons(store, until - timedelta(hours=24))
        health.deadletter_examples(store)
        health.connectors(store)

    return {
        "overview": overview_view,
        "complaints": complaints_view,
        "incidents": incidents_view,
        "improvements": improvements_view,
        "products": products_view,
        "health": health_view,
    }


def page_times(view: str) -> tuple[float, float]:
    """(cold, warm) seconds of AppTest rendering the whole page as a manager.

    Cold is the first load after a start: no cached data and no resources (the
    store is opened again, its indexes checked, SQLite's statistics refreshed).
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User
    from radar.i18n import translate

    def render() -> float:
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
        at.session_state["user"] = User("bench", ("admin",), "bench")
        at.switch_page(f"app_pages/{view}.py")
        started = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(f"{view}: {at.exception}")
        if [t.value for t in at.title] != [translate(f"label.page.{view}", "zh")]:
            raise RuntimeError(f"{view}: rendered {[t.value for t in at.title]}")
        return elapsed

    st.cache_data.clear()
    st.cache_resource.clear()
    cold = render()
    warm = render()
    return cold, warm


def bench(
    label: str, url: str, args: argparse.Namespace
) -> list[tuple[str, str, float, float, float]]:
    now = datetime.now(UTC)
    print(f"{label}: seeding {args.events:,} events over {args.days} days ...")
    store = seed(url, args.events, args.days, now)
    t_schema = timed(store.create_schema)
    if store.engine.dialect.name == "postgresql":  # what autovacuum does after a bulk load
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    t_rollup = timed(lambda: refresh_rollups(store, ResponseSla()))
    print(
        f"  schema and indexes {t_schema:.1f}s; roll-ups brought up to date {t_rollup:.1f}s "
        "(all of them the first time: once per store, by `radar dashboard` before serving)"
    )
    os.environ["RADAR_STORE_URL"] = url
    rows = []
    for n, (view, work) in enumerate(view_queries(store, datetime.now(UTC)).items()):
        arrive(store, datetime.now(UTC), 300, n)  # the live feed goes on between starts
        page_cold, page_warm = page_times(view)
        cold_queries = timed(work)
        rows.append((label, view, cold_queries, page_cold, page_warm))
        print(
            f"  {view:<13} page cold {page_cold:6.2f}s  warm {page_warm:6.2f}s"
            f"  queries {cold_queries:6.2f}s"
        )
    return rows


def main() -> None:
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60, help="days of history the events span")
    parser.add_argument("--db", type=Path, help="SQLite file to create or reuse")
    parser.add_argument("--postgres", action="store_true", help="also run on Debian's PostgreSQL")
    parser.add_argument("--postgres-url", help="also run on this PostgreSQL database (reused)")
    args = parser.parse_args()
    os.environ.setdefault("RADAR_DATA_DIR", tempfile.mkdtemp(prefix="radar-bench-"))
    rows = []
    db = args.db or Path(tempfile.mkdtemp(prefix="radar-bench-")) / "radar.db"
    rows += bench("SQLite", f"sqlite:///{db}", args)
    if args.postgres_url:
        rows += bench("PostgreSQL", args.postgres_url, args)
    elif args.postgres:
        from tests.postgres import postgres_server

        with postgres_server() as url:
            rows += bench("PostgreSQL", url, args)
    print(f"\n{args.events:,} events over {args.days} days; seconds; budget 2 s per view")
    print("| store | view | page, first load after start | page, warm | queries + analysis |")
    print("|---|---|---|---|---|")
    for label, view, queries, cold, warm in rows:
        print(f"| {label} | {view} | {cold:.2f} | {warm:.2f} | {queries:.2f} |")


if __name__ == "__main__":
    main()
