"""Routes: the caller's notifications (e.g. "your meal plan was updated because …")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import CurrentUser, DbSession
from api.errors import problem_response
from tools.notifications import (
    NotificationOut,
    NotificationPage,
    NotificationQuery,
    list_notifications,
    mark_read,
)

router = APIRouter(tags=["notifications"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: problem_response("Not authenticated"),
    404: problem_response("No such notification of the caller"),
}


@router.get("/notifications", responses=_RESPONSES)
def read_notifications(
    caller: CurrentUser,
    db: DbSession,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotificationPage:
    return list_notifications(
        db, caller.id, NotificationQuery(unread_only=unread_only, limit=limit, offset=offset)
    )


@router.post("/notifications/{notification_id}/read", responses=_RESPONSES)
def read_notification(notification_id: int, caller: CurrentUser, db: DbSession) -> NotificationOut:
    return mark_read(db, caller.id, notification_id)
