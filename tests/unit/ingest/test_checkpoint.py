"""Checkpoints: one JSON file per source, replaced atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.checkpoint import CheckpointStore
from radar.errors import ConfigError


class TestCheckpointStore:
    def test_round_trip_and_missing_source(self, tmp_path: Path) -> None:
        store = CheckpointStore(tmp_path / "cp")
        assert store.load("reviews") == {}
        store.save("reviews", {"file:a.csv": {"offset": 10}, "since": "2026-11-20"})
        assert store.load("reviews") == {"file:a.csv": {"offset": 10}, "since": "2026-11-20"}

    def test_save_replaces_without_leaving_temporary_files(self, tmp_path: Path) -> None:
        store = CheckpointStore(tmp_path)
        for offset in range(3):
            store.save("s", {"offset": offset})
        assert store.load("s") == {"offset": 2}
        assert [p.suffix for p in tmp_path.iterdir()] == [".json"]

    def test_sources_with_odd_names_get_distinct_files(self, tmp_path: Path) -> None:
        store = CheckpointStore(tmp_path)
        store.save("support@imap/INBOX", {"a": 1})
        store.save("support@imap/INBOX ", {"a": 2})
        assert store.load("support@imap/INBOX") == {"a": 1}
        assert len(list(tmp_path.iterdir())) == 2

    def test_a_damaged_file_says_what_to_do(self, tmp_path: Path) -> None:
        store = CheckpointStore(tmp_path)
        store.path_for("s").write_text("{half", encoding="utf-8")
        with pytest.raises(ConfigError, match="move it away"):
            store.load("s")
