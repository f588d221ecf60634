"""Ingredient lines: quantity, unit and name; grams from units and household portions."""

from __future__ import annotations

import pytest

from knowledge.ingest import parse_minutes
from knowledge.ingredients import infer_servings, is_negligible, parse_line, to_grams


@pytest.mark.parametrize(
    ("line", "quantity", "unit", "name"),
    [
        ("3/4 cup mayonnaise", 0.75, "cup", "mayonnaise"),
        ("1 pound (500g) spaghetti", 500.0, "g", "spaghetti"),  # the metric amount wins
        ("~150g (1/3 lb) bacon cubes", 150.0, "g", "bacon"),  # "cubes" is a cut, not the food
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


# Formats seen in the recipes that the first parser missed (expectations written before the fix).
@pytest.mark.parametrize(
    ("line", "quantity", "unit", "name"),
    [
        ("1 (15-ounce) can black beans, rinsed and drained", 15.0, "oz", "black beans"),
        ("1 (46 fluid ounce) bottle tomato juice", 46.0, "fl oz", "tomato juice"),
        ("4 15oz cans of kidney beans (or 6 cups cooked beans)", 60.0, "oz", "kidney beans"),
        ("1 can (19oz) Stewed Tomatoes", 19.0, "oz", "stewed tomatoes"),
        ("1 small can (around 14oz) of cream style corn", 14.0, "oz", "cream style corn"),
        ("1 (750 milliliter) bottle cold champagne", 750.0, "ml", "champagne"),
        ("2 x 400g tinned chopped tomatoes", 800.0, "g", "tinned tomatoes"),
        ("A quarter of a pound of sugar.", 0.25, "lb", "sugar"),
        ("Half a cup of diced chives.", 0.5, "cup", "chives"),
        ("Half a teaspoon of baking soda.", 0.5, "tsp", "baking soda"),
        ("1/4 a stick of butter", 0.25, "stick", "butter"),
        ("Eight table-spoonfuls of sifted flour.", 8.0, "tbsp", "flour"),
        ("A tea-spoonful of rose-water.", 1.0, "tsp", "rose-water"),
        ("1/4 Teapsoon nutmeg", 0.25, "tsp", "nutmeg"),
        ("2 TB butter, cut into pieces", 2.0, "tbsp", "butter"),
        ("1 heaping tbsp ground Coriander", 1.0, "tbsp", "ground coriander"),
        ("Overfilled tablespoon Creme Cheese", 1.0, "tbsp", "creme cheese"),
        ("3⁄4 cup rolled oats", 0.75, "cup", "rolled oats"),
        ("1-1/2 cups plain yogurt", 1.5, "cup", "plain yogurt"),
        ("1-2/3 cups frozen mixed vegetables, thawed", 1 + 2 / 3, "cup", "frozen mixed vegetables"),
        ("1lt of fresh cream", 1.0, "l", "cream"),
        ("1 pt vinegar", 1.0, "pint", "vinegar"),
        ("1 spoon olive oil", 1.0, "tbsp", "olive oil"),
        ("4 medium sized oranges", 4.0, "medium", "oranges"),
        ("2-3 medium-sized potatoes", 2.5, "medium", "potatoes"),
        ("Juice of 2-3 Limes", 2.5, None, "lime juice"),
        ("Juice from 1 lime", 1.0, None, "lime juice"),
        ("juice of half a lemon", 0.5, None, "lemon juice"),
        ("1 t paprika powder", 1.0, "tsp", "paprika powder"),
        ("2 bay leaves", 2.0, None, "bay leaves"),
    ],
)
def test_parse_line_more_formats(line: str, quantity: float, unit: str | None, name: str) -> None:
    parsed = parse_line(line)
    assert parsed.quantity == pytest.approx(quantity)
    assert parsed.unit == unit
    assert parsed.name == name


@pytest.mark.parametrize(
    "line",
    [
        "thermometer",
        "Tin foil",
        "Aluminum Foil",
        "Oven-safe pan",
        "2 thermos, ½l capacity each",
        "Dough:",
        "Applewood (or other sweet cooking wood such as cherry or maple)",
        "1/2 tbsp alum",
    ],
)
def test_equipment_and_headings_are_not_ingredients(line: str) -> None:
    assert parse_line(line).non_food


@pytest.mark.parametrize(
    "line", ["Butter", "1 cup flour", "Salt", "shallots: 2", "2 cans tomatoes", "Pan-fried tofu"]
)
def test_food_lines_stay_food(line: str) -> None:
    assert not parse_line(line).non_food


@pytest.mark.parametrize(
    ("line", "negligible"),
    [
        ("Salt", True),
        ("2 bay leaves", True),
        ("1/4 tsp red pepper flakes", True),
        ("A few saffron threads", True),
        ("280ml lukewarm water", True),  # water weighs but never counts
        ("12 cubes ice", True),
        ("1 star anise", True),
        ("2 tbsp garam masala", True),
        ("Salt pork", False),  # the whole name must be a seasoning, not its first word
        ("1 tsp salt", False),  # a measured amount of salt carries sodium: it is weighed
        ("1/2 cup dill", False),  # half a cup of herbs is an ingredient, not a seasoning
        ("Olive oil", False),
        ("Cinnamon sugar", False),
        ("2 tsp garlic salt", False),
    ],
)
def test_negligible_lines(line: str, negligible: bool) -> None:
    assert is_negligible(parse_line(line)) is negligible


def test_negligible_seasoning_without_weight_counts_zero() -> None:
    grams = to_grams(parse_line("2 bay leaves"), [])
    assert grams.grams == 0.0
    assert grams.certain
    assert grams.method == "negligible"


def test_pinch_and_standard_can_are_accepted_conventions() -> None:
    pinch = to_grams(parse_line("A pinch of nutmeg"), [])
    assert pinch.certain
    assert pinch.grams is not None
    assert pinch.grams < 1
    can = to_grams(parse_line("1 can chickpeas, drained"), [])
    assert can.grams == pytest.approx(400.0)
    assert can.certain
    # a package could be 7 g of yeast or 450 g of pasta: still an estimate
    assert not to_grams(parse_line("1 package active dry yeast"), []).certain


def test_density_fallback_for_oils_and_watery_liquids() -> None:
    oil = to_grams(parse_line("2 tbsp olive oil"), [], food_description="Oil, olive, salad or cooking")
    assert oil.method == "density"
    assert oil.certain
    assert oil.grams == pytest.approx(2 * 14.787 * 0.92, rel=1e-3)
    stock = to_grams(
        parse_line("1 cup chicken stock"), [], food_description="Soup, stock, chicken, home-prepared"
    )
    assert stock.certain
    assert stock.grams == pytest.approx(236.6, rel=0.01)
    cheese = to_grams(parse_line("1 cup shredded cheddar"), [], food_description="Cheese, cheddar")
    assert not cheese.certain  # a solid has no density we may assume


def test_counted_lime_juice_uses_the_yield_portion() -> None:
    lime_juice = [(1.0, "cup", 242.0), (1.0, "fl oz", 30.8), (1.0, "lime yields", 44.0)]
    assert to_grams(parse_line("Juice of 2 limes"), lime_juice).grams == pytest.approx(88.0)


@pytest.mark.parametrize(
    ("text", "servings"),
    [
        ({"servings_text": None, "description": "A hearty stew. Serves 6."}, 6),
        ({"servings_text": None, "notes": ["Makes 4 servings."]}, 4),
        ({"servings_text": None, "instructions": ["Divide into 8 portions and freeze."]}, 8),
        ({"servings_text": "Usually enough for a family of five."}, 5),
        ({"servings_text": None, "description": "Enough for 2 people."}, 2),
        ({"servings_text": "Five-dozen individual cookies"}, None),  # cookies are not servings
        ({"servings_text": "Depends"}, None),
        ({"servings_text": None, "description": "Bake 12 minutes at 200 C."}, None),
    ],
)
def test_servings_inferred_only_when_the_source_says_so(
    text: dict[str, object], servings: int | None
) -> None:
    assert infer_servings({"title": "x", **text}) == servings


@pytest.mark.parametrize(
    ("text", "servings"),
    [
        ("- 🍽️ Servings: 8-10", 8),
        ("The ingredients below are for 2 hearty portions", 2),
        ("this should be enough for two persons", 2),
        ("Boil 2 serves of rice", None),  # rice for the side, not the recipe's yield
        ("Serves many people or one person for many days", None),
    ],
)
def test_servings_phrasings_in_descriptions(text: str, servings: int | None) -> None:
    assert infer_servings({"title": "x", "description": text}) == servings


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("1 cup cooked white or brown rice", "cooked white rice"),  # not "cooked white" (mushrooms)
        ("2 tablespoons of lard or butter", "butter"),
    ],
)
def test_alternatives_keep_the_noun(line: str, name: str) -> None:
    assert parse_line(line).name == name


def test_of_a_cup() -> None:
    parsed = parse_line("3/4 of a cup of warm water")
    assert (parsed.quantity, parsed.unit, parsed.name) == (0.75, "cup", "water")
