"""The caller's notifications (plan updates and the like, written by background jobs): list, mark read.
Only the owner's rows are ever read or changed; another user's notification is a 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Notification
from tools.errors import NotFound


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    body: str
    data: dict[str, Any]
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    unread: int


class NotificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unread_only: bool = False
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


def list_notifications(session: Session, user_id: uuid.UUID, query: NotificationQuery) -> NotificationPage:
    """Newest first."""
    own = select(Notification).where(Notification.user_id == user_id)
    if query.unread_only:
        own = own.where(Notification.read_at.is_(None))
    items = session.scalars(
        own.order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(query.limit)
        .offset(query.offset)
    )
    total = session.scalar(select(func.count()).select_from(own.subquery())) or 0
    unread = (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )
    return NotificationPage(
        items=[NotificationOut.model_validate(n) for n in items], total=total, unread=unread
    )


def mark_read(session: Session, user_id: uuid.UUID, notification_id: int) -> NotificationOut:
    notification = session.scalar(
        select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
    )
    if notification is None:
        raise NotFound("notification not found")
    if notification.read_at is None:
        notification.read_at = datetime.now(UTC)
        session.flush()
    return NotificationOut.model_validate(notification)
