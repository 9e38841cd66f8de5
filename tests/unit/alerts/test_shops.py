"""Which shops an incident concerns: a user limited to some shops sees an incident only when
every shop it holds evidence of is theirs; Radar's own rules open one incident per shop, and a
wave in one shop, detected by the worker under the documented shop key, is that shop's."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta
from pathlib import Path

from alerts import incidents
from alerts.settings import DEFAULT_RULES
from alerts.shops import incident_shops, visible_incidents, visible_to
from radar.clock import ManualClock
from radar.store import Store
from radar.store.db import make_engine
from streams.counting import Delivery
from streams.settings import WorkerSettings
from tests.unit.alerts.conftest import START, build_harness, make_signal, rules
from tests.unit.alerts.test_documented_rules import worker_signals
from tests.unit.alerts.test_pipeline import HarnessFactory
from tests.unit.streams.test_counting import T0, scored

DASHBOARD_DOC = Path(__file__).resolve().parents[3] / "docs" / "dashboard.md"


def incident(key: dict[str, str], *signal_keys: dict[str, str]) -> incidents.Incident:
    return incidents.Incident(
        id="INC-1",
        type="spike",
        title="投诉激增",
        status="open",
        severity=2,
        owner=None,
        key=key,
        opened_at=START,
        updated_at=START,
        resolved_at=None,
        acknowledged_at=None,
        acknowledged_by=None,
        resolved_by=None,
        group_key="g",
        rule="r",
        version=1,
        published_version=0,
        data={"alerts": [{"type": "spike", "key": k} for k in signal_keys]},
    )


class TestVisibility:
    def test_an_incident_of_one_shop_is_its_users(self) -> None:
        key = {"shop": "旗舰店", "topic": "物流配送"}
        one = incident(key, key)
        assert incident_shops(one) == {"旗舰店"}
        assert visible_to(one, ["旗舰店"]) and visible_to(one, ["旗舰店", "专营店"])
        assert not visible_to(one, ["专营店"])
        assert visible_to(one, None)

    def test_an_incident_holding_another_shops_evidence_is_not_theirs(self) -> None:
        """Grouped by topic only, one incident holds both shops' signals (and customers)."""
        mixed = incident(
            {"topic": "物流配送"},
            {"shop": "旗舰店", "topic": "物流配送"},
            {"shop": "专营店", "topic": "物流配送"},
        )
        assert incident_shops(mixed) == {"旗舰店", "专营店"}
        assert not visible_to(mixed, ["旗舰店"])
        assert not visible_to(mixed, ["专营店"])
        assert visible_to(mixed, ["专营店", "旗舰店"])
        assert visible_incidents([mixed], ["旗舰店"]) == []

    def test_an_incident_naming_no_shop_spans_every_shop(self) -> None:
        overall = incident({"scope": "all"}, {"scope": "all"})
        assert not visible_to(overall, ["旗舰店"])
        assert visible_to(overall, None)


def test_radar_rules_open_one_incident_per_shop(harness_factory: HarnessFactory) -> None:
    """Two shops' crises of one kind (keyed by shop when they name no product) are two
    incidents under the built-in rules, each seen by its own shop's users."""
    h = harness_factory(DEFAULT_RULES.read_text(encoding="utf-8"))
    for n, shop in enumerate(("旗舰店", "专营店")):
        h.feed(
            make_signal(
                f"crisis-{n}",
                type="crisis",
                at=START,
                key={"crisis": "safety", "shop": shop},
                crisis_terms=("起火",),
                samples=(f"{shop}买的充电宝起火了",),
            )
        )
    h.run_for(timedelta(minutes=1))
    opened = incidents.list_incidents(h.store)
    assert sorted(i.key.get("shop", "") for i in opened) == ["专营店", "旗舰店"]
    (mine,) = visible_incidents(opened, ["旗舰店"])
    samples = [s["text"] for a in mine.data["alerts"] for s in a["samples"]]
    assert samples == ["旗舰店买的充电宝起火了"]


def documented_combinations() -> list[str]:
    """The detection keys docs/dashboard.md tells a many-shop deployment to set."""
    text = DASHBOARD_DOC.read_text(encoding="utf-8")
    found = re.search(r"RADAR_WORKER_KEY_COMBINATIONS='(\[.*?\])'", text)
    assert found, "docs/dashboard.md lost its shop keys"
    return list(json.loads(found.group(1)))


def shop_wave() -> list[Delivery]:
    """Two days of complaints over three shops, then two hours of a delivery wave in one."""
    rng = random.Random(8)
    shops = ["旗舰店", "专营店", "折扣店"]
    out = []
    for hour in range(52):
        for _ in range(14):
            topic = rng.choice(["物流配送", "商品质量"])
            out.append((hour * 60 + rng.uniform(0, 60), topic, rng.choice(shops)))
        if hour >= 48:
            out += [(hour * 60 + rng.uniform(0, 60), "物流配送", "旗舰店") for _ in range(30)]
    out.sort()
    return [
        Delivery(
            0,
            n,
            scored(
                n,
                minutes=minute,
                topics=[topic],
                shop=shop,
                region=rng.choice(["广东", "浙江"]),
                product=rng.choice(["p1", "p2"]),
            ),
        )
        for n, (minute, topic, shop) in enumerate(out)
    ]


def test_a_wave_in_one_shop_is_that_shops_incident(tmp_path: Path) -> None:
    """The worker, keyed as docs/dashboard.md says, tells the wave as the shop's (not as the
    topic's everywhere); the built-in rules make it an incident its shop's users see."""
    worker = WorkerSettings(key_combinations=documented_combinations())
    signals = [s for s in worker_signals(shop_wave(), worker) if s.status == "firing"]
    spikes = {tuple(sorted(s.key.items())) for s in signals if s.type == "spike"}
    assert (("shop", "旗舰店"), ("topic", "物流配送")) in spikes
    assert (("topic", "物流配送"),) not in spikes  # explained by the shop, not told twice
    assert not [s for s in signals if s.key.get("shop") not in (None, "旗舰店")]
    clock = ManualClock(T0 + timedelta(days=10))
    store = Store(make_engine(f"sqlite:///{tmp_path / 'alerts.db'}"), clock)
    store.create_schema()
    harness = build_harness(rules(DEFAULT_RULES.read_text(encoding="utf-8")), clock, store)
    for signal in signals:
        harness.pipeline.handle(signal)
    harness.run_for(timedelta(minutes=2))
    opened = incidents.list_incidents(store, status=None, limit=None)
    (theirs,) = visible_incidents(opened, ["旗舰店"])
    assert theirs.key["shop"] == "旗舰店" and "旗舰店" in theirs.title
    assert visible_incidents(opened, ["专营店"]) == []
