"""Example messages: a signal with few samples is topped up from the store, masked."""

from __future__ import annotations

from datetime import timedelta

from alerts.samples import top_up
from radar.events import ScoredEvent
from radar.store import Store
from tests.unit.alerts.conftest import START, make_signal


def scored(
    n: int,
    *,
    region: str,
    topic: str,
    complaint: bool,
    sentiment: float,
    minutes: int = -5,
    text: str | None = None,
) -> ScoredEvent:
    at = START + timedelta(minutes=minutes)
    return ScoredEvent(
        id=f"event-{n:04d}",
        channel="review",
        source="shop",
        external_id=str(n),
        text=text or f"第{n}条：快递太慢了",
        created_at=at,
        ingested_at=at,
        region=region,
        sentiment=sentiment,
        sentiment_label="neg" if sentiment < 0.4 else "pos",
        topics=[topic],
        is_complaint=complaint,
        scored_at=at,
    )


def test_tops_up_with_complaints_of_the_key_and_window(store: Store) -> None:
    store.add_scored(
        [
            scored(
                1,
                region="华东",
                topic="物流配送",
                complaint=True,
                sentiment=0.2,
                text="快递丢了，我的电话是13812345678",
            ),
            scored(2, region="华东", topic="物流配送", complaint=True, sentiment=0.1),
            scored(3, region="华东", topic="物流配送", complaint=False, sentiment=0.9),
            scored(
                4, region="华南", topic="物流配送", complaint=True, sentiment=0.1
            ),  # other region
            scored(5, region="华东", topic="退款", complaint=True, sentiment=0.1),  # other topic
            scored(6, region="华东", topic="物流配送", complaint=True, sentiment=0.1, minutes=-60),
        ]
    )
    signal = make_signal("a", at=START, samples=("客服不回复",))
    topped = top_up(store, signal)
    texts = [s.text for s in topped.samples]
    assert texts[0] == "客服不回复"
    assert [s.id for s in topped.samples[1:]] == ["event-0002", "event-0001", "event-0003"]
    assert "138****5678" in texts[2] and "13812345678" not in "".join(texts)


def test_leaves_full_or_unfilterable_signals_alone(store: Store) -> None:
    full = make_signal("a", at=START, samples=("一", "二", "三"))
    assert top_up(store, full) is full
    odd = make_signal("b", at=START, key={"warehouse": "上海"}, samples=())
    assert top_up(store, odd) is odd
