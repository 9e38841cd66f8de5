"""Dashboard analysis: did an improvement help? Complaint rate before vs after with a 95% interval.

The rate is complaints in the action's scope per customer message in the same
scope (so a quieter month does not look like an improvement). The interval is
for the rate ratio after/before (Katz's log method, 0.5 added to every cell when
one is zero); the verdict follows the interval: entirely below 1 is improved,
entirely above 1 is worse, otherwise there is no evidence either way.

The two sides are local days (:func:`windows`): the days before the day it
shipped against that day and the days after it, midnight to midnight in the
display time zone, so the date the user picked is the date compared at.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from radar.clock import from_millis
from radar.localtime import DEFAULT_ZONE, midnight, zone

Verdict = Literal["improved", "no_evidence", "worse", "too_early"]
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Windows:
    """The stretches compared: ``[before, cut)`` against ``[cut, after)``."""

    before: datetime
    cut: datetime  # the local midnight that starts the day it shipped
    after: datetime


def windows(shipped_on: date, days: int, now: datetime, timezone: str = DEFAULT_ZONE) -> Windows:
    """``days`` local days before the day it shipped against that day and the ``days - 1``
    after it (no further than ``now``); the day it shipped counts as after."""
    tz = zone(timezone)
    cut = from_millis(midnight(shipped_on, tz))
    before = from_millis(midnight(shipped_on - timedelta(days=days), tz))
    after = from_millis(midnight(shipped_on + timedelta(days=days), tz))
    return Windows(before, cut, max(cut, min(now, after)))


@dataclass(frozen=True)
class Effect:
    """Before/after complaint rates of one improvement action."""

    before_complaints: int
    before_volume: int
    after_complaints: int
    after_volume: int
    rate_before: float | None
    rate_after: float | None
    ratio: float | None
    low: float | None
    high: float | None
    verdict: Verdict

    @property
    def change(self) -> float | None:
        """Relative change of the rate (-0.3 = 30% fewer complaints per message)."""
        return None if self.ratio is None else self.ratio - 1.0


def rate_ratio(
    after_complaints: int, after_volume: int, before_complaints: int, before_volume: int
) -> tuple[float, float, float]:
    """Rate ratio after/before with its 95% interval (Katz log method)."""
    a, n1 = float(after_complaints), float(after_volume)
    c, n2 = float(before_complaints), float(before_volume)
    if a == 0 or c == 0 or a == n1 or c == n2:
        a, n1, c, n2 = a + 0.5, n1 + 1.0, c + 0.5, n2 + 1.0
    ratio = (a / n1) / (c / n2)
    se = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n2))
    return ratio, ratio * math.exp(-Z95 * se), ratio * math.exp(Z95 * se)


def measure(
    before_complaints: int,
    before_volume: int,
    after_complaints: int,
    after_volume: int,
    *,
    min_volume: int = 30,
) -> Effect:
    """The effect, or ``too_early`` while either side has fewer than ``min_volume`` messages."""
    rate_b = before_complaints / before_volume if before_volume else None
    rate_a = after_complaints / after_volume if after_volume else None
    if before_volume < min_volume or after_volume < min_volume:
        return Effect(
            before_complaints, before_volume, after_complaints, after_volume,
            rate_b, rate_a, None, None, None, "too_early",
        )  # fmt: skip
    ratio, low, high = rate_ratio(after_complaints, after_volume, before_complaints, before_volume)
    verdict: Verdict = "improved" if high < 1 else "worse" if low > 1 else "no_evidence"
    return Effect(
        before_complaints, before_volume, after_complaints, after_volume,
        rate_b, rate_a, ratio, low, high, verdict,
    )  # fmt: skip
