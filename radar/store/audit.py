"""Store: who did what in the dashboard (sign-ins, incident actions, improvement actions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, insert, select

from radar.store.db import EpochMillis, metadata
from radar.store.feedback import Store

user_actions = Table(
    "user_actions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", EpochMillis, nullable=False),
    Column("user", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", String(200)),
    Column("detail", Text),
    Column("data", JSON),
    Index("ix_user_actions_at", "at"),
    Index("ix_user_actions_user", "user", "at"),
)


@dataclass(frozen=True)
class UserAction:
    """One recorded action."""

    id: int
    at: datetime
    user: str
    action: str
    target: str | None
    detail: str | None
    data: dict[str, Any] = field(default_factory=dict)


def record_action(
    store: Store,
    user: str,
    action: str,
    target: str | None = None,
    detail: str | None = None,
    data: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Append one action to the log."""
    if not user:
        msg = "an action needs the user who did it"
        raise ValueError(msg)
    row = {
        "at": now or store.clock.now(),
        "user": user,
        "action": action,
        "target": target,
        "detail": detail,
        "data": dict(data or {}),
    }
    with store.engine.begin() as conn:
        conn.execute(insert(user_actions), [row])


def recent_actions(store: Store, limit: int = 100, user: str | None = None) -> list[UserAction]:
    """The newest actions first."""
    query = select(user_actions).order_by(user_actions.c.id.desc()).limit(limit)
    if user is not None:
        query = query.where(user_actions.c.user == user)
    with store.engine.connect() as conn:
        return [
            UserAction(
                id=r.id,
                at=r.at,
                user=r.user,
                action=r.action,
                target=r.target,
                detail=r.detail,
                data=dict(r.data or {}),
            )
            for r in conn.execute(query)
        ]
