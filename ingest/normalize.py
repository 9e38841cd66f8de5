"""Connectors: turn a source row into a contract event (field mapping, types, time, masking).

Every connector ends here: it hands a dict of source fields to
:meth:`Normaliser.build`, which returns a :class:`FeedbackEvent` with personal
data masked and the author pseudonymised, or raises
:class:`~radar.errors.ValidationFailed` naming the field and the problem, which
the connector turns into a dead letter with :meth:`Normaliser.deadletter`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from radar.clock import Clock, SystemClock
from radar.errors import ValidationFailed
from radar.events import (
    CHANNELS,
    MAX_TEXT_CHARS,
    DeadLetter,
    FeedbackEvent,
    deadletter_for,
    make_event_id,
    original_text,
    parse_model,
    stable_id,
)
from radar.masking import cut, find_personal_data, mask_text, mask_url, pseudonymise

#: Column names recognised without an explicit mapping, per contract field.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "review_id", "message_id", "item_id", "编号"),
    "text": ("text", "review", "content", "comment", "body", "message", "评论", "内容"),
    "created_at": ("created_at", "time", "timestamp", "date", "created", "时间", "评论时间"),
    "title": ("title", "subject", "标题"),
    "author": ("author", "user", "username", "nickname", "用户"),
    "product": ("product", "product_id", "sku", "cat", "category", "商品"),
    "shop": ("shop", "store", "店铺"),
    "region": ("region", "province", "地区"),
    "segment": ("segment", "tier", "会员等级"),
    "rating": ("rating", "stars", "star", "评分"),
    "nps": ("nps",),
    "csat": ("csat",),
    "reach": ("reach", "followers", "views"),
    "url": ("url", "link"),
    "thread_id": ("thread_id",),
    "reply_to": ("reply_to", "parent_id"),
    "is_staff_reply": ("is_staff_reply", "is_staff"),
    "lang": ("lang", "language"),
}
CONTRACT_FIELDS = tuple(FIELD_ALIASES)
_INT_FIELDS = ("rating", "nps", "csat", "reach")
#: Free text, masked; the longest accepted is checked before masking (masking costs time).
_TEXT_FIELDS = {"text": MAX_TEXT_CHARS, "title": 1000}
#: Ids that link items (threads, replies): when one holds personal data (an email's
#: Message-ID, a phone number as a chat id) it becomes a keyed pseudonym, the same
#: wherever it appears, so links still hold.
_ID_FIELDS = ("external_id", "thread_id", "reply_to")
_MESSAGE_ID = re.compile(r"<[^<>@\s]{1,250}@[^<>@\s]{1,250}>")
_TIME_FORMATS = (
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)
_EARLIEST = datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC"))


def parse_time(value: Any, default_tz: ZoneInfo) -> datetime:
    """An aware datetime from ISO text, common Chinese formats or epoch seconds/milliseconds.

    Times without a zone are read in ``default_tz`` (the shop's local time).
    """
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day, tzinfo=default_tz)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            msg = f"not a time: {value!r}"
            raise ValueError(msg)
        seconds = value / 1000 if abs(value) >= 1e11 else value
        return datetime.fromtimestamp(seconds, tz=ZoneInfo("UTC"))
    elif isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_time(int(text), default_tz)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for fmt in _TIME_FORMATS:
                try:
                    parsed = datetime.strptime(text, fmt)  # noqa: DTZ007 - zone added below
                    break
                except ValueError:
                    continue
            else:
                msg = f"not a time: {value!r}; use ISO 8601, e.g. 2024-05-01T12:00:00+08:00"
                raise ValueError(msg) from None
    else:
        msg = f"not a time: {type(value).__name__}"
        raise ValueError(msg)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=default_tz)
    return parsed.astimezone(ZoneInfo("UTC"))


def _to_int(name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        msg = f"field '{name}': expected a number, got a boolean"
        raise ValidationFailed(msg, reason="wrong_type", field=name)
    if isinstance(value, int):
        return value  # exact, however large (float() would overflow); the contract checks range
    try:
        number = float(value)
    except (TypeError, ValueError):
        msg = f"field '{name}': expected a number, got {value!r}"
        raise ValidationFailed(msg, reason="wrong_type", field=name) from None
    if not math.isfinite(number) or number != int(number):
        msg = f"field '{name}': expected a whole number, got {value!r}"
        raise ValidationFailed(msg, reason="invalid_value", field=name)
    return int(number)


def _to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in {"1", "true", "yes", "y", "是", "t"}:
        return True
    if text in {"", "0", "false", "no", "n", "否", "f", "none"}:
        return False
    msg = f"field '{name}': expected true/false, got {value!r}"
    raise ValidationFailed(msg, reason="wrong_type", field=name)


def _to_text(name: str, value: Any, *, numbers: bool = True) -> str:
    if isinstance(value, str):
        return value.strip()
    if numbers and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    msg = f"field '{name}': expected text, got {type(value).__name__}"
    raise ValidationFailed(msg, reason="wrong_type", field=name)


def _bounded(name: str, text: str, limit: int | None = None) -> str:
    """``text`` when it is not longer than the field takes; checked before masking."""
    limit = limit or _TEXT_FIELDS[name]
    if len(text) > limit:
        msg = f"field '{name}': {len(text)} characters, at most {limit} are taken"
        raise ValidationFailed(msg, reason="too_long", field=name)
    return text


def _scalar(value: Any) -> str | int | float | bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        # past 64 bits no store or reader takes it as a number; past 4,300 digits not even
        # Python writes it as text
        if value.bit_length() <= 63:
            return value
        return str(value) if value.bit_length() <= 14_000 else "<a very large integer>"
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return mask_text(cut(str(value), 1000))[:1000]


def has_surrogates(value: Any) -> bool:
    """True when text read with ``surrogateescape`` hid bytes that were not UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, Mapping):
        return any(has_surrogates(k) or has_surrogates(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(has_surrogates(v) for v in value)
    return False


@dataclass(frozen=True)
class Normaliser:
    """Maps one source's rows onto the event contract.

    ``mapping`` names, per contract field, the source column to read; fields
    not mapped are looked up under the usual names in :data:`FIELD_ALIASES`.
    Columns that map to no field are kept as ``attributes`` (masked).
    """

    channel: str
    source: str
    pseudonym_key: bytes
    mapping: Mapping[str, str] = field(default_factory=dict)
    clock: Clock = field(default_factory=SystemClock)
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    max_future: timedelta = timedelta(days=1)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            msg = f"unknown channel {self.channel!r}; choose one of: {', '.join(CHANNELS)}"
            raise ValueError(msg)
        unknown = set(self.mapping) - set(CONTRACT_FIELDS)
        if unknown:
            msg = (
                f"cannot map unknown field(s) {', '.join(sorted(unknown))}; "
                f"mappable fields: {', '.join(CONTRACT_FIELDS)}"
            )
            raise ValueError(msg)

    def columns_for(self, columns: Iterable[str]) -> dict[str, str]:
        """Which source column feeds each contract field, for rows with these columns."""
        present = list(columns)
        lowered = {c.strip().casefold(): c for c in present}
        chosen: dict[str, str] = {}
        for name, aliases in FIELD_ALIASES.items():
            if name in self.mapping:
                chosen[name] = self.mapping[name]
                continue
            for alias in aliases:
                if alias.casefold() in lowered:
                    chosen[name] = lowered[alias.casefold()]
                    break
        return chosen

    def build(self, row: Mapping[str, Any]) -> FeedbackEvent:
        """The event for one source row; raises ValidationFailed when it cannot be one."""
        if not isinstance(row, Mapping):
            msg = f"expected a record with named fields, got {type(row).__name__}"
            raise ValidationFailed(msg, reason="wrong_type")
        if has_surrogates(row):
            msg = "record is not valid UTF-8; save the source as UTF-8 or name its encoding"
            raise ValidationFailed(msg, reason="bad_encoding")
        columns = self.columns_for(row.keys())
        used = set(columns.values())
        values: dict[str, Any] = dict(self.defaults)
        for name, column in columns.items():
            if column in row and row[column] is not None and row[column] != "":
                values[name] = row[column]
        now = self.clock.now()
        data: dict[str, Any] = {"channel": self.channel, "source": self.source, "ingested_at": now}
        if "text" not in values and not any(k in values for k in ("rating", "nps", "csat")):
            msg = (
                "field 'text': missing; map the text column with --map text=COLUMN "
                f"(columns here: {', '.join(map(str, row.keys()))})"
            )
            raise ValidationFailed(msg, reason="missing_field", field="text")
        for name, value in values.items():
            if name in _INT_FIELDS:
                data[name] = _to_int(name, value)
            elif name == "is_staff_reply":
                data[name] = _to_bool(name, value)
            elif name == "created_at":
                data[name] = self._event_time(value, now)
            elif name in _TEXT_FIELDS:
                data[name] = mask_text(_bounded(name, _to_text(name, value, numbers=False)))
            elif name == "author":
                data[name] = pseudonymise(_to_text(name, value), self.pseudonym_key)
            elif name in _ID_FIELDS:
                data[name] = self._identifier(_bounded(name, _to_text(name, value), 2000))
            elif name == "url":
                data[name] = mask_url(_bounded(name, _to_text(name, value), 2000))
            else:
                data[name] = mask_text(_bounded(name, _to_text(name, value), 1000))
        data.setdefault("text", "")
        data.setdefault("created_at", now)
        if not data.get("external_id"):
            data["external_id"] = stable_id("row", original_text(row)[0])
        data["id"] = make_event_id(self.channel, self.source, data["external_id"])
        extras = {k: _scalar(v) for k, v in row.items() if k not in used}
        if extras:
            data["attributes"] = {
                mask_text(cut(str(k), 100))[:100]: v for k, v in list(extras.items())[:50]
            }
        return parse_model(FeedbackEvent, data)

    def _identifier(self, value: str) -> str:
        found = set(find_personal_data(value))
        if _MESSAGE_ID.fullmatch(value):
            found.discard("email")  # <random@host> names a mail, not a person
        if not found:
            return value
        return "p_" + pseudonymise(value, self.pseudonym_key).removeprefix("u_")

    def _event_time(self, value: Any, now: datetime) -> datetime:
        try:
            when = parse_time(value, self.timezone)
        except (ValueError, OverflowError, OSError) as exc:
            raise ValidationFailed(
                f"field 'created_at': {exc}", reason="bad_timestamp", field="created_at"
            ) from exc
        if when > now + self.max_future:
            msg = f"field 'created_at': {when.isoformat()} is in the future (now {now.isoformat()})"
            raise ValidationFailed(msg, reason="bad_timestamp", field="created_at")
        if when < _EARLIEST:
            msg = f"field 'created_at': {when.isoformat()} is before {_EARLIEST.date()}"
            raise ValidationFailed(msg, reason="bad_timestamp", field="created_at")
        return when

    def deadletter(
        self,
        raw: bytes | str | Mapping[str, Any],
        error: ValidationFailed,
        locator: str | None = None,
    ) -> DeadLetter:
        """The dead letter for input that failed: masked like an event, author pseudonymised."""
        if isinstance(raw, Mapping):
            column = self.columns_for(raw.keys()).get("author")
            author = raw.get(column) if column is not None else None
            if column is not None and isinstance(author, str | int) and author is not True:
                raw = {**raw, column: pseudonymise(str(author), self.pseudonym_key)}
        return deadletter_for(
            raw,
            error,
            now=self.clock.now(),
            stage="ingest",
            locator=locator,
            source=self.source,
            channel=self.channel,
        )
