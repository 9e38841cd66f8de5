"""Window cells: keys counted, merging partitions, and the five samples kept as evidence."""

from __future__ import annotations

from streams.windows import add_event, dimensions, merge_cells, new_cell
from tests.unit.streams.test_counting import scored


def test_an_event_counts_under_overall_its_channel_topics_product_and_region() -> None:
    event = scored(1, topics=["物流配送", "商品质量"], product="p1", region="华东")
    assert dimensions(event) == [
        "overall",
        "channel=review",
        "topic=物流配送",
        "topic=商品质量",
        "product=p1",
        "region=华东",
    ]


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
    total = merge_cells([a, b])
    assert total["n"] == 8 and total["topics"] == {"物流配送": 8}
    assert len(total["samples"]) == 5
