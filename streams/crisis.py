"""Detectors: crises (severity 3), one signal per key and episode, with the events as evidence.

A severity-3 item (a safety word such as 起火, 爆炸, 中毒; a regulator or the
media with a large audience; a complaint seen by 100k people) must reach
someone at once, without waiting for a window to close. The first one opens
an episode for its key (the crisis category and the product, else the shop);
later ones join it, and the signal is updated only when the episode grows to
3, 10, 30, 100... items, not once per item. The episode resolves when no
severity-3 item came for ``quiet_s`` of event time. The same item delivered
twice is counted once (ids are kept per episode).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from radar.events import ScoredEvent, Signal
from streams.protocol import CrisisItem, key_text, sample_of
from streams.signals import at, samples_of, signal_id
from streams.taxonomy import Taxonomy

CRISIS_SEVERITY = 3
#: Episode sizes at which the signal is sent again (with the grown evidence).
NOTIFY_AT = (1, 3, 10, 30, 100, 300, 1000, 3000, 10000)
#: Event ids kept per episode to recognise a redelivered item.
MAX_IDS = 2000
MAX_SAMPLES = 5
STATISTIC = "severity_3_items"


def crisis_item(event: ScoredEvent, taxonomy: Taxonomy) -> CrisisItem | None:
    """What the crisis detector needs of a severity-3 item (None for any other item).

    The category comes from the crisis terms the understanding stage kept (never
    from matching the text again), so the detector and the scored event agree.
    """
    if event.severity < CRISIS_SEVERITY or event.is_staff_reply:
        return None
    found = {c for c in map(taxonomy.category_of, event.crisis_terms) if c is not None}
    # the gravest category names the crisis; without one, the audience made it grave
    ranked = sorted(found, key=lambda c: (-taxonomy.crisis_levels[c], c))
    category = ranked[0] if ranked else "reach"
    key = {"crisis": category}
    if event.product:
        key["product"] = event.product
    elif event.shop:
        key["shop"] = event.shop
    return CrisisItem(
        key=key,
        ts=event.created_at.timestamp(),
        id=event.id,
        terms=list(event.crisis_terms),
        topics=list(event.topics),
        reach=event.reach or 0,
        source=event.source,
        sample=sample_of(event),
    )


@dataclass
class CrisisEpisode:
    """One crisis on one key: since when, how many items, and the evidence so far."""

    key: dict[str, str]
    started: float
    last: float
    items: int = 0
    ids: list[str] = field(default_factory=list)
    terms: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    max_reach: int = 0
    samples: list[dict[str, Any]] = field(default_factory=list)
    resolved: bool = False  # kept a while after, so a redelivered item is not a new crisis

    @classmethod
    def open(cls, item: CrisisItem) -> CrisisEpisode:
        return cls(key=dict(item.key), started=item.ts, last=item.ts)

    def add(self, item: CrisisItem) -> bool:
        """Count an item in; True when the signal should go out (a new size step)."""
        if item.id in self.ids:
            return False
        if len(self.ids) < MAX_IDS:
            self.ids.append(item.id)
        self.items += 1
        self.last = max(self.last, item.ts)
        for counts, values in ((self.terms, item.terms), (self.topics, item.topics)):
            for value in values:
                counts[value] = counts.get(value, 0) + 1
        if item.source not in self.sources and len(self.sources) < 20:
            self.sources.append(item.source)
        self.max_reach = max(self.max_reach, item.reach)
        if len(self.samples) < MAX_SAMPLES:
            samples = [*self.samples, dict(item.sample)]
            self.samples = sorted(samples, key=lambda s: str(s["created_at"]))
        return self.items in NOTIFY_AT

    def knows(self, item: CrisisItem) -> bool:
        return item.id in self.ids

    def quiet(self, now_s: float, quiet_s: float) -> bool:
        """Whether no item came for ``quiet_s`` of event time: the episode is over."""
        return now_s - self.last >= quiet_s

    def signal(self, status: str, detected_at: Any) -> Signal:
        """The episode as a ``feedback.signals`` record (one id for the whole episode)."""
        terms = sorted(self.terms, key=lambda t: (-self.terms[t], t))
        topics = sorted(self.topics, key=lambda t: (-self.topics[t], t))
        return Signal(
            id=signal_id("crisis", key_text(self.key), self.started),
            type="crisis",
            key=dict(self.key),
            status="resolved" if status == "resolved" else "firing",
            window_start=at(self.started),
            window_end=at(self.last),
            observed=float(self.items),
            expected=0.0,
            score=1.0 if status == "firing" else 0.0,
            statistic=STATISTIC,
            severity=CRISIS_SEVERITY,
            top_topics=topics[:3],
            crisis_terms=terms[:10],
            samples=samples_of(self.samples),
            detected_at=detected_at,
            details={
                "episode_start": at(self.started).isoformat(),
                "sources": ",".join(self.sources),
                "max_reach": self.max_reach,
            },
        )

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CrisisEpisode:
        return cls(**state)


class CrisisTracker:
    """Crisis episodes per detection partition, in the detection state (``{mp}|c|{key}``)."""

    def __init__(
        self, state: MutableMapping[str, Any], quiet_s: float, now: Callable[[], datetime]
    ) -> None:
        self.state = state
        self.quiet_s = quiet_s
        self.now = now

    def on_crisis(self, mp: int, item: CrisisItem) -> list[Signal]:
        """A severity-3 item: opens or grows its key's episode; signals at size steps only."""
        name = key_text(item.key)
        key = f"{mp}|c|{name}"
        stored = self.state.get(key)
        episode = CrisisEpisode.from_state(stored) if stored else None
        if episode is not None and episode.resolved:
            if episode.knows(item):
                return []  # the same item again, after its crisis ended
            episode = None
        if episode is None:
            episode = CrisisEpisode.open(item)
            index = self.state.get(f"{mp}|crises") or []
            if name not in index:
                self.state[f"{mp}|crises"] = [*index, name]
        notify = episode.add(item)
        self.state[key] = episode.to_state()
        return [episode.signal("firing", self.now())] if notify else []

    def check(self, mp: int, now_s: float) -> list[Signal]:
        """Resolve episodes quiet for ``quiet_s``; forget them after as long again."""
        index = self.state.get(f"{mp}|crises") or []
        keep, signals = [], []
        for name in index:
            stored = self.state.get(f"{mp}|c|{name}")
            if stored is None:
                continue
            episode = CrisisEpisode.from_state(stored)
            if not episode.resolved and episode.quiet(now_s, self.quiet_s):
                episode.resolved = True
                self.state[f"{mp}|c|{name}"] = episode.to_state()
                signals.append(episode.signal("resolved", self.now()))
            if episode.resolved and episode.quiet(now_s, 2 * self.quiet_s):
                del self.state[f"{mp}|c|{name}"]
            else:
                keep.append(name)
        if keep != index:
            self.state[f"{mp}|crises"] = keep
        return signals


__all__ = [
    "CRISIS_SEVERITY",
    "NOTIFY_AT",
    "CrisisEpisode",
    "CrisisTracker",
    "crisis_item",
]
