"""Emerging issues: complaint terms no topic covers whose frequency jumps against their history."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from radar.clock import ManualClock
from radar.events import Signal
from streams.emerging import EmergingDetector, EmergingSettings, _groups
from streams.phrases import MAX_TERMS, PhraseCounter, add_terms, merge_terms
from streams.settings import WorkerSettings
from streams.taxonomy import default_taxonomy
from tests.offline import OfflineWorker
from tests.planted import PHRASE, T0, Plant, deliveries, planted

NOW = datetime(2026, 3, 4, tzinfo=UTC)


@cache
def run(seed: int, phrase: bool) -> tuple[list[Signal], Plant]:
    events, plant = planted(seed, wave_per_hour=12, phrase=phrase)
    worker = OfflineWorker(
        WorkerSettings(unanswered_channels=[], key_combinations=[]), ManualClock(T0).now
    )
    batch = deliveries(events)
    for i in range(0, len(batch), 500):
        worker.feed(batch[i : i + 500])
    worker.finish()
    return [s for s in worker.signals if s.type == "emerging"], plant


def test_a_new_defect_phrase_is_found_within_two_hours_under_its_own_name() -> None:
    signals, plant = run(2, True)
    assert signals, "the planted phrase is an emerging issue"
    assert {tuple(s.key.items()) for s in signals} == {(("term", PHRASE),)}
    first = signals[0]
    assert first.status == "firing" and first.window_start >= plant.start
    assert (first.window_end - plant.start).total_seconds() <= 2 * 3600
    assert first.observed >= 5 and first.expected < 1
    terms = str(first.details["terms"]).split("、")
    assert terms[0] == PHRASE and {"二维码", "失效"} <= set(terms)
    assert first.samples and all(PHRASE in s.text for s in first.samples)
    assert len({s.id for s in signals}) == 1  # one issue, one signal id through its updates


def test_ordinary_complaints_raise_no_emerging_issue() -> None:
    signals, _ = run(2, False)
    assert signals == []


def test_terms_are_words_and_word_pairs_no_topic_covers() -> None:
    phrases = PhraseCounter(default_taxonomy())
    terms = phrases.terms("保修卡上的二维码失效了，快递太慢，质量很差，根本扫不出来")
    assert {"二维码", "失效", "二维码失效", "太慢"} <= set(terms)
    assert "快递" not in terms and "质量" not in terms  # topic keywords
    assert "保修卡" not in terms  # holds 保修, a keyword of 售后服务
    assert not any("快递" in t or "质量" in t for t in terms)  # nor what holds one
    assert "根本" not in terms  # a stop word


def test_a_cell_holds_a_bounded_number_of_terms_and_keeps_the_frequent_ones() -> None:
    cell: dict = {}  # type: ignore[type-arg]
    for n in range(3 * MAX_TERMS):
        add_terms(cell, [f"词{n:04d}", "二维码失效"], f"id{n:05d}", "二维码失效了", n % 3 == 0)
    assert len(cell["terms"]) <= MAX_TERMS
    assert cell["terms"]["二维码失效"] == [3 * MAX_TERMS, MAX_TERMS]
    assert cell["examples"]["二维码失效"][0] == "id00001"  # the second time it was seen
    total: dict = {"terms": {}, "examples": {}}  # type: ignore[type-arg]
    merge_terms(total, cell)
    merge_terms(total, cell)
    assert total["terms"]["二维码失效"] == [6 * MAX_TERMS, 2 * MAX_TERMS]
    assert len(total["terms"]) <= MAX_TERMS


def test_terms_that_belong_together_are_one_group() -> None:
    examples = {"保修卡": ["e1", "保修卡上的二维码失效了"]}
    groups = _groups(["二维码失效", "扫码失效", "码失效", "保修卡", "退货运费险"], examples)
    assert sorted(map(sorted, groups)) == [
        sorted(["二维码失效", "扫码失效", "码失效", "保修卡"]),
        ["退货运费险"],
    ]


def hour_cell(
    terms: dict[str, int], complaints: int = 40, topical: frozenset[str] = frozenset()
) -> dict:  # type: ignore[type-arg]
    examples = {t: [f"e-{t}", f"{t}了"] for t in terms}
    said = {t: [n, n if t in topical else 0] for t, n in terms.items()}
    return {"terms": said, "examples": examples, "complaints": complaints}


def test_a_term_judged_against_its_own_history_and_resolved_after_quiet_hours() -> None:
    detector = EmergingDetector(EmergingSettings())
    hour0 = 1_000_000
    for h in range(48):  # 包装袋 is said six times an hour, every hour
        assert detector.observe((hour0 + h) * 3600, hour_cell({"包装袋": 6}), NOW) == []
    signals = detector.observe((hour0 + 48) * 3600, hour_cell({"包装袋": 9, "漏发赠品": 8}), NOW)
    assert [(s.key, s.status) for s in signals] == [({"term": "漏发赠品"}, "firing")]
    quiet = [
        detector.observe((hour0 + 49 + h) * 3600, hour_cell({"包装袋": 6}), NOW) for h in range(3)
    ]
    assert quiet[0] == quiet[1] == []
    assert [(s.key, s.status, s.id) for s in quiet[2]] == [
        ({"term": "漏发赠品"}, "resolved", signals[0].id)
    ]


def test_nothing_is_judged_before_a_day_of_history() -> None:
    detector = EmergingDetector(EmergingSettings())
    for h in range(23):
        assert detector.observe(h * 3600, hour_cell({f"新词{h}": 30}), NOW) == []


def test_a_term_said_in_complaints_a_topic_places_is_not_a_new_issue() -> None:
    detector = EmergingDetector(EmergingSettings())
    hour0 = 1_000_000
    for h in range(30):
        detector.observe((hour0 + h) * 3600, hour_cell({"包装袋": 6}), NOW)
    wave = hour_cell({"分拨中心": 20, "漏发赠品": 8}, topical=frozenset({"分拨中心"}))
    signals = detector.observe((hour0 + 30) * 3600, wave, NOW)
    assert [s.key for s in signals] == [{"term": "漏发赠品"}]


def test_the_product_or_region_of_a_complaint_is_never_its_term() -> None:
    phrases = PhraseCounter(default_taxonomy())
    terms = phrases.terms("电热水壶的二维码失效了，佛山这边都这样", ("电热水壶", "佛山"))
    assert "电热水壶" not in terms and "佛山" not in terms and "二维码失效" in terms


def test_complaints_with_crisis_terms_count_as_placed() -> None:
    from streams.counting import Delivery, PartitionCounter
    from tests.unit.streams.test_counting import scored

    counter = PartitionCounter({}, phrases=PhraseCounter(default_taxonomy()))
    scare = scored(0, text="热水器漏电了，大家转发扩散", topics=[], crisis_terms=["漏电"])
    defect = scored(1, text="二维码失效了", topics=[])
    counter.add_batch([Delivery(0, 0, scare), Delivery(0, 1, defect)])
    [cell] = [
        c for k, c in counter.cells.items() if k.startswith("0|1h|") and k.endswith("|overall")
    ]
    assert cell["terms"]["转发扩散"] == [1, 1] and cell["terms"]["二维码失效"] == [1, 0]
