"""What the meal planner may choose from: candidates (a food or a recipe with a portion step), the safety
filter (allergies, diet, dislikes) and the per-slot pruning that keeps the solver small.

A candidate's nutrition is given per *unit*, the portion step the solver counts in whole numbers: one
household portion (1 large egg, 1 slice, 1 tsp, ½ cup), a 10–25 g step, or half a recipe serving. The
solver picks how many units (between the candidate's bounds), so every portion is realistic by construction.

Which foods are candidates (`food_candidate`): the knowledge base's planner groups, eaten as they are
(cooked or ready; raw only for fruit, vegetables, nuts and dairy), with kcal, macros and sodium analysed
(a missing fibre value counts as 0 g: fibre is a floor, so that errs on the safe side; a missing sodium value
excludes the food, since the 2,300 mg cap could not be checked).
"""

from __future__ import annotations

import re
import uuid
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session, load_only

from store.models.knowledge import (
    Food,
    FoodGroup,
    FoodNutrients,
    FoodPortion,
    PrepState,
    Recipe,
    RecipeIngredient,
    RecipeNutrition,
)
from store.vocabulary import Allergen, Diet
from tools.cache import FingerprintCache


class PlanSlot(StrEnum):
    """Which kind of meal a candidate fits (from the knowledge base's slot hints)."""

    BREAKFAST = "breakfast"
    MAIN = "main"  # lunch and dinner
    SNACK = "snack"


class Nutrition(BaseModel):
    """Energy and the nutrients the plan is constrained on; per unit, per item, per meal or per day."""

    model_config = ConfigDict(frozen=True)

    kcal: float = 0.0
    protein_g: float = 0.0
    fat_g: float = 0.0
    carbs_g: float = 0.0
    fiber_g: float = 0.0
    sodium_mg: float = 0.0

    def scaled(self, factor: float) -> Nutrition:
        return Nutrition(
            kcal=self.kcal * factor,
            protein_g=self.protein_g * factor,
            fat_g=self.fat_g * factor,
            carbs_g=self.carbs_g * factor,
            fiber_g=self.fiber_g * factor,
            sodium_mg=self.sodium_mg * factor,
        )

    def __add__(self, other: Nutrition) -> Nutrition:
        return Nutrition(
            kcal=self.kcal + other.kcal,
            protein_g=self.protein_g + other.protein_g,
            fat_g=self.fat_g + other.fat_g,
            carbs_g=self.carbs_g + other.carbs_g,
            fiber_g=self.fiber_g + other.fiber_g,
            sodium_mg=self.sodium_mg + other.sodium_mg,
        )

    @property
    def net_carbs_g(self) -> float:
        return max(0.0, self.carbs_g - self.fiber_g)

    def value(self, nutrient: str) -> float:
        """A nutrient by name, `net_carbs_g` included."""
        return self.net_carbs_g if nutrient == "net_carbs_g" else float(getattr(self, nutrient))

    def rounded(self) -> Nutrition:
        """For display: kcal and sodium to whole units, grams to 0.1 g."""
        return Nutrition(
            kcal=round(self.kcal),
            protein_g=round(self.protein_g, 1),
            fat_g=round(self.fat_g, 1),
            carbs_g=round(self.carbs_g, 1),
            fiber_g=round(self.fiber_g, 1),
            sodium_mg=round(self.sodium_mg),
        )

    @staticmethod
    def total(parts: Iterable[Nutrition]) -> Nutrition:
        result = Nutrition()
        for part in parts:
            result = result + part
        return result


class Candidate(BaseModel):
    """One food or recipe the planner may place, with its portion step and bounds.

    `flags` are the knowledge base's allergen flags ("contains or may contain") plus `pork`, `alcohol` and
    `meat`; `diets` the diets it is known to suit. Safety is decided on both (`violations`)."""

    model_config = ConfigDict(frozen=True)

    key: str  # "food:<id>" or "recipe:<id>": unique in a plan
    food_id: int | None = None
    recipe_id: int | None = None
    name: str
    group: FoodGroup
    slots: frozenset[PlanSlot]
    category: str = "Other"  # grocery aisle
    per_unit: Nutrition
    unit_grams: float | None = None  # grams per unit
    unit_servings: float | None = None  # recipe servings per unit (0.5)
    unit_measure: str | None = None  # household measure of one unit: "large", "slice", "tsp", "cup"
    unit_amount: float = 1.0  # how many `unit_measure` one unit is (½ cup → 0.5)
    min_units: int = Field(default=1, ge=1)
    max_units: int = Field(default=1, ge=1)
    whole_units: bool = False  # eggs, slices: counted in whole pieces in the grocery list too
    preference: float = 0.0  # 0 neutral … 1 liked
    rating: float | None = None  # mean user rating 1–5 (recipes), when known
    boost: float = 0.0  # knowledge base ranking prior: generic staples up, specialised rows down
    common: bool = False  # an everyday staple (see `_COMMON_FOOD`); recipes count as common
    flags: frozenset[str] = frozenset()
    diets: frozenset[Diet] = frozenset()
    ingredient_names: tuple[str, ...] = ()  # recipes: ingredient names and matched foods (dislike check)
    ingredient_food_ids: tuple[int, ...] = ()

    @cached_property
    def density(self) -> tuple[float, float, float]:
        """(protein g, fibre g, sodium mg) per 100 kcal: what the pool ranking looks at."""
        n = self.per_unit
        if n.kcal <= 0:
            return 0.0, 0.0, 0.0
        scale = 100.0 / n.kcal
        return n.protein_g * scale, n.fiber_g * scale, n.sodium_mg * scale

    @cached_property
    def fit_parts(self) -> tuple[float, float]:
        """`nutrition_fit` = base + protein part × (0.5 + 3 × protein share of the targets' kcal)."""
        protein, fiber, sodium = self.density
        base = -min(sodium / 300.0, 2.0)
        protein_part = 0.0
        if self.group in (FoodGroup.PROTEIN, FoodGroup.DISH, FoodGroup.DAIRY, FoodGroup.LEGUME):
            protein_part = min(protein / 8.0, 2.5)
        if self.group in (FoodGroup.STARCH, FoodGroup.VEGETABLE, FoodGroup.FRUIT, FoodGroup.LEGUME):
            base += min(fiber / 2.5, 1.5)
        return base, protein_part

    @cached_property
    def family(self) -> str:
        produce = self.group in (FoodGroup.VEGETABLE, FoodGroup.FRUIT)
        return food_family(self.name, 1 if produce else 2)

    @cached_property
    def lowered_text(self) -> str:
        """The name and ingredient names, lower-cased, one per line (what dislikes and likes match)."""
        return "\n".join(text.lower() for text in (self.name, *self.ingredient_names))

    def grams(self, units: int) -> float | None:
        return None if self.unit_grams is None else round(self.unit_grams * units, 1)

    def servings(self, units: int) -> float | None:
        return None if self.unit_servings is None else round(self.unit_servings * units, 2)

    def household(self, units: int) -> str:
        """A portion in words: "2 large", "1½ cup", "150 g", "1 serving"."""
        if self.unit_servings is not None:
            servings = self.unit_servings * units
            return f"{fraction_text(servings)} serving" + ("s" if servings > 1 else "")
        if self.unit_measure:
            return f"{fraction_text(self.unit_amount * units)} {self.unit_measure}"
        return f"{self.unit_grams * units:g} g" if self.unit_grams is not None else f"{units} units"


def fraction_text(value: float) -> str:
    """1.5 → "1½", 0.25 → "¼", 2.0 → "2"."""
    whole, rest = int(value), value - int(value)
    for frac, text in ((0.25, "¼"), (0.5, "½"), (0.75, "¾"), (1 / 3, "⅓"), (2 / 3, "⅔")):
        if abs(rest - frac) < 0.02:
            return f"{whole}{text}" if whole else text
    if rest < 0.02:
        return str(whole)
    if rest > 0.98:
        return str(whole + 1)
    return f"{value:.2g}"


# --- Safety: allergies, diet, dislikes ---------------------------------------------------------------------

# Flags that rule a candidate out per diet. Plant diets need BOTH the knowledge base's "known to suit" mark
# (`Candidate.diets`) and none of these flags: two independent signals, so one wrong flag is not enough to
# put a forbidden food on the plate. Halal and kosher can only be judged on pork, alcohol and shellfish
# (slaughter rules are not in the data; the UI says so).
DIET_FORBIDDEN_FLAGS: Final[dict[Diet, frozenset[str]]] = {
    Diet.OMNIVORE: frozenset(),
    Diet.VEGETARIAN: frozenset({"meat", "pork", "fish", "shellfish"}),
    Diet.VEGAN: frozenset({"meat", "pork", "fish", "shellfish", "milk", "egg"}),
    Diet.PESCATARIAN: frozenset({"meat", "pork"}),
    Diet.KETO: frozenset(),
    Diet.HALAL: frozenset({"pork", "alcohol"}),
    Diet.KOSHER: frozenset({"pork", "shellfish", "alcohol"}),
}
# Diets that must be marked on the candidate by the knowledge base.
MARKED_DIETS: Final = frozenset({Diet.VEGAN, Diet.VEGETARIAN, Diet.PESCATARIAN})
# Keto: at most this many grams of net carbohydrate per 100 g (the knowledge search uses the same rule).
KETO_MAX_NET_CARBS_PER_100G: Final = 10.0

# An allergy that implies another flag: gluten comes mostly from wheat.
ALLERGEN_IMPLIES: Final[dict[str, frozenset[str]]] = {
    Allergen.GLUTEN.value: frozenset({Allergen.GLUTEN.value, Allergen.WHEAT.value}),
}


class Restrictions(BaseModel):
    """What a person must never be served: from the profile's allergies, diet and disliked foods, and the
    foods they removed from their plan."""

    model_config = ConfigDict(frozen=True)

    diet: Diet = Diet.OMNIVORE
    allergies: frozenset[str] = frozenset()
    disliked: tuple[str, ...] = ()
    excluded_food_ids: frozenset[int] = frozenset()

    def forbidden_flags(self) -> frozenset[str]:
        flags: set[str] = set(DIET_FORBIDDEN_FLAGS[self.diet])
        for allergy in self.allergies:
            flags |= ALLERGEN_IMPLIES.get(allergy, frozenset({allergy}))
        return frozenset(flags)


# A one-word term at least this long also matches inside a word: "chicken" in "McCHICKEN", "liver" in
# "liverwurst". Shorter ones match whole words only, or "pea" would take peaches and peanuts, "egg" eggplant.
INSIDE_WORD_MIN_CHARS: Final = 5


def _term_regex(term: str) -> str | None:
    """A user's food term, singular or plural ("cherries" ↔ "cherry", "olives" ↔ "olive", "tomatoes" ↔
    "tomato"); whole words, except that a long single word also matches inside a word (a dislike errs
    towards leaving a food out)."""
    words = re.findall(r"[a-z0-9]+", term.lower())
    if not words:
        return None
    last = words[-1]
    forms = {last}
    if last.endswith("ies") and len(last) > 4:
        forms.add(last[:-3] + "y")
    if last.endswith("es") and len(last) > 3:
        forms.add(last[:-2])
    if last.endswith("s") and len(last) > 2:
        forms.add(last[:-1])
    endings: set[str] = set()
    for form in forms:
        endings.add(re.escape(form) + "(?:s|es)?")
        if form.endswith("y"):
            endings.add(re.escape(form[:-1]) + "ies")
    stems = [re.escape(w) for w in words[:-1]]
    alternation = "(?:" + "|".join(sorted(endings)) + ")"
    singular = last[:-1] if last.endswith("s") else last
    if not stems and len(singular) >= INSIDE_WORD_MIN_CHARS:
        return r"\w*" + alternation + r"\w*"
    return r"\W+".join([*stems, alternation])


class TermMatcher:
    """Matches food descriptions against a person's free-text food terms (one compiled pattern)."""

    def __init__(self, terms: Iterable[str]) -> None:
        parts = [part for part in (_term_regex(t) for t in terms) if part]
        self._pattern = re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in parts) + r")\b") if parts else None

    def __bool__(self) -> bool:
        return self._pattern is not None

    def search(self, *texts: str) -> str | None:
        """The first matching term as written in the text, or None."""
        if self._pattern is None:
            return None
        for text in texts:
            found = self._pattern.search(text.lower())
            if found:
                return found.group(0)
        return None

    def search_lowered(self, text: str) -> str | None:
        """`search` on text already lower-cased (a candidate's `lowered_text`)."""
        if self._pattern is None:
            return None
        found = self._pattern.search(text)
        return found.group(0) if found else None


def matches_term(text: str, term: str) -> bool:
    """Does `text` (a food description) mention `term` (a user's free-text food)? Whole words, singular or
    plural: "mushrooms" matches "Mushrooms, white, raw" and "mushroom soup", not "mush"."""
    return TermMatcher([term]).search(text) is not None


def violations(
    candidate: Candidate, restrictions: Restrictions, disliked: TermMatcher | None = None
) -> list[str]:
    """Every reason `candidate` must not be served; empty when it is safe. `disliked` is the compiled form
    of `restrictions.disliked` (built here when not given)."""
    reasons = [f"contains {flag}" for flag in sorted(candidate.flags & restrictions.forbidden_flags())]
    if restrictions.diet in MARKED_DIETS and restrictions.diet not in candidate.diets:
        reasons.append(f"not known to be {restrictions.diet.value}")
    if restrictions.diet is Diet.KETO and Diet.KETO not in candidate.diets:
        reasons.append("too many net carbs for keto")
    matcher = disliked if disliked is not None else TermMatcher(restrictions.disliked)
    term = matcher.search(candidate.name, *candidate.ingredient_names)
    if term is not None:
        reasons.append(f"disliked: {term}")
    excluded = restrictions.excluded_food_ids
    if excluded and (
        candidate.food_id in excluded or any(food_id in excluded for food_id in candidate.ingredient_food_ids)
    ):
        reasons.append("removed from the plan by the user")
    return reasons


def is_safe(candidate: Candidate, restrictions: Restrictions) -> bool:
    return not violations(candidate, restrictions)


# --- Building candidates from the knowledge base --------------------------------------------------------

PLANNED_GROUPS: Final = frozenset(
    {
        FoodGroup.PROTEIN,
        FoodGroup.LEGUME,
        FoodGroup.STARCH,
        FoodGroup.VEGETABLE,
        FoodGroup.FRUIT,
        FoodGroup.DAIRY,
        FoodGroup.NUT_SEED,
        FoodGroup.FAT,
        FoodGroup.SNACK,
        FoodGroup.DISH,
    }
)
EATEN_RAW_GROUPS: Final = frozenset(
    {FoodGroup.FRUIT, FoodGroup.VEGETABLE, FoodGroup.NUT_SEED, FoodGroup.DAIRY}
)
# Cooking fats a plan portions by the teaspoon; lard, tallow, shortening and creams are left out.
_COOKING_FAT = re.compile(
    r"^(?:oil, (?:olive|canola|sunflower|safflower|peanut|sesame|corn|soybean|avocado|coconut|rapeseed"
    r"|grapeseed|flaxseed|walnut)|butter, (?:salted|without salt))"
)
# Everyday staples (house curation, by the start of the USDA description): the pools prefer them, so a
# week is chicken, lentils and broccoli rather than antelope and fireweed leaves. Liked foods still win.
_COMMON_FOOD = re.compile(
    r"^(?:chicken|turkey|beef, (?:ground|top sirloin|round|tenderloin)|pork, fresh, loin|ham"
    r"|lamb, (?:leg|loin)"
    r"|fish, (?:salmon|tuna|cod|tilapia|pollock|haddock|trout|sardine|mackerel|halibut)|crustaceans, shrimp"
    r"|egg, whole|tofu|tempeh|lentils|chickpeas|beans, (?:black|kidney|pinto|navy|great northern|white|snap)"
    r"|refried beans|hummus|edamame|soybeans, green|peas, green"
    r"|rice, (?:white|brown)|wild rice|pasta|spaghetti|macaroni|noodles, egg|couscous|quinoa|bulgur|barley"
    r"|bread, (?:whole-wheat|wheat|white|multi-grain|rye|pita|oatmeal)|tortillas?|english muffins|bagels"
    r"|potato(?:es)?, (?:baked|boiled|roasted|mashed)|sweet potato|oats|cereals, oats|oatmeal|granola|muesli"
    r"|broccoli|spinach|carrots|peppers, sweet|tomatoes|lettuce|cucumber|squash, summer|zucchini|cauliflower"
    r"|cabbage|kale|mushrooms|onions|asparagus|brussels sprouts|corn, sweet|beets|eggplant|celery|green beans"
    r"|apples?|bananas?|oranges?|strawberries|blueberries|raspberries|blackberries|grapes|pears?|peaches"
    r"|kiwifruit|mangos|pineapple|melons|cherries|plums|apricots|nectarines|grapefruit|avocados"
    r"|milk, (?:reduced|lowfat|nonfat|whole|fluid)|yogurt"
    r"|cheese, (?:cottage|cheddar|mozzarella|feta|parmesan|swiss|ricotta)"
    r"|nuts, (?:almonds|walnuts|cashew|pistachio|pecans|mixed)|peanuts|peanut butter"
    r"|seeds, (?:sunflower|pumpkin|chia|flaxseed)"
    r"|oil, (?:olive|canola)|butter, without salt)"
)
_EGG = re.compile(r"^egg, whole, cooked")
_BREAKFAST_STARCH = re.compile(
    r"\b(?:bread|toast|bagels?|english muffins?|muffins?|pancakes?|waffles?|oat|oats|oatmeal|granola|muesli"
    r"|cereals?|croissants?|biscuits?|tortillas?|grits|porridge|potato(?:es)?, hash)"
)
# Offal and odd cuts: never "everyday staples" (a liked "liver" still finds them).
_OFFAL = re.compile(
    r"\b(?:gizzards?|livers?|hearts?|kidneys?|tongue|giblets|feet|brains?|tripe|spleen|lungs?|necks?"
    r"|skin only|backs?|tails?|ears?|snouts?|chitterlings|variety meats)\b"
)
_COOKED_CEREAL = re.compile(r"\b(?:cooked|prepared with water|prepared with milk)\b")
# Eaten as bought although the knowledge base cannot tell their preparation (tofu "raw", tempeh).
_READY_LEGUME = re.compile(r"\b(?:tofu|tempeh|meatless|seitan)\b")
# Ingredients rather than servings (powders, isolates, flours, mixes), and dairy look-alikes filed as
# legumes (tofu yogurt, soy milk), which are not a meal's protein.
_NOT_A_FOOD_SERVING = re.compile(r"\b(?:powder|isolate|concentrate|flour|mix|dehydrated)\b")
_NOT_A_LEGUME_CORE = re.compile(r"\b(?:yogh?urt|milk|beverage|drink|dessert|frozen dessert|cheese)\b")
_COUNTED = re.compile(
    r"^(?:slice|tortilla|pita|bagel|muffin|roll|bun|biscuit|english muffin|waffle|pancake|piece)\b"
)
_FRUIT_UNIT = re.compile(r"^(?:medium|small|fruit|large)\b")
_SLOT_FROM_HINT: Final[dict[str, PlanSlot]] = {
    "breakfast": PlanSlot.BREAKFAST,
    "main": PlanSlot.MAIN,
    "side": PlanSlot.MAIN,
    "snack": PlanSlot.SNACK,
    "dessert": PlanSlot.SNACK,
}


@dataclass(frozen=True)
class PortionRule:
    """Portion step and bounds: `unit_grams` per unit, from `min_units` to `max_units`."""

    unit_grams: float
    min_units: int
    max_units: int
    measure: str | None = None
    amount: float = 1.0
    whole: bool = False


# Grams per step and realistic per-meal bounds (grams) by group, for foods without a fitting household unit.
GRAM_STEPS: Final[dict[FoodGroup, tuple[float, float, float]]] = {
    FoodGroup.PROTEIN: (25.0, 75.0, 300.0),
    FoodGroup.LEGUME: (25.0, 75.0, 300.0),
    FoodGroup.STARCH: (25.0, 50.0, 300.0),
    FoodGroup.VEGETABLE: (25.0, 50.0, 300.0),
    FoodGroup.FRUIT: (25.0, 75.0, 250.0),
    FoodGroup.DAIRY: (25.0, 100.0, 300.0),
    FoodGroup.NUT_SEED: (10.0, 10.0, 40.0),
    FoodGroup.FAT: (5.0, 5.0, 20.0),
    FoodGroup.SNACK: (10.0, 20.0, 60.0),
    FoodGroup.DISH: (25.0, 150.0, 450.0),
}


def portion_rule(
    group: FoodGroup,
    description: str,
    portions: Sequence[tuple[float, str, float]],
    category: str | None = None,
) -> PortionRule:
    """The portion step of a food: a household measure where one fits the food (an egg, a slice, a
    teaspoon of oil, a medium fruit, ½ cup of milk), else grams in 5–25 g steps between group bounds.
    `portions` are (amount, measure, gram_weight) rows of the knowledge base."""
    text = description.lower()
    by_measure = {measure.lower(): grams / amount for amount, measure, grams in portions if amount > 0}
    if group is FoodGroup.PROTEIN and _EGG.match(text) and "large" in by_measure:
        return PortionRule(by_measure["large"], 1, 4, measure="large egg", whole=True)
    if group is FoodGroup.FAT and "tsp" in by_measure and 3 <= by_measure["tsp"] <= 6:
        return PortionRule(by_measure["tsp"], 1, 4, measure="tsp")
    if group is FoodGroup.STARCH:
        for measure, grams in sorted(by_measure.items()):
            if _COUNTED.match(measure) and 20 <= grams <= 120 and "crust" not in measure:
                return PortionRule(grams, 1, max(1, min(3, int(240 // grams))), measure=measure, whole=True)
    if group is FoodGroup.FRUIT:
        for measure, grams in sorted(by_measure.items()):
            if _FRUIT_UNIT.match(measure) and 60 <= grams <= 250:
                return PortionRule(grams, 1, 2, measure=measure, whole=True)
    if group is FoodGroup.STARCH and category == "Breakfast Cereals" and not _COOKED_CEREAL.search(text):
        return PortionRule(10.0, 3, 9)  # 30–90 g of a ready-to-eat cereal
    if group is FoodGroup.DAIRY and text.startswith("milk") and "cup" in by_measure:
        return PortionRule(by_measure["cup"] / 2, 1, 4, measure="cup", amount=0.5)
    if group is FoodGroup.DAIRY and text.startswith("cheese") and not text.startswith("cheese, cottage"):
        return PortionRule(10.0, 1, 5)
    step, low, high = GRAM_STEPS[group]
    return PortionRule(step, max(1, round(low / step)), max(1, round(high / step)))


def _base_diets(diets: Iterable[str], flags: frozenset[str], net_carbs_per_100g: float) -> frozenset[Diet]:
    known = {Diet(d) for d in diets if d in {x.value for x in MARKED_DIETS}}
    known.add(Diet.OMNIVORE)
    if not flags & DIET_FORBIDDEN_FLAGS[Diet.HALAL]:
        known.add(Diet.HALAL)
    if not flags & DIET_FORBIDDEN_FLAGS[Diet.KOSHER]:
        known.add(Diet.KOSHER)
    if net_carbs_per_100g <= KETO_MAX_NET_CARBS_PER_100G:
        known.add(Diet.KETO)
    return frozenset(known)


def _content_flags(
    allergens: Iterable[str],
    diets: Iterable[str],
    contains_pork: bool,
    contains_alcohol: bool,
    group: FoodGroup,
) -> frozenset[str]:
    """Allergens plus pork, alcohol and meat. "meat" is inferred, on the safe side: a protein food or dish
    that the knowledge base does not know to be pescatarian (so neither plant nor fish) is meat."""
    flags = set(allergens)
    if contains_pork:
        flags |= {"pork", "meat"}
    if contains_alcohol:
        flags.add("alcohol")
    if group in (FoodGroup.PROTEIN, FoodGroup.DISH) and Diet.PESCATARIAN.value not in set(diets):
        flags.add("meat")
    return frozenset(flags)


def food_candidate(
    food: Food, nutrients: FoodNutrients, portions: Sequence[tuple[float, str, float]]
) -> Candidate | None:
    """The candidate for one food row, or None when the planner does not use it (see the module doc)."""
    group = food.food_group
    if group not in PLANNED_GROUPS:
        return None
    prep = food.prep_state
    text = food.description.lower()
    ready_legume = group is FoodGroup.LEGUME and bool(_READY_LEGUME.search(text))
    if prep not in (PrepState.COOKED, PrepState.READY) and not (
        (prep is PrepState.RAW and group in EATEN_RAW_GROUPS) or (prep is not PrepState.DRY and ready_legume)
    ):
        return None
    if _NOT_A_FOOD_SERVING.search(text) or (group is FoodGroup.LEGUME and _NOT_A_LEGUME_CORE.search(text)):
        return None
    values = (nutrients.kcal, nutrients.protein_g, nutrients.fat_g, nutrients.carbs_g, nutrients.sodium_mg)
    if any(v is None for v in values):
        return None
    kcal, protein, fat, carbs, sodium = (float(v) for v in values if v is not None)
    fiber = float(nutrients.fiber_g or 0.0)
    if kcal <= 0:
        return None
    if group is FoodGroup.FAT and not _COOKING_FAT.match(text):
        return None
    # A dish fills a meal: leave out broths, sauces and condiments filed as dishes.
    if group is FoodGroup.DISH and (kcal < 80 or protein < 4):
        return None
    slots = frozenset(_SLOT_FROM_HINT[h] for h in food.slot_hints if h in _SLOT_FROM_HINT)
    if group is FoodGroup.FAT:
        slots = frozenset({PlanSlot.BREAKFAST, PlanSlot.MAIN})  # cooking fat goes where there is cooking
    elif group is FoodGroup.DAIRY and text.startswith("cheese"):
        slots |= {PlanSlot.MAIN}  # cheese goes on a main meal too
    elif food.category == "Breakfast Cereals":
        slots = frozenset({PlanSlot.BREAKFAST})
    elif group is FoodGroup.STARCH and PlanSlot.BREAKFAST in slots and not _BREAKFAST_STARCH.search(text):
        slots -= {PlanSlot.BREAKFAST}  # egg noodles are not breakfast, whatever "egg" suggests
    if not slots:
        return None
    rule = portion_rule(group, food.description, portions, food.category)
    per_100g = Nutrition(
        kcal=kcal, protein_g=protein, fat_g=fat, carbs_g=carbs, fiber_g=fiber, sodium_mg=sodium
    )
    flags = _content_flags(food.allergens, food.diets, food.contains_pork, food.contains_alcohol, group)
    return Candidate(
        key=f"food:{food.id}",
        food_id=food.id,
        name=food.description,
        group=group,
        slots=slots,
        category=food.category or "Other",
        per_unit=per_100g.scaled(rule.unit_grams / 100.0),
        unit_grams=round(rule.unit_grams, 2),
        unit_measure=rule.measure,
        unit_amount=rule.amount,
        min_units=rule.min_units,
        max_units=rule.max_units,
        whole_units=rule.whole,
        boost=food.search_boost,
        common=bool(_COMMON_FOOD.match(text)) and not _OFFAL.search(text),
        flags=flags,
        diets=_base_diets(food.diets, flags, per_100g.net_carbs_g),
    )


# Recipes per serving: a plan portions ½ to 2 servings. Per-serving values outside these bounds are import
# artefacts (a "serving" that is a whole roast, or a sauce), not meals.
RECIPE_KCAL_PER_SERVING: Final = (150.0, 1200.0)
RECIPE_SLOTS: Final[dict[str, PlanSlot]] = {"main": PlanSlot.MAIN, "breakfast": PlanSlot.BREAKFAST}


def recipe_candidate(
    recipe: Recipe,
    nutrition: RecipeNutrition,
    ingredients: Sequence[tuple[str, Food | None]],
) -> Candidate | None:
    """The candidate for a planner-ready recipe (main or breakfast), half a serving per unit. Its flags are
    the recipe's own united with every matched ingredient's; its diets those that the recipe and every
    matched ingredient are known to suit."""
    if not recipe.planner_ready or nutrition.sodium_mg is None or nutrition.servings <= 0:
        return None
    low, high = RECIPE_KCAL_PER_SERVING
    if not low <= nutrition.kcal <= high:
        return None
    slots = frozenset(slot for hint, slot in RECIPE_SLOTS.items() if hint in recipe.slot_hints)
    if not slots:
        return None
    allergens = set(recipe.allergens)
    diets = set(recipe.diets)
    pork, alcohol = recipe.contains_pork, recipe.contains_alcohol
    names: list[str] = []
    food_ids: list[int] = []
    for name, food in ingredients:
        names.append(name)
        if food is not None:
            names.append(food.description)
            food_ids.append(food.id)
            allergens |= set(food.allergens)
            diets &= set(food.diets)
            pork, alcohol = pork or food.contains_pork, alcohol or food.contains_alcohol
    flags = _content_flags(allergens, diets, pork, alcohol, FoodGroup.DISH)
    per_serving = Nutrition(
        kcal=nutrition.kcal,
        protein_g=nutrition.protein_g,
        fat_g=nutrition.fat_g,
        carbs_g=nutrition.carbs_g,
        fiber_g=nutrition.fiber_g or 0.0,
        sodium_mg=nutrition.sodium_mg,
    )
    net_carbs_per_100g = per_serving.net_carbs_g * 100.0 / max(nutrition.grams_per_serving, 1.0)
    return Candidate(
        key=f"recipe:{recipe.id}",
        recipe_id=recipe.id,
        name=recipe.title,
        group=FoodGroup.DISH,
        slots=slots,
        category="Recipes",
        per_unit=per_serving.scaled(0.5),
        unit_grams=round(nutrition.grams_per_serving / 2, 1),
        unit_servings=0.5,
        min_units=1,
        max_units=4,
        boost=0.3,
        common=True,
        flags=flags,
        diets=_base_diets(diets, flags, net_carbs_per_100g),
        ingredient_names=tuple(names),
        ingredient_food_ids=tuple(sorted(set(food_ids))),
    )


@dataclass(frozen=True)
class Catalogue:
    """Every candidate the knowledge base offers, before any person's filter. `version` changes when the
    foods or recipes change."""

    candidates: tuple[Candidate, ...]
    version: str
    by_key: dict[str, Candidate] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_key.update({c.key: c for c in self.candidates})


def catalogue_version(session: Session) -> str:
    """A cheap fingerprint of the foods and recipes tables (row counts and last update)."""
    foods = session.execute(select(func.count(Food.id), func.max(Food.updated_at))).one()
    recipes = session.execute(select(func.count(Recipe.id), func.max(Recipe.updated_at))).one()
    return f"{foods[0]}:{foods[1]}:{recipes[0]}:{recipes[1]}"


# What the planner reads of a food or recipe row (not the embeddings, search text or instructions).
_FOOD_COLUMNS: Final = (
    Food.id,
    Food.description,
    Food.category,
    Food.food_group,
    Food.slot_hints,
    Food.prep_state,
    Food.allergens,
    Food.diets,
    Food.contains_pork,
    Food.contains_alcohol,
    Food.search_boost,
)
_RECIPE_COLUMNS: Final = (
    Recipe.id,
    Recipe.title,
    Recipe.slot_hints,
    Recipe.allergens,
    Recipe.diets,
    Recipe.contains_pork,
    Recipe.contains_alcohol,
    Recipe.planner_ready,
)


def load_catalogue(session: Session) -> Catalogue:
    """All candidates from the knowledge base (a few thousand rows; ~0.1–0.3 s)."""
    version = catalogue_version(session)
    rows = session.execute(
        select(Food, FoodNutrients)
        .options(load_only(*_FOOD_COLUMNS))
        .join(FoodNutrients, FoodNutrients.food_id == Food.id)
        .where(Food.food_group.in_([g.value for g in PLANNED_GROUPS]))
        .order_by(Food.id)
    ).all()
    portions: dict[int, list[tuple[float, str, float]]] = {}
    for food_id, amount, measure, grams in session.execute(
        select(FoodPortion.food_id, FoodPortion.amount, FoodPortion.measure, FoodPortion.gram_weight)
        .join(Food, Food.id == FoodPortion.food_id)
        .where(Food.food_group.in_([g.value for g in PLANNED_GROUPS]))
        .order_by(FoodPortion.food_id, FoodPortion.seq)
    ):
        portions.setdefault(food_id, []).append((amount, measure, grams))
    candidates: list[Candidate] = []
    for food, nutrients in rows:
        candidate = food_candidate(food, nutrients, portions.get(food.id, []))
        if candidate is not None:
            candidates.append(candidate)
    recipes = session.execute(
        select(Recipe, RecipeNutrition)
        .options(load_only(*_RECIPE_COLUMNS))
        .join(RecipeNutrition, RecipeNutrition.recipe_id == Recipe.id)
        .where(Recipe.planner_ready.is_(True))
        .order_by(Recipe.id)
    ).all()
    if recipes:
        ingredients: dict[int, list[tuple[str, Food | None]]] = {}
        for ingredient, food in session.execute(
            select(RecipeIngredient, Food)
            .options(load_only(*_FOOD_COLUMNS))
            .outerjoin(Food, Food.id == RecipeIngredient.food_id)
            .where(RecipeIngredient.recipe_id.in_([r.id for r, _ in recipes]))
            .order_by(RecipeIngredient.recipe_id, RecipeIngredient.position)
        ):
            ingredients.setdefault(ingredient.recipe_id, []).append((ingredient.name, food))
        for recipe, nutrition in recipes:
            candidate = recipe_candidate(recipe, nutrition, ingredients.get(recipe.id, []))
            if candidate is not None:
                candidates.append(candidate)
    return Catalogue(candidates=tuple(candidates), version=version)


class CatalogueCache(FingerprintCache[Catalogue, str]):
    """The catalogue, reloaded when the knowledge base changes (its fingerprint: two aggregate queries, not
    worth paying on every request). One per process, created at start-up (or by the first request) and
    passed down."""

    def __init__(self, check_every_s: float = 30.0) -> None:
        super().__init__(catalogue_version, load_catalogue, check_every_s)


# --- Per-person candidates and pruning ----------------------------------------------------------------------


def personal_candidates(
    catalogue: Catalogue, restrictions: Restrictions, liked: Sequence[str] = ()
) -> list[Candidate]:
    """The safe candidates for one person; those matching a liked food get preference 1."""
    forbidden = restrictions.forbidden_flags()
    disliked = TermMatcher(restrictions.disliked)
    likes = TermMatcher(liked)
    safe: list[Candidate] = []
    marked = (
        restrictions.diet if restrictions.diet in MARKED_DIETS or restrictions.diet is Diet.KETO else None
    )
    excluded = restrictions.excluded_food_ids
    for candidate in catalogue.candidates:
        # The checks of `violations`, cheapest first (this runs over every candidate for each plan).
        if candidate.flags & forbidden or (marked is not None and marked not in candidate.diets):
            continue
        if disliked and disliked.search_lowered(candidate.lowered_text):
            continue
        if excluded and (
            candidate.food_id in excluded
            or any(food_id in excluded for food_id in candidate.ingredient_food_ids)
        ):
            continue
        if likes and likes.search_lowered(candidate.lowered_text):
            candidate = candidate.model_copy(update={"preference": 1.0})
        safe.append(candidate)
    return safe


# How many candidates of each group to keep per slot: enough for a week's variety (weekly caps, one use per
# day) and for the nutrient limits to have room, few enough for the solver to stay in milliseconds.
POOL_QUOTAS: Final[dict[PlanSlot, dict[FoodGroup, int]]] = {
    PlanSlot.BREAKFAST: {
        FoodGroup.DISH: 2,
        FoodGroup.PROTEIN: 2,
        FoodGroup.STARCH: 4,
        FoodGroup.DAIRY: 3,
        FoodGroup.FRUIT: 3,
        FoodGroup.NUT_SEED: 2,
        FoodGroup.FAT: 1,
    },
    PlanSlot.MAIN: {
        FoodGroup.DISH: 4,
        FoodGroup.PROTEIN: 7,
        FoodGroup.LEGUME: 3,
        FoodGroup.STARCH: 5,
        FoodGroup.VEGETABLE: 6,
        FoodGroup.DAIRY: 1,
        FoodGroup.FAT: 2,
    },
    PlanSlot.SNACK: {
        FoodGroup.FRUIT: 3,
        FoodGroup.DAIRY: 3,
        FoodGroup.NUT_SEED: 2,
    },
}


def pool_quotas(slot: PlanSlot, diet: Diet) -> dict[FoodGroup, int]:
    """`POOL_QUOTAS`, with more legumes where they are the main protein (a week needs ~14 main meals and
    a legume may appear three times)."""
    quotas = dict(POOL_QUOTAS[slot])
    if slot is PlanSlot.MAIN and diet in (Diet.VEGAN, Diet.VEGETARIAN):
        quotas[FoodGroup.LEGUME] = 10
        quotas[FoodGroup.DISH] = 6
    return quotas


def stable_jitter(seed: int, key: str) -> float:
    """A number in [0, 1) fixed by (seed, key): plans differ between people and seeds, never between two
    runs with the same seed (CRC-32: fast, and stable across processes, unlike `hash`)."""
    return zlib.crc32(f"{seed}:{key}".encode()) / 4_294_967_296


def nutrition_fit(candidate: Candidate, protein_share: float) -> float:
    """How useful a candidate is for its role, from nutrition per 100 kcal: protein density for protein
    foods (weighted by how protein-heavy the targets are), fibre for plants and starches, less sodium
    everywhere (the 2,300 mg cap is a hard limit)."""
    base, protein_part = candidate.fit_parts
    return base + protein_part * (0.5 + 3.0 * protein_share)


def food_family(name: str, segments: int = 2) -> str:
    """ "Egg, whole, cooked, fried" → "egg, whole": pools keep one food per family, so a week is not five
    kinds of boiled egg. Produce is one family per plant ("eggplant, raw" and "eggplant, cooked")."""
    return ",".join(part.strip() for part in name.lower().split(",")[:segments])


def prune_pool(
    candidates: Sequence[Candidate],
    slot: PlanSlot,
    *,
    seed: int,
    protein_share: float = 0.25,
    quotas: dict[FoodGroup, int] | None = None,
    always: Iterable[Candidate] = (),
) -> list[Candidate]:
    """The candidates kept for one slot: per group, the best by liking, rating, the knowledge base's
    staple prior, nutrition fit and a seeded jitter (so two people with the same profile do not get the
    same week), one per food family. `always` (e.g. a locked item) are kept regardless. Sorted by key, so
    the model is built in a stable order."""
    quotas = quotas or POOL_QUOTAS[slot]
    by_group: dict[FoodGroup, list[tuple[float, str, Candidate]]] = {}
    for candidate in candidates:
        if slot not in candidate.slots or candidate.group not in quotas:
            continue
        rating = ((candidate.rating or 3.0) - 3.0) / 2.0
        score = (
            2.5 * candidate.preference
            + 0.5 * rating
            + 2.0 * candidate.boost
            + (2.0 if candidate.common else 0.0)
            + nutrition_fit(candidate, protein_share)
            + 1.5 * stable_jitter(seed, candidate.key)
        )
        by_group.setdefault(candidate.group, []).append((-score, candidate.key, candidate))
    kept: dict[str, Candidate] = {c.key: c for c in always}
    for group, ranked in by_group.items():
        ranked.sort(key=lambda entry: (entry[0], entry[1]))
        families: set[str] = set()
        taken = 0
        for _, key, candidate in ranked:
            if taken >= quotas[group]:
                break
            family = candidate.family
            if family in families:
                continue
            families.add(family)
            kept.setdefault(key, candidate)
            taken += 1
    return sorted(kept.values(), key=lambda c: c.key)


@dataclass(frozen=True)
class PoolSource:
    """One person's safe candidates by slot, and how to prune them: the pools at any width (quotas × factor),
    so the solver can get a wider choice when the pruned pools cannot meet the targets."""

    by_slot: dict[PlanSlot, list[Candidate]]
    seed: int
    protein_share: float
    diet: Diet
    always: tuple[Candidate, ...] = ()

    @classmethod
    def of(
        cls,
        safe: Iterable[Candidate],
        *,
        seed: int,
        protein_share: float,
        diet: Diet,
        always: Iterable[Candidate] = (),
    ) -> PoolSource:
        by_slot: dict[PlanSlot, list[Candidate]] = {slot: [] for slot in PlanSlot}
        for candidate in safe:
            for slot in candidate.slots:
                by_slot[slot].append(candidate)
        return cls(by_slot, seed, protein_share, diet, tuple(always))

    def pools(self, factor: int = 1) -> dict[PlanSlot, list[Candidate]]:
        return {
            slot: prune_pool(
                self.by_slot[slot],
                slot,
                seed=self.seed,
                protein_share=self.protein_share,
                quotas={group: n * factor for group, n in pool_quotas(slot, self.diet).items()},
                always=[c for c in self.always if slot in c.slots],
            )
            for slot in PlanSlot
        }


def restrictions_for(profile: Any, excluded_food_ids: Iterable[int] = ()) -> Restrictions:
    """The restrictions of a `store.models.Profile` row."""
    return Restrictions(
        diet=profile.diet,
        allergies=frozenset(profile.allergies or ()),
        disliked=tuple(profile.disliked_foods or ()),
        excluded_food_ids=frozenset(excluded_food_ids),
    )


def plan_seed(user_id: uuid.UUID, salt: str = "") -> int:
    """A per-person seed: the same person gets the same plan for the same inputs."""
    return int.from_bytes(uuid.uuid5(user_id, salt or "meal-plan").bytes[:4], "big")
