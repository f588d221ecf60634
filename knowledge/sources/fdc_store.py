"""FoodData Central foods into the local food tables, so a food looked up once is local afterwards.

- An SR Legacy food whose NDB number is already a bundled SR28 row is that row: we record its `fdc_id`
  and leave its curated SR28 values alone (no duplicate, no silent change of numbers plans were built on).
- Any other food goes through the loader's own entry point (`knowledge.ingest.upsert_foods`) as
  (source = fdc_api, source_id = FDC id) with `fetched_at`: same derived fields (group, slots, flags, search
  text, embedding) as bundled rows, nutrients per 100 g, portions replaced whole. Callers pass detailed
  foods (`FdcClient.food`/`foods`), since search results carry no portions.
- Flags lean towards flagging (knowledge/flags.py). SR Legacy and Foundation foods use SR28's categories,
  so the loader's category rules apply as they are. Other data types have categories those rules do not
  know, so their flags are tightened here: a branded food adds the flags of its label ingredients, and a
  food whose content we cannot see (FNDDS mixed dishes, a branded food without ingredients) gets the rules
  of a composite dish: "may contain" the usual allergens, no diet known. Tightening only adds hazards and
  removes diets (`Flags.merge`), never the reverse.

Nothing here commits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.datasets import ALCOHOL_NUTRIENT_ID, FoodRecord
from knowledge.embeddings import Embedder
from knowledge.flags import Flags, food_flags, text_flags
from knowledge.ingest import add_vocabulary_words, derive_food, upsert_foods
from knowledge.sources.usda_fdc import FdcFood
from store.models import Food
from store.models.knowledge import FoodSource

_log = structlog.get_logger(__name__)

# FDC's data type names → ours (Food.data_type).
DATA_TYPES = {
    "SR Legacy": "sr_legacy",
    "Foundation": "foundation",
    "Survey (FNDDS)": "survey_fndds",
    "Branded": "branded",
}
# Data types whose categories are SR28's food groups, so the loader's category flag rules apply to them.
SR_CATEGORY_TYPES = frozenset({"SR Legacy", "Foundation"})
# The category whose composite rules stand in for "content unknown" (may contain milk, egg, wheat, gluten,
# soy; no diet known unless the description says meatless/vegetarian).
UNKNOWN_CONTENT_CATEGORY = "Meals, Entrees, and Side Dishes"

Action = Literal["inserted", "updated", "matched_local"]


@dataclass(frozen=True)
class Upserted:
    food_id: int
    fdc_id: int
    action: Action


def to_record(food: FdcFood) -> FoodRecord:
    return FoodRecord(
        source=FoodSource.FDC_API.value,
        source_id=str(food.fdc_id),
        description=food.description,
        category=food.category[:120] if food.category else None,
        data_type=DATA_TYPES.get(food.data_type, "fdc_other"),
        nutrients=dict(food.nutrients),
        portions=[(seq, p.amount, p.measure, p.gram_weight) for seq, p in enumerate(food.portions, start=1)],
        fdc_id=food.fdc_id,
        brand=food.brand_owner[:200] if food.brand_owner else None,
    )


def extra_flags(food: FdcFood) -> Flags | None:
    """What to add to the loader's flags for a food whose category the rules do not know; None for SR
    Legacy and Foundation foods."""
    if food.data_type in SR_CATEGORY_TYPES:
        return None
    alcohol_g = food.nutrients.get(ALCOHOL_NUTRIENT_ID)
    if food.data_type == "Branded" and food.ingredients:
        return text_flags(food.ingredients)
    return food_flags(food.description, UNKNOWN_CONTENT_CATEGORY, alcohol_g=alcohol_g)


def flags_for(food: FdcFood) -> Flags:
    """The flags an FDC food ends up with: the loader's, tightened by `extra_flags`."""
    flags = derive_food(to_record(food))[0]
    if (extra := extra_flags(food)) is not None:
        flags.merge(extra)
    return flags


def upsert_fdc_foods(
    session: Session, foods: Sequence[FdcFood], *, embedder: Embedder, now: datetime
) -> list[Upserted]:
    """Write `foods` (detailed answers); one result per distinct FDC id, in the order given."""
    unique = list({food.fdc_id: food for food in foods}.values())
    results: dict[int, Upserted] = {}
    to_write: list[FdcFood] = []
    for food in unique:
        local = _local_sr_row(session, food)
        if local is not None:
            results[food.fdc_id] = _match_local(session, local, food)
        else:
            to_write.append(food)
    existing = set(
        session.scalars(
            select(Food.source_id).where(
                Food.source == FoodSource.FDC_API, Food.source_id.in_([str(f.fdc_id) for f in to_write])
            )
        )
    )
    ids = upsert_foods(session, embedder, [to_record(food) for food in to_write], fetched_at=now)
    for food in to_write:
        food_id = ids[(FoodSource.FDC_API.value, str(food.fdc_id))]
        if food.data_type not in SR_CATEGORY_TYPES:
            _tighten_flags(session, food_id, food)
        action: Action = "updated" if str(food.fdc_id) in existing else "inserted"
        results[food.fdc_id] = Upserted(food_id, food.fdc_id, action)
    session.flush()
    return [results[food.fdc_id] for food in unique]


def _tighten_flags(session: Session, food_id: int, food: FdcFood) -> None:
    row = session.get(Food, food_id, populate_existing=True)
    assert row is not None
    flags = flags_for(food)
    row.allergens = flags.sorted_allergens()
    row.diets = flags.sorted_diets()
    row.contains_pork = flags.contains_pork
    row.contains_alcohol = flags.contains_alcohol
    row.flag_reasons = flags.reasons


def _local_sr_row(session: Session, food: FdcFood) -> Food | None:
    if food.data_type != "SR Legacy" or food.ndb_number is None:
        return None
    return session.scalars(
        select(Food).where(Food.source == FoodSource.SR28, Food.source_id == str(food.ndb_number))
    ).one_or_none()


def _match_local(session: Session, local: Food, food: FdcFood) -> Upserted:
    if local.fdc_id != food.fdc_id:
        # An API copy made before the local row knew its FDC id would now be a duplicate: the local row wins.
        duplicate = session.scalars(
            select(Food).where(Food.fdc_id == food.fdc_id, Food.id != local.id)
        ).one_or_none()
        if duplicate is not None:
            _log.info("fdc duplicate of a local row removed", fdc_id=food.fdc_id, local_id=local.id)
            session.delete(duplicate)
            session.flush()
        local.fdc_id = food.fdc_id
        session.flush()
    return Upserted(local.id, food.fdc_id, "matched_local")


def add_food_words(session: Session, food_ids: Sequence[int]) -> None:
    """Add the words of these foods (just fetched from FDC) to the foods' spelling vocabulary, so that a
    misspelling of them is corrected at once rather than after the next sync's `refresh_vocabulary`.
    Counts may run high (a re-fetched food counts again) until then: they only break ties between
    equally close words."""
    if food_ids:
        add_vocabulary_words(session, "foods", food_ids)
