"""Search text: what each row is embedded and full-text indexed as, and how queries are normalised.

Foods get other names appended (British English, common names) so that "courgette" finds zucchini and
"garbanzo" finds chickpeas by full text and by vector; queries get spelling variants folded ("yoghurt").
Typos ("brocoli") are left to trigram similarity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Alternative names, keyed by a pattern of the name USDA uses (lower case).
FOOD_ALIASES: tuple[tuple[str, str], ...] = (
    (r"\bzucchini\b", "courgette"),
    (r"\beggplant\b", "aubergine brinjal"),
    (r"\bchickpeas?\b|\bgarbanzo", "garbanzo beans chickpeas chana"),
    (r"\bcoriander \(cilantro\) leaves\b", "cilantro fresh coriander"),
    (r"\barugula\b", "rocket"),
    (r"^beets\b", "beetroot"),
    (r"\bonions, spring or scallions\b", "spring onions green onions scallions"),
    (r"^beef, ground\b", "minced beef mince hamburger meat"),
    (r"\bwhole-wheat\b", "wholemeal whole wheat"),
    (r"^snacks, potato chips\b", "crisps"),
    (r"\bshrimp\b", "prawns"),
    (r"\bpotatoes, french fried\b", "chips fries"),
    (r"^cookies\b", "biscuits"),
    (r"^peppers, sweet\b", "bell pepper capsicum"),
    (r"^corn, sweet\b", "sweetcorn"),
    (r"^yogurt\b", "yoghurt"),
    (r"^catsup\b", "ketchup"),
    (r"^cereals, oats\b", "porridge oats oatmeal rolled oats"),
    (r"^soymilk\b", "soy milk"),
    (r"^sugars, powdered\b", "icing sugar confectioners sugar"),
    (r"^cornstarch\b", "cornflour"),
    (r"^rutabagas\b", "swede"),
    (r"\bsnowpeas?\b|\bpeas, edible-podded\b", "mangetout snow peas"),
    (r"\bromaine\b", "cos lettuce"),
    (r"^candies\b", "sweets candy"),
    (r"\bcream, fluid, heavy whipping\b", "double cream heavy cream"),
    (r"\bcream, fluid, light\b", "single cream light cream"),
    (r"\ball-purpose\b", "plain flour"),
    (r"^leavening agents, baking soda\b", "bicarbonate of soda"),
    (r"\bseeds, pumpkin\b", "pepitas"),
    (r"^milk, nonfat\b", "skim milk skimmed milk"),
    (r"^milk, lowfat, fluid, 1%", "semi-skimmed milk"),
    (r"^crustaceans\b", "shellfish"),
    (r"^mollusks\b", "shellfish"),
    (r"^beverages, coffee, brewed\b", "coffee"),
    (r"^beverages, tea\b", "tea"),
    (r"^salt, table\b", "salt"),
    (r"^spices, pepper, black\b", "black pepper"),
    (r"\bsquash, summer\b", "marrow"),
    (r"^mangos\b", "mango"),
    (r"^seeds, sesame butter, tahini\b", "tahini"),
    (r"^alcoholic beverage, wine, table, red\b", "red wine"),
    (r"^alcoholic beverage, wine, table, white\b", "white wine"),
    (r"^egg, whole, cooked, hard-boiled\b", "boiled egg hard boiled egg"),
    (r"^egg, whole, cooked, scrambled\b", "scrambled eggs"),
    (r"^egg, whole, cooked, fried\b", "fried egg"),
    (r"^pasta, dry\b|^pasta, cooked\b", "spaghetti macaroni penne"),
    (r"^bread, white\b", "white bread toast"),
    (r"^tofu\b", "bean curd"),
    (r"^pork, cured, bacon\b", "bacon"),
    (r"^peas, green\b", "peas garden peas"),
    (r"^sugars, granulated\b", "sugar white sugar table sugar"),
    (r"^lemons, raw\b", "lemon"),
    (r"^potatoes, flesh and skin\b", "potato"),
    (r"^bananas, raw\b", "banana"),
    (r"^tomatoes, red, ripe, raw\b", "tomato"),
)
_ALIAS_PATTERNS = tuple((re.compile(p), alias) for p, alias in FOOD_ALIASES)

# Query spelling variants folded to the USDA spelling.
QUERY_SPELLINGS: dict[str, str] = {
    "yoghurt": "yogurt",
    "yoghurts": "yogurt",
    "yogourt": "yogurt",
    "chilli": "chili",
    "chillies": "chili peppers",
    "aubergine": "eggplant",
    "courgette": "zucchini",
    "courgettes": "zucchini",
    "garbanzo": "chickpeas",
    "garbanzos": "chickpeas",
    "mince": "ground",
    "minced": "ground",
    "wholemeal": "whole-wheat",
    "capsicum": "sweet pepper",
    "beetroot": "beets",
    "rocket": "arugula",
    "prawn": "shrimp",
    "prawns": "shrimp",
    "crisps": "potato chips",
    "sweetcorn": "sweet corn",
    "ketchup": "catsup",
    "porridge": "oats",
    "oatmeal": "oats",
    "favourite": "favorite",
    "flavoured": "flavored",
    "colour": "color",
    "skimmed": "nonfat",
    "skim": "nonfat",
    "icing": "powdered",
    "cornflour": "cornstarch",
    "swede": "rutabaga",
    "mangetout": "snow peas",
    "scallion": "onions spring",
    "scallions": "onions spring",
}

_WORD = re.compile(r"[a-z0-9%'-]+")


# Two-word names USDA writes as one.
QUERY_PHRASES: dict[str, str] = {"soy milk": "soymilk", "soya milk": "soymilk", "pop corn": "popcorn"}


def normalise_query(query: str) -> str:
    """Lower case, single spaces, UK/alternative spellings folded to USDA's."""
    words = _WORD.findall(query.lower().replace("’", "'"))
    text = " ".join(QUERY_SPELLINGS.get(w, w) for w in words)
    for phrase, replacement in QUERY_PHRASES.items():
        text = re.sub(rf"\b{phrase}\b", replacement, text)
    return text


def food_aliases(description: str) -> list[str]:
    text = description.lower()
    return [alias for pattern, alias in _ALIAS_PATTERNS if pattern.search(text)]


def food_search_text(description: str, category: str | None, common_names: str | None) -> str:
    """What a food is embedded and indexed as: its name, other names, then its category."""
    parts = [description]
    if common_names:
        parts.append(common_names)
    parts.extend(food_aliases(description))
    if category:
        parts.append(category)
    return ". ".join(parts)


def exercise_search_text(
    name: str,
    primary_muscles: Iterable[str],
    secondary_muscles: Iterable[str],
    equipment: str | None,
    category: str,
) -> str:
    """Name first (it carries most of the meaning), then muscles, equipment, category."""
    parts = [name]
    variant = _exercise_variant(name)
    if variant != name.lower():
        parts.append(variant)
    parts.append("muscles: " + ", ".join(primary_muscles))
    secondary = list(secondary_muscles)
    if secondary:
        parts.append("also " + ", ".join(secondary))
    if equipment:
        parts.append("equipment: " + equipment)
    parts.append(category)
    return ". ".join(parts)


def _exercise_variant(name: str) -> str:
    """ "Pullups" → "pull ups", "Flyes" → "fly": the spellings people type."""
    text = re.sub(r"\b(pull|push|sit|chin)-?(ups?)\b", r"\1 \2", name.lower()).replace("-", " ")
    return re.sub(r"\bfl(?:y|ie)e?s\b", "fly", text)


def recipe_search_text(title: str, tags: Iterable[str], ingredient_names: Iterable[str]) -> str:
    tag_text = ", ".join(tags)
    names = ", ".join(list(ingredient_names)[:12])
    return ". ".join(p for p in (title, tag_text, names) if p)
