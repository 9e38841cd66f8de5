"""Demo feed: where its texts come from (the project's generator, or a labelled CSV).

:class:`DemoTexts` is what the demo script asks of its texts. The default,
:class:`~ingest.demo_texts.GeneratedTexts`, writes them from the project's own
templates; :func:`load_corpus` reads a user's labelled ``cat,label,review`` CSV
instead (``--corpus PATH``), whose reviews then speak for normal traffic.
"""

from __future__ import annotations

import csv
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ingest import demo_texts, demo_texts_incidents, demo_texts_titles
from radar.errors import ConfigError

DELIVERY = re.compile(r"快递|物流|发货|送货|配送")
REGIONS = (
    ("广东", 14),
    ("浙江", 10),
    ("江苏", 10),
    ("上海", 8),
    ("北京", 8),
    ("山东", 7),
    ("四川", 7),
    ("湖北", 6),
    ("河南", 6),
    ("福建", 6),
    ("湖南", 5),
    ("陕西", 4),
    ("辽宁", 4),
    ("云南", 3),
    ("黑龙江", 2),
)
SEGMENTS = (("普通会员", 60), ("VIP", 20), ("新客", 20))

SAFETY_PRODUCT = "热水器"


class DemoTexts(Protocol):
    """What the demo script asks of its texts; the generator and a labelled CSV both answer.

    Every method draws only from ``rng``, so the same seed gives the same feed.
    """

    @property
    def categories(self) -> Sequence[str]:
        """Product categories normal traffic speaks about."""
        ...

    def text(self, rng: random.Random, category: str, positive: bool, channel: str) -> str:
        """A customer's item about ``category`` on ``channel`` (review, survey, chat, ...)."""
        ...

    def title(self, rng: random.Random, text: str, channel: str, positive: bool) -> str:
        """A forum post's title or an email's subject for ``text`` ("" on other channels)."""
        ...

    def courier_delay(self, rng: random.Random, region: str) -> str:
        """A late-parcel complaint from ``region`` (the courier-delay wave)."""
        ...

    def safety_scare(self, rng: random.Random, product: str, channel: str) -> str:
        """A genuine safety scare about ``product`` (forum story, social repost, ...)."""
        ...

    def staff_reply(self, rng: random.Random) -> str:
        """A service agent's reply."""
        ...

    def new_defect(self, rng: random.Random, product: str) -> str:
        """A complaint about a defect no taxonomy term lists (an emerging issue)."""
        ...


def load_texts(corpus: Path | None = None) -> DemoTexts:
    """The demo's texts: generated (no path), or the labelled reviews of ``corpus``."""
    return demo_texts.GeneratedTexts() if corpus is None else load_corpus(corpus)


@dataclass
class Corpus:
    """Review texts by (category, label), and the negative ones that speak of delivery.

    Normal traffic and half the courier-delay wave speak with the file's reviews;
    the incidents and staff replies come from the generator.
    """

    by_label: dict[tuple[str, int], list[str]] = field(default_factory=lambda: defaultdict(list))
    delivery_negative: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def text(
        self, rng: random.Random, category: str, positive: bool, channel: str = "review"
    ) -> str:
        label = int(positive)
        # a category without reviews of this polarity borrows another category's
        pool = self.by_label.get((category, label)) or next(
            (texts for (_, other), texts in self.by_label.items() if other == label and texts), []
        )
        if not pool:
            msg = f"the demo corpus has no reviews labelled {label}; it needs both 0 and 1"
            raise ConfigError(msg)
        return rng.choice(pool)

    def title(self, rng: random.Random, text: str, channel: str, positive: bool) -> str:
        return demo_texts_titles.title(rng, text, channel, positive)

    def courier_delay(self, rng: random.Random, region: str) -> str:
        if self.delivery_negative and rng.random() < 0.5:
            return rng.choice(self.delivery_negative)
        return demo_texts_incidents.courier_delay(rng, region)

    def safety_scare(self, rng: random.Random, product: str, channel: str) -> str:
        return demo_texts_incidents.safety_scare(rng, product, channel)

    def staff_reply(self, rng: random.Random) -> str:
        return demo_texts_incidents.staff_reply(rng)

    def new_defect(self, rng: random.Random, product: str) -> str:
        return demo_texts_incidents.new_defect(rng, product)


def load_corpus(path: Path, *, max_chars: int = 240) -> Corpus:
    """Read ``cat,label,review`` rows; short enough texts only, so the feed reads like feedback."""
    if not path.is_file():
        msg = (
            f"demo corpus {path} is missing; pass a CSV with cat,label,review columns "
            "(--corpus, RADAR_INGEST_DEMO_CORPUS), or none for the generated texts"
        )
        raise ConfigError(msg)
    corpus = Corpus()
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text, cat = (row.get("review") or "").strip(), (row.get("cat") or "").strip()
            if not text or not cat or len(text) > max_chars or row.get("label") not in {"0", "1"}:
                continue
            label = int(row["label"])
            corpus.by_label[(cat, label)].append(text)
            if label == 0 and DELIVERY.search(text):
                corpus.delivery_negative.append(text)
    corpus.categories = sorted({cat for cat, _ in corpus.by_label})
    if not corpus.categories:
        raise ConfigError(f"{path}: no usable rows (expected columns cat,label,review)")
    if {label for _, label in corpus.by_label} != {0, 1}:
        msg = f"{path}: the demo needs positive (label 1) and negative (label 0) reviews"
        raise ConfigError(msg)
    return corpus


def weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]
