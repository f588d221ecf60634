"""Planner-facing classification of foods: coarse group, meal-slot hints, preparation state, dish or not,
and a ranking prior for search. Rules on the SR28 category and description; documented, deterministic."""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.models.knowledge import FoodGroup, MealSlot, PrepState

DISH_CATEGORIES = frozenset({"Fast Foods", "Restaurant Foods", "Meals, Entrees, and Side Dishes"})

_CATEGORY_GROUP: dict[str, FoodGroup] = {
    "Beef Products": FoodGroup.PROTEIN,
    "Pork Products": FoodGroup.PROTEIN,
    "Poultry Products": FoodGroup.PROTEIN,
    "Lamb, Veal, and Game Products": FoodGroup.PROTEIN,
    "Sausages and Luncheon Meats": FoodGroup.PROTEIN,
    "Finfish and Shellfish Products": FoodGroup.PROTEIN,
    "Dairy and Egg Products": FoodGroup.DAIRY,
    "Legumes and Legume Products": FoodGroup.LEGUME,
    "Nut and Seed Products": FoodGroup.NUT_SEED,
    "Vegetables and Vegetable Products": FoodGroup.VEGETABLE,
    "Fruits and Fruit Juices": FoodGroup.FRUIT,
    "Cereal Grains and Pasta": FoodGroup.STARCH,
    "Breakfast Cereals": FoodGroup.STARCH,
    "Baked Products": FoodGroup.STARCH,
    "Fats and Oils": FoodGroup.FAT,
    "Sweets": FoodGroup.SWEET,
    "Snacks": FoodGroup.SNACK,
    "Beverages": FoodGroup.BEVERAGE,
    "Spices and Herbs": FoodGroup.CONDIMENT,
    "Soups, Sauces, and Gravies": FoodGroup.CONDIMENT,
    "Fast Foods": FoodGroup.DISH,
    "Restaurant Foods": FoodGroup.DISH,
    "Meals, Entrees, and Side Dishes": FoodGroup.DISH,
    "Baby Foods": FoodGroup.OTHER,
    "American Indian/Alaska Native Foods": FoodGroup.OTHER,
}

_STARCHY_VEGETABLES = re.compile(r"^(?:potato|sweet ?potato|yams?\b|plantains?|cassava|taro|corn, sweet)")
_SWEET_BAKED = re.compile(
    r"^(?:cakes?|cookies?|pies?|pastr|doughnuts?|danish|brownies?|cheesecake|puff|strudel)"
)
_SNACK_BAKED = re.compile(r"^(?:crackers?|pretzels?|rice cakes?)")
_FAT_DAIRY = re.compile(r"^(?:butter|cream\b|cream,|sour cream)")
_EGG = re.compile(r"^egg(?:,| white| yolk)")
_SAUCE = re.compile(r"^(?:sauce|gravy|dip)")
_JUICE = re.compile(r"\bjuice\b")
_BREAKFAST = re.compile(
    r"\b(?:breakfast|cereal|oat|oatmeal|granola|muesli|pancake|waffle|bagel|toast|muffin|croissant|egg"
    r"|yogurt|milk)\b"
)

_COOKED = re.compile(
    r"\b(?:cooked|boiled|roasted|baked|broiled|braised|fried|grilled|stewed|steamed|microwaved|simmered"
    r"|poached|scrambled|toasted|heated|prepared|ready-to-eat|ready to serve|ready-to-serve|canned|smoked"
    r"|cured)\b"
)
_DRY = re.compile(r"\b(?:dry|dried|uncooked|unprepared|dehydrated|dry form|flour|meal)\b")
_READY_CATEGORIES = frozenset(
    {
        "Baked Products",
        "Sweets",
        "Snacks",
        "Beverages",
        "Fast Foods",
        "Restaurant Foods",
        "Meals, Entrees, and Side Dishes",
        "Dairy and Egg Products",
        "Fats and Oils",
        "Spices and Herbs",
        "Breakfast Cereals",
        "Baby Foods",
        "Nut and Seed Products",
    }
)
_BRANDED = re.compile(r"\b[A-Z][A-Z'&.]{2,}(?:\s+[A-Z][A-Z'&.]+)*\b")
_UNITS_LIKE = re.compile(r"\b(?:USDA|NFS|RTE|UPC|II|III|IV)\b")


# The usual form of everyday foods: what a plain query ("milk", "chicken breast", "rice") most likely means.
# A curated list of SR28 description patterns — plain cow's milk, not sheep's; a raw or simply cooked
# chicken breast, not breaded tenders; the whole raw fruit, not its juice or powder. It gives a ranking
# prior only; it never hides another row.
STAPLES: tuple[str, ...] = (
    r"egg, whole, (?:raw, fresh|cooked, (?:hard-boiled|scrambled|fried|poached))$",
    r"egg, white, raw, fresh$",
    r"milk, (?:whole, 3\.25% milkfat|reduced fat, fluid, 2% milkfat|lowfat, fluid, 1% milkfat"
    r"|nonfat, fluid), with added vitamin",
    r"yogurt, (?:plain, (?:whole milk|low fat)|greek, plain, (?:nonfat|lowfat|whole milk))",
    r"cheese, (?:cheddar|feta|mozzarella, whole milk|parmesan, grated|cottage, creamed, large or small curd"
    r"|cream|swiss|ricotta, whole milk)$",
    r"butter, (?:salted|without salt)$",
    r"salad dressing, mayonnaise, regular$",
    r"cream, (?:sour, cultured|fluid, heavy whipping)$",
    r"chicken, broilers or fryers, (?:breast|thigh|drumstick|wing)?,? ?meat only, (?:raw|cooked, roasted)$",
    r"chicken, broilers or fryers, meat only, (?:raw|roasted)$",
    r"turkey, (?:whole, meat only, (?:raw|roasted)|breast, meat only, (?:raw|roasted)"
    r"|ground, (?:raw|cooked))",
    r"beef, ground, (?:80|85|90)% lean meat / \d+% fat, (?:raw|patty, cooked, broiled)$",
    r"pork, fresh, loin, (?:whole|center loin \(chops\)), separable lean only, (?:raw|cooked, broiled)",
    r"pork, cured, bacon, (?:unprepared|cooked, baked|pre-sliced, cooked, pan-fried)$",
    r"lamb, domestic, leg, whole \(shank and sirloin\), separable lean only, (?:raw|cooked, roasted)",
    r"fish, (?:salmon, atlantic, (?:farmed|wild), (?:raw|cooked)|tuna, light, canned in water, drained"
    r"|cod, atlantic, (?:raw|cooked)|tilapia, (?:raw|cooked)|sardine, atlantic, canned in oil)",
    r"crustaceans, shrimp, (?:raw|cooked)",
    r"rice, (?:white|brown), (?:long-grain|medium-grain), (?:regular, )?(?:raw|cooked|enriched, cooked"
    r"|raw, enriched)",
    r"pasta, (?:dry|cooked), enriched",
    r"bread, (?:white|whole-wheat|rye|multi-grain), commercially prepared(?:, \(includes[^)]*\))?$",
    r"cereals, oats, regular and quick, not fortified, (?:dry|cooked with water)",
    r"oats$|quinoa, (?:uncooked|cooked)$|couscous, (?:dry|cooked)$|bulgur, (?:dry|cooked)$",
    r"barley, pearled, (?:raw|cooked)$|buckwheat groats, roasted, (?:dry|cooked)$",
    r"potatoes, (?:flesh and skin, raw|baked, flesh and skin, without salt|boiled, cooked in skin, flesh)",
    r"sweet ?potato, (?:raw, unprepared|cooked, baked in skin, flesh, without salt)",
    r"(?:apples, raw, with skin|bananas, raw|oranges, raw, all commercial varieties|lemons, raw, without"
    r" peel|limes, raw|pears, raw|peaches, yellow, raw|grapes, red or green|strawberries, raw"
    r"|blueberries, raw|raspberries, raw|pineapple, raw, all varieties|mangos, raw|avocados, raw, all"
    r" commercial varieties|watermelon, raw|kiwifruit, green, raw|cherries, sweet, raw|plums, raw)",
    r"(?:broccoli|carrots|cauliflower|spinach|kale|cabbage|celery|asparagus|onions|garlic|cucumber, with"
    r" peel|peppers, sweet, (?:red|green)|mushrooms, white|squash, summer, zucchini, includes skin"
    r"|eggplant|beets|peas, green|corn, sweet, yellow|beans, snap, green|lettuce, (?:green leaf|cos or"
    r" romaine)|tomatoes, red, ripe), (?:raw|cooked, boiled, drained, without salt)"
    r"(?:, year round average)?$",
    r"(?:beans, (?:black|kidney, red|pinto|navy)|chickpeas \(garbanzo beans, bengal gram\)|lentils)"
    r"(?:, mature seeds)?, (?:raw|cooked, boiled, without salt)$",
    r"tofu, (?:raw, firm|firm, prepared with calcium sulfate)",
    r"nuts, (?:almonds|walnuts, english|cashew nuts, raw|pistachio nuts, raw|pecans|hazelnuts or filberts"
    r"|macadamia nuts, raw|brazilnuts, dried, unblanched)$",
    r"peanut butter, smooth style, without salt$|peanuts, all types, raw$",
    r"seeds, (?:chia seeds, dried|sunflower seed kernels, dried|pumpkin and squash seed kernels, dried"
    r"|flaxseed|sesame seeds, whole, dried)$",
    r"oil, (?:olive, salad or cooking|canola|coconut|sunflow)",
    r"honey$|sugars, granulated$|syrups, maple$|salt, table$|spices, pepper, black$",
    r"beverages, coffee, brewed, prepared with tap water$|beverages, tea, black, brewed, prepared with tap"
    r" water$|beverages, water, tap, drinking$",
    r"orange juice, raw$|apple juice, canned or bottled, unsweetened, without added ascorbic acid$",
)
_STAPLES = re.compile("^(?:" + "|".join(STAPLES) + ")")
STAPLE_BOOST = 1.0


@dataclass(frozen=True)
class FoodClass:
    food_group: FoodGroup
    slot_hints: list[str]
    prep_state: PrepState
    is_dish: bool
    search_boost: float


def classify_food(description: str, category: str | None, *, branded: bool = False) -> FoodClass:
    text = description.lower()
    category = category or ""
    group = _CATEGORY_GROUP.get(category, FoodGroup.OTHER)
    if category == "Dairy and Egg Products":
        if _EGG.match(text):
            group = FoodGroup.PROTEIN
        elif _FAT_DAIRY.match(text):
            group = FoodGroup.FAT
    elif category == "Vegetables and Vegetable Products" and _STARCHY_VEGETABLES.match(text):
        group = FoodGroup.STARCH
    elif category == "Baked Products" and _SWEET_BAKED.match(text):
        group = FoodGroup.SWEET
    elif category == "Baked Products" and _SNACK_BAKED.match(text):
        group = FoodGroup.SNACK
    elif category == "Fruits and Fruit Juices" and _JUICE.search(text):
        group = FoodGroup.BEVERAGE
    elif category == "Soups, Sauces, and Gravies" and not _SAUCE.match(text):
        group = FoodGroup.DISH
    elif category == "Fats and Oils" and text.startswith("salad dressing"):
        group = FoodGroup.CONDIMENT
    elif category == "Legumes and Legume Products" and text.startswith("peanut"):
        group = FoodGroup.NUT_SEED
    is_dish = category in DISH_CATEGORIES or group is FoodGroup.DISH
    return FoodClass(
        food_group=group,
        slot_hints=_slots(group, text, is_dish),
        prep_state=_prep_state(text, category),
        is_dish=is_dish,
        search_boost=_search_boost(description, category, branded=branded),
    )


def _slots(group: FoodGroup, text: str, is_dish: bool) -> list[str]:
    slots: set[MealSlot] = set()
    match group:
        case FoodGroup.PROTEIN | FoodGroup.LEGUME:
            slots |= {MealSlot.MAIN}
        case FoodGroup.STARCH:
            slots |= {MealSlot.MAIN, MealSlot.SIDE}
        case FoodGroup.VEGETABLE:
            slots |= {MealSlot.SIDE, MealSlot.MAIN}
        case FoodGroup.FRUIT:
            slots |= {MealSlot.BREAKFAST, MealSlot.SNACK, MealSlot.DESSERT}
        case FoodGroup.DAIRY:
            slots |= {MealSlot.BREAKFAST, MealSlot.SNACK}
        case FoodGroup.NUT_SEED:
            slots |= {MealSlot.SNACK, MealSlot.BREAKFAST}
        case FoodGroup.SWEET:
            slots |= {MealSlot.DESSERT, MealSlot.SNACK}
        case FoodGroup.SNACK:
            slots |= {MealSlot.SNACK}
        case FoodGroup.BEVERAGE:
            slots |= {MealSlot.DRINK}
        case FoodGroup.DISH:
            slots |= {MealSlot.MAIN}
        case _:
            pass
    if _BREAKFAST.search(text) and group not in (FoodGroup.FAT, FoodGroup.CONDIMENT, FoodGroup.OTHER):
        slots.add(MealSlot.BREAKFAST)
    if is_dish:
        slots.add(MealSlot.MAIN)
    return sorted(s.value for s in slots)


def _prep_state(text: str, category: str) -> PrepState:
    if _COOKED.search(text):
        return PrepState.COOKED
    if category in ("Cereal Grains and Pasta", "Legumes and Legume Products") and (
        _DRY.search(text) or re.search(r"\braw\b", text)
    ):
        return PrepState.DRY
    if _DRY.search(text):
        return PrepState.DRY
    if re.search(r"\braw\b", text):
        return PrepState.RAW
    if category in _READY_CATEGORIES:
        return PrepState.READY
    return PrepState.UNKNOWN


def _search_boost(description: str, category: str, *, branded: bool) -> float:
    """Generic staples up, specialised rows down: "egg" should find "Egg, whole, raw", not egg noodles.
    Roughly: fewer qualifiers is more generic; baby, fast and restaurant foods, branded and commodity rows
    are rarely what a plain query means."""
    text = description.lower()
    if _STAPLES.match(text):
        return STAPLE_BOOST
    segments = [s for s in re.split(r"[,;(]", description) if s.strip()]
    boost = 0.3 - 0.08 * max(0, len(segments) - 2)
    if category == "Baby Foods" or text.startswith("babyfood"):
        boost -= 0.6
    if category == "American Indian/Alaska Native Foods":
        boost -= 0.4
    if category in ("Fast Foods", "Restaurant Foods"):
        boost -= 0.3
    if branded or _BRANDED.search(_UNITS_LIKE.sub("", description)):
        boost -= 0.25
    if "usda commodity" in text:
        boost -= 0.3
    if re.search(r"\b(?:raw|fresh)\b", text):
        boost += 0.1
    if re.search(r"\bwhole\b", text):
        boost += 0.05
    for qualifier in ("dehydrated", "frozen", "fortified", "low sodium", "no salt added", "imitation", "mix"):
        if qualifier in text:
            boost -= 0.05
    return max(-1.0, min(STAPLE_BOOST - 0.1, round(boost, 3)))
