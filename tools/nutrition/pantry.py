"""The person's pantry: foods ticked as "have it already" on a grocery list, kept until unticked, so that
every later grocery list (any plan, any device) files them under `have_already`."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from store.models import Food, PantryItem
from tools.errors import NotFound


class PantryEntry(BaseModel):
    food_id: int
    description: str
    ticked_at: datetime


def pantry_food_ids(session: Session, user_id: uuid.UUID) -> set[int]:
    return set(session.scalars(select(PantryItem.food_id).where(PantryItem.user_id == user_id)))


def list_pantry(session: Session, user_id: uuid.UUID) -> list[PantryEntry]:
    rows = session.execute(
        select(PantryItem.food_id, Food.description, PantryItem.ticked_at)
        .join(Food, Food.id == PantryItem.food_id)
        .where(PantryItem.user_id == user_id)
        .order_by(Food.description)
    )
    return [PantryEntry(food_id=f, description=d, ticked_at=t) for f, d, t in rows]


def tick(session: Session, user_id: uuid.UUID, food_id: int) -> PantryEntry:
    """Idempotent: ticking a ticked food keeps its first tick."""
    description = session.scalar(select(Food.description).where(Food.id == food_id))
    if description is None:
        raise NotFound("no such food")
    session.execute(insert(PantryItem).values(user_id=user_id, food_id=food_id).on_conflict_do_nothing())
    ticked_at = session.scalar(
        select(PantryItem.ticked_at).where(PantryItem.user_id == user_id, PantryItem.food_id == food_id)
    )
    assert ticked_at is not None
    return PantryEntry(food_id=food_id, description=description, ticked_at=ticked_at)


def untick(session: Session, user_id: uuid.UUID, food_id: int) -> None:
    """Idempotent: unticking a food not in the pantry is not an error."""
    session.execute(delete(PantryItem).where(PantryItem.user_id == user_id, PantryItem.food_id == food_id))
