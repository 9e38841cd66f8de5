"""The roll-up stage: the worker keeps the store's hourly, daily and sample roll-ups current.

Readers (dashboard, API, digests) only read them. Exactly one worker refreshes: the
one that holds partition 0 of ``feedback.scored`` (so a group of any size refreshes
once per interval, and a rebalance hands the job over with the partition). The
refresh is incremental and idempotent (:func:`radar.store.refresh.refresh_rollups`),
so a handover that runs it twice only redoes the newest hours.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError

from radar.store import Store
from radar.store.refresh import refresh_rollups
from radar.store.rollups import ResponseSla

log = logging.getLogger(__name__)

#: The partition of ``feedback.scored`` whose holder refreshes the roll-ups.
OWNER_PARTITION = 0


@dataclass
class RollupStage:
    """Refreshes the roll-ups when this worker owns the job; remembers what it last did."""

    store: Store
    sla: ResponseSla
    timezone: str
    clock: Callable[[], float] = time.monotonic
    last: dict[str, int] = field(default_factory=dict)
    took_s: float = 0.0

    @staticmethod
    def owns(assigned: Iterable[tuple[str, int]], scored_topic: str) -> bool:
        """Whether the worker holding ``assigned`` (topic, partition) pairs is the refresher."""
        return (scored_topic, OWNER_PARTITION) in set(assigned)

    def refresh(self) -> dict[str, int] | None:
        """One refresh; None (logged, tried again at the next tick) when the store is away or the
        refresh fails."""
        started = self.clock()
        try:
            self.last = refresh_rollups(self.store, self.sla, timezone=self.timezone)
        except SQLAlchemyError as exc:
            log.warning("roll-ups not refreshed (tried again at the next tick): %r", exc)
            return None
        except Exception:  # a fault of the roll-up code must not stop the worker's counting
            log.exception("roll-ups failed (tried again at the next tick; the worker goes on)")
            return None
        self.took_s = self.clock() - started
        log.debug("roll-ups refreshed in %.2fs: %s", self.took_s, self.last)
        return self.last
