"""Versioned plans. A plan keeps every version; the engines (meal, workout) add their detail tables
(days → meals → items, days → exercises → sets) keyed by `plan_versions.id`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Timestamps, UUIDPrimaryKey, enum_column
from store.vocabulary import PlanKind


class Plan(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "plans"
    __table_args__ = (Index("ix_plans_user_kind_start", "user_id", "kind", "start_date"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[PlanKind] = mapped_column(enum_column(PlanKind, "plan_kind"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    current_version: Mapped[int] = mapped_column(default=1)


class PlanVersion(Base):
    """One generation or edit of a plan, with the reason shown to the user ("weight 82.0 → 80.5 kg …")."""

    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    version: Mapped[int]
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # Inputs the version was built from (targets, profile snapshot, seed): enough to explain and reproduce.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
