"""The taxonomy edit offered for an emerging term: it reads back as the topic plus the term."""

from __future__ import annotations

import yaml

from dashboard.analysis.taxonomy_edit import (
    shipped_taxonomy,
    suggest_topic,
    taxonomy_edit,
    topics,
)

TEXT = """
topics:
  - code: 物流配送
    keywords: [物流, 快递]
  - code: 商品质量
    keywords: [质量, "坏了", 'a,b']
"""


def test_the_edit_reads_back_as_the_topic_with_the_term_added() -> None:
    edit = taxonomy_edit(TEXT, "商品质量", "二维码失效")
    [entry] = yaml.safe_load(edit)
    assert entry == {"code": "商品质量", "keywords": ["质量", "坏了", "a,b", "二维码失效"]}


def test_a_term_already_listed_is_not_added_twice_and_odd_terms_are_quoted() -> None:
    assert yaml.safe_load(taxonomy_edit(TEXT, "物流配送", "快递"))[0]["keywords"] == [
        "物流",
        "快递",
    ]
    for odd in ("315", "x: y", "it's"):
        assert yaml.safe_load(taxonomy_edit(TEXT, "物流配送", odd))[0]["keywords"][-1] == odd


def test_the_suggested_topic_is_the_one_whose_words_the_samples_hold() -> None:
    assert suggest_topic(TEXT, ["二维码失效，快递也慢", "快递员说不知道"]) == "物流配送"
    assert suggest_topic(TEXT, ["二维码失效，质量差"]) == "商品质量"
    assert suggest_topic(TEXT, ["二维码失效"]) == "物流配送"  # nothing said: the first


def test_the_shipped_taxonomy_has_its_topics() -> None:
    assert {"物流配送", "商品质量"} <= set(topics(shipped_taxonomy()))
