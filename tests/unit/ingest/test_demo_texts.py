"""Generated customer texts: varied, every style present, no crisis stated, scored as labelled."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from ingest.demo_texts import CHANNELS, STYLES, Draft, GeneratedTexts, compose
from ingest.demo_texts_titles import first_clause, title
from ingest.demo_texts_vocab import vocabulary
from streams.taxonomy import default_taxonomy

CATEGORIES = list(vocabulary().categories)
#: A crisis word is only ever denied in normal traffic: a negation shortly before it (没有漏电,
#: 不用担心触电, 防漏电 ...), within the same clause.
DENIED = re.compile(r"(?:没有|没|不|无|未|防)[^，。！？!?\s]{0,3}$")


def drafts(seed: int, count: int) -> list[tuple[bool, Draft]]:
    rng = random.Random(seed)
    made = []
    for number in range(count):
        positive = number % 2 == 0
        category, channel = rng.choice(CATEGORIES), rng.choice(CHANNELS)
        made.append((positive, compose(rng, category, positive, channel)))
    return made


@pytest.fixture(scope="module")
def five_thousand() -> list[tuple[bool, Draft]]:
    return drafts(20261120, 5000)


def test_thousands_of_items_hardly_repeat_and_show_every_style(
    five_thousand: list[tuple[bool, Draft]],
) -> None:
    texts = [draft.text for _, draft in five_thousand]
    assert len(set(texts)) >= 0.95 * len(texts)
    shown = Counter(style for _, draft in five_thousand for style in draft.styles)
    assert set(STYLES) <= set(shown), set(STYLES) - set(shown)
    # hard cases are there, and a minority: denials, sarcasm, typos, a few per cent English
    assert 0.01 * len(texts) < shown["english"] < 0.1 * len(texts)
    for hard in ("denial", "sarcasm", "typo", "emoji", "punctuation"):
        assert 0.01 * len(texts) < shown[hard] < 0.4 * len(texts), hard


def test_lengths_run_from_a_word_to_a_letter(five_thousand: list[tuple[bool, Draft]]) -> None:
    lengths = sorted(len(draft.text) for _, draft in five_thousand)
    assert lengths[0] <= 3 and lengths[-1] >= 100
    letters = [d.text for _, d in five_thousand if "email" in d.styles and "long" in d.styles]
    assert letters and all(text.count("\n") >= 2 for text in letters)


def test_normal_traffic_never_states_a_crisis(five_thousand: list[tuple[bool, Draft]]) -> None:
    taxonomy = default_taxonomy()
    denied = 0
    for positive, draft in five_thousand:
        assert not taxonomy.match_crisis(draft.text), draft.text
        # crisis keywords as written occur only denied, in positive texts
        for terms in taxonomy.match_crisis(draft.text, keyword_only=True).values():
            for term in terms:
                for found in re.finditer(re.escape(term), draft.text):
                    assert DENIED.search(draft.text[: found.start()]), (term, draft.text)
                    assert positive and "denial" in draft.styles, draft.text
                    denied += 1
    assert denied > 20  # the denials a negation-aware detector must let pass are there


def test_the_same_seed_writes_the_same_texts() -> None:
    assert drafts(3, 200) == drafts(3, 200)
    assert drafts(3, 200) != drafts(4, 200)


def test_titles_say_what_the_post_or_mail_is_about() -> None:
    rng = random.Random(5)
    for number in range(300):
        positive, channel = number % 2 == 0, ("forum", "email")[number % 3 == 0]
        text = compose(rng, rng.choice(CATEGORIES), positive, channel).text
        heading = title(rng, text, channel, positive)
        assert first_clause(text) in heading and len(heading) <= 30, (heading, text)
        assert not re.match(r"(在吗|你好|您好|来晒个单|吐槽一下)", first_clause(text)), text
    assert title(rng, "快递太慢了", "review", False) == ""


def test_first_clause_skips_tags_greetings_and_openings() -> None:
    assert first_clause("#售后# 客服态度还行，但是不加热") == "客服态度还行"
    assert first_clause("您好：\n想表扬一下你们的客服，客服很耐心。") == "客服很耐心"
    assert first_clause("追评：用了三个月，用了三天就坏了") == "用了三天就坏了"
    assert first_clause("好评") == "好评"


def test_generated_texts_keep_to_the_category_asked_for() -> None:
    texts = GeneratedTexts()
    assert texts.categories == CATEGORIES and "热水器" in texts.categories
    rng = random.Random(8)
    said = [texts.text(rng, "奶粉", True, "review") for _ in range(200)]
    assert not any(name in text for text in said for name in ("热水器", "手机", "洗发水"))


@pytest.mark.slow
def test_the_default_sentiment_engine_reads_the_texts_as_labelled() -> None:
    from ingest.demo_texts_incidents import courier_delay, new_defect
    from streams.sentiment import get_engine

    made = drafts(11, 3000)
    engine = get_engine("default")
    scores = engine.score_batch([draft.text for _, draft in made])
    positives = [s for (positive, _), s in zip(made, scores, strict=True) if positive]
    negatives = [s for (positive, _), s in zip(made, scores, strict=True) if not positive]
    assert sum(s >= 0.5 for s in positives) >= 0.85 * len(positives)
    assert sum(s < 0.5 for s in negatives) >= 0.85 * len(negatives)

    rng = random.Random(12)
    complaints = [courier_delay(rng, "广东") for _ in range(300)]
    complaints += [new_defect(rng, rng.choice(CATEGORIES)) for _ in range(300)]
    scored = engine.score_batch(complaints)
    assert sum(s < 0.5 for s in scored) >= 0.85 * len(scored)
