"""Routes: daily nutrition targets with their explanation trail, for the caller or (coach with a grant,
admin) for another user; anyone else gets the 404 of a user that does not exist."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter

from api.deps import CurrentUser, DbSession
from api.errors import problem_response
from tools.access import readable_subject
from tools.nutrition.targets import Targets, targets_for_user

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
