"""Shared kernel: the event contract (feedback, scored, dead letter, signal, heartbeat).

Every record on a Radar topic is one of these models serialised as UTF-8 JSON.
Parsing goes through :func:`parse_model`, which turns pydantic's errors into a
:class:`~radar.errors.ValidationFailed` naming the field and the problem.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from radar.clock import ensure_utc
from radar.errors import ValidationFailed
from radar.masking import MASK_LIMIT, cut, mask_text, mask_urls

Channel = Literal["review", "survey", "forum", "social", "email", "chat"]
CHANNELS: tuple[str, ...] = ("review", "survey", "forum", "social", "email", "chat")
SentimentLabel = Literal["neg", "neu", "pos"]
Stage = Literal["presale", "sale", "aftersale"]

#: Longest text accepted; longer items go to the dead-letter topic, never silently cut.
MAX_TEXT_CHARS = 50_000
#: Most characters of its input a dead letter keeps (masked); what is longer is cut, so a
#: dead letter always fits a Kafka record (1 MiB by default) with room to spare.
MAX_ORIGINAL_CHARS = MASK_LIMIT
#: Most characters of a dead letter's message, locator and source.
MAX_MESSAGE_CHARS = 2_000
MAX_LOCATOR_CHARS = 1_000

Attribute = str | int | float | bool | None


def stable_id(*parts: str) -> str:
    """A 32-hex-digit id derived only from ``parts``: the same inputs give the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:32]


def make_event_id(channel: str, source: str, external_id: str) -> str:
    """The id of a feedback item: stable per (channel, source, source's own id)."""
    return stable_id("event", channel, source, external_id)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)

    def to_json(self) -> bytes:
        return self.model_dump_json(exclude_none=False).encode("utf-8")


class FeedbackEvent(_Model):
    """One thing a customer said, on any channel (contract: ``feedback.raw``)."""

    id: str = Field(min_length=8, max_length=64)
    channel: Channel
    source: str = Field(min_length=1, max_length=200)
    external_id: str = Field(min_length=1, max_length=500)
    text: str = Field(max_length=MAX_TEXT_CHARS)
    created_at: AwareDatetime
    ingested_at: AwareDatetime
    title: str | None = Field(None, max_length=1000)
    author: str | None = Field(None, max_length=200)
    product: str | None = Field(None, max_length=200)
    shop: str | None = Field(None, max_length=200)
    region: str | None = Field(None, max_length=100)
    segment: str | None = Field(None, max_length=100)
    rating: int | None = Field(None, ge=1, le=5)
    nps: int | None = Field(None, ge=0, le=10)
    csat: int | None = Field(None, ge=1, le=5)
    # an audience beyond a trillion is no audience (and would not fit a 64-bit column)
    reach: int | None = Field(None, ge=0, le=10**12)
    url: str | None = Field(None, max_length=2000)
    thread_id: str | None = Field(None, max_length=500)
    reply_to: str | None = Field(None, max_length=500)
    is_staff_reply: bool = False
    lang: str | None = Field(None, max_length=8)
    duplicate_of: str | None = Field(
        None, description="Id of a likely duplicate seen on another channel (flagged, kept)"
    )
    attributes: dict[str, Attribute] = Field(
        default_factory=dict, description="Source-specific extras (order id, likes, reposts)"
    )

    @field_validator("created_at", "ingested_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return ensure_utc(value)

    @model_validator(mode="after")
    def _has_content(self) -> FeedbackEvent:
        if not self.text.strip() and self.rating is None and self.nps is None and self.csat is None:
            msg = "text is empty and there is no rating, nps or csat: nothing to analyse"
            raise ValueError(msg)
        return self


class ScoredEvent(FeedbackEvent):
    """A feedback event after the stream workers understood it (contract: ``feedback.scored``)."""

    sentiment: float = Field(ge=0.0, le=1.0, description="Probability the text is positive")
    sentiment_label: SentimentLabel
    topics: list[str] = Field(default_factory=list)
    stage: Stage | None = None
    department: str | None = None
    is_complaint: bool = False
    severity: int = Field(0, ge=0, le=3)
    crisis_terms: list[str] = Field(default_factory=list)
    engine: str = Field("", description="Sentiment engine that scored the text")
    scored_at: AwareDatetime


class DeadLetter(_Model):
    """Input that could not become an event, with why (contract: ``feedback.deadletter``).

    ``original`` is the input as text with personal data masked, like an event's
    text, and cut to :data:`MAX_ORIGINAL_CHARS`; bytes that were not UTF-8 show
    as ``\\xNN``. (Dead letters written before masking may hold ``base64``.)
    """

    id: str
    reason: str = Field(min_length=1, max_length=100, description="Machine code, e.g. wrong_type")
    message: str = Field(description="What was wrong, for people")
    stage: Literal["ingest", "worker", "sink", "alerts"] = "ingest"
    channel: str | None = None
    source: str | None = None
    locator: str | None = Field(None, description="Where in the source: file:line, offset, uid")
    original: str
    original_encoding: Literal["utf-8", "base64"] = "utf-8"
    created_at: AwareDatetime


SignalType = Literal[
    "spike", "sentiment_shift", "silence", "source_down", "unanswered", "crisis", "emerging"
]


class Sample(_Model):
    """An example event attached to a signal as evidence (text already masked)."""

    id: str
    text: str
    channel: str | None = None
    created_at: AwareDatetime | None = None


class Driver(_Model):
    """A value that explains a spike or a shift: its part of the key's excess (optional field)."""

    field: str = Field(description="product, region, channel, topic, shop or segment")
    value: str
    share: float = Field(ge=0.0, le=1.0, description="its excess / the key's excess")
    observed: float = Field(description="its part of the observed count")
    expected: float = Field(description="its part of the expected count (its usual share)")


class Signal(_Model):
    """Something a detector noticed, with its evidence (contract: ``feedback.signals``).

    A sustained condition keeps one ``id`` and is updated (``status`` firing)
    until it ends (``status`` resolved).
    """

    id: str
    type: SignalType
    key: dict[str, str] = Field(description="Dimensions, e.g. {'topic': '物流配送'}")
    status: Literal["firing", "resolved"] = "firing"
    window_start: AwareDatetime
    window_end: AwareDatetime
    observed: float
    expected: float
    score: float = Field(ge=0.0, le=1.0)
    statistic: str = Field(description="How the score was computed, e.g. poisson_tail")
    severity: int = Field(0, ge=0, le=3)
    top_topics: list[str] = Field(default_factory=list)
    crisis_terms: list[str] = Field(default_factory=list)
    samples: list[Sample] = Field(default_factory=list, max_length=5)
    detected_at: AwareDatetime
    details: dict[str, Attribute] = Field(default_factory=dict)
    drivers: list[Driver] = Field(
        default_factory=list, description="What explains a spike or a shift, per field"
    )


class Heartbeat(_Model):
    """A connector saying it is alive, and how far it got (``feedback.heartbeats``)."""

    source: str
    channel: str
    at: AwareDatetime
    status: Literal["ok", "degraded", "down"] = "ok"
    last_success_at: AwareDatetime | None = None
    records_total: int = 0
    lag_seconds: float | None = None
    message: str | None = None


class IncidentRecord(_Model):
    """The latest state of an incident (contract: ``feedback.incidents``, keyed by id).

    Readers keep the record with the highest ``version`` per id.
    """

    id: str
    type: str
    title: str
    status: Literal["open", "acknowledged", "resolved"]
    severity: int = Field(ge=0, le=3)
    owner: str | None = None
    key: dict[str, str] = Field(default_factory=dict)
    rule: str | None = None
    group_key: str | None = None
    opened_at: AwareDatetime
    updated_at: AwareDatetime
    acknowledged_at: AwareDatetime | None = None
    acknowledged_by: str | None = None
    resolved_at: AwareDatetime | None = None
    resolved_by: str | None = None
    version: int = Field(ge=1)
    alerts: int = Field(0, ge=0, description="Alerts grouped into the incident")
    url: str | None = Field(None, description="The incident in the dashboard")


M = TypeVar("M", bound=BaseModel)

_REASONS = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "json_invalid": "bad_json",
    "value_error": "invalid_value",
    "timezone_aware": "bad_timestamp",
    "datetime_parsing": "bad_timestamp",
    "datetime_from_date_parsing": "bad_timestamp",
    "datetime_type": "bad_timestamp",
    "literal_error": "invalid_value",
    "string_too_long": "too_long",
    "too_long": "too_long",
}


def describe_validation_error(exc: ValidationError) -> tuple[str, str, str | None]:
    """(reason code, message naming every field and problem, first field) for an error."""
    problems = []
    first_field: str | None = None
    first_type = ""
    for error in exc.errors(include_url=False):
        field = ".".join(str(p) for p in error["loc"]) or "(record)"
        if first_field is None:
            first_field, first_type = field, error["type"]
        given = error.get("input")
        shown = "" if error["type"] == "missing" else f" (got {_preview(given)})"
        problems.append(f"field '{field}': {error['msg']}{shown}")
    reason = _REASONS.get(first_type)
    if reason is None:
        reason = "wrong_type" if first_type.endswith(("_type", "_parsing")) else "invalid_value"
    return reason, "; ".join(problems), first_field


def _preview(value: Any, limit: int = 60) -> str:
    text = repr(_writable(value))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_model(model: type[M], data: bytes | str | dict[str, Any]) -> M:
    """Validate JSON bytes, a JSON string or a dict as ``model``.

    Raises :class:`ValidationFailed` with a reason code and a message that names
    the field and the problem.
    """
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        if isinstance(data, str):
            loaded = json.loads(data)
            if not isinstance(loaded, dict):
                msg = f"expected a JSON object, got {type(loaded).__name__}"
                raise ValidationFailed(msg, reason="wrong_type")
            data = loaded
        return model.model_validate(data)
    except UnicodeDecodeError as exc:
        msg = f"record is not valid UTF-8 ({exc.reason} at byte {exc.start})"
        raise ValidationFailed(msg, reason="bad_encoding") from exc
    except json.JSONDecodeError as exc:
        msg = f"record is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        raise ValidationFailed(msg, reason="bad_json") from exc
    except RecursionError as exc:
        msg = "record is nested too deeply to parse"
        raise ValidationFailed(msg, reason="too_deep") from exc
    except ValidationError as exc:
        reason, message, field = describe_validation_error(exc)
        raise ValidationFailed(message, reason=reason, field=field) from exc
    except ValueError as exc:  # after its subclasses: an integer of over 4,300 digits
        msg = f"record is not readable JSON ({exc})"
        raise ValidationFailed(msg, reason="bad_json") from exc


def sentiment_label(score: float, *, low: float = 0.4, high: float = 0.6) -> SentimentLabel:
    """neg below ``low``, pos above ``high``, neu between (snownlp's 0..1 convention)."""
    if score < low:
        return "neg"
    if score > high:
        return "pos"
    return "neu"


def original_text(raw: bytes | str | Mapping[str, Any]) -> tuple[str, str]:
    """The raw input exactly, as (text, encoding): for stable ids, never for storing.

    Input that is not valid UTF-8 (bytes, or text read with ``surrogateescape``)
    is kept byte for byte as base64.
    """
    if isinstance(raw, Mapping):
        raw = json.dumps(_writable(raw), ensure_ascii=False, default=str, sort_keys=True)
    if isinstance(raw, str):
        try:
            raw.encode("utf-8")
            return raw, "utf-8"
        except UnicodeEncodeError:
            data = _undecoded(raw)
    else:
        data = raw
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), "base64"


def _undecoded(text: str) -> bytes:
    """The bytes behind text read with ``surrogateescape`` (lone surrogates as themselves)."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


#: Python writes integers of up to 4,300 digits (about 14,000 bits) as text.
_INT_BITS = 14_000


def _writable(value: Any, depth: int = 0) -> Any:
    """``value`` with integers too long to write as text replaced by what they are."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _INT_BITS:
        return f"<an integer of {value.bit_length()} bits>"
    if depth > 100:
        return "…"
    if isinstance(value, Mapping):
        return {k: _writable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_writable(v, depth + 1) for v in value]
    return value


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _readable(text: str) -> str:
    """JSON text with its ``\\uXXXX`` escapes written out, so masking sees the digits.

    ``{"text": "\\u4e0013812345678"}`` hides a phone number behind the escape's
    last digits; a surrogate escape stays as it is.
    """
    if "\\u" not in text:
        return text

    def unescape(m: re.Match[str]) -> str:
        code = int(m.group(1), 16)
        return m.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)

    return _JSON_ESCAPE.sub(unescape, text)


def _masked_tree(value: Any, budget: list[int], depth: int = 0) -> Any:
    """``value`` with every string in it (keys too) masked, until ``budget`` characters."""
    if value is None or isinstance(value, bool | int | float):
        return _writable(value)
    if budget[0] <= 0 or depth > 40:
        return "…"
    if isinstance(value, Mapping):
        return {
            _masked_tree(str(k), budget, depth + 1): _masked_tree(v, budget, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_masked_tree(v, budget, depth + 1) for v in value]
    text = value if isinstance(value, str) else str(value)
    text = _undecoded(text).decode("utf-8", "backslashreplace")
    masked = mask_text(cut(text, budget[0]))
    budget[0] -= len(masked)
    return masked


def masked_original(raw: bytes | str | Mapping[str, Any]) -> str:
    """The raw input as a dead letter keeps it: text, personal data masked, cut to size.

    A mapping has each of its strings masked, then is written as JSON; bytes
    that are not UTF-8 become ``\\xNN`` (base64 would hide personal data from
    masking); text is read with its JSON escapes written out.
    """
    if isinstance(raw, Mapping):
        tree = _masked_tree(raw, [MAX_ORIGINAL_CHARS])
        return cut(json.dumps(tree, ensure_ascii=False, default=str), MAX_ORIGINAL_CHARS)
    if isinstance(raw, str):
        raw = _undecoded(raw)
    text = cut(
        raw[: 4 * MAX_ORIGINAL_CHARS].decode("utf-8", "backslashreplace"), MAX_ORIGINAL_CHARS
    )
    return mask_text(_readable(text))


def _encodable(text: str | None, limit: int = MAX_LOCATOR_CHARS) -> str | None:
    """``text`` as valid UTF-8 (lone surrogates become ``\\udcxx`` escapes), masked and cut."""
    if text is None:
        return None
    return mask_urls(cut(text.encode("utf-8", "backslashreplace").decode("utf-8"), limit))


def deadletter_for(
    raw: bytes | str | Mapping[str, Any],
    error: ValidationFailed,
    *,
    now: datetime,
    stage: str,
    locator: str | None = None,
    source: str | None = None,
    channel: str | None = None,
) -> DeadLetter:
    """The dead letter for input that failed validation: masked and cut (:func:`masked_original`).

    The id depends on the masked input and the raw input's size, so the same bad
    input gets the same id, and two inputs that differ only in masked digits are
    one dead letter (they read the same).
    """
    original = masked_original(raw)
    size = len(raw) if isinstance(raw, bytes | str) else len(original)
    # a message, file name or source can quote undecodable bytes (surrogates): keep them
    # readable as \udcxx escapes, or the dead letter itself could not be serialised
    locator, source, channel = (_encodable(v) for v in (locator, source, channel))
    return DeadLetter(
        id=stable_id("deadletter", source or "", locator or "", error.reason, original, str(size)),
        reason=error.reason,
        message=_encodable(str(error), MAX_MESSAGE_CHARS) or "",
        stage=stage,
        channel=channel,
        source=source,
        locator=locator,
        original=original,
        created_at=now,
    )


def parse_values(
    values: Sequence[bytes],
    model: type[M],
    *,
    now: datetime,
    stage: str,
    locator: str | None = None,
) -> tuple[list[M], list[DeadLetter]]:
    """Parse topic values as ``model``; those that fail become dead letters with their reason."""
    parsed: list[M] = []
    letters: list[DeadLetter] = []
    for value in values:
        try:
            parsed.append(parse_model(model, value))
        except ValidationFailed as exc:
            letters.append(deadletter_for(value, exc, now=now, stage=stage, locator=locator))
    return parsed, letters
