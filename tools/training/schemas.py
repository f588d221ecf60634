"""Vocabulary and typed inputs/outputs of the training engine, shared by the programmer, the edits, the REST
routes and (later) the agent's tools."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from store.models.workouts import SessionKind
from store.vocabulary import Equipment, Experience, Goal


class MuscleGroup(StrEnum):
    """The groups weekly volume is counted for. free-exercise-db's lats and middle back are one group (back);
    traps, lower back, forearms, neck, adductors and abductors are trained but not counted."""

    CHEST = "chest"
    BACK = "back"
    SHOULDERS = "shoulders"
    QUADS = "quads"
    HAMSTRINGS = "hamstrings"
    GLUTES = "glutes"
    BICEPS = "biceps"
    TRICEPS = "triceps"
    CALVES = "calves"
    ABS = "abs"


class Pattern(StrEnum):
    """The movement slot an exercise fills in a session template."""

    SQUAT = "squat"  # knee-dominant compound: squats, lunges, split squats, leg press, step-ups
    HINGE = "hinge"  # hip-dominant compound: deadlifts, Romanian deadlifts, good mornings, swings
    HPUSH = "horizontal_push"  # bench press, push-ups, chest press
    VPUSH = "vertical_push"  # overhead press
    HPULL = "horizontal_pull"  # rows
    VPULL = "vertical_pull"  # pull-ups, pulldowns
    GLUTE = "glute"  # hip thrusts, bridges, kickbacks
    QUAD_ISO = "quad_isolation"  # leg extension
    HAM_ISO = "hamstring_isolation"  # leg curls
    CHEST_ISO = "chest_isolation"  # flyes
    DELT_SIDE = "side_delts"  # lateral and front raises
    DELT_REAR = "rear_delts"  # reverse flyes, face pulls
    BICEPS = "biceps"
    TRICEPS = "triceps"
    CALVES = "calves"
    CORE = "core"
    OTHER = "other"  # traps, forearms, neck, adductors/abductors: never programmed by template


PUSH_PATTERNS = frozenset(
    {Pattern.HPUSH, Pattern.VPUSH, Pattern.CHEST_ISO, Pattern.DELT_SIDE, Pattern.TRICEPS}
)
PULL_PATTERNS = frozenset({Pattern.HPULL, Pattern.VPULL, Pattern.DELT_REAR, Pattern.BICEPS})
KNEE_PATTERNS = frozenset({Pattern.SQUAT, Pattern.QUAD_ISO})
HIP_PATTERNS = frozenset({Pattern.HINGE, Pattern.GLUTE, Pattern.HAM_ISO})


class SlotRole(StrEnum):
    """Importance in a session: main lifts first, accessories are what a short session drops first."""

    MAIN = "main"
    SECONDARY = "secondary"
    ACCESSORY = "accessory"


class TrainingGoal(StrEnum):
    STRENGTH = "strength"
    HYPERTROPHY = "hypertrophy"
    ENDURANCE = "endurance"
    GENERAL_HEALTH = "general_health"


class Split(StrEnum):
    FULL_BODY = "full_body"
    UPPER_LOWER = "upper_lower"
    UPPER_LOWER_FULL = "upper_lower_full"
    UPPER_LOWER_PUSH_PULL_LEGS = "upper_lower_push_pull_legs"
    PUSH_PULL_LEGS = "push_pull_legs"


# --- Programmer input/output (pure: no database) -------------------------------------------------------


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProgramRequest(_Frozen):
    """What the programmer needs to know about the person (usually read from the profile)."""

    training_days: Annotated[int, Field(ge=1, le=7)]
    session_minutes: Annotated[int, Field(ge=1, le=300)]
    experience: Experience
    goal: Goal
    training_goal: TrainingGoal | None = None
    equipment: frozenset[Equipment] = frozenset()
    liked_exercises: tuple[str, ...] = ()
    disliked_exercises: tuple[str, ...] = ()
    injuries: tuple[str, ...] = ()
    focus_muscles: tuple[MuscleGroup, ...] = ()
    age_years: int | None = None
    seed: int = 0


class PlannedExercise(_Frozen):
    exercise_id: int
    slug: str
    name: str
    pattern: Pattern
    role: SlotRole
    slot_key: str
    sets: int
    rep_min: int
    rep_max: int
    rest_s: int
    target_rir: int
    locked: bool = False


class PlannedSession(_Frozen):
    day_offset: int  # 0-6 within the week
    kind: SessionKind
    template: str
    name: str
    exercises: tuple[PlannedExercise, ...] = ()
    estimated_minutes: float = 0.0
    cardio_minutes: int | None = None
    cardio_intensity: str | None = None
    notes: tuple[str, ...] = ()


class GroupVolume(_Frozen):
    sets: float
    low: int
    high: int
    target: float
    in_range: bool


class CardioGuidance(_Frozen):
    reason: str
    minutes_per_week: int
    minutes_range: tuple[int, int]
    intensity: str
    heart_rate_bpm: tuple[int, int] | None
    steps_per_day: tuple[int, int]
    sessions: int
    minutes_per_session: int
    modalities: tuple[str, ...]
    note: str | None = None


class WeekProgram(_Frozen):
    split: Split
    training_goal: TrainingGoal
    sessions: tuple[PlannedSession, ...]
    weekly_sets: dict[MuscleGroup, GroupVolume]
    cardio: CardioGuidance | None
    notes: tuple[str, ...]
    excluded_movements: tuple[str, ...] = ()


# --- Stored plan as returned by the tools and the API ------------------------------------------------------


class PrescribedSetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    set_number: int
    rep_min: int
    rep_max: int
    target_rir: int
    rpe: float
    rest_s: int
    load_kg: float | None


class SessionExerciseOut(BaseModel):
    id: int
    exercise_id: int
    slug: str
    name: str
    pattern: Pattern
    role: SlotRole
    locked: bool
    rep_min: int
    rep_max: int
    rest_s: int
    target_rir: int
    sets: list[PrescribedSetOut]


class SessionOut(BaseModel):
    id: int
    week: int
    scheduled_on: date
    kind: SessionKind
    name: str
    estimated_minutes: float
    cardio_minutes: int | None
    cardio_intensity: str | None
    notes: list[str]
    exercises: list[SessionExerciseOut]


class VersionOut(BaseModel):
    version: int
    reason: str
    created_at: datetime
    created_by: uuid.UUID | None


class WorkoutPlanOut(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    start_date: date
    end_date: date
    version: int
    current_version: int
    reason: str
    split: Split
    training_goal: TrainingGoal
    weekly_sets: dict[MuscleGroup, GroupVolume]
    cardio: CardioGuidance | None
    notes: list[str]
    sessions: list[SessionOut]
    versions: list[VersionOut]


class Alternative(BaseModel):
    exercise_id: int
    slug: str
    name: str
    equipment: list[Equipment]
    primary_muscles: list[str]
    score: float
    why: str
