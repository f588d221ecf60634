"""Who may read or write whose rows. Every user-owned resource goes through `readable_subject` or
`writable_subject`; a caller without access gets the same 404 as for a user that does not exist."""

from __future__ import annotations

import uuid
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import CoachAccess, User
from store.vocabulary import Role
from tools.errors import Forbidden, NotFound


class Principal(Protocol):
    """The caller: anything with an id and a role (the API's `Caller`, a job's system identity)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def role(self) -> Role: ...


def coach_has_access(session: Session, coach_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    granted = select(CoachAccess.id).where(CoachAccess.coach_id == coach_id, CoachAccess.user_id == user_id)
    return session.scalar(granted) is not None


def readable_subject(session: Session, caller: Principal, user_id: uuid.UUID | None) -> uuid.UUID:
    """The user whose data `caller` reads: themselves (None or own id), a client who granted this coach
    access, or anyone for an admin. Anything else is a 404."""
    if user_id is None or user_id == caller.id:
        return caller.id
    if caller.role is Role.ADMIN:
        if session.get(User, user_id) is None:
            raise NotFound("user not found")
        return user_id
    if caller.role is Role.COACH and coach_has_access(session, caller.id, user_id):
        return user_id
    raise NotFound("user not found")


def writable_subject(session: Session, caller: Principal, user_id: uuid.UUID | None) -> uuid.UUID:
    """Only the owner writes their health data (coaches read; admins manage accounts, not profiles)."""
    if user_id is None or user_id == caller.id:
        return caller.id
    raise NotFound("user not found")


def coached_subject(session: Session, caller: Principal, user_id: uuid.UUID) -> uuid.UUID:
    """A client who granted `caller` (a coach) access: for the decisions that are a coach's to make, such as
    a kcal floor below the default. The client themselves may not (403); anyone else gets the 404."""
    if user_id == caller.id:
        raise Forbidden("only a coach you granted access can change this")
    if caller.role is Role.COACH and coach_has_access(session, caller.id, user_id):
        return user_id
    raise NotFound("user not found")
