"""Crisis signals: one per key and episode, grown evidence at size steps, resolved when quiet."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from radar.clock import ManualClock
from streams.crisis import NOTIFY_AT, crisis_item
from streams.detection import Detection, DetectionSettings
from streams.protocol import CrisisItem
from streams.scoring import score_events
from streams.taxonomy import default_taxonomy
from tests.unit.streams.test_counting import T0, scored
from tests.unit.streams.test_scoring import FixedEngine, event_factory

HOUR = 3600.0


def detection() -> Detection:
    settings = DetectionSettings(crisis_quiet_s=6 * HOUR)
    return Detection({}, settings, now=ManualClock(T0).now, wall=lambda: 0.0)


def record(
    n: int,
    minutes: float = 0,
    text: str = "充电宝起火了，孩子被烫伤",
    terms: tuple[str, ...] = ("起火", "烫伤"),
    **fields: Any,
) -> CrisisItem:
    event = scored(n, minutes=minutes, text=text, severity=3, crisis_terms=list(terms), **fields)
    found = crisis_item(event, default_taxonomy())
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("text", "reach", "severity", "category"),
    [
        ("充电宝充电时突然爆炸了", None, 3, "safety"),
        ("吃了以后全家中毒住院", None, 3, "safety"),
        ("我要把这事曝光给媒体", 20_000, 3, "media"),  # the media, with a large audience
        ("已经打了12315投诉", 200_000, 3, "regulator"),
        ("快递太慢了，太差了", 500_000, 3, "reach"),  # a plain complaint seen by half a million
    ],
)
def test_severity_3_items_become_crisis_items_named_by_their_gravest_category(
    text: str, reach: int | None, severity: int, category: str
) -> None:
    [event] = score_events([event_factory("1", text, reach=reach, product="p7")], FixedEngine(), T0)
    assert event.severity == severity
    found = crisis_item(event, default_taxonomy())
    assert found is not None and found.key == {"crisis": category, "product": "p7"}


@pytest.mark.parametrize(
    ("text", "reach", "category", "terms"),
    [
        # a denied safety word is no safety crisis: the audience alone made this one grave
        ("用了半年没有漏电，就是快递太慢了，差评", 200_000, "reach", []),
        ("充电器没有漏电，但是充电的时候起火了", None, "safety", ["起火"]),
        ("吃出了玻璃渣，我要曝光", 50_000, "safety", ["玻璃渣", "曝光"]),
        ("说会爆炸的都是谣言，我要去12315投诉你们乱发货", 20_000, "regulator", ["12315"]),
    ],
)
def test_the_crisis_category_is_the_one_the_understanding_stage_kept(
    text: str, reach: int | None, category: str, terms: list[str]
) -> None:
    [event] = score_events([event_factory("1", text, reach=reach, product="p7")], FixedEngine(), T0)
    assert event.severity == 3 and event.crisis_terms == terms
    found = crisis_item(event, default_taxonomy())
    assert found is not None and found.key == {"crisis": category, "product": "p7"}
    assert found.terms == terms
    assert found.sample["id"] == event.id


def test_other_items_are_not_crises() -> None:
    [event] = score_events([event_factory("1", "再不处理我就找律师起诉")], FixedEngine(), T0)
    assert event.severity == 2 and crisis_item(event, default_taxonomy()) is None


def test_the_first_item_fires_at_once_with_itself_as_evidence() -> None:
    d = detection()
    [signal] = d.on_crisis(0, record(1, product="p7"))
    assert signal.type == "crisis" and signal.status == "firing" and signal.severity == 3
    assert signal.key == {"crisis": "safety", "product": "p7"}
    assert signal.observed == 1 and [s.id for s in signal.samples] == [scored(1).id]
    assert set(signal.crisis_terms) == {"起火", "烫伤"}


def test_more_items_update_the_same_signal_at_size_steps_only() -> None:
    d = detection()
    signals = []
    for n in range(12):
        signals += d.on_crisis(0, record(n, minutes=n, product="p7"))
    assert [s.observed for s in signals] == [n for n in NOTIFY_AT if n <= 12]  # 1, 3, 10
    assert len({s.id for s in signals}) == 1
    assert len(signals[-1].samples) == 5


def test_an_item_delivered_twice_counts_once() -> None:
    d = detection()
    d.on_crisis(0, record(1, product="p7"))
    assert d.on_crisis(0, record(1, product="p7")) == []
    assert d.on_crisis(0, record(2, product="p7")) == []
    [third] = d.on_crisis(0, record(3, product="p7"))
    assert third.observed == 3


def test_other_keys_are_other_crises() -> None:
    d = detection()
    [a] = d.on_crisis(0, record(1, product="p7"))
    [b] = d.on_crisis(0, record(2, product="p8"))
    [c] = d.on_crisis(0, record(3, text="我要曝光给媒体", terms=("曝光", "媒体"), product="p7"))
    assert len({a.id, b.id, c.id}) == 3


def test_a_quiet_episode_resolves_and_a_later_item_starts_a_new_one() -> None:
    d = detection()
    [fired] = d.on_crisis(0, record(1, product="p7"))
    start = T0.timestamp()
    assert d.check_crises(0, start + 5 * HOUR) == []
    [resolved] = d.check_crises(0, start + 6 * HOUR)
    assert resolved.id == fired.id and resolved.status == "resolved"
    assert d.on_crisis(0, record(1, product="p7")) == []  # a redelivered item is no new crisis
    [again] = d.on_crisis(0, record(5, minutes=7 * 60, product="p7"))
    assert again.id != fired.id and again.window_start == T0 + timedelta(hours=7)


def test_the_watermark_resolves_crises() -> None:
    d = detection()
    d.on_crisis(0, record(1, product="p7"))
    signals = d.on_watermark(0, 0, int((T0.timestamp() + 7 * HOUR) * 1000))
    assert [(s.type, s.status) for s in signals] == [("crisis", "resolved")]
