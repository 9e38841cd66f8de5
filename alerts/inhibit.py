"""Alerts: the inhibit stage; a firing source alert mutes the target alerts that share labels.

The usual uses: a crisis mutes the complaint spikes of its own product, and a
spike named by topic and region mutes the broader alerts it explains, so
on-call staff hear about the cause once, not each symptom.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from alerts.config import InhibitRule
from alerts.matchers import matches_all
from alerts.model import Alert


class Inhibitor:
    """Applies the ``inhibit`` rules of the rules file."""

    def __init__(self, rules: Sequence[InhibitRule]) -> None:
        self.rules = list(rules)

    def muted(
        self,
        targets: Iterable[Alert],
        sources: Iterable[Alert],
        ended: Iterable[Alert] = (),
    ) -> dict[str, list[str]]:
        """fingerprint → why, for each target muted by a source alert.

        A source mutes while it fires. For alerts that are over (history read in
        a backfill), sources that have ``ended`` mute the targets whose problem
        they overlapped in event time, so the order in which the history reached
        the service does not decide what is news.
        """
        firing = [s for s in sources if s.firing and not s.closed]
        ended = [s for s in ended if not s.firing]
        out: dict[str, list[str]] = {}
        for target in targets:
            for n, rule in enumerate(self.rules):
                if not matches_all(rule.target, target.labels):
                    continue
                overlapping = [s for s in ended if overlaps(s, target)]
                for source in [*firing, *overlapping]:
                    if source.fingerprint == target.fingerprint:
                        continue
                    if not matches_all(rule.source, source.labels):
                        continue
                    if _shares(rule, source.labels, target.labels):
                        name = rule.name or f"inhibit[{n}]"
                        out.setdefault(target.fingerprint, []).append(
                            f"inhibited by {name} (source alert {source.fingerprint[:8]})"
                        )
                        break
        return out


def _shares(rule: InhibitRule, source: Mapping[str, str], target: Mapping[str, str]) -> bool:
    """Whether the source and the target agree on the rule's ``equal`` labels."""
    if not rule.nested:
        return all(source.get(k, "") == target.get(k, "") for k in rule.equal)
    present = [k for k in rule.equal if target.get(k, "")]
    return bool(present) and all(source.get(k, "") == target[k] for k in present)


def event_span(alert: Alert) -> tuple[datetime, datetime]:
    """When the alert's problem lasted, in event time: its episode's start to its last window."""
    signal = alert.signal
    started = signal.details.get("episode_start")
    begin = datetime.fromisoformat(started) if isinstance(started, str) else signal.window_start
    return min(begin, signal.window_start), signal.window_end


def overlaps(a: Alert, b: Alert) -> bool:
    a0, a1 = event_span(a)
    b0, b1 = event_span(b)
    return a0 <= b1 and b0 <= a1
