"""The worker's internal topic (``{app}-windows``): what counting tells detection, typed.

Five records travel on it, told apart by ``kind``:

====================  =========  ==========================================================
record                kind       sent by, and where to
====================  =========  ==========================================================
:class:`Partial`      partial    counting: one source partition's cell of a key's window,
                                 to the key's anchor partition (overall: to every partition)
:class:`ProgressMark` wm         counting: how far a source partition got in event time, and
                                 whether it is caught up; to every partition
:class:`ThreadItem`   thread     counting: a complaint or a staff reply on a conversation
:class:`CrisisItem`   crisis     counting: a severity-3 item, to its crisis key's partition
:class:`SourceBeat`   hb         the health agent: a connector's heartbeat, to every partition
====================  =========  ==========================================================

Every record is absolute (a whole cell, a watermark, an item with its id), so a
record delivered twice changes nothing. :func:`addressed` says where each goes;
:func:`decode` turns the bytes back into the record, or raises
:class:`~radar.errors.ValidationFailed` for bytes no Radar worker wrote.

Times: windows in epoch milliseconds (``start``, ``wm``), items in epoch
seconds (``ts``), as the trackers keep them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from typing_extensions import TypedDict

from radar.errors import ValidationFailed
from radar.events import Heartbeat, ScoredEvent
from radar.masking import masked_excerpt
from streams.windows import OVERALL, SAMPLE_CHARS, anchor


class SampleRecord(TypedDict):
    """A message kept as evidence: its id leads to the whole (masked) text in the store."""

    id: str
    text: str
    channel: str
    created_at: str  # ISO 8601, as signals carry it


def sample_of(event: ScoredEvent) -> SampleRecord:
    return {
        "id": event.id,
        "text": masked_excerpt(event.text, SAMPLE_CHARS),
        "channel": event.channel,
        "created_at": event.created_at.isoformat(),
    }


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Partial(_Record):
    """Source partition ``p``'s cell of key ``dim`` in the ``size`` window from ``start`` (ms)."""

    kind: Literal["partial"] = "partial"
    p: int
    size: str
    start: int
    dim: str
    cell: dict[str, Any]  # streams.windows.new_cell's fields


class ProgressMark(_Record):
    """Source partition ``p`` has counted (and sent) everything up to event time ``wm`` (ms);
    ``idle``: it is caught up, so it holds no event time back."""

    kind: Literal["wm"] = "wm"
    p: int
    wm: int | None
    idle: bool = False


class ThreadItem(_Record):
    """A customer's complaint, or a staff reply, on a conversation thread."""

    kind: Literal["thread"] = "thread"
    thread: str  # "{channel}|{source}|{thread id}"
    channel: str
    ts: float
    event: Literal["complaint", "reply"]
    sample: SampleRecord | None = None  # complaints only


class CrisisItem(_Record):
    """A severity-3 item, under its crisis key (category, and product or shop)."""

    kind: Literal["crisis"] = "crisis"
    key: dict[str, str]
    ts: float
    id: str
    terms: list[str]
    topics: list[str]
    reach: int
    source: str
    sample: SampleRecord


class SourceBeat(_Record):
    """A connector's heartbeat: every detection partition tracks every source."""

    kind: Literal["hb"] = "hb"
    beat: Heartbeat


WindowRecord = Annotated[
    Partial | ProgressMark | ThreadItem | CrisisItem | SourceBeat, Field(discriminator="kind")
]
_ADAPTER: TypeAdapter[WindowRecord] = TypeAdapter(WindowRecord)  # type: ignore[arg-type, unused-ignore]


def encode(record: WindowRecord) -> bytes:
    """Compact UTF-8 JSON (Chinese samples take 3 bytes a character, not 6)."""
    return record.model_dump_json().encode("utf-8")


def decode(value: bytes) -> WindowRecord:
    """The record in ``value``; :class:`ValidationFailed` for bytes no worker wrote."""
    try:
        return _ADAPTER.validate_json(value)
    except PydanticValidationError as exc:
        raise ValidationFailed(f"not a windows record: {exc}", reason="invalid_record") from exc


@dataclass(frozen=True)
class Envelope:
    """A record with its Kafka key and, when it goes to one partition by name, that partition."""

    key: bytes
    record: WindowRecord
    partition: int | None = None  # None: the key's hash decides


def addressed(record: WindowRecord, partitions: int) -> list[Envelope]:
    """Where ``record`` goes on the windows topic of ``partitions`` partitions.

    A key's partials meet on its anchor's partition, so a combination is judged
    beside its anchor; the overall count, progress marks and heartbeats go to
    every partition, since each judges its keys against them.
    """
    match record:
        case Partial(dim=dim) if dim == OVERALL:
            return [Envelope(b"overall", record, mp) for mp in range(partitions)]
        case Partial(dim=dim):
            return [Envelope(anchor(dim).encode(), record)]
        case ProgressMark():
            return [Envelope(b"~wm", record, mp) for mp in range(partitions)]
        case ThreadItem(thread=thread):
            return [Envelope(thread.encode(), record)]
        case CrisisItem(key=key):
            return [Envelope(key_text(key).encode(), record)]
        case SourceBeat(beat=beat):
            return [Envelope(beat.source.encode(), record, mp) for mp in range(partitions)]
    raise TypeError(f"not a windows record: {record!r}")


def key_text(key: dict[str, str]) -> str:
    """A crisis key as text: ``crisis=safety,product=热水器`` (fields sorted)."""
    return ",".join(f"{k}={v}" for k, v in sorted(key.items()))


__all__ = [
    "CrisisItem",
    "Envelope",
    "Partial",
    "ProgressMark",
    "SampleRecord",
    "SourceBeat",
    "ThreadItem",
    "WindowRecord",
    "addressed",
    "decode",
    "encode",
    "key_text",
    "sample_of",
]
