"""Accounts, refresh tokens and coach access grants."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Timestamps, UUIDPrimaryKey, enum_column
from store.vocabulary import Role


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (Index("uq_users_email_lower", func.lower(text("email")), unique=True),)

    email: Mapped[str] = mapped_column(String(320))
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.USER)
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))


class RefreshToken(UUIDPrimaryKey, Base):
    """An opaque refresh token, stored as its SHA-256. Rotation links tokens of one login in a family;
    presenting a spent token revokes the whole family (it was stolen or replayed)."""

    __tablename__ = "refresh_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class CoachAccess(UUIDPrimaryKey, Base):
    """A user's grant letting one coach read their profile, plans and logs."""

    __tablename__ = "coach_access"
    __table_args__ = (UniqueConstraint("user_id", "coach_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    coach_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(server_default=func.now())
