"""Alerts: the inhibit stage; a firing source alert mutes the target alerts that share labels.

The usual use: a region-wide incident mutes the per-product alerts of the
same region, so on-call staff hear about the cause once, not each symptom.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from alerts.config import InhibitRule
from alerts.matchers import matches_all
from alerts.model import Alert


class Inhibitor:
    """Applies the ``inhibit`` rules of the rules file."""

    def __init__(self, rules: Sequence[InhibitRule]) -> None:
        self.rules = list(rules)

    def muted(self, targets: Iterable[Alert], sources: Iterable[Alert]) -> dict[str, list[str]]:
        """fingerprint → why, for each target muted by a firing source alert."""
        firing = [s for s in sources if s.firing and not s.closed]
        out: dict[str, list[str]] = {}
        for target in targets:
            for n, rule in enumerate(self.rules):
                if not matches_all(rule.target, target.labels):
                    continue
                for source in firing:
                    if source.fingerprint == target.fingerprint:
                        continue
                    if not matches_all(rule.source, source.labels):
                        continue
                    if all(
                        source.labels.get(k, "") == target.labels.get(k, "") for k in rule.equal
                    ):
                        name = rule.name or f"inhibit[{n}]"
                        out.setdefault(target.fingerprint, []).append(
                            f"inhibited by {name} (source alert {source.fingerprint[:8]})"
                        )
                        break
        return out
