"""Routes: account administration. Admin only; anyone else gets 403 (a role boundary, not a hidden
row: these are not user-owned resources)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import AdminUser, DbSession
from api.errors import problem_response
from tools import accounts
from tools.accounts import AdminUserOut, UserPage

router = APIRouter(prefix="/admin", tags=["admin"])

_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: problem_response("Caller is not an admin"),
}
_USER_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_RESPONSES,
    404: problem_response("No such user"),
}


@router.get("/users", responses=_RESPONSES)
def list_users(
    admin: AdminUser,
    db: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> UserPage:
    return accounts.list_users(db, limit=limit, offset=offset)


@router.post(
    "/users/{user_id}/disable",
    responses={
        **_USER_RESPONSES,
        409: problem_response("Admins cannot disable themselves"),
    },
)
def disable_user(user_id: uuid.UUID, admin: AdminUser, db: DbSession) -> AdminUserOut:
    """Signs the user out everywhere at once: refresh tokens are revoked, access tokens refused."""
    return accounts.set_user_active(db, admin.id, user_id, active=False)


@router.post("/users/{user_id}/enable", responses=_USER_RESPONSES)
def enable_user(user_id: uuid.UUID, admin: AdminUser, db: DbSession) -> AdminUserOut:
    return accounts.set_user_active(db, admin.id, user_id, active=True)
