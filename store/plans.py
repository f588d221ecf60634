"""Versioned plans: the repository both engines (meal, workout) use.

A plan's rows are never edited in place: each generation or edit adds a `PlanVersion` (with its reason)
and the engine writes that version's detail rows, so every old version stays readable. Every query here
filters by owner: another user's plan is simply not found.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Plan, PlanVersion
from store.vocabulary import PlanKind


def create_plan(
    session: Session,
    *,
    user_id: uuid.UUID,
    kind: PlanKind,
    start_date: date,
    end_date: date,
    reason: str,
    created_by: uuid.UUID | None,
    inputs: dict[str, Any] | None = None,
) -> tuple[Plan, PlanVersion]:
    plan = Plan(user_id=user_id, kind=kind, start_date=start_date, end_date=end_date, current_version=1)
    session.add(plan)
    session.flush()
    version = PlanVersion(
        plan_id=plan.id, version=1, reason=reason, created_by=created_by, inputs=inputs or {}
    )
    session.add(version)
    session.flush()
    return plan, version


def add_version(
    session: Session,
    plan: Plan,
    *,
    reason: str,
    created_by: uuid.UUID | None,
    inputs: dict[str, Any] | None = None,
) -> PlanVersion:
    """Append a version and make it current. The plan row is locked first, so two concurrent edits of one
    plan get consecutive numbers instead of colliding on (plan_id, version)."""
    session.execute(select(Plan.id).where(Plan.id == plan.id).with_for_update())
    session.refresh(plan, ["current_version"])
    version = PlanVersion(
        plan_id=plan.id,
        version=plan.current_version + 1,
        reason=reason,
        created_by=created_by,
        inputs=inputs or {},
    )
    session.add(version)
    plan.current_version = version.version
    session.flush()
    return version


def get_plan(session: Session, *, plan_id: uuid.UUID, user_id: uuid.UUID, kind: PlanKind) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.id == plan_id, Plan.user_id == user_id, Plan.kind == kind))


def current_plan(session: Session, *, user_id: uuid.UUID, kind: PlanKind, on: date) -> Plan | None:
    """The plan covering `on`, else the most recent one starting before it."""
    covering = session.scalar(
        select(Plan)
        .where(Plan.user_id == user_id, Plan.kind == kind, Plan.start_date <= on, Plan.end_date >= on)
        .order_by(Plan.start_date.desc(), Plan.created_at.desc())
        .limit(1)
    )
    if covering is not None:
        return covering
    return session.scalar(
        select(Plan)
        .where(Plan.user_id == user_id, Plan.kind == kind)
        .order_by(Plan.start_date.desc(), Plan.created_at.desc())
        .limit(1)
    )


def get_version(session: Session, plan: Plan, version: int | None = None) -> PlanVersion | None:
    """A version of `plan` (the current one by default)."""
    number = plan.current_version if version is None else version
    return session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.version == number)
    )


def list_versions(session: Session, plan: Plan) -> list[PlanVersion]:
    return list(
        session.scalars(
            select(PlanVersion).where(PlanVersion.plan_id == plan.id).order_by(PlanVersion.version)
        )
    )
