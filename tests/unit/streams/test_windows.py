"""Window cells: keys counted, merging partitions, and the five samples kept as evidence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streams.windows import (
    add_event,
    anchor,
    dim_key,
    dim_kind,
    dim_text,
    dimensions,
    merge_cells,
    new_cell,
    parse_combinations,
)
from tests.unit.streams.test_counting import scored


def test_an_event_counts_under_overall_each_field_and_each_combination() -> None:
    event = scored(1, topics=["物流配送", "商品质量"], product="p1", region="华东")
    assert dimensions(event) == [
        "overall",
        "channel=review",
        "topic=物流配送",
        "topic=商品质量",
        "product=p1",
        "region=华东",
        "topic=物流配送;region=华东",
        "topic=商品质量;region=华东",
        "topic=物流配送;product=p1",
        "topic=商品质量;product=p1",
        "product=p1;channel=review",
    ]


def test_a_combination_needs_every_field() -> None:
    event = scored(1, topics=["物流配送"], product=None, region="华东")
    dims = dimensions(event)
    assert "topic=物流配送;region=华东" in dims
    assert not any("product=" in d for d in dims)


def test_only_the_configured_combinations_are_counted() -> None:
    event = scored(1, topics=["物流配送"], product="p1", region="华东")
    dims = dimensions(event, combinations=[("region", "product")])
    assert dims[-1] == "region=华东;product=p1"
    assert not any(";" in d for d in dims[:-1])


def test_a_combination_is_anchored_at_its_first_field() -> None:
    dim = "topic=物流配送;region=广东"
    assert anchor(dim) == "topic=物流配送" and anchor("overall") == "overall"
    assert dim_kind(dim) == "topic+region" and dim_kind("topic=物流配送") == "topic"
    assert dim_key(dim) == {"topic": "物流配送", "region": "广东"}
    assert dim_key("overall") == {"scope": "all"}


@given(st.text(min_size=1, max_size=12), st.text(min_size=1, max_size=12))
def test_any_value_survives_the_key_text(product: str, channel: str) -> None:
    dim = dim_text([("product", product), ("channel", channel)])
    assert dim_key(dim) == {"product": product, "channel": channel}
    assert anchor(dim) == dim_text([("product", product)])


@pytest.mark.parametrize("spec", ["topic", "topic+topic", "topic+colour", ""])
def test_a_bad_combination_is_refused_with_its_name(spec: str) -> None:
    with pytest.raises(ValueError, match="key combination"):
        parse_combinations([spec])


def test_a_duplicate_is_counted_once_but_its_reach_still_weighs() -> None:
    original = scored(1, reach=None)
    copy = scored(2, reach=100_000).model_copy(update={"duplicate_of": original.id})
    cell = new_cell()
    add_event(cell, original)
    add_event(cell, copy)
    assert (cell["n"], cell["complaints"], cell["duplicates"]) == (1, 1, 1)
    assert cell["reach_complaints"] == pytest.approx(1.0 + 5.0, abs=1e-3)
    assert [s["id"] for s in cell["samples"]] == [original.id]


def test_samples_keep_the_most_severe_then_the_earliest_complaints_masked() -> None:
    cell = new_cell()
    for n in range(8):
        add_event(cell, scored(n, minutes=n, text=f"电话13812345678 第{n}条"))
    add_event(cell, scored(99, minutes=60, severity=3, text="起火了"))
    assert [s["id"] for s in cell["samples"]] == [scored(n).id for n in (99, 0, 1, 2, 3)]
    assert all("13812345678" not in s["text"] for s in cell["samples"])
    assert cell["complaints"] == 9 and cell["max_severity"] == 3


def test_merged_partitions_add_up_and_keep_five_samples() -> None:
    a, b = new_cell(), new_cell()
    for n in range(4):
        add_event(a, scored(n, minutes=n))
        add_event(b, scored(10 + n, minutes=n + 0.5))
    add_event(b, scored(99).model_copy(update={"duplicate_of": "x"}))
    total = merge_cells([a, b])
    assert total["n"] == 8 and total["topics"] == {"物流配送": 8} and total["duplicates"] == 1
    assert len(total["samples"]) == 5
