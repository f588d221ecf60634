"""Edits of a meal plan. Each one reads the current version, changes a copy of its days and stores it as a new
version with a reason; every changed day is solved again under the same limits as a new plan (kcal ±3 %,
macros ±5 %, fibre, sodium, diet, allergies, dislikes), so an edit can never put a plan out of its rules
without saying so.

- swap: ranked alternatives for an item (same role, similar macros, safe for the person) or for a whole
  meal; with a replacement, the rest of the day is re-balanced around it (same foods, new portions).
- lock / unlock an item or a meal; regenerate a day keeping its locks; remove a food everywhere from a
  date on; change the number of meals a day from a date on.
Past days are read-only: an edit names a day from today on.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Final

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from store import meal_plans as rows
from store import plans as plan_store
from store.models import Plan, PlanVersion
from store.models.knowledge import FoodGroup
from tools.errors import InvalidInput, NotFound
from tools.nutrition import planner, solver
from tools.nutrition.candidates import Candidate, CatalogueCache, Nutrition, violations
from tools.nutrition.planner import MealPlanOut, NutritionOut, PlanContext

MAX_ALTERNATIVES: Final = 5
ALTERNATIVES_TRIED: Final = 12
MEAL_ALTERNATIVES: Final = 3


class SwapRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date
    meal: int = Field(ge=0, le=5, description="The meal's position in the day (0 = first)")
    item_id: int | None = Field(default=None, description="The item to swap; without it, the whole meal")
    replacement: list[str] | None = Field(
        default=None,
        max_length=4,
        description='The chosen alternative\'s keys ("food:123", "recipe:7"); without it, the alternatives',
    )


class Alternative(BaseModel):
    """A ranked replacement: the food or recipe (or, for a meal, the foods) with the portion the day would
    get and the day's totals after re-balancing."""

    keys: list[str]
    names: list[str]
    households: list[str]
    nutrition: NutritionOut
    day_nutrition: NutritionOut
    similarity: float = Field(description="1 = same macro profile per kcal as what it replaces")


class SwapOptions(BaseModel):
    day: date
    meal: int
    item_id: int | None
    replacing: list[str]
    alternatives: list[Alternative]


class LockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date
    meal: int = Field(ge=0, le=5)
    item_id: int | None = Field(default=None, description="Without it, the whole meal")
    locked: bool = True


class DayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date


class RemoveFoodRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    food_id: int
    from_date: date | None = Field(default=None, description="Default: today")


class MealsPerDayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    meals_per_day: int = Field(ge=2, le=6)
    from_date: date | None = Field(default=None, description="Default: today")


def _invalid(field: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])


class _Edit:
    """The plan being edited: its current version and days, and the context to solve them."""

    def __init__(
        self,
        session: Session,
        user_id: uuid.UUID,
        plan_id: uuid.UUID,
        *,
        catalogues: CatalogueCache,
        today: date,
        meals_per_day: int | None = None,
        excluded_food_ids: Sequence[int] | None = None,
    ) -> None:
        self.session = session
        self.today = today
        self.plan: Plan = planner.owned_plan(session, user_id, plan_id)
        version = plan_store.get_version(session, self.plan)
        if version is None:  # a plan always has its current version; guard against a broken row
            raise NotFound("meal plan not found")
        self.version: PlanVersion = version
        self.days = rows.read_days(session, version.id)
        self.ctx: PlanContext = planner.context_for_plan(
            session,
            self.plan,
            version,
            self.days,
            catalogues=catalogues,
            today=today,
            excluded_food_ids=excluded_food_ids,
            meals_per_day=meals_per_day,
        )

    def day(self, day: date, field: str = "day") -> rows.DayRow:
        if day < self.today:
            raise _invalid(field, "past days cannot be edited")
        for stored in self.days:
            if stored.day_date == day:
                return stored
        raise _invalid(field, f"{day.isoformat()} is not a day of this plan")

    def index(self, day: date) -> int:
        return (day - self.plan.start_date).days

    def meal(self, day: rows.DayRow, position: int) -> rows.MealRow:
        for meal in day.meals:
            if meal.position == position:
                return meal
        raise _invalid("meal", f"day {day.day_date.isoformat()} has no meal {position}")

    def item(self, meal: rows.MealRow, item_id: int) -> rows.ItemRow:
        for item in meal.items:
            if item.id == item_id:
                return item
        raise _invalid("item_id", f"no item {item_id} in meal {meal.position}")

    def state(self, day: date) -> solver.WeekState:
        return planner.week_state(self.days, day, self.plan.start_date, self.ctx.week())

    def save(
        self,
        changed: dict[date, rows.DayRow],
        *,
        reason: str,
        created_by: uuid.UUID | None,
        extra_inputs: dict[str, object] | None = None,
    ) -> MealPlanOut:
        days = [changed.get(d.day_date) or planner.copy_day(d) for d in self.days]
        inputs = planner.version_inputs(
            self.ctx,
            excluded_food_ids=self.ctx.restrictions.excluded_food_ids,
            extra=dict(extra_inputs or {}),
        )
        planner.new_version(
            self.session, self.plan, days, reason=reason, created_by=created_by, inputs=inputs
        )
        return planner.plan_out(self.session, self.plan)


def _forced_rest(
    day: rows.DayRow, ctx: PlanContext, *, skip_meal: int | None, skip_item: int | None
) -> list[solver.FixedItem]:
    """Every other item of the day stays on the plate: locked ones as they are, the others with a portion
    the solver may change (the re-balance). Items no longer safe are left out."""
    forced: list[solver.FixedItem] = []
    for meal in day.meals:
        if meal.position == skip_meal and skip_item is None:
            continue
        for item in meal.items:
            if item.id == skip_item:
                continue
            candidate = ctx.candidate(item.candidate_key)
            if candidate is None:
                continue
            units = item.units if (item.locked or meal.locked) else None
            forced.append(solver.FixedItem(meal=meal.position, candidate=candidate, units=units))
    return forced


def _profile(nutrition: Nutrition) -> tuple[float, float, float]:
    kcal = max(nutrition.kcal, 1.0)
    return 4 * nutrition.protein_g / kcal, 9 * nutrition.fat_g / kcal, 4 * nutrition.carbs_g / kcal


def _similarity(a: Nutrition, b: Nutrition) -> float:
    """1 − half the L1 distance of the two macro energy profiles (1 = same split of kcal)."""
    pa, pb = _profile(a), _profile(b)
    return round(1.0 - sum(abs(x - y) for x, y in zip(pa, pb, strict=True)) / 2, 3)


def _same_role(candidate: Candidate, group: FoodGroup) -> bool:
    core = solver.CORE_GROUPS
    return candidate.group is group or (group in core and candidate.group in core)


def _day_result_nutrition(result: solver.DayResult) -> NutritionOut:
    return NutritionOut.of(planner._totals(result.nutrition))


def swap(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    request: SwapRequest,
    *,
    catalogues: CatalogueCache,
    created_by: uuid.UUID | None,
    today: date,
) -> SwapOptions | MealPlanOut:
    """Without `replacement`: ranked alternatives. With it: a new version with the swap, the day
    re-balanced around it."""
    edit = _Edit(session, user_id, plan_id, catalogues=catalogues, today=today)
    day = edit.day(request.day)
    meal = edit.meal(day, request.meal)
    item = edit.item(meal, request.item_id) if request.item_id is not None else None
    replaced = [item] if item is not None else list(meal.items)
    if any(r.locked for r in replaced) or meal.locked:
        raise _invalid("item_id" if item is not None else "meal", "locked: unlock it first")
    spec = planner.meal_specs_of(day)[meal.position]
    index = edit.index(day.day_date)
    if request.replacement is None:
        alternatives = (
            _item_alternatives(edit, day, meal, item, spec, index)
            if item is not None
            else _meal_alternatives(edit, day, meal, index)
        )
        return SwapOptions(
            day=day.day_date,
            meal=meal.position,
            item_id=request.item_id,
            replacing=[r.name for r in replaced],
            alternatives=alternatives,
        )
    chosen: list[Candidate] = []
    for position, key in enumerate(request.replacement):
        candidate = edit.ctx.catalogue.by_key.get(key)
        if candidate is None:
            raise _invalid(f"replacement.{position}", f"unknown food or recipe {key!r}")
        reasons = violations(candidate, edit.ctx.restrictions)
        if reasons:
            raise _invalid(f"replacement.{position}", "not suitable: " + "; ".join(reasons))
        if spec.slot not in candidate.slots:
            raise _invalid(f"replacement.{position}", f"{candidate.name} is not a {spec.slot.value} food")
        chosen.append(candidate)
    if item is not None and len(chosen) != 1:
        raise _invalid("replacement", "an item is swapped for exactly one food or recipe")
    rest = _forced_rest(
        day, edit.ctx, skip_meal=meal.position, skip_item=item.id if item is not None else None
    )
    forced = rest + [solver.FixedItem(meal=meal.position, candidate=c) for c in chosen]
    banned = {r.candidate_key for r in replaced} - {c.key for c in chosen}
    # A whole meal swapped is the chosen foods and nothing else (their portions still re-balance).
    only_chosen = [meal.position] if item is None else []
    result = edit.ctx.solve(
        edit.ctx.problem(
            meals=planner.meal_specs_of(day), fixed=forced, banned=banned, locked_meals=only_chosen
        ),
        state=edit.state(day.day_date),
        day_index=index,
    )
    if not result.feasible:
        # Same foods cannot be re-balanced: let the day's unlocked foods change too, keeping the swap.
        locked = [f for f in rest if f.units is not None]
        result = edit.ctx.solve(
            edit.ctx.problem(
                meals=planner.meal_specs_of(day),
                fixed=[*locked, *(solver.FixedItem(meal=meal.position, candidate=c) for c in chosen)],
                banned=banned,
                locked_meals=only_chosen,
            ),
            state=edit.state(day.day_date),
            day_index=index,
        )
    new_day = planner.day_row(
        day.day_date,
        result,
        edit.ctx.day_targets,
        locked_keys=_locked_keys(day),
        locked_meals=[m.position for m in day.meals if m.locked],
    )
    what = replaced[0].name if item is not None else f"the {meal.name}"
    reason = f"swapped {what} for {', '.join(c.name for c in chosen)} on {day.day_date.isoformat()}"
    return edit.save({day.day_date: new_day}, reason=reason, created_by=created_by)


def _locked_keys(day: rows.DayRow) -> dict[int, set[str]]:
    return {m.position: {i.candidate_key for i in m.items if i.locked} for m in day.meals}


def _item_alternatives(
    edit: _Edit, day: rows.DayRow, meal: rows.MealRow, item: rows.ItemRow, spec: solver.MealSpec, index: int
) -> list[Alternative]:
    """Safe foods of the same role and slot, closest macro profile first; kept when the day re-balances
    around them within every limit."""
    ctx = edit.ctx
    current = planner.stored_candidate(item)
    in_day = {i.candidate_key for m in day.meals for i in m.items}
    group = FoodGroup(item.food_group) if item.food_group in FoodGroup._value2member_map_ else FoodGroup.OTHER
    ranked = sorted(
        (c for c in ctx.safe if spec.slot in c.slots and _same_role(c, group) and c.key not in in_day),
        key=lambda c: (
            -(_similarity(c.per_unit, current.per_unit) + 0.3 * c.preference + (0.2 if c.common else 0.0)),
            c.key,
        ),
    )
    rest = _forced_rest(day, ctx, skip_meal=meal.position, skip_item=item.id)
    state = edit.state(day.day_date)
    alternatives: list[Alternative] = []
    for candidate in ranked[:ALTERNATIVES_TRIED]:
        problem = ctx.problem(
            meals=planner.meal_specs_of(day),
            fixed=[*rest, solver.FixedItem(meal=meal.position, candidate=candidate)],
            banned={item.candidate_key},
        )
        result = ctx.solve(problem, state=state, day_index=index)
        if not result.feasible:
            continue
        placed = next(i for i in result.meals[meal.position].items if i.candidate.key == candidate.key)
        alternatives.append(
            Alternative(
                keys=[candidate.key],
                names=[candidate.name],
                households=[candidate.household(placed.units)],
                nutrition=NutritionOut.of(planner._totals(placed.nutrition)),
                day_nutrition=_day_result_nutrition(result),
                similarity=_similarity(candidate.per_unit, current.per_unit),
            )
        )
        if len(alternatives) >= MAX_ALTERNATIVES:
            break
    return alternatives


def _meal_alternatives(edit: _Edit, day: rows.DayRow, meal: rows.MealRow, index: int) -> list[Alternative]:
    """Other meals for the slot: the day solved again with the meal's current foods (and each earlier
    alternative's) left out, the other meals kept (portions re-balanced)."""
    ctx = edit.ctx
    rest = _forced_rest(day, ctx, skip_meal=meal.position, skip_item=None)
    banned = {i.candidate_key for i in meal.items}
    current = Nutrition(**meal.totals.as_dict())
    state = edit.state(day.day_date)
    alternatives: list[Alternative] = []
    for attempt in range(MEAL_ALTERNATIVES):
        problem = ctx.problem(meals=planner.meal_specs_of(day), fixed=rest, banned=banned)
        result = ctx.solve(problem, state=state, day_index=index, seed_offset=attempt)
        new_meal = result.meals[meal.position]
        if not result.feasible or not new_meal.items:
            break
        alternatives.append(
            Alternative(
                keys=[i.candidate.key for i in new_meal.items],
                names=[i.candidate.name for i in new_meal.items],
                households=[i.candidate.household(i.units) for i in new_meal.items],
                nutrition=NutritionOut.of(planner._totals(new_meal.nutrition)),
                day_nutrition=_day_result_nutrition(result),
                similarity=_similarity(new_meal.nutrition, current),
            )
        )
        banned |= {i.candidate.key for i in new_meal.items if i.candidate.group in solver.CORE_GROUPS}
    return alternatives


def lock(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    request: LockRequest,
    *,
    catalogues: CatalogueCache,
    created_by: uuid.UUID | None,
    today: date,
) -> MealPlanOut:
    """Lock (or unlock) an item or a whole meal: a new version, nothing re-solved."""
    edit = _Edit(session, user_id, plan_id, catalogues=catalogues, today=today)
    day = edit.day(request.day)
    meal = edit.meal(day, request.meal)
    item = edit.item(meal, request.item_id) if request.item_id is not None else None
    copied = planner.copy_day(day)
    meals = []
    for m, stored in zip(copied.meals, day.meals, strict=True):
        if stored.position != meal.position:
            meals.append(m)
            continue
        items = tuple(
            replace(i, locked=request.locked) if item is None or s.id == item.id else i
            for i, s in zip(m.items, stored.items, strict=True)
        )
        meals.append(replace(m, items=items, locked=request.locked if item is None else m.locked))
    changed = replace(copied, meals=tuple(meals))
    verb = "locked" if request.locked else "unlocked"
    what = item.name if item is not None else f"the {meal.name}"
    reason = f"{verb} {what} on {day.day_date.isoformat()}"
    return edit.save({day.day_date: changed}, reason=reason, created_by=created_by)


def regenerate_day(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    request: DayRequest,
    *,
    catalogues: CatalogueCache,
    created_by: uuid.UUID | None,
    today: date,
) -> MealPlanOut:
    """A new choice for one day, its locked items and meals kept; the day's other foods are avoided when
    a plan within every limit remains possible without them."""
    edit = _Edit(session, user_id, plan_id, catalogues=catalogues, today=today)
    day = edit.day(request.day)
    unlocked = {i.candidate_key for m in day.meals if not m.locked for i in m.items if not i.locked}
    state = edit.state(day.day_date)
    new_day, locks = planner.resolve_day(
        edit.ctx, day, state=state, day_index=edit.index(day.day_date), banned=unlocked
    )
    if not new_day.feasible:
        new_day, locks = planner.resolve_day(edit.ctx, day, state=state, day_index=edit.index(day.day_date))
    reason = f"regenerated {day.day_date.isoformat()}" + (" (locks kept)" if locks.fixed else "")
    if locks.dropped:
        reason += f"; no longer suitable, unlocked: {', '.join(locks.dropped)}"
    return edit.save({day.day_date: new_day}, reason=reason, created_by=created_by)


def _contains_food(day: rows.DayRow, food_id: int, ctx: PlanContext) -> bool:
    for meal in day.meals:
        for item in meal.items:
            if item.food_id == food_id:
                return True
            candidate = ctx.catalogue.by_key.get(item.candidate_key)
            if candidate is not None and food_id in candidate.ingredient_food_ids:
                return True
    return False


def remove_food(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    request: RemoveFoodRequest,
    *,
    catalogues: CatalogueCache,
    created_by: uuid.UUID | None,
    today: date,
) -> MealPlanOut:
    """Remove a food (alone or inside a recipe) from every day from `from_date` (default today) on; the
    plan keeps excluding it in later edits."""
    start = max(request.from_date or today, today)
    probe = _Edit(session, user_id, plan_id, catalogues=catalogues, today=today)
    excluded = sorted({*probe.ctx.restrictions.excluded_food_ids, request.food_id})
    edit = _Edit(session, user_id, plan_id, catalogues=catalogues, today=today, excluded_food_ids=excluded)
    name = next(
        (c.name for c in edit.ctx.catalogue.candidates if c.food_id == request.food_id),
        next(
            (i.name for d in edit.days for m in d.meals for i in m.items if i.food_id == request.food_id),
            None,
        ),
    )
    if name is None:
        raise _invalid("food_id", f"no food {request.food_id}")
    changed: dict[date, rows.DayRow] = {}
    for day in edit.days:
        if day.day_date < start or not _contains_food(day, request.food_id, edit.ctx):
            continue
        new_day, _ = planner.resolve_day(
            edit.ctx,
            day,
            state=edit.state(day.day_date),
            day_index=edit.index(day.day_date),
            drop_food_ids=[request.food_id],
        )
        changed[day.day_date] = new_day
    reason = f"removed {name} from {start.isoformat()} on ({len(changed)} day(s) changed)"
    return edit.save(changed, reason=reason, created_by=created_by)


def change_meals_per_day(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    request: MealsPerDayRequest,
    *,
    catalogues: CatalogueCache,
    created_by: uuid.UUID | None,
    today: date,
) -> MealPlanOut:
    """Re-plan the days from `from_date` (default today) on with another number of meals; locked items
    stay where a meal of the same name remains."""
    start = max(request.from_date or today, today)
    edit = _Edit(
        session, user_id, plan_id, catalogues=catalogues, today=today, meals_per_day=request.meals_per_day
    )
    before = edit.version.inputs.get("meals_per_day")
    changed: dict[date, rows.DayRow] = {}
    for day in edit.days:
        if day.day_date < start:
            continue
        new_day, _ = planner.resolve_day(
            edit.ctx, day, state=edit.state(day.day_date), day_index=edit.index(day.day_date)
        )
        changed[day.day_date] = new_day
    reason = f"{before} → {request.meals_per_day} meals a day from {start.isoformat()} on"
    return edit.save(changed, reason=reason, created_by=created_by)
