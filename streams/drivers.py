"""Detection: the drivers of a spike or a shift, the values whose excess makes up the key's.

A spike says *that* complaints are far above the usual level; on-call asks
*where from*. Each window cell counts its complaints and negative items by the
value of every field (product, region, channel, topic, shop, segment:
``streams.windows.add_event``), and each judged key keeps, per field and value,
two exponentially weighted counts of them (:class:`DriverTracker`):

* *recent* (half-life 15 minutes): the mix of the key's latest windows;
* *usual* (half-life three days): the mix the key normally has, learned only
  while the key is not in an episode, so a wave never teaches its own mix.

When the key's detector says how many were observed and expected, a value's
observed part is its recent share of the observed count, its expected part its
usual share of the expected count, and its *excess* the difference. The
drivers of a field are its values with the largest excess, taken until they
hold at least ``explain_share`` of the key's excess (at most three, each at
least ``min_lift`` times its usual share, and its recent count unlikely under
its usual share: binomial tail at most ``driver_p``, the recent counts taken
as counts): a field whose excess is spread
like its usual mix names no driver. The raw share (the value most complaints
came from) is what :func:`raw_top` gives, kept as the benchmark's baseline: it
names 广东 for every wave, since 广东 is always the largest region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from scipy.stats import binom

from radar.events import Driver

#: Fields whose values may drive a key's excess, in the order they are reported.
DRIVER_FIELDS = ("region", "product", "topic", "channel", "shop", "segment")
#: Values a key remembers per field (the lightest are forgotten first).
MAX_REMEMBERED = 24
#: The values beyond a cell's cap: counted, never named as a driver.
OTHER = ""


@dataclass(frozen=True)
class DriverSettings:
    recent_halflife_s: float = 900.0
    usual_halflife_s: float = 3 * 86400.0
    explain_share: float = 0.5  # the drivers of a field hold at least this share of the excess
    min_lift: float = 1.5  # a driver's recent share is at least this times its usual share
    max_per_field: int = 3
    driver_p: float = 1e-3  # binomial tail of a driver's recent count given its usual share
    min_share: float = 0.02  # a usual share (or a value never seen) is taken as at least this


class DriverTracker:
    """One key's recent and usual mix of one measure (0 complaints, 1 negatives) per field."""

    def __init__(
        self, measure: int, settings: DriverSettings, state: dict[str, Any] | None = None
    ) -> None:
        self.measure = measure
        self.settings = settings
        #: the state itself (updated in place): ``t`` last window, ``r`` recent, ``u`` usual
        self.state: dict[str, Any] = state if state is not None else {}
        self.recent: dict[str, dict[str, float]] = self.state.setdefault("r", {})
        self.usual: dict[str, dict[str, float]] = self.state.setdefault("u", {})

    def to_state(self) -> dict[str, Any]:
        return self.state

    def observe(self, at_s: float, by: Mapping[str, Mapping[str, list[int]]], learn: bool) -> None:
        """Take one window's counts by field and value (``cell["by"]``) ending at ``at_s``.

        A window without any is skipped: the counts decay by the time between
        the windows that have some (which is what decaying every window gives).
        """
        counted = [
            (field, value, counts[self.measure])
            for field, values in by.items()
            for value, counts in values.items()
            if counts[self.measure]
        ]
        if not counted:
            return
        last = self.state.get("t")
        gap = 0.0 if last is None else max(at_s - float(last), 0.0)
        self.state["t"] = at_s
        # the usual mix decays all the time; it only learns outside episodes (shares are what
        # is read, and a decay of every value alike leaves them as they are)
        tables = [self.recent, self.usual] if learn else [self.recent]
        _decay(self.recent, 0.5 ** (gap / self.settings.recent_halflife_s))
        _decay(self.usual, 0.5 ** (gap / self.settings.usual_halflife_s))
        for table in tables:
            for field, value, n in counted:
                values = table.setdefault(field, {})
                values[value] = values.get(value, 0.0) + n
                if len(values) > MAX_REMEMBERED:
                    table[field] = _trim(values)

    def drivers(self, observed: float, expected: float, skip: Iterable[str] = ()) -> list[Driver]:
        """Per field, the values whose excess over their usual level makes up the key's excess."""
        excess = observed - expected
        if excess <= 0:
            return []
        s = self.settings
        out: list[Driver] = []
        for field in DRIVER_FIELDS:
            if field in skip:
                continue
            recent = self.recent.get(field) or {}
            r_total = sum(recent.values())
            if r_total <= 0:
                continue
            usual = self.usual.get(field) or {}
            u_total = sum(usual.values())
            parts = []
            for value, count in recent.items():
                if value == OTHER:
                    continue
                share = count / r_total
                usual_share = usual.get(value, 0.0) / u_total if u_total > 0 else 0.0
                obs, exp = observed * share, expected * usual_share
                # a value whose share is its usual share only rides the key's wave, and one
                # whose recent count a few complaints more or less would make usual is noise
                if obs - exp > 0 and share >= s.min_lift * usual_share:
                    tail = binom.sf(round(count) - 1, round(r_total), max(usual_share, s.min_share))
                    if tail > s.driver_p:
                        continue
                    parts.append((obs - exp, value, obs, exp))
            parts.sort(key=lambda p: (-p[0], p[1]))
            chosen, held = [], 0.0
            for extra, value, obs, exp in parts[: s.max_per_field]:
                chosen.append(
                    Driver(
                        field=field,
                        value=value,
                        share=round(min(extra / excess, 1.0), 3),
                        observed=round(obs, 2),
                        expected=round(exp, 2),
                    )
                )
                held += extra / excess
                if held >= s.explain_share:
                    break
            if chosen and held >= s.explain_share:
                out.extend(chosen)
        return out


def raw_top(by: Mapping[str, Mapping[str, list[int]]], field: str, measure: int = 0) -> str | None:
    """The value most items of the window came from (the baseline without an expected level)."""
    values = [(c[measure], v) for v, c in (by.get(field) or {}).items() if v != OTHER]
    values = [item for item in values if item[0] > 0]
    return min(values, key=lambda item: (-item[0], item[1]))[1] if values else None


def _decay(table: dict[str, dict[str, float]], factor: float) -> None:
    if factor >= 1.0:
        return
    for values in table.values():
        for value in values:
            values[value] = values[value] * factor if values[value] > 1e-6 else 0.0


def _trim(values: dict[str, float]) -> dict[str, float]:
    """The heaviest values (a new value enters at the expense of the lightest)."""
    ranked = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return dict(ranked[: MAX_REMEMBERED - 4])  # room for new ones before the next trim
