"""Detection: spikes told as specifically as the evidence allows (a combination vs its anchor).

One cause lights up many keys: 150 delivery complaints from 广东 raise
``topic=物流配送``, ``topic=物流配送;region=广东`` and every
``topic=物流配送;product=…`` at once. On-call staff need one alert, named by
its cause. Keys are judged in families: an *anchor* (one field, such as
``topic=物流配送``) and its *combinations* (``topic=物流配送;…``), which the
worker routes to the same detection partition.

* A key that spikes while its share of its parent is as usual only rides the
  parent's wave: it is not reported. A combination's parent is its anchor; an
  anchor's parent is ``overall`` (every detection partition sees the overall
  count), so a wave spread evenly over every product is not reported product
  by product.
* A combination whose share of the anchor jumped (a binomial upper tail of
  its count given the anchor's count and its usual share) is *concentrated*:
  it is reported.
* An anchor that spikes is reported under its concentrated combination when
  that combination holds at least ``explain_share`` of the anchor's excess
  (the alert says "物流配送 · 广东", not "物流配送"), and as itself otherwise.

An episode keeps the key it was first reported under until it resolves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from scipy.stats import binom

from streams.windows import OVERALL, anchor


@dataclass(frozen=True)
class ExplainSettings:
    concentrated_p: float = 1e-4  # a combination's share jumped when its tail is this small
    explain_share: float = 0.5  # share of the anchor's excess a combination must hold
    min_share: float = 1e-3  # a usual share is never taken below this


@dataclass(frozen=True)
class Reading:
    """One key's spike reading of a window: its status and its (observed, expected) per scale."""

    firing: bool
    scale: str  # the scale whose test decided
    scales: Mapping[str, tuple[float, float]]


def share_tail(child: tuple[float, float], parent: tuple[float, float], min_share: float) -> float:
    """P(a combination holds at least its observed count of its anchor's observed count)."""
    observed, expected = child
    total, total_expected = parent
    if total <= 0 or observed <= 0:
        return 1.0
    share = min(max(expected / total_expected if total_expected > 0 else 0.0, min_share), 0.999)
    n, x = round(total), min(math.ceil(observed), round(total))
    return float(binom.sf(x - 1, n, share))


def excess(values: tuple[float, float]) -> float:
    return max(values[0] - values[1], 0.0)


def judge(
    readings: Mapping[str, Reading], settings: ExplainSettings | None = None
) -> dict[str, str]:
    """For each firing key: the key to report it under, or nothing (absent) if it only rides.

    ``readings`` holds every key of the window that has a spike reading, firing or not.
    """
    s = settings or ExplainSettings()
    overall = readings.get(OVERALL)
    out: dict[str, str] = {}
    for dim, reading in readings.items():
        if not reading.firing:
            continue
        if dim == OVERALL:
            out[dim] = dim  # the alert rules mute it while a more specific spike fires
            continue
        head = anchor(dim)
        parent = readings.get(head) if head != dim else overall
        if parent is not None and not _concentrated(reading, parent, s):
            continue  # rides its parent's wave: as many more complaints, in the usual share
        out[dim] = dim if head != dim else (_explained_by(dim, reading, readings, s) or dim)
    return out


def _concentrated(child: Reading, parent: Reading, s: ExplainSettings) -> bool:
    """Whether the child's share of its parent jumped at any scale both were read at
    (the smallest tail, Bonferroni-corrected for the scales compared)."""
    shared = [name for name in child.scales if name in parent.scales]
    if not shared:
        return True
    tails = [share_tail(child.scales[n], parent.scales[n], s.min_share) for n in shared]
    return min(tails) * len(shared) <= s.concentrated_p


def _explained_by(
    head: str, reading: Reading, readings: Mapping[str, Reading], s: ExplainSettings
) -> str | None:
    """The concentrated combination holding most of the anchor's excess, if it holds enough."""
    scale = reading.scale
    mine = reading.scales.get(scale)
    if mine is None or excess(mine) <= 0:
        return None
    best: tuple[float, str] | None = None
    for dim, other in readings.items():
        if dim == head or anchor(dim) != head or scale not in other.scales:
            continue
        if not _concentrated(other, reading, s):
            continue
        observed, expected = other.scales[scale]
        held = excess((observed, expected)) / excess(mine)
        if held >= s.explain_share and (best is None or held > best[0]):
            best = (held, dim)
    return None if best is None else best[1]
