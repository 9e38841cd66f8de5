"""Demo feed: the scripted incidents (what detectors should find, and when)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ingest import demo_corpus as words

#: How long a customer may wait for a first reply (the documents' 6 hours).
SLA = timedelta(hours=6)


@dataclass(frozen=True)
class Incident:
    """A scripted event detectors should find: type, key, and when (end None: open)."""

    type: str
    key: dict[str, str]
    start: datetime
    end: datetime | None
    description: str = ""
    details: dict[str, str] = field(default_factory=dict)

    def active(self, at: datetime) -> bool:
        return self.start <= at and (self.end is None or at < self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "description": self.description,
        }


#: Local time the story is told in (busy hours are busy in Beijing).
LOCAL = ZoneInfo("Asia/Shanghai")
#: History before the first scripted incident, so every detector knows what is usual
#: (the silence detector judges a channel after 36 hourly windows: docs/streams.md).
WARM_UP = timedelta(hours=36)
#: Busy local hours an incident may take place in (whole incident inside).
BUSY = (9, 21)
#: The new defect the story scripts, as the emerging issue it should be found as; it
#: starts this long before the courier wave and lasts DEFECT_HOURS.
NEW_DEFECT = "二维码失效"
DEFECT_BEFORE = timedelta(hours=3)
DEFECT_HOURS = timedelta(hours=4)


def _latest_slot(before: datetime, hours: int, earliest: datetime) -> datetime | None:
    """The latest on-the-hour start of ``hours`` in busy local hours ending by ``before``."""
    start = (before - timedelta(hours=hours)).replace(minute=0, second=0, microsecond=0)
    while start >= earliest:
        local = start.astimezone(LOCAL)
        if BUSY[0] <= local.hour and local.hour + hours <= BUSY[1]:
            return start
        start -= timedelta(hours=1)
    return None


def scripted_incidents(start: datetime, end: datetime, *, live: bool = True) -> list[Incident]:
    """The story of a backfill from ``start`` to ``end``, told backwards from the end.

    The safety scare fills the last hours (and, ``live``, goes on); before it,
    two hours apart, come the courier-delay wave in 广东, the mailbox outage and
    the chat silence, each in busy local hours and after a day and more of
    ordinary history; a new defect (QR codes that cannot be scanned) starts
    three hours before the courier wave and lasts four. Incidents that do not
    fit a short backfill are left out.
    Live, a second courier wave (浙江) starts ten minutes after the backfill.
    """
    product = words.SAFETY_PRODUCT
    earliest = start + WARM_UP
    story: list[Incident] = []
    scare = end - timedelta(hours=5)
    if scare >= earliest:
        story.append(
            Incident(
                "crisis",
                {"crisis": "safety", "product": product},
                scare,
                None if live else end,
                f"{product} safety scare: two hours on the forum, then social media with "
                "large reach",
                {"forum_until": (scare + timedelta(hours=2)).isoformat()},
            )
        )
    cursor = scare
    plan = [
        ("spike", {"topic": "物流配送", "region": "广东"}, 3, "courier-delay wave in 广东"),
        ("source_down", {"source": "demo-email", "channel": "email"}, 3, "mailbox unreachable"),
        ("silence", {"channel": "chat"}, 4, "chat goes quiet: customers stop writing"),
    ]
    for kind, key, hours, description in plan:
        slot = _latest_slot(cursor - timedelta(hours=2), hours, earliest)
        if slot is None:
            continue
        story.append(Incident(kind, key, slot, slot + timedelta(hours=hours), description))
        cursor = slot
    wave = next((i for i in story if i.type == "spike"), None)
    if wave is not None and wave.start - DEFECT_BEFORE >= earliest:
        # a defect nobody listed: QR codes that cannot be scanned, said on every product
        story.append(
            Incident(
                "emerging",
                {"term": NEW_DEFECT},
                wave.start - DEFECT_BEFORE,
                wave.start - DEFECT_BEFORE + DEFECT_HOURS,
                f"a new defect no topic lists ({NEW_DEFECT}), on every product",
            )
        )
    if live:
        story.append(
            Incident(
                "spike",
                {"topic": "物流配送", "region": "浙江"},
                end + timedelta(minutes=10),
                end + timedelta(minutes=70),
                "live courier-delay wave in 浙江 (real time)",
            )
        )
    return sorted(story, key=lambda i: i.start)


@dataclass
class StoryCheck:
    """How the incidents Radar opened compare with the incidents the demo scripted."""

    found: list[dict[str, Any]]
    missing: list[dict[str, Any]]
    unexplained: list[tuple[str, dict[str, str]]]  # (incident type, signal key)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unexplained


def _covers(scripted: dict[str, str], key: dict[str, str]) -> bool:
    """Whether a signal key names at least every field of a scripted key, with its value.

    A ``term`` (an emerging issue) is named in the customers' words, which the
    script cannot foresee: any term that holds the scripted one, is part of it
    or shares two characters in a row with it names it (二维码, 码失效 for 二维码失效).
    """
    return all(
        _same_term(value, key.get(name)) if name == "term" else key.get(name) == value
        for name, value in scripted.items()
    )


def _same_term(scripted: str, found: str | None) -> bool:
    if not found:
        return False
    if scripted in found or found in scripted:
        return True
    pairs = {scripted[i : i + 2] for i in range(len(scripted) - 1)}
    return any(found[i : i + 2] in pairs for i in range(len(found) - 1))


def check_story(scripted: list[dict[str, Any]], incidents: list[dict[str, Any]]) -> StoryCheck:
    """Compare scripted incidents (``demo_incidents.json``) with opened ones (``--json`` list).

    A scripted incident is found when an incident of its type holds a signal
    whose key has every field of the scripted key; a signal of an incident is
    explained when some scripted incident of the incident's type is covered
    by its key. Both must hold for every incident: nothing missing, nothing else.
    """
    found: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for item in scripted:
        hit = any(
            incident["type"] == item["type"]
            and any(_covers(item["key"], key) for key in incident.get("signal_keys", []))
            for incident in incidents
        )
        (found if hit else missing).append(item)
    unexplained = [
        (incident["type"], key)
        for incident in incidents
        for key in incident.get("signal_keys", [])
        if not any(i["type"] == incident["type"] and _covers(i["key"], key) for i in scripted)
    ]
    return StoryCheck(found, missing, unexplained)
