"""Dashboard queries on both store databases, and the transforms behind the overview."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboard import data, transforms
from radar.events import ScoredEvent, make_event_id
from radar.store import Store, make_engine

DAY = datetime(2026, 11, 20, tzinfo=UTC)


def event(n: int, channel: str, hours: float, sentiment: float) -> ScoredEvent:
    return ScoredEvent(
        id=make_event_id(channel, "s", str(n)),
        channel=channel,  # type: ignore[arg-type]
        source="s",
        external_id=str(n),
        text="t",
        created_at=DAY + timedelta(hours=hours),
        ingested_at=DAY,
        sentiment=sentiment,
        sentiment_label="neu",
        scored_at=DAY,
    )


def test_volume_by_channel_buckets_in_event_time(store_url: str) -> None:
    store = Store(make_engine(store_url))
    store.create_schema()
    store.add_scored(
        [
            event(1, "review", 0.5, 0.2),
            event(2, "review", 0.9, 0.6),
            event(3, "review", 1.1, 1.0),
            event(4, "forum", 0.2, 0.5),
            event(5, "forum", 30, 0.5),  # outside the range
        ]
    )
    rows = data.volume_by_channel(store, DAY, DAY + timedelta(hours=24), 3600)
    hour = 3_600_000
    start = int(DAY.timestamp() * 1000)
    assert [(b - start, c, n) for b, c, n, _ in rows] == [
        (0, "forum", 1),
        (0, "review", 2),
        (hour, "review", 1),
    ]
    assert abs(rows[1][3] - 0.4) < 1e-9
    assert data.time_range(store) == (DAY + timedelta(hours=0.2), DAY + timedelta(hours=30))


def test_totals_weight_sentiment_by_volume() -> None:
    frame = transforms.volume_frame(
        [(0, "review", 3, 0.2), (3_600_000, "review", 1, 1.0), (0, "forum", 2, 0.5)]
    )
    totals = transforms.totals_by_channel(frame).set_index("channel")
    assert totals.loc["review", "events"] == 4
    assert abs(totals.loc["review", "sentiment"] - 0.4) < 1e-9
    assert list(totals.index) == ["review", "forum"]
    assert str(frame["time"].dt.tz) == "UTC"


def test_bucket_choice() -> None:
    assert transforms.pick_bucket(2 * 86400) == 3600
    assert transforms.pick_bucket(14 * 86400) == 86400
