"""Daily energy and macro targets: BMR → TDEE → goal adjustment → rate cap → kcal floor → macros → meals.

`calculate_targets` is pure (no clock, no database): the caller passes `today`. Every result carries a
trail of each step with its formula, inputs and unrounded value, and names each rule that bound, so the
chat and the pages can say why a number is what it is.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from store.models import Profile
from store.vocabulary import ActivityLevel, Diet, Goal, Sex
from tools.errors import InvalidInput, NotFound
from tools.nutrition import constants as c

BmrMethod = Literal["mifflin_st_jeor", "katch_mcardle"]
TrailValue = float | int | str | None


class Rule(StrEnum):
    """A rule that changed the result away from the plain formula."""

    RATE_CAP = "rate_cap"  # the asked weekly rate exceeded 1 % (loss) / 0.5 % (gain) of body weight
    KCAL_FLOOR = "kcal_floor"  # the goal's kcal fell below the floor (default by sex, or the coach's)
    FAT_FLOOR = "fat_floor"  # 0.6 g/kg or 20 % of energy lifted fat above its default 25 % share
    PROTEIN_TRIMMED = "protein_trimmed"  # protein cut toward 1.6 g/kg (2.0 g/kg lean) to fit the energy
    FAT_FLOOR_RELAXED = "fat_floor_relaxed"  # the 0.6 g/kg fat floor yielded to the 20 %-of-energy one
    PROTEIN_BELOW_MINIMUM = "protein_below_minimum"  # even the minimum protein did not fit: coach review
    KETO_CARB_LIMIT = "keto_carb_limit"  # keto: carbs fixed at 25 g net, fat takes the rest


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BodyInput(_Input):
    """Body measurements in SI units. Fields are optional in the schema so that a missing one is reported
    by name (`InvalidInput`) instead of being guessed."""

    sex: Sex | None = None
    birth_date: date | None = None
    height_cm: float | None = None
    weight_kg: float | None = None
    body_fat_pct: float | None = Field(default=None, description="Known body fat switches to Katch-McArdle")
    activity_level: ActivityLevel | None = None


class GoalInput(_Input):
    goal: Goal | None = None
    target_rate_kg_per_week: float | None = Field(
        default=None, description="Magnitude (≥ 0); the goal gives the direction. Ignored for maintain."
    )


class DietInput(_Input):
    diet: Diet = Diet.OMNIVORE
    meals_per_day: int = 3


class CoachOverrides(_Input):
    """What a coach may change: the kcal floor (down to a VLCD's 800 kcal, or up)."""

    kcal_floor: int | None = None
    reason: str | None = Field(default=None, max_length=500)


class TrailStep(BaseModel):
    step: str
    formula: str
    inputs: dict[str, TrailValue]
    value: float = Field(description="Unrounded")
    unit: str
    source: str | None = None
    note: str | None = None


class BoundRule(BaseModel):
    rule: Rule
    detail: str


class Trail(BaseModel):
    inputs: dict[str, TrailValue]
    steps: list[TrailStep]
    bound_rules: list[BoundRule]


class MealTargets(BaseModel):
    name: str
    share_pct: int
    kcal: int
    protein_g: int
    fat_g: int
    carbs_g: int
    fiber_g: int


class Targets(BaseModel):
    """Daily targets, rounded (kcal and grams whole; 4 P + 4 C + 9 F within 2 kcal of `kcal`); the per-meal
    values sum exactly to the daily ones. Unrounded values are in `trail`."""

    computed_on: date
    age_years: int
    bmr_method: BmrMethod
    bmr_kcal: int
    tdee_kcal: int
    goal: Goal
    rate_kg_per_week: float = Field(description="The weekly rate applied, after the cap (0 for maintain)")
    kcal: int
    protein_g: int
    fat_g: int
    carbs_g: int = Field(description="Total carbohydrate, fiber included")
    net_carbs_g: int
    fiber_g: int
    sodium_max_mg: int
    diet: Diet
    meals: list[MealTargets]
    trail: Trail

    def binds(self, rule: Rule) -> bool:
        return any(bound.rule is rule for bound in self.trail.bound_rules)


class ProfileInputs(BaseModel):
    body: BodyInput
    goal: GoalInput
    prefs: DietInput
    overrides: CoachOverrides = CoachOverrides()


class TargetsDelta(BaseModel):
    """How two targets differ, and whether it is worth a new plan (kcal ≥ 50 or any macro ≥ 5 g)."""

    kcal_change: int
    protein_g_change: int
    fat_g_change: int
    carbs_g_change: int
    significant: bool
    reasons: list[str]

    @classmethod
    def between(cls, old: Targets, new: Targets) -> TargetsDelta:
        kcal_change = new.kcal - old.kcal
        macro_changes = {
            "protein_g": new.protein_g - old.protein_g,
            "fat_g": new.fat_g - old.fat_g,
            "carbs_g": new.carbs_g - old.carbs_g,
        }
        reasons = []
        if abs(kcal_change) >= c.SIGNIFICANT_KCAL_CHANGE:
            reasons.append(f"kcal changed by {kcal_change:+d}")
        reasons += [
            f"{name} changed by {change:+d}"
            for name, change in macro_changes.items()
            if abs(change) >= c.SIGNIFICANT_MACRO_CHANGE_G
        ]
        return cls(
            kcal_change=kcal_change,
            protein_g_change=macro_changes["protein_g"],
            fat_g_change=macro_changes["fat_g"],
            carbs_g_change=macro_changes["carbs_g"],
            significant=bool(reasons),
            reasons=reasons,
        )


class _Recorder:
    """Collects the trail while one calculation runs (local to the call, never shared)."""

    def __init__(self) -> None:
        self.steps: list[TrailStep] = []
        self.bound: list[BoundRule] = []

    def step(
        self,
        step: str,
        formula: str,
        inputs: dict[str, TrailValue],
        value: float,
        unit: str,
        *,
        source: str | None = None,
        note: str | None = None,
    ) -> float:
        self.steps.append(
            TrailStep(
                step=step, formula=formula, inputs=inputs, value=value, unit=unit, source=source, note=note
            )
        )
        return value

    def bind(self, rule: Rule, detail: str) -> None:
        self.bound.append(BoundRule(rule=rule, detail=detail))


def round_half_up(value: float) -> int:
    """Schoolbook rounding (0.5 goes up); Python's `round` rounds halves to even."""
    return math.floor(value + 0.5)


def age_in_years(birth_date: date, today: date) -> int:
    """Full years on `today` (a 29 February birthday counts from 1 March in common years)."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def calculate_targets(
    body: BodyInput,
    goal: GoalInput,
    prefs: DietInput,
    overrides: CoachOverrides | None = None,
    *,
    today: date,
) -> Targets:
    """Targets for one day. Raises `InvalidInput` naming every missing or implausible field."""
    overrides = overrides or CoachOverrides()
    valid = _validate(body, goal, prefs, overrides, today)
    trail = _Recorder()
    trail.step(
        "age",
        "full years from birth_date to today",
        {"birth_date": valid.birth_date.isoformat(), "today": today.isoformat()},
        valid.age_years,
        "years",
    )
    lean_mass_kg = None
    if valid.body_fat_pct is not None:
        lean_mass_kg = trail.step(
            "lean_mass",
            "weight_kg × (1 − body_fat_pct / 100)",
            {"weight_kg": valid.weight_kg, "body_fat_pct": valid.body_fat_pct},
            valid.weight_kg * (1 - valid.body_fat_pct / 100),
            "kg",
        )
    bmr_method, bmr = _bmr(valid, lean_mass_kg, trail)
    tdee = _tdee(bmr, valid.activity_level, trail)
    kcal_for_goal, rate_applied = _goal_kcal(tdee, valid.weight_kg, valid.goal, valid.rate_kg_per_week, trail)
    kcal = _apply_floor(kcal_for_goal, valid.sex, tdee, overrides, trail)
    macros = _macros(kcal, valid.weight_kg, lean_mass_kg, valid.goal, prefs.diet, trail)
    meals = _split_meals(kcal, macros, prefs.meals_per_day)

    return Targets(
        computed_on=today,
        age_years=valid.age_years,
        bmr_method=bmr_method,
        bmr_kcal=round_half_up(bmr),
        tdee_kcal=round_half_up(tdee),
        goal=valid.goal,
        rate_kg_per_week=rate_applied,
        kcal=kcal,
        protein_g=macros.protein_g,
        fat_g=macros.fat_g,
        carbs_g=macros.carbs_g,
        net_carbs_g=max(0, macros.carbs_g - macros.fiber_g),
        fiber_g=macros.fiber_g,
        sodium_max_mg=c.SODIUM_MAX_MG,
        diet=prefs.diet,
        meals=meals,
        trail=Trail(
            inputs=_echo_inputs(valid, goal, prefs, overrides, today),
            steps=trail.steps,
            bound_rules=trail.bound,
        ),
    )


@dataclass(frozen=True)
class _Valid:
    """The inputs after `_validate`: the required ones present and in range."""

    sex: Sex
    birth_date: date
    age_years: int
    height_cm: float | None  # None only when body fat is known (Katch-McArdle needs no height)
    weight_kg: float
    body_fat_pct: float | None
    activity_level: ActivityLevel
    goal: Goal
    rate_kg_per_week: float  # as asked (> 0 for lose and gain); maintain ignores it


def _validate(
    body: BodyInput, goal: GoalInput, prefs: DietInput, overrides: CoachOverrides, today: date
) -> _Valid:
    """Every problem at once, each naming its field: a caller fixes the input in one round trip."""
    errors: list[dict[str, Any]] = []

    def refuse(field: str, reason: str) -> None:
        errors.append({"field": field, "reason": reason})

    def check_range(field: str, value: float | None, bounds: tuple[float, float], why: str) -> None:
        low, high = bounds
        if value is None:
            refuse(field, f"required: {why}")
        elif not low <= value <= high:  # also refuses NaN
            refuse(field, f"must be between {low:g} and {high:g}")

    if body.sex is None:
        refuse("body.sex", "required: the BMR formula and the kcal floor depend on it")
    age_years = 0
    if body.birth_date is None:
        refuse("body.birth_date", "required: the BMR formula depends on age")
    elif body.birth_date > today:
        refuse("body.birth_date", "is in the future")
    else:
        age_years = age_in_years(body.birth_date, today)
        if age_years < c.MIN_AGE_YEARS:
            refuse("body.birth_date", f"targets are for adults ({c.MIN_AGE_YEARS}+); age is {age_years}")
        elif age_years > c.MAX_AGE_YEARS:
            refuse("body.birth_date", f"age {age_years} is above {c.MAX_AGE_YEARS}")
    check_range("body.weight_kg", body.weight_kg, c.WEIGHT_KG_RANGE, "every formula depends on it")
    if body.body_fat_pct is None:
        check_range("body.height_cm", body.height_cm, c.HEIGHT_CM_RANGE, "Mifflin-St Jeor depends on it")
    else:
        check_range("body.body_fat_pct", body.body_fat_pct, c.BODY_FAT_PCT_RANGE, "")
    if body.activity_level is None:
        refuse("body.activity_level", "required: TDEE depends on it")

    rate = goal.target_rate_kg_per_week
    if goal.goal is None:
        refuse("goal.goal", "required: lose, maintain or gain")
    elif goal.goal is not Goal.MAINTAIN and (rate is None or not 0 < rate < math.inf):
        refuse(
            "goal.target_rate_kg_per_week",
            f"goal {goal.goal.value} needs a positive weekly rate in kg (the goal gives the direction)",
        )

    low, high = c.MEALS_PER_DAY_RANGE
    if not low <= prefs.meals_per_day <= high:
        refuse("prefs.meals_per_day", f"must be between {low} and {high}")
    floor = overrides.kcal_floor
    if floor is not None and not c.COACH_KCAL_FLOOR_MIN <= floor <= c.COACH_KCAL_FLOOR_MAX:
        refuse(
            "overrides.kcal_floor", f"must be between {c.COACH_KCAL_FLOOR_MIN} and {c.COACH_KCAL_FLOOR_MAX}"
        )
    if errors:
        detail = "cannot compute targets: " + "; ".join(f"{e['field']} {e['reason']}" for e in errors)
        raise InvalidInput(detail, errors)
    # No errors: every required field was present (the checks above refused each None).
    assert body.sex is not None
    assert body.birth_date is not None
    assert body.weight_kg is not None
    assert body.activity_level is not None
    assert goal.goal is not None
    return _Valid(
        sex=body.sex,
        birth_date=body.birth_date,
        age_years=age_years,
        height_cm=body.height_cm,
        weight_kg=body.weight_kg,
        body_fat_pct=body.body_fat_pct,
        activity_level=body.activity_level,
        goal=goal.goal,
        rate_kg_per_week=rate or 0.0,
    )


def _bmr(valid: _Valid, lean_mass_kg: float | None, trail: _Recorder) -> tuple[BmrMethod, float]:
    """Katch-McArdle when lean mass is known, otherwise Mifflin-St Jeor."""
    if lean_mass_kg is not None:
        bmr = c.KATCH_MCARDLE_INTERCEPT_KCAL + c.KATCH_MCARDLE_KCAL_PER_KG_LEAN * lean_mass_kg
        trail.step(
            "bmr",
            "370 + 21.6 × lean_mass_kg",
            {"lean_mass_kg": lean_mass_kg},
            bmr,
            "kcal/day",
            source="Katch-McArdle (used because body fat % is known)",
        )
        return "katch_mcardle", bmr
    assert valid.height_cm is not None  # _validate requires it without body fat
    sex_constant = c.MIFFLIN_SEX_CONSTANT_KCAL[valid.sex]
    bmr = (
        c.MIFFLIN_WEIGHT_KCAL_PER_KG * valid.weight_kg
        + c.MIFFLIN_HEIGHT_KCAL_PER_CM * valid.height_cm
        - c.MIFFLIN_AGE_KCAL_PER_YEAR * valid.age_years
        + sex_constant
    )
    trail.step(
        "bmr",
        f"10 × weight_kg + 6.25 × height_cm − 5 × age_years {'+' if sex_constant >= 0 else '−'} "
        f"{abs(sex_constant):g}",
        {
            "weight_kg": valid.weight_kg,
            "height_cm": valid.height_cm,
            "age_years": valid.age_years,
            "sex": valid.sex.value,
        },
        bmr,
        "kcal/day",
        source="Mifflin-St Jeor 1990",
    )
    if bmr <= 0:
        raise InvalidInput(
            "Mifflin-St Jeor gives no positive BMR for these measurements",
            [
                {"field": field, "reason": "implausible combination: BMR ≤ 0"}
                for field in ("body.weight_kg", "body.height_cm", "body.birth_date")
            ],
        )
    return "mifflin_st_jeor", bmr


def _tdee(bmr: float, activity_level: ActivityLevel, trail: _Recorder) -> float:
    factor = c.ACTIVITY_FACTORS[activity_level]
    return trail.step(
        "tdee",
        "bmr × activity_factor",
        {"bmr_kcal": bmr, "activity_level": activity_level.value, "activity_factor": factor},
        bmr * factor,
        "kcal/day",
    )


def _goal_kcal(
    tdee: float, weight_kg: float, goal: Goal, rate_kg_per_week: float, trail: _Recorder
) -> tuple[float, float]:
    """The goal's daily kcal and the weekly rate actually applied."""
    if goal is Goal.MAINTAIN:
        note = None
        if rate_kg_per_week:
            note = f"target_rate_kg_per_week {rate_kg_per_week:g} ignored: the goal is maintain"
        trail.step("goal_kcal", "tdee (maintain)", {"tdee_kcal": tdee}, tdee, "kcal/day", note=note)
        return tdee, 0.0
    losing = goal is Goal.LOSE
    cap_fraction = c.MAX_LOSS_FRACTION_PER_WEEK if losing else c.MAX_GAIN_FRACTION_PER_WEEK
    cap = trail.step(
        "rate_cap",
        f"{cap_fraction:.1%} × weight_kg per week",
        {"weight_kg": weight_kg, "fraction": cap_fraction},
        cap_fraction * weight_kg,
        "kg/week",
    )
    rate = rate_kg_per_week
    if rate > cap:
        trail.bind(
            Rule.RATE_CAP,
            f"asked {rate:g} kg/week; {goal.value} is capped at {cap_fraction:.1%} of body weight = "
            f"{cap:g} kg/week",
        )
        rate = cap
    sign = -1 if losing else 1
    change = trail.step(
        "goal_adjustment",
        f"{'−' if losing else '+'}rate_kg_per_week × 7700 / 7",
        {"rate_kg_per_week": rate, "kcal_per_kg": c.KCAL_PER_KG_BODY_WEIGHT},
        sign * rate * c.KCAL_PER_KG_BODY_WEIGHT / c.DAYS_PER_WEEK,
        "kcal/day",
        source="~7,700 kcal per kg of body weight (Wishnofsky 1958)",
    )
    kcal = trail.step(
        "goal_kcal",
        "tdee + goal_adjustment",
        {"tdee_kcal": tdee, "goal_adjustment_kcal": change},
        tdee + change,
        "kcal/day",
    )
    return kcal, rate


def _apply_floor(
    kcal_for_goal: float, sex: Sex, tdee: float, overrides: CoachOverrides, trail: _Recorder
) -> int:
    """The day's kcal, never below the floor: the default by sex, or the coach's when set."""
    by_coach = overrides.kcal_floor is not None
    floor = overrides.kcal_floor if overrides.kcal_floor is not None else c.KCAL_FLOOR[sex]
    whose = "the coach's floor" if by_coach else f"the floor for {sex.value}s"
    kcal = trail.step(
        "kcal",
        "max(goal_kcal, kcal_floor)",
        {"goal_kcal": kcal_for_goal, "kcal_floor": floor, "floor_set_by": "coach" if by_coach else "default"},
        max(kcal_for_goal, floor),
        "kcal/day",
        source=None if by_coach else "NHLBI 1998 / AHA-ACC-TOS 2013 minimum intakes",
        note=overrides.reason if by_coach else None,
    )
    if kcal_for_goal < floor:
        detail = f"the goal gives {kcal_for_goal:.0f} kcal, below {whose} of {floor} kcal; raised to {floor}"
        if tdee < floor:
            detail += f" (above maintenance of {tdee:.0f} kcal: ask a coach)"
        trail.bind(Rule.KCAL_FLOOR, detail)
    return round_half_up(kcal)


@dataclass(frozen=True)
class _Macros:
    protein_g: int
    fat_g: int
    carbs_g: int
    fiber_g: int


def _macros(
    kcal: int, weight_kg: float, lean_mass_kg: float | None, goal: Goal, diet: Diet, trail: _Recorder
) -> _Macros:
    """Protein by goal (per kg of lean mass when known), fat between its floors, carbs the rest; keto fixes
    carbs and gives fat the rest.

    When protein and fat do not fit in the kcal, rules yield in this order, each only as far as needed:
    protein down to 1.6 g/kg (2.0 g/kg lean); the 0.6 g/kg fat floor down to 20 % of energy; protein down
    to what is left (flagged for a coach). Protein goes before the 20 % fat floor because essential fatty
    acids and fat-soluble vitamins need that much. Carbs never fall below the fibre target (fibre is
    carbohydrate: fewer carbs than fibre cannot be eaten). (Fat is then at its floor already: protein and
    fat overflow only on small energy budgets per kg, where 0.6 g/kg is above the default 25 % share.)
    """
    basis, basis_kg = ("lean_mass_kg", lean_mass_kg) if lean_mass_kg is not None else ("weight_kg", weight_kg)
    per_kg = (c.PROTEIN_G_PER_KG_LEAN if lean_mass_kg is not None else c.PROTEIN_G_PER_KG)[goal]
    min_per_kg = c.PROTEIN_MIN_G_PER_KG_LEAN if lean_mass_kg is not None else c.PROTEIN_MIN_G_PER_KG
    protein_min = min_per_kg * basis_kg
    protein = trail.step(
        "protein",
        f"{per_kg:g} g/kg × {basis} ({goal.value})",
        {basis: basis_kg, "g_per_kg": per_kg},
        per_kg * basis_kg,
        "g/day",
        source="ISSN protein position stand (Jäger 2017); Helms 2014 per kg of lean mass",
    )
    fat_relaxed = c.FAT_MIN_ENERGY_FRACTION * kcal / c.KCAL_PER_G_FAT
    fat_floor = trail.step(
        "fat_floor",
        "max(0.6 g/kg × weight_kg, 20 % × kcal / 9)",
        {"weight_kg": weight_kg, "kcal": kcal},
        max(c.FAT_MIN_G_PER_KG * weight_kg, fat_relaxed),
        "g/day",
        source="IOM AMDR 2005 (20-35 % of energy); ≥ 0.6 g/kg (Helms 2014)",
    )
    fiber_g = round_half_up(
        trail.step(
            "fiber",
            "14 g × kcal / 1000",
            {"kcal": kcal},
            c.FIBER_G_PER_1000_KCAL * kcal / 1000,
            "g/day",
            source="IOM DRI 2005",
        )
    )

    # How much of one macro fits in the kcal when the other two are fixed.
    def protein_fitting(fat_g: float, carbs_g: float) -> float:
        return (kcal - c.KCAL_PER_G_FAT * fat_g - c.KCAL_PER_G_CARBS * carbs_g) / c.KCAL_PER_G_PROTEIN

    def fat_fitting(protein_g: float, carbs_g: float) -> float:
        return (kcal - c.KCAL_PER_G_PROTEIN * protein_g - c.KCAL_PER_G_CARBS * carbs_g) / c.KCAL_PER_G_FAT

    def carbs_fitting(protein_g: float, fat_g: float) -> float:
        return (kcal - c.KCAL_PER_G_PROTEIN * protein_g - c.KCAL_PER_G_FAT * fat_g) / c.KCAL_PER_G_CARBS

    relaxed = f"fat under 0.6 g/kg ({fat_floor:.1f} g) to fit the energy; kept ≥ 20 % of energy"
    if diet is Diet.KETO:
        carbs = trail.step(
            "carbs",
            "keto net carbs + fiber_g",
            {"net_carbs_g": c.KETO_NET_CARBS_G, "fiber_g": fiber_g},
            c.KETO_NET_CARBS_G + fiber_g,
            "g/day",
            source="Feinman 2015 (ketogenic: 20-50 g carbohydrate/day)",
        )
        trail.bind(
            Rule.KETO_CARB_LIMIT, f"keto: carbs fixed at {c.KETO_NET_CARBS_G} g net + {fiber_g} g fiber"
        )
        fat = fat_fitting(protein, carbs)
        if fat < fat_floor and protein > protein_min:
            protein = _trim_protein(protein, max(protein_min, protein_fitting(fat_floor, carbs)), trail)
            fat = fat_fitting(protein, carbs)
        if fat < fat_floor:
            trail.bind(Rule.FAT_FLOOR_RELAXED, relaxed)
        if fat < fat_relaxed:
            fat = fat_relaxed
            protein = _below_minimum(protein_fitting(fat, carbs), kcal, trail)
        trail.step("fat", "(kcal − 4 × protein_g − 4 × carbs_g) / 9", {"protein_g": protein}, fat, "g/day")
    else:
        fat_default = c.FAT_DEFAULT_ENERGY_FRACTION * kcal / c.KCAL_PER_G_FAT
        fat = max(fat_default, fat_floor)
        if fat_floor > fat_default:
            trail.bind(
                Rule.FAT_FLOOR,
                f"fat floor {fat_floor:.1f} g is above the default 25 % of energy ({fat_default:.1f} g)",
            )
        # Carbs never fall below the fibre target: fibre is carbohydrate, so a plan with less is impossible.
        carbs_min = float(fiber_g)
        if carbs_fitting(protein, fat) < carbs_min and protein > protein_min:
            protein = _trim_protein(protein, max(protein_min, protein_fitting(fat, carbs_min)), trail)
        if carbs_fitting(protein, fat) < carbs_min and fat > fat_relaxed:
            fat = max(fat_relaxed, fat_fitting(protein, carbs_min))
            trail.bind(Rule.FAT_FLOOR_RELAXED, relaxed)
        if carbs_fitting(protein, fat) < carbs_min:
            protein = _below_minimum(protein_fitting(fat, carbs_min), kcal, trail)
        trail.step("fat", "max(25 % × kcal / 9, fat_floor), less what yielded", {"kcal": kcal}, fat, "g/day")
        carbs = trail.step(
            "carbs",
            "(kcal − 4 × protein_g − 9 × fat_g) / 4",
            {"kcal": kcal, "protein_g": protein, "fat_g": fat},
            max(carbs_min, carbs_fitting(protein, fat)),
            "g/day",
        )
    return _round_macros(kcal, protein, fat, carbs, fiber_g, diet is Diet.KETO, trail)


def _round_macros(
    kcal: int, protein: float, fat: float, carbs: float, fiber_g: int, keto: bool, trail: _Recorder
) -> _Macros:
    """Whole grams with 4 P + 4 C + 9 F within 2 kcal of the target: the macro that takes the rest (carbs;
    fat on keto) is recomputed from the others' whole grams, and protein absorbs what is left beyond 2 kcal
    (keto's 9-kcal steps, or carbs held at 0): at most 1 g, 2 g when protein was trimmed to fit."""
    protein_g = round_half_up(protein)
    if keto:
        carbs_g = round_half_up(carbs)
        # Never below the fat the rules settled on (its floors), even when protein's rounding eats into
        # it: protein absorbs the difference below.
        fat_rest_g = round_half_up((kcal - _macro_kcal(protein_g, 0, carbs_g)) / c.KCAL_PER_G_FAT)
        fat_g = max(0, fat_rest_g, round_half_up(fat))
    else:
        fat_g = round_half_up(fat)
        carbs_g = max(fiber_g, round_half_up((kcal - _macro_kcal(protein_g, fat_g, 0)) / c.KCAL_PER_G_CARBS))
    residual_kcal = kcal - _macro_kcal(protein_g, fat_g, carbs_g)
    if abs(residual_kcal) > 2:
        protein_g += round_half_up(residual_kcal / c.KCAL_PER_G_PROTEIN)
    trail.step(
        "rounding",
        "whole grams, the rest macro from the others' whole grams: kcal − (4 P + 4 C + 9 F)",
        {"residual_before_kcal": residual_kcal, "protein_g": protein_g, "fat_g": fat_g, "carbs_g": carbs_g},
        kcal - _macro_kcal(protein_g, fat_g, carbs_g),
        "kcal",
    )
    return _Macros(protein_g=protein_g, fat_g=fat_g, carbs_g=carbs_g, fiber_g=fiber_g)


def _macro_kcal(protein_g: float, fat_g: float, carbs_g: float) -> float:
    return c.KCAL_PER_G_PROTEIN * protein_g + c.KCAL_PER_G_FAT * fat_g + c.KCAL_PER_G_CARBS * carbs_g


def _trim_protein(protein: float, new_protein: float, trail: _Recorder) -> float:
    trail.bind(
        Rule.PROTEIN_TRIMMED, f"protein trimmed from {protein:.1f} g to {new_protein:.1f} g to fit the energy"
    )
    return new_protein


def _below_minimum(protein: float, kcal: int, trail: _Recorder) -> float:
    trail.bind(Rule.PROTEIN_BELOW_MINIMUM, f"only {protein:.1f} g protein fits in {kcal} kcal: ask a coach")
    return protein


def split_largest_remainder(total: int, shares_pct: list[int]) -> list[int]:
    """Whole parts of `total` in proportion to `shares_pct` (summing to 100) that add up exactly to `total`:
    each part is floored, and the units left over go to the largest remainders (earlier meal on ties)."""
    quotients = [divmod(total * share, 100) for share in shares_pct]
    parts = [q for q, _ in quotients]
    by_remainder = sorted(range(len(shares_pct)), key=lambda i: -quotients[i][1])
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _split_meals(kcal: int, macros: _Macros, meals_per_day: int) -> list[MealTargets]:
    names, shares = zip(*c.MEAL_SPLITS[meals_per_day], strict=True)
    columns = {
        field: split_largest_remainder(total, list(shares))
        for field, total in (
            ("kcal", kcal),
            ("protein_g", macros.protein_g),
            ("fat_g", macros.fat_g),
            ("carbs_g", macros.carbs_g),
            ("fiber_g", macros.fiber_g),
        )
    }
    return [
        MealTargets(name=name, share_pct=share, **{field: parts[i] for field, parts in columns.items()})
        for i, (name, share) in enumerate(zip(names, shares, strict=True))
    ]


def _echo_inputs(
    valid: _Valid, goal: GoalInput, prefs: DietInput, overrides: CoachOverrides, today: date
) -> dict[str, TrailValue]:
    return {
        "today": today.isoformat(),
        "sex": valid.sex.value,
        "birth_date": valid.birth_date.isoformat(),
        "height_cm": valid.height_cm,
        "weight_kg": valid.weight_kg,
        "body_fat_pct": valid.body_fat_pct,
        "activity_level": valid.activity_level.value,
        "goal": valid.goal.value,
        "target_rate_kg_per_week": goal.target_rate_kg_per_week,
        "diet": prefs.diet.value,
        "meals_per_day": prefs.meals_per_day,
        "coach_kcal_floor": overrides.kcal_floor,
    }


def load_body_and_goal(session: Session, user_id: uuid.UUID) -> ProfileInputs:
    """The targets' inputs from the profile row. The rate is taken as a magnitude whichever sign the
    profile stores it with: the goal gives the direction."""
    profile = session.get(Profile, user_id)
    if profile is None:
        raise NotFound("no profile yet: targets need a health profile")
    return ProfileInputs(
        body=BodyInput(
            sex=profile.sex,
            birth_date=profile.birth_date,
            height_cm=profile.height_cm,
            weight_kg=profile.weight_kg,
            body_fat_pct=profile.body_fat_pct,
            activity_level=profile.activity_level,
        ),
        goal=GoalInput(goal=profile.goal, target_rate_kg_per_week=abs(profile.target_rate_kg_per_week)),
        prefs=DietInput(diet=profile.diet, meals_per_day=profile.meals_per_day),
        overrides=CoachOverrides(kcal_floor=profile.coach_kcal_floor),
    )


def targets_for_user(session: Session, user_id: uuid.UUID, *, today: date) -> Targets:
    """The targets of `user_id` (already authorised by the caller) from their stored profile."""
    inputs = load_body_and_goal(session, user_id)
    return calculate_targets(inputs.body, inputs.goal, inputs.prefs, overrides=inputs.overrides, today=today)
