"""Claims: the first record of an id owns it, on SQLite and PostgreSQL; old claims expire."""

from __future__ import annotations

import pytest

from radar.store import Store, make_engine
from radar.store.claims import claim_events, expire_claims


@pytest.fixture
def store(store_url: str) -> Store:
    s = Store(make_engine(store_url))
    s.create_schema()
    return s


def test_the_first_claim_of_an_id_wins_and_stays(store: Store) -> None:
    owners = claim_events(store, [("a", 0, 10, 1000), ("b", 0, 11, 1000), ("a", 0, 12, 1000)])
    assert owners == {"a": (0, 10), "b": (0, 11)}
    # a replay claims again and wins again; a re-sent copy at another offset loses
    assert claim_events(store, [("a", 0, 10, 1000), ("b", 3, 99, 1000)]) == {
        "a": (0, 10),
        "b": (0, 11),
    }


def test_many_ids_in_one_call(store: Store) -> None:
    claims = [(f"id{i}", 1, i, 5000) for i in range(4500)]  # more than one statement's worth
    owners = claim_events(store, claims)
    assert len(owners) == 4500 and owners["id4499"] == (1, 4499)


def test_expiry_is_per_partition_and_by_event_time(store: Store) -> None:
    claim_events(store, [("old", 0, 1, 1000), ("new", 0, 2, 9000), ("other", 1, 1, 1000)])
    assert expire_claims(store, 0, before_ms=5000) == 1
    owners = claim_events(store, [("old", 0, 7, 1000), ("other", 1, 8, 1000)])
    assert owners == {"old": (0, 7), "other": (1, 1)}  # forgotten, so claimed anew


def test_a_batch_of_new_and_claimed_ids_gets_every_owner(store: Store) -> None:
    claim_events(store, [(f"id{i}", 0, i, 5000) for i in range(0, 3000, 2)])
    claims = [(f"id{i}", 1, 10_000 + i, 5000) for i in range(3000)]  # half already claimed
    owners = claim_events(store, [*claims, ("id1", 2, 7, 5000)])
    assert len(owners) == 3000
    assert owners["id0"] == (0, 0) and owners["id2998"] == (0, 2998)  # stored claims stay
    assert owners["id1"] == (1, 10_001) and owners["id2999"] == (1, 12_999)  # the first wins
