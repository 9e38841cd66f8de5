"""The roll-up stage: one worker (partition 0 of the scored) keeps the readers' roll-ups current."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from radar.store import Store
from radar.store.db import make_engine
from radar.store.rollups import ResponseSla, read_hourly_stats
from streams.rollups import RollupStage
from tests.unit.streams.test_counting import T0, scored

SCORED = "feedback.scored"


def store_in(folder: Path) -> Store:
    store = Store(make_engine(f"sqlite:///{folder / 'radar.db'}"))
    store.create_schema()
    return store


def test_only_the_holder_of_partition_zero_refreshes() -> None:
    assert RollupStage.owns([(SCORED, 0), (SCORED, 2)], SCORED)
    assert not RollupStage.owns([(SCORED, 1), (SCORED, 3)], SCORED)
    assert not RollupStage.owns([("feedback.raw", 0)], SCORED)  # another topic's partition 0
    assert not RollupStage.owns([], SCORED)


def test_a_refresh_rolls_up_what_was_stored_since_the_last(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    stage = RollupStage(store, ResponseSla(), timezone="Asia/Shanghai")
    store.add_scored([scored(n, minutes=n) for n in range(3)])

    done = stage.refresh()

    assert done is not None and done["hours"] >= 1 and stage.last == done
    rows = read_hourly_stats(store, T0 - timedelta(hours=1), T0 + timedelta(hours=2))
    assert sum(r["complaints"] for r in rows) == 3
    store.add_scored([scored(n, minutes=60 + n) for n in range(3, 5)])
    stage.refresh()
    rows = read_hourly_stats(store, T0 - timedelta(hours=1), T0 + timedelta(hours=2))
    assert sum(r["complaints"] for r in rows) == 5


def test_a_store_that_is_away_is_tried_again_not_fatal(tmp_path: Path) -> None:
    store = store_in(tmp_path)
    stage = RollupStage(store, ResponseSla(), timezone="Asia/Shanghai")
    (tmp_path / "radar.db").unlink()
    store.engine.dispose()
    (tmp_path / "radar.db").mkdir()  # the file is gone and its place cannot be opened

    assert stage.refresh() is None


def test_a_failing_refresh_is_logged_and_the_worker_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> dict[str, int]:
        raise ValueError("a roll-up bug")

    monkeypatch.setattr("streams.rollups.refresh_rollups", broken)
    stage = RollupStage(store_in(tmp_path), ResponseSla(), timezone="Asia/Shanghai")

    assert stage.refresh() is None
    assert "roll-ups failed" in caplog.text and "a roll-up bug" in caplog.text
