"""Watched folders: only the folder's own regular files are read, never what a link names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ingest.folder import FileConnector
from ingest.tail import NotARegularFile, open_regular
from tests.fuzz.hostile import normaliser


def test_a_file_swapped_for_a_link_after_listing_is_not_opened(tmp_path: Path) -> None:
    """Listing and opening are two steps: O_NOFOLLOW closes the gap between them."""
    secret = tmp_path / "secret.jsonl"
    secret.write_text(json.dumps({"id": "s", "text": "RADAR_PSEUDONYM_KEY=abc"}) + "\n")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    listed = inbox / "a.jsonl"
    listed.write_text(json.dumps({"id": "1", "text": "好"}) + "\n")
    connector = FileConnector([inbox], normaliser())
    assert connector.files() == [listed]
    listed.unlink()
    listed.symlink_to(secret)
    with pytest.raises(NotARegularFile, match="link"):
        open_regular(listed)
    assert list(connector.read({})) == []


def test_a_named_pipe_does_not_hang_the_connector(tmp_path: Path) -> None:
    pipe = tmp_path / "p.jsonl"
    os.mkfifo(pipe)
    with pytest.raises(NotARegularFile, match="not a regular file"):
        open_regular(pipe)


def test_a_file_named_by_the_operator_is_read_where_it_points(tmp_path: Path) -> None:
    target = tmp_path / "export.jsonl"
    target.write_text(json.dumps({"id": "1", "text": "好"}) + "\n")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    records = list(FileConnector([link], normaliser()).read({}))
    assert [r.fields for r in records] == [{"id": "1", "text": "好"}]
