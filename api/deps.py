"""Named dependencies: a route's needs show in its signature."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.crypto import FieldCipher
from store.db import Database
from store.models import User
from store.settings import Settings
from store.vocabulary import Role
from tools import jobs
from tools.errors import Forbidden, Unauthorized
from tools.tokens import decode_access_token

_T = TypeVar("_T")

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/login", auto_error=False)


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency on the threadpool,
# and each such hop costs more than the work itself (measured with bench/rest.py).


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def get_cipher(request: Request) -> FieldCipher:
    cipher: FieldCipher = request.app.state.cipher
    return cipher


async def get_db(database: Annotated[Database, Depends(get_database)]) -> AsyncIterator[Session]:
    """One session per request: commits when the route returns, rolls back when it raises.

    Opening a session does no I/O (it connects on first use), so only the end, which talks to the
    database, goes to the threadpool: one hop instead of two."""
    session = database.sessions()
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_finish, session, commit=False)
        raise
    await run_in_threadpool(_finish, session, commit=True)


def _finish(session: Session, *, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def app_cache(request: Request, name: str, make: Callable[[], _T]) -> _T:
    """A process-wide cache kept on the app state (made on first use, never a module global). Call it from
    an `async def` dependency: on the event loop two first requests cannot each make one."""
    cache: _T | None = getattr(request.app.state, name, None)
    if cache is None:
        cache = make()
        setattr(request.app.state, name, cache)
    return cache


SettingsDep = Annotated[Settings, Depends(get_settings)]
CipherDep = Annotated[FieldCipher, Depends(get_cipher)]
# scope="function": the session commits when the route returns, before the response starts. With the
# default ("request") scope a client could hold a 201 whose row is not committed yet, or never will be.
DbSession = Annotated[Session, Depends(get_db, scope="function")]


def get_outbox_db(db: DbSession, request: Request) -> Session:
    """The request's session, with the jobs of the outbox events it records deferred after its commit
    (`tools.jobs.defer_after_commit`)."""
    jobs.defer_after_commit(db, request.app.state.jobs)
    return db


OutboxDb = Annotated[Session, Depends(get_outbox_db)]


@dataclass(frozen=True)
class Caller:
    """The authenticated user behind a request."""

    id: uuid.UUID
    role: Role
    email: str
    display_name: str


def get_current_user(
    db: DbSession, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Caller:
    if not token:
        raise Unauthorized("missing bearer token")
    claims = decode_access_token(token, settings.jwt_secret)
    user = db.execute(
        select(User.role, User.email, User.display_name).where(User.id == claims.sub, User.is_active)
    ).one_or_none()
    # A disabled account loses access at once, not when its token expires.
    if user is None:
        raise Unauthorized("account not found or disabled")
    return Caller(id=claims.sub, role=user.role, email=user.email, display_name=user.display_name)


CurrentUser = Annotated[Caller, Depends(get_current_user)]


def require_role(*roles: Role) -> object:
    def check(caller: CurrentUser) -> Caller:
        if caller.role not in roles:
            raise Forbidden(f"requires role {' or '.join(r.value for r in roles)}")
        return caller

    return Depends(check)


AdminUser = Annotated[Caller, require_role(Role.ADMIN)]
CoachUser = Annotated[Caller, require_role(Role.COACH, Role.ADMIN)]
