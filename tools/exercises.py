"""Exercise search and lookup (public reference data)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from knowledge import search as engine
from knowledge.embeddings import Embedder
from store.models.knowledge import Exercise
from store.vocabulary import Equipment, Experience
from tools.errors import NotFound
from tools.foods import Query, no_nul


class Muscle(StrEnum):
    """free-exercise-db's closed muscle vocabulary."""

    ABDOMINALS = "abdominals"
    ABDUCTORS = "abductors"
    ADDUCTORS = "adductors"
    BICEPS = "biceps"
    CALVES = "calves"
    CHEST = "chest"
    FOREARMS = "forearms"
    GLUTES = "glutes"
    HAMSTRINGS = "hamstrings"
    LATS = "lats"
    LOWER_BACK = "lower back"
    MIDDLE_BACK = "middle back"
    NECK = "neck"
    QUADRICEPS = "quadriceps"
    SHOULDERS = "shoulders"
    TRAPS = "traps"
    TRICEPS = "triceps"


class ExerciseCategory(StrEnum):
    STRENGTH = "strength"
    STRETCHING = "stretching"
    PLYOMETRICS = "plyometrics"
    POWERLIFTING = "powerlifting"
    OLYMPIC_WEIGHTLIFTING = "olympic weightlifting"
    STRONGMAN = "strongman"
    CARDIO = "cardio"


class ExerciseSearchInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Query
    limit: int = Field(default=10, ge=1, le=50)
    muscle: Muscle | None = Field(default=None, description="primary muscle")
    equipment: Equipment | None = None
    level: Experience | None = None
    category: ExerciseCategory | None = None

    _no_nul = field_validator("q")(no_nul)


class ExerciseSummary(BaseModel):
    id: int
    name: str
    category: str
    level: str
    equipment: str | None
    primary_muscles: list[str]
    score: float


class ExerciseSearchResult(BaseModel):
    query: str
    items: list[ExerciseSummary]


class ExerciseDetail(BaseModel):
    id: int
    source: str
    source_id: str
    name: str
    category: str
    force: str | None
    mechanic: str | None
    level: str
    equipment: str | None
    equipment_needed: list[str]
    primary_muscles: list[str]
    secondary_muscles: list[str]
    instructions: list[str]


def search_exercises(
    session: Session,
    embedder: Embedder,
    params: ExerciseSearchInput,
    *,
    vocabulary: engine.Vocabulary | None = None,
) -> ExerciseSearchResult:
    hits = engine.search_exercises(
        session,
        embedder,
        engine.ExerciseQuery(
            text=params.q,
            limit=params.limit,
            muscle=params.muscle.value if params.muscle else None,
            equipment=params.equipment,
            level=params.level,
            category=params.category.value if params.category else None,
        ),
        vocabulary=vocabulary,
    )
    return ExerciseSearchResult(
        query=params.q,
        items=[
            ExerciseSummary(
                id=h.row["id"],
                name=h.row["name"],
                category=h.row["category"],
                level=h.row["level"],
                equipment=h.row["equipment"],
                primary_muscles=list(h.row["primary_muscles"]),
                score=round(h.score, 4),
            )
            for h in hits
        ],
    )


def get_exercise(session: Session, exercise_id: int) -> ExerciseDetail:
    exercise = session.get(Exercise, exercise_id)
    if exercise is None:
        raise NotFound(f"exercise {exercise_id} not found")
    return ExerciseDetail(
        id=exercise.id,
        source=exercise.source,
        source_id=exercise.source_id,
        name=exercise.name,
        category=exercise.category,
        force=exercise.force,
        mechanic=exercise.mechanic,
        level=exercise.level.value,
        equipment=exercise.equipment.value if exercise.equipment else None,
        equipment_needed=list(exercise.equipment_needed),
        primary_muscles=list(exercise.primary_muscles),
        secondary_muscles=list(exercise.secondary_muscles),
        instructions=list(exercise.instructions),
    )
