"""Shop as a detection key: with ``topic+shop`` configured, each shop's wave is heard."""

from __future__ import annotations

from radar.clock import ManualClock
from radar.events import Signal
from streams.settings import WorkerSettings
from tests.offline import OfflineWorker
from tests.planted import REGIONS, T0, deliveries, planted

#: Each region's orders are served by one shop.
SHOP_OF = {region: f"{region}店" for region in REGIONS}


def spikes(combinations: list[str]) -> tuple[list[Signal], str]:
    events, plant = planted(5, wave_per_hour=30, phrase=False)
    events = [e.model_copy(update={"shop": SHOP_OF[e.region or ""]}) for e in events]
    worker = OfflineWorker(
        WorkerSettings(unanswered_channels=[], key_combinations=combinations), ManualClock(T0).now
    )
    batch = deliveries(events)
    for i in range(0, len(batch), 500):
        worker.feed(batch[i : i + 500])
    worker.finish()
    fired = [s for s in worker.signals if s.type == "spike" and s.status == "firing"]
    return fired, SHOP_OF[plant.region]


def test_a_wave_in_one_shop_is_a_spike_keyed_by_that_shop_and_its_topic() -> None:
    fired, shop = spikes(["topic+shop"])
    keys = [s.key for s in fired if "shop" in s.key]
    assert keys, [s.key for s in fired]
    assert {k["shop"] for k in keys} == {shop}
    assert {k["topic"] for k in keys} == {"商品质量"}


def test_without_the_combination_no_signal_names_a_shop() -> None:
    fired, _ = spikes([])
    assert fired and not [s for s in fired if "shop" in s.key]
