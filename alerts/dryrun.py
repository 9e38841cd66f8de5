"""Alerts: the dry run behind ``radar alerts test`` (who would be told what, nothing sent).

Signals are replayed through the real pipeline on a manual clock over a
throwaway store; the notification log then lists what would have gone out.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from alerts.config import RulesConfig
from alerts.links import LinkSigner
from alerts.message import Message
from alerts.pipeline import Pipeline
from radar.clock import ManualClock
from radar.errors import ValidationFailed
from radar.events import Signal, parse_model
from radar.i18n import Locale
from radar.store import Store, make_engine

#: Only for links in the preview; nothing signed with it is ever sent.
_PREVIEW_SECRET = b"radar-dry-run-preview-links-only"


@dataclass(frozen=True)
class Planned:
    """One notification the rules would send."""

    at: datetime
    receiver: str
    target: str
    message: Message


def read_signals(path: Path) -> list[Signal]:
    """Signals from a JSON-lines file or a JSON array; errors name the line and the field."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            msg = f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})"
            raise ValidationFailed(msg, reason="bad_json") from exc
        numbered: Iterator[tuple[int, object]] = enumerate(items, 1)
        where = "item"
    else:
        numbered = ((n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip())
        where = "line"
    signals = []
    for n, item in numbered:
        try:
            signals.append(parse_model(Signal, item if isinstance(item, str | dict) else str(item)))
        except ValidationFailed as exc:
            msg = f"{path} {where} {n}: {exc}"
            raise ValidationFailed(msg, reason=exc.reason, field=exc.field) from exc
    if not signals:
        msg = f"{path} holds no signals; write one Signal JSON object per line"
        raise ValidationFailed(msg, reason="empty")
    return signals


def dry_run(
    config: RulesConfig,
    signals: list[Signal],
    *,
    after: timedelta | None = None,
    step: timedelta = timedelta(seconds=5),
    dashboard_url: str = "http://127.0.0.1:8501",
    locale: Locale | None = None,
) -> list[Planned]:
    """Feed ``signals`` at their ``detected_at`` times, run the timers every ``step`` until
    ``after`` past the last one (default: the longest group wait), and return what is queued."""
    ordered = sorted(signals, key=lambda s: s.detected_at)
    if after is None:
        after = max(rule.group_wait for rule in config.rules) + step
    clock = ManualClock(ordered[0].detected_at)
    with tempfile.TemporaryDirectory(prefix="radar-dry-run-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'dry-run.db'}")
        try:
            store = Store(engine, clock)
            store.create_schema()
            links = LinkSigner(_PREVIEW_SECRET, dashboard_url)
            pipeline = Pipeline(config, store, {}, clock, links, locale=locale)
            for signal in ordered:
                _advance(pipeline, clock, signal.detected_at, step)
                pipeline.handle(signal)
                pipeline.tick()
            _advance(pipeline, clock, clock.now() + after, step)
            targets = {r.name: r.config.target() for r in config.receivers}
            return [
                Planned(e.created_at, e.receiver, targets.get(e.receiver, "?"), e.message)
                for e in pipeline.nflog.all()
            ]
        finally:
            engine.dispose()


def _advance(pipeline: Pipeline, clock: ManualClock, until: datetime, step: timedelta) -> None:
    while clock.now() + step <= until:
        clock.advance(step)
        pipeline.tick()
    if clock.now() < until:
        clock.set(until)
        pipeline.tick()
