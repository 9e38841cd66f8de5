"""Alerts: the route stage, deciding which rules take a signal and what alert each makes."""

from __future__ import annotations

from dataclasses import dataclass

from alerts.config import Match, Rule, RulesConfig
from alerts.matchers import Matcher, matches_all
from alerts.model import fingerprint, group_key, group_labels, signal_labels
from radar.events import Signal


@dataclass(frozen=True)
class Routed:
    """A signal taken by a rule: the alert's identity, labels and group."""

    rule: Rule
    fingerprint: str
    labels: dict[str, str]
    severity: int
    group_key: str
    group_labels: dict[str, str]


def matches(match: Match, signal: Signal, labels: dict[str, str]) -> bool:
    """True when ``signal`` meets every condition of ``match``."""
    checks = (
        not match.type or signal.type in match.type,
        matches_all(match.labels, labels),
        match.min_score is None or signal.score >= match.min_score,
        match.min_observed is None or signal.observed >= match.min_observed,
        match.max_observed is None or signal.observed <= match.max_observed,
        match.min_ratio is None or signal.observed >= match.min_ratio * max(signal.expected, 1e-9),
        match.min_severity is None or signal.severity >= match.min_severity,
        not match.crisis_terms or bool(set(match.crisis_terms) & set(signal.crisis_terms)),
        not match.any_crisis_term or bool(signal.crisis_terms),
        not match.sla_breach or signal.type == "unanswered",
        all(_driven(matcher, signal) for matcher in match.drivers),
    )
    return all(checks)


def _driven(matcher: Matcher, signal: Signal) -> bool:
    """Whether some driver of the matcher's field matches it (none: the value ``""``)."""
    values = [d.value for d in signal.drivers if d.field == matcher.name] or [""]
    return any(matcher.matches({matcher.name: value}) for value in values)


def route(config: RulesConfig, signal: Signal) -> list[Routed]:
    """The rules that take a firing ``signal``, in file order; a rule ends the search unless
    it says ``continue``. (Resolved updates are not routed: they end the alerts that the
    same signal id made, whichever rules those came from.)
    """
    taken = []
    for rule in config.rules:
        severity = rule.severity if rule.severity is not None else signal.severity
        labels = signal_labels(signal, rule.name, severity)
        if not matches(rule.match, signal, labels):
            continue
        grouping = group_labels(rule, labels)
        taken.append(
            Routed(
                rule=rule,
                fingerprint=fingerprint(rule.name, signal.id),
                labels=labels,
                severity=severity,
                group_key=group_key(rule.name, grouping),
                group_labels=grouping,
            )
        )
        if not rule.continue_:
            break
    return taken
