"""Likely duplicates in the store: copies found under their first copy, chains followed back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from radar.events import ScoredEvent, make_event_id
from radar.store import Store, make_engine
from radar.store.duplicates import CHUNK, copies_of, first_ids

DAY = datetime(2026, 11, 20, tzinfo=UTC)


def event(n: int, channel: str, duplicate_of: str | None = None, **fields: object) -> ScoredEvent:
    values: dict[str, object] = {
        "id": make_event_id(channel, "s", str(n)),
        "channel": channel,
        "source": f"{channel}-src",
        "external_id": str(n),
        "text": f"快递一周还没到 {n}",
        "created_at": DAY + timedelta(minutes=n),
        "ingested_at": DAY,
        "sentiment": 0.2,
        "sentiment_label": "neg",
        "scored_at": DAY,
        "duplicate_of": duplicate_of,
    }
    values.update(fields)
    return ScoredEvent(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(store_url: str) -> Store:
    opened = Store(make_engine(store_url))
    opened.create_schema()
    return opened


class TestCopies:
    def test_copies_on_other_channels_are_found_under_their_first_copy(self, store: Store) -> None:
        first = event(1, "review")
        email, forum = event(2, "email", first.id), event(3, "forum", first.id)
        other = event(4, "chat")
        store.add_scored([first, forum, email, other])
        found = copies_of(store, [first.id, other.id])
        assert [(c.id, c.first_id, c.channel) for c in found] == [
            (email.id, first.id, "email"),
            (forum.id, first.id, "forum"),
        ]
        assert found[0].text == email.text and found[0].source == "email-src"
        assert copies_of(store, [other.id]) == []
        assert copies_of(store, []) == []

    def test_a_copy_of_a_copy_belongs_to_the_first(self, store: Store) -> None:
        first = event(1, "review")
        second = event(2, "email", first.id)
        third = event(3, "forum", second.id)  # matched the email, not the review
        store.add_scored([first, second, third])
        assert [(c.id, c.first_id) for c in copies_of(store, [first.id])] == [
            (second.id, first.id),
            (third.id, first.id),
        ]
        assert first_ids(store, [third.id, second.id, first.id, "unknown"]) == {
            third.id: first.id,
            second.id: first.id,
            first.id: first.id,
            "unknown": "unknown",
        }

    def test_staff_replies_are_never_copies(self, store: Store) -> None:
        first = event(1, "chat")
        store.add_scored([first, event(2, "chat", first.id, is_staff_reply=True)])
        assert copies_of(store, [first.id]) == []

    def test_more_ids_than_one_in_list_holds(self, store: Store) -> None:
        firsts = [event(n, "review") for n in range(CHUNK + 5)]
        copies = [event(10_000 + n, "email", f.id) for n, f in enumerate(firsts)]
        store.add_scored([*firsts, *copies])
        assert len(copies_of(store, [f.id for f in firsts])) == len(copies)
        assert set(first_ids(store, [c.id for c in copies]).values()) == {f.id for f in firsts}

    def test_copies_have_an_index_of_their_own(self, store: Store) -> None:
        names = {i["name"] for i in inspect(store.engine).get_indexes("events")}
        assert "ix_events_duplicate_of" in names
