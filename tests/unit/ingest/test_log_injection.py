"""Review L7: a file name or locator a customer chose cannot forge a line of the service log.

Anyone who can drop a file into a watched inbox picks its name, and a feed or an
export picks the ids that end up in locators. A name with CR/LF would start a log
line of its own (``... ERROR radar: payment service down``); an ANSI escape would
recolour or clear the operator's terminal. Each is logged quoted (``repr``), so
the message stays on one line and the control characters arrive as ``\\n``,
``\\r`` and ``\\x1b``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

import pytest

from ingest.base import SourceRecord
from ingest.emitter import Emitter
from ingest.folder import FileConnector
from ingest.producer import DeliveryReport
from ingest.review_api import NextPage, ReviewApi, ReviewApiSettings
from radar.settings import CoreSettings
from tests.fuzz.hostile import normaliser

FORGED = "2026-12-07 09:00:00,000 ERROR radar.alerts: payment service down"
#: A name a customer could give a file: a forged line after CR/LF, an ANSI clear and colour.
HOSTILE = f"a\r\n{FORGED}\n\x1b[2J\x1b[31mred.jsonl"
CONTROL = ("\n", "\r", "\x1b")
#: The format ``radar`` logs with (radar/cli.py).
FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The lines the service log gets: each record formatted, a traceback left out."""
    lines = []
    for record in caplog.records:
        record.message = record.getMessage()
        record.asctime = FORMAT.formatTime(record)
        lines.append(FORMAT.formatMessage(record))
    return lines


def assert_one_quoted_line(lines: list[str]) -> None:
    assert lines, "nothing was logged"
    for line in lines:
        assert not any(c in line for c in CONTROL), line
        assert line.count(FORGED) == 1 and repr(HOSTILE)[1:-1] in line, line  # as \\n, \\x1b


def hostile_file(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / HOSTILE
    path.write_text(json.dumps({"id": "1", "text": "好"}) + "\n", encoding="utf-8")
    return path


def test_a_link_in_the_inbox_is_named_on_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / HOSTILE).symlink_to(tmp_path)
    caplog.set_level(logging.INFO, "ingest")
    assert FileConnector([inbox], normaliser()).files() == []
    assert_one_quoted_line(logged(caplog))


@pytest.mark.parametrize("swapped_for", ["link", "pipe"])
def test_a_file_swapped_after_listing_is_named_on_one_line(
    swapped_for: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ingest/folder.py logs the NotARegularFile it caught: the name inside it is quoted too."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / HOSTILE
    if swapped_for == "link":
        path.symlink_to(hostile_file(tmp_path / "elsewhere"))
    else:
        os.mkfifo(path)
    connector = FileConnector([inbox], normaliser())
    monkeypatch.setattr(connector, "files", lambda: [path])  # listed before the swap
    caplog.set_level(logging.INFO, "ingest")
    assert list(connector.read({})) == []
    assert_one_quoted_line(logged(caplog))
    assert ("link" if swapped_for == "link" else "not a regular file") in logged(caplog)[0]


def test_a_file_gone_while_read_is_named_on_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = hostile_file(tmp_path / "inbox")
    connector = FileConnector([path.parent], normaliser())
    monkeypatch.setattr(connector, "files", lambda: [path])
    path.unlink()
    caplog.set_level(logging.INFO, "ingest")
    assert list(connector.read({})) == []
    assert_one_quoted_line(logged(caplog))


def test_a_failing_transform_names_the_row_on_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_row: Mapping[str, Any]) -> NoReturn:
        raise RuntimeError("a bug in the transform")

    path = hostile_file(tmp_path / "inbox")
    connector = FileConnector([path.parent], normaliser(), transform=broken)
    caplog.set_level(logging.INFO, "ingest")
    records = list(connector.read({}))
    assert [r.error.reason for r in records if r.error] == ["internal_error"]
    assert_one_quoted_line(logged(caplog))


class _Producer:
    def __init__(self) -> None:
        self.letters: list[Any] = []

    def send_deadletter(self, letter: Any) -> None:
        self.letters.append(letter)

    def flush(self, *_args: Any) -> DeliveryReport:
        return DeliveryReport()


def test_an_unexpected_error_names_a_feeds_locator_on_one_line(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed entry's id is the feed's to choose; the emitter quotes the locator it logs."""
    producer = _Producer()
    emitter = Emitter(producer, normaliser())  # type: ignore[arg-type]

    def crash(*_args: Any) -> NoReturn:
        raise RuntimeError("a bug in the normaliser")

    monkeypatch.setattr(type(emitter.normaliser), "build", crash)
    caplog.set_level(logging.INFO, "ingest")
    outcome = emitter.emit(SourceRecord(HOSTILE, {"id": "1", "text": "好"}, "raw"))
    assert outcome.reason == "internal_error" and len(producer.letters) == 1
    assert_one_quoted_line(logged(caplog))


def test_a_next_link_on_another_origin_is_named_without_escapes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A review API's body names its next page; urllib drops CR/LF from it, not ANSI escapes."""
    settings = ReviewApiSettings(
        url="https://api.shop.example/reviews?page={page}",
        source="shop-api",
        next_page=NextPage(kind="link", path="next"),
    )
    api = ReviewApi(settings, CoreSettings())
    body = {"next": "https://evil.example/p\x1b[2J\x1b[31m\r\nforged"}
    caplog.set_level(logging.INFO, "ingest")
    assert api._next(settings.url, body, [{"id": 1}], 1, settings.next_page) is None
    lines = logged(caplog)
    assert len(lines) == 1 and "another origin" in lines[0]
    assert not any(c in lines[0] for c in CONTROL) and "\\x1b[2J" in lines[0]
