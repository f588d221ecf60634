"""Routes: the health profile and its history, the caller's own and (read-only) a client's for a coach."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from api.deps import CipherDep, CurrentUser, DbSession, OutboxDb
from api.errors import problem_response
from tools.access import readable_subject, writable_subject
from tools.profile import (
    HistoryField,
    HistoryPage,
    ProfileInput,
    ProfileOut,
    ProfilePatch,
    get_profile,
    profile_history,
    replace_profile,
    update_profile,
)

router = APIRouter(tags=["profile"])

_READ: dict[int | str, dict[str, Any]] = {
    401: problem_response("Not authenticated"),
    404: problem_response("No profile yet, or no such user the caller may read"),
}
_WRITE: dict[int | str, dict[str, Any]] = {
    **_READ,
    409: problem_response("Created concurrently by another request; retry"),
    422: problem_response("Invalid input: `errors` lists each field and the reason"),
}


Cipher = CipherDep
HistoryLimit = Annotated[int, Query(ge=1, le=200)]
HistoryCursor = Annotated[int | None, Query(description="`next_cursor` of the previous page")]


@router.get("/profile", responses=_READ)
def read_own_profile(user: CurrentUser, db: DbSession, cipher: Cipher) -> ProfileOut:
    return get_profile(db, cipher, user.id)


@router.put("/profile", responses={**_WRITE, 201: {"description": "Created"}})
def put_own_profile(
    body: ProfileInput, user: CurrentUser, db: OutboxDb, cipher: Cipher, response: Response
) -> ProfileOut:
    written = replace_profile(db, cipher, user.id, body, changed_by=user.id)
    if written.created:
        response.status_code = status.HTTP_201_CREATED
    return written.profile


@router.patch("/profile", responses=_WRITE)
def patch_own_profile(body: ProfilePatch, user: CurrentUser, db: OutboxDb, cipher: Cipher) -> ProfileOut:
    return update_profile(db, cipher, user.id, body, changed_by=user.id).profile


@router.get("/profile/history", responses=_READ)
def read_own_history(
    user: CurrentUser,
    db: DbSession,
    limit: HistoryLimit = 50,
    cursor: HistoryCursor = None,
    field: HistoryField | None = None,
) -> HistoryPage:
    return profile_history(db, user.id, limit=limit, cursor=cursor, field=field)


@router.get("/users/{user_id}/profile", responses=_READ)
def read_user_profile(user_id: uuid.UUID, user: CurrentUser, db: DbSession, cipher: Cipher) -> ProfileOut:
    """A client's profile for a coach they granted access, or any user's for an admin."""
    return get_profile(db, cipher, readable_subject(db, user, user_id))


@router.put("/users/{user_id}/profile", responses=_WRITE)
def put_user_profile(
    user_id: uuid.UUID,
    body: ProfileInput,
    user: CurrentUser,
    db: OutboxDb,
    cipher: Cipher,
    response: Response,
) -> ProfileOut:
    """Only the owner writes (tools.access.writable_subject): for anyone else this is a 404."""
    written = replace_profile(db, cipher, writable_subject(db, user, user_id), body, changed_by=user.id)
    if written.created:
        response.status_code = status.HTTP_201_CREATED
    return written.profile


@router.patch("/users/{user_id}/profile", responses=_WRITE)
def patch_user_profile(
    user_id: uuid.UUID, body: ProfilePatch, user: CurrentUser, db: OutboxDb, cipher: Cipher
) -> ProfileOut:
    """Only the owner writes (tools.access.writable_subject): for anyone else this is a 404."""
    return update_profile(db, cipher, writable_subject(db, user, user_id), body, changed_by=user.id).profile


@router.get("/users/{user_id}/profile/history", responses=_READ)
def read_user_history(
    user_id: uuid.UUID,
    user: CurrentUser,
    db: DbSession,
    limit: HistoryLimit = 50,
    cursor: HistoryCursor = None,
    field: HistoryField | None = None,
) -> HistoryPage:
    subject = readable_subject(db, user, user_id)
    return profile_history(db, subject, limit=limit, cursor=cursor, field=field)
