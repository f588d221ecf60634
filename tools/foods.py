"""Food search and lookup (public reference data: no owner, any authenticated caller may read)."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import search as engine
from knowledge.embeddings import Embedder
from knowledge.sources.lookup import search_foods_with_fdc
from knowledge.sources.usda_fdc import FdcClient
from store.models.knowledge import Food, FoodNutrients, FoodPortion, Nutrient
from store.vocabulary import Allergen, Diet
from tools.errors import NotFound

Query = Annotated[str, Field(min_length=1, max_length=200)]
_log = structlog.get_logger(__name__)


def no_nul(value: str | None) -> str | None:
    """PostgreSQL text cannot hold NUL; refuse it as bad input instead of failing in the database."""
    if value is not None and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class FoodSearchInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Query
    limit: int = Field(default=10, ge=1, le=50)
    category: str | None = Field(default=None, max_length=120, description="USDA food category, exact")
    data_type: str | None = Field(default=None, max_length=32, description="e.g. sr28, fdc_api")
    diet: Diet | None = Field(
        default=None,
        description="vegan/vegetarian/pescatarian: known to suit; halal/kosher: no pork, alcohol"
        " (kosher: no shellfish), slaughter rules not checked; keto: net carbs <= 10 g per 100 g",
    )
    exclude_allergens: list[Allergen] = Field(default_factory=list, max_length=10)

    _no_nul = field_validator("q", "category", "data_type")(no_nul)


class Per100g(BaseModel):
    """Per 100 g edible portion; null = not analysed (never a silent zero)."""

    kcal: float | None
    protein_g: float | None
    fat_g: float | None
    carbs_g: float | None
    fiber_g: float | None = None
    sugars_g: float | None = None
    saturated_fat_g: float | None = None
    sodium_mg: float | None = None


class FoodSummary(BaseModel):
    id: int
    description: str
    category: str | None
    data_type: str
    food_group: str
    allergens: list[str]
    diets: list[str]
    per_100g: Per100g
    score: float


class FoodSearchResult(BaseModel):
    query: str
    items: list[FoodSummary]


class NutrientAmount(BaseModel):
    nutrient_id: int
    name: str
    unit: str
    amount: float


class Portion(BaseModel):
    amount: float
    measure: str
    gram_weight: float


class FoodDetail(BaseModel):
    id: int
    source: str
    source_id: str
    fdc_id: int | None
    description: str
    category: str | None
    data_type: str
    common_names: str | None
    food_group: str
    slot_hints: list[str]
    prep_state: str
    is_dish: bool
    allergens: list[str]
    diets: list[str]
    contains_pork: bool
    contains_alcohol: bool
    flag_reasons: dict[str, Any]
    per_100g: Per100g
    nutrients: list[NutrientAmount]
    portions: list[Portion]


def search_foods(
    session: Session,
    embedder: Embedder,
    params: FoodSearchInput,
    fdc: FdcClient | None = None,
    *,
    vocabulary: engine.Vocabulary | None = None,
) -> FoodSearchResult:
    """Hybrid search (knowledge/search.py); filters apply before ranking, so `limit` rows still come back.

    With an `fdc` client, a query the local rows do not name is asked of FoodData Central, whose answer is
    stored and then found by the same local search (knowledge/sources/lookup.py)."""
    query = engine.FoodQuery(
        text=params.q,
        limit=params.limit,
        category=params.category,
        data_type=params.data_type,
        diet=params.diet,
        exclude_allergens=tuple(params.exclude_allergens),
    )
    hits = (
        engine.search_foods(session, embedder, query, vocabulary=vocabulary)
        if fdc is None
        else _with_fdc(session, embedder, query, fdc, vocabulary)
    )
    items = [
        FoodSummary(
            id=h.row["id"],
            description=h.row["name"],
            category=h.row["category"],
            data_type=h.row["data_type"],
            food_group=h.row["food_group"],
            allergens=list(h.row["allergens"]),
            diets=list(h.row["diets"]),
            per_100g=Per100g(
                kcal=h.row["kcal"],
                protein_g=h.row["protein_g"],
                fat_g=h.row["fat_g"],
                carbs_g=h.row["carbs_g"],
                fiber_g=h.row["fiber_g"],
                sugars_g=h.row["sugars_g"],
                sodium_mg=h.row["sodium_mg"],
            ),
            score=round(h.score, 4),
        )
        for h in hits
    ]
    return FoodSearchResult(query=params.q, items=items)


def _with_fdc(
    session: Session,
    embedder: Embedder,
    query: engine.FoodQuery,
    fdc: FdcClient,
    vocabulary: engine.Vocabulary | None,
) -> list[engine.Candidate]:
    """Live lookup in a savepoint: whatever fails there (the API, a bad answer, the write) leaves the
    request's transaction as it was and the caller gets the local results, never an error."""
    try:
        with session.begin_nested():
            return search_foods_with_fdc(session, embedder, query, fdc, vocabulary=vocabulary).candidates
    except Exception as exc:  # any live failure degrades to local results
        _log.warning("fdc lookup failed, local results only", query=query.text, error=repr(exc))
    return engine.search_foods(session, embedder, query, vocabulary=vocabulary)


def get_food(session: Session, food_id: int) -> FoodDetail:
    food = session.get(Food, food_id)
    if food is None:
        raise NotFound(f"food {food_id} not found")
    facts = session.get(FoodNutrients, food_id)
    names = {n.id: n for n in session.scalars(select(Nutrient))}
    nutrients: list[NutrientAmount] = []
    if facts is not None:
        from knowledge.datasets import NUTRIENT_COLUMNS

        amounts: dict[int, float] = {int(k): float(v) for k, v in facts.other.items()}
        for nutrient_id, column in NUTRIENT_COLUMNS.items():
            value = getattr(facts, column)
            if value is not None:
                amounts[nutrient_id] = value
        for nutrient_id, amount in sorted(amounts.items()):
            info = names.get(nutrient_id)
            nutrients.append(
                NutrientAmount(
                    nutrient_id=nutrient_id,
                    name=info.name if info else str(nutrient_id),
                    unit=info.unit if info else "",
                    amount=amount,
                )
            )
    portions = session.scalars(
        select(FoodPortion).where(FoodPortion.food_id == food_id).order_by(FoodPortion.seq)
    )
    return FoodDetail(
        id=food.id,
        source=food.source.value,
        source_id=food.source_id,
        fdc_id=food.fdc_id,
        description=food.description,
        category=food.category,
        data_type=food.data_type,
        common_names=food.common_names,
        food_group=food.food_group.value,
        slot_hints=list(food.slot_hints),
        prep_state=food.prep_state.value,
        is_dish=food.is_dish,
        allergens=list(food.allergens),
        diets=list(food.diets),
        contains_pork=food.contains_pork,
        contains_alcohol=food.contains_alcohol,
        flag_reasons=dict(food.flag_reasons),
        per_100g=Per100g(
            kcal=facts.kcal if facts else None,
            protein_g=facts.protein_g if facts else None,
            fat_g=facts.fat_g if facts else None,
            carbs_g=facts.carbs_g if facts else None,
            fiber_g=facts.fiber_g if facts else None,
            sugars_g=facts.sugars_g if facts else None,
            saturated_fat_g=facts.saturated_fat_g if facts else None,
            sodium_mg=facts.sodium_mg if facts else None,
        ),
        nutrients=nutrients,
        portions=[Portion(amount=p.amount, measure=p.measure, gram_weight=p.gram_weight) for p in portions],
    )
