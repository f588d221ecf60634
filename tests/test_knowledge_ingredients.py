"""Ingredient lines: quantity, unit and name; grams from units and household portions."""

from __future__ import annotations

import pytest

from knowledge.ingest import parse_minutes
from knowledge.ingredients import parse_line, to_grams


@pytest.mark.parametrize(
    ("line", "quantity", "unit", "name"),
    [
        ("3/4 cup mayonnaise", 0.75, "cup", "mayonnaise"),
        ("1 pound (500g) spaghetti", 500.0, "g", "spaghetti"),  # the metric amount wins
        ("~150g (1/3 lb) bacon cubes", 150.0, "g", "bacon cubes"),
        ("5-6 cloves of garlic", 5.5, "clove", "garlic"),  # a range counts as its middle
        ("One large carrot", 1.0, "large", "carrot"),
        ("1 ½ tablespoon sugar", 1.5, "tbsp", "sugar"),
        ("1 1/2 cups Cheddar, grated", 1.5, "cup", "cheddar"),
        ("Spaghetti: 320 g | 11 oz", 320.0, "g", "spaghetti"),
        ("shallots: 2", 2.0, None, "shallots"),
        ("2 cans (400g) chopped tomatoes", 800.0, "g", "tomatoes"),  # per-container metric amount
        ("1 - 2L (1/4 - 1/2 gal) milk", 1.5, "l", "milk"),
        ("10 oz. chickpeas (canned)", 10.0, "oz", "chickpeas"),
        ("2 1/2 fl oz cream", 2.5, "fl oz", "cream"),
        ("1 tbsp. of sweet or smoked paprika", 1.0, "tbsp", "smoked paprika"),
        ("Three eggs.", 3.0, None, "eggs"),
        ("a jar of apple sauce", 1.0, "jar", "apple sauce"),
    ],
)
def test_parse_line(line: str, quantity: float, unit: str | None, name: str) -> None:
    parsed = parse_line(line)
    assert parsed.quantity == pytest.approx(quantity)
    assert parsed.unit == unit
    assert parsed.name == name


def test_optional_and_to_taste() -> None:
    assert parse_line("1 tsp dijon mustard (optional)").is_optional
    salt = parse_line("Salt")
    assert salt.to_taste
    assert salt.quantity is None
    assert parse_line("Pepper, to taste").to_taste
    assert not parse_line("Butter").to_taste  # an unweighed real ingredient is not negligible


EGG_PORTIONS = [(1.0, "large", 50.0), (1.0, "extra large", 56.0), (1.0, "medium", 44.0), (1.0, "cup", 243.0)]
OIL_PORTIONS = [(1.0, "tbsp", 13.5), (1.0, "cup", 216.0), (1.0, "tsp", 4.5)]


def test_grams_from_mass_units() -> None:
    grams = to_grams(parse_line("1/2 lb ground beef"), [])
    assert grams.grams == pytest.approx(226.8)
    assert grams.method == "mass"


def test_grams_from_volume_use_the_food_density() -> None:
    # 13.5 g per tbsp of olive oil → 0.913 g/ml; 3/4 cup = 177.45 ml → 162 g.
    grams = to_grams(parse_line("3/4 cup of olive oil"), OIL_PORTIONS)
    assert grams.method == "volume_portion"
    assert grams.grams == pytest.approx(0.75 * 236.6 * 13.5 / 14.787, rel=1e-3)


def test_grams_from_counts_use_the_named_portion() -> None:
    assert to_grams(parse_line("3 large eggs"), EGG_PORTIONS).grams == pytest.approx(150.0)
    # a bare count takes the medium size
    assert to_grams(parse_line("2 eggs"), EGG_PORTIONS).grams == pytest.approx(88.0)


def test_grams_unknown_is_none_not_zero() -> None:
    grams = to_grams(parse_line("Butter"), OIL_PORTIONS)
    assert grams.grams is None
    assert not grams.certain
    assert to_grams(parse_line("Salt"), []).grams == 0.0


def test_volume_without_portions_is_an_uncertain_estimate() -> None:
    grams = to_grams(parse_line("1 cup mystery liquid"), [])
    assert grams.grams == pytest.approx(236.6)
    assert not grams.certain


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("15 min", 15), ("1 hour", 60), ("1h 30m", 90), ("~30 minutes", 30), (None, None), ("soon", None)],
)
def test_parse_minutes(text: str | None, minutes: int | None) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    ("line", "quantity", "unit", "name"),
    [
        ("Active dry yeast 1 tbsp", 1.0, "tbsp", "active dry yeast"),
        ("Chilli Powder 1 tbsp", 1.0, "tbsp", "chilli powder"),
    ],
)
def test_trailing_amount_without_punctuation(line: str, quantity: float, unit: str, name: str) -> None:
    parsed = parse_line(line)
    assert (parsed.quantity, parsed.unit, parsed.name) == (quantity, unit, name)
