"""The rules file of docs/alerts.md on what the worker really emits: titles and inhibition.

Events go through the worker's own stages (counting, detection, crisis
records, in one process), their signals through the alert pipeline with the
documented rules file, on a manual clock. The doc's titles must come out
filled, and its inhibition must mute what it says it mutes.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta
from pathlib import Path

from alerts import incidents
from radar.clock import ManualClock
from radar.events import Signal
from radar.store import Store
from radar.store.db import make_engine
from streams.counting import Delivery
from streams.settings import WorkerSettings
from tests.offline import OfflineWorker
from tests.unit.alerts.conftest import build_harness, rules
from tests.unit.streams.test_counting import T0, scored

DOCS = Path(__file__).resolve().parents[3] / "docs" / "alerts.md"


def documented_rules() -> str:
    """The YAML block under "A complete rules file for a shop"."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("## A complete rules file for a shop", 1)[1]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found, "docs/alerts.md lost its rules file"
    return found.group(1)


def events() -> list[Delivery]:
    """Two days of delivery and quality complaints over regions and products, then a wave of
    delivery complaints from 广东 and, at the same time, a safety scare about p1."""
    rng = random.Random(8)
    regions, products = ["广东", "浙江", "江苏", "上海", "北京"], ["p1", "p2", "p3", "p4"]
    out = []
    for hour in range(52):
        for _ in range(14):
            topic = rng.choice(["物流配送", "商品质量"])
            out.append((hour * 60 + rng.uniform(0, 60), topic, rng.choice(regions), None))
        if hour >= 48:
            for _ in range(50):
                out.append((hour * 60 + rng.uniform(0, 60), "物流配送", "广东", None))
            for _ in range(12):
                out.append(
                    (hour * 60 + rng.uniform(0, 60), "商品质量", rng.choice(regions), "scare")
                )
    out.sort()
    deliveries = []
    for n, (minute, topic, region, kind) in enumerate(out):
        fields = {"topics": [topic], "region": region, "product": rng.choice(products)}
        if kind == "scare":
            fields |= {"product": "p1", "severity": 3, "crisis_terms": ["起火"], "text": "p1起火了"}
        deliveries.append(Delivery(0, n, scored(n, minutes=minute, **fields)))
    return deliveries


def worker_signals(
    deliveries: list[Delivery] | None = None, worker: WorkerSettings | None = None
) -> list[Signal]:
    """What the worker's counting, detection and crisis stages emit for ``deliveries``
    (default: :func:`events`), with ``worker``'s settings (default: Radar's)."""
    clock = ManualClock(T0 + timedelta(days=10))
    offline = OfflineWorker(worker or WorkerSettings(), now=clock.now)
    deliveries, batch = (events() if deliveries is None else deliveries), 200
    for first in range(0, len(deliveries), batch):
        offline.feed(deliveries[first : first + batch])
    return offline.signals


def test_the_documented_rules_title_and_inhibit_real_signals(tmp_path: Path) -> None:
    signals = worker_signals()
    assert any(s.key == {"topic": "物流配送", "region": "广东"} for s in signals)
    assert any(s.type == "spike" and s.key.get("product") == "p1" for s in signals)
    clock = ManualClock(T0 + timedelta(days=10))
    store = Store(make_engine(f"sqlite:///{tmp_path / 'alerts.db'}"), clock)
    store.create_schema()
    harness = build_harness(rules(documented_rules()), clock, store)
    for signal in signals:
        if signal.status == "firing":  # the episodes are still on when the service hears them
            harness.pipeline.handle(signal)
    harness.run_for(timedelta(minutes=2))
    opened = incidents.list_incidents(store, status=None, limit=None)
    titles = sorted(i.title for i in opened)
    # the documented titles, filled from real keys (×N: alerts of the incident)
    assert any(re.fullmatch(r"物流投诉激增：广东( ×\d+)?", t) for t in titles), titles
    assert any(re.fullmatch(r"危机：p1（安全）( ×\d+)?", t) for t in titles), titles
    p1_spikes = [i for i in opened if i.type == "spike" and i.key.get("product") == "p1"]
    assert p1_spikes == []  # muted while the crisis about p1 fires
    assert not [i for i in opened if i.key.get("scope") == "all"]  # muted by the wave
    assert len(opened) == 2, titles
