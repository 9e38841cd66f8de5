"""Which shops an incident concerns: a user limited to some shops sees an incident only when
every shop it holds evidence of is theirs; Radar's own rules open one incident per shop."""

from __future__ import annotations

from datetime import timedelta

from alerts import incidents
from alerts.settings import DEFAULT_RULES
from alerts.shops import incident_shops, visible_incidents, visible_to
from tests.unit.alerts.conftest import START, make_signal
from tests.unit.alerts.test_pipeline import HarnessFactory


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
