"""Alerts: escalation, telling the next receivers when nobody acknowledged in time."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from alerts.config import Escalation
from alerts.values import format_duration


def due_steps(
    steps: Sequence[Escalation], since: datetime, done: Collection[int], now: datetime
) -> list[tuple[int, Escalation]]:
    """(index, step) of each step whose delay since the first notification has passed."""
    return [
        (i, step) for i, step in enumerate(steps) if i not in done and now - since >= step.after
    ]


def escalation_note(step: Escalation) -> str:
    return (
        f"Nobody acknowledged this incident within {format_duration(step.after)}; escalated to you."
    )
