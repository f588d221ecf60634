"""Workout plan detail rows: write a version's sessions → exercises → prescribed sets in three bulk inserts,
read them back in three queries, and the user's exercise ratings.

Versions are immutable: an edit copies the rows it keeps into the new version (`to_new`, then
`write_sessions`); nothing here updates a stored version.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy import select
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
    """Write all rows of a version in the session's transaction: ids are reserved from the tables'
    sequences, then each level is streamed with COPY (an 8-week plan has ~2,000 rows; row-by-row INSERTs
    cost a round trip each)."""
    if not sessions:
        return
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, psycopg.Connection)
    session_ids = _reserve_ids(conn, "workout_sessions", len(sessions))
    exercises = [(sid, e) for sid, s in zip(session_ids, sessions, strict=True) for e in s.exercises]
    exercise_ids = _reserve_ids(conn, "workout_exercises", len(exercises))
    _copy(
        conn,
        "workout_sessions",
        (
            "id",
            "plan_version_id",
            "week",
            "position",
            "scheduled_on",
            "kind",
            "template",
            "name",
            "estimated_minutes",
            "cardio_minutes",
            "cardio_intensity",
            "notes",
        ),
        (
            (
                sid,
                version_id,
                s.week,
                s.position,
                s.scheduled_on,
                s.kind.value,
                s.template,
                s.name,
                s.estimated_minutes,
                s.cardio_minutes,
                s.cardio_intensity,
                Jsonb(s.notes),
            )
            for sid, s in zip(session_ids, sessions, strict=True)
        ),
    )
    _copy(
        conn,
        "workout_exercises",
        (
            "id",
            "session_id",
            "position",
            "exercise_id",
            "slot_key",
            "pattern",
            "role",
            "rep_min",
            "rep_max",
            "rest_s",
            "target_rir",
            "locked",
        ),
        (
            (
                eid,
                sid,
                e.position,
                e.exercise_id,
                e.slot_key,
                e.pattern,
                e.role,
                e.rep_min,
                e.rep_max,
                e.rest_s,
                e.target_rir,
                e.locked,
            )
            for eid, (sid, e) in zip(exercise_ids, exercises, strict=True)
        ),
    )
    _copy(
        conn,
        "workout_prescribed_sets",
        ("workout_exercise_id", "set_number", "rep_min", "rep_max", "target_rir", "rest_s", "load_kg"),
        (
            (eid, ps.set_number, ps.rep_min, ps.rep_max, ps.target_rir, ps.rest_s, ps.load_kg)
            for eid, (_, e) in zip(exercise_ids, exercises, strict=True)
            for ps in e.sets
        ),
    )


def _reserve_ids(conn: psycopg.Connection[Any], table: str, count: int) -> list[int]:
    if count == 0:
        return []
    rows = conn.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", (table, count)
    )
    return [int(r[0]) for r in rows]


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


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
    """Every session of a version in date order, with exercises (in order) and their sets. Plain column
    selects: a 8-week plan has ~2,000 rows and ORM entities would cost more than the queries."""
    ws, we, ps = WorkoutSession, WorkoutExercise, PrescribedSet
    sessions = [
        StoredSession(
            id=r.id,
            week=r.week,
            position=r.position,
            scheduled_on=r.scheduled_on,
            kind=r.kind,
            template=r.template,
            name=r.name,
            estimated_minutes=r.estimated_minutes,
            cardio_minutes=r.cardio_minutes,
            cardio_intensity=r.cardio_intensity,
            notes=list(r.notes),
        )
        for r in session.execute(
            select(
                ws.id,
                ws.week,
                ws.position,
                ws.scheduled_on,
                ws.kind,
                ws.template,
                ws.name,
                ws.estimated_minutes,
                ws.cardio_minutes,
                ws.cardio_intensity,
                ws.notes,
            )
            .where(ws.plan_version_id == version_id)
            .order_by(ws.scheduled_on)
        )
    ]
    by_session = {s.id: s for s in sessions}
    exercises: dict[int, StoredExercise] = {}
    rows = session.execute(
        select(
            we.id,
            we.session_id,
            we.position,
            we.exercise_id,
            Exercise.source_id,
            Exercise.name,
            we.slot_key,
            we.pattern,
            we.role,
            we.rep_min,
            we.rep_max,
            we.rest_s,
            we.target_rir,
            we.locked,
        )
        .join(Exercise, Exercise.id == we.exercise_id)
        .join(ws, ws.id == we.session_id)
        .where(ws.plan_version_id == version_id)
        .order_by(we.session_id, we.position)
    )
    for r in rows:
        stored = StoredExercise(
            id=r.id,
            position=r.position,
            exercise_id=r.exercise_id,
            slug=r.source_id,
            name=r.name,
            slot_key=r.slot_key,
            pattern=r.pattern,
            role=r.role,
            rep_min=r.rep_min,
            rep_max=r.rep_max,
            rest_s=r.rest_s,
            target_rir=r.target_rir,
            locked=r.locked,
        )
        exercises[r.id] = stored
        by_session[r.session_id].exercises.append(stored)
    if exercises:
        set_rows = session.execute(
            select(
                ps.workout_exercise_id,
                ps.set_number,
                ps.rep_min,
                ps.rep_max,
                ps.target_rir,
                ps.rest_s,
                ps.load_kg,
            )
            .join(we, we.id == ps.workout_exercise_id)
            .join(ws, ws.id == we.session_id)
            .where(ws.plan_version_id == version_id)
            .order_by(ps.workout_exercise_id, ps.set_number)
        )
        for set_row in set_rows:
            exercises[set_row.workout_exercise_id].sets.append(
                StoredSet(
                    set_row.set_number,
                    set_row.rep_min,
                    set_row.rep_max,
                    set_row.target_rir,
                    set_row.rest_s,
                    set_row.load_kg,
                )
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
