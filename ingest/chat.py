"""Connectors: chat transcripts exported from IM tools (JSON lines or CSV), one event per message.

Customer messages are the feedback; staff messages are sent too, marked
``is_staff_reply`` and linked to the customer message they answer
(``reply_to``) within the conversation (``thread_id``), so downstream can
measure how long customers waited.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from ingest.emitter import make_normaliser
from ingest.folder import FileConnector
from ingest.settings import ConnectorSettings
from radar.errors import ValidationFailed
from radar.events import stable_id
from radar.settings import CoreSettings, settings_config

CONVERSATION = ("conversation_id", "session_id", "chat_id", "thread_id", "会话ID", "会话id")
MESSAGE = ("message_id", "msg_id", "id", "消息ID", "消息id")
SENDER = ("sender", "from", "nick", "author", "user", "发送人", "发送者")
ROLE = ("role", "sender_type", "sender_role", "身份", "角色")
TEXT = ("text", "content", "message", "msg", "内容", "消息内容")
TIME = ("time", "timestamp", "created_at", "sent_at", "发送时间", "时间")


class ChatSettings(ConnectorSettings):
    """``radar ingest chat`` (``RADAR_INGEST_CHAT_*``)."""

    model_config = settings_config("INGEST_CHAT_")
    yaml_section: ClassVar[str | None] = "ingest_chat"

    staff_roles: list[str] = Field(
        default_factory=lambda: ["staff", "agent", "service", "seller", "客服", "商家", "售后"],
        description="Role values that mean the shop's side spoke",
    )
    staff_names: list[str] = Field(
        default_factory=list, description="Sender names of staff, for exports without a role"
    )
    pattern: str = Field("*", description="Files of a watched folder to read (glob)")


def _pick(row: Mapping[str, Any], names: Sequence[str]) -> Any:
    lowered = {str(k).strip().casefold(): v for k, v in row.items()}
    for name in names:
        value = lowered.get(name.casefold())
        if value not in (None, ""):
            return value
    return None


def is_staff(row: Mapping[str, Any], roles: set[str], names: set[str]) -> bool:
    """Whether the shop's side spoke: by the role the chat system wrote, when the export has
    a role column (an empty role is a customer's); by the sender's name only in exports
    without one. A customer chooses their own nickname, and one named like an agent must
    not answer their own complaint."""
    columns = {str(key).strip().casefold() for key in row}
    if columns & {name.casefold() for name in ROLE}:
        role = _pick(row, ROLE)
        return isinstance(role, str) and role.strip().casefold() in roles
    sender = _pick(row, SENDER)
    sender_text = str(sender).casefold() if isinstance(sender, str | int) else ""
    return sender_text in names or any(sender_text.endswith(":" + n) for n in names)


def chat_transform(settings: ChatSettings) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A row transform remembering, per conversation, the customer message waiting for an answer."""
    roles = {r.casefold() for r in settings.staff_roles}
    names = {n.casefold() for n in settings.staff_names}
    waiting: dict[str, str] = {}

    def transform(row: Mapping[str, Any]) -> dict[str, Any]:
        conversation = _pick(row, CONVERSATION)
        if conversation is None:
            msg = f"field 'conversation_id': missing (one of: {', '.join(CONVERSATION)})"
            raise ValidationFailed(msg, reason="missing_field", field="conversation_id")
        if isinstance(conversation, dict | list):
            msg = "field 'conversation_id': expected text or a number"
            raise ValidationFailed(msg, reason="wrong_type", field="conversation_id")
        conversation = str(conversation)
        sender, role, text = _pick(row, SENDER), _pick(row, ROLE), _pick(row, TEXT)
        when = _pick(row, TIME)
        message = _pick(row, MESSAGE)
        if message is None:
            message = stable_id(conversation, str(when), str(sender), str(text))
        message_id = f"{conversation}/{message}"
        staff = is_staff(row, roles, names)
        fields: dict[str, Any] = {
            "external_id": message_id,
            "thread_id": conversation,
            "is_staff_reply": staff,
        }
        for name, value in (
            ("text", text),
            ("created_at", when),
            ("author", sender),
            ("role", role),
        ):
            if value is not None:
                fields[name] = value
        if staff:
            if conversation in waiting:
                fields["reply_to"] = waiting.pop(conversation)
        else:
            waiting.setdefault(conversation, message_id)
        used = {*CONVERSATION, *MESSAGE, *SENDER, *ROLE, *TEXT, *TIME}
        lowered = {u.casefold() for u in used}
        for key, value in row.items():
            if str(key).strip().casefold() not in lowered and key not in fields:
                fields[str(key)] = value
        return fields

    return transform


def chat_files(
    paths: Sequence[Path], core: CoreSettings, settings: ChatSettings, *, follow: bool = False
) -> FileConnector:
    """The connector for transcript files and folders."""
    source = settings.source or (paths[0].name if len(paths) == 1 else "chat")
    normaliser = make_normaliser("chat", source, core, settings)
    connector = FileConnector(
        paths,
        normaliser,
        pattern=settings.pattern,
        transform=chat_transform(settings),
        follow=follow,
    )
    connector.name = "chat"
    return connector
