"""Workout programmer benchmark and quality report: 200 seeded, varied profiles → one plan each.

    python -m bench.workout_plan [--profiles 200] [--seed 7] [--database-url URL]

Prints p50/p95 seconds per plan, the share of plans with every major muscle group inside its weekly set
range (all profiles, and those with >= 3 days of >= 45 min), sessions over their time budget, equipment,
dislike and injury violations (must be 0), and the share of valid liked exercises that were used.

Without `--database-url` it times the programmer alone on the bundled catalog (knowledge/data). With it
(a database at head with the knowledge loaded), it also times the whole tool, `generate_workout_plan`:
profile and catalog reads, preferences (pgvector similarity), programming and writing every row of a
4-week plan. Each of those plans is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from knowledge.datasets import EXERCISES_FILE, PACKAGE_DATA_DIR
from store.vocabulary import ActivityLevel, Equipment, Experience, Goal, Sex
from tools.training import constants as c
from tools.training.catalog import Catalog, records_from_free_exercise_db
from tools.training.injuries import assess
from tools.training.programmer import TEMPLATES, choose_split, program_week
from tools.training.schemas import MuscleGroup, ProgramRequest, WeekProgram
from tools.training.selection import Filters, Preferences, exclusion_reason, is_disliked

GYM = frozenset(
    {
        Equipment.BARBELL,
        Equipment.DUMBBELL,
        Equipment.CABLE,
        Equipment.MACHINE,
        Equipment.BENCH,
        Equipment.PULL_UP_BAR,
        Equipment.EZ_BAR,
        Equipment.CARDIO_MACHINE,
    }
)
EQUIPMENT_SETS: tuple[frozenset[Equipment], ...] = (
    frozenset(),
    frozenset({Equipment.DUMBBELL}),
    frozenset({Equipment.DUMBBELL, Equipment.BENCH, Equipment.BANDS}),
    frozenset({Equipment.KETTLEBELL, Equipment.PULL_UP_BAR}),
    frozenset({Equipment.MACHINE, Equipment.CABLE, Equipment.CARDIO_MACHINE}),
    GYM - {Equipment.BARBELL},
    GYM,
    GYM | {Equipment.KETTLEBELL, Equipment.BANDS},
)
INJURIES = (
    "knee",
    "lower back pain",
    "shoulder impingement",
    "wrist",
    "tennis elbow",
    "hip",
    "neck",
    "ankle",
)
PHRASES = ("lunges", "burpees", "deadlift", "bench press", "crunches", "pull-ups")


def load_catalog() -> Catalog:
    with gzip.open(PACKAGE_DATA_DIR / EXERCISES_FILE, "rt", encoding="utf-8") as handle:
        return Catalog.build(records_from_free_exercise_db(json.load(handle)))


def random_request(rng: random.Random, names: list[str], seed: int) -> ProgramRequest:
    injuries: tuple[str, ...] = ()
    roll = rng.random()
    if roll < 0.25:
        injuries = (rng.choice(INJURIES),)
    elif roll < 0.3:
        injuries = ("asthma",)  # not a rule we know: the conservative default applies
    disliked = tuple(rng.sample(names, rng.randint(0, 3)))
    if rng.random() < 0.3:
        disliked += (rng.choice(PHRASES),)
    return ProgramRequest(
        training_days=rng.choices(range(1, 8), weights=(1, 3, 6, 6, 4, 3, 1))[0],
        session_minutes=rng.choice((30, 45, 60, 60, 75, 90)),
        experience=rng.choice(list(Experience)),
        goal=rng.choice(list(Goal)),
        equipment=rng.choice(EQUIPMENT_SETS),
        liked_exercises=tuple(rng.sample(names, rng.randint(0, 3))),
        disliked_exercises=disliked,
        injuries=injuries,
        focus_muscles=tuple(rng.sample(list(MuscleGroup), 1)) if rng.random() < 0.2 else (),
        age_years=rng.randint(18, 75),
        seed=seed,
    )


@dataclass
class Report:
    seconds: list[float] = field(default_factory=list)
    in_range: int = 0
    typical: int = 0
    typical_in_range: int = 0
    sessions: int = 0
    over_budget: int = 0
    equipment_violations: int = 0
    dislike_violations: int = 0
    injury_violations: int = 0
    liked_valid: int = 0
    liked_used: int = 0

    def check(self, req: ProgramRequest, week: WeekProgram, catalog: Catalog, prefs: Preferences) -> None:
        available = req.equipment | {Equipment.BODYWEIGHT}
        excluded = assess(req.injuries).excluded
        used: set[int] = set()
        for s in week.sessions:
            self.sessions += 1
            if s.estimated_minutes > req.session_minutes + 1e-9:
                self.over_budget += 1
            for e in s.exercises:
                entry = catalog.by_id[e.exercise_id]
                used.add(entry.id)
                if entry.required is None or entry.required - available:
                    self.equipment_violations += 1
                if entry.id in prefs.disliked_ids or is_disliked(entry, prefs):
                    self.dislike_violations += 1
                if entry.movements & excluded:
                    self.injury_violations += 1
        ok = all(week.weekly_sets[g].in_range for g in c.MAJOR_GROUPS)
        self.in_range += ok
        if req.training_days >= 3 and req.session_minutes >= 45:
            self.typical += 1
            self.typical_in_range += ok
        filters = Filters(req.equipment, req.experience, excluded)
        _, templates = choose_split(req.training_days, req.experience)
        patterns = {p for key in templates for p, _ in TEMPLATES[key].slots}
        for liked_id in prefs.liked_ids:
            entry = catalog.by_id[liked_id]
            if exclusion_reason(entry, filters, prefs) is None and entry.pattern in patterns:
                self.liked_valid += 1
                self.liked_used += liked_id in used

    def print(self, title: str, plans: int) -> None:
        cuts = statistics.quantiles(self.seconds, n=100)
        print(f"== {title}: {plans} plans")
        print(f"   seconds per plan  p50 {cuts[49]:.4f}  p95 {cuts[94]:.4f}  max {max(self.seconds):.4f}")
        print(f"   every major group in range: {self.in_range / plans:.1%} of plans")
        if self.typical:
            share = self.typical_in_range / self.typical
            print(f"     (>= 3 days of >= 45 min: {share:.1%} of {self.typical} plans)")
        print(f"   sessions over the time budget: {self.over_budget} of {self.sessions}")
        print(
            f"   violations: equipment {self.equipment_violations}, dislikes {self.dislike_violations}, "
            f"injuries {self.injury_violations}"
        )
        share = self.liked_used / self.liked_valid if self.liked_valid else 1.0
        print(f"   liked exercises used when valid: {self.liked_used}/{self.liked_valid} ({share:.1%})")


def run_pure(catalog: Catalog, requests: list[ProgramRequest]) -> Report:
    report = Report()
    for req in requests:
        started = time.perf_counter()
        prefs = Preferences.from_texts(catalog, req.liked_exercises, req.disliked_exercises)
        week = program_week(req, catalog, prefs)
        report.seconds.append(time.perf_counter() - started)
        report.check(req, week, catalog, prefs)
    return report


def run_database(url: str, requests: list[ProgramRequest]) -> Report:
    from store.db import open_database
    from store.models import Profile, User
    from store.settings import Settings
    from tools.training import plans

    settings = Settings(database_url=url)
    database = open_database(settings, url=settings.database_url)
    report = Report()
    today = datetime.now(UTC).date()
    catalogs = plans.ExerciseCatalogCache()  # one per process, as the service keeps on the app
    try:
        with database.sessions() as session:
            catalogs.get(session)  # built before the timings, as after the service's first request
            session.rollback()
        for req in requests:
            with database.sessions() as session, session.begin():
                user = User(
                    email=f"bench-{uuid.uuid4().hex}@example.com",
                    password_hash="!bench",  # noqa: S106 - not a usable hash: nobody logs in
                    display_name="bench",
                )
                session.add(user)
                session.flush()
                session.add(_profile(Profile, user.id, req))
                session.flush()
                started = time.perf_counter()
                out = plans.generate_workout_plan(
                    session,
                    user.id,
                    plans.CreateWorkoutPlan(start_date=today, weeks=4, focus_muscles=list(req.focus_muscles)),
                    catalogs=catalogs,
                    created_by=user.id,
                    today=today,
                )
                report.seconds.append(time.perf_counter() - started)
                assert out.sessions
                session.rollback()
    finally:
        database.close()
    return report


def _profile(model: Callable[..., object], user_id: uuid.UUID, req: ProgramRequest) -> object:
    return model(
        user_id=user_id,
        birth_date=date(datetime.now(UTC).year - (req.age_years or 35), 1, 1),
        sex=Sex.FEMALE,
        height_cm=170.0,
        weight_kg=70.0,
        activity_level=ActivityLevel.MODERATE,
        goal=req.goal,
        training_days=req.training_days,
        session_minutes=req.session_minutes,
        experience=req.experience,
        equipment=sorted(e.value for e in req.equipment),
        liked_exercises=list(req.liked_exercises),
        disliked_exercises=list(req.disliked_exercises),
        injuries=list(req.injuries),
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    catalog = load_catalog()
    rng = random.Random(args.seed)
    names = sorted(e.record.name for e in catalog.entries if e.programmable)
    requests = [random_request(rng, names, seed) for seed in range(args.profiles)]
    for req in requests[:5]:  # warm caches (regexes, pydantic) so the timings describe steady state
        program_week(
            req, catalog, Preferences.from_texts(catalog, req.liked_exercises, req.disliked_exercises)
        )
    run_pure(catalog, requests).print("programmer (in memory)", len(requests))
    if args.database_url:
        report = run_database(args.database_url, requests)
        cuts = statistics.quantiles(report.seconds, n=100)
        print(f"== generate_workout_plan on PostgreSQL (4-week plans, rows written): {len(requests)} plans")
        print(f"   seconds per plan  p50 {cuts[49]:.4f}  p95 {cuts[94]:.4f}  max {max(report.seconds):.4f}")


if __name__ == "__main__":
    main()
