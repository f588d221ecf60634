"""Meat analogues named only by brand ("WORTHINGTON Choplets", "MORNINGSTAR FARMS Chik Patties") are wheat
gluten and soy, often with egg white and milk: they must never look safe for those allergies, nor vegan
unless they say so. Found when a soy- and wheat-allergic vegan's plan offered Choplets."""

from __future__ import annotations

import pytest

from knowledge.flags import food_flags
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
