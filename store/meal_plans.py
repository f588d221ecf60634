"""Meal plan detail rows (days → meals → items of a plan version): written once per version, read whole.

Versions themselves (and the owner filter) are `store.plans`; this module only moves the detail rows. A
version's rows are never updated: an edit writes the next version's rows (copied and changed in memory).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from store.models import MealPlanDay, MealPlanItem, MealPlanMeal

NUTRIENT_FIELDS = ("kcal", "protein_g", "fat_g", "carbs_g", "fiber_g", "sodium_mg")


@dataclass(frozen=True)
class Totals:
    kcal: float = 0.0
    protein_g: float = 0.0
    fat_g: float = 0.0
    carbs_g: float = 0.0
    fiber_g: float = 0.0
    sodium_mg: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in NUTRIENT_FIELDS}


@dataclass(frozen=True)
class ItemRow:
    position: int
    candidate_key: str
    name: str
    food_group: str
    category: str
    units: int
    household: str
    totals: Totals
    food_id: int | None = None
    recipe_id: int | None = None
    grams: float | None = None
    servings: float | None = None
    locked: bool = False
    id: int | None = None  # set when read back


@dataclass(frozen=True)
class MealRow:
    position: int
    name: str
    slot: str
    share: float
    totals: Totals
    items: tuple[ItemRow, ...] = ()
    locked: bool = False
    id: int | None = None


@dataclass(frozen=True)
class DayRow:
    day_date: date
    totals: Totals
    meals: tuple[MealRow, ...] = ()
    targets: dict[str, Any] = field(default_factory=dict)
    feasible: bool = True
    binding: str | None = None
    message: str | None = None
    id: int | None = None


def write_days(session: Session, version_id: int, days: Sequence[DayRow]) -> list[DayRow]:
    """Insert the detail rows of one version (three batched INSERT … RETURNING: days, meals, items) and
    return the days as stored, ids included."""
    if not days:
        return []
    day_ids = _insert_ids(
        session,
        MealPlanDay,
        [
            {
                "plan_version_id": version_id,
                "day_date": day.day_date,
                "targets": day.targets,
                "feasible": day.feasible,
                "binding": day.binding,
                "message": day.message,
                **day.totals.as_dict(),
            }
            for day in days
        ],
    )
    meals = [(day_id, meal) for day_id, day in zip(day_ids, days, strict=True) for meal in day.meals]
    meal_ids = _insert_ids(
        session,
        MealPlanMeal,
        [
            {
                "day_id": day_id,
                "position": meal.position,
                "name": meal.name,
                "slot": meal.slot,
                "share": meal.share,
                "locked": meal.locked,
                **meal.totals.as_dict(),
            }
            for day_id, meal in meals
        ],
    )
    items = [
        (meal_id, item) for meal_id, (_, meal) in zip(meal_ids, meals, strict=True) for item in meal.items
    ]
    item_ids = _insert_ids(
        session,
        MealPlanItem,
        [
            {
                "meal_id": meal_id,
                "position": item.position,
                "food_id": item.food_id,
                "recipe_id": item.recipe_id,
                "candidate_key": item.candidate_key,
                "name": item.name,
                "food_group": item.food_group,
                "category": item.category,
                "units": item.units,
                "grams": item.grams,
                "servings": item.servings,
                "household": item.household,
                "locked": item.locked,
                **item.totals.as_dict(),
            }
            for meal_id, item in items
        ],
    )
    ids = iter(item_ids)
    meal_iter = iter(meal_ids)
    stored: list[DayRow] = []
    for day_id, day in zip(day_ids, days, strict=True):
        stored_meals = []
        for meal in day.meals:
            meal_id = next(meal_iter)
            stored_items = tuple(replace(item, id=next(ids)) for item in meal.items)
            stored_meals.append(replace(meal, id=meal_id, items=stored_items))
        stored.append(replace(day, id=day_id, meals=tuple(stored_meals)))
    return stored


def _insert_ids(
    session: Session, model: type[MealPlanDay | MealPlanMeal | MealPlanItem], rows: list[dict[str, Any]]
) -> list[int]:
    """One batched INSERT … RETURNING id, the ids in the order of `rows` (none for no rows)."""
    if not rows:
        return []
    return list(session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows))


def _totals(row: Any) -> Totals:
    return Totals(**{name: float(getattr(row, name)) for name in NUTRIENT_FIELDS})


def read_days(session: Session, version_id: int) -> list[DayRow]:
    """Every day of a version in date order, meals and items in position order (three queries)."""
    days = list(
        session.scalars(
            select(MealPlanDay)
            .where(MealPlanDay.plan_version_id == version_id)
            .order_by(MealPlanDay.day_date)
        )
    )
    if not days:
        return []
    meals = list(
        session.scalars(
            select(MealPlanMeal)
            .where(MealPlanMeal.day_id.in_([d.id for d in days]))
            .order_by(MealPlanMeal.day_id, MealPlanMeal.position)
        )
    )
    items: dict[int, list[ItemRow]] = {}
    if meals:
        for item in session.scalars(
            select(MealPlanItem)
            .where(MealPlanItem.meal_id.in_([m.id for m in meals]))
            .order_by(MealPlanItem.meal_id, MealPlanItem.position)
        ):
            items.setdefault(item.meal_id, []).append(
                ItemRow(
                    id=item.id,
                    position=item.position,
                    candidate_key=item.candidate_key,
                    name=item.name,
                    food_group=item.food_group,
                    category=item.category,
                    units=item.units,
                    household=item.household,
                    totals=_totals(item),
                    food_id=item.food_id,
                    recipe_id=item.recipe_id,
                    grams=item.grams,
                    servings=item.servings,
                    locked=item.locked,
                )
            )
    meals_by_day: dict[int, list[MealRow]] = {}
    for meal in meals:
        meals_by_day.setdefault(meal.day_id, []).append(
            MealRow(
                id=meal.id,
                position=meal.position,
                name=meal.name,
                slot=meal.slot,
                share=meal.share,
                totals=_totals(meal),
                items=tuple(items.get(meal.id, [])),
                locked=meal.locked,
            )
        )
    return [
        DayRow(
            id=day.id,
            day_date=day.day_date,
            totals=_totals(day),
            meals=tuple(meals_by_day.get(day.id, [])),
            targets=dict(day.targets),
            feasible=day.feasible,
            binding=day.binding,
            message=day.message,
        )
        for day in days
    ]
