"""Search quality: top-1/top-3 accuracy of food and exercise search on a fixed query set.

The expected answers (a regex over the description or name that any acceptable answer matches) were
written before the search existed and before any result was looked at; each was only checked to match at
least one row of the data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from knowledge.runtime import embedder_for
from knowledge.search import ExerciseQuery, FoodQuery, search_exercises, search_foods
from store.db import Database
from store.settings import Settings

FOOD_QUERIES: list[tuple[str, str]] = [
    # plain staples: the generic, whole form should win
    ("egg", r"^Egg, whole, (raw|cooked)"),
    ("eggs", r"^Egg, whole, (raw|cooked)"),
    ("milk", r"^Milk, (whole|reduced fat|lowfat|nonfat|fluid)"),
    ("whole milk", r"^Milk, whole"),
    ("skim milk", r"^Milk, nonfat"),
    ("rice", r"^Rice, (white|brown)"),
    ("white rice", r"^Rice, white"),
    ("brown rice", r"^Rice, brown"),
    ("bread", r"^Bread, "),
    ("whole wheat bread", r"^Bread, whole-wheat"),
    ("chicken", r"^Chicken, broiler"),
    ("chicken breast", r"^Chicken, broiler.*breast"),
    ("salmon", r"^Fish, salmon"),
    ("tuna", r"^Fish, tuna"),
    ("canned tuna", r"^Fish, tuna.*canned"),
    ("banana", r"^Bananas, raw"),
    ("apple", r"^Apples, raw"),
    ("orange", r"^Oranges, raw"),
    ("almonds", r"^Nuts, almonds"),
    ("walnuts", r"^Nuts, walnuts"),
    ("cashews", r"^Nuts, cashew"),
    ("peanut butter", r"^Peanut butter"),
    ("spaghetti", r"^(Pasta|Spaghetti)"),
    ("potato", r"^Potatoes, (raw|baked|boiled|flesh)"),
    ("sweet potato", r"^Sweet ?potato"),
    ("spinach", r"^Spinach, (raw|cooked)"),
    ("tofu", r"^Tofu"),
    ("lentils", r"^Lentils"),
    ("black beans", r"^Beans, black"),
    ("kidney beans", r"^Beans, kidney"),
    ("green beans", r"^Beans, snap, green"),
    ("cheddar", r"^Cheese, cheddar"),
    ("mozzarella", r"^Cheese, mozzarella"),
    ("parmesan", r"^Cheese, parmesan"),
    ("feta", r"^Cheese, feta"),
    ("cottage cheese", r"^Cheese, cottage"),
    ("cream cheese", r"^Cheese, cream"),
    ("butter", r"^Butter, (salted|without salt|whipped)"),
    ("olive oil", r"^Oil, olive"),
    ("avocado", r"^Avocados, raw"),
    ("quinoa", r"^Quinoa"),
    ("ground beef", r"^Beef, ground"),
    ("eggplant", r"^Eggplant"),
    ("buckwheat", r"^Buckwheat"),
    ("honey", r"^Honey"),
    ("coffee", r"^Beverages, coffee, brewed"),
    ("orange juice", r"^Orange juice"),
    ("strawberries", r"^Strawberries, raw"),
    ("blueberries", r"^Blueberries, raw"),
    ("carrot", r"^Carrots, (raw|cooked)"),
    ("tomato", r"^Tomatoes, red, ripe, (raw|cooked)"),
    ("onion", r"^Onions, (raw|cooked)"),
    ("garlic", r"^Garlic, raw"),
    ("mushrooms", r"^Mushrooms, white"),
    ("cucumber", r"^Cucumber"),
    ("kale", r"^Kale"),
    ("cauliflower", r"^Cauliflower"),
    ("cabbage", r"^Cabbage, (raw|cooked)"),
    ("celery", r"^Celery, (raw|cooked)"),
    ("asparagus", r"^Asparagus"),
    ("peas", r"^Peas, green"),
    ("shrimp", r"^Crustaceans, shrimp"),
    ("cod", r"^Fish, cod"),
    ("sardines", r"^Fish, sardine"),
    ("turkey", r"^Turkey"),
    ("turkey breast", r"^Turkey.*breast"),
    ("bacon", r"^Pork, cured, bacon"),
    ("hummus", r"^Hummus"),
    ("tahini", r"tahini"),
    ("chia seeds", r"^Seeds, chia"),
    ("pumpkin seeds", r"^Seeds, pumpkin"),
    ("sunflower seeds", r"^Seeds, sunflower seed kernels"),
    ("edamame", r"^Edamame"),
    ("tempeh", r"^Tempeh"),
    ("soy milk", r"^Soymilk"),
    ("almond milk", r"almond milk"),
    ("ketchup", r"^Catsup"),
    ("soy sauce", r"^Soy sauce"),
    ("sugar", r"^Sugars, granulated"),
    ("maple syrup", r"^Syrups, maple"),
    ("salt", r"^Salt, table"),
    ("black pepper", r"^Spices, pepper, black"),
    ("lemon", r"^Lemons, raw"),
    ("grapes", r"^Grapes"),
    ("pineapple", r"^Pineapple, raw"),
    ("mango", r"^Mangos, raw"),
    ("popcorn", r"^Snacks, popcorn"),
    ("bagel", r"^Bagels"),
    ("couscous", r"^Couscous"),
    ("sour cream", r"^Cream, sour"),
    ("ice cream", r"^Ice creams"),
    ("boiled egg", r"^Egg, whole, cooked, hard-boiled"),
    ("scrambled eggs", r"^Egg, whole, cooked, scrambled"),
    ("beer", r"^Alcoholic beverage, beer"),
    ("red wine", r"^Alcoholic beverage, wine, table, red"),
    # synonyms (British / other names)
    ("garbanzo", r"^Chickpeas"),
    ("chickpeas", r"^Chickpeas"),
    ("courgette", r"zucchini"),
    ("zucchini", r"zucchini"),
    ("aubergine", r"^Eggplant"),
    ("capsicum", r"^Peppers, sweet"),
    ("bell pepper", r"^Peppers, sweet"),
    ("cilantro", r"^Coriander \(cilantro\) leaves"),
    ("rocket", r"^Arugula"),
    ("beetroot", r"^Beets"),
    ("spring onion", r"^Onions, spring or scallions"),
    ("minced beef", r"^Beef, ground"),
    ("wholemeal bread", r"^Bread, whole-wheat"),
    ("crisps", r"^Snacks, potato chips"),
    ("prawns", r"^Crustaceans, shrimp"),
    ("porridge oats", r"^(Cereals, oats|Oats)"),
    ("oatmeal", r"^(Cereals, oats|Oats)"),
    ("sweetcorn", r"^Corn, sweet"),
    # spelling mistakes
    ("yoghurt", r"^Yogurt"),
    ("brocoli", r"^Broccoli, (raw|cooked)"),
    ("bannana", r"^Bananas, raw"),
    ("avacado", r"^Avocados, raw"),
    ("chiken breast", r"^Chicken, broiler.*breast"),
    ("mozarella", r"^Cheese, mozzarella"),
    ("spinnach", r"^Spinach"),
    ("tomatoe", r"^Tomatoes, red, ripe"),
]

EXERCISE_QUERIES: list[tuple[str, str]] = [
    ("bench press", r"Bench Press"),
    ("squat", r"^(Barbell )?(Full )?Squat"),
    ("deadlift", r"^(Barbell )?Deadlift"),
    ("pull up", r"Pull-?ups?$|^Pullups"),
    ("push up", r"^Push-?ups?"),
    ("bicep curl", r"(Barbell|Dumbbell|Dumbbell Alternate) (Bicep )?Curl"),
    ("tricep dips", r"Dips|Bench Dips"),
    ("overhead press", r"(Shoulder|Military|Overhead) Press"),
    ("lat pulldown", r"Pulldown"),
    ("plank", r"^Plank"),
    ("lunges", r"Lunge"),
    ("romanian deadlift", r"Romanian Deadlift"),
    ("hip thrust", r"Hip Thrust|Glute Bridge"),
    ("calf raise", r"Calf Raise"),
    ("leg press", r"Leg Press"),
    ("leg curl", r"Leg Curl"),
    ("leg extension", r"Leg Extension"),
    ("crunches", r"Crunch"),
    ("kettlebell swing", r"Kettlebell.*Swing"),
    ("box jump", r"Box Jump"),
    ("rowing machine", r"Rowing, Stationary"),
    ("treadmill", r"Treadmill"),
    ("stationary bike", r"Bicycling, Stationary|Recumbent Bike"),
    ("face pull", r"Face Pull"),
    ("dumbbell shoulder press", r"Dumbbell Shoulder Press"),
    ("chest fly", r"Fly|Flyes"),
    ("bent over row", r"Bent Over.*Row"),
    ("chin up", r"Chin-?Up"),
    ("hamstring stretch", r"Hamstring"),
    ("shrugs", r"Shrug"),
    ("goblet squat", r"Goblet Squat"),
    ("front squat", r"Front (Barbell )?Squat"),
    ("lateral raise", r"Lateral Raise"),
    ("mountain climbers", r"Mountain Climber"),
    ("russian twist", r"Russian Twist"),
    ("hanging leg raise", r"Hanging Leg Raise"),
    ("clean and jerk", r"Clean and Jerk"),
    ("skull crushers", r"Lying Triceps Press|Skull"),
    ("ab wheel", r"Ab Roller"),
    ("biceps with a cable", r"Cable.*Curl"),
    ("glutes with no equipment", r"Glute|Butt|Hip|Bridge|Lunge|Squat|Kick"),
]


# Held out: written after tuning the ranker on the lists above and never used to tune it, to tell how
# much of the figures above is fitted. Expectations written before running these queries.
HOLDOUT_FOOD_QUERIES: list[tuple[str, str]] = [
    ("pear", r"^Pears, raw"),
    ("peach", r"^Peaches, (yellow, )?raw"),
    ("cherries", r"^Cherries, (sweet|sour), raw"),
    ("raspberries", r"^Raspberries, raw"),
    ("watermelon", r"^Watermelon, raw"),
    ("kiwi", r"^Kiwifruit"),
    ("plum", r"^Plums, raw"),
    ("grapefruit", r"^Grapefruit, raw"),
    ("pinto beans", r"^Beans, pinto"),
    ("navy beans", r"^Beans, navy"),
    ("split peas", r"^Peas, split"),
    ("pistachios", r"^Nuts, pistachio"),
    ("pecans", r"^Nuts, pecans"),
    ("hazelnuts", r"^Nuts, hazelnuts"),
    ("flax seeds", r"^Seeds, flaxseed"),
    ("sesame seeds", r"^Seeds, sesame seed"),
    ("lettuce", r"^Lettuce"),
    ("romaine", r"^Lettuce, cos or romaine"),
    ("radish", r"^Radishes, raw"),
    ("leek", r"^Leeks"),
    ("pumpkin", r"^Pumpkin, raw|^Pumpkin, cooked"),
    ("butternut squash", r"^Squash, winter, butternut"),
    ("brussels sprouts", r"^Brussels sprouts"),
    ("parsnip", r"^Parsnips"),
    ("turnip", r"^Turnips, raw|^Turnips, cooked"),
    ("pork loin", r"^Pork, fresh, loin"),
    ("lamb", r"^Lamb, "),
    ("trout", r"^Fish, trout"),
    ("tilapia", r"^Fish, tilapia"),
    ("crab", r"^Crustaceans, crab"),
    ("lobster", r"^Crustaceans, lobster"),
    ("goat cheese", r"^Cheese, goat"),
    ("swiss cheese", r"^Cheese, swiss"),
    ("brie", r"^Cheese, brie"),
    ("heavy cream", r"^Cream, fluid, heavy whipping"),
    ("margarine", r"^Margarine"),
    ("canola oil", r"^Oil, canola"),
    ("coconut oil", r"^Oil, coconut"),
    ("brown sugar", r"^Sugars, brown"),
    ("molasses", r"^Molasses"),
    ("green tea", r"^Beverages, tea, green"),
    ("apple juice", r"^Apple juice"),
    ("cornmeal", r"^Cornmeal"),
    ("all purpose flour", r"^Wheat flour, white, all-purpose"),
    ("rye bread", r"^Bread, rye"),
    ("english muffin", r"^English muffins"),
    ("pita", r"^Bread, pita"),
    ("brocolli", r"^Broccoli"),
    ("cucumbers", r"^Cucumber"),
    ("blackberries", r"^Blackberries, raw"),
]

HOLDOUT_EXERCISE_QUERIES: list[tuple[str, str]] = [
    ("incline bench press", r"Incline.*Bench Press"),
    ("hammer curl", r"Hammer Curl"),
    ("tricep extension", r"Triceps? Extension"),
    ("arnold press", r"Arnold"),
    ("seated cable row", r"Seated Cable Row"),
    ("sumo deadlift", r"Sumo Deadlift"),
    ("bulgarian split squat", r"Split Squat"),
    ("good morning", r"Good Morning"),
    ("preacher curl", r"Preacher Curl"),
    ("side plank", r"Side Plank|Side Bridge"),
    ("jump rope", r"Rope Jumping|Jump Rope"),
    ("farmers walk", r"Farmer"),
    ("upright row", r"Upright Row"),
    ("reverse fly", r"Reverse (Fly|Flye)"),
]


@dataclass(frozen=True)
class Accuracy:
    top1: float
    top3: float
    misses: list[str]


def _accuracy(queries: list[tuple[str, str]], search: Callable[[str], list[str]]) -> Accuracy:
    top1 = top3 = 0
    misses = []
    for query, expected in queries:
        names = search(query)[:3]
        hits = [bool(re.search(expected, n)) for n in names]
        top1 += bool(hits and hits[0])
        top3 += any(hits)
        if not any(hits):
            misses.append(f"{query!r} → {names}")
    return Accuracy(top1 / len(queries), top3 / len(queries), misses)


@pytest.fixture(scope="module")
def food_search(knowledge: Database, settings: Settings) -> Iterator[Callable[[str], list[str]]]:
    embedder = embedder_for(settings)
    with knowledge.session() as session:
        yield lambda q: [h.row["name"] for h in search_foods(session, embedder, FoodQuery(q, limit=3))]


@pytest.fixture(scope="module")
def exercise_search(knowledge: Database, settings: Settings) -> Iterator[Callable[[str], list[str]]]:
    embedder = embedder_for(settings)
    with knowledge.session() as session:
        yield lambda q: [
            h.row["name"] for h in search_exercises(session, embedder, ExerciseQuery(q, limit=3))
        ]


def _report(label: str, acc: Accuracy, n: int) -> None:
    print(f"\n{label} (n={n}): top-1 {acc.top1:.1%}, top-3 {acc.top3:.1%}")  # noqa: T201 - the report
    for miss in acc.misses:
        print(f"  miss: {miss}")  # noqa: T201


# Floors. The main lists were used to tune the ranker (staples, priors, aliases), so they must stay high:
# a drop means a regression. The held-out lists were never tuned on; with 15–50 queries one miss is 2–7
# points, so their floor leaves room for that while still failing a broken retriever.
TUNED_TOP1, TUNED_TOP3 = 0.85, 0.95
HOLDOUT_TOP3 = 0.70


def test_food_search_accuracy(food_search: Callable[[str], list[str]]) -> None:
    acc = _accuracy(FOOD_QUERIES, food_search)
    _report("food search, tuned set", acc, len(FOOD_QUERIES))
    assert len(FOOD_QUERIES) >= 60
    assert acc.top1 >= TUNED_TOP1
    assert acc.top3 >= TUNED_TOP3


def test_exercise_search_accuracy(exercise_search: Callable[[str], list[str]]) -> None:
    acc = _accuracy(EXERCISE_QUERIES, exercise_search)
    _report("exercise search, tuned set", acc, len(EXERCISE_QUERIES))
    assert len(EXERCISE_QUERIES) >= 30
    assert acc.top1 >= TUNED_TOP1
    assert acc.top3 >= TUNED_TOP3


def test_held_out_accuracy(
    food_search: Callable[[str], list[str]], exercise_search: Callable[[str], list[str]]
) -> None:
    foods = _accuracy(HOLDOUT_FOOD_QUERIES, food_search)
    exercises = _accuracy(HOLDOUT_EXERCISE_QUERIES, exercise_search)
    _report("food search, held out", foods, len(HOLDOUT_FOOD_QUERIES))
    _report("exercise search, held out", exercises, len(HOLDOUT_EXERCISE_QUERIES))
    assert foods.top3 >= HOLDOUT_TOP3
    assert exercises.top3 >= HOLDOUT_TOP3
