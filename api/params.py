"""HTTP API: what requests may carry (query parameters and JSON bodies), validated by pydantic.

Unknown parameters are refused (422 naming them), so a misspelt filter never
silently widens a query. A list parameter may be repeated (``?channel=chat&
channel=email``) or comma separated (``?channel=chat,email``). Times are ISO 8601
with a zone (``2026-12-07T08:00:00Z``, ``…+08:00`` written ``%2B08:00`` in a
URL) or a date (``2026-12-07``), read as that day's midnight in ``RADAR_TIMEZONE``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar, Literal, TypeVar

from multidict import MultiMapping
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from alerts.evidence_export import PARTS
from radar.events import Channel
from radar.localtime import DEFAULT_ZONE, zone
from radar.store.listing import GROUPS, MAX_EXPORT, MAX_PAGE, MessageFilter

Lang = Literal["zh", "en"]
M = TypeVar("M", bound="Params")


class BadPeriod(ValueError):
    """A period whose start is not before its end (a 422 naming ``since``)."""


class Params(BaseModel):
    """Base of every request model: unknown fields refused; lists named in ``LISTS``."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    LISTS: ClassVar[tuple[str, ...]] = ()


def parse_time(value: Any, info: ValidationInfo) -> datetime | None:
    """An aware datetime from ISO text; a date is its local midnight; a naive time is refused."""
    if value is None or isinstance(value, datetime):
        return value
    text = str(value).strip()
    tz = zone(str((info.context or {}).get("timezone", DEFAULT_ZONE)))
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), tzinfo=tz)
        parsed = datetime.fromisoformat(text.replace(" ", "+"))  # an unescaped '+' reads as ' '
    except ValueError as exc:
        msg = "not a time: use ISO 8601 with a zone (2026-12-07T08:00:00Z) or a date (2026-12-07)"
        raise PydanticCustomError("not_a_time", msg) from exc
    if parsed.tzinfo is None:
        msg = "a time needs its zone (Z or +08:00), or give a date"
        raise PydanticCustomError("time_without_zone", msg)
    return parsed


class Period(Params):
    """A time range; the last 7 days by default. ``lang`` is taken by every query: it is
    the language of titles, files and error messages."""

    since: datetime | None = None
    until: datetime | None = None
    lang: Lang | None = None

    _times = field_validator("since", "until", mode="before")(parse_time)

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        until = self.until or now
        since = self.since or until - timedelta(days=7)
        if since >= until:
            msg = "since must be before until"
            raise BadPeriod(msg)
        return since, until


class Scope(Period):
    """Which shops, channels, products, regions, segments and stages."""

    LISTS: ClassVar[tuple[str, ...]] = ("channel", "product", "region", "shop", "segment", "stage")
    channel: list[Channel] = Field(default_factory=list)
    product: list[str] = Field(default_factory=list)
    region: list[str] = Field(default_factory=list)
    shop: list[str] = Field(default_factory=list)
    segment: list[str] = Field(default_factory=list)
    stage: list[Literal["presale", "sale", "aftersale"]] = Field(default_factory=list)

    def message_filter(self, now: datetime) -> MessageFilter:
        since, until = self.bounds(now)
        return MessageFilter(
            since=since,
            until=until,
            channel=tuple(self.channel),
            product=tuple(self.product),
            region=tuple(self.region),
            shop=tuple(self.shop),
            segment=tuple(self.segment),
            stage=tuple(self.stage),
            topic=tuple(getattr(self, "topic", ())),
            complaint=getattr(self, "complaint", None),
            min_severity=getattr(self, "min_severity", None),
            staff_replies=getattr(self, "staff_replies", False),
            duplicates=getattr(self, "duplicates", False),
        )


class MessageQuery(Scope):
    """Which customer messages: the filters every message list, export and figure shares."""

    LISTS: ClassVar[tuple[str, ...]] = (*Scope.LISTS, "topic")
    topic: list[str] = Field(default_factory=list)
    complaint: bool | None = None
    min_severity: int | None = Field(None, ge=0, le=3)
    staff_replies: bool = False
    duplicates: bool = False


class ResponseTimesQuery(Scope):
    """``GET /api/v1/response-times``: waits for a first reply, and the backlog (JSON, or the
    tables as CSV or Excel)."""

    by: Literal["channel", "department", "product"] = "channel"
    format: Literal["json", "csv", "xlsx"] = "json"


class EventsQuery(MessageQuery):
    """``GET /api/v1/events``: a page of messages."""

    limit: int = Field(100, ge=1, le=MAX_PAGE)
    cursor: str | None = None


class ExportQuery(MessageQuery):
    """``GET /api/v1/events/export``: every matching message as a spreadsheet."""

    format: Literal["csv", "xlsx"] = "xlsx"
    limit: int = Field(MAX_EXPORT, ge=1, le=MAX_EXPORT)


class FiguresQuery(MessageQuery):
    """``GET /api/v1/kpis``: key figures, in total and per group (JSON, CSV or Excel)."""

    by: Literal[GROUPS] | None = None  # type: ignore[valid-type]
    format: Literal["json", "csv", "xlsx"] = "json"


class SignalsQuery(Period):
    """``GET /api/v1/signals``: what the detectors reported (by the end of their window)."""

    LISTS: ClassVar[tuple[str, ...]] = ("type",)
    type: list[
        Literal["spike", "sentiment_shift", "silence", "source_down", "unanswered", "crisis"]
    ] = Field(default_factory=list)
    status: Literal["firing", "resolved"] | None = None
    limit: int = Field(100, ge=1, le=MAX_PAGE)


class IncidentsQuery(Params):
    """``GET /api/v1/incidents``."""

    status: Literal["open", "acknowledged", "resolved", "all"] = "open"
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    lang: Lang | None = None
    format: Literal["json", "csv", "xlsx"] = "json"


class IncidentQuery(Params):
    """``GET /api/v1/incidents/{id}``."""

    lang: Lang | None = None


class EvidenceQuery(Params):
    """``GET /api/v1/incidents/{id}/evidence``: CSV holds one part, Excel every part."""

    format: Literal["json", "csv", "xlsx"] = "json"
    part: Literal[PARTS] = "samples"  # type: ignore[valid-type]
    lang: Lang | None = None


class AcknowledgeBody(Params):
    note: str | None = Field(None, max_length=2000)


class AssignBody(Params):
    owner: str = Field(min_length=1, max_length=200)


class ResolveBody(Params):
    note: str | None = Field(None, max_length=2000)


class NoteBody(Params):
    text: str = Field(min_length=1, max_length=5000)


class StepBody(Params):
    done: bool = True


def from_query(model: type[M], query: MultiMapping[str], timezone: str) -> M:
    """``model`` from URL parameters (lists repeated or comma separated)."""
    data: dict[str, Any] = {}
    for name in dict.fromkeys(query.keys()):
        values = query.getall(name)
        if name in model.LISTS:
            data[name] = [v.strip() for raw in values for v in raw.split(",") if v.strip()]
        else:
            data[name] = values[-1]
    return model.model_validate(data, context={"timezone": timezone})


__all__ = [
    "AcknowledgeBody",
    "AssignBody",
    "BadPeriod",
    "EventsQuery",
    "EvidenceQuery",
    "ExportQuery",
    "FiguresQuery",
    "IncidentQuery",
    "IncidentsQuery",
    "MessageQuery",
    "NoteBody",
    "Params",
    "ResolveBody",
    "ResponseTimesQuery",
    "Scope",
    "SignalsQuery",
    "StepBody",
    "from_query",
]
