"""Spikes told as specifically as the evidence allows: a combination judged against its anchor."""

from __future__ import annotations

from streams.explain import Reading, judge, share_tail

TOPIC = "topic=物流配送"
GUANGDONG = "topic=物流配送;region=广东"
ZHEJIANG = "topic=物流配送;region=浙江"
PHONES = "topic=物流配送;product=手机"


def reading(observed: float, expected: float, *, firing: bool = True) -> Reading:
    return Reading(firing=firing, scale="1h", scales={"1h": (observed, expected)})


def wave_in_guangdong() -> dict[str, Reading]:
    """54 delivery complaints in the hour against 4 usual; 50 of the extra from 广东."""
    return {
        TOPIC: reading(54, 4),
        GUANGDONG: reading(50.6, 0.6),
        ZHEJIANG: reading(0.4, 0.4, firing=False),
        PHONES: reading(5.4, 0.4),  # phones' share of delivery complaints is as usual
    }


def test_a_regional_wave_is_reported_under_its_region_once() -> None:
    verdicts = judge(wave_in_guangdong())
    assert verdicts[TOPIC] == GUANGDONG  # the anchor is explained by the region
    assert verdicts[GUANGDONG] == GUANGDONG
    assert PHONES not in verdicts  # rides the wave: its share did not move


def test_a_wave_spread_evenly_is_reported_on_the_anchor() -> None:
    readings = {
        TOPIC: reading(54, 4),
        GUANGDONG: reading(7.6, 0.6, firing=False),  # 14% of it, as usual
        PHONES: reading(5.4, 0.4),
    }
    verdicts = judge(readings)
    assert verdicts == {TOPIC: TOPIC}


def test_a_combination_alone_is_reported_when_its_share_jumped() -> None:
    readings = {TOPIC: reading(12, 4, firing=False), GUANGDONG: reading(9, 0.6)}
    assert judge(readings) == {GUANGDONG: GUANGDONG}


def test_a_combination_without_its_anchor_reading_is_reported() -> None:
    assert judge({PHONES: reading(9, 0.6)}) == {PHONES: PHONES}


def test_quiet_keys_get_no_verdict() -> None:
    assert judge({TOPIC: reading(4, 4, firing=False)}) == {}


def test_the_share_tail_is_small_only_when_the_share_moved() -> None:
    assert share_tail((50, 0.6), (54, 4), 1e-3) < 1e-10
    assert share_tail((5, 0.4), (54, 4), 1e-3) > 0.3
    assert share_tail((0, 0.4), (54, 4), 1e-3) == 1.0
    assert share_tail((3, 0.4), (0, 4), 1e-3) == 1.0


def test_an_anchor_riding_an_overall_wave_is_not_reported() -> None:
    readings = {
        "overall": reading(120, 30),
        "product=p1": reading(30, 7.5),  # a quarter of the complaints, as usual
        "product=p2": reading(60, 7.5),  # half of them: its share jumped
    }
    assert judge(readings) == {"overall": "overall", "product=p2": "product=p2"}
