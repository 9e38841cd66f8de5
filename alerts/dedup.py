"""Alerts: the dedupe stage; decides whether a receiver needs to hear about a group now.

Like Alertmanager's: notify when the firing set holds something the last
notification did not (a new alert, or a higher severity), or when the repeat
interval has passed since the last one and nobody acknowledged the incident.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

Decision = Literal["firing", "repeat"] | None


def _as_set(state: Sequence[Sequence[Any]]) -> set[tuple[str, int]]:
    return {(str(fp), int(sev)) for fp, sev in state}


def decide(
    last_state: Sequence[Sequence[Any]] | None,
    last_at: datetime | None,
    firing_state: Sequence[Sequence[Any]],
    now: datetime,
    repeat_interval: timedelta,
    *,
    acknowledged: bool,
) -> Decision:
    """``firing`` for news, ``repeat`` for a reminder, None when nothing needs sending."""
    if not firing_state:
        return None
    if last_state is None or last_at is None:
        return "firing"
    if not _as_set(firing_state) <= _as_set(last_state):
        return "firing"
    if not acknowledged and now - last_at >= repeat_interval:
        return "repeat"
    return None
