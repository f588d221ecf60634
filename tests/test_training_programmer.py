"""The weekly programmer on the real free-exercise-db data (873 exercises), without the database: split
choice, volume ranges, equipment/injury/dislike filtering, time budget, prescriptions, cardio, locks."""

from __future__ import annotations

import gzip
import itertools
import json
import random
from collections.abc import Iterator

import pytest

from knowledge.datasets import EXERCISES_FILE, PACKAGE_DATA_DIR
from store.models.workouts import SessionKind
from store.vocabulary import Equipment, Experience, Goal
from tools.errors import InvalidInput
from tools.training import constants as c
from tools.training.catalog import Catalog, Movement, records_from_free_exercise_db
from tools.training.injuries import BodyPart, assess
from tools.training.programmer import (
    choose_split,
    loads_excluded_movement,
    program_week,
    uses_equipment_outside,
)
from tools.training.schemas import (
    HIP_PATTERNS,
    KNEE_PATTERNS,
    PULL_PATTERNS,
    PUSH_PATTERNS,
    MuscleGroup,
    ProgramRequest,
    SlotRole,
    Split,
    TrainingGoal,
    WeekProgram,
)
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
    }
)
HOME = frozenset({Equipment.DUMBBELL, Equipment.BENCH, Equipment.BANDS})


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    with gzip.open(PACKAGE_DATA_DIR / EXERCISES_FILE, "rt", encoding="utf-8") as handle:
        rows = json.load(handle)
    assert len(rows) == 873
    return Catalog.build(records_from_free_exercise_db(rows))


def request(**overrides: object) -> ProgramRequest:
    values: dict[str, object] = {
        "training_days": 3,
        "session_minutes": 60,
        "experience": Experience.INTERMEDIATE,
        "goal": Goal.GAIN,
        "equipment": GYM,
        "age_years": 35,
    } | overrides
    return ProgramRequest.model_validate(values)


def program(catalog: Catalog, req: ProgramRequest, prefs: Preferences | None = None) -> WeekProgram:
    return program_week(
        req, catalog, prefs or Preferences.from_texts(catalog, req.liked_exercises, req.disliked_exercises)
    )


def lifting(week: WeekProgram) -> list[object]:
    return [s for s in week.sessions if s.kind is SessionKind.STRENGTH]


def slug_ids(catalog: Catalog, week: WeekProgram) -> list[str]:
    return [catalog.by_id[e.exercise_id].record.slug for s in week.sessions for e in s.exercises]


# --- Split and schedule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "experience", "split", "templates"),
    [
        (1, Experience.BEGINNER, Split.FULL_BODY, ("full_a",)),
        (2, Experience.INTERMEDIATE, Split.FULL_BODY, ("full_a", "full_b")),
        (3, Experience.ADVANCED, Split.FULL_BODY, ("full_a", "full_b", "full_c")),
        (4, Experience.BEGINNER, Split.UPPER_LOWER, ("upper_a", "lower_a", "upper_b", "lower_b")),
        (
            5,
            Experience.BEGINNER,
            Split.UPPER_LOWER_FULL,
            ("upper_a", "lower_a", "full_c", "upper_b", "lower_b"),
        ),
        (
            5,
            Experience.INTERMEDIATE,
            Split.UPPER_LOWER_PUSH_PULL_LEGS,
            ("upper_a", "lower_a", "push", "pull", "legs"),
        ),
        (
            6,
            Experience.BEGINNER,
            Split.UPPER_LOWER_FULL,
            ("upper_a", "lower_a", "full_a", "upper_b", "lower_b", "full_b"),
        ),
        (6, Experience.ADVANCED, Split.PUSH_PULL_LEGS, ("push", "pull", "legs", "push", "pull", "legs")),
        (7, Experience.INTERMEDIATE, Split.PUSH_PULL_LEGS, ("push", "pull", "legs", "push", "pull", "legs")),
    ],
)
def test_split_follows_days_and_experience(
    days: int, experience: Experience, split: Split, templates: tuple[str, ...]
) -> None:
    assert choose_split(days, experience) == (split, templates)


@pytest.mark.parametrize("days", range(1, 8))
def test_lifting_days_leave_rest_between_sessions(catalog: Catalog, days: int) -> None:
    week = program(catalog, request(training_days=days, goal=Goal.GAIN))
    offsets = sorted(s.day_offset for s in lifting(week))  # type: ignore[attr-defined]
    assert len(offsets) == min(days, c.MAX_LIFTING_DAYS)
    assert len(set(offsets)) == len(offsets)
    assert all(0 <= d <= 6 for d in offsets)
    if days <= 4:
        # Never three lifting days in a row.
        assert not any(d + 1 in offsets and d + 2 in offsets for d in offsets)
    if days == 7:
        recovery = [s for s in week.sessions if s.kind is SessionKind.RECOVERY]
        assert len(recovery) == 1
        assert recovery[0].day_offset not in offsets


# --- Volume -------------------------------------------------------------------------------------------------

TYPICAL = [
    (3, 60, Experience.BEGINNER),
    (3, 75, Experience.INTERMEDIATE),
    (4, 60, Experience.BEGINNER),
    (4, 75, Experience.INTERMEDIATE),
    (5, 75, Experience.ADVANCED),
    (6, 60, Experience.INTERMEDIATE),
]


@pytest.mark.parametrize(("days", "minutes", "experience"), TYPICAL)
def test_typical_week_puts_every_major_group_in_its_range(
    catalog: Catalog, days: int, minutes: int, experience: Experience
) -> None:
    week = program(catalog, request(training_days=days, session_minutes=minutes, experience=experience))
    low, high = c.WEEKLY_SETS_MAJOR[experience]
    for group in c.MAJOR_GROUPS:
        volume = week.weekly_sets[group]
        assert (volume.low, volume.high) == (low, high)
        assert low <= volume.sets <= high, (group, volume)
    for group in c.MINOR_GROUPS:
        assert week.weekly_sets[group].sets <= week.weekly_sets[group].high


@pytest.mark.parametrize(("days", "minutes", "experience"), [t for t in TYPICAL if t[0] >= 2])
def test_each_major_group_is_trained_in_at_least_two_sessions(
    catalog: Catalog, days: int, minutes: int, experience: Experience
) -> None:
    week = program(catalog, request(training_days=days, session_minutes=minutes, experience=experience))
    for group in c.MAJOR_GROUPS:
        # Counted like the weekly ranges: secondary work counts half (glutes grow from squats and hinges).
        per_session = [
            sum(catalog.by_id[e.exercise_id].groups.get(group, 0.0) * e.sets for e in s.exercises)
            for s in week.sessions
        ]
        assert sum(1 for v in per_session if v >= 2) >= 2, (group, per_session)


def test_weekly_count_matches_the_exercises(catalog: Catalog) -> None:
    week = program(catalog, request(training_days=4, session_minutes=75))
    expected = dict.fromkeys(MuscleGroup, 0.0)
    for s in week.sessions:
        for e in s.exercises:
            for group, weight in catalog.by_id[e.exercise_id].groups.items():
                expected[group] += weight * e.sets
    for group, volume in week.weekly_sets.items():
        assert volume.sets == pytest.approx(round(expected[group], 1))


def test_focus_muscle_gets_more_volume(catalog: Catalog) -> None:
    base = program(catalog, request(training_days=4, session_minutes=90))
    focused = program(
        catalog, request(training_days=4, session_minutes=90, focus_muscles=(MuscleGroup.SHOULDERS,))
    )
    assert focused.weekly_sets[MuscleGroup.SHOULDERS].target > base.weekly_sets[MuscleGroup.SHOULDERS].target
    assert focused.weekly_sets[MuscleGroup.SHOULDERS].sets > base.weekly_sets[MuscleGroup.SHOULDERS].sets


def test_compound_lifts_come_first(catalog: Catalog) -> None:
    week = program(catalog, request(training_days=4, session_minutes=75))
    for s in lifting(week):
        roles = [e.role for e in s.exercises]  # type: ignore[attr-defined]
        assert roles == sorted(roles, key=[SlotRole.MAIN, SlotRole.SECONDARY, SlotRole.ACCESSORY].index)
        assert roles[0] is SlotRole.MAIN
        assert catalog.by_id[s.exercises[0].exercise_id].compound  # type: ignore[attr-defined]


def test_push_pull_and_knee_hip_are_balanced(catalog: Catalog) -> None:
    for days, minutes, experience in TYPICAL:
        week = program(catalog, request(training_days=days, session_minutes=minutes, experience=experience))
        sets = dict.fromkeys(("push", "pull", "knee", "hip"), 0)
        for s in week.sessions:
            for e in s.exercises:
                for name, patterns in (
                    ("push", PUSH_PATTERNS),
                    ("pull", PULL_PATTERNS),
                    ("knee", KNEE_PATTERNS),
                    ("hip", HIP_PATTERNS),
                ):
                    if e.pattern in patterns:
                        sets[name] += e.sets
        assert 0.6 <= sets["pull"] / sets["push"] <= 1.6, (days, sets)
        assert sets["knee"] > 0
        assert sets["hip"] > 0
        assert 0.4 <= sets["knee"] / sets["hip"] <= 2.5, (days, sets)


# --- Prescriptions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "main_reps", "main_rest"),
    [
        (TrainingGoal.STRENGTH, (3, 6), 180),
        (TrainingGoal.HYPERTROPHY, (6, 10), 120),
        (TrainingGoal.ENDURANCE, (15, 20), 60),
    ],
)
def test_reps_and_rest_follow_the_goal(
    catalog: Catalog, goal: TrainingGoal, main_reps: tuple[int, int], main_rest: int
) -> None:
    week = program(catalog, request(training_goal=goal, session_minutes=90))
    assert week.training_goal is goal
    for s in week.sessions:
        for e in s.exercises:
            if e.role is SlotRole.MAIN:
                assert (e.rep_min, e.rep_max) == main_reps
                assert e.rest_s == main_rest
            if goal is TrainingGoal.ENDURANCE:
                assert e.rep_min >= 15
            if goal is TrainingGoal.HYPERTROPHY:
                assert e.rep_min >= 6
                assert e.rep_max <= 15


@pytest.mark.parametrize("experience", list(Experience))
def test_rir_depends_on_experience_and_mechanic(catalog: Catalog, experience: Experience) -> None:
    week = program(catalog, request(experience=experience))
    compound_rir, isolation_rir = c.TARGET_RIR[experience]
    for s in week.sessions:
        for e in s.exercises:
            expected = compound_rir if catalog.by_id[e.exercise_id].compound else isolation_rir
            assert e.target_rir == expected


def test_default_training_goal_comes_from_the_body_goal(catalog: Catalog) -> None:
    assert program(catalog, request(goal=Goal.GAIN)).training_goal is TrainingGoal.HYPERTROPHY
    assert program(catalog, request(goal=Goal.LOSE)).training_goal is TrainingGoal.HYPERTROPHY
    assert program(catalog, request(goal=Goal.MAINTAIN)).training_goal is TrainingGoal.GENERAL_HEALTH


# --- Time budget --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [20, 30, 45, 60, 90])
@pytest.mark.parametrize("days", [1, 3, 4, 6])
def test_sessions_fit_the_time_budget(catalog: Catalog, minutes: int, days: int) -> None:
    week = program(catalog, request(training_days=days, session_minutes=minutes, goal=Goal.LOSE))
    for s in week.sessions:
        assert s.estimated_minutes <= minutes + 1e-9, s
        if s.kind is SessionKind.STRENGTH:
            assert s.exercises, "a lifting session with nothing in it"


def test_short_sessions_drop_accessories_first_and_say_so(catalog: Catalog) -> None:
    long = program(catalog, request(training_days=3, session_minutes=90))
    short = program(catalog, request(training_days=3, session_minutes=30))
    assert sum(e.sets for s in short.sessions for e in s.exercises) < sum(
        e.sets for s in long.sessions for e in s.exercises
    )
    notes = [n for s in short.sessions for n in s.notes]
    assert any("least important accessory work was left out" in n for n in notes)
    for s in lifting(short):
        # The main lifts survive; what went is accessory work.
        assert any(e.role is SlotRole.MAIN for e in s.exercises)  # type: ignore[attr-defined]
    assert any("Below the weekly set range" in n and "30-min sessions" in n for n in short.notes)


def test_too_short_a_session_is_refused(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput) as raised:
        program(catalog, request(session_minutes=10))
    assert raised.value.errors[0]["field"] == "session_minutes"


# --- Equipment --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "needs"),
    [
        ("Barbell_Bench_Press_-_Medium_Grip", {Equipment.BARBELL, Equipment.BENCH}),
        ("Pullups", {Equipment.PULL_UP_BAR}),
        ("Dumbbell_Flyes", {Equipment.DUMBBELL, Equipment.BENCH}),  # "lie on a flat bench" in the steps
        ("Crunches", set()),  # "feet on the ground, or resting on a bench" is an option
        ("Dips_-_Triceps_Version", {Equipment.MACHINE}),  # parallel bars
        ("Front_Plate_Raise", {Equipment.BARBELL}),  # "other": a weight plate
        ("Goblet_Squat", {Equipment.KETTLEBELL}),
        ("Bicycling,_Stationary", {Equipment.CARDIO_MACHINE}),
        ("Seated_Cable_Rows", {Equipment.CABLE}),
    ],
)
def test_equipment_requirements(catalog: Catalog, slug: str, needs: set[Equipment]) -> None:
    entry = catalog.by_slug.get(slug) or next(
        e for e in catalog.entries if e.record.name == slug.replace("_", " ")
    )
    assert entry.required == frozenset(needs | {Equipment.BODYWEIGHT})


@pytest.mark.parametrize(
    "slug", ["Farmers_Walk", "Trap_Bar_Deadlift", "Suspended_Row", "Sled_Push", "Ring_Dips", "Ab_Roller"]
)
def test_gear_outside_the_vocabulary_is_never_offered(catalog: Catalog, slug: str) -> None:
    assert catalog.by_slug[slug].required is None
    assert not catalog.by_slug[slug].programmable


def _equipment_sets() -> Iterator[frozenset[Equipment]]:
    yield frozenset()
    yield frozenset({Equipment.DUMBBELL})
    yield HOME
    yield frozenset({Equipment.KETTLEBELL, Equipment.PULL_UP_BAR})
    yield frozenset({Equipment.MACHINE, Equipment.CABLE})
    yield GYM


@pytest.mark.parametrize("equipment", list(_equipment_sets()), ids=lambda e: "+".join(sorted(e)) or "none")
def test_no_exercise_needs_missing_equipment(catalog: Catalog, equipment: frozenset[Equipment]) -> None:
    for days in (2, 4, 6):
        week = program(catalog, request(training_days=days, equipment=equipment))
        assert uses_equipment_outside(week, catalog, equipment) == []
        assert any(s.exercises for s in week.sessions)


# --- Injuries ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("torn ACL, left", {BodyPart.KNEE}),
        ("Patellar tendinopathy", {BodyPart.KNEE}),
        ("herniated disc L5-S1", {BodyPart.LOWER_BACK}),
        ("lower back pain", {BodyPart.LOWER_BACK}),
        ("rotator cuff tear", {BodyPart.SHOULDER}),
        ("tennis elbow", {BodyPart.ELBOW}),
        ("carpal tunnel syndrome", {BodyPart.WRIST}),
        ("hip impingement (FAI)", {BodyPart.HIP}),
        ("whiplash", {BodyPart.NECK}),
        ("Achilles tendinitis", {BodyPart.ANKLE}),
        ("pulled hamstring", {BodyPart.HAMSTRING}),
        ("none", set()),
        ("No injuries", set()),
    ],
)
def test_injury_texts_map_to_body_parts(text: str, parts: set[BodyPart]) -> None:
    assessment = assess([text])
    assert assessment.parts == parts
    assert assessment.unrecognised == ()


def test_unrecognised_limitation_excludes_risky_work_and_says_so() -> None:
    assessment = assess(["asthma"])
    assert assessment.unrecognised == ("asthma",)
    assert {Movement.JUMP, Movement.OLYMPIC, Movement.FLOOR_PULL, Movement.AXIAL_LOAD} <= assessment.excluded
    assert any("asthma" in n and "professional" in n for n in assessment.notes)


INJURY_CASES = [
    (
        "knee",
        [
            "Barbell_Squat",
            "Barbell_Lunge",
            "Freehand_Jump_Squat",
            "Leg_Extensions",
            "Leg_Press",
            "Dumbbell_Step_Ups",
        ],
        ["Romanian_Deadlift", "Butt_Lift_Bridge", "Barbell_Hip_Thrust", "Lying_Leg_Curls", "Good_Morning"],
    ),
    (
        "lower back",
        [
            "Barbell_Deadlift",
            "Romanian_Deadlift",
            "Good_Morning",
            "Bent_Over_Barbell_Row",
            "Barbell_Squat",
            "Crunches",
        ],
        [
            "Seated_Cable_Rows",
            "Plank",
            "Leg_Extensions",
            "Goblet_Squat",
            "Lying_Leg_Curls",
            "Dumbbell_Bench_Press",
        ],
    ),
    (
        "shoulder",
        [
            "Standing_Military_Press",
            "Pullups",
            "Wide-Grip_Lat_Pulldown",
            "Upright_Barbell_Row",
            "Dips_-_Triceps_Version",
            "Side_Lateral_Raise",
            "Barbell_Bench_Press_-_Medium_Grip",
            "Barbell_Squat",
        ],
        [
            "Dumbbell_Bench_Press",
            "Seated_Cable_Rows",
            "Face_Pull",
            "Leg_Press",
            "External_Rotation_with_Band",
        ],
    ),
    (
        "wrist",
        ["Pushups", "Front_Barbell_Squat", "Barbell_Curl", "Palms-Up_Barbell_Wrist_Curl_Over_A_Bench"],
        ["Machine_Bench_Press", "Dumbbell_Bicep_Curl", "Leg_Press", "Seated_Cable_Rows"],
    ),
    (
        "elbow",
        [
            "Dumbbell_Bicep_Curl",
            "Triceps_Pushdown",
            "EZ-Bar_Skullcrusher",
            "Chin-Up",
            "Dips_-_Triceps_Version",
        ],
        ["Barbell_Bench_Press_-_Medium_Grip", "Seated_Cable_Rows", "Barbell_Squat"],
    ),
    (
        "hip",
        ["Barbell_Squat", "Barbell_Deadlift", "Romanian_Deadlift", "Dumbbell_Lunges", "Hanging_Leg_Raise"],
        ["Leg_Extensions", "Lying_Leg_Curls", "Butt_Lift_Bridge", "Dumbbell_Bench_Press"],
    ),
    (
        "neck",
        ["Barbell_Shrug", "Barbell_Squat", "Crunches", "Standing_Military_Press", "Upright_Barbell_Row"],
        ["Goblet_Squat", "Dumbbell_Bench_Press", "Plank", "Seated_Cable_Rows"],
    ),
    (
        "ankle",
        ["Standing_Calf_Raises", "Dumbbell_Lunges", "Freehand_Jump_Squat", "Kettlebell_Pistol_Squat"],
        ["Leg_Press", "Barbell_Squat", "Lying_Leg_Curls"],
    ),
]


@pytest.mark.parametrize(("injury", "excluded", "allowed"), INJURY_CASES, ids=[c[0] for c in INJURY_CASES])
def test_injury_rules(catalog: Catalog, injury: str, excluded: list[str], allowed: list[str]) -> None:
    filters = Filters(
        equipment=GYM | {Equipment.KETTLEBELL, Equipment.BANDS},
        experience=Experience.ADVANCED,
        excluded_movements=assess([injury]).excluded,
    )
    prefs = Preferences()
    for slug in excluded:
        entry = catalog.by_slug[slug]
        assert entry.movements & filters.excluded_movements, slug
        if entry.programmable:
            reason = exclusion_reason(entry, filters, prefs)
            assert reason is not None, slug
            assert "injury" in reason, slug
    for slug in allowed:
        assert exclusion_reason(catalog.by_slug[slug], filters, prefs) is None, slug


@pytest.mark.parametrize("injury", [case[0] for case in INJURY_CASES])
def test_programs_never_load_an_excluded_movement(catalog: Catalog, injury: str) -> None:
    for days in (3, 4, 5):
        week = program(catalog, request(training_days=days, injuries=(injury,)))
        assert loads_excluded_movement(week, catalog, assess([injury]).excluded) == []
        assert any(injury.split()[0] in n for n in week.notes)


def test_knee_program_keeps_hip_hinge_work(catalog: Catalog) -> None:
    week = program(catalog, request(training_days=4, injuries=("bad knee",)))
    used = slug_ids(catalog, week)
    assert not any("Squat" in slug or "Lunge" in slug for slug in used)
    assert any(
        catalog.by_slug[slug].pattern.value in ("hinge", "glute", "hamstring_isolation") for slug in used
    )


# --- Preferences ------------------------------------------------------------------------------------------


def test_dislike_removes_every_matching_exercise(catalog: Catalog) -> None:
    prefs = Preferences.from_texts(catalog, (), ("lunges", "Barbell_Squat"))
    lunges = [e for e in catalog.entries if "lunge" in e.record.name.lower()]
    assert lunges
    assert all(is_disliked(e, prefs) for e in lunges)
    assert is_disliked(catalog.by_slug["Barbell_Squat"], prefs)
    assert not is_disliked(catalog.by_slug["Leg_Press"], prefs)


def test_disliked_exercises_never_appear(catalog: Catalog) -> None:
    rng = random.Random(7)
    names = [e.record.name for e in catalog.entries if e.programmable]
    for days, equipment in itertools.product((2, 3, 4, 5, 6), (HOME, GYM)):
        disliked = (*tuple(rng.sample(names, 5)), "squat", "bench press")
        req = request(training_days=days, equipment=equipment, disliked_exercises=disliked)
        prefs = Preferences.from_texts(catalog, (), disliked)
        week = program(catalog, req, prefs)
        for s in week.sessions:
            for e in s.exercises:
                assert not is_disliked(catalog.by_id[e.exercise_id], prefs), e.name
                assert "squat" not in e.name.lower()


def test_valid_liked_exercises_are_used(catalog: Catalog) -> None:
    liked = ("Goblet Squat", "Hammer Curls", "Face Pull")
    req = request(training_days=4, equipment=GYM | {Equipment.KETTLEBELL}, liked_exercises=liked)
    used = slug_ids(catalog, program(catalog, req))
    for slug in ("Goblet_Squat", "Hammer_Curls", "Face_Pull"):
        assert slug in used


def test_liked_exercise_needing_missing_equipment_is_not_used(catalog: Catalog) -> None:
    req = request(equipment=HOME, liked_exercises=("Barbell Squat",))
    assert "Barbell_Squat" not in slug_ids(catalog, program(catalog, req))


def test_similarity_and_ratings_reorder_choices(catalog: Catalog) -> None:
    squat = catalog.by_slug["Barbell_Squat"]
    hack = catalog.by_slug["Hack_Squat"]
    req = request(training_days=3, experience=Experience.BEGINNER)
    plain = slug_ids(catalog, program(catalog, req))
    assert "Barbell_Squat" in plain
    rated = Preferences(ratings={squat.id: 1, hack.id: 5})
    with_ratings = slug_ids(catalog, program(catalog, req, rated))
    assert "Barbell_Squat" not in with_ratings
    assert "Hack_Squat" in with_ratings
    near = Preferences(similarity={hack.id: 0.95})
    assert "Hack_Squat" in slug_ids(catalog, program(catalog, req, near))


def test_beginners_only_get_beginner_exercises(catalog: Catalog) -> None:
    week = program(catalog, request(experience=Experience.BEGINNER, training_days=4))
    assert all(
        catalog.by_id[e.exercise_id].record.level is Experience.BEGINNER
        for s in week.sessions
        for e in s.exercises
    )


# --- Cardio -------------------------------------------------------------------------------------------------


def test_weight_loss_adds_cardio_on_rest_days(catalog: Catalog) -> None:
    week = program(catalog, request(goal=Goal.LOSE, training_days=3, age_years=40))
    cardio = week.cardio
    assert cardio is not None
    assert cardio.reason == "weight_loss"
    assert cardio.minutes_range == (150, 300)
    assert cardio.minutes_per_week == 200
    assert cardio.steps_per_day == (8000, 10000)
    hr_max = 208 - 0.7 * 40
    assert cardio.heart_rate_bpm == (round(hr_max * 0.64), round(hr_max * 0.76))
    lifting_days = {s.day_offset for s in lifting(week)}  # type: ignore[attr-defined]
    cardio_sessions = [s for s in week.sessions if s.kind is SessionKind.CARDIO]
    assert len(cardio_sessions) == cardio.sessions >= 1
    assert all(s.day_offset not in lifting_days for s in cardio_sessions)
    scheduled = sum(s.cardio_minutes or 0 for s in cardio_sessions)
    assert scheduled >= cardio.minutes_per_week or cardio.note is not None


def test_general_health_has_cardio_and_muscle_gain_does_not(catalog: Catalog) -> None:
    older = program(catalog, request(goal=Goal.MAINTAIN, age_years=67)).cardio
    assert older is not None
    assert older.minutes_per_week == 150
    assert older.steps_per_day == (6000, 8000)
    assert program(catalog, request(goal=Goal.GAIN)).cardio is None


def test_running_is_not_suggested_with_a_knee_injury(catalog: Catalog) -> None:
    week = program(
        catalog, request(goal=Goal.LOSE, equipment=GYM | {Equipment.CARDIO_MACHINE}, injuries=("knee pain",))
    )
    assert week.cardio is not None
    assert not any("running" in m.lower() or "jogging" in m.lower() for m in week.cardio.modalities)
    assert any("bicycl" in m.lower() or "recumbent" in m.lower() for m in week.cardio.modalities)


# --- Locks --------------------------------------------------------------------------------------------------


def test_locked_exercise_stays_in_its_slot(catalog: Catalog) -> None:
    req = request(training_days=4)
    week = program(catalog, req)
    first = week.sessions[0].exercises[0]
    other = next(
        e
        for e in catalog.by_pattern[first.pattern]
        if e.id != first.exercise_id
        and e.compound
        and e.record.level is not Experience.ADVANCED
        and exclusion_reason(e, Filters(GYM, Experience.INTERMEDIATE), Preferences()) is None
    )
    locked = program_week(req, catalog, Preferences(), locks={first.slot_key: other.id})
    kept = next(e for e in locked.sessions[0].exercises if e.slot_key == first.slot_key)
    assert kept.exercise_id == other.id
    assert kept.locked


def test_lock_that_became_unsafe_is_replaced_with_a_note(catalog: Catalog) -> None:
    req = request(training_days=4, injuries=("knee",))
    squat = catalog.by_slug["Barbell_Squat"]
    week = program_week(req, catalog, Preferences(), locks={"1:0": squat.id})
    assert "Barbell_Squat" not in slug_ids(catalog, week)
    assert any("Barbell Squat" in n and "injury" in n for n in week.notes)


@pytest.mark.parametrize(
    ("dislike", "slug"),
    [
        ("pull-ups", "Pullups"),
        ("pull ups", "Band_Assisted_Pull-Up"),
        ("Pullups", "V-Bar_Pullup"),
        ("ez bar", "EZ-Bar_Curl"),
        ("biceps curls", "Dumbbell_Bicep_Curl"),
    ],
)
def test_dislikes_match_across_hyphens_and_plurals(catalog: Catalog, dislike: str, slug: str) -> None:
    assert is_disliked(catalog.by_slug[slug], Preferences.from_texts(catalog, (), (dislike,)))


def test_dislike_does_not_match_inside_other_words(catalog: Catalog) -> None:
    prefs = Preferences.from_texts(catalog, (), ("row",))
    assert is_disliked(catalog.by_slug["Seated_Cable_Rows"], prefs)
    assert not is_disliked(catalog.by_slug["Overhead_Slam"], prefs)
    throws = [e for e in catalog.entries if "throw" in e.record.name.lower()]
    assert throws
    assert not any(is_disliked(e, prefs) for e in throws)


def test_a_pattern_without_options_falls_back_to_a_related_one(catalog: Catalog) -> None:
    # Without a bench there are no flyes: the chest slot takes another press instead of staying empty.
    req = request(training_days=4, session_minutes=75, equipment=frozenset({Equipment.DUMBBELL}))
    week = program(catalog, req)
    assert not any(e.pattern.value == "chest_isolation" for s in week.sessions for e in s.exercises)
    upper = [s for s in lifting(week) if s.name.startswith("Upper")]  # type: ignore[attr-defined]
    for s in upper:
        presses = [e for e in s.exercises if e.pattern.value == "horizontal_push"]  # type: ignore[attr-defined]
        assert len(presses) >= 2
    assert week.weekly_sets[MuscleGroup.CHEST].in_range
