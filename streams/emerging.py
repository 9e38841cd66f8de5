"""Detection: emerging issues, complaint terms no topic covers whose frequency jumps.

Every hour the owner of the ``overall`` key reads the hour's term counts
(``streams.phrases``) and judges each term against its own history:

* *hour*: its count against its usual hourly level (an exponentially weighted
  mean, half-life three days, corrected for the detector's age), scaled by how
  busy the hour is (the hour's complaints over their usual level), at least a
  small prior for a term never seen; Poisson upper tail;
* *day*: its count over the last 24 hours against 24 times its slower level
  (half-life a week).

Only terms said mostly in complaints no topic places are judged (at most
``max_topical`` of them placed): 分拨中心 in a wave of delivery complaints is
the spike's, not a new issue. A term *jumps* when its count reaches
``hour_min_count`` (``day_min_count``), is ``min_ratio`` times what was
expected and its tail p is at most ``fire_p``.
Nothing is judged before ``min_history_h`` hours of history. A jumping term
does not teach its own level, so a new issue stays news while it grows.

Terms that jump together and belong together are one issue: one contains the
other (二维码 and 二维码失效), they share two characters in a row (扫码失效 and
二维码失效), or one is in the other's example message. Each issue is reported
under one term, its *name*: among its terms said at least half as often as its
most frequent one, the longest (二维码失效, not 失效). An issue keeps its name,
and later jumping terms that belong to it join it, until ``resolve_after_h``
hours pass without any of its terms jumping; then it resolves.

Memory is bounded: at most ``max_terms`` terms keep a level (the lightest go
first), and the last 24 hours' counts are the hours' cells, capped as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scipy.stats import poisson

from radar.events import Sample, Signal
from streams.signals import at, signal_id

STATISTIC = "poisson_tail"
HOUR_S = 3600
DAY_HOURS = 24
_ALL = "\x00complaints"  # the level of all complaints, kept beside the terms'


@dataclass(frozen=True)
class EmergingSettings:
    enabled: bool = True
    min_history_h: int = 24
    hour_min_count: int = 5
    day_min_count: int = 12
    min_ratio: float = 4.0
    fire_p: float = 1e-6
    prior_per_hour: float = 0.05  # a term never seen is expected this often an hour
    halflife_h: float = 72.0
    day_halflife_h: float = 168.0
    resolve_after_h: int = 3
    max_terms: int = 3000
    max_members: int = 12
    max_topical: float = 0.5  # a term whose complaints a topic places more often is covered


@dataclass
class Jump:
    term: str
    scale: str  # "1h" or "1d"
    count: int
    expected: float
    p: float


class EmergingDetector:
    """Term levels, the last day's hourly counts and the open issues, over one state dict."""

    def __init__(self, settings: EmergingSettings, state: dict[str, Any] | None = None) -> None:
        self.s = settings
        self.state: dict[str, Any] = state if state is not None else {}
        self.state.setdefault("n", 0)  # hours observed
        self.state.setdefault("lv", {})  # term → [hourly level, daily level, hour last seen]
        self.state.setdefault("ring", [])  # [[hour start, {term: count}], ...] the last day
        self.state.setdefault("open", {})  # name → {"since", "members", "quiet"}

    def to_state(self) -> dict[str, Any]:
        return self.state

    # -- levels -------------------------------------------------------------------------------
    def _levels(self, term: str, hour: int) -> tuple[float, float]:
        """The term's hourly and daily levels at ``hour`` (hours since the epoch)."""
        entry = self.state["lv"].get(term)
        if entry is None:
            return 0.0, 0.0
        gap = max(hour - int(entry[2]), 0)
        a, b = _alpha(self.s.halflife_h), _alpha(self.s.day_halflife_h)
        n = max(int(self.state["n"]), 1)
        # corrected for the detector's age: the first hours do not read as a low level
        return entry[0] * a**gap / (1 - a**n), entry[1] * b**gap / (1 - b**n)

    def _learn(self, term: str, hour: int, count: int) -> None:
        a, b = _alpha(self.s.halflife_h), _alpha(self.s.day_halflife_h)
        entry = self.state["lv"].get(term) or [0.0, 0.0, hour]
        gap = max(hour - int(entry[2]), 0)
        self.state["lv"][term] = [
            entry[0] * a ** (gap + 1) + (1 - a) * count,
            entry[1] * b ** (gap + 1) + (1 - b) * count,
            hour + 1,
        ]

    # -- one hour -----------------------------------------------------------------------------
    def observe(self, start_s: float, cell: dict[str, Any], now: datetime) -> list[Signal]:
        """Judge one closed hour's ``overall`` cell; the emerging-issue signals it raises."""
        hour = int(start_s // HOUR_S)
        # a term most of whose complaints a topic places is covered by the taxonomy
        said = cell.get("terms") or {}
        counts = {t: int(n) for t, (n, _) in said.items()}
        uncovered = {t for t, (n, topical) in said.items() if topical <= self.s.max_topical * n}
        ring = [[h, c] for h, c in self.state["ring"] if hour - DAY_HOURS < int(h) < hour]
        ring.append([hour, counts])
        self.state["ring"] = ring
        jumps: dict[str, Jump] = {}
        if self.state["n"] >= self.s.min_history_h:
            usual_all, _ = self._levels(_ALL, hour)
            busy = cell.get("complaints", 0) / usual_all if usual_all > 0 else 1.0
            busy = min(max(busy, 0.25), 5.0)
            day = _day_counts(ring)
            for term in sorted(uncovered):
                count = counts[term]
                jump = self._judge(term, hour, count, day.get(term, count), busy)
                if jump is not None:
                    jumps[term] = jump
        signals = self._issues(hour, jumps, cell.get("examples") or {}, now)
        in_issue = {m for issue in self.state["open"].values() for m in issue["members"]}
        for term, count in counts.items():
            if term not in jumps and term not in in_issue:
                self._learn(term, hour, count)
        self._learn(_ALL, hour, int(cell.get("complaints", 0)))
        self.state["n"] += 1
        self._bound(hour)
        return signals

    def _judge(self, term: str, hour: int, count: int, day: int, busy: float) -> Jump | None:
        s = self.s
        level_h, level_d = self._levels(term, hour)
        expected_h = max(level_h, s.prior_per_hour) * busy
        if count >= s.hour_min_count and count >= s.min_ratio * expected_h:
            p = float(poisson.sf(count - 1, expected_h))
            if p <= s.fire_p:
                return Jump(term, "1h", count, expected_h, p)
        expected_d = max(level_d, s.prior_per_hour) * DAY_HOURS
        if day >= s.day_min_count and day >= s.min_ratio * expected_d:
            p = float(poisson.sf(day - 1, expected_d))
            if p <= s.fire_p:
                return Jump(term, "1d", day, expected_d, p)
        return None

    # -- issues -------------------------------------------------------------------------------
    def _issues(
        self, hour: int, jumps: dict[str, Jump], examples: dict[str, list[str]], now: datetime
    ) -> list[Signal]:
        issues: dict[str, dict[str, Any]] = self.state["open"]
        waiting = dict(jumps)
        touched: set[str] = set()
        for name, issue in issues.items():
            for term in list(waiting):
                if any(_related(term, m, examples) for m in issue["members"]):
                    if term not in issue["members"] and len(issue["members"]) < self.s.max_members:
                        issue["members"].append(term)
                    touched.add(name)
                    del waiting[term]
        for group in _groups(list(waiting), examples):
            name = _name(group, jumps)
            if name in issues:  # an issue of that name is still open: it goes on
                issues[name]["members"] = list(dict.fromkeys([*issues[name]["members"], *group]))[
                    : self.s.max_members
                ]
            else:
                ordered = sorted(group, key=lambda t: (-jumps[t].count, t))
                members = [name, *[t for t in ordered if t != name]]
                issues[name] = {"since": hour, "members": members[: self.s.max_members]}
            touched.add(name)
        signals = []
        for name in sorted(issues):
            issue = issues[name]
            if name in touched:
                issue["quiet"] = 0
                signals.append(self._signal(name, issue, hour, jumps, examples, now, "firing"))
            else:
                issue["quiet"] = issue.get("quiet", 0) + 1
                if issue["quiet"] >= self.s.resolve_after_h:
                    signals.append(self._signal(name, issue, hour, {}, examples, now, "resolved"))
                    del issues[name]
        return signals

    def _signal(
        self,
        name: str,
        issue: dict[str, Any],
        hour: int,
        jumps: dict[str, Jump],
        examples: dict[str, list[str]],
        now: datetime,
        status: str,
    ) -> Signal:
        found = [jumps[m] for m in issue["members"] if m in jumps]
        top = max(found, key=lambda j: (-math.log10(max(j.p, 1e-300)), j.count), default=None)
        u = -math.log10(max(top.p, 1e-300)) if top else 0.0
        score = min(max((u - 2.0) / 8.0, 0.0), 1.0) if status == "firing" else 0.0
        scale = top.scale if top else "1h"
        start = (hour + 1 - (DAY_HOURS if scale == "1d" else 1)) * HOUR_S
        seen: set[str] = set()
        samples: list[Sample] = []
        for term in issue["members"]:
            example = examples.get(term)
            if example and example[0] not in seen and len(samples) < 5:
                seen.add(example[0])
                samples.append(Sample(id=example[0], text=example[1]))
        details: dict[str, Any] = {
            "episode_start": at(issue["since"] * HOUR_S).isoformat(),
            "term": name,
            "terms": "、".join(issue["members"]),
            "scale": scale,
        }
        if top is not None:
            details |= {"count": top.count, "p_value": top.p, "jumped": top.term}
        return Signal(
            id=signal_id("emerging", name, issue["since"] * HOUR_S),
            type="emerging",
            key={"term": name},
            status="firing" if status == "firing" else "resolved",
            window_start=at(start),
            window_end=at((hour + 1) * HOUR_S),
            observed=float(top.count) if top else 0.0,
            expected=round(top.expected, 6) if top else 0.0,
            score=round(score, 6),
            statistic=STATISTIC,
            severity=(2 if score >= 0.9 else 1) if status == "firing" else 0,
            samples=samples,
            detected_at=now,
            details=details,
        )

    def _bound(self, hour: int) -> None:
        levels: dict[str, list[float]] = self.state["lv"]
        if len(levels) <= self.s.max_terms:
            return
        keep = int(self.s.max_terms * 0.8)
        ranked = sorted(levels, key=lambda t: (-self._levels(t, hour)[1], t))
        self.state["lv"] = {t: levels[t] for t in [*ranked[:keep], _ALL] if t in levels}


def _alpha(halflife_h: float) -> float:
    return float(0.5 ** (1 / halflife_h))


def _day_counts(ring: list[list[Any]]) -> dict[str, int]:
    day: dict[str, int] = {}
    for _, counts in ring:
        for term, n in counts.items():
            day[term] = day.get(term, 0) + n
    return day


def _related(a: str, b: str, examples: dict[str, list[str]]) -> bool:
    """One holds the other, they share two characters in a row, or they are said together."""
    if a in b or b in a:
        return True
    if {a[i : i + 2] for i in range(len(a) - 1)} & {b[i : i + 2] for i in range(len(b) - 1)}:
        return True
    return a in (examples.get(b) or ["", ""])[1] or b in (examples.get(a) or ["", ""])[1]


def _groups(terms: list[str], examples: dict[str, list[str]]) -> list[list[str]]:
    """Terms joined by :func:`_related`, transitively (sorted, so the result is stable)."""
    groups: list[list[str]] = []
    for term in sorted(terms):
        joined = [g for g in groups if any(_related(term, m, examples) for m in g)]
        merged = [term, *[m for g in joined for m in g]]
        groups = [g for g in groups if g not in joined] + [sorted(merged)]
    return groups


def _name(group: list[str], jumps: dict[str, Jump]) -> str:
    """The longest of the group's terms said at least half as often as its most frequent."""
    most = max(jumps[t].count for t in group)
    frequent = [t for t in group if 2 * jumps[t].count >= most]
    return min(frequent, key=lambda t: (-len(t), -jumps[t].count, t))
