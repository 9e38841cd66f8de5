"""Demo script: deterministic, rhythmic, and the incidents really happen in the items."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ingest.demo_corpus import Corpus
from ingest.demo_script import DemoItem, DemoScript, rhythm

END = datetime(2026, 11, 23, 0, tzinfo=UTC)
START = END - timedelta(days=4)


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    texts = Corpus(categories=["热水器", "手机"])
    for cat in texts.categories:
        for label in (0, 1):
            texts.by_label[(cat, label)] = [
                f"{cat}{'好评' if label else '差评'}{i}" for i in range(20)
            ]
    texts.delivery_negative = ["快递太慢了"]
    return texts


def run(corpus: Corpus, seed: int) -> tuple[DemoScript, list[DemoItem]]:
    script = DemoScript(corpus, seed, START, END)
    items: list[DemoItem] = []
    for hour in range(96):
        items += script.advance(START + timedelta(hours=hour + 1), 600)
    return script, items


def test_same_seed_same_feed_other_seed_other_feed(corpus: Corpus) -> None:
    _, first = run(corpus, 1)
    _, again = run(corpus, 1)
    _, other = run(corpus, 2)
    assert [i.fields for i in first] == [i.fields for i in again]
    assert [i.fields for i in first] != [i.fields for i in other]
    assert [i.at for i in first] == sorted(i.at for i in first)


def test_incidents_show_in_the_items(corpus: Corpus) -> None:
    script, items = run(corpus, 1)
    kinds = {i.type: i for i in script.incidents}
    quiet, down = kinds["silence"], kinds["source_down"]
    assert not [i for i in items if i.channel == "chat" and quiet.active(i.at)]
    assert not [i for i in items if i.channel == "email" and down.active(i.at)]
    wave = next(i for i in script.incidents if i.type == "spike" and i.end and i.end <= END)
    in_wave = Counter(
        i.fields.get("region")
        for i in items
        if wave.active(i.at) and not i.fields.get("is_staff_reply")
    )
    assert in_wave.most_common(1)[0][0] == wave.key["region"]
    scare = [i for i in items if "起火" in i.fields.get("text", "") or "漏电" in i.fields["text"]]
    assert {i.channel for i in scare} == {"forum", "social"}
    assert min(i.at for i in scare if i.channel == "forum") < min(
        i.at for i in scare if i.channel == "social"
    )
    assert max(i.fields.get("reach", 0) for i in scare) > 10_000


def test_staff_replies_follow_posts_some_past_six_hours(corpus: Corpus) -> None:
    script, items = run(corpus, 1)
    by_id = {i.fields["external_id"]: i for i in items}
    delays = [
        (i.at - by_id[i.fields["reply_to"]].at).total_seconds() / 3600
        for i in items
        if i.channel == "forum" and i.fields.get("reply_to") in by_id
    ]
    assert delays and min(delays) > 0 and any(d > 6 for d in delays)
    assert script.unanswered and all(u.key["channel"] == "forum" for u in script.unanswered)


def test_surveys_agree_with_the_text_label(corpus: Corpus) -> None:
    _, items = run(corpus, 1)
    surveys = [i.fields for i in items if i.channel == "survey"]
    assert surveys
    for fields in surveys:
        positive = "好评" in fields["text"]
        assert (fields["csat"] >= 4) == positive and (fields["nps"] >= 8) == positive


def test_rhythm_has_a_night_low_and_an_evening_peak() -> None:
    night = datetime(2026, 11, 18, 19, tzinfo=UTC)  # 03:00 in Shanghai
    evening = datetime(2026, 11, 18, 13, tzinfo=UTC)  # 21:00
    assert rhythm(evening) > 10 * rhythm(night)
