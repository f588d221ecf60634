"""Meal plan benchmark and quality report: 200 seeded, varied profiles → a 7-day plan each.

    python -m bench.meal_plan [--profiles 200] [--seed 1] [--json out.json]

One embedded PostgreSQL in a temp dir, migrated, knowledge loaded (timed apart). Each profile (sex, age,
size, activity, goal and rate, diet, allergies, meals a day, liked and disliked foods, drawn from a seeded
generator with plausible shares) gets a user row and a profile row; then the real tool generates the plan
as the API does (`generate_meal_plan`: targets, safe candidates, pools, seven day solves, rows written,
plan read back), timed per plan. The food catalogue is built once, as the service keeps it per process.

Quality is re-checked from the raw knowledge tables, independently of the planner:
- each day's totals recomputed from food_nutrients (per 100 g × grams) and recipe_nutrition (per serving
  × servings): share of days within ±3 % kcal and ±5 % protein, fat and carbohydrate (keto: net carbs at
  most the cap + 5 %), fibre at least the target, sodium at most 2,300 mg;
- every item's flags read from its food row, or its recipe row and every ingredient's food row: allergens
  against the profile's allergies (a gluten allergy includes wheat), plant diets against the diet marks
  and pork, halal/kosher against pork, alcohol (kosher: shellfish); dislikes by substring of the food's
  and ingredients' names (stricter than the planner's word match); every meal has 1–4 items. Violations
  must be 0.
Also: distinct recipes per week, distinct dishes (recipes and prepared foods), distinct foods.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.rest import _settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from store.db import Database

START = date(2026, 11, 30)
TODAY = date(2026, 11, 25)
LIKES = [
    "chicken", "salmon", "rice", "oats", "banana", "yogurt", "lentils", "tofu", "eggs", "pasta",
    "broccoli", "beans", "apple", "cheese", "almonds", "potatoes", "turkey", "tuna", "spinach", "quinoa",
]  # fmt: skip
DISLIKES = [
    "mushroom", "liver", "tuna", "broccoli", "olive", "salmon", "eggplant", "tofu", "cauliflower", "beet",
    "shrimp", "spinach", "lentil", "cottage cheese", "peas",
]  # fmt: skip
# Shares, roughly as in an adult population that uses a coaching app.
DIETS = [
    ("omnivore", 50),
    ("vegetarian", 14),
    ("vegan", 8),
    ("pescatarian", 8),
    ("keto", 6),
    ("halal", 7),
    ("kosher", 7),
]
MEALS = [(3, 45), (4, 25), (5, 15), (2, 8), (6, 7)]
ACTIVITY = [("sedentary", 25), ("light", 30), ("moderate", 30), ("very_active", 12), ("extra_active", 3)]
GOALS = [("lose", 45), ("maintain", 35), ("gain", 20)]
MAX_ITEMS_PER_MEAL = 4  # the meal structure: 1–4 items per meal
ALLERGENS = ["peanut", "tree_nut", "milk", "egg", "soy", "wheat", "gluten", "fish", "shellfish", "sesame"]


def pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def random_profile(rng: random.Random) -> dict[str, Any]:
    sex = rng.choice(["female", "male"])
    height = rng.gauss(178 if sex == "male" else 165, 7)
    bmi = min(38.0, max(18.5, rng.gauss(25.5, 4)))
    goal = pick(rng, GOALS)
    if goal == "lose":
        rate = rng.choice([0.25, 0.5, 0.5, 0.75])
    elif goal == "gain":
        rate = rng.choice([0.1, 0.25, 0.25, 0.4])
    else:
        rate = 0.0
    allergies: list[str] = []
    roll = rng.random()
    if roll > 0.7:
        allergies = rng.sample(ALLERGENS, 1 if roll < 0.9 else 2)
    return {
        "birth_date": date(rng.randint(1956, 2006), rng.randint(1, 12), rng.randint(1, 28)),
        "sex": sex,
        "height_cm": round(height, 1),
        "weight_kg": round(bmi * (height / 100) ** 2, 1),
        "body_fat_pct": round(rng.uniform(12, 35), 1) if rng.random() < 0.25 else None,
        "activity_level": pick(rng, ACTIVITY),
        "goal": goal,
        "target_rate_kg_per_week": rate,
        "diet": pick(rng, DIETS),
        "meals_per_day": pick(rng, MEALS),
        "allergies": allergies,
        "liked_foods": rng.sample(LIKES, rng.choice([0, 1, 2, 3])),
        "disliked_foods": rng.sample(DISLIKES, rng.choice([0, 0, 1, 2])),
    }


@dataclass
class Report:
    seconds: list[float] = field(default_factory=list)
    days: int = 0
    days_ok: Counter[str] = field(default_factory=Counter)
    days_feasible: int = 0
    violations: list[str] = field(default_factory=list)
    recipes_per_week: list[int] = field(default_factory=list)
    dishes_per_week: list[int] = field(default_factory=list)
    foods_per_week: list[int] = field(default_factory=list)
    binding: Counter[str] = field(default_factory=Counter)
    misses_by_diet: Counter[str] = field(default_factory=Counter)
    plans_by_diet: Counter[str] = field(default_factory=Counter)

    def summary(self) -> dict[str, Any]:
        s = sorted(self.seconds)
        p95 = s[max(0, round(0.95 * len(s)) - 1)]
        share = {k: round(100 * v / self.days, 1) for k, v in sorted(self.days_ok.items())}
        return {
            "plans": len(s),
            "p50_s": round(statistics.median(s), 3),
            "p95_s": round(p95, 3),
            "max_s": round(s[-1], 3),
            "days": self.days,
            "days_feasible_pct": round(100 * self.days_feasible / self.days, 1),
            "days_within_pct": share,
            "violations": len(self.violations),
            "recipes_per_week": round(statistics.mean(self.recipes_per_week), 2),
            "dishes_per_week": round(statistics.mean(self.dishes_per_week), 2),
            "foods_per_week": round(statistics.mean(self.foods_per_week), 1),
            "binding": dict(self.binding.most_common()),
            "days_missed_by_diet": {
                d: f"{self.misses_by_diet[d]}/{7 * n}" for d, n in self.plans_by_diet.items()
            },
        }


def _raw_nutrition(session: Session, item: Any) -> dict[str, float]:
    from sqlalchemy import text

    if item.food_id is not None:
        row = session.execute(
            text("SELECT * FROM food_nutrients WHERE food_id = :id"), {"id": item.food_id}
        ).one()
        factor = item.grams / 100
    else:
        row = session.execute(
            text("SELECT * FROM recipe_nutrition WHERE recipe_id = :id"), {"id": item.recipe_id}
        ).one()
        factor = item.servings
    return {
        n: float(getattr(row, n) or 0.0) * factor
        for n in ("kcal", "protein_g", "fat_g", "carbs_g", "fiber_g", "sodium_mg")
    }


def _raw_flags(session: Session, item: Any) -> list[tuple[str, list[str], list[str], bool, bool]]:
    """(text, allergens, diets, pork, alcohol) of the item's food row, or its recipe row and each
    ingredient's food row (ingredient lines without a food contribute their text only)."""
    from sqlalchemy import text

    if item.food_id is not None:
        row = session.execute(
            text(
                "SELECT description, allergens, diets, contains_pork, contains_alcohol FROM foods "
                "WHERE id = :id"
            ),
            {"id": item.food_id},
        ).one()
        return [(row.description, row.allergens, row.diets, row.contains_pork, row.contains_alcohol)]
    rows = [
        tuple(r)
        for r in session.execute(
            text(
                "SELECT title, allergens, diets, contains_pork, contains_alcohol FROM recipes WHERE id = :id"
            ),
            {"id": item.recipe_id},
        )
    ]
    for r in session.execute(
        text(
            "SELECT i.name, f.description, f.allergens, f.diets, f.contains_pork, f.contains_alcohol "
            "FROM recipe_ingredients i LEFT JOIN foods f ON f.id = i.food_id WHERE i.recipe_id = :id"
        ),
        {"id": item.recipe_id},
    ):
        if r.description is None:
            rows.append((r.name, [], ["vegan", "vegetarian", "pescatarian"], False, False))
        else:
            rows.append(
                (f"{r.name} / {r.description}", r.allergens, r.diets, r.contains_pork, r.contains_alcohol)
            )
    return rows


def dislike_pattern(term: str) -> re.Pattern[str]:
    """The bench's own reading of a disliked food: its singular stem anywhere in a name when the stem has
    5+ letters ("mushroom", "liver"), else as a whole word with an optional plural ("peas" is not "pears")."""
    stem = term.lower().strip()
    stem = stem[:-1] if stem.endswith("s") and len(stem) > 3 else stem
    if len(stem) >= 5:
        return re.compile(re.escape(stem))
    return re.compile(rf"\b{re.escape(stem)}(?:s|es)?\b")


def check_plan(session: Session, profile: dict[str, Any], plan: Any, report: Report) -> None:
    from sqlalchemy import select

    from store.meal_plans import read_days
    from store.models import PlanVersion

    version = session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.version == plan.version)
    )
    assert version is not None
    targets = version.inputs["targets"]
    keto = profile["diet"] == "keto"
    allergies = set(profile["allergies"]) | ({"wheat"} if "gluten" in profile["allergies"] else set())
    dislikes = [(t, dislike_pattern(t)) for t in profile["disliked_foods"]]
    recipes: set[str] = set()
    dishes: set[str] = set()
    foods: set[str] = set()
    days = read_days(session, version.id)
    report.plans_by_diet[profile["diet"]] += 1
    for day in days:
        report.days += 1
        report.days_feasible += day.feasible
        totals = dict.fromkeys(("kcal", "protein_g", "fat_g", "carbs_g", "fiber_g", "sodium_mg"), 0.0)
        for meal in day.meals:
            if not 1 <= len(meal.items) <= MAX_ITEMS_PER_MEAL:
                report.violations.append(
                    f"meal of {len(meal.items)} items — {profile['diet']} {day.day_date} {meal.name}"
                    f" (feasible day: {day.feasible})"
                )
            for item in meal.items:
                for k, v in _raw_nutrition(session, item).items():
                    totals[k] += v
                foods.add(item.candidate_key)
                if item.recipe_id is not None:
                    recipes.add(item.candidate_key)
                if item.food_group == "dish":
                    dishes.add(item.candidate_key)
                for text_, allergens, diets, pork, alcohol in _raw_flags(session, item):
                    where = f"{profile['diet']} {sorted(allergies)}: {item.name} ({text_})"
                    if set(allergens) & allergies:
                        report.violations.append(f"allergen {set(allergens) & allergies} — {where}")
                    if profile["diet"] in ("vegan", "vegetarian", "pescatarian") and (
                        profile["diet"] not in diets or pork
                    ):
                        report.violations.append(f"diet — {where}")
                    if profile["diet"] in ("halal", "kosher") and (pork or alcohol):
                        report.violations.append(f"diet — {where}")
                    if profile["diet"] == "kosher" and "shellfish" in allergens:
                        report.violations.append(f"diet (shellfish) — {where}")
                    for term, pattern in dislikes:
                        if pattern.search(text_.lower()):
                            report.violations.append(f"dislike {term!r} — {where}")
        kcal_ok = abs(totals["kcal"] - targets["kcal"]) <= 0.03 * targets["kcal"]
        macro_ok = {
            n: abs(totals[n] - targets[n]) <= 0.05 * targets[n] for n in ("protein_g", "fat_g", "carbs_g")
        }
        if keto:
            macro_ok["carbs_g"] = totals["carbs_g"] - totals["fiber_g"] <= 1.05 * targets["net_carbs_g"]
        fiber_ok = totals["fiber_g"] >= targets["fiber_g"] - 1e-6
        sodium_ok = totals["sodium_mg"] <= targets["sodium_max_mg"] + 1e-6
        flags = {"kcal ±3%": kcal_ok, **{f"{n} ±5%": ok for n, ok in macro_ok.items()}}
        flags |= {"fiber ≥ target": fiber_ok, "sodium ≤ max": sodium_ok}
        flags["kcal and macros"] = kcal_ok and all(macro_ok.values())
        flags["every limit"] = flags["kcal and macros"] and fiber_ok and sodium_ok
        for name, ok in flags.items():
            report.days_ok[name] += ok
        if not flags["every limit"]:
            report.misses_by_diet[profile["diet"]] += 1
        if day.binding:
            report.binding[day.binding] += 1
    report.recipes_per_week.append(len(recipes))
    report.dishes_per_week.append(len(dishes))
    report.foods_per_week.append(len(foods))


def run(database: Database, profiles: list[dict[str, Any]], report: Report, *, seed: int) -> None:
    from store.models import Profile, User
    from tools.nutrition.candidates import CatalogueCache
    from tools.nutrition.planner import MealPlanCreate, generate_meal_plan

    catalogues = CatalogueCache()
    started = time.perf_counter()
    with database.session() as session:
        catalogue = catalogues.get(session)
    print(f"catalogue: {len(catalogue.candidates):,} candidates in {time.perf_counter() - started:.2f} s")
    for index, values in enumerate(profiles):
        user_id = uuid.uuid5(uuid.NAMESPACE_URL, f"nexfitra-bench-meal/{seed}/{index}")
        with database.session() as session:
            session.add(
                User(
                    id=user_id,
                    email=f"bench-{index}@example.com",
                    password_hash="-",  # noqa: S106 - never logs in
                    display_name="Bench",
                )
            )
            session.flush()
            session.add(
                Profile(
                    user_id=user_id,
                    training_days=3,
                    session_minutes=60,
                    experience="beginner",
                    **values,
                )
            )
        with database.session() as session:
            started = time.perf_counter()
            plan = generate_meal_plan(
                session,
                user_id,
                MealPlanCreate(start_date=START, days=7),
                catalogues=catalogues,
                created_by=user_id,
                today=TODAY,
            )
            report.seconds.append(time.perf_counter() - started)
        with database.session() as session:
            check_plan(session, values, plan, report)
        if (index + 1) % 50 == 0:
            print(f"  {index + 1} plans, p50 {statistics.median(report.seconds):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="write the summary here")
    args = parser.parse_args()

    from knowledge.loader import load_knowledge
    from knowledge.runtime import embedder_for, knowledge_root
    from store import migrate
    from store.db import ensure_database, open_database
    from store.embedded import start_or_attach

    rng = random.Random(args.seed)
    profiles = [random_profile(rng) for _ in range(args.profiles)]
    root_dir = Path(tempfile.mkdtemp(prefix="nexfitra-bench-meal-"))
    server = start_or_attach(root_dir / "pg")
    try:
        ensure_database(server, "nexfitra")
        settings = _settings(server.dsn("nexfitra"), root_dir / "var")
        database = open_database(settings, url=settings.database_url)
        migrate.upgrade(database.engine)
        started = time.perf_counter()
        load_knowledge(database, embedder_for(settings), knowledge_root(settings))
        print(f"knowledge load: {time.perf_counter() - started:.1f} s")
        report = Report()
        run(database, profiles, report, seed=args.seed)
        database.close()
    finally:
        server.stop()
        shutil.rmtree(root_dir, ignore_errors=True)
    summary = report.summary()
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    for violation in report.violations[:20]:
        print("VIOLATION", violation)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    sys.exit(1 if report.violations else 0)


if __name__ == "__main__":
    main()
