"""Grocery list for a date range of a meal plan: every food summed over the days (recipes expanded into
their ingredients), grouped by shop aisle, in purchasable units (whole eggs, slices, pieces of fruit where
the food has such a household portion, else grams rounded up), with the pantry staples (oils, spices,
condiments, "to taste" lines) apart. Foods in the person's pantry (`tools.nutrition.pantry`: ticked as
already at home) and any `have` food ids the client adds for this list only move to `have_already`.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Final

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import meal_plans as rows
from store import plans as plan_store
from store.models.knowledge import Food, FoodGroup, FoodPortion, RecipeIngredient, RecipeNutrition
from tools.errors import InvalidInput, NotFound
from tools.nutrition import planner
from tools.nutrition.candidates import fraction_text
from tools.nutrition.pantry import pantry_food_ids

MAX_DAYS: Final = 31
# USDA categories → shop aisles.
AISLES: Final[dict[str, str]] = {
    "Vegetables and Vegetable Products": "Produce",
    "Fruits and Fruit Juices": "Produce",
    "Beef Products": "Meat and fish",
    "Pork Products": "Meat and fish",
    "Poultry Products": "Meat and fish",
    "Lamb, Veal, and Game Products": "Meat and fish",
    "Sausages and Luncheon Meats": "Meat and fish",
    "Finfish and Shellfish Products": "Meat and fish",
    "Dairy and Egg Products": "Dairy and eggs",
    "Baked Products": "Bakery",
    "Cereal Grains and Pasta": "Grains and pasta",
    "Breakfast Cereals": "Grains and pasta",
    "Legumes and Legume Products": "Legumes, nuts and seeds",
    "Nut and Seed Products": "Legumes, nuts and seeds",
    "Fats and Oils": "Pantry",
    "Spices and Herbs": "Pantry",
    "Soups, Sauces, and Gravies": "Pantry",
    "Sweets": "Pantry",
    "Beverages": "Drinks",
}
PANTRY_GROUPS: Final = frozenset({FoodGroup.FAT, FoodGroup.CONDIMENT})
# Household measures bought as whole pieces: the count is rounded up.
_PIECE = re.compile(
    r"^(?:large|medium|small|slice|piece|fruit|tortilla|pita|bagel|muffin|roll|bun|clove|stalk|head)\b"
)


class GroceryLine(BaseModel):
    food_id: int | None
    name: str
    aisle: str
    grams: float | None = Field(description="Total over the range; null for 'to taste' lines")
    buy: str = Field(description="What to buy: '6 large', '450 g'")
    pieces: int | None = None
    piece: str | None = None
    used_in: list[str]


class GroceryGroup(BaseModel):
    aisle: str
    items: list[GroceryLine]


class GroceryList(BaseModel):
    plan_id: uuid.UUID
    version: int
    from_date: date
    to_date: date
    groups: list[GroceryGroup]
    pantry: list[GroceryLine] = Field(description="Oils, spices, condiments: tick what you have")
    have_already: list[GroceryLine]


class _Line:
    """One food's running total; a line never weighed (only "to taste") has no grams."""

    def __init__(self, food_id: int | None, name: str) -> None:
        self.food_id = food_id
        self.name = name
        self.grams = 0.0
        self.weighed = False
        self.used_in: set[str] = set()

    def add(self, grams: float | None, used_in: str) -> None:
        self.used_in.add(used_in)
        if grams is not None:
            self.grams += grams
            self.weighed = True


def grocery_list(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    *,
    from_date: date | None,
    to_date: date | None,
    have: Iterable[int] = (),
    version: int | None = None,
) -> GroceryList:
    plan = planner.owned_plan(session, user_id, plan_id)
    stored = plan_store.get_version(session, plan, version)
    if stored is None:
        raise NotFound("no such version of this plan")
    start = from_date or plan.start_date
    end = to_date or plan.end_date
    errors = []
    if end < start:
        errors.append({"field": "to", "reason": "must not be before from"})
    if (end - start).days + 1 > MAX_DAYS:
        errors.append({"field": "to", "reason": f"at most {MAX_DAYS} days"})
    if errors:
        raise InvalidInput("; ".join(f"{e['field']}: {e['reason']}" for e in errors), errors=errors)
    days = [d for d in rows.read_days(session, stored.id) if start <= d.day_date <= end]
    lines: dict[tuple[int | None, str], _Line] = {}
    recipes: dict[int, list[tuple[float, str]]] = {}  # recipe id → (servings, used in)
    for day in days:
        for meal in day.meals:
            for item in meal.items:
                if item.recipe_id is not None and item.servings is not None:
                    recipes.setdefault(item.recipe_id, []).append((item.servings, item.name))
                    continue
                key = (item.food_id, item.name if item.food_id is None else "")
                line = lines.setdefault(key, _Line(item.food_id, item.name))
                line.add(item.grams, meal.name)
    _expand_recipes(session, recipes, lines)
    foods = _foods(session, [food_id for food_id, _ in lines if food_id is not None])
    portions = _pieces(session, list(foods))
    have_ids = set(have) | pantry_food_ids(session, user_id)
    shopping: dict[str, list[GroceryLine]] = {}
    pantry: list[GroceryLine] = []
    have_already: list[GroceryLine] = []
    for (food_id, _), line in sorted(lines.items(), key=lambda kv: kv[1].name.lower()):
        food = foods.get(food_id) if food_id is not None else None
        aisle = AISLES.get(food.category or "", "Other") if food is not None else "Other"
        name = food.description if food is not None else line.name
        out = _purchase(line, name, aisle, portions.get(food_id) if food_id is not None else None)
        if food_id is not None and food_id in have_ids:
            have_already.append(out)
        elif not line.weighed or (food is not None and food.food_group in PANTRY_GROUPS) or aisle == "Pantry":
            pantry.append(out)
        else:
            shopping.setdefault(aisle, []).append(out)
    return GroceryList(
        plan_id=plan.id,
        version=stored.version,
        from_date=start,
        to_date=end,
        groups=[GroceryGroup(aisle=aisle, items=items) for aisle, items in sorted(shopping.items())],
        pantry=pantry,
        have_already=have_already,
    )


def _expand_recipes(
    session: Session, recipes: dict[int, list[tuple[float, str]]], lines: dict[tuple[int | None, str], _Line]
) -> None:
    """A recipe's ingredients, scaled from the whole recipe to the servings planned."""
    if not recipes:
        return
    servings = dict(
        session.execute(
            select(RecipeNutrition.recipe_id, RecipeNutrition.servings).where(
                RecipeNutrition.recipe_id.in_(list(recipes))
            )
        ).all()
    )
    for ingredient in session.scalars(
        select(RecipeIngredient)
        .where(RecipeIngredient.recipe_id.in_(list(recipes)))
        .order_by(RecipeIngredient.recipe_id, RecipeIngredient.position)
    ):
        per_recipe = servings.get(ingredient.recipe_id) or 1
        for planned, title in recipes[ingredient.recipe_id]:
            grams = None if ingredient.grams is None else ingredient.grams * planned / per_recipe
            key = (ingredient.food_id, ingredient.name if ingredient.food_id is None else "")
            line = lines.setdefault(key, _Line(ingredient.food_id, ingredient.name))
            line.add(grams, title)


def _foods(session: Session, food_ids: list[int]) -> dict[int, Food]:
    if not food_ids:
        return {}
    return {f.id: f for f in session.scalars(select(Food).where(Food.id.in_(food_ids)))}


def _pieces(session: Session, food_ids: list[int]) -> dict[int, tuple[str, float]]:
    """Per food, a household measure bought as whole pieces (its name and grams per piece)."""
    found: dict[int, tuple[str, float]] = {}
    if not food_ids:
        return found
    for portion in session.scalars(
        select(FoodPortion)
        .where(FoodPortion.food_id.in_(food_ids))
        .order_by(FoodPortion.food_id, FoodPortion.seq)
    ):
        measure = portion.measure.lower()
        if (
            portion.food_id not in found
            and _PIECE.match(measure)
            and portion.amount > 0
            and portion.gram_weight > 0
        ):
            found[portion.food_id] = (portion.measure, portion.gram_weight / portion.amount)
    return found


def _purchase(line: _Line, name: str, aisle: str, piece: tuple[str, float] | None) -> GroceryLine:
    used_in = sorted(line.used_in)
    if not line.weighed:
        return GroceryLine(
            food_id=line.food_id, name=name, aisle=aisle, grams=None, buy="to taste", used_in=used_in
        )
    grams = round(line.grams, 1)
    if piece is not None:
        measure, grams_each = piece
        count = max(1, math.ceil(grams / grams_each - 0.05))
        return GroceryLine(
            food_id=line.food_id,
            name=name,
            aisle=aisle,
            grams=grams,
            buy=f"{count} {measure}",
            pieces=count,
            piece=measure,
            used_in=used_in,
        )
    step = 10 if grams < 1000 else 50
    rounded = max(step, math.ceil(grams / step) * step)
    buy = f"{rounded:g} g" if rounded < 1000 else f"{fraction_text(rounded / 1000)} kg"
    return GroceryLine(food_id=line.food_id, name=name, aisle=aisle, grams=grams, buy=buy, used_in=used_in)
