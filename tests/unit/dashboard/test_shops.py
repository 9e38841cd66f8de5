"""Many shops in the dashboard: a shop filter everywhere, users limited to their shops (views,
figures, drill-downs, incidents), and the drill-down and evidence exports behind the buttons."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from alerts.incidents import open_incident
from alerts.playbooks import checklist_data
from dashboard.auth import hash_password
from dashboard.queries import exports, improvements, products, topics
from dashboard.queries.filters import Filters, within_shops
from radar.events import ScoredEvent
from radar.i18n import Locale
from radar.store.daily import DAY_MS
from radar.store.improvements import record_improvement
from radar.store.listing import iter_messages
from radar.store.samples import refresh_samples, sample_texts
from tests.unit.dashboard import conftest
from tests.unit.dashboard.conftest import PASSWORDS, ROLES, Seeded, scored

FORMULA = "=1+2+cmd|' /C calc'!A0 退款"


def shop_events(seeded: Seeded) -> list[ScoredEvent]:
    """Complaints of two shops in the last day (the seeded events name no shop)."""
    batch = [
        scored(
            700 + n,
            "chat",
            2 + n,
            text=FORMULA if n == 0 else f"旗舰店的快递又丢了 {n}",
            shop="旗舰店" if n % 3 else "专营店",
            is_complaint=True,
            topics=["物流配送"],
            sentiment=0.1,
            sentiment_label="neg",
            region="江苏",
            csat=1 if n % 3 else 5,
        )
        for n in range(9)
    ]
    seeded.store.add_scored(batch)
    return batch


def shop_incident(seeded: Seeded, shop: str) -> str:
    key = {"shop": shop, "topic": "物流配送"}
    alert = {"type": "spike", "key": key, "observed": 6.0, "expected": 1.0}
    window = {"window_start": seeded.now.isoformat(), "window_end": seeded.now.isoformat()}
    return open_incident(
        seeded.store,
        group_key=f"g-{shop}",
        rule="shop-spike",
        type="spike",
        title=f"投诉激增：{shop}",
        severity=2,
        key=key,
        data={"alerts": [{**alert, **window}], "checklist": checklist_data("spike")},
        now=seeded.now - timedelta(hours=1),
    ).id


def mixed_incident(seeded: Seeded) -> str:
    """An incident grouped by topic alone, holding both shops' signals and customers."""
    window = {"window_start": seeded.now.isoformat(), "window_end": seeded.now.isoformat()}
    held = [
        {"type": "spike", "key": {"shop": shop, "topic": "物流配送"}, "observed": 6.0, **window}
        for shop in ("旗舰店", "专营店")
    ]
    return open_incident(
        seeded.store,
        group_key="g-mixed",
        rule="topic-spike",
        type="spike",
        title="投诉激增：物流配送",
        severity=2,
        key={"topic": "物流配送"},
        data={"alerts": held, "checklist": checklist_data("spike")},
        now=seeded.now - timedelta(hours=1),
    ).id


@pytest.fixture
def zhao(monkeypatch: pytest.MonkeyPatch, seeded: Seeded) -> str:
    """A manager given the flagship shop only (added to the seeded users)."""
    users = json.loads(__import__("os").environ["RADAR_DASHBOARD_USERS"])
    users["zhao"] = {
        "role": "manager",
        "password_hash": hash_password("zhao-pass-1"),
        "shops": ["旗舰店"],
    }
    monkeypatch.setenv("RADAR_DASHBOARD_USERS", json.dumps(users))
    monkeypatch.setitem(ROLES, "zhao", "manager")
    monkeypatch.setitem(PASSWORDS, "zhao", "zhao-pass-1")
    return "zhao"


def frame_with(at: Any, column: str) -> Any:
    return next(d.value for d in at.dataframe if column in d.value.columns)


class TestShopFilter:
    def test_the_filter_lists_shops_and_narrows_the_drill_down(
        self, seeded: Seeded, app_for: Any
    ) -> None:
        batch = shop_events(seeded)
        at = app_for(page="complaints", query={"shop": "专营店", "region": "江苏"})
        assert not at.exception, at.exception
        shop_filter = at.multiselect(key="shop")
        assert set(shop_filter.options) == {"旗舰店", "专营店"}
        messages = frame_with(at, "text")
        assert set(messages["shop"]) == {"专营店"}
        assert len(messages) == sum(e.shop == "专营店" for e in batch)


class TestShopFilterEverywhere:
    """The overview, products, improvements and incidents pages offer the shop filter too."""

    def test_overview_counts_the_chosen_shop(self, seeded: Seeded, app_for: Any) -> None:
        batch = shop_events(seeded)
        at = app_for(page="overview")
        every = int(next(m.value for m in at.metric if m.label == "反馈量").replace(",", ""))
        assert set(at.multiselect(key="shop-overview").options) == {"旗舰店", "专营店"}
        at = app_for(page="overview", query={"shop": "专营店"})
        assert not at.exception, at.exception
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["反馈量"] == str(sum(e.shop == "专营店" for e in batch))
        assert metrics["投诉率"] == "100.0%"
        assert every > len(batch)  # without a choice: every shop, and messages naming none

    def test_a_scoped_user_cannot_choose_beyond_their_shops(
        self, seeded: Seeded, zhao: str, app_for: Any
    ) -> None:
        batch = shop_events(seeded)
        at = app_for(user=zhao, page="overview", query={"shop": "专营店"})
        assert not at.exception, at.exception
        assert set(at.multiselect(key="shop-overview").options) == {"旗舰店"}
        figures = {m.label: m.value for m in at.metric}
        assert figures["反馈量"] in (str(sum(e.shop == "旗舰店" for e in batch)), "0")
        assert figures["反馈量"] != str(sum(e.shop == "专营店" for e in batch))

    def test_products_within_the_chosen_shop(self, seeded: Seeded, app_for: Any) -> None:
        batch = shop_events(seeded)
        at = app_for(page="products", query={"shop": "专营店", "days": "7"})
        assert not at.exception, at.exception
        assert at.multiselect(key="shop-products").value == ["专营店"]
        until = seeded.now + timedelta(hours=1)
        mix = products.topic_mix(
            seeded.store, None, until - timedelta(days=7), until, DAY_MS, shops=("专营店",)
        )
        assert int(mix["messages"].sum()) == sum(e.shop == "专营店" for e in batch)
        assert set(mix["topic"]) == {"物流配送"}
        texts = products.texts(
            seeded.store, None, until - timedelta(days=7), until, shops=("专营店",)
        )
        assert sorted(texts) == sorted(e.text for e in batch if e.shop == "专营店")

    def test_the_question_sample_is_read_through_its_shop(self, seeded: Seeded) -> None:
        asked = [
            scored(760 + n, "chat", 1 + n, text=f"第{n}单什么时候发货？", shop=shop)
            for n, shop in enumerate(["旗舰店", "专营店", "专营店", None])
        ]
        seeded.store.add_scored(asked)
        refresh_samples(seeded.store)
        until = seeded.now + timedelta(hours=1)
        found = sample_texts(
            seeded.store, until - timedelta(days=1), until, questions=True, shops=("专营店",)
        )
        assert sorted(found) == ["第1单什么时候发货？", "第2单什么时候发货？"]
        every = sample_texts(seeded.store, until - timedelta(days=1), until, questions=True)
        assert {e.text for e in asked} <= set(every)

    def test_improvements_count_the_chosen_shop(
        self, seeded: Seeded, zhao: str, app_for: Any
    ) -> None:
        batch = shop_events(seeded)
        action = record_improvement(
            seeded.store,
            title="物流换承运商",
            topic="物流配送",
            region="江苏",
            shipped_at=seeded.now - timedelta(days=1),
            owner="mei",
            created_by="mei",
        )
        until = seeded.now + timedelta(hours=1)
        since = until - timedelta(days=7)
        scoped = improvements.scope_counts(seeded.store, action, since, until, shops=("专营店",))
        assert scoped == (sum(e.shop == "专营店" for e in batch),) * 2  # all complaints
        both = improvements.scope_counts(seeded.store, action, since, until)
        assert both == (len(batch), len(batch))
        at = app_for(page="improvements", query={"shop": "专营店"})
        assert not at.exception, at.exception
        assert any("专营店" in c.value for c in at.caption)
        # a user given some shops sees the effects within them, and records no action
        at = app_for(user=zhao, page="improvements")
        assert not at.exception, at.exception
        assert set(at.multiselect(key="shop-improvements").options) == {"旗舰店"}
        assert not at.get("form")

    def test_incidents_of_the_chosen_shop(self, seeded: Seeded, app_for: Any) -> None:
        mine, other = shop_incident(seeded, "旗舰店"), shop_incident(seeded, "专营店")
        mixed = mixed_incident(seeded)
        at = app_for(user="lin", page="incidents")
        assert set(at.multiselect(key="shop-incidents").options) == {"旗舰店", "专营店"}
        assert {mine, other, mixed, seeded.incident_id} <= set(frame_with(at, "age")["id"])
        at = app_for(user="lin", page="incidents", query={"shop": "专营店"})
        assert not at.exception, at.exception
        assert set(frame_with(at, "age")["id"]) == {other, mixed}
        offered = {o.split(" · ")[0] for o in at.selectbox(key="incident").options}
        assert offered == {other, mixed}  # options read "ID · title"


class TestScopedUser:
    def test_sees_only_the_views_that_can_be_limited(
        self, seeded: Seeded, zhao: str, app_for: Any
    ) -> None:
        at = app_for(user=zhao, page="overview")
        assert not at.exception, at.exception
        for page in ("products", "improvements"):  # counted from their shops' messages
            at = app_for(user=zhao, page=page)
            assert not at.exception, at.exception
        with pytest.raises(ValueError, match="Known pages"):
            app_for(user=zhao, page="health")  # the pipeline feeds every shop

    def test_figures_and_messages_of_its_shop_only(
        self, seeded: Seeded, zhao: str, app_for: Any
    ) -> None:
        batch = shop_events(seeded)
        mine = [e for e in batch if e.shop == "旗舰店"]
        at = app_for(user=zhao, page="overview")
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["反馈量"] == str(len(mine))
        assert metrics["投诉率"] == "100.0%"
        assert not any("email-imap" in e.body for e in at.error)  # no pipeline freshness
        # another shop in the URL is not a choice: the view stays within the user's shop
        at = app_for(user=zhao, page="complaints", query={"shop": "专营店"})
        assert not at.exception, at.exception
        messages = frame_with(at, "text")
        assert set(messages["shop"]) == {"旗舰店"} and len(messages) == len(mine)
        assert set(at.multiselect(key="shop").options) == {"旗舰店"}
        assert set(at.multiselect(key="region").options) == {"江苏"}

    def test_incidents_of_its_shop_only(self, seeded: Seeded, zhao: str, app_for: Any) -> None:
        mine, other = shop_incident(seeded, "旗舰店"), shop_incident(seeded, "专营店")
        mixed = mixed_incident(seeded)  # holds the other shop's customers too
        at = app_for(user=zhao, page="incidents")
        assert not at.exception, at.exception
        listed = set(frame_with(at, "age")["id"])
        assert listed == {mine}  # not the other shop's, nor the seeded ones naming no shop
        for hidden in (other, mixed):
            at = app_for(user=zhao, page="incidents", query={"incident": hidden})
            assert [w.body for w in at.warning] == ["找不到这个事件，或你无权查看它。"]
            offered = {o.split(" · ")[0] for o in at.selectbox(key="incident").options}
            assert hidden not in offered and mine in offered  # options read "ID · title"
        assert not any(b.label == "确认" for b in at.button)
        assert not any(t.key and t.key.startswith("silence-") for t in at.text_area)
        at = app_for(user=zhao, page="incidents", query={"incident": mine})
        assert any(b.label == "确认" for b in at.button)


class TestExports:
    def test_buttons_on_the_drill_down_and_the_incident(self, seeded: Seeded, app_for: Any) -> None:
        at = app_for(page="complaints")
        assert len(at.get("download_button")) == 2
        at = app_for(user="lin", page="incidents", query={"incident": seeded.incident_id})
        # the evidence, and the lists of open and past incidents
        assert len(at.get("download_button")) == 6

    def test_the_drill_down_file_holds_every_matching_message(self, seeded: Seeded) -> None:
        batch = shop_events(seeded)
        until = seeded.now + timedelta(minutes=1)
        filters = Filters(until - timedelta(days=7), until, region=("江苏",))
        where = exports.drilldown(filters, topic="物流配送")
        shown = topics.messages(seeded.store, filters, topic="物流配送", limit=3)
        assert len(shown) == 3  # the page shows the newest few; the file holds them all
        data = exports.messages_file(seeded.store, where, "csv", Locale.of("zh"))
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) == len(batch)
        assert "'" + FORMULA in {r["内容"] for r in rows}
        assert {r["渠道"] for r in rows} == {"在线客服"}
        scoped = exports.drilldown(
            Filters(filters.since, filters.until, shops=("专营店",)), topic="物流配送"
        )
        assert {m["shop"] for m in iter_messages(seeded.store, scoped)} == {"专营店"}

    def test_the_evidence_file(self, seeded: Seeded) -> None:
        data = exports.evidence_file(seeded.store, seeded.incident_id, "xlsx", Locale.of("en"))
        book = load_workbook(io.BytesIO(data))
        assert book.sheetnames == [
            "Incident",
            "Evidence windows",
            "Sample messages",
            "Checklist",
            "Timeline",
        ]
        windows = list(book["Evidence windows"].iter_rows(min_row=2, values_only=True))
        assert len(windows) == 4  # every window the signal reported
        samples = list(book["Sample messages"].iter_rows(min_row=2, values_only=True))
        assert samples[0][3] == conftest.HOSTILE


def test_the_documented_detection_keys_with_shop_are_taken_by_the_worker() -> None:
    import re
    from pathlib import Path

    from streams.settings import WorkerSettings

    docs = (Path(__file__).resolve().parents[3] / "docs" / "dashboard.md").read_text("utf-8")
    value = re.search(r"RADAR_WORKER_KEY_COMBINATIONS='(\[.*?\])'", docs)
    assert value is not None
    combinations = WorkerSettings(key_combinations=json.loads(value.group(1))).combinations()
    assert ("topic", "shop") in combinations


@pytest.mark.parametrize(
    ("chosen", "scope", "counted"),
    [
        ((), None, None),
        ((), ("旗舰店",), ("旗舰店",)),
        (("专营店",), None, ("专营店",)),
        (("专营店", "旗舰店"), ("旗舰店",), ("旗舰店",)),
        (("专营店",), ("旗舰店",), ()),  # another shop's: nothing, never beyond the scope
    ],
)
def test_the_shops_a_view_counts(
    chosen: tuple[str, ...], scope: tuple[str, ...] | None, counted: tuple[str, ...] | None
) -> None:
    assert within_shops(chosen, scope) == counted
