"""Allergen and diet flags: the tricky cases, both ways. A food must never look safer than it is."""

from __future__ import annotations

import pytest

from knowledge.flags import food_flags, text_flags
from store.vocabulary import Allergen, Diet

A = Allergen


@pytest.mark.parametrize(
    ("description", "category", "must_have", "must_not_have"),
    [
        # peanut butter is a peanut, not dairy
        ("Peanut butter, smooth style, with salt", "Legumes and Legume Products", {A.PEANUT}, {A.MILK}),
        # almond milk is a tree nut, not dairy
        (
            "Beverages, almond milk, sweetened, vanilla flavor, ready-to-drink",
            "Beverages",
            {A.TREE_NUT},
            {A.MILK},
        ),
        (
            "Nuts, coconut milk, raw (liquid expressed from grated meat and water)",
            "Nut and Seed Products",
            {A.TREE_NUT},
            {A.MILK},
        ),
        ("Soymilk, original and vanilla, unfortified", "Legumes and Legume Products", {A.SOY}, {A.MILK}),
        # eggplant is not egg
        ("Eggplant, raw", "Vegetables and Vegetable Products", set(), {A.EGG}),
        # buckwheat is not wheat (nor gluten)
        ("Buckwheat flour, whole-groat", "Cereal Grains and Pasta", set(), {A.WHEAT, A.GLUTEN}),
        ("Buckwheat groats, roasted, cooked", "Cereal Grains and Pasta", set(), {A.WHEAT, A.GLUTEN}),
        # water chestnuts are corms, butternut squash is a squash, nutmeg is a seed
        ("Water chestnuts, chinese, (matai), raw", "Vegetables and Vegetable Products", set(), {A.TREE_NUT}),
        ("Squash, winter, butternut, raw", "Vegetables and Vegetable Products", set(), {A.TREE_NUT}),
        ("Spices, nutmeg, ground", "Spices and Herbs", set(), {A.TREE_NUT, A.PEANUT}),
        # oyster mushrooms are not shellfish; scalloped potatoes are not scallops (but have butter)
        ("Mushrooms, oyster, raw", "Vegetables and Vegetable Products", set(), {A.SHELLFISH}),
        (
            "Potatoes, scalloped, home-prepared with butter",
            "Vegetables and Vegetable Products",
            {A.MILK},
            {A.SHELLFISH},
        ),
        # the real things are flagged
        ("Egg, whole, raw, fresh", "Dairy and Egg Products", {A.EGG}, {A.MILK}),
        ("Milk, whole, 3.25% milkfat, with added vitamin D", "Dairy and Egg Products", {A.MILK}, set()),
        ("Eggnog", "Dairy and Egg Products", {A.MILK, A.EGG}, set()),
        ("Noodles, egg, cooked, enriched", "Cereal Grains and Pasta", {A.EGG, A.WHEAT, A.GLUTEN}, set()),
        ("Nuts, almonds", "Nut and Seed Products", {A.TREE_NUT}, {A.PEANUT}),
        (
            "Nuts, mixed nuts, dry roasted, with peanuts, with salt added",
            "Nut and Seed Products",
            {A.TREE_NUT, A.PEANUT},
            set(),
        ),
        (
            "Seeds, sesame butter, tahini, from roasted and toasted kernels",
            "Nut and Seed Products",
            {A.SESAME},
            {A.TREE_NUT},
        ),
        ("Hummus, commercial", "Legumes and Legume Products", {A.SESAME}, set()),
        ("Crustaceans, shrimp, raw", "Finfish and Shellfish Products", {A.SHELLFISH}, {A.FISH}),
        ("Fish, salmon, Atlantic, farmed, raw", "Finfish and Shellfish Products", {A.FISH}, {A.SHELLFISH}),
        ("Sauce, worcestershire", "Soups, Sauces, and Gravies", {A.FISH}, set()),
        (
            "Soy sauce made from soy and wheat (shoyu)",
            "Legumes and Legume Products",
            {A.SOY, A.WHEAT, A.GLUTEN},
            set(),
        ),
        ("Bread, whole-wheat, commercially prepared", "Baked Products", {A.WHEAT, A.GLUTEN}, set()),
        ("Cereals, oats, regular and quick, not fortified, dry", "Breakfast Cereals", {A.GLUTEN}, set()),
        ("Barley, pearled, raw", "Cereal Grains and Pasta", {A.GLUTEN}, set()),
        # composite foods are assumed to contain the common allergens: when unsure, flag
        (
            "Fast foods, hamburger; single, regular patty; plain",
            "Fast Foods",
            {A.MILK, A.EGG, A.WHEAT},
            set(),
        ),
        ("Candies, MARS SNACKFOOD US, SNICKERS Bar", "Sweets", {A.PEANUT, A.MILK}, set()),
        ("Margarine, regular, 80% fat, composite, stick, with salt", "Fats and Oils", {A.MILK}, set()),
    ],
)
def test_allergen_flags(
    description: str, category: str, must_have: set[Allergen], must_not_have: set[Allergen]
) -> None:
    flags = food_flags(description, category)
    assert must_have <= flags.allergens, flags.reasons
    assert not (must_not_have & flags.allergens), flags.reasons


@pytest.mark.parametrize(
    ("description", "category", "diets"),
    [
        ("Peanut butter, smooth style, with salt", "Legumes and Legume Products", {"vegan", "vegetarian"}),
        ("Beans, kidney, red, mature seeds, raw", "Legumes and Legume Products", {"vegan", "vegetarian"}),
        ("Artichokes, (globe or french), raw", "Vegetables and Vegetable Products", {"vegan"}),
        ("Nuts, coconut meat, raw", "Nut and Seed Products", {"vegan"}),
        ("Cheese, feta", "Dairy and Egg Products", {"vegetarian", "pescatarian"}),
        ("Fish, cod, Atlantic, raw", "Finfish and Shellfish Products", {"pescatarian"}),
        ("Sausage, meatless", "Legumes and Legume Products", {"vegetarian"}),
    ],
)
def test_diets_known_to_suit(description: str, category: str, diets: set[str]) -> None:
    assert diets <= {d.value for d in food_flags(description, category).diets}


@pytest.mark.parametrize(
    ("description", "category", "not_suited"),
    [
        ("Honey", "Sweets", {Diet.VEGAN}),
        ("Egg, whole, raw, fresh", "Dairy and Egg Products", {Diet.VEGAN}),
        ("Fish, cod, Atlantic, raw", "Finfish and Shellfish Products", {Diet.VEGAN, Diet.VEGETARIAN}),
        (
            "Chicken, broilers or fryers, breast, meat only, raw",
            "Poultry Products",
            set(Diet) & {Diet.VEGAN, Diet.VEGETARIAN, Diet.PESCATARIAN},
        ),
        ("Candies, marshmallows", "Sweets", {Diet.VEGAN, Diet.VEGETARIAN}),
        ("Lard", "Fats and Oils", {Diet.VEGAN, Diet.VEGETARIAN, Diet.PESCATARIAN}),
        ("Fish sauce, ready-to-serve", "Finfish and Shellfish Products", {Diet.VEGAN, Diet.VEGETARIAN}),
        # a mixed dish whose meat content is not stated suits no diet
        (
            "Soup, minestrone, canned, reduced sodium, ready-to-serve",
            "Soups, Sauces, and Gravies",
            {Diet.VEGAN, Diet.VEGETARIAN},
        ),
    ],
)
def test_diets_not_claimed(description: str, category: str, not_suited: set[Diet]) -> None:
    assert not (not_suited & food_flags(description, category).diets)


def test_pork_and_alcohol_for_halal_and_kosher() -> None:
    assert food_flags("Pork, cured, bacon, unprepared", "Pork Products").contains_pork
    assert food_flags("Bologna, pork and turkey", "Sausages and Luncheon Meats").contains_pork
    assert food_flags("Gelatin desserts, dry mix", "Sweets").contains_pork  # gelatin: often pork, flag
    assert not food_flags("Frankfurter, beef, unheated", "Sausages and Luncheon Meats").contains_pork
    assert not food_flags("Fast foods, hamburger; single, regular patty; plain", "Fast Foods").contains_pork
    assert food_flags("Alcoholic beverage, wine, table, red", "Beverages").contains_alcohol
    assert food_flags("Vanilla extract", "Spices and Herbs", alcohol_g=34.4).contains_alcohol
    assert not food_flags("Beverages, ginger ale", "Beverages").contains_alcohol
    assert not food_flags("Vinegar, red wine", "Beverages").contains_alcohol


@pytest.mark.parametrize(
    ("line", "allergens"),
    [
        ("2 tbsp creamy peanut butter", {A.PEANUT}),
        ("1 cup chopped nuts", {A.PEANUT, A.TREE_NUT}),  # unnamed nuts may be peanuts
        ("200 g halloumi", {A.MILK}),
        ("1/2 cup oyster sauce", {A.SHELLFISH}),
        ("1 can coconut milk", {A.TREE_NUT}),
        ("2 cups all-purpose flour", {A.WHEAT, A.GLUTEN}),
        ("1 cup buckwheat flour", set()),
        ("1 large eggplant", set()),
        ("3 eggs", {A.EGG}),
        ("1 tbsp tahini", {A.SESAME}),
        ("2 anchovy fillets", {A.FISH}),
    ],
)
def test_ingredient_line_flags(line: str, allergens: set[Allergen]) -> None:
    assert text_flags(line).allergens == allergens


def test_reasons_name_the_rule() -> None:
    flags = food_flags("Cheese, feta", "Dairy and Egg Products")
    assert "cheese" in flags.reasons["milk"]


def _recipe_flags(lines: list[str]) -> tuple[set[Allergen], set[Diet]]:
    """Flags of a recipe whose lines match no food at all (no database): text rules only."""
    from knowledge.ingest import FoodFacts, IngredientRow, _prepare_recipe
    from knowledge.ingredients import parse_line

    rows = [IngredientRow(i, None, parse_line(line)) for i, line in enumerate(lines)]
    recipe = {"id": "t", "title": "Rice bowl", "servings": 2, "tags": []}
    prepared = _prepare_recipe(recipe, rows, {}, FoodFacts({}, {}, {}, {}))
    return prepared.flags.allergens, prepared.flags.diets


def test_zero_weight_lines_keep_their_flags() -> None:
    """Lines that count 0 g (to taste, for serving, optional) still flag: a weight unknown is not a food
    absent."""
    allergens, _ = _recipe_flags(["Soy sauce to taste", "Parmesan, for serving", "Pesto (optional)"])
    assert {A.SOY, A.WHEAT, A.GLUTEN, A.MILK, A.TREE_NUT} <= allergens


def test_unmatched_negligible_seasoning_keeps_plant_diets() -> None:
    allergens, diets = _recipe_flags(["2 bay leaves", "Salt", "1 tsp garam masala"])
    assert allergens == set()
    assert Diet.VEGAN in diets


def test_unmatched_real_ingredient_voids_diets() -> None:
    _, diets = _recipe_flags(["2 bay leaves", "200 g mystery protein"])
    assert diets == set()


def test_equipment_lines_carry_no_flags() -> None:
    allergens, diets = _recipe_flags(["Tin foil", "Dough:", "2 bay leaves"])
    assert allergens == set()
    assert Diet.VEGAN in diets
