"""Demo feed: customer texts written from the project's own templates (no corpus needed).

:func:`compose` writes one item of normal traffic for a product category, a
channel and a polarity: reviews, survey comments, chat messages, forum posts
and emails about quality, delivery, service, returns, price, installation and
pre-sale questions, with what makes real feedback hard (denied crisis words,
sarcasm, typos, emoji, shouting, a little English, a word to a letter).
Normal traffic never states a crisis; the incidents' texts come from
:mod:`ingest.demo_texts_incidents`, titles and subjects from
:mod:`ingest.demo_texts_titles`. :class:`GeneratedTexts` is the demo's default
source of texts (:class:`ingest.demo_corpus.DemoTexts`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from ingest import demo_texts_incidents as incidents
from ingest.demo_texts_noise import roughen
from ingest.demo_texts_titles import title
from ingest.demo_texts_vocab import Category, Vocabulary, vocabulary

CHANNELS = ("review", "survey", "chat", "forum", "email", "social")
ASPECTS = (
    "praise",
    "quality",
    "logistics",
    "service",
    "returns",
    "price",
    "installation",
    "presale",
    "denial",
    "sarcasm",
)
TRAITS = ("typo", "emoji", "punctuation", "english", "tiny", "long")
STYLES = CHANNELS + ASPECTS + TRAITS

#: aspect -> (weight, phrase pools drawn from); "cat:" pools are the category's own.
_GOOD = {
    "praise": (3.0, ("praise",)),
    "quality": (4.0, ("cat:good", "cat:good", "quality_good")),
    "logistics": (2.0, ("logistics_good",)),
    "service": (1.5, ("service_good",)),
    "price": (1.5, ("price_good",)),
    "installation": (1.5, ("install_good",)),
    "denial": (0.9, ("cat:safe", "cat:safe", "denials")),
    "presale": (0.0, ("presale_good",)),  # by channel, see _PRESALE
}
_BAD = {
    "quality": (4.0, ("cat:bad", "cat:bad", "quality_bad")),
    "logistics": (2.0, ("logistics_bad",)),
    "service": (2.0, ("service_bad",)),
    "returns": (1.5, ("returns_bad",)),
    "price": (1.0, ("price_bad",)),
    "installation": (1.5, ("install_bad",)),
    "presale": (0.3, ("presale_bad",)),
    "sarcasm": (0.6, ("sarcasm",)),
}
#: Clauses a text has on each channel (chat is terse, forum posts and emails tell a story).
_CLAUSES = {
    "review": (1, 1, 2, 2, 3, 3, 4),
    "survey": (1, 1, 2, 2, 3),
    "chat": (1, 1, 1, 2, 2),
    "forum": (2, 3, 3, 4, 5, 6),
    "email": (2, 3, 3, 4, 5),
    "social": (1, 2, 2, 3),
}
#: Weight of a pre-sale question among positive items, by channel (none in reviews or surveys).
_PRESALE = {"chat": 1.5, "email": 0.6, "forum": 0.4, "social": 0.3}
_STOPS = ("。", "！", "？", "!", "?", "~", "…")
_EMOJI_RATE = {"social": 0.35, "chat": 0.2, "email": 0.02}


@dataclass(frozen=True)
class Draft:
    """A generated text and the styles it shows (channel, aspects, traits), for tests."""

    text: str
    styles: frozenset[str]


def _category(vocab: Vocabulary, name: str) -> Category:
    return vocab.categories.get(name) or next(iter(vocab.categories.values()))


def _clause(rng: random.Random, vocab: Vocabulary, cat: Category, pool: str) -> str:
    if not pool.startswith("cat:"):
        return vocab.pick(rng, pool, cat)
    phrase = vocab.fill(rng, rng.choice(getattr(cat, pool[4:])), cat)
    # a category's own phrase often names the product first: "热水器加热很快"
    if rng.random() < 0.4 and not phrase.startswith(cat.names):
        phrase = rng.choice(cat.names) + phrase
    return phrase


def _aspects(
    rng: random.Random, cat: Category, positive: bool, channel: str, count: int
) -> list[str]:
    table = _GOOD if positive else _BAD
    weights = {a: w for a, (w, _) in table.items() if a != "installation" or cat.installed}
    weights["presale"] = _PRESALE.get(channel, 0.0) if positive else weights["presale"]
    if rng.random() < weights.pop("presale") / 10:
        return ["presale"]  # a question before buying is a message of its own
    chosen: list[str] = []
    for _ in range(min(count, len(weights))):
        left = [a for a in weights if a not in chosen]
        chosen += rng.choices(left, weights=[weights[a] for a in left])
    return chosen


def _joined(rng: random.Random, clauses: list[str], positive: bool) -> str:
    text = clauses[0]
    for clause in clauses[1:]:
        if not text.endswith(_STOPS):
            text += rng.choice(("，", "，", "，", "，", "。", "！" if positive else "。", " "))
        text += clause
    return text


def _body(
    rng: random.Random, vocab: Vocabulary, cat: Category, positive: bool, channel: str
) -> tuple[str, set[str]]:
    table = _GOOD if positive else _BAD
    aspects = _aspects(rng, cat, positive, channel, rng.choice(_CLAUSES[channel]))
    clauses = [_clause(rng, vocab, cat, rng.choice(table[a][1])) for a in aspects]
    styles = set(aspects)
    if aspects == ["presale"]:
        return clauses[0], styles
    if rng.random() < 0.04:  # a few per cent of Chinese mixed with English words
        clauses[-1] = vocab.pick(rng, "mixed_good" if positive else "mixed_bad", cat)
        styles.add("english")
    if not positive and rng.random() < 0.15:
        clauses[0] = vocab.pick(rng, "concession_bad", cat) + clauses[0]
    if positive and len(clauses) > 1 and rng.random() < 0.08:
        clauses.append(vocab.pick(rng, "concession_good", cat))
    if rng.random() < 0.45:
        clauses.append(vocab.pick(rng, "closer_good" if positive else "closer_bad", cat))
    text = _joined(rng, clauses, positive)
    if not text.endswith(_STOPS):
        text += rng.choice(("", "", "。", "！" if positive else "。"))
    return text, styles


def _sentence(text: str) -> str:
    """``text`` ending as a sentence (a full stop unless it ends with one already)."""
    return text if text.endswith(_STOPS) else text + "。"


def _frame(
    rng: random.Random,
    vocab: Vocabulary,
    cat: Category,
    positive: bool,
    channel: str,
    body: str,
    *,
    asking: bool,
) -> str:
    """The channel's own way of saying it: greetings, hashtags, letters, forum openings."""
    pick = vocab.pick
    good = positive
    if channel == "review":
        roll = rng.random()
        if roll < 0.12:
            return pick(rng, "review_open", cat) + body
        if roll < 0.2:
            return pick(rng, "review_follow", cat) + body
        return body
    if channel == "survey":
        if rng.random() < 0.4:
            body = pick(rng, "survey_open_good" if good else "survey_open_bad", cat) + body
        if rng.random() < 0.2:
            body = _sentence(body) + pick(rng, "survey_suggest", cat)
        return body
    if channel == "chat":
        if rng.random() < 0.4:
            body = pick(rng, "chat_open", cat) + rng.choice((" ", "", "\n")) + body
        if not good and rng.random() < 0.5:
            body = body.rstrip("。") + "，" + pick(rng, "chat_ask_bad", cat)
        elif good and rng.random() < 0.3:
            body = body.rstrip("。！") + "，" + pick(rng, "chat_end_good", cat)
        return body
    if channel == "forum":
        mood = "ask" if asking else "good" if good else "bad"
        opening, closing = pick(rng, f"forum_open_{mood}", cat), pick(rng, f"forum_end_{mood}", cat)
        return f"{opening}{_sentence(body)}{closing}"
    if channel == "email":
        letter = pick(rng, "email_open", cat) + "\n"
        if good and not asking and rng.random() < 0.4:
            letter += pick(rng, "email_praise", cat)
        letter += _sentence(body)
        if not good:
            letter += pick(rng, "email_order", cat)
        return letter + "\n" + pick(rng, "email_end_good" if good else "email_end_bad", cat)
    # social
    if rng.random() < 0.5:
        body = pick(rng, "social_tag" if good else "social_tag_bad", cat) + " " + body
    if rng.random() < 0.25:
        body += " @官方旗舰店" if good else " @官方客服"
    return body


def compose(rng: random.Random, category: str, positive: bool, channel: str = "review") -> Draft:
    """One customer's text about ``category`` on ``channel`` (``positive`` or not)."""
    vocab = vocabulary()
    cat = _category(vocab, category)
    styles = {channel}
    roll = rng.random()
    if roll < 0.03:
        text = vocab.pick(rng, "tiny_good" if positive else "tiny_bad", cat)
        styles.add("tiny")
    elif roll < 0.055:
        pool = "english_good" if positive else "english_bad"
        text = " ".join(vocab.pick(rng, pool, cat) for _ in range(rng.choice((1, 1, 2))))
        styles.add("english")
    else:
        body, aspects = _body(rng, vocab, cat, positive, channel)
        text = _frame(rng, vocab, cat, positive, channel, body, asking=aspects == {"presale"})
        styles |= aspects
    text, traits = roughen(rng, text, positive, vocab, emoji_rate=_EMOJI_RATE.get(channel, 0.12))
    styles |= traits
    if len(text) >= 60:
        styles.add("long")
    return Draft(text, frozenset(styles))


class GeneratedTexts:
    """The demo's texts written by this generator: same seed, same texts."""

    def __init__(self, categories: Sequence[str] | None = None) -> None:
        self.categories: list[str] = list(categories or vocabulary().categories)

    def text(
        self, rng: random.Random, category: str, positive: bool, channel: str = "review"
    ) -> str:
        return compose(rng, category, positive, channel).text

    def title(self, rng: random.Random, text: str, channel: str, positive: bool) -> str:
        return title(rng, text, channel, positive)

    def courier_delay(self, rng: random.Random, region: str) -> str:
        return incidents.courier_delay(rng, region)

    def safety_scare(self, rng: random.Random, product: str, channel: str) -> str:
        return incidents.safety_scare(rng, product, channel)

    def staff_reply(self, rng: random.Random) -> str:
        return incidents.staff_reply(rng)

    def new_defect(self, rng: random.Random, product: str) -> str:
        return incidents.new_defect(rng, product)
