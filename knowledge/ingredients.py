"""Ingredient lines → quantity, unit, name; and grams once the line is matched to a food.

A small rule-based parser of our own: `ingredient-parser-nlp` downloads NLTK data at import, which cannot
work offline, and the lines here are informal ("One large carrot", "Spaghetti: 320 g | 11 oz",
"1 pound (500g) spaghetti"). A metric amount anywhere in the line wins over the imperial one, because
contributors who give both usually measured in grams.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

# Millilitres per unit (US customary; a metric cup is within 6 %).
VOLUME_ML: dict[str, float] = {
    "ml": 1.0,
    "cl": 10.0,
    "dl": 100.0,
    "l": 1000.0,
    "tsp": 4.929,
    "tbsp": 14.787,
    "cup": 236.6,
    "fl oz": 29.574,
    "pint": 473.2,
    "quart": 946.4,
    "gallon": 3785.4,
    "glass": 240.0,
}
MASS_G: dict[str, float] = {"g": 1.0, "kg": 1000.0, "mg": 0.001, "oz": 28.35, "lb": 453.6}
# Container and vague units: rough weights, marked as estimates (they lower the match confidence).
ESTIMATE_G: dict[str, float] = {
    "can": 400.0,
    "jar": 450.0,
    "package": 450.0,
    "bunch": 50.0,
    "handful": 30.0,
    "pinch": 0.4,
    "dash": 0.6,
    "sprig": 1.0,
    "envelope": 28.0,
    "bottle": 750.0,
    "serving": 100.0,
}
COUNT_UNITS = (
    "clove",
    "slice",
    "stalk",
    "head",
    "piece",
    "stick",
    "leaf",
    "large",
    "medium",
    "small",
    "whole",
)

_UNIT_ALIASES: dict[str, str] = {
    "g": "g",
    "gr": "g",
    "gram": "g",
    "grams": "g",
    "gramme": "g",
    "grammes": "g",
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "mg": "mg",
    "oz": "oz",
    "ounce": "oz",
    "ounces": "oz",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "pounds": "lb",
    "ml": "ml",
    "milliliter": "ml",
    "milliliters": "ml",
    "millilitre": "ml",
    "millilitres": "ml",
    "cl": "cl",
    "dl": "dl",
    "l": "l",
    "liter": "l",
    "liters": "l",
    "litre": "l",
    "litres": "l",
    "tsp": "tsp",
    "tsps": "tsp",
    "teaspoon": "tsp",
    "teaspoons": "tsp",
    "t": "tsp",
    "tbsp": "tbsp",
    "tbsps": "tbsp",
    "tbs": "tbsp",
    "tbl": "tbsp",
    "tablespoon": "tbsp",
    "tablespoons": "tbsp",
    "cup": "cup",
    "cups": "cup",
    "c": "cup",
    "pint": "pint",
    "pints": "pint",
    "quart": "quart",
    "quarts": "quart",
    "gallon": "gallon",
    "gallons": "gallon",
    "gal": "gallon",
    "glass": "glass",
    "glasses": "glass",
    "can": "can",
    "cans": "can",
    "tin": "can",
    "tins": "can",
    "jar": "jar",
    "jars": "jar",
    "package": "package",
    "packages": "package",
    "pkg": "package",
    "packet": "package",
    "packets": "package",
    "bunch": "bunch",
    "bunches": "bunch",
    "handful": "handful",
    "handfuls": "handful",
    "pinch": "pinch",
    "pinches": "pinch",
    "dash": "dash",
    "dashes": "dash",
    "sprig": "sprig",
    "sprigs": "sprig",
    "envelope": "envelope",
    "bottle": "bottle",
    "bottles": "bottle",
    "serving": "serving",
    "servings": "serving",
    "clove": "clove",
    "cloves": "clove",
    "slice": "slice",
    "slices": "slice",
    "stalk": "stalk",
    "stalks": "stalk",
    "rib": "stalk",
    "ribs": "stalk",
    "head": "head",
    "heads": "head",
    "piece": "piece",
    "pieces": "piece",
    "stick": "stick",
    "sticks": "stick",
    "leaf": "leaf",
    "leaves": "leaf",
    "large": "large",
    "medium": "medium",
    "small": "small",
    "whole": "whole",
}
_WORD_NUMBERS = {
    "a": 1.0,
    "an": 1.0,
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "seven": 7.0,
    "eight": 8.0,
    "nine": 9.0,
    "ten": 10.0,
    "twelve": 12.0,
    "half": 0.5,
    "quarter": 0.25,
    "dozen": 12.0,
}
_UNICODE_FRACTIONS = {
    "½": " 1/2",
    "⅓": " 1/3",
    "⅔": " 2/3",
    "¼": " 1/4",
    "¾": " 3/4",
    "⅛": " 1/8",
    "⅕": " 1/5",
}
_NUM = r"\d+/\d+|\d+(?:[.,]\d+)?(?:\s+\d+/\d+)?"
_METRIC = re.compile(
    rf"(?P<a>{_NUM})(?:\s*(?:-|–|to)\s*(?P<b>{_NUM}))?\s*(?P<u>kg|kgs|g|gr|grams?|grammes?|ml|millilit(?:er|re)s?"
    r"|cl|dl|l|lit(?:er|re)s?)\b\.?",
    re.IGNORECASE,
)
_LEADING = re.compile(
    rf"^\s*(?P<a>{_NUM}|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|half|quarter|dozen)\b)"
    rf"(?:\s*(?:-|–|to|or)\s*(?P<b>{_NUM}))?\s*",
    re.IGNORECASE,
)
_UNIT_WORD = re.compile(r"^(?P<u>fl\.?\s*oz\.?|[a-z]+)\.?(?:\s+of\b)?\s*", re.IGNORECASE)
_TRAILING_QTY = re.compile(
    rf"(?:[:,]\s*(?P<q>(?:{_NUM})(?:\s*[a-z.]+)?)|\s(?P<qu>(?:{_NUM})\s*(?:tbsp|tsp|cups?|g|kg|ml|oz|lbs?)\.?))"
    r"\s*(?:\|.*)?$",
    re.IGNORECASE,
)
_PARENS = re.compile(r"\([^)]*\)")
_OPTIONAL = re.compile(r"\boptional\b|\bif (?:desired|you like|available)\b", re.IGNORECASE)
_TO_TASTE = re.compile(
    r"\bto taste\b|\bfor (?:serving|garnish|frying|the top|dusting|greasing)\b", re.IGNORECASE
)
# Words about preparation, not identity: dropped from the name used for matching.
_PREP_WORDS = re.compile(
    r"\b(?:chopped|diced|minced|sliced|grated|shredded|crushed|peeled|finely|roughly|coarsely|thinly|thickly"
    r"|freshly|fresh|large|medium|small|divided|softened|melted|room temperature|cubed|halved|quartered"
    r"|beaten|lightly|packed|heaping|level|about|approximately|approx|roughly|cut|into|pieces|to taste"
    r"|optional|of|plus|more|extra|for|serving|garnish|trimmed|rinsed|drained|cold|warm|hot|boiling"
    r"|good|quality|whole|some|few|bit|teensy|such|as|any|kind|your|favorite|favourite|choice|desired"
    r"|handful|bunch|pinch|dash|cans?|jars?|sprigs?|slices?|pieces?)\b",
    re.IGNORECASE,
)
NEGLIGIBLE = re.compile(
    r"^(?:salt|sea salt|kosher salt|pepper|black pepper|salt and pepper|water|ice|cold water|warm water"
    r"|cooking spray|nutmeg|cinnamon|paprika|cumin|oregano|thyme|basil|parsley|rosemary|sage|bay leaf"
    r"|bay leaves|chives|dill|cilantro|mint|chili flakes|red pepper flakes|cayenne|vanilla|garlic powder"
    r"|onion powder|seasoning|spices?|herbs?|zest|lemon zest|orange zest|zest lemon|zest orange)\b",
    re.IGNORECASE,
)


_MEASURE_WORDS = frozenset(
    w for w, unit in _UNIT_ALIASES.items() if unit not in COUNT_UNITS and unit not in ("stalk",)
) | {"fl"}


@dataclass(frozen=True)
class ParsedIngredient:
    raw: str
    name: str
    quantity: float | None
    unit: str | None
    is_optional: bool
    to_taste: bool


def _number(text: str) -> float:
    text = text.strip().lower().replace(",", ".")
    if text in _WORD_NUMBERS:
        return _WORD_NUMBERS[text]
    total = 0.0
    for part in text.split():
        total += float(Fraction(part)) if "/" in part else float(part)
    return total


def _amount(a: str, b: str | None) -> float:
    """A range ("5-6 cloves") counts as its middle."""
    low = _number(a)
    return (low + _number(b)) / 2 if b else low


def clean_name(text: str) -> str:
    """The food named by a line: no amounts, units, preparation words or alternatives ("A or B" → A,
    unless A is a lone adjective as in "sweet or smoked paprika")."""
    text = _PARENS.sub(" ", text)
    text = text.split(",")[0] if "," in text else text
    text = _PREP_WORDS.sub(" ", text)
    text = re.sub(r"[^a-zA-Z' -]", " ", text)
    # Measures are dropped; count words stay (they name things: "bay leaves", "ground cloves").
    words = [w for w in text.lower().split() if w not in _MEASURE_WORDS]
    text = " ".join(words)
    parts = [p.strip() for p in re.split(r"\bor\b|/|\band/or\b", text) if p.strip()]
    if len(parts) > 1:
        text = parts[0] if len(parts[0].split()) > 1 else parts[-1]
    elif parts:
        text = parts[0]
    text = re.sub(r"\bgarlic cloves?\b", "garlic", text)
    return text.strip(" -'")


def parse_line(raw: str) -> ParsedIngredient:
    line = raw
    for char, repl in _UNICODE_FRACTIONS.items():
        line = line.replace(char, repl)
    line = line.replace("~", " ").strip().rstrip(".")
    optional = bool(_OPTIONAL.search(line))
    quantity: float | None = None
    unit: str | None = None
    name_part = line
    metric = _METRIC.search(line)
    if metric:
        quantity = _amount(metric.group("a"), metric.group("b"))
        unit = _UNIT_ALIASES[metric.group("u").lower()]
        name_part = line[: metric.start()] + " " + line[metric.end() :]
        name_part = re.sub(r"\|.*$", " ", name_part)
    leading = _LEADING.match(line)
    if leading and not line[leading.end() :].startswith(("/", "%")):
        rest = line[leading.end() :]
        lead_unit = None
        unit_match = _UNIT_WORD.match(rest)
        if unit_match:
            word = re.sub(r"[.\s]", "", unit_match.group("u").lower())
            word = "fl oz" if word in ("floz", "fl.oz") else word
            if word in _UNIT_ALIASES or word == "fl oz":
                lead_unit = "fl oz" if word == "fl oz" else _UNIT_ALIASES[word]
                rest = rest[unit_match.end() :]
        if quantity is None:
            quantity = _amount(leading.group("a"), leading.group("b"))
            unit = lead_unit
            name_part = rest
        elif lead_unit in ("can", "jar", "package", "bottle", "envelope") and metric and metric.start() < 20:
            # "2 cans (400g) tomatoes": the metric amount is per container.
            quantity *= _amount(leading.group("a"), leading.group("b"))
            name_part = _METRIC.sub(" ", rest)
        else:
            name_part = _METRIC.sub(" ", rest) if lead_unit else _METRIC.sub(" ", line[leading.end() :])
    elif quantity is None:
        trailing = _TRAILING_QTY.search(line)
        if trailing:
            amount = trailing.group("q") or trailing.group("qu")
            sub = parse_line(amount + " " + line[: trailing.start()])
            return ParsedIngredient(raw, sub.name, sub.quantity, sub.unit, optional, False)
    name = clean_name(name_part)
    to_taste = bool(_TO_TASTE.search(line)) or (quantity is None and bool(NEGLIGIBLE.match(name)))
    return ParsedIngredient(raw, name or clean_name(line), quantity, unit, optional, to_taste)


@dataclass(frozen=True)
class Grams:
    grams: float | None
    method: str  # mass, volume_portion, density, count_portion, estimate, to_taste, none
    certain: bool


def to_grams(parsed: ParsedIngredient, portions: Sequence[tuple[float, str, float]]) -> Grams:
    """Weight of the whole line's amount, from the unit and the matched food's household portions
    (amount, measure, grams)."""
    if parsed.to_taste and (parsed.quantity is None or parsed.unit in ("pinch", "dash")):
        return Grams(0.0, "to_taste", True)
    if parsed.quantity is None:
        return Grams(None, "none", False)
    qty, unit = parsed.quantity, parsed.unit
    if unit in MASS_G:
        return Grams(qty * MASS_G[unit], "mass", True)
    if unit in VOLUME_ML:
        ml = qty * VOLUME_ML[unit]
        density = _density_g_per_ml(portions)
        if density is not None:
            return Grams(ml * density, "volume_portion", True)
        return Grams(ml, "density", False)
    if unit in ESTIMATE_G:
        per = _portion_grams(portions, unit)
        if per is not None:
            return Grams(qty * per, "count_portion", True)
        return Grams(qty * ESTIMATE_G[unit], "estimate", False)
    per = _portion_grams(portions, unit)
    if per is not None:
        return Grams(qty * per, "count_portion", True)
    return Grams(None, "none", False)


_VOLUME_MEASURE = re.compile(r"^(cup|tbsp|tsp|fl oz|tablespoon|teaspoon)\b")


def _density_g_per_ml(portions: Sequence[tuple[float, str, float]]) -> float | None:
    for amount, measure, grams in portions:
        match = _VOLUME_MEASURE.match(measure.lower())
        if match and amount > 0:
            unit = {"tablespoon": "tbsp", "teaspoon": "tsp"}.get(match.group(1), match.group(1))
            return grams / (amount * VOLUME_ML[unit])
    return None


def _portion_grams(portions: Sequence[tuple[float, str, float]], unit: str | None) -> float | None:
    """Grams of one counted unit: the portion naming the unit ("clove", "large"), else for a bare count a
    "medium" portion, else the first portion that is not a volume or weight measure."""
    candidates = [(a, m.lower(), g) for a, m, g in portions if a > 0]
    words = [unit] if unit and unit not in ("whole",) else []
    if not words:
        words = ["medium", ""]
    for word in words:
        for amount, measure, grams in candidates:
            if _VOLUME_MEASURE.match(measure) or measure.startswith(("oz", "lb", "g ")):
                continue
            if word == "" or re.search(rf"\b{word}", measure):
                return grams / amount
    return None
