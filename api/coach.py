"""Routes: a user's grants to coaches, and a coach's view of the users who granted them access.

Another user's grant, or a client who never granted (or revoked), is a 404 like a missing row.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from api.deps import CoachUser, CurrentUser, DbSession
from api.errors import problem_response
from tools import accounts
from tools.accounts import Client, CoachGrant, CoachGrantInput

router = APIRouter(tags=["coach access"])

_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: problem_response("No such coach, client or grant")}


@router.post(
    "/coach-access",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Already granted"}, **_NOT_FOUND},
)
def grant_coach_access(
    data: CoachGrantInput, caller: CurrentUser, db: DbSession, response: Response
) -> CoachGrant:
    grant, created = accounts.grant_coach(db, caller.id, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return grant


@router.get("/coach-access")
def list_coach_access(caller: CurrentUser, db: DbSession) -> list[CoachGrant]:
    return accounts.list_grants(db, caller.id)


@router.delete("/coach-access/{coach_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND)
def revoke_coach_access(coach_id: uuid.UUID, caller: CurrentUser, db: DbSession) -> None:
    accounts.revoke_coach(db, caller.id, coach_id)


@router.get("/coach/clients")
def list_clients(coach: CoachUser, db: DbSession) -> list[Client]:
    return accounts.list_clients(db, coach.id)


@router.get("/coach/clients/{user_id}", responses=_NOT_FOUND)
def read_client(user_id: uuid.UUID, coach: CoachUser, db: DbSession) -> Client:
    return accounts.get_client(db, coach.id, user_id)
