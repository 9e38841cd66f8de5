"""Demo feed: what happens when (daily and weekly rhythm, channels, scripted incidents).

:class:`DemoScript` is pure and deterministic for a seed and a start time: it
turns a span of time into the items customers (and staff) would have sent,
with the scripted incidents laid over the normal traffic.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ingest import demo_corpus as words
from ingest.demo_corpus import DemoTexts
from ingest.demo_incidents import SLA, Incident, scripted_incidents

LOCAL = ZoneInfo("Asia/Shanghai")
#: Relative volume per local hour (people write in the morning and the evening).
DAILY = (
    0.15,
    0.08,
    0.05,
    0.04,
    0.04,
    0.08,
    0.2,
    0.45,
    0.8,
    1.1,
    1.3,
    1.35,
    1.1,
    1.0,
    1.15,
    1.2,
    1.15,
    1.05,
    1.0,
    1.2,
    1.5,
    1.6,
    1.2,
    0.6,
)
WEEKLY = (0.95, 0.95, 0.95, 1.0, 1.1, 1.25, 1.2)  # Monday .. Sunday
_MEAN_DAILY = sum(DAILY) / len(DAILY)
CHANNELS = (
    ("review", 45),
    ("survey", 12),
    ("forum", 10),
    ("social", 15),
    ("chat", 12),
    ("email", 6),
)


@dataclass(order=True)
class DemoItem:
    """One thing said on one channel at one time (fields as a connector would read them)."""

    at: datetime
    seq: int
    channel: str = field(compare=False)
    fields: dict[str, Any] = field(compare=False)


def rhythm(at: datetime) -> float:
    local = at.astimezone(LOCAL)
    return DAILY[local.hour] / _MEAN_DAILY * WEEKLY[local.weekday()]


def poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class DemoScript:
    """Generates the feed span by span; items come out in time order, replies included."""

    def __init__(self, corpus: DemoTexts, seed: int, start: datetime, end: datetime) -> None:
        self.corpus = corpus
        self.seed = seed
        self.rng = random.Random(seed)
        self.incidents = scripted_incidents(start, end)
        self.unanswered: list[Incident] = []
        self._queue: list[DemoItem] = []
        self._seq = itertools.count()
        self.cursor = start

    def _active(self, kind: str, at: datetime, **key: str) -> Incident | None:
        for incident in self.incidents:
            if (
                incident.type == kind
                and incident.active(at)
                and all(incident.key.get(k) == v for k, v in key.items())
            ):
                return incident
        return None

    def advance(self, until: datetime, per_day: float) -> list[DemoItem]:
        """Everything said from the cursor to ``until`` at ``per_day`` items a day on average."""
        t0, seconds = self.cursor, (until - self.cursor).total_seconds()
        if seconds > 0:
            count = poisson(self.rng, per_day / 86400 * seconds * rhythm(t0))
            for _ in range(count):
                self._normal(t0 + timedelta(seconds=self.rng.uniform(0, seconds)))
            for incident in self.incidents:
                self._incident_items(incident, t0, until, per_day)
            self.cursor = until
        ready = []
        while self._queue and self._queue[0].at < until:
            ready.append(heapq.heappop(self._queue))
        return ready

    def _push(self, at: datetime, channel: str, fields: dict[str, Any]) -> str | None:
        """Queue an item; None when an incident keeps the channel silent at that time."""
        seq = next(self._seq)
        external = f"demo{self.seed}-{channel}-{int(at.timestamp())}-{seq}"
        if "thread_id" in fields and fields["thread_id"] is None:
            fields = {**fields, "thread_id": external}  # an opening post starts its thread
        fields = {"external_id": external, "created_at": at.isoformat(), **fields}
        if channel == "chat" and self._active("silence", at, channel="chat"):
            return None
        if channel == "email" and self._active("source_down", at, channel="email"):
            return None
        heapq.heappush(self._queue, DemoItem(at, seq, channel, fields))
        return external

    def _customer(
        self, positive: bool, category: str | None = None, channel: str = "review"
    ) -> dict[str, Any]:
        rng = self.rng
        category = category or rng.choice(self.corpus.categories)
        return {
            "text": self.corpus.text(rng, category, positive, channel),
            "product": category,
            "region": words.weighted(rng, words.REGIONS),
            "segment": words.weighted(rng, words.SEGMENTS),
            "author": f"客户{rng.randrange(1, 200_000):06d}",
        }

    def _normal(self, at: datetime) -> None:
        channel = words.weighted(self.rng, CHANNELS)
        positive = self.rng.random() < (0.4 if channel in {"forum", "email"} else 0.62)
        self.emit(channel, at, self._customer(positive, channel=channel), positive)

    def emit(self, channel: str, at: datetime, base: dict[str, Any], positive: bool) -> None:
        """One customer item on ``channel`` with the channel's own facts and staff replies."""
        rng = self.rng
        if channel == "review":
            base["rating"] = rng.choice((4, 5, 5)) if positive else rng.choice((1, 1, 2, 3))
            self._push(at, channel, base)
        elif channel == "survey":
            base["csat"] = rng.choice((4, 5)) if positive else rng.choice((1, 2, 2, 3))
            base["nps"] = rng.randint(8, 10) if positive else rng.randint(0, 6)
            base["order_id"] = f"E{rng.randrange(10**11, 10**12)}"
            self._push(at, channel, base)
        elif channel == "social":
            reach = int(base.pop("reach", 0)) or int(min(5_000_000, 20 * rng.paretovariate(1.1)))
            base.update(
                reach=reach,
                reposts=int(reach * rng.uniform(0, 0.01)),
                likes=int(reach * rng.uniform(0, 0.03)),
                url=f"https://weibo.example/{rng.randrange(10**9)}",
            )
            self._push(at, channel, base)
        elif channel == "forum":
            base["title"] = self.corpus.title(rng, base["text"], channel, positive)
            post = self._push(at, channel, {**base, "thread_id": None})
            if post is not None:
                self._reply(channel, at, post, thread=post, median_h=2.0, never=0.08)
        elif channel == "chat":
            conversation = f"conv{rng.randrange(10**8)}"
            message = self._push(at, channel, {**base, "thread_id": conversation})
            if message is not None:
                self._reply(channel, at, message, thread=conversation, median_h=0.05, never=0.02)
        else:
            base["title"] = self.corpus.title(rng, base["text"], channel, positive)
            mail = self._push(at, channel, {**base, "thread_id": None})
            if mail is not None and not positive:
                self._reply(channel, at, mail, thread=mail, median_h=5.0, never=0.1)

    def _reply(
        self, channel: str, at: datetime, post: str, *, thread: str, median_h: float, never: float
    ) -> None:
        rng = self.rng
        answered = rng.random() >= never
        delay = timedelta(hours=rng.lognormvariate(math.log(median_h), 1.0))
        if answered:
            self._push(
                at + delay,
                channel,
                {
                    "text": self.corpus.staff_reply(rng),
                    "author": "客服小美",
                    "is_staff_reply": True,
                    "thread_id": thread,
                    "reply_to": post,
                },
            )
        if channel == "forum" and (not answered or delay > SLA):
            self.unanswered.append(
                Incident(
                    "unanswered",
                    {"channel": channel, "thread_id": post},
                    at + SLA,
                    at + delay if answered else None,
                    "forum thread without a staff reply in 6 h",
                )
            )

    def _incident_items(
        self, incident: Incident, t0: datetime, t1: datetime, per_day: float
    ) -> None:
        start = max(t0, incident.start)
        end = min(t1, incident.end or t1)
        seconds = (end - start).total_seconds()
        if seconds <= 0 or incident.type not in {"spike", "crisis"}:
            return
        hourly = max(6.0, per_day / 24 * (0.5 if incident.type == "spike" else 0.25))
        for _ in range(poisson(self.rng, hourly * seconds / 3600)):
            at = start + timedelta(seconds=self.rng.uniform(0, seconds))
            if incident.type == "spike":
                region = incident.key["region"]
                base = self._customer(False)
                base["region"] = region
                base["text"] = self.corpus.courier_delay(self.rng, region)
                channel = self.rng.choice(("review", "chat", "survey", "social", "review"))
            else:
                base = self._customer(False, incident.key["product"])
                channel = incident.key["channel"]
                base["text"] = self.corpus.safety_scare(self.rng, incident.key["product"], channel)
                if channel == "social":
                    base["reach"] = int(self.rng.uniform(10_000, 2_000_000))
            self.emit(channel, at, base, positive=False)
