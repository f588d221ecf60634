"""Workout plans as tools: generate a versioned plan from the profile, read it (any version), and the pieces
the edits share (catalog, preferences, week expansion, output).

A plan covers 1-8 weeks from its start date. Week 1 is an introduction week (one more RIR), every 5th week
a deload (half the sets, two more RIR). Loads are suggested where the set log allows (progression rules),
for the first week an exercise appears in; later weeks follow the progression advice of their time.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from store import plans as plan_store
from store import workouts as rows
from store.models import Exercise, Plan, PlanVersion, Profile
from store.models.workouts import SessionKind
from store.vocabulary import Equipment, Experience, Goal, PlanKind
from tools.cache import FingerprintCache
from tools.errors import Conflict, InvalidInput, NotFound
from tools.training import constants as c
from tools.training import progression
from tools.training.catalog import Catalog, ExerciseRecord
from tools.training.injuries import assess
from tools.training.programmer import program_week
from tools.training.schemas import (
    CardioGuidance,
    GroupVolume,
    MuscleGroup,
    Pattern,
    PrescribedSetOut,
    ProgramRequest,
    SessionExerciseOut,
    SessionOut,
    SlotRole,
    Split,
    TrainingGoal,
    VersionOut,
    WeekProgram,
    WorkoutPlanOut,
)
from tools.training.selection import Filters, Preferences

# A liked exercise named loosely ("bench") resolves to the closest name when trigram similarity reaches this.
TRIGRAM_MATCH: Final = 0.45


class CreateWorkoutPlan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start_date: date
    weeks: int = Field(ge=c.PLAN_WEEKS_RANGE[0], le=c.PLAN_WEEKS_RANGE[1])
    focus_muscles: list[MuscleGroup] = Field(default_factory=list, max_length=4)
    training_goal: TrainingGoal | None = None


CatalogFingerprint = tuple[int, datetime | None, int | None]


def catalog_fingerprint(session: Session) -> CatalogFingerprint:
    """What identifies the content of the exercises table cheaply: row count, last update, highest id (a
    knowledge reload changes at least one of them)."""
    count, updated_at, max_id = session.execute(
        select(func.count(), func.max(Exercise.updated_at), func.max(Exercise.id))
    ).one()
    return int(count), updated_at, max_id


def load_catalog(session: Session) -> Catalog:
    """The exercise catalog with its derived facts, built from the table (~150 ms: callers that serve
    requests go through an `ExerciseCatalogCache`)."""
    records = [
        ExerciseRecord(
            id=e.id,
            slug=e.source_id,
            name=e.name,
            category=e.category,
            force=e.force,
            mechanic=e.mechanic,
            level=e.level,
            equipment_raw=e.equipment_raw,
            equipment_needed=tuple(e.equipment_needed or ()),
            primary_muscles=tuple(e.primary_muscles or ()),
            secondary_muscles=tuple(e.secondary_muscles or ()),
            instructions=tuple(e.instructions or ()),
        )
        for e in session.scalars(select(Exercise).order_by(Exercise.id))
    ]
    if not records:
        raise Conflict("the exercise catalog is not loaded (run `nexfitra knowledge load`)")
    return Catalog.build(records)


class ExerciseCatalogCache(FingerprintCache[Catalog, CatalogFingerprint]):
    """The exercise catalog, rebuilt when the exercises table changes. One per process (the API keeps it on
    the app, the worker's handler owns its own) and passed down to the tools."""

    def __init__(self, check_every_s: float = 30.0) -> None:
        super().__init__(catalog_fingerprint, load_catalog, check_every_s)


def similarity_to(session: Session, exercise_ids: Iterable[int]) -> dict[int, float]:
    """Highest cosine similarity (pgvector, MiniLM embeddings) of every exercise to any of `exercise_ids`
    that shares a primary muscle with it: closeness of names across muscles is not a preference."""
    ids = sorted(set(exercise_ids))
    if not ids:
        return {}
    result = session.execute(
        text(
            "SELECT e.id, max(1 - (e.embedding <=> l.embedding)) FROM exercises e "
            "JOIN exercises l ON l.id = ANY(:ids) AND e.primary_muscles && l.primary_muscles "
            "WHERE e.embedding IS NOT NULL AND l.embedding IS NOT NULL GROUP BY e.id"
        ),
        {"ids": ids},
    )
    return {exercise_id: float(sim) for exercise_id, sim in result}


def resolve_exercise(session: Session, catalog: Catalog, text_: str) -> int | None:
    """An exercise id for a name the person typed: exact id/slug/name first, then the closest name."""
    entry = catalog.resolve(text_)
    if entry is not None:
        return entry.id
    row = session.execute(
        text(
            "SELECT id FROM exercises WHERE similarity(name, :q) >= :floor "
            "ORDER BY similarity(name, :q) DESC, id LIMIT 1"
        ),
        {"q": text_, "floor": TRIGRAM_MATCH},
    ).first()
    return None if row is None else int(row[0])


def load_preferences(session: Session, catalog: Catalog, user_id: uuid.UUID, profile: Profile) -> Preferences:
    liked_ids = {
        i for t in profile.liked_exercises if (i := resolve_exercise(session, catalog, t)) is not None
    }
    base = Preferences.from_texts(catalog, (), profile.disliked_exercises, liked_ids=liked_ids)
    return Preferences(
        liked_ids=base.liked_ids,
        disliked_ids=base.disliked_ids,
        disliked_phrases=base.disliked_phrases,
        similarity=similarity_to(session, base.liked_ids),
        ratings=rows.ratings(session, user_id),
    )


def require_profile(session: Session, user_id: uuid.UUID) -> Profile:
    profile = session.get(Profile, user_id)
    if profile is None:
        raise Conflict("a workout plan needs a profile: create it first")
    return profile


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def default_seed(user_id: uuid.UUID, start_date: date, version: int = 1) -> int:
    digest = hashlib.blake2b(f"{user_id}:{start_date}:{version}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big")


def request_from_profile(
    profile: Profile,
    *,
    today: date,
    seed: int,
    focus: Sequence[MuscleGroup] = (),
    training_goal: TrainingGoal | None = None,
) -> ProgramRequest:
    return ProgramRequest(
        training_days=profile.training_days,
        session_minutes=profile.session_minutes,
        experience=Experience(profile.experience),
        goal=Goal(profile.goal),
        training_goal=training_goal,
        equipment=frozenset(Equipment(e) for e in profile.equipment if e in Equipment._value2member_map_),
        liked_exercises=tuple(profile.liked_exercises),
        disliked_exercises=tuple(profile.disliked_exercises),
        injuries=tuple(profile.injuries),
        focus_muscles=tuple(focus),
        age_years=age_on(profile.birth_date, today),
        seed=seed,
    )


def filters_for(profile: Profile) -> Filters:
    """The person's hard limits from their profile (equipment, experience, injuries)."""
    return Filters(
        equipment=frozenset(Equipment(e) for e in profile.equipment if e in Equipment._value2member_map_),
        experience=Experience(profile.experience),
        excluded_movements=assess(profile.injuries).excluded,
    )


def profile_inputs(request: ProgramRequest, *, weeks: int) -> dict[str, Any]:
    """What a version was built from (stored on the version: enough to explain and reproduce it)."""
    return request.model_dump(mode="json") | {"weeks": weeks}


def expand_weeks(
    week: WeekProgram,
    *,
    start_date: date,
    weeks: int,
    from_date: date | None = None,
    advice: Mapping[tuple[int, int, int, int], progression.Advice] | None = None,
) -> list[rows.NewSession]:
    """The week's sessions repeated over the plan (introduction week, deload weeks), dated from
    `start_date`, skipping days before `from_date`. Suggested loads go to each exercise's first week."""
    out: list[rows.NewSession] = []
    lifting = [s for s in week.sessions if s.kind is SessionKind.STRENGTH]
    position = {id(s): i for i, s in enumerate(lifting)}
    advised: set[tuple[int, int, int, int]] = set()
    for week_number in range(1, weeks + 1):
        deload = week_number % c.DELOAD_EVERY_WEEKS == 0
        extra_rir = c.DELOAD_EXTRA_RIR if deload else (c.INTRO_WEEK_EXTRA_RIR if week_number == 1 else 0)
        for planned in week.sessions:
            day = start_date.fromordinal(start_date.toordinal() + 7 * (week_number - 1) + planned.day_offset)
            if from_date is not None and day < from_date:
                continue
            notes = list(planned.notes)
            if deload and planned.kind is SessionKind.STRENGTH:
                notes.append("Deload week: half the sets, two more reps in reserve.")
            exercises: list[rows.NewExercise] = []
            for index, e in enumerate(planned.exercises):
                sets = max(1, math.ceil(e.sets * c.DELOAD_SET_FACTOR)) if deload else e.sets
                rir = e.target_rir + extra_rir
                load = None
                key = (e.exercise_id, e.rep_min, e.rep_max, e.target_rir)
                if advice is not None and key in advice and key not in advised and not deload:
                    advised.add(key)
                    tip = advice[key]
                    load = tip.load_kg
                    if tip.set_factor < 1:
                        sets = max(1, math.ceil(sets * tip.set_factor))
                exercises.append(
                    rows.NewExercise(
                        position=index,
                        exercise_id=e.exercise_id,
                        slot_key=e.slot_key,
                        pattern=e.pattern.value,
                        role=e.role.value,
                        rep_min=e.rep_min,
                        rep_max=e.rep_max,
                        rest_s=e.rest_s,
                        target_rir=rir,
                        locked=e.locked,
                        sets=[
                            rows.NewSet(n, e.rep_min, e.rep_max, rir, e.rest_s, load)
                            for n in range(1, sets + 1)
                        ],
                    )
                )
            # Fewer sets (deload, stall) shorten the session by the time of the sets removed.
            removed_s = sum(
                (p.sets - len(e.sets)) * _set_seconds(e.rep_min, e.rep_max, e.rest_s)
                for p, e in zip(planned.exercises, exercises, strict=True)
            )
            minutes = round(planned.estimated_minutes - removed_s / 60, 1)
            out.append(
                rows.NewSession(
                    week=week_number,
                    position=position.get(id(planned), 100 + planned.day_offset),
                    scheduled_on=day,
                    kind=planned.kind,
                    template=planned.template,
                    name=planned.name,
                    estimated_minutes=minutes,
                    cardio_minutes=planned.cardio_minutes,
                    cardio_intensity=planned.cardio_intensity,
                    notes=notes,
                    exercises=exercises,
                )
            )
    return out


def _set_seconds(rep_min: int, rep_max: int, rest_s: int) -> float:
    return (rep_min + rep_max) / 2 * c.SECONDS_PER_REP + c.SET_SETUP_SECONDS + rest_s


def advice_for(
    session: Session, user_id: uuid.UUID, week: WeekProgram, catalog: Catalog, today: date
) -> dict[tuple[int, int, int, int], progression.Advice]:
    exercises = [e for s in week.sessions for e in s.exercises]
    logs = progression.logged_sets(session, user_id, (e.exercise_id for e in exercises), today)
    return progression.advise_many(
        logs,
        (
            (e.exercise_id, e.rep_min, e.rep_max, e.target_rir, catalog.by_id[e.exercise_id].load_equipment)
            for e in exercises
        ),
        today,
    )


def write_version_rows(
    session: Session, version: PlanVersion, week: WeekProgram, sessions: Sequence[rows.NewSession]
) -> None:
    rows.write_detail(
        session,
        version.id,
        split=week.split.value,
        training_goal=week.training_goal.value,
        weekly_sets={g.value: v.model_dump(mode="json") for g, v in week.weekly_sets.items()},
        cardio=week.cardio.model_dump(mode="json") if week.cardio is not None else None,
        notes=list(week.notes),
    )
    rows.write_sessions(session, version.id, sessions)


def generate_workout_plan(
    session: Session,
    user_id: uuid.UUID,
    body: CreateWorkoutPlan,
    *,
    catalogs: ExerciseCatalogCache,
    created_by: uuid.UUID | None,
    today: date,
) -> WorkoutPlanOut:
    """A new plan (version 1) from the profile: the week is programmed once and repeated over `weeks`."""
    profile = require_profile(session, user_id)
    catalog = catalogs.get(session)
    prefs = load_preferences(session, catalog, user_id, profile)
    request = request_from_profile(
        profile,
        today=today,
        seed=default_seed(user_id, body.start_date),
        focus=body.focus_muscles,
        training_goal=body.training_goal,
    )
    week = program_week(request, catalog, prefs)
    end_date = date.fromordinal(body.start_date.toordinal() + 7 * body.weeks - 1)
    plan, version = plan_store.create_plan(
        session,
        user_id=user_id,
        kind=PlanKind.WORKOUT,
        start_date=body.start_date,
        end_date=end_date,
        reason=f"New {body.weeks}-week plan: {_words(week.split)}, {_words(week.training_goal)}",
        created_by=created_by,
        inputs=profile_inputs(request, weeks=body.weeks),
    )
    advice = advice_for(session, user_id, week, catalog, today)
    sessions = expand_weeks(week, start_date=body.start_date, weeks=body.weeks, advice=advice)
    write_version_rows(session, version, week, sessions)
    return plan_out(session, plan)


def plan_out(session: Session, plan: Plan, version_number: int | None = None) -> WorkoutPlanOut:
    version = plan_store.get_version(session, plan, version_number)
    if version is None:
        raise NotFound("plan version not found")
    detail = rows.read_detail(session, version.id)
    if detail is None:
        raise NotFound("plan version has no workout detail")
    stored = rows.read_sessions(session, version.id)
    return WorkoutPlanOut(
        id=plan.id,
        user_id=plan.user_id,
        start_date=plan.start_date,
        end_date=plan.end_date,
        version=version.version,
        current_version=plan.current_version,
        reason=version.reason,
        split=Split(detail.split),
        training_goal=TrainingGoal(detail.training_goal),
        weekly_sets={MuscleGroup(g): GroupVolume.model_validate(v) for g, v in detail.weekly_sets.items()},
        cardio=CardioGuidance.model_validate(detail.cardio) if detail.cardio else None,
        notes=list(detail.notes),
        sessions=[_session_out(s) for s in stored],
        versions=[
            VersionOut(version=v.version, reason=v.reason, created_at=v.created_at, created_by=v.created_by)
            for v in plan_store.list_versions(session, plan)
        ],
    )


def _session_out(s: rows.StoredSession) -> SessionOut:
    return SessionOut(
        id=s.id,
        week=s.week,
        scheduled_on=s.scheduled_on,
        kind=s.kind,
        name=s.name,
        estimated_minutes=s.estimated_minutes,
        cardio_minutes=s.cardio_minutes,
        cardio_intensity=s.cardio_intensity,
        notes=s.notes,
        exercises=[
            SessionExerciseOut(
                id=e.id,
                exercise_id=e.exercise_id,
                slug=e.slug,
                name=e.name,
                pattern=Pattern(e.pattern),
                role=SlotRole(e.role),
                locked=e.locked,
                rep_min=e.rep_min,
                rep_max=e.rep_max,
                rest_s=e.rest_s,
                target_rir=e.target_rir,
                sets=[
                    PrescribedSetOut(
                        set_number=ps.set_number,
                        rep_min=ps.rep_min,
                        rep_max=ps.rep_max,
                        target_rir=ps.target_rir,
                        rpe=10 - ps.target_rir,
                        rest_s=ps.rest_s,
                        load_kg=ps.load_kg,
                    )
                    for ps in e.sets
                ],
            )
            for e in s.exercises
        ],
    )


def owned_plan(session: Session, user_id: uuid.UUID, plan_id: uuid.UUID) -> Plan:
    """The user's workout plan, or 404 (another user's plan looks exactly like a missing one)."""
    plan = plan_store.get_plan(session, plan_id=plan_id, user_id=user_id, kind=PlanKind.WORKOUT)
    if plan is None:
        raise NotFound("workout plan not found")
    return plan


def get_workout_plan(
    session: Session, user_id: uuid.UUID, plan_id: uuid.UUID, version: int | None = None
) -> WorkoutPlanOut:
    plan = owned_plan(session, user_id, plan_id)
    if version is not None and not 1 <= version <= plan.current_version:
        raise NotFound(f"version {version} not found")
    return plan_out(session, plan, version)


def current_workout_plan(session: Session, user_id: uuid.UUID, today: date) -> WorkoutPlanOut:
    plan = plan_store.current_plan(session, user_id=user_id, kind=PlanKind.WORKOUT, on=today)
    if plan is None:
        raise NotFound("no workout plan yet")
    return plan_out(session, plan)


def _words(value: str) -> str:
    return value.replace("_", " ")


def invalid(field: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{field}: {reason}", errors=[{"field": field, "reason": reason}])


class ExerciseAdvice(BaseModel):
    """The next occurrence of an exercise in a plan and what to lift there."""

    exercise_id: int
    name: str
    session_id: int
    scheduled_on: date
    rep_min: int
    rep_max: int
    target_rir: int
    advice: progression.Advice


def plan_progression(
    session: Session, user_id: uuid.UUID, plan_id: uuid.UUID, today: date, *, catalogs: ExerciseCatalogCache
) -> list[ExerciseAdvice]:
    """For each exercise of the upcoming sessions (first occurrence from today), the progression advice."""
    plan = owned_plan(session, user_id, plan_id)
    version = plan_store.get_version(session, plan)
    if version is None:
        raise NotFound("plan version not found")
    catalog = catalogs.get(session)
    upcoming: dict[int, tuple[rows.StoredSession, rows.StoredExercise]] = {}
    for s in rows.read_sessions(session, version.id):
        if s.scheduled_on < today:
            continue
        for e in s.exercises:
            upcoming.setdefault(e.exercise_id, (s, e))
    logs = progression.logged_sets(session, user_id, upcoming, today)
    out = []
    for exercise_id, (s, e) in upcoming.items():
        entry = catalog.by_id.get(exercise_id)
        out.append(
            ExerciseAdvice(
                exercise_id=exercise_id,
                name=e.name,
                session_id=s.id,
                scheduled_on=s.scheduled_on,
                rep_min=e.rep_min,
                rep_max=e.rep_max,
                target_rir=e.target_rir,
                advice=progression.advise(
                    logs.get(exercise_id, []),
                    rep_min=e.rep_min,
                    rep_max=e.rep_max,
                    target_rir=e.target_rir,
                    load_equipment=entry.load_equipment if entry is not None else None,
                    today=today,
                ),
            )
        )
    return out
