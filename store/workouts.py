"""Workout plan detail rows: write a version's sessions → exercises → prescribed sets in three bulk inserts,
read them back in three queries, and the user's exercise ratings.

Versions are immutable: an edit copies the rows it keeps into the new version (see `copy_rows`), so no
statement here updates a stored version except `move`-free metadata reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from store.models import (
    Exercise,
    ExerciseRating,
    PrescribedSet,
    WorkoutExercise,
    WorkoutSession,
    WorkoutVersionDetail,
)
from store.models.workouts import SessionKind


@dataclass
class NewSet:
    set_number: int
    rep_min: int
    rep_max: int
    target_rir: int
    rest_s: int
    load_kg: float | None = None


@dataclass
class NewExercise:
    position: int
    exercise_id: int
    slot_key: str
    pattern: str
    role: str
    rep_min: int
    rep_max: int
    rest_s: int
    target_rir: int
    locked: bool = False
    sets: list[NewSet] = field(default_factory=list)


@dataclass
class NewSession:
    week: int
    position: int
    scheduled_on: date
    kind: SessionKind
    template: str
    name: str
    estimated_minutes: float
    cardio_minutes: int | None = None
    cardio_intensity: str | None = None
    notes: list[str] = field(default_factory=list)
    exercises: list[NewExercise] = field(default_factory=list)


def write_detail(
    session: Session,
    version_id: int,
    *,
    split: str,
    training_goal: str,
    weekly_sets: dict[str, Any],
    cardio: dict[str, Any] | None,
    notes: list[str],
) -> None:
    session.add(
        WorkoutVersionDetail(
            plan_version_id=version_id,
            split=split,
            training_goal=training_goal,
            weekly_sets=weekly_sets,
            cardio=cardio,
            notes=notes,
        )
    )
    session.flush()


def write_sessions(session: Session, version_id: int, sessions: Sequence[NewSession]) -> None:
    """Insert all rows of a version: one multi-row INSERT … RETURNING per level."""
    if not sessions:
        return
    session_ids = session.scalars(
        insert(WorkoutSession).returning(WorkoutSession.id, sort_by_parameter_order=True),
        [
            {
                "plan_version_id": version_id,
                "week": s.week,
                "position": s.position,
                "scheduled_on": s.scheduled_on,
                "kind": s.kind,
                "template": s.template,
                "name": s.name,
                "estimated_minutes": s.estimated_minutes,
                "cardio_minutes": s.cardio_minutes,
                "cardio_intensity": s.cardio_intensity,
                "notes": s.notes,
            }
            for s in sessions
        ],
    ).all()
    exercise_rows: list[dict[str, Any]] = []
    exercise_sets: list[list[NewSet]] = []
    for session_id, s in zip(session_ids, sessions, strict=True):
        for e in s.exercises:
            exercise_rows.append(
                {
                    "session_id": session_id,
                    "position": e.position,
                    "exercise_id": e.exercise_id,
                    "slot_key": e.slot_key,
                    "pattern": e.pattern,
                    "role": e.role,
                    "rep_min": e.rep_min,
                    "rep_max": e.rep_max,
                    "rest_s": e.rest_s,
                    "target_rir": e.target_rir,
                    "locked": e.locked,
                }
            )
            exercise_sets.append(e.sets)
    if not exercise_rows:
        return
    exercise_ids = session.scalars(
        insert(WorkoutExercise).returning(WorkoutExercise.id, sort_by_parameter_order=True), exercise_rows
    ).all()
    set_rows = [
        {
            "workout_exercise_id": exercise_id,
            "set_number": s.set_number,
            "rep_min": s.rep_min,
            "rep_max": s.rep_max,
            "target_rir": s.target_rir,
            "rest_s": s.rest_s,
            "load_kg": s.load_kg,
        }
        for exercise_id, sets in zip(exercise_ids, exercise_sets, strict=True)
        for s in sets
    ]
    if set_rows:
        session.execute(insert(PrescribedSet), set_rows)


@dataclass
class StoredSet:
    set_number: int
    rep_min: int
    rep_max: int
    target_rir: int
    rest_s: int
    load_kg: float | None


@dataclass
class StoredExercise:
    id: int
    position: int
    exercise_id: int
    slug: str
    name: str
    slot_key: str
    pattern: str
    role: str
    rep_min: int
    rep_max: int
    rest_s: int
    target_rir: int
    locked: bool
    sets: list[StoredSet] = field(default_factory=list)


@dataclass
class StoredSession:
    id: int
    week: int
    position: int
    scheduled_on: date
    kind: SessionKind
    template: str
    name: str
    estimated_minutes: float
    cardio_minutes: int | None
    cardio_intensity: str | None
    notes: list[str]
    exercises: list[StoredExercise] = field(default_factory=list)


def read_detail(session: Session, version_id: int) -> WorkoutVersionDetail | None:
    return session.get(WorkoutVersionDetail, version_id)


def read_sessions(session: Session, version_id: int) -> list[StoredSession]:
    """Every session of a version in date order, with exercises (in order) and their sets."""
    sessions = [
        StoredSession(
            id=row.id,
            week=row.week,
            position=row.position,
            scheduled_on=row.scheduled_on,
            kind=row.kind,
            template=row.template,
            name=row.name,
            estimated_minutes=row.estimated_minutes,
            cardio_minutes=row.cardio_minutes,
            cardio_intensity=row.cardio_intensity,
            notes=list(row.notes),
        )
        for row in session.scalars(
            select(WorkoutSession)
            .where(WorkoutSession.plan_version_id == version_id)
            .order_by(WorkoutSession.scheduled_on)
        )
    ]
    by_session = {s.id: s for s in sessions}
    exercises: dict[int, StoredExercise] = {}
    rows = session.execute(
        select(WorkoutExercise, Exercise.source_id, Exercise.name)
        .join(Exercise, Exercise.id == WorkoutExercise.exercise_id)
        .join(WorkoutSession, WorkoutSession.id == WorkoutExercise.session_id)
        .where(WorkoutSession.plan_version_id == version_id)
        .order_by(WorkoutExercise.session_id, WorkoutExercise.position)
    )
    for we, slug, name in rows:
        stored = StoredExercise(
            id=we.id,
            position=we.position,
            exercise_id=we.exercise_id,
            slug=slug,
            name=name,
            slot_key=we.slot_key,
            pattern=we.pattern,
            role=we.role,
            rep_min=we.rep_min,
            rep_max=we.rep_max,
            rest_s=we.rest_s,
            target_rir=we.target_rir,
            locked=we.locked,
        )
        exercises[we.id] = stored
        by_session[we.session_id].exercises.append(stored)
    if exercises:
        set_rows = session.scalars(
            select(PrescribedSet)
            .join(WorkoutExercise, WorkoutExercise.id == PrescribedSet.workout_exercise_id)
            .join(WorkoutSession, WorkoutSession.id == WorkoutExercise.session_id)
            .where(WorkoutSession.plan_version_id == version_id)
            .order_by(PrescribedSet.workout_exercise_id, PrescribedSet.set_number)
        )
        for ps in set_rows:
            exercises[ps.workout_exercise_id].sets.append(
                StoredSet(ps.set_number, ps.rep_min, ps.rep_max, ps.target_rir, ps.rest_s, ps.load_kg)
            )
    return sessions


def to_new(stored: StoredSession) -> NewSession:
    """A stored session as rows to write into another version (an edit keeps what it does not change)."""
    return NewSession(
        week=stored.week,
        position=stored.position,
        scheduled_on=stored.scheduled_on,
        kind=stored.kind,
        template=stored.template,
        name=stored.name,
        estimated_minutes=stored.estimated_minutes,
        cardio_minutes=stored.cardio_minutes,
        cardio_intensity=stored.cardio_intensity,
        notes=list(stored.notes),
        exercises=[
            NewExercise(
                position=e.position,
                exercise_id=e.exercise_id,
                slot_key=e.slot_key,
                pattern=e.pattern,
                role=e.role,
                rep_min=e.rep_min,
                rep_max=e.rep_max,
                rest_s=e.rest_s,
                target_rir=e.target_rir,
                locked=e.locked,
                sets=[
                    NewSet(s.set_number, s.rep_min, s.rep_max, s.target_rir, s.rest_s, s.load_kg)
                    for s in e.sets
                ],
            )
            for e in stored.exercises
        ],
    )


def ratings(session: Session, user_id: uuid.UUID) -> dict[int, int]:
    rows = session.execute(
        select(ExerciseRating.exercise_id, ExerciseRating.rating).where(ExerciseRating.user_id == user_id)
    )
    return dict(rows.all())


def set_rating(session: Session, user_id: uuid.UUID, exercise_id: int, rating: int) -> None:
    statement = pg_insert(ExerciseRating).values(user_id=user_id, exercise_id=exercise_id, rating=rating)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[ExerciseRating.user_id, ExerciseRating.exercise_id],
            set_={"rating": statement.excluded.rating, "updated_at": statement.excluded.updated_at},
        )
    )
