"""Silences: create, list, expire, and the notice before one ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts import silences
from radar.clock import ManualClock
from radar.i18n import Locale
from radar.store import Store

H = timedelta(hours=1)


def test_create_list_expire(store: Store, clock: ManualClock) -> None:
    made = silences.create_silence(
        store,
        ['region="华东"', 'type=~"spike|crisis"'],
        created_by="lin",
        comment="typhoon",
        duration=2 * H,
    )
    assert made.active(clock.now()) and made.ends_at == clock.now() + 2 * H
    assert made.matches({"region": "华东", "type": "spike"})
    assert not made.matches({"region": "华东", "type": "silence"})
    later = silences.create_silence(
        store,
        ["channel=email"],
        created_by="wang",
        comment="migration",
        starts_at=clock.now() + H,
        duration=H,
    )
    assert later.state(clock.now()) == "pending"
    assert [s.id for s in silences.list_silences(store)] == [made.id, later.id]
    clock.advance(timedelta(minutes=10))
    ended = silences.expire_silence(store, made.id, "lin")
    assert ended.ends_at == clock.now() and ended.expired_by == "lin"
    assert [s.id for s in silences.list_silences(store)] == [later.id]
    assert len(silences.list_silences(store, include_expired=True)) == 2


@pytest.mark.parametrize(
    ("matchers", "kwargs", "words"),
    [
        ([], {"duration": H}, "at least one matcher"),
        (["region"], {"duration": H}, "cannot read matcher"),
        (["region=x"], {}, "duration or an end time"),
        (["region=x"], {"duration": -H}, "before it starts"),
    ],
)
def test_bad_silences_are_refused(
    store: Store, matchers: list[str], kwargs: dict, words: str
) -> None:  # type: ignore[type-arg]
    with pytest.raises(Exception, match=words):
        silences.create_silence(store, matchers, created_by="lin", comment="x", **kwargs)


def test_owner_and_comment_are_required(store: Store) -> None:
    with pytest.raises(ValueError, match="owner"):
        silences.create_silence(store, ["region=x"], created_by=" ", comment="x", duration=H)


def test_ending_soon_until_the_notice_is_sent(store: Store, clock: ManualClock) -> None:
    made = silences.create_silence(
        store, ["region=x"], created_by="lin", comment="c", duration=2 * H
    )
    assert silences.ending_soon(store, clock.now(), H) == []
    clock.advance(timedelta(minutes=61))
    assert [s.id for s in silences.ending_soon(store, clock.now(), H)] == [made.id]
    notice = silences.notice_text(made, clock.now(), Locale())
    assert "将在 59 分钟后、于 2026-11-20 12:00（北京时间） 结束" in notice
    assert "ends in 59m at 2026-11-20 12:00 (Beijing time)" in silences.notice_text(
        made, clock.now(), Locale("en")
    )
    silences.mark_notice_sent(store, made.id, clock.now())
    assert silences.ending_soon(store, clock.now(), H) == []
