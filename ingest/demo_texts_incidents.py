"""Demo feed: the texts of scripted incidents (courier delays, a safety scare, a new defect)
and the service agents' replies; normal traffic never says what these say.

Each function takes the script's random generator, so the same seed gives the same texts.
"""

from __future__ import annotations

import random

from ingest.demo_texts_noise import shouted, with_emoji
from ingest.demo_texts_vocab import Vocabulary, vocabulary

#: The phrase every :func:`new_defect` complaint uses one form of, and no taxonomy term lists.
NEW_DEFECT_TERMS = ("二维码", "扫码", "码失效")


def _city(rng: random.Random, vocab: Vocabulary, region: str) -> str:
    return rng.choice(vocab.cities.get(region, (region,)))


def courier_delay(rng: random.Random, region: str) -> str:
    """A customer in ``region`` whose parcel is late (the region named now and then)."""
    vocab = vocabulary()
    given = {"region": region, "city": _city(rng, vocab, region), "product": "东西"}
    if rng.random() < 0.04:
        return vocab.pick(rng, "courier_english", given=given)
    opening = "courier_sarcasm" if rng.random() < 0.08 else "courier_wait"
    parts = [vocab.pick(rng, opening, given=given)]
    if rng.random() < 0.35:
        parts.append(vocab.pick(rng, "courier_region", given=given))
    if rng.random() < 0.5:
        parts.append(vocab.pick(rng, "courier_cost", given=given))
    if rng.random() < 0.6:
        parts.append(vocab.pick(rng, "courier_demand", given=given))
    text = _joined(rng, parts)
    if rng.random() < 0.15:
        text = shouted(rng, text, positive=False)
    elif rng.random() < 0.1:
        text = with_emoji(rng, text, False, vocab)
    return text


def safety_scare(rng: random.Random, product: str, channel: str) -> str:
    """A genuine product-safety scare about ``product``: a story on the forum, a call to
    spread it on social media, a demand elsewhere."""
    vocab = vocabulary()
    category = vocab.categories.get(product)
    electric = category.electric if category is not None else True
    given = {"product": product}
    hazard = vocab.pick(rng, "scare_electric" if electric else "scare_other", given=given)
    when = vocab.pick(rng, "scare_when")
    feel = vocab.pick(rng, "scare_feel")
    if channel == "forum":
        opening = vocab.pick(rng, "scare_forum_open")
        ask = vocab.pick(rng, "scare_forum_ask")
        return f"{opening}{when}{hazard}，{feel}。{ask}"
    if channel == "social":
        opening = vocab.pick(rng, "scare_social_open", given=given)
        tag = vocab.pick(rng, "scare_social_tag", given=given)
        close = vocab.pick(rng, "scare_social_close", given=given)
        repost = vocab.pick(rng, "scare_social_repost")
        text = f"{opening}{tag}{when}{hazard}！{feel}，{close}{repost}"
        return text if rng.random() < 0.7 else with_emoji(rng, text, False, vocab)
    close = vocab.pick(rng, "scare_direct_close")
    return f"{when}{hazard}，{feel}！{close}"


def staff_reply(rng: random.Random) -> str:
    """A service agent's reply to a customer (greeting, apology, what was done, when)."""
    vocab = vocabulary()
    return "".join(
        vocab.pick(rng, pool)
        for pool in ("staff_greeting", "staff_sorry", "staff_action", "staff_when", "staff_close")
    )


def new_defect(rng: random.Random, product: str) -> str:
    """A complaint about a defect no taxonomy keyword lists yet: the QR code on ``product``
    (for its membership, warranty card or app) cannot be scanned (:data:`NEW_DEFECT_TERMS`)."""
    vocab = vocabulary()
    given = {"product": product}
    text = vocab.pick(rng, "defect_said", given=given)
    tail = vocab.pick(rng, "defect_tail")
    if tail:
        text = _joined(rng, [text, tail])
    if rng.random() < 0.12:
        text = shouted(rng, text, positive=False)
    return text


def _joined(rng: random.Random, parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        if not text.endswith(("？", "！", "。", "?", "!")):
            text += rng.choice(("，", "，", "。"))
        text += part
    return text
