"""Meal plans in detail: version → days → meals → items.

Detail rows hang off `plan_versions.id`: each generation or edit writes a new version with its own rows, so
every old version stays readable. An item keeps its own copy of the name and the computed nutrition, so a
plan reads the same after the knowledge base is reloaded (its food link is then cleared, not cascaded).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, SmallInteger, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base


class _NutritionColumns:
    """Computed totals: kcal, grams of protein, fat, carbohydrate and fibre, milligrams of sodium."""

    kcal: Mapped[float]
    protein_g: Mapped[float]
    fat_g: Mapped[float]
    carbs_g: Mapped[float]
    fiber_g: Mapped[float]
    sodium_mg: Mapped[float]


class MealPlanDay(_NutritionColumns, Base):
    """One date of a plan version, with its totals, the targets it was solved for and whether every limit
    held (`feasible`); when not, `binding` names the limit missed most and `message` explains."""

    __tablename__ = "meal_plan_days"
    __table_args__ = (UniqueConstraint("plan_version_id", "day_date"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("plan_versions.id", ondelete="CASCADE"), index=True
    )
    day_date: Mapped[date]
    targets: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    feasible: Mapped[bool] = mapped_column(default=True)
    binding: Mapped[str | None] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(String(500))


class MealPlanMeal(_NutritionColumns, Base):
    """A meal of a day: its position, name ("breakfast", "afternoon snack"), slot kind and share of the
    day's kcal. A locked meal keeps its items when the day is solved again."""

    __tablename__ = "meal_plan_meals"
    __table_args__ = (UniqueConstraint("day_id", "position"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    day_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("meal_plan_days.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    name: Mapped[str] = mapped_column(String(40))
    slot: Mapped[str] = mapped_column(String(16))
    share: Mapped[float]
    locked: Mapped[bool] = mapped_column(default=False)


class MealPlanItem(_NutritionColumns, Base):
    """A food or a recipe with its portion: whole `units` of its portion step, as grams (foods), servings
    (recipes) and a household measure ("2 large", "1½ cup"), and the nutrition computed for that amount."""

    __tablename__ = "meal_plan_items"
    __table_args__ = (
        UniqueConstraint("meal_id", "position"),
        CheckConstraint("units >= 1", name="units_positive"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    meal_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("meal_plan_meals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(SmallInteger)
    food_id: Mapped[int | None] = mapped_column(ForeignKey("foods.id", ondelete="SET NULL"), index=True)
    recipe_id: Mapped[int | None] = mapped_column(ForeignKey("recipes.id", ondelete="SET NULL"), index=True)
    # "food:<id>" / "recipe:<id>" at the time of planning: the planner's identity for variety and locks.
    candidate_key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(400))
    food_group: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(120))
    units: Mapped[int]
    grams: Mapped[float | None]
    servings: Mapped[float | None]
    household: Mapped[str] = mapped_column(String(120))
    locked: Mapped[bool] = mapped_column(default=False)


class PantryItem(Base):
    """A food the person has at home (ticked on a grocery list): grocery lists put it under "have already"
    until it is unticked. Kept per person, not per plan: the rice in the cupboard outlives a week's plan."""

    __tablename__ = "pantry_items"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    food_id: Mapped[int] = mapped_column(ForeignKey("foods.id", ondelete="CASCADE"), primary_key=True)
    ticked_at: Mapped[datetime] = mapped_column(server_default=func.now())
