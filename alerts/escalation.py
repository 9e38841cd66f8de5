"""Alerts: escalation, telling the next receivers when nobody acknowledged in time."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from alerts.config import Escalation
from radar.i18n import Locale


def due_steps(
    steps: Sequence[Escalation], since: datetime, done: Collection[int], now: datetime
) -> list[tuple[int, Escalation]]:
    """(index, step) of each step whose delay since the first notification has passed."""
    return [
        (i, step) for i, step in enumerate(steps) if i not in done and now - since >= step.after
    ]


def escalation_note(step: Escalation, locale: Locale) -> str:
    """What an escalation message says to its new receivers."""
    return locale.t("alerts.note.escalation", after=step.after)
