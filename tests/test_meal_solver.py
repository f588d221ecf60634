"""The day solver on a small hand-made catalogue (per-100 g values from USDA SR28): every hard limit, the
meal templates, portions in whole steps, weekly variety, locks, keto, kosher, determinism, and infeasible
input answered with the binding limit and the nearest plan (never an exception). No database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from store.models.knowledge import FoodGroup
from store.vocabulary import Diet
from tools.nutrition.candidates import Candidate, Nutrition, PlanSlot, Restrictions, is_safe
from tools.nutrition.solver import (
    CORE_GROUPS,
    DayProblem,
    DayResult,
    DayTargets,
    FixedItem,
    MealSpec,
    WeekState,
    portion_scale,
    solve_day,
    solve_days,
)

B, M, S = PlanSlot.BREAKFAST, PlanSlot.MAIN, PlanSlot.SNACK
VEGAN = frozenset({Diet.OMNIVORE, Diet.VEGAN, Diet.VEGETARIAN, Diet.PESCATARIAN, Diet.HALAL, Diet.KOSHER})
VEGETARIAN = VEGAN - {Diet.VEGAN}
MEAT = frozenset({Diet.OMNIVORE, Diet.HALAL, Diet.KOSHER})


def food(
    key: int,
    name: str,
    group: FoodGroup,
    slots: set[PlanSlot],
    per_100g: tuple[float, float, float, float, float, float],
    *,
    step_g: float = 25.0,
    units: tuple[int, int] = (2, 10),
    flags: frozenset[str] = frozenset(),
    diets: frozenset[Diet] = VEGAN,
) -> Candidate:
    kcal, protein, fat, carbs, fiber, sodium = per_100g
    per_unit = Nutrition(
        kcal=kcal, protein_g=protein, fat_g=fat, carbs_g=carbs, fiber_g=fiber, sodium_mg=sodium
    ).scaled(step_g / 100)
    keto = diets | {Diet.KETO} if carbs - fiber <= 10 else diets
    return Candidate(
        key=f"food:{key}",
        food_id=key,
        name=name,
        group=group,
        slots=frozenset(slots),
        per_unit=per_unit,
        unit_grams=step_g,
        min_units=units[0],
        max_units=units[1],
        flags=flags,
        diets=keto,
    )


CATALOGUE = [
    food(
        1,
        "Chicken breast, roasted",
        FoodGroup.PROTEIN,
        {M},
        (165, 31.0, 3.6, 0, 0, 74),
        units=(3, 10),
        flags=frozenset({"meat"}),
        diets=MEAT,
    ),
    food(
        2,
        "Salmon, cooked",
        FoodGroup.PROTEIN,
        {M},
        (206, 22.1, 12.4, 0, 0, 61),
        units=(3, 10),
        flags=frozenset({"fish"}),
        diets=MEAT | {Diet.PESCATARIAN},
    ),
    food(
        3,
        "Turkey breast, roasted",
        FoodGroup.PROTEIN,
        {M},
        (147, 30.1, 2.1, 0, 0, 99),
        units=(3, 10),
        flags=frozenset({"meat"}),
        diets=MEAT,
    ),
    food(
        4,
        "Tofu, firm",
        FoodGroup.LEGUME,
        {M},
        (144, 17.3, 8.7, 2.8, 2.3, 14),
        units=(3, 12),
        flags=frozenset({"soy"}),
    ),
    food(5, "Lentils, cooked", FoodGroup.LEGUME, {M}, (116, 9.0, 0.4, 20.1, 7.9, 2), units=(3, 12)),
    food(6, "Chickpeas, cooked", FoodGroup.LEGUME, {M}, (164, 8.9, 2.6, 27.4, 7.6, 7), units=(3, 12)),
    food(
        7,
        "Egg, whole, hard-boiled",
        FoodGroup.PROTEIN,
        {B, M},
        (155, 12.6, 10.6, 1.1, 0, 124),
        step_g=50,
        units=(1, 4),
        flags=frozenset({"egg"}),
        diets=VEGETARIAN,
    ),
    food(8, "Rice, brown, cooked", FoodGroup.STARCH, {M}, (123, 2.7, 1.0, 25.6, 1.6, 4)),
    food(
        9,
        "Spaghetti, whole-wheat, cooked",
        FoodGroup.STARCH,
        {M},
        (124, 5.3, 0.5, 26.5, 4.5, 3),
        flags=frozenset({"wheat", "gluten"}),
    ),
    food(10, "Potato, baked", FoodGroup.STARCH, {M}, (93, 2.5, 0.1, 21.2, 2.2, 10), units=(3, 12)),
    food(
        11,
        "Oats, cooked",
        FoodGroup.STARCH,
        {B},
        (71, 2.5, 1.5, 12.0, 1.7, 4),
        units=(4, 14),
        flags=frozenset({"gluten"}),
    ),
    food(
        12,
        "Bread, whole-wheat",
        FoodGroup.STARCH,
        {B},
        (252, 12.5, 3.5, 42.7, 6.0, 450),
        step_g=29,
        units=(1, 3),
        flags=frozenset({"wheat", "gluten"}),
    ),
    food(13, "Broccoli, boiled", FoodGroup.VEGETABLE, {M}, (35, 2.4, 0.4, 7.2, 3.3, 41), units=(2, 12)),
    food(14, "Spinach, raw", FoodGroup.VEGETABLE, {M}, (23, 2.9, 0.4, 3.6, 2.2, 79), units=(2, 8)),
    food(15, "Carrots, raw", FoodGroup.VEGETABLE, {M}, (41, 0.9, 0.2, 9.6, 2.8, 69), units=(2, 8)),
    food(16, "Green beans, boiled", FoodGroup.VEGETABLE, {M}, (35, 1.9, 0.3, 7.9, 3.2, 1), units=(2, 10)),
    food(17, "Banana", FoodGroup.FRUIT, {B, S}, (89, 1.1, 0.3, 22.8, 2.6, 1), units=(2, 8)),
    food(18, "Apple", FoodGroup.FRUIT, {B, S}, (52, 0.3, 0.2, 13.8, 2.4, 1), units=(3, 10)),
    food(
        19,
        "Yogurt, Greek, nonfat",
        FoodGroup.DAIRY,
        {B, S},
        (59, 10.2, 0.4, 3.6, 0, 36),
        units=(4, 12),
        flags=frozenset({"milk"}),
        diets=VEGETARIAN,
    ),
    food(
        20,
        "Cheese, cheddar",
        FoodGroup.DAIRY,
        {B, S, M},
        (404, 22.9, 33.3, 3.1, 0, 653),
        step_g=10,
        units=(1, 5),
        flags=frozenset({"milk"}),
        diets=VEGETARIAN,
    ),
    food(
        21,
        "Almonds",
        FoodGroup.NUT_SEED,
        {B, S},
        (579, 21.2, 49.9, 21.6, 12.5, 1),
        step_g=10,
        units=(1, 4),
        flags=frozenset({"tree_nut"}),
    ),
    food(22, "Oil, olive", FoodGroup.FAT, {B, M}, (884, 0, 100, 0, 0, 2), step_g=4.5, units=(1, 4)),
    food(23, "Avocado", FoodGroup.FRUIT, {B, S}, (160, 2.0, 14.7, 8.5, 6.7, 7), units=(2, 8)),
    food(
        24,
        "Chili con carne with beans",
        FoodGroup.DISH,
        {M},
        (110, 8.0, 4.6, 10.0, 3.5, 400),
        units=(6, 16),
        flags=frozenset({"meat"}),
        diets=MEAT,
    ),
    food(
        25, "Vegetable curry with rice", FoodGroup.DISH, {M}, (120, 3.5, 3.5, 19.0, 2.5, 180), units=(6, 16)
    ),
    food(
        26,
        "Cottage cheese, lowfat",
        FoodGroup.DAIRY,
        {B, S},
        (72, 12.4, 1.0, 2.7, 0, 406),
        units=(4, 10),
        flags=frozenset({"milk"}),
        diets=VEGETARIAN,
    ),
]

THREE_MEALS = (
    MealSpec(name="breakfast", slot=B, share=0.3),
    MealSpec(name="lunch", slot=M, share=0.4),
    MealSpec(name="dinner", slot=M, share=0.3),
)
FIVE_MEALS = (
    MealSpec(name="breakfast", slot=B, share=0.2),
    MealSpec(name="morning snack", slot=S, share=0.1),
    MealSpec(name="lunch", slot=M, share=0.3),
    MealSpec(name="afternoon snack", slot=S, share=0.1),
    MealSpec(name="dinner", slot=M, share=0.3),
)
TARGETS = DayTargets(kcal=2000, protein_g=130, fat_g=62, carbs_g=231, fiber_g=28)


def pools(restrictions: Restrictions | None = None) -> dict[PlanSlot, list[Candidate]]:
    safe = [c for c in CATALOGUE if restrictions is None or is_safe(c, restrictions)]
    return {slot: [c for c in safe if slot in c.slots] for slot in PlanSlot}


def recount(result: DayResult) -> Nutrition:
    """Totals recomputed from the per-100 g values and the portions, independently of the solver."""
    by_key = {c.key: c for c in CATALOGUE}
    total = Nutrition()
    for meal in result.meals:
        for item in meal.items:
            total = total + by_key[item.candidate.key].per_unit.scaled(item.units)
    return total


def assert_within_limits(total: Nutrition, targets: DayTargets) -> None:
    assert abs(total.kcal - targets.kcal) <= 0.03 * targets.kcal
    for name in ("protein_g", "fat_g"):
        assert abs(total.value(name) - getattr(targets, name)) <= 0.05 * getattr(targets, name), name
    if targets.net_carbs_max_g is None:
        assert abs(total.carbs_g - targets.carbs_g) <= 0.05 * targets.carbs_g
    else:
        assert total.net_carbs_g <= targets.net_carbs_max_g * 1.05
    assert total.fiber_g >= targets.fiber_g
    assert total.sodium_mg <= 2300


def assert_templates(result: DayResult) -> None:
    seen: list[str] = []
    for meal in result.meals:
        assert 1 <= len(meal.items) <= (2 if meal.spec.slot is S else 4), meal
        groups = [i.candidate.group for i in meal.items]
        assert groups.count(FoodGroup.VEGETABLE) <= 2
        for group in set(groups) - {FoodGroup.VEGETABLE}:
            assert groups.count(group) == 1, (meal.spec.name, group)
        if meal.spec.slot is M:
            assert sum(g in CORE_GROUPS for g in groups) == 1, meal
        scale = portion_scale(meal.spec.share * TARGETS.kcal)
        for item in meal.items:
            c = item.candidate
            assert meal.spec.slot in c.slots
            assert c.min_units <= item.units <= max(c.max_units, int(c.max_units * scale))
            if c.group is not FoodGroup.FAT:
                seen.append(c.key)
    assert len(seen) == len(set(seen)), "a food twice in one day"


@pytest.mark.parametrize("meals", [THREE_MEALS, FIVE_MEALS], ids=["3 meals", "5 meals"])
def test_day_meets_every_limit_with_realistic_meals(meals: tuple[MealSpec, ...]) -> None:
    result = solve_day(DayProblem(targets=TARGETS, meals=meals), pools(), seed=7)
    assert result.feasible, result.message
    assert all(report.slack == 0 for report in result.limits)
    assert_within_limits(recount(result), TARGETS)
    assert_templates(result)


def test_each_meal_stays_near_its_share_of_the_day() -> None:
    result = solve_day(DayProblem(targets=TARGETS, meals=THREE_MEALS), pools(), seed=3)
    for meal in result.meals:
        share = meal.nutrition.kcal / result.nutrition.kcal
        assert abs(share - meal.spec.share) <= 0.35 * meal.spec.share, (meal.spec.name, share)


def test_same_seed_gives_the_same_week_and_another_seed_another() -> None:
    problems = [DayProblem(targets=TARGETS, meals=THREE_MEALS)] * 7

    def keys(seed: int) -> list[list[tuple[str, int]]]:
        return [
            [(i.candidate.key, i.units) for m in day.meals for i in m.items]
            for day in solve_days(problems, pools(), seed=seed)
        ]

    assert keys(11) == keys(11)
    assert keys(11) != keys(12)


def test_a_week_rotates_dishes_and_proteins_within_their_weekly_caps() -> None:
    week = solve_days([DayProblem(targets=TARGETS, meals=THREE_MEALS)] * 7, pools(), seed=5)
    assert all(day.feasible for day in week)
    uses: dict[str, int] = {}
    for day in week:
        for meal in day.meals:
            for item in meal.items:
                uses[item.candidate.key] = uses.get(item.candidate.key, 0) + 1
    by_key = {c.key: c for c in CATALOGUE}
    for key, count in uses.items():
        group = by_key[key].group
        if group is FoodGroup.DISH:
            assert count <= 2, key
        elif group in (FoodGroup.PROTEIN, FoodGroup.LEGUME):
            assert count <= 3, key
    mains = {i.candidate.key for d in week for m in d.meals if m.spec.slot is M for i in m.items}
    assert len(mains & {c.key for c in CATALOGUE if c.group in CORE_GROUPS}) >= 5


def test_fixed_items_stay_as_they_are_and_banned_ones_never_appear() -> None:
    salmon = next(c for c in CATALOGUE if c.name.startswith("Salmon"))
    problem = DayProblem(
        targets=TARGETS,
        meals=THREE_MEALS,
        fixed=(FixedItem(meal=2, candidate=salmon, units=6),),
        banned_keys=frozenset({"food:1", "food:8"}),
    )
    result = solve_day(problem, pools(), seed=1)
    assert result.feasible, result.message
    dinner = {i.candidate.key: i for i in result.meals[2].items}
    assert dinner[salmon.key].units == 6
    assert dinner[salmon.key].fixed
    used = {i.candidate.key for m in result.meals for i in m.items}
    assert not used & {"food:1", "food:8"}


def test_a_forced_item_without_units_gets_a_portion_that_rebalances_the_day() -> None:
    lentils = next(c for c in CATALOGUE if c.name.startswith("Lentils"))
    problem = DayProblem(targets=TARGETS, meals=THREE_MEALS, fixed=(FixedItem(meal=1, candidate=lentils),))
    result = solve_day(problem, pools(), seed=2)
    assert result.feasible
    placed = [i for i in result.meals[1].items if i.candidate.key == lentils.key]
    assert len(placed) == 1
    assert lentils.min_units <= placed[0].units


def test_locked_meal_keeps_only_its_items() -> None:
    egg = next(c for c in CATALOGUE if c.name.startswith("Egg"))
    oats = next(c for c in CATALOGUE if c.name.startswith("Oats"))
    problem = DayProblem(
        targets=TARGETS,
        meals=THREE_MEALS,
        fixed=(FixedItem(meal=0, candidate=egg, units=2), FixedItem(meal=0, candidate=oats, units=8)),
        locked_meals=frozenset({0}),
    )
    result = solve_day(problem, pools(), seed=4)
    assert [(i.candidate.key, i.units) for i in result.meals[0].items] == [(egg.key, 2), (oats.key, 8)]
    assert result.feasible, result.message


def test_keto_caps_net_carbs_instead_of_a_carb_band() -> None:
    targets = DayTargets(kcal=1900, protein_g=110, fat_g=150, carbs_g=45, fiber_g=18, net_carbs_max_g=27)
    keto = Restrictions(diet=Diet.KETO)
    result = solve_day(DayProblem(targets=targets, meals=THREE_MEALS, fat_share=0.6), pools(keto), seed=9)
    assert result.feasible, result.message
    total = recount(result)
    assert total.net_carbs_g <= 27
    assert_within_limits(total, targets)


def test_kosher_meals_never_hold_meat_and_dairy_together() -> None:
    kosher = Restrictions(diet=Diet.KOSHER)
    for seed in range(4):
        result = solve_day(
            DayProblem(targets=TARGETS, meals=THREE_MEALS, kosher=True), pools(kosher), seed=seed
        )
        for meal in result.meals:
            flags = [i.candidate.flags for i in meal.items]
            assert not (any("meat" in f for f in flags) and any("milk" in f for f in flags)), meal


def test_impossible_targets_answer_with_the_binding_limit_and_the_nearest_plan() -> None:
    """Vegan, 300 g protein in 1,400 kcal: no exception, the protein limit is named, a plan comes back."""
    vegan = Restrictions(diet=Diet.VEGAN)
    targets = DayTargets(kcal=1400, protein_g=300, fat_g=30, carbs_g=10, fiber_g=20)
    result = solve_day(DayProblem(targets=targets, meals=THREE_MEALS), pools(vegan), seed=1)
    assert not result.feasible
    assert result.binding == "protein_g"
    assert result.message is not None
    assert "protein" in result.message
    protein = next(r for r in result.limits if r.nutrient == "protein_g")
    assert protein.slack > 0
    assert protein.value < 300
    assert all(meal.items for meal in result.meals)
    assert all(is_safe(i.candidate, vegan) for m in result.meals for i in m.items)


def test_nothing_to_eat_is_an_answer_too() -> None:
    result = solve_day(DayProblem(targets=TARGETS, meals=THREE_MEALS), {}, seed=1)
    assert not result.feasible
    assert all(not meal.items for meal in result.meals)
    missed = {r.nutrient for r in result.limits if r.slack > 0}
    assert missed == {"kcal", "protein_g", "fat_g", "carbs_g", "fiber_g"}
    assert result.binding in missed
    assert result.message


def test_week_state_counts_uses_and_caps() -> None:
    state = WeekState()
    dish = next(c for c in CATALOGUE if c.group is FoodGroup.DISH)
    result = solve_day(
        DayProblem(targets=TARGETS, meals=THREE_MEALS, fixed=(FixedItem(meal=1, candidate=dish, units=10),)),
        pools(),
        seed=1,
    )
    state.record(result)
    state.record(result)
    assert state.uses[dish.key] == 2
    assert state.capped(dish)


def test_an_lp_choice_that_breaks_the_templates_is_trimmed_to_them() -> None:
    """The nearest plan's fallback when diving finds no template-true choice: the plain LP's choice cut
    down greedily, largest first. Here lunch has two proteins, two starches and five items; dinner's only
    food is lunch's rice: dinner keeps it anyway rather than stay empty."""
    import numpy as np

    from tools.nutrition.solver import _Option, _trimmed

    by_name = {c.name.split(",")[0]: c for c in CATALOGUE}
    lunch = ["Chicken breast", "Salmon", "Rice", "Potato", "Broccoli", "Spinach"]
    options = [_Option(1, by_name[n], None, by_name[n].max_units) for n in lunch]
    options += [_Option(2, by_name["Rice"], None, by_name["Rice"].max_units)]
    options += [_Option(0, by_name["Banana"], None, 8), _Option(0, by_name["Apple"], None, 10)]
    amounts = np.array([4.0, 3.0, 5.0, 2.0, 3.0, 2.0, 4.0, 0.0, 0.0])
    kept = _trimmed(DayProblem(targets=TARGETS, meals=THREE_MEALS), options, amounts)
    lunch_kept = [options[k].candidate.name.split(",")[0] for k in range(6) if kept[k] > 0]
    assert lunch_kept == ["Chicken breast", "Rice", "Broccoli", "Spinach"]  # one core, one starch, ≤ 4
    assert kept[6] == 4.0  # dinner's only food, though lunch has rice too
    assert kept[7] == kept[8] == 0.0


def test_wider_pools_are_tried_only_when_the_pool_falls_short() -> None:
    """A pool without enough protein misses the targets; the wider pool (taken lazily) meets them."""
    protein_poor = {
        slot: [c for c in pool if c.group not in (FoodGroup.PROTEIN, FoodGroup.DAIRY)]
        for slot, pool in pools().items()
    }
    taken: list[int] = []

    def wider() -> Iterator[dict[PlanSlot, list[Candidate]]]:
        taken.append(1)
        yield pools()

    problem = DayProblem(targets=TARGETS, meals=THREE_MEALS)
    assert not solve_day(problem, protein_poor, seed=7).feasible
    result = solve_day(problem, protein_poor, seed=7, wider_pools=wider())
    assert result.feasible, result.message
    assert_templates(result)
    assert taken == [1]
    taken.clear()
    assert solve_day(problem, pools(), seed=7, wider_pools=wider()).feasible
    assert taken == []  # never built when the pool suffices
