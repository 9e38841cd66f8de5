"""Generated keys: private from their first byte, whole for every process that reads them."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from radar.errors import ConfigError
from radar.settings import CoreSettings


def _read_key(data_dir: str, start: object, out: object) -> None:
    os.environ["RADAR_DATA_DIR"] = data_dir
    start.wait()  # type: ignore[attr-defined]
    out.put(CoreSettings().secret(None, "pseudonym"))  # type: ignore[attr-defined]


def test_the_key_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        key = CoreSettings(data_dir=tmp_path).secret(None, "pseudonym")
    finally:
        os.umask(old)
    path = tmp_path / "pseudonym.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(key) == 64 and key == path.read_bytes().strip()
    assert [p.name for p in tmp_path.iterdir()] == ["pseudonym.key"]  # no temporary left


def test_services_starting_together_all_get_the_same_whole_key(tmp_path: Path) -> None:
    """Before: one process created the file and wrote it later; another that saw the file
    in between read b"" and pseudonymised every author with an empty key."""
    context = multiprocessing.get_context("spawn")
    for round_ in range(3):
        data_dir = tmp_path / f"round{round_}"
        start, out = context.Event(), context.Queue()
        workers = [
            context.Process(target=_read_key, args=(str(data_dir), start, out)) for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        start.set()
        keys = {out.get(timeout=60) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)
        assert len(keys) == 1 and len(next(iter(keys))) == 64


def test_an_empty_key_left_by_the_old_race_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pseudonym.key").write_text("")
    with pytest.raises(ConfigError, match="remove the file"):
        CoreSettings(data_dir=tmp_path).secret(None, "pseudonym")
