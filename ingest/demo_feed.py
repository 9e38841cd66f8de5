"""Demo feed: a realistic multi-channel feed with scripted incidents, backfilled then live.

``run_demo_feed`` is the one entry point (``radar ingest demo`` and ``radar
demo`` call it): it backfills the last ``days`` of event time, writes the
scripted incidents as JSON (so detectors can be checked against them), then
keeps producing in real time at ``rate`` items a minute until ``stop_event``
is set. The same seed and the same hour give the same items and ids.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from ingest.base import SourceRecord
from ingest.demo_corpus import load_texts
from ingest.demo_incidents import Incident
from ingest.demo_script import CHANNELS, DemoItem, DemoScript
from ingest.emitter import Emitter, make_normaliser
from ingest.producer import FeedbackProducer
from ingest.settings import ConnectorSettings
from radar.clock import Clock, SystemClock
from radar.events import Heartbeat
from radar.settings import CoreSettings, settings_config
from radar.topics import ensure_topics

log = logging.getLogger(__name__)
#: What the mailbox connector reports while the scripted outage lasts.
OUTAGE_MESSAGE = "无法登录邮件服务器（IMAP 连接超时），新邮件暂未收取"


class DemoSettings(ConnectorSettings):
    """``radar ingest demo`` (``RADAR_INGEST_DEMO_*``)."""

    model_config = settings_config("INGEST_DEMO_")
    yaml_section: ClassVar[str | None] = "ingest_demo"

    seed: int = Field(7, description="Same seed, same feed")
    days: float = Field(7.0, gt=0, le=90, description="Days of event time to backfill")
    per_day: float = Field(2400.0, gt=0, description="Average customer items a day")
    rate: float | None = Field(
        None,
        ge=0,
        description="Average items a minute once live (default: the history's pace; a faster "
        "feed is itself a spike)",
    )
    corpus: Path | None = Field(
        None,
        description="Labelled cat,label,review CSV whose reviews speak for normal traffic "
        "(default: texts generated from the project's own templates)",
    )
    incidents_path: Path | None = Field(
        None, description="Where the scripted incidents go (default <data_dir>/demo_incidents.json)"
    )
    dedupe_window_h: float = Field(0.0, ge=0, description="Duplicate flagging (off for the demo)")
    until: datetime | None = Field(
        None, description="End of the backfill (default: now); floored to the hour"
    )


@dataclass
class DemoResult:
    """What the feed sent, and the incidents it scripted."""

    backfilled: int = 0
    live: int = 0
    deadletters: int = 0
    incidents: list[Incident] = field(default_factory=list)
    incidents_path: Path | None = None


def write_incidents(path: Path, script: DemoScript) -> list[Incident]:
    incidents = [*script.incidents, *script.unanswered]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps([i.to_dict() for i in incidents], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    tmp.replace(path)
    return incidents


class _Feed:
    """Sends demo items through one emitter per channel (normalised and masked like real input)."""

    def __init__(
        self, producer: FeedbackProducer, core: CoreSettings, settings: DemoSettings, clock: Clock
    ) -> None:
        self.emitters = {
            channel: Emitter(
                producer,
                make_normaliser(channel, f"demo-{channel}", core, settings, clock=clock),
                clock=clock,
            )
            for channel, _ in CHANNELS
        }
        self.producer = producer
        self.result = DemoResult()
        self.sent = dict.fromkeys(self.emitters, 0)
        self.last_ok: dict[str, datetime] = {}
        self.down_since: dict[str, datetime] = {}

    def send(self, items: list[DemoItem], *, live: bool) -> None:
        for item in items:
            record = SourceRecord(f"demo:{item.fields['external_id']}", item.fields, item.fields)
            outcome = self.emitters[item.channel].emit(record)
            self.sent[item.channel] += 1
            if outcome.event_id is None:
                self.result.deadletters += 1
            elif live:
                self.result.live += 1
            else:
                self.result.backfilled += 1

    def beat(self, at: datetime, script: DemoScript, *, flush: bool) -> None:
        for channel, emitter in self.emitters.items():
            outage = script.source_down(channel, at)
            if outage is not None:  # the connector runs, but cannot reach its mailbox
                if emitter.source not in self.down_since:
                    self.down_since[emitter.source] = self.last_ok.get(emitter.source, at)
                beat = Heartbeat(
                    source=emitter.source,
                    channel=channel,
                    at=at,
                    status="down",
                    last_success_at=self.down_since[emitter.source],
                    records_total=self.sent[channel],
                    message=OUTAGE_MESSAGE,
                )
            else:
                self.down_since.pop(emitter.source, None)
                self.last_ok[emitter.source] = at
                beat = Heartbeat(
                    source=emitter.source,
                    channel=channel,
                    at=at,
                    last_success_at=at,
                    records_total=self.sent[channel],
                    lag_seconds=0.0,
                )
            self.producer.send_heartbeat(beat)
        if flush:
            self.producer.flush()


def run_demo_feed(
    settings: DemoSettings | None = None,
    seed: int | None = None,
    days: float | None = None,
    rate: float | None = None,
    stop_event: threading.Event | None = None,
    *,
    core: CoreSettings | None = None,
    follow: bool = True,
    clock: Clock | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_incidents: Callable[[list[Incident]], None] | None = None,
) -> DemoResult:
    """Backfill ``days`` of the feed, then (``follow``) produce live until ``stop_event`` is set.

    Arguments left None come from ``settings`` (``RADAR_INGEST_DEMO_*``).
    ``on_incidents`` is called with the scripted incidents before the backfill
    and again after it (with the forum threads left unanswered past 6 hours).
    """
    settings = (settings or DemoSettings()).model_copy(
        update={
            k: v for k, v in {"seed": seed, "days": days, "rate": rate}.items() if v is not None
        }
    )
    core = core or CoreSettings()
    clock = clock or SystemClock()
    stop = stop_event or threading.Event()
    end = (settings.until or clock.now()).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=settings.days)
    script = DemoScript(load_texts(settings.corpus), settings.seed, start, end, live=follow)
    path = settings.incidents_path or core.ensure_data_dir() / "demo_incidents.json"
    incidents = write_incidents(path, script)
    if on_incidents is not None:
        on_incidents(incidents)
    ensure_topics(core)
    with FeedbackProducer(core, client_id="radar-ingest-demo") as producer:
        feed = _Feed(producer, core, settings, clock)
        hours = int((end - start).total_seconds() // 3600)
        for hour in range(hours):
            until = start + timedelta(hours=hour + 1)
            feed.send(script.advance(until, settings.per_day), live=False)
            feed.beat(until, script, flush=False)
            if producer.pending >= settings.flush_every:
                producer.flush()
            if on_progress is not None:
                on_progress(hour + 1, hours)
            if stop.is_set():
                break
        producer.flush()
        feed.result.incidents = write_incidents(path, script)
        feed.result.incidents_path = path
        if on_incidents is not None:
            on_incidents(feed.result.incidents)
        if follow and not stop.is_set():
            # the backfill ends on the hour; the minutes since then come at the backfill's pace
            feed.send(script.advance(clock.now(), settings.per_day), live=False)
            _live(feed, script, settings, clock, stop)
        producer.flush()
    return feed.result


def _live(
    feed: _Feed, script: DemoScript, settings: DemoSettings, clock: Clock, stop: threading.Event
) -> None:
    next_beat = 0.0
    while not stop.is_set():
        now = clock.now()
        if now > script.cursor:
            per_day = settings.per_day if settings.rate is None else settings.rate * 60 * 24
            feed.send(script.advance(now, per_day), live=True)
        if time.monotonic() >= next_beat:
            feed.beat(now, script, flush=False)
            next_beat = time.monotonic() + settings.heartbeat_interval_s
        feed.producer.flush()
        stop.wait(1.0)
