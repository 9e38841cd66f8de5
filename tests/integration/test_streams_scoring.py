"""Understanding on the real broker: hand-written items reach feedback.scored with every field."""

from __future__ import annotations

from typing import Any

import pytest

from radar.events import ScoredEvent
from streams.sentiment import DEFAULT_ENGINE
from tests.integration.conftest import Pipeline
from tests.integration.replay import T0, event, produce

pytestmark = pytest.mark.integration

#: external id → (text, extra fields, what the scored record must say)
EXAMPLES: dict[str, tuple[str, dict[str, Any], dict[str, Any]]] = {
    "delivery-broken": (
        "快递太慢，收到还破损了，我要投诉",
        {"region": "华东"},
        {
            "topics": ["物流配送", "商品质量"],
            "stage": "aftersale",
            "department": "品控部",
            "is_complaint": True,
            "severity": 1,
            "crisis_terms": [],
            "lang": "zh",
            "sentiment_label": "neg",
        },
    ),
    "fire": (
        "充电宝用着突然起火了，孩子受伤，我要曝光",
        {"reach": 50_000},
        {
            "stage": "aftersale",
            "department": "危机公关组",
            "is_complaint": True,
            "severity": 3,
            "crisis_terms": ["起火", "受伤", "曝光"],
            "lang": "zh",
        },
    ),
    "lawyer": (
        "再不处理我就找律师起诉，质量太差了",
        {"rating": 1},
        {
            "topics": ["商品质量"],
            "department": "法务部",
            "is_complaint": True,
            "severity": 2,
            "crisis_terms": ["律师", "起诉"],
        },
    ),
    "english": (
        "The parcel never arrived and customer service ignored me. Terrible.",
        {},
        {
            "topics": ["物流配送", "客服态度"],
            "stage": "sale",
            "is_complaint": True,
            "severity": 1,
            "lang": "en",
        },
    ),
    "praise": (
        "很好用，五星好评，下次还来",
        {"rating": 5, "product": "p1"},
        {
            "topics": [],
            "stage": "aftersale",  # a review with no topic: the channel's stage
            "department": "客服中心",
            "is_complaint": False,
            "severity": 0,
            "crisis_terms": [],
            "lang": "zh",
            "sentiment_label": "pos",
        },
    ),
    "source-lang": ("物流很快", {"lang": "en", "rating": 5}, {"lang": "en"}),  # the source wins
}


def test_items_reach_scored_with_every_contract_field(pipeline: Pipeline) -> None:
    events = [
        event(i, T0, text, source="hand", **fields)
        for i, (text, fields, _) in enumerate(EXAMPLES.values())
    ]
    names = dict(zip((e.external_id for e in events), EXAMPLES, strict=True))
    produce(pipeline.settings, events)
    pipeline.start("worker")

    records = pipeline.consume("feedback.scored", len(events), timeout=120)
    assert sorted(r["external_id"] for r in records) == sorted(names)
    contract = set(ScoredEvent.model_fields)
    for record in records:
        assert set(record) == contract, set(record) ^ contract
        scored = ScoredEvent.model_validate(record)  # parses back under the contract
        assert 0.0 <= scored.sentiment <= 1.0 and scored.engine == DEFAULT_ENGINE
        assert scored.scored_at >= scored.ingested_at
        expected = EXAMPLES[names[record["external_id"]]][2]
        got = {name: record[name] for name in expected}
        if "topics" in expected:
            got["topics"] = sorted(got["topics"])
            expected = {**expected, "topics": sorted(expected["topics"])}
        if "crisis_terms" in expected:
            got["crisis_terms"] = sorted(got["crisis_terms"])
            expected = {**expected, "crisis_terms": sorted(expected["crisis_terms"])}
        assert got == expected, names[record["external_id"]]
    by_name = {names[r["external_id"]]: r for r in records}
    assert by_name["praise"]["sentiment"] > by_name["delivery-broken"]["sentiment"]
    assert by_name["delivery-broken"]["region"] == "华东"  # the source's fields are carried
    assert by_name["fire"]["reach"] == 50_000

    # the severity-3 item raised one crisis signal, with itself as the evidence
    signals = pipeline.consume("feedback.signals", 1, timeout=60)
    crises = [r for r in signals if r["type"] == "crisis"]
    assert [c["key"] for c in crises] == [{"crisis": "safety"}]
    assert [s["id"] for s in crises[0]["samples"]] == [by_name["fire"]["id"]]
    assert crises[0]["severity"] == 3 and crises[0]["observed"] == 1
