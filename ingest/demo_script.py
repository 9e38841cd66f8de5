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
    ("review", 40),
    ("survey", 10),
    ("forum", 10),
    ("social", 15),
    ("chat", 18),
    ("email", 7),
)
#: Channels where staff answer on the thread, and how: (median hours, share never answered
#: of complaints). Complaints left waiting open with an explicit complaint in their title.
REPLIES = {"chat": (0.05, 0.0), "social": (1.0, 0.0), "forum": (2.0, 0.08), "email": (4.0, 0.1)}
#: Complaints an hour about the new defect (the emerging issue the story scripts).
DEFECT_PER_HOUR = 8.0
#: A reply this close to a deadline is moved clear of it, so the story is unambiguous.
MARGIN = timedelta(minutes=20)


@dataclass(order=True)
class DemoItem:
    """One thing said on one channel: delivered at ``at`` (fields as a connector reads them).

    ``created_at`` in the fields is when it was said; a connector that was
    down delivers what it missed later.
    """

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
    """Generates the feed span by span; items come out in delivery order, replies included."""

    def __init__(
        self, corpus: DemoTexts, seed: int, start: datetime, end: datetime, *, live: bool = True
    ) -> None:
        self.corpus = corpus
        self.seed = seed
        self.rng = random.Random(seed)
        self.incidents = scripted_incidents(start, end, live=live)
        self.end, self.live = end, live
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

    def source_down(self, channel: str, at: datetime) -> Incident | None:
        """The outage of ``channel``'s connector at ``at``, if it is down then."""
        return self._active("source_down", at, channel=channel)

    def advance(self, until: datetime, per_day: float) -> list[DemoItem]:
        """Everything delivered from the cursor to ``until`` at ``per_day`` items a day."""
        t0, seconds = self.cursor, (until - self.cursor).total_seconds()
        if seconds > 0:
            count = poisson(self.rng, per_day / 86400 * seconds * rhythm(t0))
            for _ in range(count):
                self._normal(t0 + timedelta(seconds=self.rng.uniform(0, seconds)))
            for incident in self.incidents:
                self._incident_items(incident, t0, until)
            self.cursor = until
        ready = []
        while self._queue and self._queue[0].at < until:
            ready.append(heapq.heappop(self._queue))
        return ready

    def _delivery(self, channel: str, at: datetime) -> datetime:
        """When an item said at ``at`` reaches Radar: after the outage if its connector is down."""
        outage = self.source_down(channel, at)
        if outage is None or outage.end is None:
            return at
        return outage.end + timedelta(seconds=self.rng.uniform(1, 600))

    def _push(self, at: datetime, channel: str, fields: dict[str, Any]) -> str | None:
        """Queue an item said at ``at``; None when customers of the channel keep silent."""
        seq = next(self._seq)
        external = f"demo{self.seed}-{channel}-{int(at.timestamp())}-{seq}"
        if "thread_id" in fields and fields["thread_id"] is None:
            fields = {**fields, "thread_id": external}  # an opening post starts its thread
        fields = {"external_id": external, "created_at": at.isoformat(), **fields}
        staff = bool(fields.get("is_staff_reply"))
        if not staff and self._active("silence", at, channel=channel):
            return None
        heapq.heappush(self._queue, DemoItem(self._delivery(channel, at), seq, channel, fields))
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
            return
        if channel == "survey":
            base["csat"] = rng.choice((4, 5)) if positive else rng.choice((1, 2, 2, 3))
            base["nps"] = rng.randint(8, 10) if positive else rng.randint(0, 6)
            base["order_id"] = f"E{rng.randrange(10**11, 10**12)}"
            self._push(at, channel, base)
            return
        median_h, never = REPLIES[channel]
        waits, late = self._left_waiting(at, positive, never)
        if channel == "social":
            # an ordinary post reaches at most 50,000: a viral complaint (100,000 and more)
            # is a crisis of its own, and the story keeps those for the scare
            reach = int(base.pop("reach", 0)) or int(min(50_000, 20 * rng.paretovariate(1.1)))
            base.update(
                reach=reach,
                reposts=int(reach * rng.uniform(0, 0.01)),
                likes=int(reach * rng.uniform(0, 0.03)),
                url=f"https://weibo.example/{rng.randrange(10**9)}",
            )
        reply = self._plan_reply(channel, at, median_h, waits=waits, late=late)
        overdue = reply is None or self._delivery(channel, reply) >= at + SLA
        if channel in {"forum", "email"}:
            title = self.corpus.title(rng, base["text"], channel, positive)
            base["title"] = f"投诉：{title}" if overdue else title
        thread = f"conv{rng.randrange(10**8)}" if channel == "chat" else None
        post = self._push(at, channel, {**base, "thread_id": thread})
        if post is None:
            return
        thread = thread or post
        if reply is not None:
            self._push(
                reply,
                channel,
                {
                    "text": self.corpus.staff_reply(rng),
                    "author": "客服小美",
                    "is_staff_reply": True,
                    "thread_id": thread,
                    "reply_to": post,
                },
            )
        if overdue:
            self.unanswered.append(
                Incident(
                    "unanswered",
                    {"channel": channel, "thread": thread},
                    at + SLA,
                    reply,
                    f"{channel} complaint without a staff reply in 6 h",
                )
            )

    def _left_waiting(self, at: datetime, positive: bool, never: float) -> tuple[bool, bool]:
        """Whether a post is never answered, or answered after the SLA (complaints only).

        Without a live part, a deadline near the end of the backfill could go
        either way (the feed stops around it), so such posts are answered in time.
        """
        if positive or (not self.live and at + SLA > self.end - timedelta(minutes=30)):
            return False, False
        waits = self.rng.random() < never
        late = not waits and self.rng.random() < never / 2
        return waits, late

    def _plan_reply(
        self, channel: str, at: datetime, median_h: float, *, waits: bool, late: bool
    ) -> datetime | None:
        """When staff answer a post said at ``at`` (None: never).

        Staff answer every thread in time unless the story says ``late``
        (after the SLA) or ``waits`` (never). Radar judges by when the reply
        *reaches* it: a timely reply the connector outage would hold back past
        the deadline is written before the outage instead, and a reply close
        to the deadline is moved clear of it, so the story is unambiguous.
        """
        rng = self.rng
        deadline = at + SLA
        if waits:
            return None
        if late:
            when = deadline + timedelta(hours=rng.uniform(0.5, 6))
        else:
            hours = rng.lognormvariate(math.log(median_h), 1.0)
            when = at + min(timedelta(hours=hours), 0.8 * SLA)
            outage = self.source_down(channel, when)
            if outage is not None and self._delivery(channel, when) >= deadline - MARGIN:
                when = at + (outage.start - at) / 2
        arrives = self._delivery(channel, when)
        if abs(arrives - deadline) < MARGIN:
            when += deadline + MARGIN - arrives
        return when

    def _incident_items(self, incident: Incident, t0: datetime, t1: datetime) -> None:
        start = max(t0, incident.start)
        end = min(t1, incident.end or t1)
        seconds = (end - start).total_seconds()
        if seconds <= 0 or incident.type not in {"spike", "crisis", "emerging"}:
            return
        hourly = {"spike": 50.0, "crisis": 4.0, "emerging": DEFECT_PER_HOUR}[incident.type]
        for _ in range(poisson(self.rng, hourly * seconds / 3600)):
            at = start + timedelta(seconds=self.rng.uniform(0, seconds))
            if incident.type == "emerging":
                # every product's QR code: no product's own complaints rise much
                channel = self.rng.choice(("review", "review", "forum", "social", "survey"))
                base = self._customer(False, channel=channel)
                base["text"] = self.corpus.new_defect(self.rng, base["product"])
            elif incident.type == "spike":
                region = incident.key["region"]
                channel = self.rng.choice(("review", "review", "chat", "survey", "social"))
                base = self._customer(False, channel=channel)
                base["region"] = region
                base["text"] = self.corpus.courier_delay(self.rng, region)
            else:
                forum_until = incident.details.get("forum_until")
                on_forum = forum_until is not None and at < datetime.fromisoformat(forum_until)
                channel = "forum" if on_forum else "social"
                base = self._customer(False, incident.key["product"], channel=channel)
                base["text"] = self.corpus.safety_scare(self.rng, incident.key["product"], channel)
                if channel == "social":
                    base["reach"] = int(self.rng.uniform(10_000, 2_000_000))
            self.emit(channel, at, base, positive=False)
