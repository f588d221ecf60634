"""Routes: daily nutrition targets with their explanation trail, for the caller or (coach with a grant,
admin) for another user; anyone else gets the 404 of a user that does not exist."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter

from api.deps import CurrentUser, DbSession, OutboxDb
from api.errors import problem_response
from tools.access import coached_subject, readable_subject
from tools.nutrition.targets import Targets, targets_for_user
from tools.profile import CoachKcalFloor, set_coach_kcal_floor

router = APIRouter(tags=["nutrition"])


_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: problem_response("Not authenticated"),
    404: problem_response("No profile yet, or no such user visible to the caller"),
    422: problem_response("The profile cannot give targets (e.g. under 18, missing rate for the goal)"),
}


def _today() -> date:
    # Ages change at midnight UTC; profiles carry no time zone yet.
    return datetime.now(UTC).date()


@router.get("/targets", responses=_RESPONSES)
def read_own_targets(caller: CurrentUser, db: DbSession) -> Targets:
    return targets_for_user(db, caller.id, today=_today())


@router.get("/users/{user_id}/targets", responses=_RESPONSES)
def read_user_targets(user_id: uuid.UUID, caller: CurrentUser, db: DbSession) -> Targets:
    subject = readable_subject(db, caller, user_id)
    return targets_for_user(db, subject, today=_today())


@router.put(
    "/users/{user_id}/targets/kcal-floor",
    responses={
        **_RESPONSES,
        403: problem_response("The floor is the coach's to set, not the client's"),
        404: problem_response("No profile yet, or not a client who granted this coach access"),
    },
)
def set_client_kcal_floor(
    user_id: uuid.UUID, body: CoachKcalFloor, caller: CurrentUser, db: OutboxDb
) -> Targets:
    """A coach sets a client's kcal floor (null: back to the default by sex); returns the new targets.
    The client's meal plan follows like after a profile change."""
    subject = coached_subject(db, caller, user_id)
    set_coach_kcal_floor(db, subject, body, changed_by=caller.id)
    return targets_for_user(db, subject, today=_today())
