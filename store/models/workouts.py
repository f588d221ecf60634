"""Workout plans in detail (version → sessions → exercises → prescribed sets), the log of performed sets
that progression reads, and exercise ratings that rank the choices.

Detail rows hang off `plan_versions.id`: an edit writes a new version with its own rows, so every old
version stays readable. The set log belongs to the user, not to a plan version: it survives plan edits, and
its optional link to the prescribed exercise is cleared (not cascaded) when a plan is deleted.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, enum_column


class SessionKind(StrEnum):
    STRENGTH = "strength"
    CARDIO = "cardio"
    RECOVERY = "recovery"


class WorkoutVersionDetail(Base):
    """What a version was built as: split, training goal, weekly sets per muscle group, cardio guidance and
    the notes shown with the plan (time budget, injuries, shortfalls)."""

    __tablename__ = "workout_version_details"

    plan_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("plan_versions.id", ondelete="CASCADE"), primary_key=True
    )
    split: Mapped[str] = mapped_column(String(40))
    training_goal: Mapped[str] = mapped_column(String(32))
    weekly_sets: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    cardio: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    notes: Mapped[list[str]] = mapped_column(JSONB, default=list)


class WorkoutSession(Base):
    """One day of a plan version. `position` is the lifting session's index in its week (slot keys and
    locks refer to it); cardio and recovery days have no exercises."""

    __tablename__ = "workout_sessions"
    __table_args__ = (
        UniqueConstraint("plan_version_id", "scheduled_on"),
        CheckConstraint("week BETWEEN 1 AND 8", name="week_range"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True
    )
    week: Mapped[int]
    position: Mapped[int]
    scheduled_on: Mapped[date]
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "workout_session_kind"))
    template: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    estimated_minutes: Mapped[float]
    cardio_minutes: Mapped[int | None]
    cardio_intensity: Mapped[str | None] = mapped_column(String(32))
    notes: Mapped[list[str]] = mapped_column(JSONB, default=list)


class WorkoutExercise(Base):
    """An exercise in a session with its prescription; `slot_key` names the template slot it fills
    ("<session position>:<slot index>"), `locked` keeps it through regeneration."""

    __tablename__ = "workout_exercises"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    session_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("workout_sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    slot_key: Mapped[str] = mapped_column(String(32))
    pattern: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    rep_min: Mapped[int]
    rep_max: Mapped[int]
    rest_s: Mapped[int]
    target_rir: Mapped[int]
    locked: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


class PrescribedSet(Base):
    """One working set: rep range, reps in reserve, rest after it, and a suggested load when the log allows
    one (NULL: choose a load that leaves `target_rir` reps at the top of the range)."""

    __tablename__ = "workout_prescribed_sets"
    __table_args__ = (UniqueConstraint("workout_exercise_id", "set_number"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    workout_exercise_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("workout_exercises.id", ondelete="CASCADE"), index=True
    )
    set_number: Mapped[int]
    rep_min: Mapped[int]
    rep_max: Mapped[int]
    target_rir: Mapped[int]
    rest_s: Mapped[int]
    load_kg: Mapped[float | None]


class WorkoutSetLog(Base):
    """A performed set. Written by the progress-tracking API, read by the progression rules."""

    __tablename__ = "workout_set_logs"
    __table_args__ = (
        Index("ix_workout_set_logs_user_exercise_time", "user_id", "exercise_id", "performed_at"),
        CheckConstraint("load_kg >= 0 AND load_kg <= 1000", name="load_range"),
        CheckConstraint("reps BETWEEN 1 AND 100", name="reps_range"),
        CheckConstraint("rir IS NULL OR rir BETWEEN 0 AND 10", name="rir_range"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id"), index=True)
    performed_at: Mapped[datetime]
    load_kg: Mapped[float]
    reps: Mapped[int]
    rir: Mapped[int | None]
    workout_exercise_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("workout_exercises.id", ondelete="SET NULL"), index=True
    )
    set_number: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ExerciseRating(Base):
    """A user's 1-5 rating of an exercise; the programmer ranks rated exercises up or down."""

    __tablename__ = "exercise_ratings"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), primary_key=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
