"""Prepared foods whose names do not list their ingredients. Meat analogues named only by brand
("WORTHINGTON Choplets", "MORNINGSTAR FARMS Chik Patties") are wheat gluten and soy, often with egg white
and milk: never safe for those allergies, nor vegan unless they say so (found when a soy- and
wheat-allergic vegan's plan offered Choplets). Commercial dressings, protein and meal-replacement
products, bars and drink mixes likewise (found by listing the branded foods that had no allergen)."""

from __future__ import annotations

import pytest

from knowledge.flags import food_flags, text_flags
from store.vocabulary import Allergen, Diet

LEGUMES = "Legumes and Legume Products"
GLUTEN_SOY = {Allergen.SOY, Allergen.WHEAT, Allergen.GLUTEN}


@pytest.mark.parametrize(
    "description",
    [
        "WORTHINGTON Choplets, canned, unprepared",
        "WORTHINGTON Vegetable Skallops, canned, unprepared",
        "LOMA LINDA Linketts, canned, unprepared",
        "MORNINGSTAR FARMS Chik Patties, frozen, unprepared",
        "GARDENBURGER Original, frozen, unprepared",
        "Sausage, meatless",
        "Vegetarian fillets",
        "Veggie burgers or soyburgers, unprepared",
    ],
)
def test_a_meat_analogue_may_hold_gluten_soy_egg_and_milk(description: str) -> None:
    flags = food_flags(description, LEGUMES)
    assert GLUTEN_SOY | {Allergen.MILK, Allergen.EGG} <= flags.allergens
    assert Diet.VEGAN not in flags.diets
    assert Diet.VEGETARIAN in flags.diets  # meatless all the same


def test_a_vegan_analogue_stays_vegan_and_still_holds_gluten_and_soy() -> None:
    flags = food_flags("MORNINGSTAR FARMS Grillers Vegan, frozen, unprepared", LEGUMES)
    assert flags.allergens >= GLUTEN_SOY
    assert not {Allergen.MILK, Allergen.EGG} & flags.allergens
    assert Diet.VEGAN in flags.diets


@pytest.mark.parametrize(
    ("description", "allergens"),
    [
        ("Beans, baked, canned, plain or vegetarian", set()),
        ("Refried beans, canned, vegetarian", set()),
        ("HOUSE FOODS Premium Firm Tofu", {Allergen.SOY}),
        ("Lentils, mature seeds, cooked, boiled, without salt", set()),
    ],
)
def test_plain_legumes_are_not_analogues(description: str, allergens: set[Allergen]) -> None:
    flags = food_flags(description, LEGUMES)
    assert flags.allergens == allergens
    assert Diet.VEGAN in flags.diets


@pytest.mark.parametrize(
    ("description", "category", "allergens"),
    [
        ("Salad dressing, ranch dressing, regular", "Fats and Oils", {Allergen.MILK, Allergen.EGG}),
        ("Salad dressing, KRAFT MIRACLE WHIP FREE Nonfat Dressing", "Fats and Oils", {Allergen.EGG}),
        ("Salad dressing, thousand island, commercial, regular", "Fats and Oils", {Allergen.EGG}),
        ("Beverages, NESTLE, Boost plus, nutritional drink, ready-to-drink", "Beverages", {Allergen.MILK}),
        (
            "Beverages, UNILEVER, SLIMFAST, meal replacement, regular, ready-to-drink,  3-2-1 Plan",
            "Beverages",
            {Allergen.MILK, Allergen.SOY},
        ),
        ("Beverages, KELLOGG'S SPECIAL K20 protein powder", "Beverages", {Allergen.MILK, Allergen.SOY}),
        ("Formulated Bar, SOUTH BEACH protein bar", "Snacks", {Allergen.PEANUT, Allergen.TREE_NUT}),
        ("USDA Commodity, beef patties with VPP, frozen, cooked", "Beef Products", {Allergen.SOY}),
        ("Beverages, coffee, instant, mocha, sweetened", "Beverages", {Allergen.MILK}),
        ("Beverages, Horchata, as served in restaurant", "Beverages", {Allergen.MILK}),
    ],
)
def test_prepared_foods_flag_what_such_products_hold(
    description: str, category: str, allergens: set[Allergen]
) -> None:
    flags = food_flags(description, category)
    assert flags.allergens >= allergens
    if flags.allergens & {Allergen.MILK, Allergen.EGG}:
        assert Diet.VEGAN not in flags.diets


@pytest.mark.parametrize(
    "description",
    ["Salad dressing, home recipe, vinegar and oil", "Salad dressing, french, home recipe"],
)
def test_a_home_vinaigrette_is_not_a_commercial_dressing(description: str) -> None:
    assert food_flags(description, "Fats and Oils").allergens == set()


@pytest.mark.parametrize(
    ("text", "allergens"),
    [
        ("2 tbsp pesto", {Allergen.MILK, Allergen.TREE_NUT}),  # parmesan and pine nuts
        ("caesar dressing", {Allergen.MILK, Allergen.EGG, Allergen.FISH}),
        ("1 cup bechamel sauce", {Allergen.MILK, Allergen.WHEAT}),
        ("tempura batter", {Allergen.WHEAT, Allergen.EGG}),
        ("pad thai sauce", {Allergen.FISH, Allergen.PEANUT}),
        ("tiramisu", {Allergen.MILK, Allergen.EGG}),
        ("hollandaise", {Allergen.MILK, Allergen.EGG}),
        ("baklava", {Allergen.WHEAT, Allergen.TREE_NUT}),
        ("nougat", {Allergen.EGG}),
        ("frangipane", {Allergen.EGG, Allergen.TREE_NUT}),
        ("1 cup muesli", {Allergen.TREE_NUT}),
        ("nutella", {Allergen.MILK, Allergen.TREE_NUT}),
    ],
)
def test_dishes_and_preparations_name_what_they_are_made_of(text: str, allergens: set[Allergen]) -> None:
    """Ingredient lines and dish names whose allergens are in their recipe, not their words."""
    assert text_flags(text).allergens >= allergens


def test_kimchi_holds_fish_and_shrimp_unless_vegan() -> None:
    assert text_flags("1 cup kimchi").allergens >= {Allergen.FISH, Allergen.SHELLFISH}
    assert Diet.VEGETARIAN not in text_flags("kimchi").diets
    assert Diet.VEGAN in text_flags("vegan kimchi").diets


@pytest.mark.parametrize("text", ["Cheese, parmesan, grated", "50 g parmigiano reggiano", "pecorino romano"])
def test_rennet_cheeses_are_not_vegetarian(text: str) -> None:
    """Parmigiano Reggiano, Pecorino Romano and Grana Padano are made with calf rennet by their rules."""
    assert Diet.VEGETARIAN not in text_flags(text).diets
    assert Diet.VEGETARIAN in text_flags("mozzarella").diets
    assert Diet.VEGETARIAN in text_flags("vegetarian parmesan").diets
