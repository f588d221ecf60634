"""Routes: meal plans. The owner creates, reads and edits their plans; a coach with a grant (or an admin)
reads a client's under /users/{user_id}/…. Another user's plan is a 404, like a plan that does not exist.
A day whose limits cannot all hold is part of a normal answer (`feasible: false`, the binding limit named),
never an error."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from api.deps import CurrentUser, DbSession, app_cache
from api.errors import problem_response
from tools.access import readable_subject, writable_subject
from tools.nutrition import edits, grocery, pantry, planner
from tools.nutrition.candidates import CatalogueCache
from tools.nutrition.edits import (
    DayRequest,
    LockRequest,
    MealsPerDayRequest,
    RemoveFoodRequest,
    SwapOptions,
    SwapRequest,
)
from tools.nutrition.grocery import GroceryList
from tools.nutrition.planner import MealPlanCreate, MealPlanOut, VersionOut

router = APIRouter(tags=["meal plans"])


_READ: dict[int | str, dict[str, Any]] = {
    401: problem_response("Not authenticated"),
    404: problem_response("No such plan (or version) visible to the caller"),
    422: problem_response("Invalid input: `errors` lists each field and the reason"),
}
_WRITE: dict[int | str, dict[str, Any]] = {
    **_READ,
    409: problem_response("No profile yet, or no food catalogue loaded"),
}
Version = Annotated[int | None, Query(ge=1, description="a past version (default: the current one)")]


async def get_catalogues(request: Request) -> CatalogueCache:
    """The app's food catalogue cache (reloaded when the knowledge base changes)."""
    return app_cache(request, "meal_catalogues", CatalogueCache)


Catalogues = Annotated[CatalogueCache, Depends(get_catalogues)]


def _today() -> date:
    # Plans are dated in UTC; profiles carry no time zone yet.
    return datetime.now(UTC).date()


@router.post("/plans/meal", status_code=status.HTTP_201_CREATED, responses=_WRITE)
def create_plan(
    body: MealPlanCreate, caller: CurrentUser, db: DbSession, catalogues: Catalogues
) -> MealPlanOut:
    subject = writable_subject(db, caller, None)
    return planner.generate_meal_plan(
        db, subject, body, catalogues=catalogues, created_by=caller.id, today=_today()
    )


@router.get("/plans/meal/current", responses=_READ)
def read_current_plan(caller: CurrentUser, db: DbSession) -> MealPlanOut:
    return planner.current_meal_plan(db, caller.id, _today())


@router.get("/plans/meal/{plan_id}", responses=_READ)
def read_plan(plan_id: uuid.UUID, caller: CurrentUser, db: DbSession, version: Version = None) -> MealPlanOut:
    return planner.get_meal_plan(db, caller.id, plan_id, version)


@router.get("/plans/meal/{plan_id}/versions", responses=_READ)
def read_versions(plan_id: uuid.UUID, caller: CurrentUser, db: DbSession) -> list[VersionOut]:
    return planner.list_meal_plan_versions(db, caller.id, plan_id)


@router.post("/plans/meal/{plan_id}/swap", responses=_WRITE)
def swap(
    plan_id: uuid.UUID, body: SwapRequest, caller: CurrentUser, db: DbSession, catalogues: Catalogues
) -> SwapOptions | MealPlanOut:
    """Without `replacement`: ranked alternatives (nothing changes). With it: a new version."""
    subject = writable_subject(db, caller, None)
    return edits.swap(db, subject, plan_id, body, catalogues=catalogues, created_by=caller.id, today=_today())


@router.post("/plans/meal/{plan_id}/lock", responses=_WRITE)
def lock(
    plan_id: uuid.UUID, body: LockRequest, caller: CurrentUser, db: DbSession, catalogues: Catalogues
) -> MealPlanOut:
    subject = writable_subject(db, caller, None)
    return edits.lock(db, subject, plan_id, body, catalogues=catalogues, created_by=caller.id, today=_today())


@router.post("/plans/meal/{plan_id}/regenerate-day", responses=_WRITE)
def regenerate_day(
    plan_id: uuid.UUID, body: DayRequest, caller: CurrentUser, db: DbSession, catalogues: Catalogues
) -> MealPlanOut:
    subject = writable_subject(db, caller, None)
    return edits.regenerate_day(
        db, subject, plan_id, body, catalogues=catalogues, created_by=caller.id, today=_today()
    )


@router.post("/plans/meal/{plan_id}/remove-food", responses=_WRITE)
def remove_food(
    plan_id: uuid.UUID, body: RemoveFoodRequest, caller: CurrentUser, db: DbSession, catalogues: Catalogues
) -> MealPlanOut:
    subject = writable_subject(db, caller, None)
    return edits.remove_food(
        db, subject, plan_id, body, catalogues=catalogues, created_by=caller.id, today=_today()
    )


@router.post("/plans/meal/{plan_id}/meals-per-day", responses=_WRITE)
def change_meals_per_day(
    plan_id: uuid.UUID, body: MealsPerDayRequest, caller: CurrentUser, db: DbSession, catalogues: Catalogues
) -> MealPlanOut:
    subject = writable_subject(db, caller, None)
    return edits.change_meals_per_day(
        db, subject, plan_id, body, catalogues=catalogues, created_by=caller.id, today=_today()
    )


@router.get("/plans/meal/{plan_id}/grocery-list", responses=_READ)
def read_grocery_list(
    plan_id: uuid.UUID,
    caller: CurrentUser,
    db: DbSession,
    from_date: Annotated[date | None, Query(alias="from")] = None,
    to_date: Annotated[date | None, Query(alias="to")] = None,
    have: Annotated[list[int] | None, Query(description="food ids already at home", max_length=200)] = None,
    version: Version = None,
) -> GroceryList:
    return grocery.grocery_list(
        db, caller.id, plan_id, from_date=from_date, to_date=to_date, have=have or [], version=version
    )


@router.get("/pantry", responses=_READ)
def read_pantry(caller: CurrentUser, db: DbSession) -> list[pantry.PantryEntry]:
    """Foods ticked as already at home: every grocery list files them under `have_already`."""
    return pantry.list_pantry(db, caller.id)


@router.put("/pantry/{food_id}", responses=_WRITE)
def tick_pantry_food(food_id: int, caller: CurrentUser, db: DbSession) -> pantry.PantryEntry:
    return pantry.tick(db, writable_subject(db, caller, None), food_id)


@router.delete("/pantry/{food_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_WRITE)
def untick_pantry_food(food_id: int, caller: CurrentUser, db: DbSession) -> None:
    pantry.untick(db, writable_subject(db, caller, None), food_id)


@router.get("/users/{user_id}/plans/meal/current", responses=_READ)
def read_user_current_plan(user_id: uuid.UUID, caller: CurrentUser, db: DbSession) -> MealPlanOut:
    subject = readable_subject(db, caller, user_id)
    return planner.current_meal_plan(db, subject, _today())


@router.get("/users/{user_id}/plans/meal/{plan_id}", responses=_READ)
def read_user_plan(
    user_id: uuid.UUID, plan_id: uuid.UUID, caller: CurrentUser, db: DbSession, version: Version = None
) -> MealPlanOut:
    subject = readable_subject(db, caller, user_id)
    return planner.get_meal_plan(db, subject, plan_id, version)
