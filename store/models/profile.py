"""Health profile (SI units) and the history of its body and goal fields."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ARRAY, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Timestamps, enum_column
from store.vocabulary import ActivityLevel, Diet, Experience, Goal, Sex, Units

TextList = ARRAY(String(200))


class Profile(Timestamps, Base):
    """One per user. Free-text health fields are AES-GCM ciphertext (`store.crypto`), never plain text."""

    __tablename__ = "profiles"
    __table_args__ = (
        CheckConstraint("height_cm BETWEEN 50 AND 272", name="height_range"),
        CheckConstraint("weight_kg BETWEEN 20 AND 400", name="weight_range"),
        CheckConstraint("body_fat_pct IS NULL OR body_fat_pct BETWEEN 2 AND 75", name="body_fat_range"),
        CheckConstraint("training_days BETWEEN 1 AND 7", name="training_days_range"),
        CheckConstraint("meals_per_day BETWEEN 2 AND 6", name="meals_per_day_range"),
        CheckConstraint(
            "coach_kcal_floor IS NULL OR coach_kcal_floor BETWEEN 800 AND 4000", name="coach_kcal_floor_range"
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, "sex"))
    height_cm: Mapped[float]
    weight_kg: Mapped[float]
    body_fat_pct: Mapped[float | None]
    activity_level: Mapped[ActivityLevel] = mapped_column(enum_column(ActivityLevel, "activity_level"))
    goal: Mapped[Goal] = mapped_column(enum_column(Goal, "goal"))
    target_rate_kg_per_week: Mapped[float] = mapped_column(default=0.0)
    training_days: Mapped[int]
    session_minutes: Mapped[int]
    experience: Mapped[Experience] = mapped_column(enum_column(Experience, "experience"))
    equipment: Mapped[list[str]] = mapped_column(TextList, default=list)
    liked_exercises: Mapped[list[str]] = mapped_column(TextList, default=list)
    disliked_exercises: Mapped[list[str]] = mapped_column(TextList, default=list)
    liked_foods: Mapped[list[str]] = mapped_column(TextList, default=list)
    disliked_foods: Mapped[list[str]] = mapped_column(TextList, default=list)
    allergies: Mapped[list[str]] = mapped_column(TextList, default=list)
    diet: Mapped[Diet] = mapped_column(enum_column(Diet, "diet"), default=Diet.OMNIVORE)
    meals_per_day: Mapped[int] = mapped_column(default=3)
    injuries: Mapped[list[str]] = mapped_column(TextList, default=list)
    units: Mapped[Units] = mapped_column(enum_column(Units, "units"), default=Units.METRIC)
    health_notes_encrypted: Mapped[str | None] = mapped_column(Text)
    medical_conditions_encrypted: Mapped[str | None] = mapped_column(Text)
    # Warnings about allowed but contradictory input (e.g. vegan who likes salmon), recomputed on write.
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default=text("'[]'"))
    revision: Mapped[int] = mapped_column(default=1)
    # The kcal floor a coach set in place of the default by sex (a supervised very-low-calorie diet, or a
    # higher floor); only a coach with the client's grant writes it.
    coach_kcal_floor: Mapped[int | None]


class ProfileChange(Base):
    """One changed body or goal field: old → new, when, by whom (the user, a coach or an admin)."""

    __tablename__ = "profile_history"
    __table_args__ = (Index("ix_profile_history_user_changed", "user_id", "changed_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[Any] = mapped_column(JSONB)
    new_value: Mapped[Any] = mapped_column(JSONB)
    changed_at: Mapped[datetime] = mapped_column(server_default=func.now())
    changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
