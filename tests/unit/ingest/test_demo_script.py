"""Demo script: deterministic, rhythmic, and the incidents really happen in the items."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from ingest.demo_corpus import Corpus
from ingest.demo_incidents import LOCAL
from ingest.demo_script import DemoItem, DemoScript, rhythm
from ingest.demo_texts_incidents import NEW_DEFECT_TERMS

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


def said(item: DemoItem) -> datetime:
    return datetime.fromisoformat(item.fields["created_at"])


def test_the_story_happens_in_busy_local_hours_after_a_day_of_history(corpus: Corpus) -> None:
    script, _ = run(corpus, 1)
    story = [i for i in script.incidents if i.start < END]
    assert [i.type for i in story] == ["silence", "source_down", "emerging", "spike", "crisis"]
    assert all(i.start >= START + timedelta(hours=30) for i in story)
    for incident in story[:-1]:  # the scare fills the last hours, whatever the time
        assert incident.end is not None
        assert incident.start.astimezone(LOCAL).hour >= 9
        assert incident.end.astimezone(LOCAL).hour <= 21
    live = [i for i in script.incidents if i.start >= END]
    assert [i.key for i in live] == [{"topic": "物流配送", "region": "浙江"}]


def test_incidents_show_in_the_items(corpus: Corpus) -> None:
    script, items = run(corpus, 1)
    kinds = {i.type: i for i in script.incidents}
    quiet, down, scare = kinds["silence"], kinds["source_down"], kinds["crisis"]
    customers = [i for i in items if not i.fields.get("is_staff_reply")]
    assert not [i for i in customers if i.channel == "chat" and quiet.active(said(i))]
    missed = [i for i in items if i.channel == "email" and down.active(said(i))]
    assert missed and all(down.end and i.at >= down.end for i in missed)  # read after it
    defect = kinds["emerging"]
    said_it = [i for i in customers if any(t in i.fields["text"] for t in NEW_DEFECT_TERMS)]
    assert said_it and all(defect.active(said(i)) for i in said_it)  # nobody else says it
    assert len({i.fields["product"] for i in said_it}) > 1  # about every product, not one
    wave = next(i for i in script.incidents if i.type == "spike" and i.end and i.end <= END)
    in_wave = Counter(i.fields.get("region") for i in customers if wave.active(said(i)))
    assert in_wave.most_common(1)[0][0] == wave.key["region"]
    spread = [i for i in customers if scare.active(said(i)) and i.fields.get("reach", 0) >= 10_000]
    posts = [i for i in customers if scare.active(said(i)) and i.channel == "forum"]
    assert spread and posts and min(map(said, posts)) < min(map(said, spread))
    assert all(i.fields["product"] == "热水器" for i in spread)


def test_every_thread_is_answered_in_time_unless_the_story_says_otherwise(corpus: Corpus) -> None:
    script, items = run(corpus, 1)
    replies: dict[str, datetime] = {}
    for item in items:
        if item.fields.get("is_staff_reply"):
            replies.setdefault(item.fields["thread_id"], item.at)
    waiting = {u.key["thread"]: u for u in script.unanswered}
    assert waiting and {u.key["channel"] for u in waiting.values()} <= {"forum", "email"}
    checked = 0
    for item in items:
        if item.channel not in {"forum", "email", "chat", "social"}:
            continue
        if item.fields.get("is_staff_reply") or said(item) + timedelta(hours=7) > END:
            continue
        thread = item.fields["thread_id"]
        answered = replies.get(thread)
        late = answered is None or answered > said(item) + timedelta(hours=6)
        assert late == (thread in waiting), item.fields
        if thread in waiting:
            assert item.fields["title"].startswith("投诉：")  # an unmistakable complaint
        checked += 1
    assert checked > 100


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
