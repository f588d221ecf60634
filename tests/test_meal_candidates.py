"""What the planner may serve: the safety filter (allergies, diet, dislikes, removed foods), portion steps,
recipe flags, and, on the real knowledge base, an independent re-check of every candidate the filter lets
through for a set of restrictive profiles against the raw flags in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from store.db import Database
from store.models.knowledge import Food, FoodGroup, PrepState, Recipe, RecipeNutrition
from store.vocabulary import Diet
from tools.nutrition.candidates import (
    Candidate,
    Catalogue,
    Nutrition,
    PlanSlot,
    Restrictions,
    food_candidate,
    load_catalogue,
    matches_term,
    personal_candidates,
    portion_rule,
    prune_pool,
    recipe_candidate,
    violations,
)


def candidate(name: str = "Food", **kw: object) -> Candidate:
    values: dict[str, object] = {
        "key": "food:1",
        "food_id": 1,
        "name": name,
        "group": FoodGroup.PROTEIN,
        "slots": frozenset({PlanSlot.MAIN}),
        "per_unit": Nutrition(kcal=40, protein_g=8),
        "diets": frozenset(Diet),
    } | kw
    return Candidate.model_validate(values)


class TestViolations:
    def test_an_allergen_flag_rules_a_food_out(self) -> None:
        peanut = candidate("Peanut butter", flags=frozenset({"peanut"}))
        assert violations(peanut, Restrictions(allergies=frozenset({"peanut"}))) == ["contains peanut"]
        assert violations(peanut, Restrictions(allergies=frozenset({"tree_nut"}))) == []

    def test_a_gluten_allergy_also_rules_out_wheat(self) -> None:
        bread = candidate("Bread", flags=frozenset({"wheat"}))
        assert "contains wheat" in violations(bread, Restrictions(allergies=frozenset({"gluten"})))

    @pytest.mark.parametrize(
        ("diet", "flags", "diets", "safe"),
        [
            (Diet.VEGAN, frozenset(), frozenset({Diet.VEGAN}), True),
            (Diet.VEGAN, frozenset({"milk"}), frozenset({Diet.VEGAN}), False),  # marks disagree: out
            (Diet.VEGAN, frozenset(), frozenset({Diet.VEGETARIAN}), False),  # not known to be vegan
            (Diet.VEGETARIAN, frozenset({"meat"}), frozenset({Diet.VEGETARIAN}), False),
            (Diet.PESCATARIAN, frozenset({"fish"}), frozenset({Diet.PESCATARIAN}), True),
            (Diet.HALAL, frozenset({"pork", "meat"}), frozenset({Diet.HALAL}), False),
            (Diet.HALAL, frozenset({"alcohol"}), frozenset({Diet.HALAL}), False),
            (Diet.KOSHER, frozenset({"shellfish"}), frozenset({Diet.KOSHER}), False),
            (Diet.KETO, frozenset(), frozenset({Diet.OMNIVORE}), False),
            (Diet.OMNIVORE, frozenset({"pork", "meat"}), frozenset(), True),
        ],
    )
    def test_diets_need_the_mark_and_no_forbidden_flag(
        self, diet: Diet, flags: frozenset[str], diets: frozenset[Diet], safe: bool
    ) -> None:
        food = candidate(flags=flags, diets=diets)
        assert (violations(food, Restrictions(diet=diet)) == []) is safe

    @pytest.mark.parametrize(
        ("description", "term", "matches"),
        [
            ("Mushrooms, white, raw", "mushroom", True),
            ("Soup, cream of mushroom", "mushrooms", True),
            ("Cherries, sweet, raw", "cherry", True),
            ("Tomatoes, red, ripe", "tomato", True),
            ("Oil, olive, salad or cooking", "olives", True),
            ("Peaches, raw", "peas", False),
            ("Eggplant, raw", "egg", False),
            ("Liverwurst spread", "liver", True),
            ("McDONALD'S, McCHICKEN Sandwich", "chicken", True),
            ("Peanuts, all types, raw", "peanut butter", False),
            ("Beef, ground, 85% lean", "ground beef", False),
        ],
    )
    def test_disliked_foods_match_whole_words_singular_or_plural(
        self, description: str, term: str, matches: bool
    ) -> None:
        assert matches_term(description, term) is matches

    def test_a_recipe_with_a_disliked_or_removed_ingredient_is_out(self) -> None:
        soup = candidate(
            "Farmhouse soup", key="recipe:3", food_id=None, recipe_id=3,
            ingredient_names=("mushrooms", "Mushrooms, white, raw"), ingredient_food_ids=(11260,),
        )  # fmt: skip
        assert violations(soup, Restrictions(disliked=("mushroom",))) == ["disliked: mushrooms"]
        assert violations(soup, Restrictions(excluded_food_ids=frozenset({11260}))) == [
            "removed from the plan by the user"
        ]


class TestPortions:
    def test_eggs_are_whole_large_eggs(self) -> None:
        rule = portion_rule(
            FoodGroup.PROTEIN, "Egg, whole, cooked, scrambled", [(1, "large", 61), (1, "cup", 220)]
        )
        assert (rule.unit_grams, rule.measure, rule.whole, rule.min_units, rule.max_units) == (
            61,
            "large egg",
            True,
            1,
            4,
        )

    def test_oil_is_counted_in_teaspoons(self) -> None:
        rule = portion_rule(
            FoodGroup.FAT, "Oil, olive, salad or cooking", [(1, "tbsp", 13.5), (1, "tsp", 4.5)]
        )
        assert (rule.unit_grams, rule.measure) == (4.5, "tsp")

    def test_bread_is_whole_slices(self) -> None:
        rule = portion_rule(FoodGroup.STARCH, "Bread, whole-wheat", [(1, "slice", 32), (1, "oz", 28.35)])
        assert (rule.unit_grams, rule.measure, rule.whole) == (32, "slice", True)

    def test_milk_is_half_cups(self) -> None:
        rule = portion_rule(FoodGroup.DAIRY, "Milk, reduced fat, fluid, 2% milkfat", [(1, "cup", 244)])
        assert (rule.unit_grams, rule.measure, rule.amount) == (122, "cup", 0.5)

    def test_ready_to_eat_cereal_is_weighed_in_small_steps(self) -> None:
        rule = portion_rule(FoodGroup.STARCH, "Cereals ready-to-eat, granola", [], "Breakfast Cereals")
        assert (rule.unit_grams, rule.min_units, rule.max_units) == (10, 3, 9)

    def test_other_foods_use_gram_steps_within_group_bounds(self) -> None:
        rule = portion_rule(FoodGroup.PROTEIN, "Chicken, breast, roasted", [(1, "oz", 28.35)])
        assert (rule.unit_grams, rule.min_units, rule.max_units) == (25, 3, 12)

    def test_household_text_reads_naturally(self) -> None:
        egg = candidate(unit_grams=50, unit_measure="large egg")
        milk = candidate(unit_grams=122, unit_measure="cup", unit_amount=0.5)
        stew = candidate(unit_servings=0.5, unit_grams=150)
        rice = candidate(unit_grams=25)
        assert [egg.household(2), milk.household(3), stew.household(3), rice.household(6)] == [
            "2 large egg", "1½ cup", "1½ servings", "150 g",
        ]  # fmt: skip


def _food(**kw: object) -> Food:
    values: dict[str, object] = {
        "id": 10, "description": "Chicken, breast, roasted", "category": "Poultry Products",
        "food_group": FoodGroup.PROTEIN, "slot_hints": ["main"], "prep_state": PrepState.COOKED,
        "allergens": [], "diets": [], "contains_pork": False, "contains_alcohol": False, "search_boost": 0.1,
    } | kw  # fmt: skip
    return Food(**values)


def test_raw_meat_and_dry_staples_are_not_portioned() -> None:
    nutrients = type(
        "N", (), {"kcal": 120, "protein_g": 22, "fat_g": 3, "carbs_g": 0, "fiber_g": None, "sodium_mg": 60}
    )
    assert food_candidate(_food(prep_state=PrepState.RAW), nutrients, []) is None  # type: ignore[arg-type]
    cooked = food_candidate(_food(), nutrients, [])  # type: ignore[arg-type]
    assert cooked is not None
    assert "meat" in cooked.flags
    assert Diet.VEGETARIAN not in cooked.diets
    no_sodium = type("N", (), {**vars(nutrients), "sodium_mg": None})
    assert food_candidate(_food(), no_sodium, []) is None  # type: ignore[arg-type]


def test_a_recipe_inherits_every_ingredient_flag_and_only_the_shared_diets() -> None:
    recipe = Recipe(
        id=5, title="Satay noodles", slot_hints=["main"], allergens=["wheat"], diets=["vegan", "vegetarian"],
        contains_pork=False, contains_alcohol=False, planner_ready=True,
    )  # fmt: skip
    nutrition = RecipeNutrition(
        recipe_id=5, servings=4, grams_per_serving=300, kcal=520, protein_g=18, fat_g=22, carbs_g=60,
        fiber_g=6, sodium_mg=700, coverage=1.0,
    )  # fmt: skip
    peanut = _food(id=16, description="Peanut butter, smooth", allergens=["peanut"], diets=["vegetarian"])
    found = recipe_candidate(recipe, nutrition, [("peanut butter", peanut), ("noodles", None)])
    assert found is not None
    assert {"peanut", "wheat"} <= found.flags
    assert Diet.VEGAN not in found.diets
    assert Diet.VEGETARIAN in found.diets
    assert found.per_unit.kcal == pytest.approx(260)
    assert found.unit_servings == 0.5


def test_pools_keep_liked_foods_and_one_food_per_family() -> None:
    eggs = [candidate(f"Egg, whole, cooked, style {i}", key=f"food:{i}", food_id=i) for i in range(5)]
    liked = candidate("Tofu, firm", key="food:99", food_id=99, group=FoodGroup.LEGUME, preference=1.0)
    pool = prune_pool(
        [*eggs, liked], PlanSlot.MAIN, seed=1, quotas={FoodGroup.PROTEIN: 3, FoodGroup.LEGUME: 1}
    )
    names = [c.name for c in pool]
    assert "Tofu, firm" in names
    assert sum(n.startswith("Egg, whole") for n in names) == 1


# --- On the real knowledge base -------------------------------------------------------------------------

PROFILES = [
    Restrictions(diet=Diet.VEGAN, allergies=frozenset({"soy", "gluten"})),
    Restrictions(diet=Diet.VEGETARIAN, allergies=frozenset({"peanut", "tree_nut", "sesame"})),
    Restrictions(diet=Diet.PESCATARIAN, allergies=frozenset({"milk", "egg"})),
    Restrictions(diet=Diet.HALAL, allergies=frozenset({"shellfish", "fish"})),
    Restrictions(diet=Diet.KOSHER, disliked=("mushroom", "chicken")),
    Restrictions(diet=Diet.OMNIVORE, allergies=frozenset({"wheat", "milk", "egg", "soy"})),
]


@pytest.fixture(scope="module")
def catalogue(knowledge: Database) -> Catalogue:
    with knowledge.session() as session:
        return load_catalogue(session)


def _raw_flags(
    session: Session, candidates: list[Candidate]
) -> dict[str, tuple[set[str], set[str], bool, bool, list[str]]]:
    """(allergens, diets, pork, alcohol, texts) per candidate key, read straight from the tables: a food's
    own row; a recipe's row united with every ingredient's food row."""
    found: dict[str, tuple[set[str], set[str], bool, bool, list[str]]] = {}
    food_ids = [c.food_id for c in candidates if c.food_id is not None]
    for row in session.execute(
        text(
            "SELECT id, description, allergens, diets, contains_pork, contains_alcohol FROM foods "
            "WHERE id = ANY(:ids)"
        ),
        {"ids": food_ids},
    ):
        found[f"food:{row.id}"] = (
            set(row.allergens),
            set(row.diets),
            row.contains_pork,
            row.contains_alcohol,
            [row.description],
        )
    recipe_ids = [c.recipe_id for c in candidates if c.recipe_id is not None]
    for row in session.execute(
        text(
            "SELECT r.id, r.title, r.allergens, r.diets, r.contains_pork, r.contains_alcohol, "
            "array_agg(i.name) AS names, array_agg(f.description) AS foods, "
            "array_agg(array_to_string(f.allergens, ',')) AS food_allergens, "
            "bool_or(coalesce(f.contains_pork, false)) AS pork, "
            "bool_or(coalesce(f.contains_alcohol, false)) AS alcohol "
            "FROM recipes r JOIN recipe_ingredients i ON i.recipe_id = r.id "
            "LEFT JOIN foods f ON f.id = i.food_id "
            "WHERE r.id = ANY(:ids) GROUP BY r.id"
        ),
        {"ids": recipe_ids},
    ):
        allergens = set(row.allergens) | {
            a for joined in row.food_allergens if joined for a in joined.split(",")
        }
        texts = [row.title, *[n for n in row.names if n], *[f for f in row.foods if f]]
        found[f"recipe:{row.id}"] = (
            allergens,
            set(row.diets),
            row.contains_pork or row.pork,
            row.contains_alcohol or row.alcohol,
            texts,
        )
    return found


@pytest.mark.parametrize(
    "restrictions", PROFILES, ids=lambda r: f"{r.diet.value}-{'-'.join(sorted(r.allergies)) or 'dislikes'}"
)
def test_every_candidate_let_through_is_safe_by_the_raw_flags(
    catalogue: Catalogue, knowledge: Database, restrictions: Restrictions
) -> None:
    safe = personal_candidates(catalogue, restrictions)
    assert len(safe) > 200
    with knowledge.session() as session:
        raw = _raw_flags(session, safe)
    forbidden = set(restrictions.allergies) | ({"wheat"} if "gluten" in restrictions.allergies else set())
    for c in safe:
        allergens, diets, pork, alcohol, texts = raw[c.key]
        assert not allergens & forbidden, (c.name, allergens)
        if restrictions.diet in (Diet.VEGAN, Diet.VEGETARIAN, Diet.PESCATARIAN):
            assert restrictions.diet.value in diets, c.name
            assert not pork
        if restrictions.diet in (Diet.HALAL, Diet.KOSHER):
            assert not pork, c.name
            assert not alcohol, c.name
        if restrictions.diet is Diet.KOSHER:
            assert "shellfish" not in allergens, c.name
        for term in restrictions.disliked:
            assert not any(term in t.lower() for t in texts), (c.name, term)


def test_the_real_catalogue_offers_every_role_for_every_slot(catalogue: Catalogue) -> None:
    groups = {slot: {c.group for c in catalogue.candidates if slot in c.slots} for slot in PlanSlot}
    assert {
        FoodGroup.PROTEIN,
        FoodGroup.LEGUME,
        FoodGroup.STARCH,
        FoodGroup.VEGETABLE,
        FoodGroup.DISH,
        FoodGroup.FAT,
    } <= groups[PlanSlot.MAIN]
    assert {FoodGroup.STARCH, FoodGroup.DAIRY, FoodGroup.FRUIT} <= groups[PlanSlot.BREAKFAST]
    assert {FoodGroup.FRUIT, FoodGroup.DAIRY, FoodGroup.NUT_SEED} <= groups[PlanSlot.SNACK]
    assert any(c.recipe_id is not None for c in catalogue.candidates)
    assert all(c.per_unit.kcal > 0 and c.min_units <= c.max_units for c in catalogue.candidates)
