"""Targets engine: known answers computed by hand (noted beside each), the rules that bind, typed errors,
and properties over random bodies. Pure functions: no database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.vocabulary import ActivityLevel, Diet, Goal, Sex
from tools.errors import InvalidInput
from tools.nutrition import constants as c
from tools.nutrition.targets import (
    BodyInput,
    CoachOverrides,
    DietInput,
    GoalInput,
    Rule,
    Targets,
    TargetsDelta,
    age_in_years,
    calculate_targets,
    split_largest_remainder,
)

TODAY = date(2025, 6, 1)
MAINTAIN = GoalInput(goal=Goal.MAINTAIN)
RATE = "goal.target_rate_kg_per_week"


def body(**overrides: Any) -> BodyInput:
    """A 30-year-old man, 180 cm, 80 kg, moderately active: Mifflin BMR 800 + 1125 − 150 + 5 = 1780."""
    values: dict[str, Any] = {
        "sex": Sex.MALE,
        "birth_date": date(1995, 1, 1),
        "height_cm": 180.0,
        "weight_kg": 80.0,
        "activity_level": ActivityLevel.MODERATE,
    } | overrides
    return BodyInput(**values)


def targets(
    body_input: BodyInput | None = None,
    goal: Goal = Goal.MAINTAIN,
    rate: float | None = None,
    diet: Diet = Diet.OMNIVORE,
    meals: int = 3,
    coach_floor: int | None = None,
) -> Targets:
    return calculate_targets(
        body_input or body(),
        GoalInput(goal=goal, target_rate_kg_per_week=rate),
        DietInput(diet=diet, meals_per_day=meals),
        CoachOverrides(kcal_floor=coach_floor) if coach_floor is not None else None,
        today=TODAY,
    )


def step(result: Targets, name: str) -> float:
    (value,) = [s.value for s in result.trail.steps if s.step == name]
    return value


def bound(result: Targets) -> set[Rule]:
    return {b.rule for b in result.trail.bound_rules}


def macro_kcal(result: Targets) -> int:
    return 4 * result.protein_g + 4 * result.carbs_g + 9 * result.fat_g


class TestBmr:
    def test_mifflin_male(self) -> None:
        result = targets()
        assert result.bmr_method == "mifflin_st_jeor"
        assert step(result, "bmr") == pytest.approx(1780.0)
        assert result.bmr_kcal == 1780

    def test_mifflin_female(self) -> None:
        # 25 y, 165 cm, 60 kg: 600 + 1031.25 − 125 − 161 = 1345.25
        result = targets(body(sex=Sex.FEMALE, birth_date=date(2000, 1, 1), height_cm=165.0, weight_kg=60.0))
        assert step(result, "bmr") == pytest.approx(1345.25)
        assert result.bmr_kcal == 1345

    def test_katch_mcardle_when_body_fat_known(self) -> None:
        # 80 kg at 15 % → lean 68 kg; 370 + 21.6 × 68 = 1838.8 (age, sex and height play no part)
        result = targets(body(body_fat_pct=15.0, height_cm=150.0, birth_date=date(1960, 1, 1)))
        assert result.bmr_method == "katch_mcardle"
        assert step(result, "lean_mass") == pytest.approx(68.0)
        assert step(result, "bmr") == pytest.approx(1838.8)
        assert result.bmr_kcal == 1839

    @pytest.mark.parametrize(
        ("level", "tdee_kcal"),
        [
            (ActivityLevel.SEDENTARY, 2136),  # 1780 × 1.2
            (ActivityLevel.LIGHT, 2448),  # 1780 × 1.375 = 2447.5, half rounds up
            (ActivityLevel.MODERATE, 2759),  # 1780 × 1.55
            (ActivityLevel.VERY_ACTIVE, 3071),  # 1780 × 1.725 = 3070.5
            (ActivityLevel.EXTRA_ACTIVE, 3382),  # 1780 × 1.9
        ],
    )
    def test_each_activity_factor(self, level: ActivityLevel, tdee_kcal: int) -> None:
        result = targets(body(activity_level=level))
        assert result.tdee_kcal == tdee_kcal
        assert result.kcal == tdee_kcal  # maintain: no adjustment, no floor

    def test_age_counts_full_years_on_the_given_day(self) -> None:
        assert age_in_years(date(1995, 6, 2), date(2025, 6, 1)) == 29
        assert age_in_years(date(1995, 6, 1), date(2025, 6, 1)) == 30
        assert age_in_years(date(2004, 2, 29), date(2025, 2, 28)) == 20
        assert age_in_years(date(2004, 2, 29), date(2025, 3, 1)) == 21
        # The same person a day apart: one year older, 5 kcal less BMR.
        before = calculate_targets(
            body(birth_date=date(1995, 6, 2)), GoalInput(goal=Goal.MAINTAIN), DietInput(), today=TODAY
        )
        assert before.age_years == 29
        assert before.bmr_kcal == 1785


class TestGoal:
    def test_loss_under_the_cap(self) -> None:
        # 0.5 kg/week ≤ 1 % of 80 kg: 2759 − 0.5 × 7700 / 7 = 2759 − 550
        result = targets(goal=Goal.LOSE, rate=0.5)
        assert result.kcal == 2209
        assert result.rate_kg_per_week == 0.5
        assert Rule.RATE_CAP not in bound(result)

    def test_loss_at_exactly_the_cap_does_not_bind(self) -> None:
        result = targets(goal=Goal.LOSE, rate=0.8)
        assert result.kcal == 1879
        assert Rule.RATE_CAP not in bound(result)

    def test_loss_capped_at_one_percent_per_week(self) -> None:
        # asked 1.0, cap 0.8 kg/week: 2759 − 880
        result = targets(goal=Goal.LOSE, rate=1.0)
        assert result.kcal == 1879
        assert result.rate_kg_per_week == pytest.approx(0.8)
        assert bound(result) == {Rule.RATE_CAP}
        assert step(result, "goal_adjustment") == pytest.approx(-880.0)

    def test_gain_under_the_cap(self) -> None:
        # 0.25 ≤ 0.5 % of 80 kg = 0.4: 2759 + 275
        result = targets(goal=Goal.GAIN, rate=0.25)
        assert result.kcal == 3034
        assert Rule.RATE_CAP not in bound(result)

    def test_gain_capped_at_half_a_percent_per_week(self) -> None:
        # asked 0.5, cap 0.4: 2759 + 440
        result = targets(goal=Goal.GAIN, rate=0.5)
        assert result.kcal == 3199
        assert result.rate_kg_per_week == pytest.approx(0.4)
        assert bound(result) == {Rule.RATE_CAP}

    def test_maintain_ignores_a_rate_and_says_so(self) -> None:
        result = targets(goal=Goal.MAINTAIN, rate=0.5)
        assert result.kcal == 2759
        assert result.rate_kg_per_week == 0
        (goal_step,) = [s for s in result.trail.steps if s.step == "goal_kcal"]
        assert goal_step.note is not None
        assert "ignored" in goal_step.note


class TestFloor:
    female = body(sex=Sex.FEMALE, birth_date=date(2000, 1, 1), height_cm=165.0, weight_kg=60.0)
    # 60 y man, 170 cm, 60 kg: 600 + 1062.5 − 300 + 5 = 1367.5; × 1.2 = 1641
    male = body(
        birth_date=date(1965, 1, 1), height_cm=170.0, weight_kg=60.0, activity_level=ActivityLevel.SEDENTARY
    )

    def test_female_floor_binds(self) -> None:
        # 1345.25 × 1.2 = 1614.3; − 550 = 1064.3 < 1200
        result = targets(
            self.female.model_copy(update={"activity_level": ActivityLevel.SEDENTARY}), Goal.LOSE, rate=0.5
        )
        assert step(result, "goal_kcal") == pytest.approx(1064.3)
        assert result.kcal == 1200
        # and at 1200 kcal, 25 % fat (33.3 g) is under 0.6 g/kg (36 g)
        assert bound(result) == {Rule.KCAL_FLOOR, Rule.FAT_FLOOR}
        assert result.fat_g == 36

    def test_male_floor_binds(self) -> None:
        result = targets(self.male, Goal.LOSE, rate=0.5)  # 1641 − 550 = 1091 < 1500
        assert step(result, "goal_kcal") == pytest.approx(1091.0)
        assert result.kcal == 1500
        assert bound(result) == {Rule.KCAL_FLOOR}

    def test_coach_override_lifts_the_floor(self) -> None:
        female = targets(
            self.female.model_copy(update={"activity_level": ActivityLevel.SEDENTARY}),
            Goal.LOSE,
            rate=0.5,
            coach_floor=1000,
        )
        male = targets(self.male, Goal.LOSE, rate=0.5, coach_floor=1000)
        assert (female.kcal, male.kcal) == (1064, 1091)
        assert Rule.KCAL_FLOOR not in bound(female) | bound(male)
        (floor_step,) = [s for s in male.trail.steps if s.step == "kcal"]
        assert floor_step.inputs["floor_set_by"] == "coach"

    def test_coach_floor_binds_when_the_goal_is_below_it(self) -> None:
        result = targets(self.male, Goal.LOSE, rate=0.5, coach_floor=1300)
        assert result.kcal == 1300
        (rule,) = result.trail.bound_rules
        assert rule.rule is Rule.KCAL_FLOOR
        assert "coach" in rule.detail

    def test_floor_above_maintenance_is_flagged(self) -> None:
        # 45 kg, 150 cm, 80 y woman, sedentary: 450 + 937.5 − 400 − 161 = 826.5; × 1.2 = 991.8 < 1200
        tiny = body(
            sex=Sex.FEMALE,
            birth_date=date(1945, 1, 1),
            height_cm=150.0,
            weight_kg=45.0,
            activity_level=ActivityLevel.SEDENTARY,
        )
        result = targets(tiny)
        assert result.kcal == 1200
        (rule,) = result.trail.bound_rules
        assert "above maintenance" in rule.detail


class TestMacros:
    def test_protein_by_goal_on_body_weight(self) -> None:
        assert step(targets(), "protein") == pytest.approx(128.0)  # 1.6 × 80
        assert step(targets(goal=Goal.GAIN, rate=0.25), "protein") == pytest.approx(128.0)
        assert step(targets(goal=Goal.LOSE, rate=0.5), "protein") == pytest.approx(160.0)  # 2.0 × 80

    def test_protein_on_lean_mass_when_body_fat_known(self) -> None:
        lean = body(body_fat_pct=15.0)  # lean mass 68 kg
        maintain = targets(lean)
        losing = targets(lean, Goal.LOSE, rate=0.5)
        assert step(maintain, "protein") == pytest.approx(136.0)  # 2.0 × 68
        assert step(losing, "protein") == pytest.approx(170.0)  # 2.5 × 68
        assert abs(maintain.protein_g - 136) <= 1  # protein absorbs the rounding residual
        assert next(s.inputs for s in maintain.trail.steps if s.step == "protein")["lean_mass_kg"] == 68.0

    def test_default_split_and_fiber(self) -> None:
        # 2759 kcal: protein 128 g; fat 25 % = 76.64 g (floor max(48, 61.3)); carbs (2759 − 512 − 689.75)/4
        result = targets()
        assert step(result, "fat") == pytest.approx(2759 * 0.25 / 9)
        assert step(result, "carbs") == pytest.approx((2759 - 512 - 2759 * 0.25) / 4)
        assert (result.fat_g, result.carbs_g, result.fiber_g) == (77, 389, 39)  # fiber 14 × 2.759 = 38.6
        assert result.sodium_max_mg == 2300
        assert bound(result) == set()

    def test_fat_floor_binds(self) -> None:
        # 100 kg man, 175 cm, 30 y, sedentary: 1948.75 × 1.2 = 2338.5; − 1100 = 1238.5 → floor 1500.
        # Fat 25 % = 41.7 g < 0.6 × 100 = 60 g. Protein 200 g. Carbs (1500 − 800 − 540) / 4 = 40.
        heavy = body(weight_kg=100.0, height_cm=175.0, activity_level=ActivityLevel.SEDENTARY)
        result = targets(heavy, Goal.LOSE, rate=1.0)
        assert (result.kcal, result.protein_g, result.fat_g, result.carbs_g) == (1500, 200, 60, 40)
        assert bound(result) == {Rule.KCAL_FLOOR, Rule.FAT_FLOOR}

    def test_carbs_kept_at_fibre_protein_trimmed_then_fat_floor_relaxed(self) -> None:
        # 120 kg, 150 cm, 70 y woman, sedentary: 1626.5 × 1.2 = 1951.8; − 1320 → floor 1200.
        # Fibre round(14 × 1.2) = 17 g is the carbs floor (68 kcal). Protein 240 g (960) + fat floor 72 g
        # (648) > 1200: protein → 1.6 × 120 = 192 g (768), still over; fat → (1200 − 768 − 68) / 9 = 40.4 g
        # (≥ 20 % = 26.7 g) → 40 g; carbs the rest (1200 − 768 − 360) / 4 = 18 g.
        big = body(
            sex=Sex.FEMALE,
            birth_date=date(1955, 1, 1),
            height_cm=150.0,
            weight_kg=120.0,
            activity_level=ActivityLevel.SEDENTARY,
        )
        result = targets(big, Goal.LOSE, rate=1.2)
        assert (result.kcal, result.protein_g, result.fat_g, result.carbs_g) == (1200, 192, 40, 18)
        assert bound(result) == {
            Rule.KCAL_FLOOR,
            Rule.FAT_FLOOR,
            Rule.PROTEIN_TRIMMED,
            Rule.FAT_FLOOR_RELAXED,
        }

    def test_protein_on_lean_mass_trimmed_to_fit(self) -> None:
        # 100 kg at 30 % (lean 70 kg), sedentary: Katch 370 + 1512 = 1882, × 1.2 = 2258.4, − 1100 = 1158.4;
        # coach floor 800 → 1158 kcal. Protein 2.5 × 70 = 175 g; fat floor max(60, 25.7) = 60 g (540 kcal);
        # Carbs may not fall below fibre, round(14 × 1.158) = 16 g (64 kcal): 700 + 540 + 64 > 1158 →
        # protein → max(2.0 × 70, (1158 − 540 − 64) / 4 = 138.5) = 140 g; carbs would be 14.5 < 16, so fat
        # yields: (1158 − 560 − 64) / 9 = 59.3 g. Whole grams: 140, 59, carbs the rest (1158 − 560 − 531) / 4
        # = 16.75 → 17; 560 + 531 + 68 = 1159 (1 kcal over).
        heavy = body(weight_kg=100.0, body_fat_pct=30.0, activity_level=ActivityLevel.SEDENTARY)
        result = targets(heavy, Goal.LOSE, rate=1.0, coach_floor=800)
        assert result.kcal == 1158
        assert (result.protein_g, result.fat_g, result.carbs_g, result.fiber_g) == (140, 59, 17, 16)
        assert bound(result) == {Rule.FAT_FLOOR, Rule.PROTEIN_TRIMMED, Rule.FAT_FLOOR_RELAXED}
        (trimmed,) = [b.detail for b in result.trail.bound_rules if b.rule is Rule.PROTEIN_TRIMMED]
        assert "175.0 g to 140.0 g" in trimmed

    def test_protein_below_minimum_is_flagged_for_a_coach(self) -> None:
        # 150 kg, 150 cm, 90 y woman: 1826.5 × 1.2 = 2191.8, − 1650 → coach floor 800. Protein min 240 g
        # = 960 kcal alone: fat floor relaxes to 20 % (17.8 g = 160 kcal), carbs keep the fibre target
        # round(14 × 0.8) = 11 g (44 kcal), protein gets (800 − 160 − 44) / 4 = 149 g.
        huge = body(
            sex=Sex.FEMALE,
            birth_date=date(1935, 1, 1),
            height_cm=150.0,
            weight_kg=150.0,
            activity_level=ActivityLevel.SEDENTARY,
        )
        result = targets(huge, Goal.LOSE, rate=1.5, coach_floor=800)
        assert (result.kcal, result.protein_g, result.fat_g, result.carbs_g) == (800, 149, 18, 11)
        assert bound(result) >= {Rule.PROTEIN_TRIMMED, Rule.FAT_FLOOR_RELAXED, Rule.PROTEIN_BELOW_MINIMUM}
        assert abs(macro_kcal(result) - result.kcal) <= 2

    def test_keto_fixes_net_carbs_and_fat_takes_the_rest(self) -> None:
        # 2759 kcal: fiber 38.6 → 39 g, carbs 25 + 39 = 64 g; protein 128 g; fat (2759 − 512 − 256) / 9
        result = targets(diet=Diet.KETO)
        assert (result.carbs_g, result.net_carbs_g, result.fiber_g) == (64, 25, 39)
        assert step(result, "fat") == pytest.approx(1991 / 9)
        assert result.fat_g == 221
        assert abs(result.protein_g - 128) <= 1
        assert bound(result) == {Rule.KETO_CARB_LIMIT}

    def test_macro_kcal_match_the_target_within_rounding(self) -> None:
        for result in (targets(), targets(goal=Goal.LOSE, rate=1.0), targets(diet=Diet.KETO)):
            assert abs(macro_kcal(result) - result.kcal) <= 2


class TestMeals:
    def test_largest_remainder_known_answer(self) -> None:
        # 1879 × 30/40/30 = 563.7 / 751.6 / 563.7 → floors 1877; the two .7 remainders get one each
        assert split_largest_remainder(1879, [30, 40, 30]) == [564, 751, 564]
        assert split_largest_remainder(7, [50, 50]) == [4, 3]  # a tie goes to the earlier meal

    @pytest.mark.parametrize("meals", [2, 3, 4, 5, 6])
    def test_meals_sum_exactly_to_the_day(self, meals: int) -> None:
        result = targets(goal=Goal.LOSE, rate=0.7, meals=meals)
        assert len(result.meals) == meals
        assert sum(m.share_pct for m in result.meals) == 100
        for field in ("kcal", "protein_g", "fat_g", "carbs_g", "fiber_g"):
            assert sum(getattr(m, field) for m in result.meals) == getattr(result, field), field
        # each meal within one unit of its exact share
        for meal in result.meals:
            assert abs(meal.kcal - result.kcal * meal.share_pct / 100) < 1

    def test_three_meals_are_30_40_30(self) -> None:
        result = targets(goal=Goal.LOSE, rate=1.0)  # 1879 kcal
        assert [(m.name, m.kcal) for m in result.meals] == [
            ("breakfast", 564),
            ("lunch", 751),
            ("dinner", 564),
        ]


class TestTrail:
    def test_steps_in_order_with_unrounded_values(self) -> None:
        result = targets(body(body_fat_pct=15.0), Goal.LOSE, rate=0.5)
        assert [s.step for s in result.trail.steps] == [
            "age",
            "lean_mass",
            "bmr",
            "tdee",
            "rate_cap",
            "goal_adjustment",
            "goal_kcal",
            "kcal",
            "protein",
            "fat_floor",
            "fiber",
            "fat",
            "carbs",
            "rounding",
        ]
        assert step(result, "tdee") == pytest.approx(1838.8 * 1.55)  # 2850.14, shown unrounded
        assert result.tdee_kcal == 2850
        assert result.trail.inputs["body_fat_pct"] == 15.0
        assert result.trail.inputs["today"] == "2025-06-01"
        assert all(s.formula for s in result.trail.steps)

    def test_each_binding_rule_is_named_with_a_reason(self) -> None:
        result = targets(goal=Goal.LOSE, rate=1.0)
        (rule,) = result.trail.bound_rules
        assert rule.rule is Rule.RATE_CAP
        assert "0.8 kg/week" in rule.detail
        assert result.binds(Rule.RATE_CAP)
        assert not result.binds(Rule.KCAL_FLOOR)


class TestErrors:
    def test_missing_inputs_are_named(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            calculate_targets(BodyInput(), GoalInput(), DietInput(), today=TODAY)
        fields = {e["field"] for e in caught.value.errors}
        assert fields == {
            "body.sex",
            "body.birth_date",
            "body.weight_kg",
            "body.height_cm",
            "body.activity_level",
            "goal.goal",
        }
        assert all(e["reason"].startswith("required") for e in caught.value.errors)

    def test_height_not_required_when_body_fat_known(self) -> None:
        result = calculate_targets(
            body(height_cm=None, body_fat_pct=20.0), GoalInput(goal=Goal.MAINTAIN), DietInput(), today=TODAY
        )
        assert result.bmr_method == "katch_mcardle"

    @pytest.mark.parametrize(
        ("body_overrides", "goal", "prefs", "overrides", "field"),
        [
            ({}, GoalInput(goal=Goal.LOSE), DietInput(), None, RATE),
            ({}, GoalInput(goal=Goal.GAIN, target_rate_kg_per_week=0), DietInput(), None, RATE),
            ({}, GoalInput(goal=Goal.LOSE, target_rate_kg_per_week=-0.5), DietInput(), None, RATE),
            ({"birth_date": date(2010, 1, 1)}, MAINTAIN, DietInput(), None, "body.birth_date"),
            ({"birth_date": date(2030, 1, 1)}, MAINTAIN, DietInput(), None, "body.birth_date"),
            ({"weight_kg": float("nan")}, MAINTAIN, DietInput(), None, "body.weight_kg"),
            ({"weight_kg": 900.0}, MAINTAIN, DietInput(), None, "body.weight_kg"),
            ({"body_fat_pct": 1.0}, MAINTAIN, DietInput(), None, "body.body_fat_pct"),
            ({}, MAINTAIN, DietInput(meals_per_day=7), None, "prefs.meals_per_day"),
            ({}, MAINTAIN, DietInput(), CoachOverrides(kcal_floor=500), "overrides.kcal_floor"),
        ],
    )
    def test_implausible_input_is_refused(
        self,
        body_overrides: dict[str, Any],
        goal: GoalInput,
        prefs: DietInput,
        overrides: CoachOverrides | None,
        field: str,
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            calculate_targets(body(**body_overrides), goal, prefs, overrides, today=TODAY)
        assert [e["field"] for e in caught.value.errors] == [field]

    def test_a_non_positive_bmr_is_refused_not_floored(self) -> None:
        # 20 kg, 50 cm, 110 y woman: 200 + 312.5 − 550 − 161 = −198.5
        absurd = body(sex=Sex.FEMALE, birth_date=date(1915, 1, 1), height_cm=50.0, weight_kg=20.0)
        with pytest.raises(InvalidInput):
            calculate_targets(absurd, GoalInput(goal=Goal.MAINTAIN), DietInput(), today=TODAY)


class TestDelta:
    def test_identical_targets_are_not_significant(self) -> None:
        delta = TargetsDelta.between(targets(), targets())
        assert (delta.kcal_change, delta.significant, delta.reasons) == (0, False, [])

    @pytest.mark.parametrize(
        ("update", "significant"),
        [
            ({"kcal": 49}, False),
            ({"kcal": 50}, True),
            ({"kcal": -50}, True),
            ({"protein_g": 4}, False),
            ({"protein_g": 5}, True),
            ({"fat_g": -5}, True),
            ({"carbs_g": 4, "fat_g": 4, "protein_g": -4, "kcal": 40}, False),
        ],
    )
    def test_thresholds(self, update: dict[str, int], significant: bool) -> None:
        old = targets()
        new = old.model_copy(update={field: getattr(old, field) + change for field, change in update.items()})
        delta = TargetsDelta.between(old, new)
        assert delta.significant is significant
        assert len(delta.reasons) == sum(
            abs(change) >= (c.SIGNIFICANT_KCAL_CHANGE if field == "kcal" else c.SIGNIFICANT_MACRO_CHANGE_G)
            for field, change in update.items()
        )

    def test_weight_change_of_four_kg_is_significant(self) -> None:
        # +4 kg at maintain: +40 BMR × 1.55 = +62 kcal
        delta = TargetsDelta.between(targets(), targets(body(weight_kg=84.0)))
        assert delta.kcal_change == 62
        assert delta.significant
        assert delta.reasons[0] == "kcal changed by +62"

    def test_switch_to_keto_is_significant_on_macros_alone(self) -> None:
        delta = TargetsDelta.between(targets(), targets(diet=Diet.KETO))
        assert delta.kcal_change == 0
        assert delta.significant
        assert any(reason.startswith("carbs_g") for reason in delta.reasons)


# --- Properties -----------------------------------------------------------------------------------------

bodies = st.builds(
    BodyInput,
    sex=st.sampled_from(Sex),
    birth_date=st.dates(min_value=date(1925, 6, 2), max_value=date(2007, 6, 1)),
    height_cm=st.floats(min_value=140, max_value=210),
    weight_kg=st.floats(min_value=35, max_value=250),
    body_fat_pct=st.none() | st.floats(min_value=5, max_value=60),
    activity_level=st.sampled_from(ActivityLevel),
)
goals = st.builds(
    GoalInput, goal=st.sampled_from(Goal), target_rate_kg_per_week=st.floats(min_value=0.05, max_value=2.0)
)
diets = st.builds(DietInput, diet=st.sampled_from(Diet), meals_per_day=st.integers(min_value=2, max_value=6))
coach = st.none() | st.builds(CoachOverrides, kcal_floor=st.integers(min_value=800, max_value=2500))


@settings(max_examples=400, deadline=None)
@given(body_input=bodies, goal=goals, prefs=diets, overrides=coach)
def test_properties_hold_for_any_adult(
    body_input: BodyInput, goal: GoalInput, prefs: DietInput, overrides: CoachOverrides | None
) -> None:
    result = calculate_targets(body_input, goal, prefs, overrides, today=TODAY)
    assert body_input.sex is not None
    assert body_input.weight_kg is not None

    # kcal = 4 P + 4 C + 9 F within rounding; nothing negative
    assert abs(macro_kcal(result) - result.kcal) <= 2
    assert min(result.protein_g, result.fat_g, result.carbs_g, result.net_carbs_g, result.fiber_g) >= 0
    # fibre is carbohydrate: a target with less carbs than fibre could never be eaten
    assert prefs.diet is Diet.KETO or result.carbs_g >= result.fiber_g

    # the floor is respected: the coach's when set, else the default for the sex
    floor = overrides.kcal_floor if overrides and overrides.kcal_floor else c.KCAL_FLOOR[body_input.sex]
    assert result.kcal >= floor
    assert result.binds(Rule.KCAL_FLOOR) == (step(result, "goal_kcal") < floor)

    # the weekly rate never exceeds its cap
    fraction = {Goal.LOSE: c.MAX_LOSS_FRACTION_PER_WEEK, Goal.GAIN: c.MAX_GAIN_FRACTION_PER_WEEK}
    if result.goal is not Goal.MAINTAIN:
        assert result.rate_kg_per_week <= fraction[result.goal] * body_input.weight_kg + 1e-9

    # fat stays at or above 20 % of energy, and at or above 0.6 g/kg unless that floor was said to yield
    assert result.fat_g >= c.FAT_MIN_ENERGY_FRACTION * result.kcal / 9 - 0.5
    if not result.binds(Rule.FAT_FLOOR_RELAXED):
        assert result.fat_g >= c.FAT_MIN_G_PER_KG * body_input.weight_kg - 0.5

    # protein is at its goal value unless a rule said it was trimmed
    if not result.binds(Rule.PROTEIN_TRIMMED) and not result.binds(Rule.PROTEIN_BELOW_MINIMUM):
        assert abs(result.protein_g - step(result, "protein")) <= 1.5

    if prefs.diet is Diet.KETO:
        assert result.net_carbs_g == c.KETO_NET_CARBS_G

    # meals add up exactly
    for field in ("kcal", "protein_g", "fat_g", "carbs_g", "fiber_g"):
        assert sum(getattr(m, field) for m in result.meals) == getattr(result, field)


def test_carbs_never_fall_below_the_fibre_target() -> None:
    """A heavy sedentary vegan man in a deficit: protein and fat crowd out carbs unless fibre is a floor."""
    heavy = BodyInput(
        sex=Sex.MALE,
        birth_date=date(1986, 1, 1),
        height_cm=180,
        weight_kg=125,
        body_fat_pct=None,
        activity_level=ActivityLevel.SEDENTARY,
    )
    result = calculate_targets(
        heavy,
        GoalInput(goal=Goal.LOSE, target_rate_kg_per_week=0.75),
        DietInput(diet=Diet.VEGAN, meals_per_day=3),
        today=TODAY,
    )
    assert result.carbs_g >= result.fiber_g > 0
    assert abs(macro_kcal(result) - result.kcal) <= 2
