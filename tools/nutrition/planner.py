"""Meal plans as tools: generate a versioned plan from the profile and the targets, read it (any version),
and the pieces the edits and the automatic update share (context, day problems, rows ↔ results, output).

A plan covers 1–14 days from its start date. Days are solved in order, in blocks of 7 (the variety rules
are weekly). Every number comes from the solver (`tools.nutrition.solver`) and the knowledge base; a day
whose limits cannot all hold is stored as the nearest plan, with the binding limit named (never an error).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from store import meal_plans as rows
from store import plans as plan_store
from store.models import Plan, PlanVersion, Profile
from store.models.knowledge import Food, FoodGroup
from store.vocabulary import Diet, PlanKind
from tools.errors import Conflict, NotFound
from tools.nutrition import solver
from tools.nutrition.candidates import (
    Candidate,
    Catalogue,
    CatalogueCache,
    Nutrition,
    PlanSlot,
    PoolSource,
    Restrictions,
    personal_candidates,
    plan_seed,
)
from tools.nutrition.targets import Targets, calculate_targets, load_body_and_goal

PLAN_DAYS_RANGE: Final = (1, 14)
DAYS_PER_BLOCK: Final = 7
KETO_FAT_SHARE: Final = 0.6
PLANT_DIETS: Final = frozenset({Diet.VEGAN, Diet.VEGETARIAN})
# Liked foods' neighbours: up to this many anchors, this many neighbours each; cosine similarity above
# the floor lifts a food's preference up to `LIKED_SIMILAR_WEIGHT` (a liked food itself has 1).
LIKED_ANCHORS: Final = 4
LIKED_NEIGHBOURS: Final = 25
LIKED_SIMILARITY_FLOOR: Final = 0.88  # salmon → cod 0.95, trout 0.92; banana → orange 0.85 (measured)
LIKED_SIMILAR_WEIGHT: Final = 0.6
WIDER_POOL_FACTORS: Final = (2, 4)  # measured: ×2 fixed 55 of 78 missed days of 200 weekly plans, ×4 22
# Plant diets get their protein from fewer kinds of food: legumes may come back four times a week.
PLANT_MAX_USES: Final = {**solver.DEFAULT_MAX_USES_PER_WEEK, FoodGroup.LEGUME: 4}


class MealPlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: date
    days: int = Field(default=7, ge=PLAN_DAYS_RANGE[0], le=PLAN_DAYS_RANGE[1])


class NutritionOut(BaseModel):
    """Rounded for display: kcal and mg whole, grams to 0.1."""

    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float
    sodium_mg: float

    @classmethod
    def of(cls, totals: rows.Totals) -> NutritionOut:
        return cls(
            kcal=round(totals.kcal),
            protein_g=round(totals.protein_g, 1),
            fat_g=round(totals.fat_g, 1),
            carbs_g=round(totals.carbs_g, 1),
            fiber_g=round(totals.fiber_g, 1),
            sodium_mg=round(totals.sodium_mg),
        )


class ItemOut(BaseModel):
    id: int
    position: int
    food_id: int | None
    recipe_id: int | None
    name: str
    group: str
    units: int
    grams: float | None
    servings: float | None
    household: str
    locked: bool
    nutrition: NutritionOut


class MealOut(BaseModel):
    id: int
    position: int
    name: str
    slot: str
    share_pct: int
    locked: bool
    nutrition: NutritionOut
    items: list[ItemOut]


class LimitOut(BaseModel):
    """A daily limit and how the day met it (`slack` 0 when inside)."""

    nutrient: str
    label: str
    target: float
    low: float | None
    high: float | None
    value: float
    slack: float
    within: bool


class DayOut(BaseModel):
    date: date
    feasible: bool
    binding: str | None
    message: str | None
    nutrition: NutritionOut
    limits: list[LimitOut]
    meals: list[MealOut]


class VersionOut(BaseModel):
    version: int
    reason: str
    created_at: datetime
    created_by: uuid.UUID | None


class MealPlanOut(BaseModel):
    id: uuid.UUID
    start_date: date
    end_date: date
    version: int
    current_version: int
    reason: str
    created_at: datetime
    feasible: bool = Field(description="Every day meets every limit; else see each day's `binding`")
    targets: dict[str, Any]
    days: list[DayOut]


# --- Context: who the plan is for, and what they may eat ---------------------------------------------------


def slot_for_meal(name: str) -> PlanSlot:
    """The slot kind of a meal named by the targets' split ("breakfast", "lunch", "afternoon snack" …)."""
    if name == "breakfast":
        return PlanSlot.BREAKFAST
    if "snack" in name:
        return PlanSlot.SNACK
    return PlanSlot.MAIN


def meal_specs(targets: Targets) -> tuple[solver.MealSpec, ...]:
    return tuple(
        solver.MealSpec(name=m.name, slot=slot_for_meal(m.name), share=m.share_pct / 100)
        for m in targets.meals
    )


def day_targets(targets: Targets) -> solver.DayTargets:
    return solver.DayTargets(
        kcal=targets.kcal,
        protein_g=targets.protein_g,
        fat_g=targets.fat_g,
        carbs_g=targets.carbs_g,
        fiber_g=targets.fiber_g,
        sodium_mg_max=targets.sodium_max_mg,
        net_carbs_max_g=targets.net_carbs_g if targets.diet is Diet.KETO else None,
    )


class PoolTiers:
    """One person's pruned pools and their wider versions (`WIDER_POOL_FACTORS`), built on first need. It
    remembers the narrowest width that last worked: a plan's next days start there rather than retrying
    pools already found too small for the same targets (a futile retry costs more than the wider solve)."""

    def __init__(self, source: PoolSource) -> None:
        self._source = source
        self._tiers: dict[int, dict[PlanSlot, list[Candidate]]] = {0: source.pools()}
        self._start = 0

    def tier(self, index: int) -> dict[PlanSlot, list[Candidate]]:
        """Tier 0: the pruned pools; tier i: `WIDER_POOL_FACTORS[i - 1]` times the quotas."""
        if index not in self._tiers:
            self._tiers[index] = self._source.pools(WIDER_POOL_FACTORS[index - 1])
        return self._tiers[index]

    def solve(
        self, problem: solver.DayProblem, *, state: solver.WeekState, seed: int, day_index: int
    ) -> solver.DayResult:
        start = last = self._start

        def wider() -> Iterator[dict[PlanSlot, list[Candidate]]]:
            nonlocal last
            for index in range(start + 1, len(WIDER_POOL_FACTORS) + 1):
                last = index
                yield self.tier(index)

        result = solver.solve_day(
            problem, self.tier(start), state=state, seed=seed, day_index=day_index, wider_pools=wider()
        )
        self._start = last
        return result


@dataclass(frozen=True)
class PlanContext:
    """Everything a solve needs for one person: their targets, what they may eat, the pruned pools."""

    user_id: uuid.UUID
    targets: Targets
    restrictions: Restrictions
    liked: tuple[str, ...]
    catalogue: Catalogue
    safe: tuple[Candidate, ...]
    seed: int
    safe_by_key: dict[str, Candidate]
    pool_tiers: PoolTiers

    @property
    def pools(self) -> dict[PlanSlot, list[Candidate]]:
        """The pruned pools (the first tier)."""
        return self.pool_tiers.tier(0)

    def solve(
        self, problem: solver.DayProblem, *, state: solver.WeekState, day_index: int, seed_offset: int = 0
    ) -> solver.DayResult:
        """`solver.solve_day` on this person's pools, the wider ones when the pruned pools fall short."""
        return self.pool_tiers.solve(problem, state=state, seed=self.seed + seed_offset, day_index=day_index)

    @property
    def day_targets(self) -> solver.DayTargets:
        return day_targets(self.targets)

    @property
    def meals(self) -> tuple[solver.MealSpec, ...]:
        return meal_specs(self.targets)

    def problem(
        self,
        *,
        meals: tuple[solver.MealSpec, ...] | None = None,
        fixed: Iterable[solver.FixedItem] = (),
        locked_meals: Iterable[int] = (),
        banned: Iterable[str] = (),
    ) -> solver.DayProblem:
        keto = self.restrictions.diet is Diet.KETO
        return solver.DayProblem(
            targets=self.day_targets,
            meals=meals or self.meals,
            fixed=tuple(fixed),
            locked_meals=frozenset(locked_meals),
            banned_keys=frozenset(banned),
            kosher=self.restrictions.diet is Diet.KOSHER,
            fat_share=KETO_FAT_SHARE if keto else solver.DayProblem.model_fields["fat_share"].default,
            core_cap=2 if self.restrictions.diet in PLANT_DIETS else 1,
        )

    def week(self) -> solver.WeekState:
        """An empty week's state with this person's weekly caps."""
        plant = self.restrictions.diet in PLANT_DIETS
        return solver.WeekState(max_uses=dict(PLANT_MAX_USES if plant else solver.DEFAULT_MAX_USES_PER_WEEK))

    def candidate(self, key: str) -> Candidate | None:
        """A safe candidate by key (None when it is gone or no longer safe for this person)."""
        return self.safe_by_key.get(key)


def with_similar_to_liked(session: Session, safe: list[Candidate]) -> list[Candidate]:
    """Foods close to a liked one (MiniLM embeddings, pgvector nearest neighbours of a few liked foods:
    salmon → trout, mackerel) get part of a liked food's preference, so the pools lean towards them too."""
    anchors = sorted(
        (c for c in safe if c.preference >= 1.0 and c.food_id is not None), key=lambda c: (-c.boost, c.key)
    )[:LIKED_ANCHORS]
    if not anchors:
        return safe
    similarity: dict[int, float] = {}
    for anchor in anchors:
        embedding = session.scalar(select(Food.embedding).where(Food.id == anchor.food_id))
        if embedding is None:
            continue
        distance = Food.embedding.cosine_distance(embedding)
        nearest = session.execute(
            select(Food.id, distance)
            .where(Food.embedding.is_not(None), Food.id != anchor.food_id)
            .order_by(distance)
            .limit(LIKED_NEIGHBOURS)
        )
        for food_id, food_distance in nearest:
            similarity[food_id] = max(similarity.get(food_id, 0.0), 1.0 - float(food_distance))
    result = []
    for candidate in safe:
        sim = similarity.get(candidate.food_id or -1, 0.0)
        if candidate.preference < 1.0 and sim > LIKED_SIMILARITY_FLOOR:
            share = (sim - LIKED_SIMILARITY_FLOOR) / (1.0 - LIKED_SIMILARITY_FLOOR)
            candidate = candidate.model_copy(update={"preference": round(LIKED_SIMILAR_WEIGHT * share, 3)})
        result.append(candidate)
    return result


def require_profile(session: Session, user_id: uuid.UUID) -> Profile:
    profile = session.get(Profile, user_id)
    if profile is None:
        raise Conflict("a meal plan needs a health profile: create it first")
    return profile


def restrictions_of(profile: Profile, excluded_food_ids: Iterable[int] = ()) -> Restrictions:
    return Restrictions(
        diet=profile.diet,
        allergies=frozenset(profile.allergies or ()),
        disliked=tuple(profile.disliked_foods or ()),
        excluded_food_ids=frozenset(excluded_food_ids),
    )


def targets_for(
    session: Session, user_id: uuid.UUID, *, today: date, meals_per_day: int | None = None
) -> Targets:
    inputs = load_body_and_goal(session, user_id)
    prefs = (
        inputs.prefs
        if meals_per_day is None
        else inputs.prefs.model_copy(update={"meals_per_day": meals_per_day})
    )
    return calculate_targets(inputs.body, inputs.goal, prefs, overrides=inputs.overrides, today=today)


def build_context(
    session: Session,
    user_id: uuid.UUID,
    catalogue: Catalogue,
    *,
    today: date,
    seed: int,
    excluded_food_ids: Iterable[int] = (),
    meals_per_day: int | None = None,
    targets: Targets | None = None,
    keep: Iterable[Candidate] = (),
) -> PlanContext:
    """The context for `user_id`'s profile; `keep` (e.g. locked items) join the pools whatever the ranking,
    if they are still safe for the person."""
    profile = require_profile(session, user_id)
    targets = targets or targets_for(session, user_id, today=today, meals_per_day=meals_per_day)
    restrictions = restrictions_of(profile, excluded_food_ids)
    liked = tuple(profile.liked_foods or ())
    safe = personal_candidates(catalogue, restrictions, liked)
    if liked:
        safe = with_similar_to_liked(session, safe)
    protein_share = 4.0 * targets.protein_g / max(targets.kcal, 1)
    # Safety over locks: a kept candidate joins the pools only as the person's safe candidate (a locked
    # food that a new allergy rules out must not come back through the pools).
    safe_by_key = {c.key: c for c in safe}
    kept = [safe_by_key[c.key] for c in keep if c.key in safe_by_key]
    source = PoolSource.of(safe, seed=seed, protein_share=protein_share, diet=restrictions.diet, always=kept)
    return PlanContext(
        user_id=user_id,
        targets=targets,
        restrictions=restrictions,
        liked=liked,
        catalogue=catalogue,
        safe=tuple(safe),
        seed=seed,
        safe_by_key=safe_by_key,
        pool_tiers=PoolTiers(source),
    )


# --- Results ↔ rows ----------------------------------------------------------------------------------------


def _totals(n: Nutrition) -> rows.Totals:
    return rows.Totals(
        kcal=round(n.kcal, 2),
        protein_g=round(n.protein_g, 2),
        fat_g=round(n.fat_g, 2),
        carbs_g=round(n.carbs_g, 2),
        fiber_g=round(n.fiber_g, 2),
        sodium_mg=round(n.sodium_mg, 2),
    )


def item_row(item: solver.ChosenItem, position: int, *, locked: bool = False) -> rows.ItemRow:
    c = item.candidate
    return rows.ItemRow(
        position=position,
        candidate_key=c.key,
        name=c.name[:400],
        food_group=c.group.value,
        category=c.category[:120],
        units=item.units,
        household=c.household(item.units)[:120],
        totals=_totals(item.nutrition),
        food_id=c.food_id,
        recipe_id=c.recipe_id,
        grams=c.grams(item.units),
        servings=c.servings(item.units),
        locked=locked,
    )


def day_row(
    day: date,
    result: solver.DayResult,
    targets: solver.DayTargets,
    *,
    locked_keys: dict[int, set[str]] | None = None,
    locked_meals: Iterable[int] = (),
) -> rows.DayRow:
    """The rows of a solved day; `locked_keys` (meal → candidate keys) and `locked_meals` carry locks over."""
    locked_keys = locked_keys or {}
    locked_meal_set = set(locked_meals)
    meals = []
    for position, meal in enumerate(result.meals):
        keys = locked_keys.get(position, set())
        items = tuple(
            item_row(item, i, locked=item.candidate.key in keys or position in locked_meal_set)
            for i, item in enumerate(meal.items)
        )
        meals.append(
            rows.MealRow(
                position=position,
                name=meal.spec.name,
                slot=meal.spec.slot.value,
                share=meal.spec.share,
                totals=_totals(meal.nutrition),
                items=items,
                locked=position in locked_meal_set,
            )
        )
    return rows.DayRow(
        day_date=day,
        totals=_totals(result.nutrition),
        meals=tuple(meals),
        targets=targets.model_dump(mode="json"),
        feasible=result.feasible,
        binding=result.binding,
        message=result.message,
    )


def stored_candidate(item: rows.ItemRow, ctx: PlanContext | None = None) -> Candidate:
    """The candidate behind a stored item: the knowledge base's when it is still there (and safe for the
    person, when `ctx` is given), else rebuilt from the stored portion and nutrition."""
    if ctx is not None:
        found = ctx.candidate(item.candidate_key)
        if found is not None:
            return found
    per_unit = Nutrition(**{k: v / item.units for k, v in item.totals.as_dict().items()})
    group = FoodGroup(item.food_group) if item.food_group in FoodGroup._value2member_map_ else FoodGroup.OTHER
    return Candidate(
        key=item.candidate_key,
        food_id=item.food_id,
        recipe_id=item.recipe_id,
        name=item.name,
        group=group,
        slots=frozenset(PlanSlot),
        category=item.category,
        per_unit=per_unit,
        unit_grams=None if item.grams is None else item.grams / item.units,
        unit_servings=None if item.servings is None else item.servings / item.units,
        min_units=1,
        max_units=max(item.units, 1),
    )


def meal_specs_of(day: rows.DayRow) -> tuple[solver.MealSpec, ...]:
    return tuple(
        solver.MealSpec(name=m.name, slot=PlanSlot(m.slot), share=m.share)
        for m in sorted(day.meals, key=lambda m: m.position)
    )


def result_of(day: rows.DayRow, targets: solver.DayTargets) -> solver.DayResult:
    """A stored day as a solver result (for re-checking limits and for week state)."""
    meals = []
    for meal in sorted(day.meals, key=lambda m: m.position):
        spec = solver.MealSpec(name=meal.name, slot=PlanSlot(meal.slot), share=meal.share)
        items = tuple(
            solver.ChosenItem(candidate=stored_candidate(item), units=item.units, fixed=item.locked)
            for item in meal.items
        )
        meals.append(solver.MealResult(spec=spec, items=items))
    return solver.report(tuple(meals), targets)


def week_state(
    days: Sequence[rows.DayRow], around: date, start: date, state: solver.WeekState | None = None
) -> solver.WeekState:
    """Uses by the other days of `around`'s 7-day block of the plan (for variety when re-solving it),
    added to `state` (an empty week by default)."""
    block = (around - start).days // DAYS_PER_BLOCK
    state = state or solver.WeekState()
    for day in days:
        if day.day_date != around and (day.day_date - start).days // DAYS_PER_BLOCK == block:
            for meal in day.meals:
                for item in meal.items:
                    state.uses[item.candidate_key] = state.uses.get(item.candidate_key, 0) + 1
    return state


# --- Output ---------------------------------------------------------------------------------------------


def _day_out(day: rows.DayRow) -> DayOut:
    targets = solver.DayTargets.model_validate(day.targets)
    limits = solver.check_limits(
        Nutrition(**day.totals.as_dict()),
        targets,
    )
    return DayOut(
        date=day.day_date,
        feasible=day.feasible,
        binding=day.binding,
        message=day.message,
        nutrition=NutritionOut.of(day.totals),
        limits=[
            LimitOut(
                nutrient=r.nutrient,
                label=r.label,
                target=round(r.target, 1),
                low=None if r.low is None else round(r.low, 1),
                high=None if r.high is None else round(r.high, 1),
                value=round(r.value, 1),
                slack=round(r.slack, 1),
                within=r.slack <= 1e-6,
            )
            for r in limits
        ],
        meals=[
            MealOut(
                id=meal.id or 0,
                position=meal.position,
                name=meal.name,
                slot=meal.slot,
                share_pct=round(meal.share * 100),
                locked=meal.locked,
                nutrition=NutritionOut.of(meal.totals),
                items=[
                    ItemOut(
                        id=item.id or 0,
                        position=item.position,
                        food_id=item.food_id,
                        recipe_id=item.recipe_id,
                        name=item.name,
                        group=item.food_group,
                        units=item.units,
                        grams=item.grams,
                        servings=item.servings,
                        household=item.household,
                        locked=item.locked,
                        nutrition=NutritionOut.of(item.totals),
                    )
                    for item in meal.items
                ],
            )
            for meal in meal_rows_sorted(day)
        ],
    )


def meal_rows_sorted(day: rows.DayRow) -> list[rows.MealRow]:
    return sorted(day.meals, key=lambda m: m.position)


def plan_out(
    session: Session,
    plan: Plan,
    version_number: int | None = None,
    *,
    written: tuple[PlanVersion, Sequence[rows.DayRow]] | None = None,
) -> MealPlanOut:
    """A version of the plan as the API shows it; `written` (a version and its days just stored) spares
    reading them back."""
    if written is not None:
        version, days = written[0], list(written[1])
    else:
        found = plan_store.get_version(session, plan, version_number)
        if found is None:
            raise NotFound("no such version of this plan")
        version, days = found, rows.read_days(session, found.id)
    return MealPlanOut(
        id=plan.id,
        start_date=plan.start_date,
        end_date=plan.end_date,
        version=version.version,
        current_version=plan.current_version,
        reason=version.reason,
        created_at=version.created_at,
        feasible=all(d.feasible for d in days),
        targets=dict(version.inputs.get("targets", {})),
        days=[_day_out(d) for d in days],
    )


def owned_plan(session: Session, user_id: uuid.UUID, plan_id: uuid.UUID) -> Plan:
    plan = plan_store.get_plan(session, plan_id=plan_id, user_id=user_id, kind=PlanKind.MEAL)
    if plan is None:
        raise NotFound("meal plan not found")
    return plan


def get_meal_plan(
    session: Session, user_id: uuid.UUID, plan_id: uuid.UUID, version: int | None = None
) -> MealPlanOut:
    return plan_out(session, owned_plan(session, user_id, plan_id), version)


def current_meal_plan(session: Session, user_id: uuid.UUID, today: date) -> MealPlanOut:
    plan = plan_store.current_plan(session, user_id=user_id, kind=PlanKind.MEAL, on=today)
    if plan is None:
        raise NotFound("no meal plan yet")
    return plan_out(session, plan)


def list_meal_plan_versions(session: Session, user_id: uuid.UUID, plan_id: uuid.UUID) -> list[VersionOut]:
    plan = owned_plan(session, user_id, plan_id)
    return [
        VersionOut(version=v.version, reason=v.reason, created_at=v.created_at, created_by=v.created_by)
        for v in plan_store.list_versions(session, plan)
    ]


# --- Generation -----------------------------------------------------------------------------------------


def targets_summary(targets: Targets) -> dict[str, Any]:
    return {
        "kcal": targets.kcal,
        "protein_g": targets.protein_g,
        "fat_g": targets.fat_g,
        "carbs_g": targets.carbs_g,
        "net_carbs_g": targets.net_carbs_g,
        "fiber_g": targets.fiber_g,
        "sodium_max_mg": targets.sodium_max_mg,
        "diet": targets.diet.value,
        "meals": [m.model_dump() for m in targets.meals],
    }


def version_inputs(
    ctx: PlanContext, *, excluded_food_ids: Iterable[int] = (), extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What a version was built from: enough to explain it and to build the next one."""
    return {
        "targets": targets_summary(ctx.targets),
        "seed": ctx.seed,
        "diet": ctx.restrictions.diet.value,
        "allergies": sorted(ctx.restrictions.allergies),
        "disliked": list(ctx.restrictions.disliked),
        "excluded_food_ids": sorted(set(excluded_food_ids)),
        "meals_per_day": len(ctx.targets.meals),
        **(extra or {}),
    }


def solve_dates(ctx: PlanContext, dates: Sequence[date], start: date) -> list[rows.DayRow]:
    """Fresh days (no locks) for consecutive dates, solved block by block."""
    results: list[rows.DayRow] = []
    state = ctx.week()
    block = None
    for index, day in enumerate(dates):
        current_block = (day - start).days // DAYS_PER_BLOCK
        if current_block != block:
            state, block = ctx.week(), current_block
        result = ctx.solve(ctx.problem(), state=state, day_index=index)
        state.record(result)
        results.append(day_row(day, result, ctx.day_targets))
    return results


def generate_meal_plan(
    session: Session,
    user_id: uuid.UUID,
    request: MealPlanCreate,
    *,
    catalogues: CatalogueCache,
    created_by: uuid.UUID | None,
    today: date,
) -> MealPlanOut:
    """A new plan from the profile's targets, diet, allergies and likes (version 1)."""
    catalogue = catalogues.get(session)
    if not catalogue.candidates:
        raise Conflict("the food catalogue is not loaded (run `nexfitra knowledge load`)")
    seed = plan_seed(user_id, f"{request.start_date.isoformat()}:{request.days}")
    ctx = build_context(session, user_id, catalogue, today=today, seed=seed)
    dates = [request.start_date + timedelta(days=i) for i in range(request.days)]
    days = solve_dates(ctx, dates, request.start_date)
    plan, version = plan_store.create_plan(
        session,
        user_id=user_id,
        kind=PlanKind.MEAL,
        start_date=dates[0],
        end_date=dates[-1],
        reason=_generation_reason(ctx.targets, days),
        created_by=created_by,
        inputs=version_inputs(ctx),
    )
    stored = rows.write_days(session, version.id, days)
    return plan_out(session, plan, written=(version, stored))


def _generation_reason(targets: Targets, days: Sequence[rows.DayRow]) -> str:
    reason = f"generated for {targets.kcal:,} kcal, {targets.protein_g} g protein"
    missed = [d for d in days if not d.feasible]
    if missed:
        reason += f"; {len(missed)} day(s) could not meet every limit (see each day)"
    return reason[:500]


def new_version(
    session: Session,
    plan: Plan,
    days: Sequence[rows.DayRow],
    *,
    reason: str,
    created_by: uuid.UUID | None,
    inputs: dict[str, Any],
) -> tuple[PlanVersion, list[rows.DayRow]]:
    """Append a version holding `days` (every day of the plan, changed or copied); returns it and its
    days as stored."""
    version = plan_store.add_version(session, plan, reason=reason[:500], created_by=created_by, inputs=inputs)
    return version, rows.write_days(session, version.id, days)


def copy_day(day: rows.DayRow) -> rows.DayRow:
    """A stored day ready to be written into the next version (row ids dropped)."""
    return rows.DayRow(
        day_date=day.day_date,
        totals=day.totals,
        meals=tuple(
            rows.MealRow(
                position=m.position,
                name=m.name,
                slot=m.slot,
                share=m.share,
                totals=m.totals,
                items=tuple(
                    rows.ItemRow(
                        position=i.position,
                        candidate_key=i.candidate_key,
                        name=i.name,
                        food_group=i.food_group,
                        category=i.category,
                        units=i.units,
                        household=i.household,
                        totals=i.totals,
                        food_id=i.food_id,
                        recipe_id=i.recipe_id,
                        grams=i.grams,
                        servings=i.servings,
                        locked=i.locked,
                    )
                    for i in m.items
                ),
                locked=m.locked,
            )
            for m in day.meals
        ),
        targets=dict(day.targets),
        feasible=day.feasible,
        binding=day.binding,
        message=day.message,
    )


# --- Re-solving stored days (edits, automatic updates) --------------------------------------------------


@dataclass(frozen=True)
class Locks:
    """A stored day's locks mapped onto a meal structure: fixed items, locked meals, and the locks that
    could not be kept (the food is no longer safe for the person, or its meal is gone)."""

    fixed: tuple[solver.FixedItem, ...]
    locked_meals: frozenset[int]
    dropped: tuple[str, ...]


def locks_of(
    ctx: PlanContext, day: rows.DayRow, meals: Sequence[solver.MealSpec], *, drop_food_ids: Iterable[int] = ()
) -> Locks:
    """Locks carried onto `meals` (matched by meal name). Safety over locks: a locked food that the
    person's diet, allergies or dislikes now rule out is dropped, never kept."""
    position = {spec.name: i for i, spec in enumerate(meals)}
    dropping = set(drop_food_ids)
    fixed: list[solver.FixedItem] = []
    locked_meals: set[int] = set()
    dropped: list[str] = []
    for meal in day.meals:
        target = position.get(meal.name)
        for item in meal.items:
            if not (item.locked or meal.locked):
                continue
            candidate = ctx.candidate(item.candidate_key)
            if target is None or candidate is None or item.food_id in dropping:
                dropped.append(item.name)
                continue
            fixed.append(solver.FixedItem(meal=target, candidate=candidate, units=item.units))
        if meal.locked and target is not None:
            locked_meals.add(target)
    return Locks(fixed=tuple(fixed), locked_meals=frozenset(locked_meals), dropped=tuple(dropped))


def locked_candidates(catalogue: Catalogue, days: Iterable[rows.DayRow]) -> list[Candidate]:
    """The catalogue candidates of every locked item (they join the pools of a re-solve)."""
    found: list[Candidate] = []
    for day in days:
        for meal in day.meals:
            for item in meal.items:
                if (item.locked or meal.locked) and item.candidate_key in catalogue.by_key:
                    found.append(catalogue.by_key[item.candidate_key])
    return found


def resolve_day(
    ctx: PlanContext,
    day: rows.DayRow,
    *,
    state: solver.WeekState,
    day_index: int,
    banned: Iterable[str] = (),
    forced: Iterable[solver.FixedItem] = (),
    drop_food_ids: Iterable[int] = (),
    keep_locks: bool = True,
) -> tuple[rows.DayRow, Locks]:
    """`day` solved again with the context's targets and meal structure, locks kept (where still safe),
    `forced` items placed, `banned` candidates left out."""
    meals = ctx.meals
    locks = (
        locks_of(ctx, day, meals, drop_food_ids=drop_food_ids) if keep_locks else Locks((), frozenset(), ())
    )
    problem = ctx.problem(
        meals=meals, fixed=(*locks.fixed, *forced), locked_meals=locks.locked_meals, banned=banned
    )
    result = ctx.solve(problem, state=state, day_index=day_index)
    locked_keys: dict[int, set[str]] = {}
    for item in locks.fixed:
        locked_keys.setdefault(item.meal, set()).add(item.candidate.key)
    return day_row(
        day.day_date, result, ctx.day_targets, locked_keys=locked_keys, locked_meals=locks.locked_meals
    ), locks


def context_for_plan(
    session: Session,
    plan: Plan,
    version: PlanVersion,
    days: Sequence[rows.DayRow],
    *,
    catalogues: CatalogueCache,
    today: date,
    excluded_food_ids: Iterable[int] | None = None,
    meals_per_day: int | None = None,
    salt: str = "",
) -> PlanContext:
    """The context to edit `plan` from its `version`: the person's current profile and targets, the foods
    they removed from this plan, and a seed that differs per version (an edit gives a fresh choice)."""
    catalogue = catalogues.get(session)
    excluded = (
        set(version.inputs.get("excluded_food_ids", []))
        if excluded_food_ids is None
        else set(excluded_food_ids)
    )
    if meals_per_day is None:
        meals_per_day = version.inputs.get("meals_per_day")
    seed = plan_seed(plan.user_id, f"{plan.start_date.isoformat()}:v{version.version}:{salt}")
    return build_context(
        session,
        plan.user_id,
        catalogue,
        today=today,
        seed=seed,
        excluded_food_ids=excluded,
        meals_per_day=meals_per_day,
        keep=locked_candidates(catalogue, days),
    )
