"""Hostile input for the parsers: snippets, mutations, and the checks every outcome must pass.

Shared by the property tests (``tests/unit/**/test_hostile_*.py``) and the
standalone fuzz target (``tests/fuzz/fuzz_ingest.py``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ingest.normalize import Normaliser
from radar.clock import ManualClock
from radar.errors import ValidationFailed
from radar.events import DeadLetter, FeedbackEvent, parse_model
from radar.masking import find_personal_data

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PHONE = "13812345678"

#: Strings that have broken parsers, templates or databases somewhere.
SNIPPETS: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "\x00\x01\x02\x1b[31m\x7f",
    "\r\n\r\n",
    "\u202e\u200b\ufeff",
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "javascript:alert(document.cookie)",
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM deadletters WHERE ('1'='1",
    "%s%s%s%n{0}{__class__}",
    "${jndi:ldap://x/a}",
    "😀" * 20,
    "差" * 50_001,
    "9" * 400,
    "9" * 5000,  # past Python's 4,300-digit limit for reading an integer
    "1e999",
    "-0",
    "NaN",
    "null",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59Z",
    "1900-01-01",
    "2026-02-30 10:00",
    "\\ud800",
    "\ud800",
)

#: Values of the wrong type or out of range for any field.
WRONG_VALUES: tuple[Any, ...] = (
    None,
    True,
    0,
    -1,
    2**70,
    -(2**70),
    1e308,
    -1e-308,
    253402300800,
    -62135596800,
    99999999999999999,
    [],
    {},
    [1, "a", None],
    {"$where": "1"},
    {"a": {"b": {"c": []}}},
)

BYTES_SNIPPETS: tuple[bytes, ...] = (
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xed\xa0\x80",  # a UTF-8-encoded surrogate
    b"\xf4\x90\x80\x80",  # past U+10FFFF
    b"\x00",
    b"\xef\xbb\xbf",
    b"\x1a",
)


def normaliser(channel: str = "review", source: str = "fuzz") -> Normaliser:
    return Normaliser(
        channel=channel,
        source=source,
        pseudonym_key=b"k" * 32,
        clock=ManualClock(NOW),
        timezone=ZoneInfo("Asia/Shanghai"),
    )


def nested(depth: int) -> str:
    """JSON text of an object nested ``depth`` levels deep."""
    return '{"text":' * depth + '"x"' + "}" * depth


def mutate(data: bytes, rng: random.Random, rounds: int = 3) -> bytes:
    """``data`` with a few random edits: flips, cuts, repeats and hostile snippets."""
    out = bytearray(data)
    for _ in range(rng.randint(1, rounds)):
        choice = rng.randrange(7)
        at = rng.randint(0, len(out))
        if choice == 0 and out:
            out[min(at, len(out) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            del out[at : at + rng.randint(1, 16)]
        elif choice == 2:
            out[at:at] = rng.choice(SNIPPETS).encode("utf-8", "surrogatepass")
        elif choice == 3:
            out[at:at] = rng.choice(BYTES_SNIPPETS)
        elif choice == 4:
            out[at:at] = json.dumps(rng.choice(WRONG_VALUES)).encode()
        elif choice == 5:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        else:
            chunk = out[at : at + rng.randint(1, 40)]
            out[at:at] = bytes(chunk) * rng.randint(2, 50)
    return bytes(out)


def check_event(event: FeedbackEvent) -> None:
    """An event that came out of a parser: valid by the contract, round-trips, masked."""
    assert isinstance(event, FeedbackEvent)
    assert parse_model(FeedbackEvent, event.to_json()) == event
    for text in (event.text, event.title or ""):  # masking leaves nothing to mask
        assert not find_personal_data(text), (find_personal_data(text), text[:200])
    assert event.created_at.tzinfo is not None


def check_deadletter(letter: DeadLetter, reason: str) -> None:
    """A dead letter: valid, round-trips, and keeps its reason code."""
    assert isinstance(letter, DeadLetter)
    assert letter.reason == reason and reason.replace("_", "").isalpha(), reason
    assert letter.message
    assert parse_model(DeadLetter, letter.to_json()) == letter


def outcome(
    norm: Normaliser,
    fields: Mapping[str, Any] | None,
    raw: bytes | str | Mapping[str, Any],
    error: ValidationFailed | None,
    locator: str = "fuzz:1",
) -> str:
    """What an emitter does with one parsed record, checked: ``event`` or the reason code."""
    if error is None and fields is not None:
        try:
            event = norm.build(fields)
        except ValidationFailed as exc:
            error = exc
        else:
            check_event(event)
            return "event"
    assert error is not None, "a record without fields and without an error"
    check_deadletter(norm.deadletter(raw, error, locator), error.reason)
    return error.reason


def plant_phone(text: str) -> str:
    """``text`` with a mobile number in it, set apart by spaces (so it must be masked)."""
    middle = len(text) // 2
    return f"{text[:middle]} {PHONE} {text[middle:]}"


Target = Callable[[bytes], str]

__all__ = [
    "BYTES_SNIPPETS",
    "NOW",
    "PHONE",
    "SNIPPETS",
    "WRONG_VALUES",
    "Target",
    "check_deadletter",
    "check_event",
    "mutate",
    "nested",
    "normaliser",
    "outcome",
    "plant_phone",
]
