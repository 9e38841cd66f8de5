"""The incidents' texts: a courier-delay wave, a safety scare, a new defect, staff replies."""

from __future__ import annotations

import random

from ingest.demo_texts_incidents import (
    NEW_DEFECT_TERMS,
    courier_delay,
    new_defect,
    safety_scare,
    staff_reply,
)
from ingest.demo_texts_vocab import vocabulary
from streams.taxonomy import default_taxonomy

CATEGORIES = list(vocabulary().categories)


def test_courier_delays_always_speak_of_delivery_and_name_the_region_sometimes() -> None:
    rng, taxonomy = random.Random(1), default_taxonomy()
    texts = [courier_delay(rng, "广东") for _ in range(500)]
    assert len(set(texts)) >= 0.9 * len(texts)
    for text in texts:
        assert "物流配送" in taxonomy.match_topics(text), text
        assert not taxonomy.match_crisis(text), text
    places = ("广东", *vocabulary().cities["广东"])
    named = sum(any(place in text for place in places) for text in texts)
    assert 0.2 * len(texts) < named < 0.8 * len(texts)
    # a region without cities of its own is named itself
    assert any("西藏" in courier_delay(rng, "西藏") for _ in range(100))


def test_a_safety_scare_is_a_story_on_the_forum_and_a_call_to_spread_it_on_social() -> None:
    rng, taxonomy = random.Random(2), default_taxonomy()
    forum = [safety_scare(rng, "热水器", "forum") for _ in range(300)]
    social = [safety_scare(rng, "热水器", "social") for _ in range(300)]
    for text in forum + social + [safety_scare(rng, "热水器", "review") for _ in range(50)]:
        assert "safety" in taxonomy.match_crisis(text), text
    spread = ("转发", "扩散")
    assert not any(word in text for text in forum for word in spread)
    assert sum(any(word in text for word in spread) for text in social) > 0.6 * len(social)
    assert len(set(forum)) > 0.9 * len(forum) and len(set(social)) > 0.9 * len(social)
    assert "热水器" in " ".join(forum)


def test_a_scare_about_food_speaks_of_food_not_of_wiring() -> None:
    rng, taxonomy = random.Random(3), default_taxonomy()
    for _ in range(100):
        text = safety_scare(rng, "奶粉", "forum")
        assert "safety" in taxonomy.match_crisis(text) and "漏电" not in text, text


def test_a_new_defect_is_one_phrase_no_taxonomy_term_lists_said_many_ways() -> None:
    rng, taxonomy = random.Random(4), default_taxonomy()
    texts = [new_defect(rng, rng.choice(CATEGORIES)) for _ in range(400)]
    assert len(set(texts)) >= 0.8 * len(texts)
    assert all(any(term in text for term in NEW_DEFECT_TERMS) for text in texts)
    for term in NEW_DEFECT_TERMS:
        assert taxonomy.match_topics(term) == [] and not taxonomy.match_crisis(term)
        assert not taxonomy.complaint.findall(term)
    assert not any(taxonomy.match_crisis(text) for text in texts)


def test_staff_replies_vary_and_never_alarm() -> None:
    rng, taxonomy = random.Random(5), default_taxonomy()
    replies = [staff_reply(rng) for _ in range(300)]
    assert len(set(replies)) > 150
    assert not any(taxonomy.match_crisis(reply) for reply in replies)
    assert all(reply.endswith("。") for reply in replies)


def test_the_same_generator_state_gives_the_same_incident_texts() -> None:
    def run(seed: int) -> list[str]:
        rng = random.Random(seed)
        return [
            courier_delay(rng, "浙江"),
            safety_scare(rng, "热水器", "social"),
            new_defect(rng, "手机"),
            staff_reply(rng),
        ]

    assert run(9) == run(9)
