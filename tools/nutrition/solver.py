"""The meal-plan optimiser (HiGHS): which candidates, how many portion units, for every meal of a day.

The day's model is a mixed-integer program: for every candidate of every meal, whether it is on the plate
and how many whole portion units; daily kcal within ±3 %, protein/fat/carbs within ±5 % (keto: net carbs
under the cap), fibre at least the target, sodium at most 2,300 mg; meal templates (one protein food,
legume or dish per main meal — two for plant diets —, at most one starch, two vegetables, one cooking fat
…; 1–4 items); each meal's kcal near its share of the day; objective: liked foods and rated recipes up,
repeats this week down, new groceries slightly down, a seeded jitter for variety between people.

Solved whole, that MILP takes HiGHS 0.1–2 s per day here (root cut loops on the tight integer knapsack
rows: measured), too slow for a 0.3 s week. So it is solved in pieces, all with HiGHS:
1. the LP relaxation (portions continuous, templates as linear limits on portion counts, limits narrowed
   to leave room for rounding) chooses the foods and their approximate amounts, optimally for the
   objective; where it splits a template (two starches, a food in two meals) it is dived: keep the
   larger, bar its rivals from the meal, re-solve (warm start), runner-up when that has no solution;
2. the LP amounts are rounded to whole units: every up/down combination at once (numpy), else a small
   feasibility MILP in a ±1 box, then the full range, then once with a few optional helper foods.
If no attempt meets every limit, the caller's wider pools are tried the same way (more foods per group),
then the weekly caps are relaxed. If still nothing meets every limit, the binding limit is found (the
first, by priority, whose release makes the LP feasible) and the same pieces run with penalised slack: the
answer is the nearest plan, missing mostly that limit, with its slack. Days are solved in order so the
week's variety rules see what earlier days used. MILPs stop by node count and gap, never by wall time, so
a seed always gives the same plan (the time limit is only a safety net).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from store.models.knowledge import FoodGroup
from tools.nutrition.candidates import Candidate, Nutrition, PlanSlot, stable_jitter

# The promised tolerance is narrowed by this much in the integer step, so that totals recomputed from
# stored values (grams rounded to 0.1) still fall inside.
TOLERANCE_MARGIN: Final = 0.002
# The LP keeps to a fraction of each band, leaving the rest for rounding to whole units, and each meal
# within a band around its share: first a tight, then a loose and a tighter-band attempt.
LP_ATTEMPTS: Final = ((0.6, 0.2), (0.9, 0.35), (0.3, 0.2))
# Portion bounds are for a meal of about this size; larger meals scale them, up to 1.5×.
REFERENCE_MEAL_KCAL: Final = 800.0
MAX_PORTION_SCALE: Final = 1.5
MAX_ITEMS_PER_MEAL: Final[dict[PlanSlot, int]] = {PlanSlot.BREAKFAST: 4, PlanSlot.MAIN: 4, PlanSlot.SNACK: 2}
MAX_HELPERS_PER_MEAL: Final = 2
GROUP_CAP_PER_MEAL: Final[dict[FoodGroup, int]] = {
    FoodGroup.PROTEIN: 1,
    FoodGroup.LEGUME: 1,
    FoodGroup.DISH: 1,
    FoodGroup.STARCH: 1,
    FoodGroup.VEGETABLE: 2,
    FoodGroup.FRUIT: 1,
    FoodGroup.DAIRY: 1,
    FoodGroup.NUT_SEED: 1,
    FoodGroup.FAT: 1,
    FoodGroup.SNACK: 1,
}
CORE_GROUPS: Final = frozenset({FoodGroup.PROTEIN, FoodGroup.DISH, FoodGroup.LEGUME})
BREAKFAST_BASE_GROUPS: Final = frozenset(
    {FoodGroup.STARCH, FoodGroup.DISH, FoodGroup.PROTEIN, FoodGroup.DAIRY}
)
# A meal's kcal may stray this far from its share of the day (the LP aims at the share, penalised).
MEAL_BAND: Final = 0.35
# The same recipe (dish) at most twice a week, the same protein food at most three times.
DEFAULT_MAX_USES_PER_WEEK: Final[dict[FoodGroup, int]] = {
    FoodGroup.DISH: 2,
    FoodGroup.PROTEIN: 3,
    FoodGroup.LEGUME: 3,
}
# Repeating these is penalised (variety); the other groups are staples whose reuse means fewer groceries.
VARIETY_GROUPS: Final = frozenset({FoodGroup.DISH, FoodGroup.PROTEIN, FoodGroup.LEGUME, FoodGroup.STARCH})

# Objective weights (dimensionless; an item costs ~0.3 at a typical portion, a 10 % meal-share miss ~0.2).
W_ITEM: Final = 0.3
W_PREFERENCE: Final = 0.25
W_RATING: Final = 0.1
W_REPEAT_VARIETY: Final = 0.35
W_REPEAT_STAPLE: Final = 0.05
W_NEW_GROCERY: Final = 0.1
W_JITTER: Final = 0.3
W_MEAL_SHARE: Final = 2.0  # per 100 % deviation of a meal's kcal from its share
W_SLACK: Final = 1000.0  # per 100 % of a limit's target missed (soft model only)
W_SLACK_MEAL: Final = 10.0
MIN_UNIT_COST: Final = 0.02
# The order in which limits are tried as the binding one: what the targets ask for first.
BINDING_ORDER: Final = ("protein_g", "fat_g", "carbs_g", "net_carbs_g", "kcal", "fiber_g", "sodium_mg")
# In the nearest plan, missing the binding limit costs this fraction of missing another one.
BINDING_SLACK_FACTOR: Final = 0.05
MAX_DIVES: Final = 30
# Rounding by enumeration tries 2^n combinations; beyond this many items the MILP does it.
MAX_ENUMERATED_ITEMS: Final = 12
AMOUNT_EPS: Final = 1e-6

MIP_REL_GAP: Final = 0.01
# Branch-and-bound nodes per MILP: the rounding MILPs are small (≤ ~16 integers) and either find whole
# portions quickly or are not worth more search (the next attempt widens the choice instead); the limit,
# unlike a time limit, keeps the result the same on a busy machine.
MIP_MAX_NODES: Final = 40
MIP_OFF: Final = (
    "mip_heuristic_run_rins",
    "mip_heuristic_run_rens",
    "mip_heuristic_run_feasibility_jump",
    "mip_allow_restart",
    "mip_detect_symmetry",
)
TIME_LIMIT_S: Final = 1.0

# kcal per unit of each energy nutrient (Atwater 4/9/4).
ENERGY_PER_UNIT: Final[dict[str, float]] = {
    "kcal": 1.0,
    "protein_g": 4.0,
    "fat_g": 9.0,
    "carbs_g": 4.0,
    "net_carbs_g": 4.0,
}
LIMIT_LABELS: Final[dict[str, str]] = {
    "kcal": "energy (kcal)",
    "protein_g": "protein (g)",
    "fat_g": "fat (g)",
    "carbs_g": "carbohydrate (g)",
    "net_carbs_g": "net carbohydrate (g)",
    "fiber_g": "fibre (g)",
    "sodium_mg": "sodium (mg)",
}


class Limit(BaseModel):
    """A daily limit on one nutrient; `target` is what slack and reports are relative to."""

    model_config = ConfigDict(frozen=True)

    nutrient: str
    target: float
    low: float | None = None
    high: float | None = None

    def contains(self, value: float) -> bool:
        return (self.low is None or value >= self.low - 1e-6) and (
            self.high is None or value <= self.high + 1e-6
        )


class DayTargets(BaseModel):
    """A day's targets as the solver sees them (see `planner.day_targets`)."""

    model_config = ConfigDict(frozen=True)

    kcal: float = Field(gt=0)
    protein_g: float = Field(ge=0)
    fat_g: float = Field(ge=0)
    carbs_g: float = Field(ge=0)
    fiber_g: float = Field(ge=0)
    sodium_mg_max: float = Field(default=2300.0, gt=0)
    # Keto: carbohydrate limited as net carbs (total − fibre) up to this cap instead of a ±5 % band.
    net_carbs_max_g: float | None = None
    kcal_tolerance: float = 0.03
    macro_tolerance: float = 0.05

    def limits(self, margin: float = 0.0, band_fraction: float = 1.0) -> list[Limit]:
        """The limits, each band narrowed by `margin` (absolute fraction) and scaled by `band_fraction`."""
        k_tol = (self.kcal_tolerance - margin) * band_fraction
        m_tol = (self.macro_tolerance - margin) * band_fraction

        def band(nutrient: str, target: float, tolerance: float) -> Limit:
            return Limit(
                nutrient=nutrient, target=target, low=target * (1 - tolerance), high=target * (1 + tolerance)
            )

        limits = [
            band("kcal", self.kcal, k_tol),
            band("protein_g", self.protein_g, m_tol),
            band("fat_g", self.fat_g, m_tol),
        ]
        if self.net_carbs_max_g is not None:
            cap = self.net_carbs_max_g * (1 - (1 - band_fraction) * self.macro_tolerance)
            limits.append(Limit(nutrient="net_carbs_g", target=self.net_carbs_max_g, high=cap))
        else:
            limits.append(band("carbs_g", self.carbs_g, m_tol))
        fiber_floor = self.fiber_g * (1 + (1 - band_fraction) * self.macro_tolerance)
        sodium_cap = self.sodium_mg_max * (1 - (1 - band_fraction) * self.macro_tolerance)
        limits.append(Limit(nutrient="fiber_g", target=self.fiber_g, low=fiber_floor))
        limits.append(Limit(nutrient="sodium_mg", target=self.sodium_mg_max, high=sodium_cap))
        return limits


class MealSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str  # "breakfast", "afternoon snack" …
    slot: PlanSlot
    share: float = Field(gt=0, le=1)  # of the day's kcal


class FixedItem(BaseModel):
    """An item that must be on the plate: with `units`, exactly so (a locked item, every item of a locked
    meal); without, at a portion the solver picks (the rest of a day re-balanced around a swap)."""

    model_config = ConfigDict(frozen=True)

    meal: int
    candidate: Candidate
    units: int | None = Field(default=None, ge=1)


class DayProblem(BaseModel):
    model_config = ConfigDict(frozen=True)

    targets: DayTargets
    meals: tuple[MealSpec, ...]
    fixed: tuple[FixedItem, ...] = ()
    locked_meals: frozenset[int] = frozenset()  # meals holding only their fixed items
    banned_keys: frozenset[str] = frozenset()  # candidates this day must not use (e.g. the one swapped out)
    kosher: bool = False  # no meat and dairy in the same meal
    fat_share: float = Field(default=0.35, gt=0, le=1)  # cooking fat's most of a meal's kcal (keto: more)
    # Protein sources per main meal: 1 (a protein food, a legume or a dish); plant diets may pair two
    # (tofu with edamame, beans with egg) to reach protein targets meat would cover alone.
    core_cap: int = Field(default=1, ge=1, le=2)

    def group_cap(self, group: FoodGroup) -> int:
        if group is FoodGroup.LEGUME:
            return self.core_cap
        return GROUP_CAP_PER_MEAL.get(group, 1)


class ChosenItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    candidate: Candidate
    units: int
    fixed: bool = False

    @property
    def nutrition(self) -> Nutrition:
        return self.candidate.per_unit.scaled(self.units)


class MealResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    spec: MealSpec
    items: tuple[ChosenItem, ...]

    @property
    def nutrition(self) -> Nutrition:
        return Nutrition.total(item.nutrition for item in self.items)


class LimitReport(BaseModel):
    """How a limit came out: the value and how far outside the limit it is (0 when inside)."""

    nutrient: str
    label: str
    target: float
    low: float | None
    high: float | None
    value: float
    slack: float


class DayResult(BaseModel):
    """A solved day. `feasible` False: the limits could not all hold, `meals` is the nearest plan, `binding`
    names the limit missed most and `message` says it in words."""

    meals: tuple[MealResult, ...]
    feasible: bool
    limits: tuple[LimitReport, ...]
    binding: str | None = None
    message: str | None = None
    solve_s: float = 0.0
    route: str = ""  # which step found it (for the benchmark and the logs)

    @property
    def nutrition(self) -> Nutrition:
        return Nutrition.total(meal.nutrition for meal in self.meals)


@dataclass
class WeekState:
    """What earlier days of the week used: weekly caps, repeat costs and grocery reuse."""

    uses: dict[str, int] = field(default_factory=dict)
    max_uses: dict[FoodGroup, int] = field(default_factory=lambda: dict(DEFAULT_MAX_USES_PER_WEEK))

    def record(self, day: DayResult) -> None:
        for meal in day.meals:
            for item in meal.items:
                self.uses[item.candidate.key] = self.uses.get(item.candidate.key, 0) + 1

    def capped(self, candidate: Candidate) -> bool:
        cap = self.max_uses.get(candidate.group)
        return cap is not None and self.uses.get(candidate.key, 0) >= cap

    def relaxable(self) -> bool:
        return any(group is not FoodGroup.DISH for group in self.max_uses)

    def relaxed(self) -> WeekState:
        """The same uses with only the recipe (dish) cap left."""
        dish: dict[FoodGroup, int] = {g: n for g, n in self.max_uses.items() if g is FoodGroup.DISH}
        return WeekState(uses=self.uses, max_uses=dish)


# --- A tiny model builder over highspy ---------------------------------------------------------------------


class _Model:
    """Columns and rows collected in Python, passed to HiGHS in one call; the handle is kept so an LP can
    be re-solved after bound changes (warm-started from its last basis)."""

    def __init__(self, max_nodes: int = MIP_MAX_NODES) -> None:
        self.max_nodes = max_nodes
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.kind: list[str] = []  # "c" continuous, "i" integer, "s" semi-integer
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.entries: list[tuple[int, int, float]] = []
        self._highs: Any = None

    def col(self, cost: float, lower: float, upper: float, kind: str = "c") -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.kind.append(kind)
        return len(self.cost) - 1

    def row(self, coefs: Sequence[tuple[int, float]], lower: float, upper: float) -> None:
        index = len(self.row_lower)
        self.row_lower.append(lower)
        self.row_upper.append(upper)
        self.entries.extend((index, col, value) for col, value in coefs if value != 0.0)

    def _build(self) -> Any:
        import highspy

        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_ = len(self.cost)
        lp.num_row_ = len(self.row_lower)
        lp.col_cost_ = np.asarray(self.cost, dtype=np.float64)
        lp.col_lower_ = np.asarray(self.lower, dtype=np.float64)
        lp.col_upper_ = np.minimum(np.asarray(self.upper, dtype=np.float64), inf)
        lp.row_lower_ = np.maximum(np.asarray(self.row_lower, dtype=np.float64), -inf)
        lp.row_upper_ = np.minimum(np.asarray(self.row_upper, dtype=np.float64), inf)
        entries = sorted(self.entries, key=lambda e: (e[1], e[0]))
        counts = np.bincount(np.asarray([e[1] for e in entries], dtype=np.int64), minlength=lp.num_col_)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
        lp.a_matrix_.index_ = np.asarray([e[0] for e in entries], dtype=np.int32)
        lp.a_matrix_.value_ = np.asarray([e[2] for e in entries], dtype=np.float64)
        if any(k != "c" for k in self.kind):
            types = {
                "c": highspy.HighsVarType.kContinuous,
                "i": highspy.HighsVarType.kInteger,
                "s": highspy.HighsVarType.kSemiInteger,
            }
            lp.integrality_ = [types[k] for k in self.kind]
        highs = highspy.Highs()  # type: ignore[no-untyped-call]
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("mip_rel_gap", MIP_REL_GAP)
        highs.setOptionValue("mip_max_nodes", self.max_nodes)
        highs.setOptionValue("time_limit", TIME_LIMIT_S)
        highs.setOptionValue("random_seed", 0)
        # The root's sub-MIP heuristics and restarts cost these small, tight MILPs ~100 ms each and
        # rarely help (measured); plain branch-and-bound with the rounding as a start is enough.
        for name in MIP_OFF:
            highs.setOptionValue(name, False)
        highs.passModel(lp)
        return highs

    def solve(self, start: Sequence[float] | None = None) -> np.ndarray[Any, np.dtype[np.float64]] | None:
        """Optimal (LP) or first-good (MILP) column values, or None when there is no solution."""
        import highspy

        integer = any(k != "c" for k in self.kind)
        if self._highs is None:
            self._highs = self._build()
        highs = self._highs
        if start is not None and integer:
            solution = highspy.HighsSolution()
            solution.col_value = list(start)
            solution.value_valid = True
            highs.setSolution(solution)
        highs.run()
        if integer:
            if highs.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
                return None
        elif highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(highs.getSolution().col_value, dtype=np.float64)

    def set_bounds(self, cols: Sequence[int], lower: Sequence[float], upper: Sequence[float]) -> None:
        """Change column bounds of the built model (for an LP re-solve)."""
        if not cols:
            return
        self._highs.changeColsBounds(
            len(cols),
            np.asarray(cols, dtype=np.int32),
            np.asarray(lower, dtype=np.float64),
            np.asarray(upper, dtype=np.float64),
        )


# --- The day --------------------------------------------------------------------------------------------


@dataclass
class _Option:
    meal: int
    candidate: Candidate
    fixed_units: int | None
    max_units: int  # the candidate's, scaled up for a large meal
    forced: bool = False  # on the plate, portion free


@dataclass
class _Pick:
    meal: int
    candidate: Candidate
    amount: float  # LP units (continuous)
    fixed_units: int | None
    max_units: int
    helper: bool = False
    forced: bool = False


def _typical(candidate: Candidate) -> float:
    return (candidate.min_units + candidate.max_units) / 2


def _unit_cost(candidate: Candidate, state: WeekState, seed: int, day_index: int) -> float:
    """Objective cost of one portion unit: an item's cost spread over its typical portion."""
    uses = state.uses.get(candidate.key, 0)
    rating = ((candidate.rating or 3.0) - 3.0) / 2.0
    cost = W_ITEM - W_PREFERENCE * candidate.preference - W_RATING * rating
    if candidate.group in VARIETY_GROUPS:
        cost += W_REPEAT_VARIETY * uses
    elif uses == 0:
        cost += W_NEW_GROCERY
    elif uses > 3:
        cost += W_REPEAT_STAPLE * (uses - 3)
    cost += W_JITTER * stable_jitter(seed * 31 + day_index, candidate.key)
    return max(cost, MIN_UNIT_COST) / _typical(candidate)


def portion_scale(share_kcal: float) -> float:
    """Portion bounds grow with the meal: a 1,600 kcal lunch is not four 800 kcal-sized items."""
    return min(MAX_PORTION_SCALE, max(1.0, share_kcal / REFERENCE_MEAL_KCAL))


def _scaled_max(candidate: Candidate, scale: float) -> int:
    return max(candidate.max_units, math.floor(candidate.max_units * scale + 1e-9))


def _options(problem: DayProblem, pools: dict[PlanSlot, list[Candidate]], state: WeekState) -> list[_Option]:
    options: list[_Option] = []
    for m, meal in enumerate(problem.meals):
        scale = portion_scale(meal.share * problem.targets.kcal)
        fixed = {f.candidate.key: f for f in problem.fixed if f.meal == m}
        options += [
            _Option(
                m,
                f.candidate,
                f.units,
                max(f.units or 0, _scaled_max(f.candidate, scale)),
                forced=f.units is None,
            )
            for f in fixed.values()
        ]
        if m in problem.locked_meals:
            continue
        options += [
            _Option(m, c, None, _scaled_max(c, scale))
            for c in pools.get(meal.slot, [])
            if c.key not in fixed and c.key not in problem.banned_keys and not state.capped(c)
        ]
    return options


class _DayLP:
    """The day's LP relaxation, built once and re-solved with other bounds: each attempt (band width,
    meal band), the binding-limit probes (a limit released) and the soft model (slack allowed) only
    change column and row bounds and slack costs, warm-started from the last basis."""

    def __init__(
        self, problem: DayProblem, options: list[_Option], state: WeekState, seed: int, day_index: int
    ) -> None:
        self.problem = problem
        self.options = options
        model = _Model()
        inf = math.inf
        targets = problem.targets
        self.lower = [
            float(o.fixed_units)
            if o.fixed_units is not None
            else float(o.candidate.min_units)
            if o.forced
            else 0.0
            for o in options
        ]
        self.upper = [
            float(o.fixed_units) if o.fixed_units is not None else float(o.max_units) for o in options
        ]
        cost = [
            0.0 if o.fixed_units is not None or o.forced else _unit_cost(o.candidate, state, seed, day_index)
            for o in options
        ]
        self.cols = [model.col(c, lo, hi) for c, lo, hi in zip(cost, self.lower, self.upper, strict=True)]
        cols = self.cols
        # Limit rows, each with a slack column per side (closed, cost 0, until the soft model opens it).
        self.limit_rows: dict[str, int] = {}
        self.slack: dict[str, list[int]] = {}
        for limit in targets.limits():
            coefs = [(cols[k], o.candidate.per_unit.value(limit.nutrient)) for k, o in enumerate(options)]
            slack_cols = []
            if limit.low is not None:
                slack_cols.append(model.col(0.0, 0.0, 0.0))
                coefs.append((slack_cols[-1], 1.0))
            if limit.high is not None:
                slack_cols.append(model.col(0.0, 0.0, 0.0))
                coefs.append((slack_cols[-1], -1.0))
            self.slack[limit.nutrient] = slack_cols
            self.limit_rows[limit.nutrient] = len(model.row_lower)
            model.row(
                coefs, -inf if limit.low is None else limit.low, inf if limit.high is None else limit.high
            )
        by_meal: dict[int, list[int]] = {}
        for k, option in enumerate(options):
            by_meal.setdefault(option.meal, []).append(k)
        self.meal_deviation: list[tuple[int, int, float]] = []  # (over, under, share kcal)
        for m, meal in enumerate(problem.meals):
            ks = by_meal.get(m, [])
            if m in problem.locked_meals or not ks:
                continue
            share_kcal = meal.share * targets.kcal
            weight = W_MEAL_SHARE / share_kcal
            over = model.col(weight, 0.0, inf)
            under = model.col(weight, 0.0, inf)
            self.meal_deviation.append((over, under, share_kcal))
            kcal = [(cols[k], options[k].candidate.per_unit.kcal) for k in ks]
            model.row([*kcal, (over, -1.0), (under, 1.0)], share_kcal, share_kcal)
            groups: dict[FoodGroup, list[int]] = {}
            for k in ks:
                groups.setdefault(options[k].candidate.group, []).append(k)
            # Templates, as limits on portion counts (n / max ≤ 1 per item: a valid relaxation).
            for group, gks in groups.items():
                model.row(
                    [(cols[k], 1.0 / options[k].max_units) for k in gks], -inf, problem.group_cap(group)
                )
            model.row(
                [(cols[k], 1.0 / options[k].max_units) for k in ks], -inf, MAX_ITEMS_PER_MEAL[meal.slot]
            )
            # At least one item (n / min ≥ 1 for any item at its minimum portion: a valid relaxation). The
            # meal band implies it, but the soft model lets the band go and would rather leave a snack out.
            model.row([(cols[k], 1.0 / options[k].candidate.min_units) for k in ks], 1.0, inf)
            if meal.slot is PlanSlot.MAIN:
                core = [k for k in ks if options[k].candidate.group in CORE_GROUPS]
                if core:
                    model.row([(cols[k], 1.0 / options[k].candidate.min_units) for k in core], 1.0, inf)
                    model.row([(cols[k], 1.0 / options[k].max_units) for k in core], -inf, problem.core_cap)
                # A main meal has vegetables (else the cheapest plan leaves them out: they carry little
                # but fibre, and fibre also comes from grains and legumes).
                greens = [k for k in ks if options[k].candidate.group is FoodGroup.VEGETABLE]
                if greens:
                    model.row([(cols[k], 1.0 / options[k].candidate.min_units) for k in greens], 1.0, inf)
            elif meal.slot is PlanSlot.BREAKFAST:
                base = [k for k in ks if options[k].candidate.group in BREAKFAST_BASE_GROUPS]
                if base:
                    model.row([(cols[k], 1.0 / options[k].candidate.min_units) for k in base], 1.0, inf)
            fats = [k for k in ks if options[k].candidate.group is FoodGroup.FAT]
            if fats and meal.slot is not PlanSlot.SNACK:
                model.row(
                    [(cols[k], options[k].candidate.per_unit.kcal) for k in fats],
                    -inf,
                    problem.fat_share * share_kcal,
                )
            if problem.kosher:
                meat_milk = [k for k in ks if {"meat", "milk"} & options[k].candidate.flags]
                if meat_milk:
                    model.row([(cols[k], 1.0 / options[k].max_units) for k in meat_milk], -inf, 1.0)
        # The same food at most once a day (cooking fat excepted).
        by_key: dict[str, list[int]] = {}
        for k, option in enumerate(options):
            if option.candidate.group is not FoodGroup.FAT:
                by_key.setdefault(option.candidate.key, []).append(k)
        for ks in by_key.values():
            if len(ks) > 1 and all(options[k].fixed_units is None for k in ks):
                model.row([(cols[k], 1.0 / options[k].max_units) for k in ks], -inf, 1.0)
        self.model = model

    def run(
        self,
        *,
        band_fraction: float,
        meal_band: float,
        soft: bool,
        free_limits: frozenset[str] = frozenset(),
        slack_weights: dict[str, float] | None = None,
        dive: bool = True,
    ) -> np.ndarray[Any, np.dtype[np.float64]] | None:
        """The LP for these bounds (dived to the templates unless `dive` is off): continuous portion units
        per option, or None when infeasible (never in the soft model). `free_limits` are released;
        `slack_weights` scale the soft model's penalties."""
        model, targets = self.model, self.problem.targets
        inf = math.inf
        if model._highs is None:
            model._highs = model._build()
        highs = model._highs
        model.set_bounds(self.cols, self.lower, self.upper)
        slack_cols: list[int] = []
        slack_costs: list[float] = []
        for limit in targets.limits(band_fraction=band_fraction):
            row = self.limit_rows[limit.nutrient]
            if limit.nutrient in free_limits:
                highs.changeRowBounds(row, -inf, inf)
            else:
                highs.changeRowBounds(
                    row, -inf if limit.low is None else limit.low, inf if limit.high is None else limit.high
                )
            weight = W_SLACK * slack_scale(limit.nutrient, limit.target, targets.kcal)
            weight *= (slack_weights or {}).get(limit.nutrient, 1.0)
            for col in self.slack[limit.nutrient]:
                slack_cols.append(col)
                slack_costs.append(weight if soft else 0.0)
        model.set_bounds(slack_cols, [0.0] * len(slack_cols), [inf if soft else 0.0] * len(slack_cols))
        highs.changeColsCost(
            len(slack_cols), np.asarray(slack_cols, dtype=np.int32), np.asarray(slack_costs, dtype=np.float64)
        )
        deviation_cols = [col for over, under, _ in self.meal_deviation for col in (over, under)]
        deviation_high = [
            inf if soft else meal_band * share for _, _, share in self.meal_deviation for _ in (0, 1)
        ]
        model.set_bounds(deviation_cols, [0.0] * len(deviation_cols), deviation_high)
        if not dive:
            values = model.solve()
            return None if values is None else values[: len(self.options)]
        return _dive(self.problem, self.options, model, self.cols, list(self.lower), list(self.upper))


def _dive(
    problem: DayProblem,
    options: list[_Option],
    model: _Model,
    cols: list[int],
    lower: list[float],
    upper: list[float],
) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """LP diving to the templates. While the LP's choice breaks a template (it likes to split a group
    between two foods), commit: keep the largest item and bar the group's other foods from that meal, then
    re-solve. A commit that leaves no solution is undone and the runner-up is kept instead. Ends with a
    template-true LP solution, or None."""
    values = model.solve()
    if values is None:
        return None
    amounts = values[: len(options)]

    def apply(move: Move) -> np.ndarray[Any, np.dtype[np.float64]] | None:
        changes = [(k, lower[k], upper[k]) for k, _ in move]
        for k, action in move:
            if action == "drop":
                lower[k] = upper[k] = 0.0
            else:
                lower[k] = float(options[k].candidate.min_units)
        model.set_bounds([cols[k] for k, _ in move], [lower[k] for k, _ in move], [upper[k] for k, _ in move])
        solved = model.solve()
        if solved is None:  # this commit kills every solution: undo it
            for k, lo, hi in changes:
                lower[k], upper[k] = lo, hi
            model.set_bounds(
                [cols[k] for k, _, _ in changes], [c[1] for c in changes], [c[2] for c in changes]
            )
            return None
        return solved[: len(options)]

    for _ in range(MAX_DIVES):
        conflicts = _template_conflicts(problem, options, amounts)
        if not conflicts:
            return amounts
        # Meals are repaired together when that works (one LP instead of one per meal) …
        if len(conflicts) > 1:
            together = apply([change for alternatives in conflicts for change in alternatives[0]])
            if together is not None:
                amounts = together
                continue
        # … else the first conflict alone, its runner-up repair when the best one fails.
        for move in conflicts[0]:
            solved = apply(move)
            if solved is not None:
                amounts = solved
                break
        else:
            return None
    return None


Move = list[tuple[int, str]]


def _template_conflicts(
    problem: DayProblem, options: list[_Option], amounts: np.ndarray[Any, np.dtype[np.float64]]
) -> list[list[Move]]:
    """Template conflicts in the LP's choice, at most one per meal (independent, so they can be repaired
    together), each with its repairs, best first. A repair is a list of bound changes: ("drop", k) bars
    option k, ("lift", k) raises it to its minimum portion. Foods in two meals come first; portions under
    their minimum last, once the meals are clean. Each stage's conflicts are independent of each other."""
    support = [
        k for k in range(len(options)) if amounts[k] > AMOUNT_EPS or options[k].fixed_units is not None
    ]

    def weight(k: int) -> float:
        if options[k].fixed_units is not None or options[k].forced:
            return math.inf
        return options[k].candidate.per_unit.kcal * float(amounts[k])

    def free(k: int) -> bool:
        return options[k].fixed_units is None and not options[k].forced

    in_meal: dict[int, list[int]] = {}
    for k, option in enumerate(options):
        in_meal.setdefault(option.meal, []).append(k)
    by_meal: dict[int, list[int]] = {}
    for k in support:
        by_meal.setdefault(options[k].meal, []).append(k)

    def commit(ranked: list[int], rivals: list[int], cap: int) -> list[Move]:
        """Keep the `cap` largest of `ranked` (else the runner-up in place of the last of them), barring
        every other rival of the meal: not only those the LP used, else it would switch to the next."""
        keeps = [ranked[:cap], [*ranked[: cap - 1], ranked[cap]]]
        moves = [[(j, "drop") for j in rivals if j not in keep and free(j)] for keep in keeps]
        return [move for move in moves if move]

    # A food in two meals first: committing a meal's core before that could bar the meal's other cores
    # and leave the shared food nowhere to go.
    uses: dict[str, list[int]] = {}
    for k in support:
        if options[k].candidate.group is not FoodGroup.FAT:
            uses.setdefault(options[k].candidate.key, []).append(k)
    shared: list[list[Move]] = []
    for ks in uses.values():
        if len(ks) > 1:
            ks = sorted(ks, key=weight, reverse=True)
            moves = [[(j, "drop") for j in ks if j != keep and free(j)] for keep in ks[:2]]
            shared.append([move for move in moves if move])
    if shared:
        return shared
    conflicts: list[list[Move]] = []
    for m in sorted(by_meal):
        slot = problem.meals[m].slot
        ks = sorted(by_meal[m], key=weight, reverse=True)
        found: list[Move] = []
        groups: dict[FoodGroup, list[int]] = {}
        for k in ks:
            groups.setdefault(options[k].candidate.group, []).append(k)
        for group, gks in groups.items():
            cap = problem.group_cap(group)
            if len(gks) > cap:
                found = commit(gks, [j for j in in_meal[m] if options[j].candidate.group is group], cap)
                break
        cores = [k for k in ks if options[k].candidate.group in CORE_GROUPS]
        if not found and slot is PlanSlot.MAIN and len(cores) > problem.core_cap:
            rivals = [j for j in in_meal[m] if options[j].candidate.group in CORE_GROUPS]
            found = commit(cores, rivals, problem.core_cap)
        if not found and problem.kosher:
            meat = [k for k in ks if "meat" in options[k].candidate.flags]
            milk = [k for k in ks if "milk" in options[k].candidate.flags and k not in meat]
            if meat and milk:
                bar_milk: Move = [
                    (j, "drop") for j in in_meal[m] if "milk" in options[j].candidate.flags and free(j)
                ]
                bar_meat: Move = [
                    (j, "drop") for j in in_meal[m] if "meat" in options[j].candidate.flags and free(j)
                ]
                meat_first = sum(weight(k) for k in meat) >= sum(weight(k) for k in milk)
                found = [
                    move for move in ([bar_milk, bar_meat] if meat_first else [bar_meat, bar_milk]) if move
                ]
        if not found and len(ks) > MAX_ITEMS_PER_MEAL[slot]:
            found = [[(k, "drop")] for k in reversed(ks) if free(k)][:2]
        if found:
            conflicts.append(found)
    if conflicts:
        return conflicts
    small: list[list[Move]] = []
    for k in sorted(support, key=weight):
        minimum = options[k].candidate.min_units
        if free(k) and amounts[k] < minimum - 1e-6:
            lift: Move = [(k, "lift")]
            drop: Move = [(k, "drop")]
            small.append([drop, lift] if amounts[k] < 0.5 * minimum else [lift, drop])
    return small


def _trimmed(
    problem: DayProblem, options: list[_Option], amounts: np.ndarray[Any, np.dtype[np.float64]]
) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The LP's choice cut down to the meal templates greedily, largest items first (fixed and forced
    items always stay): group caps, the core cap, 1–4 items, kosher, a food once a day (unless the meal
    would be empty)."""
    kept = np.zeros_like(amounts)
    used: set[str] = set()
    for m, meal in enumerate(problem.meals):
        ks = [k for k, o in enumerate(options) if o.meal == m and (amounts[k] > AMOUNT_EPS or _pinned(o))]
        ks.sort(key=lambda k: (not _pinned(options[k]), -options[k].candidate.per_unit.kcal * amounts[k]))
        plate: list[Candidate] = []
        for k in ks:
            c = options[k].candidate
            fits = (
                len(plate) < MAX_ITEMS_PER_MEAL[meal.slot]
                and sum(p.group is c.group for p in plate) < problem.group_cap(c.group)
                and not (
                    meal.slot is PlanSlot.MAIN
                    and c.group in CORE_GROUPS
                    and sum(p.group in CORE_GROUPS for p in plate) >= problem.core_cap
                )
                and not (problem.kosher and _kosher_clash(c, plate))
                and (c.group is FoodGroup.FAT or c.key not in used)
            )
            if fits or _pinned(options[k]):
                kept[k] = amounts[k]
                plate.append(c)
                used.add(c.key)
        if not plate and ks:  # never an empty meal: its largest item, even if eaten earlier in the day
            kept[ks[0]] = amounts[ks[0]]
    return kept


def _pinned(option: _Option) -> bool:
    return option.fixed_units is not None or option.forced


def _picks(options: list[_Option], amounts: np.ndarray[Any, np.dtype[np.float64]]) -> list[_Pick]:
    return [
        _Pick(o.meal, o.candidate, float(amounts[k]), o.fixed_units, o.max_units, forced=o.forced)
        for k, o in enumerate(options)
        if o.fixed_units is not None or o.forced or amounts[k] > AMOUNT_EPS
    ]


def _kosher_clash(candidate: Candidate, others: Sequence[Candidate]) -> bool:
    if "meat" in candidate.flags:
        return any("milk" in other.flags for other in others)
    if "milk" in candidate.flags:
        return any("meat" in other.flags for other in others)
    return False


def _helpers(
    problem: DayProblem,
    picks: list[_Pick],
    pools: dict[PlanSlot, list[Candidate]],
    state: WeekState,
    seed: int,
) -> list[_Pick]:
    """Optional extra foods for the integer step, one per meal: a vegetable, fruit, dairy or nut (whichever
    group still has room in the meal), ranked by the same seeded preference as the pool."""
    used = {p.candidate.key for p in picks}
    extra: list[_Pick] = []
    for m, meal in enumerate(problem.meals):
        if m in problem.locked_meals:
            continue
        kept = [p for p in picks if p.meal == m]
        if len(kept) >= MAX_ITEMS_PER_MEAL[meal.slot]:
            continue
        room = [
            c
            for c in pools.get(meal.slot, [])
            if c.key not in used
            and c.key not in problem.banned_keys
            and not state.capped(c)
            and c.group not in CORE_GROUPS
            and sum(1 for p in kept if p.candidate.group is c.group) < GROUP_CAP_PER_MEAL.get(c.group, 1)
            and not (problem.kosher and _kosher_clash(c, [p.candidate for p in kept]))
        ]
        room.sort(key=lambda c: (-c.preference, stable_jitter(seed, c.key), c.key))
        scale = portion_scale(meal.share * problem.targets.kcal)
        # Every helper may end up used: never more than the meal has room for.
        for candidate in room[: min(MAX_HELPERS_PER_MEAL, MAX_ITEMS_PER_MEAL[meal.slot] - len(kept))]:
            extra.append(_Pick(m, candidate, 0.0, None, _scaled_max(candidate, scale), helper=True))
            used.add(candidate.key)
    return extra


def _round_portions(problem: DayProblem, picks: list[_Pick]) -> list[int] | None:
    """The LP amounts rounded to whole units, each up or down, trying every combination at once (numpy,
    up to 2^12): the first that meets every limit and meal band with the least total rounding. Most days
    end here without a MILP."""
    free = [k for k, p in enumerate(picks) if p.fixed_units is None and not p.helper]
    if not free or len(free) > MAX_ENUMERATED_ITEMS:
        return None
    units = np.array(
        [float(p.fixed_units) if p.fixed_units is not None else 0.0 if p.helper else p.amount for p in picks]
    )
    low = np.array(
        [max(p.candidate.min_units, math.floor(p.amount)) for p in (picks[k] for k in free)], float
    )
    high = np.array([min(p.max_units, math.ceil(p.amount)) for p in (picks[k] for k in free)], float)
    low = np.minimum(low, high)
    choices = np.array(list(itertools.product((0, 1), repeat=len(free))), dtype=np.float64)
    grid = low + choices * (high - low)  # combos × free items (duplicates when low == high are harmless)
    limits = problem.targets.limits(margin=TOLERANCE_MARGIN)
    nutrients = np.array([[p.candidate.per_unit.value(lim.nutrient) for lim in limits] for p in picks])
    fixed_part = np.delete(units, free) @ np.delete(nutrients, free, axis=0)
    totals = fixed_part + grid @ nutrients[free]
    ok = np.ones(len(grid), dtype=bool)
    for j, limit in enumerate(limits):
        if limit.low is not None:
            ok &= totals[:, j] >= limit.low - 1e-9
        if limit.high is not None:
            ok &= totals[:, j] <= limit.high + 1e-9
    kcal = np.array([p.candidate.per_unit.kcal for p in picks])
    for m, meal in enumerate(problem.meals):
        members = [k for k, p in enumerate(picks) if p.meal == m]
        if m in problem.locked_meals or not members:
            continue
        fixed_kcal = sum(units[k] * kcal[k] for k in members if k not in free)
        free_cols = [i for i, k in enumerate(free) if picks[k].meal == m]
        meal_kcal = fixed_kcal + grid[:, free_cols] @ kcal[[free[i] for i in free_cols]]
        share_kcal = meal.share * problem.targets.kcal
        ok &= np.abs(meal_kcal - share_kcal) <= MEAL_BAND * share_kcal
    if not ok.any():
        return None
    amounts = np.array([picks[k].amount for k in free])
    best = int(np.argmin(np.where(ok, np.abs(grid - amounts).sum(axis=1), np.inf)))
    result = [round(float(u)) for u in units]
    for i, k in enumerate(free):
        result[k] = round(float(grid[best, i]))
    return result


def _portions(
    problem: DayProblem,
    picks: list[_Pick],
    *,
    box: int | None,
    soft: bool,
    slack_weights: dict[str, float] | None = None,
) -> list[int] | None:
    """Whole units for the picks meeting every limit (and the meal band), or None. `box` keeps each
    portion within ±box units of its LP amount (None: the item's full range). Helpers may stay at 0."""
    if box is not None and not soft:
        rounded = _round_portions(problem, picks)
        if rounded is not None:
            return rounded
    model = _Model()
    inf = math.inf
    start: list[float] = []
    cols: list[int] = []
    for pick in picks:
        c = pick.candidate
        if pick.fixed_units is not None:
            lo = hi = float(pick.fixed_units)
        elif pick.helper or box is None:
            lo, hi = float(c.min_units), float(pick.max_units)
        else:
            lo = float(max(c.min_units, math.floor(pick.amount) - box))
            hi = float(min(pick.max_units, math.ceil(pick.amount) + box))
            lo = min(lo, hi)
        cols.append(model.col(0.0, lo, hi, "s" if pick.helper else "i"))
        start.append(0.0 if pick.helper else min(max(float(round(pick.amount)), lo), hi))
    for limit in problem.targets.limits(margin=TOLERANCE_MARGIN):
        coefs = [(cols[k], p.candidate.per_unit.value(limit.nutrient)) for k, p in enumerate(picks)]
        if soft:
            weight = W_SLACK * slack_scale(limit.nutrient, limit.target, problem.targets.kcal)
            weight *= (slack_weights or {}).get(limit.nutrient, 1.0)
            if limit.low is not None:
                coefs.append((model.col(weight, 0.0, inf), 1.0))
            if limit.high is not None:
                coefs.append((model.col(weight, 0.0, inf), -1.0))
        model.row(coefs, -inf if limit.low is None else limit.low, inf if limit.high is None else limit.high)
    for m, meal in enumerate(problem.meals):
        ks = [k for k, p in enumerate(picks) if p.meal == m]
        if m in problem.locked_meals or not ks:
            continue
        share_kcal = meal.share * problem.targets.kcal
        coefs = [(cols[k], picks[k].candidate.per_unit.kcal) for k in ks]
        if soft:
            weight = W_SLACK_MEAL / share_kcal
            coefs += [(model.col(weight, 0.0, inf), 1.0), (model.col(weight, 0.0, inf), -1.0)]
        model.row(coefs, (1 - MEAL_BAND) * share_kcal, (1 + MEAL_BAND) * share_kcal)
    start += [0.0] * (len(model.cost) - len(start))
    values = model.solve(start)
    if values is None:
        return None
    return [round(float(v)) for v in values[: len(picks)]]


def _exact(
    problem: DayProblem,
    options: list[_Option],
    lp: _DayLP,
    pools: dict[PlanSlot, list[Candidate]],
    state: WeekState,
    seed: int,
) -> tuple[list[_Pick], list[int], str] | None:
    """A plan within every limit, or None: the LP attempts, each rounded in growing boxes; then, once,
    the first attempt's foods with a few optional helper foods (the costliest MILP, so the last try)."""
    tried: list[tuple[list[_Pick], str]] = []
    for band_fraction, meal_band in LP_ATTEMPTS:
        amounts = lp.run(band_fraction=band_fraction, meal_band=meal_band, soft=False)
        if amounts is None:
            continue
        picks = _picks(options, amounts)
        name = f"lp{band_fraction:g}-{meal_band:g}"
        tried.append((picks, name))
        for box in (1, None):
            units = _portions(problem, picks, box=box, soft=False)
            if units is not None:
                return picks, units, f"{name}/box{box or 'full'}"
    for picks, name in tried[:1]:
        trial = picks + _helpers(problem, picks, pools, state, seed)
        units = _portions(problem, trial, box=None, soft=False)
        if units is not None:
            return trial, units, f"{name}/boxfull+helpers"
    return None


def solve_day(
    problem: DayProblem,
    pools: dict[PlanSlot, list[Candidate]],
    *,
    state: WeekState | None = None,
    seed: int = 0,
    day_index: int = 0,
    wider_pools: Iterable[dict[PlanSlot, list[Candidate]]] = (),
) -> DayResult:
    """Solve one day (see the module docstring); never raises for infeasible input. `wider_pools` (lazy:
    taken one by one, only while no exact plan is found) are tried after `pools` and before the weekly
    caps are relaxed: a small pool is fast, but for demanding targets (a vegetarian's protein in a
    deficit) its few foods may not reach every limit when a wider choice does."""
    started = time.perf_counter()
    state = state or WeekState()

    def attempt(
        pools: dict[PlanSlot, list[Candidate]], state: WeekState
    ) -> tuple[list[_Option], _DayLP, tuple[list[_Pick], list[int], str] | None]:
        options = _options(problem, pools, state)
        lp = _DayLP(problem, options, state, seed, day_index)
        return options, lp, _exact(problem, options, lp, pools, state, seed)

    options, lp, found = attempt(pools, state)
    for wider in wider_pools if found is None else ():
        pools = wider
        options, lp, found = attempt(pools, state)
        if found is not None:
            break
    if found is None and state.relaxable() and any(state.capped(c) for pool in pools.values() for c in pool):
        # Late in a week the caps may have used up a small pool: foods may then come back (recipes still
        # keep to theirs); the repeat costs keep them rare.
        state = state.relaxed()
        options, lp, found = attempt(pools, state)
    if found is not None:
        trial, units, route = found
        return _result(problem, trial, units, started, route)
    # No exact plan: find the limit that binds (the first, in priority order, whose removal alone makes
    # the relaxation feasible), then the nearest plan that keeps every other limit and misses that one.
    binding = _binding_limit(problem, lp)
    weights = {binding: BINDING_SLACK_FACTOR} if binding is not None else {}
    amounts = lp.run(band_fraction=1.0, meal_band=MEAL_BAND, soft=True, slack_weights=weights)
    if amounts is None:  # the dive found no template-true choice: the plain LP's, trimmed to the templates
        plain = lp.run(band_fraction=1.0, meal_band=MEAL_BAND, soft=True, slack_weights=weights, dive=False)
        amounts = None if plain is None else _trimmed(problem, options, plain)
    last_picks = _picks(options, amounts) if amounts is not None else []
    nearest = last_picks + _helpers(problem, last_picks, pools, state, seed)
    soft_units = _portions(problem, nearest, box=None, soft=True, slack_weights=weights)
    if soft_units is None:  # the soft model always has a solution; this guards against solver failure
        soft_units = [p.fixed_units or p.candidate.min_units if not p.helper else 0 for p in nearest]
    return _result(problem, nearest, soft_units, started, "soft", binding=binding)


def _binding_limit(problem: DayProblem, lp: _DayLP) -> str | None:
    """The limit that binds: the first (in `BINDING_ORDER`) whose release makes the LP feasible. A
    macro is released with the kcal band, which the other macros would otherwise pin it to: vegan with
    300 g protein in 1,400 kcal fits once protein (and the kcal it implies) is let go, so protein binds."""
    present = {limit.nutrient for limit in problem.targets.limits()}
    for nutrient in BINDING_ORDER:
        if nutrient not in present:
            continue
        released = frozenset({nutrient, "kcal"}) if nutrient in ENERGY_PER_UNIT else frozenset({nutrient})
        amounts = lp.run(band_fraction=1.0, meal_band=MEAL_BAND, soft=False, free_limits=released, dive=False)
        if amounts is not None:
            return nutrient
    return None


def _result(
    problem: DayProblem,
    picks: list[_Pick],
    units: list[int],
    started: float,
    route: str,
    *,
    binding: str | None = None,
) -> DayResult:
    meals: list[list[ChosenItem]] = [[] for _ in problem.meals]
    for pick, n in zip(picks, units, strict=True):
        if n > 0:
            meals[pick.meal].append(
                ChosenItem(candidate=pick.candidate, units=n, fixed=pick.fixed_units is not None)
            )
    results = tuple(
        MealResult(spec=spec, items=tuple(sorted(items, key=_plate_order)))
        for spec, items in zip(problem.meals, meals, strict=True)
    )
    return report(
        results, problem.targets, solve_s=time.perf_counter() - started, route=route, binding=binding
    )


_PLATE_ORDER: Final = [
    FoodGroup.DISH,
    FoodGroup.PROTEIN,
    FoodGroup.LEGUME,
    FoodGroup.STARCH,
    FoodGroup.VEGETABLE,
    FoodGroup.DAIRY,
    FoodGroup.FRUIT,
    FoodGroup.NUT_SEED,
    FoodGroup.SNACK,
    FoodGroup.FAT,
]


def _plate_order(item: ChosenItem) -> tuple[int, str]:
    group = item.candidate.group
    return (_PLATE_ORDER.index(group) if group in _PLATE_ORDER else len(_PLATE_ORDER)), item.candidate.name


def slack_scale(nutrient: str, target: float, kcal: float) -> float:
    """How much one unit of slack on a limit weighs, so that misses compare across nutrients: energy
    nutrients by their energy (a gram of protein missed is 4 kcal of the day's budget), fibre and sodium
    by their share of the target. Vegan with 300 g protein in 1,400 kcal: protein binds, not carbs."""
    per_unit = ENERGY_PER_UNIT.get(nutrient)
    if per_unit is not None:
        return per_unit / max(kcal, 1.0)
    return 1.0 / max(target, 1.0)


def check_limits(total: Nutrition, targets: DayTargets) -> list[LimitReport]:
    """Each promised limit (no margin) against a day's totals."""
    reports: list[LimitReport] = []
    for limit in targets.limits():
        value = total.value(limit.nutrient)
        slack = 0.0
        if limit.low is not None and value < limit.low:
            slack = limit.low - value
        elif limit.high is not None and value > limit.high:
            slack = value - limit.high
        reports.append(
            LimitReport(
                nutrient=limit.nutrient,
                label=LIMIT_LABELS[limit.nutrient],
                target=limit.target,
                low=limit.low,
                high=limit.high,
                value=value,
                slack=slack,
            )
        )
    return reports


def report(
    meals: tuple[MealResult, ...],
    targets: DayTargets,
    *,
    solve_s: float = 0.0,
    route: str = "",
    binding: str | None = None,
) -> DayResult:
    """A day's result from its meals: the limits re-checked on the recomputed totals. The binding limit
    is `binding` when the solver found it and it is missed, else the limit missed most (by energy or by
    share of its target)."""
    total = Nutrition.total(meal.nutrition for meal in meals)
    reports = check_limits(total, targets)
    missed = [r for r in reports if r.slack > 1e-6]
    if not missed:
        return DayResult(meals=meals, feasible=True, limits=tuple(reports), solve_s=solve_s, route=route)
    named = [r for r in missed if r.nutrient == binding]
    worst = (
        named[0]
        if named
        else max(missed, key=lambda r: r.slack * slack_scale(r.nutrient, r.target, targets.kcal))
    )
    need_more = worst.low is not None and worst.value < worst.low
    bound = worst.low if need_more else worst.high
    message = (
        f"{worst.label} is the binding limit: the plan needs {'at least' if need_more else 'at most'} "
        f"{bound:,.0f}, and the nearest plan that respects your diet, allergies and the other limits as far "
        f"as possible reaches {worst.value:,.0f} (off by {worst.slack:,.0f})."
    )
    return DayResult(
        meals=meals,
        feasible=False,
        limits=tuple(reports),
        binding=worst.nutrient,
        message=message,
        solve_s=solve_s,
        route=route,
    )


def solve_days(
    problems: Sequence[DayProblem],
    pools: dict[PlanSlot, list[Candidate]],
    *,
    seed: int,
    state: WeekState | None = None,
) -> list[DayResult]:
    """Solve consecutive days in order; each sees the week's uses so far."""
    state = state or WeekState()
    results: list[DayResult] = []
    for index, problem in enumerate(problems):
        result = solve_day(problem, pools, state=state, seed=seed, day_index=index)
        state.record(result)
        results.append(result)
    return results
