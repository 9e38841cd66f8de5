"""Demo feed: the text generator's vocabulary (``demo_texts.yaml``), read and checked once."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from radar.errors import ConfigError

VOCABULARY_PATH = Path(__file__).with_name("demo_texts.yaml")
SLOT = re.compile(r"\{(\w+)\}")
_CATEGORY_POOLS = ("names", "good", "bad", "safe", "questions")
#: Slots the incidents' phrases get from their caller.
GIVEN_SLOTS = ("product", "region", "city")


@dataclass(frozen=True)
class Category:
    """One product category: what customers call it, praise, blame, deny and ask about it."""

    name: str
    en: str
    names: tuple[str, ...]
    good: tuple[str, ...]
    bad: tuple[str, ...]
    safe: tuple[str, ...]
    questions: tuple[str, ...]
    electric: bool
    installed: bool


@dataclass(frozen=True)
class Vocabulary:
    """Categories, phrase pools by name, slot values, emoji, typos and cities by region."""

    categories: Mapping[str, Category]
    phrases: Mapping[str, tuple[str, ...]]
    slots: Mapping[str, tuple[str, ...]]
    emoji: Mapping[str, tuple[str, ...]]
    typos: Mapping[str, tuple[str, ...]]
    cities: Mapping[str, tuple[str, ...]]

    def pick(
        self,
        rng: random.Random,
        pool: str,
        category: Category | None = None,
        given: Mapping[str, str] | None = None,
    ) -> str:
        """A phrase of ``pool`` with its slots filled (a slot named twice gets one value)."""
        return self.fill(rng, rng.choice(self.phrases[pool]), category, given)

    def fill(
        self,
        rng: random.Random,
        phrase: str,
        category: Category | None = None,
        given: Mapping[str, str] | None = None,
    ) -> str:
        """``phrase`` with its slots filled: ``given`` values first, then the category's."""
        chosen: dict[str, str] = dict(given or {})

        def value(match: re.Match[str]) -> str:
            slot = match.group(1)
            if slot not in chosen:
                chosen[slot] = self._slot(rng, slot, category)
            return chosen[slot]

        return SLOT.sub(value, phrase)

    def _slot(self, rng: random.Random, slot: str, category: Category | None) -> str:
        if slot == "order":
            return str(rng.randrange(10**11, 10**12))
        if category is not None:
            if slot == "p":
                return rng.choice(category.names)
            if slot == "q":
                return rng.choice(category.questions)
            if slot == "en":
                return category.en
        elif slot in {"p", "en"}:
            return "东西" if slot == "p" else "item"
        return rng.choice(self.slots[slot])


def _strings(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        msg = f"{VOCABULARY_PATH.name}: {where} must be a non-empty list of strings"
        raise ConfigError(msg)
    return tuple(value)


def _section(data: dict[str, Any], name: str) -> dict[str, tuple[str, ...]]:
    """A mapping of lists of strings, e.g. ``phrases`` (pool name -> phrases)."""
    section = data.get(name)
    if not isinstance(section, dict):
        msg = f"{VOCABULARY_PATH.name}: the section {name!r} is missing or not a mapping"
        raise ConfigError(msg)
    return {key: _strings(f"{name}.{key}", value) for key, value in section.items()}


def _category(name: str, spec: dict[str, Any]) -> Category:
    pools = {
        pool: _strings(f"categories.{name}.{pool}", spec.get(pool)) for pool in _CATEGORY_POOLS
    }
    return Category(
        name=name,
        en=str(spec.get("en") or name),
        electric=bool(spec.get("electric")),
        installed=bool(spec.get("installed")),
        **pools,
    )


def _check_slots(vocabulary: Vocabulary) -> None:
    known = {*vocabulary.slots, *GIVEN_SLOTS, "p", "q", "en", "order"}
    texts = [p for pool in vocabulary.phrases.values() for p in pool]
    for category in vocabulary.categories.values():
        texts += [p for pool in _CATEGORY_POOLS[1:] for p in getattr(category, pool)]
    for text in texts:
        for slot in SLOT.findall(text):
            if slot not in known:
                msg = f"{VOCABULARY_PATH.name}: {text!r} names an unknown slot {{{slot}}}"
                raise ConfigError(msg)


@cache
def vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """The vocabulary, loaded once per process; a mistake names the entry."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("categories"), dict):
        msg = f"{path}: expected a mapping of categories, phrases, incidents, slots, emoji, ..."
        raise ConfigError(msg)
    loaded = Vocabulary(
        categories={name: _category(name, spec) for name, spec in data["categories"].items()},
        phrases=_section(data, "phrases") | _section(data, "incidents"),
        slots=_section(data, "slots"),
        emoji=_section(data, "emoji"),
        typos=_section(data, "typos"),
        cities=_section(data, "cities"),
    )
    _check_slots(loaded)
    return loaded
