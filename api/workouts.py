"""Routes: workout plans. The owner creates, reads and edits their plans; a coach with a grant (or an admin)
reads a client's under /users/{user_id}/…. Another user's plan is a 404, like a plan that does not exist."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from api.deps import CurrentUser, DbSession, app_cache
from api.errors import problem_response
from tools.access import readable_subject, writable_subject
from tools.training.edits import (
    MoveRequest,
    RegenerateRequest,
    SwapRequest,
    SwapResult,
    move_session,
    regenerate_plan,
    swap_exercise,
)
from tools.training.plans import (
    CreateWorkoutPlan,
    ExerciseAdvice,
    ExerciseCatalogCache,
    current_workout_plan,
    generate_workout_plan,
    get_workout_plan,
    plan_progression,
)
from tools.training.schemas import WorkoutPlanOut

router = APIRouter(tags=["workouts"])


_READ: dict[int | str, dict[str, Any]] = {
    401: problem_response("Not authenticated"),
    404: problem_response("No such plan (or version) visible to the caller"),
    422: problem_response("Invalid input: `errors` lists each field and the reason"),
}
_WRITE: dict[int | str, dict[str, Any]] = {
    **_READ,
    409: problem_response(
        "No profile yet, no exercise catalog, or the replacement is already in the session"
    ),
}
Version = Annotated[int | None, Query(ge=1, description="a past version (default: the current one)")]


async def get_exercise_catalogs(request: Request) -> ExerciseCatalogCache:
    """The app's exercise catalog cache (rebuilt when the exercises table changes)."""
    return app_cache(request, "exercise_catalogs", ExerciseCatalogCache)


Catalogs = Annotated[ExerciseCatalogCache, Depends(get_exercise_catalogs)]


def _today() -> date:
    # Plans are dated in UTC; profiles carry no time zone yet.
    return datetime.now(UTC).date()


@router.post("/plans/workout", status_code=status.HTTP_201_CREATED, responses=_WRITE)
def create_plan(
    body: CreateWorkoutPlan, caller: CurrentUser, db: DbSession, catalogs: Catalogs
) -> WorkoutPlanOut:
    subject = writable_subject(db, caller, None)
    return generate_workout_plan(db, subject, body, catalogs=catalogs, created_by=caller.id, today=_today())


@router.get("/plans/workout/current", responses=_READ)
def read_current_plan(caller: CurrentUser, db: DbSession) -> WorkoutPlanOut:
    return current_workout_plan(db, caller.id, _today())


@router.get("/plans/workout/{plan_id}", responses=_READ)
def read_plan(
    plan_id: uuid.UUID, caller: CurrentUser, db: DbSession, version: Version = None
) -> WorkoutPlanOut:
    return get_workout_plan(db, caller.id, plan_id, version)


@router.get("/plans/workout/{plan_id}/progression", responses=_READ)
def read_progression(
    plan_id: uuid.UUID, caller: CurrentUser, db: DbSession, catalogs: Catalogs
) -> list[ExerciseAdvice]:
    """Next load and rep target for each exercise of the upcoming sessions, from the set log."""
    return plan_progression(db, caller.id, plan_id, _today(), catalogs=catalogs)


@router.post("/plans/workout/{plan_id}/swap", responses=_WRITE)
def swap(
    plan_id: uuid.UUID, body: SwapRequest, caller: CurrentUser, db: DbSession, catalogs: Catalogs
) -> SwapResult:
    """Without `replacement`: ranked alternatives. With it: a new version with the exercise replaced."""
    subject = writable_subject(db, caller, None)
    return swap_exercise(db, subject, plan_id, body, catalogs=catalogs, created_by=caller.id, today=_today())


@router.post("/plans/workout/{plan_id}/move", responses=_WRITE)
def move(
    plan_id: uuid.UUID, body: MoveRequest, caller: CurrentUser, db: DbSession, catalogs: Catalogs
) -> WorkoutPlanOut:
    subject = writable_subject(db, caller, None)
    return move_session(db, subject, plan_id, body, catalogs=catalogs, created_by=caller.id, today=_today())


@router.post("/plans/workout/{plan_id}/regenerate", responses=_WRITE)
def regenerate(
    plan_id: uuid.UUID, body: RegenerateRequest, caller: CurrentUser, db: DbSession, catalogs: Catalogs
) -> WorkoutPlanOut:
    subject = writable_subject(db, caller, None)
    return regenerate_plan(
        db, subject, plan_id, body, catalogs=catalogs, created_by=caller.id, today=_today()
    )


@router.get("/users/{user_id}/plans/workout/current", responses=_READ)
def read_user_current_plan(user_id: uuid.UUID, caller: CurrentUser, db: DbSession) -> WorkoutPlanOut:
    subject = readable_subject(db, caller, user_id)
    return current_workout_plan(db, subject, _today())


@router.get("/users/{user_id}/plans/workout/{plan_id}", responses=_READ)
def read_user_plan(
    user_id: uuid.UUID, plan_id: uuid.UUID, caller: CurrentUser, db: DbSession, version: Version = None
) -> WorkoutPlanOut:
    subject = readable_subject(db, caller, user_id)
    return get_workout_plan(db, subject, plan_id, version)
