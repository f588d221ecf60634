"""Recipe search and lookup (public reference data)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge import search as engine
from knowledge.embeddings import Embedder
from store.models.knowledge import Food, Recipe, RecipeIngredient, RecipeNutrition
from store.vocabulary import Allergen, Diet
from tools.errors import NotFound
from tools.foods import Query, no_nul


class RecipeSearchInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Query
    limit: int = Field(default=10, ge=1, le=50)
    diet: Diet | None = None
    exclude_allergens: list[Allergen] = Field(default_factory=list, max_length=10)
    max_minutes: int | None = Field(default=None, ge=1, le=24 * 60, description="prep + cook time")
    planner_ready: bool | None = Field(
        default=None, description="only recipes whose every ingredient was matched and weighed"
    )

    _no_nul = field_validator("q")(no_nul)


class PerServing(BaseModel):
    """Summed from the matched, weighed ingredients; `coverage` < 1 means the figures are lower bounds."""

    kcal: float
    protein_g: float
    fat_g: float
    carbs_g: float
    fiber_g: float | None = None
    sugars_g: float | None = None
    saturated_fat_g: float | None = None
    sodium_mg: float | None = None
    grams: float | None = None
    coverage: float | None = None


class RecipeSummary(BaseModel):
    id: int
    title: str
    total_minutes: int | None
    servings: int | None
    allergens: list[str]
    diets: list[str]
    planner_ready: bool
    per_serving: PerServing | None
    score: float


class RecipeSearchResult(BaseModel):
    query: str
    items: list[RecipeSummary]


class Ingredient(BaseModel):
    text: str
    name: str
    quantity: float | None
    unit: str | None
    grams: float | None
    grams_method: str
    food_id: int | None
    food_description: str | None
    match_confidence: float | None
    optional: bool


class RecipeDetail(BaseModel):
    id: int
    source: str
    source_id: str
    title: str
    description: str | None
    servings: int | None
    servings_text: str | None
    prep_minutes: int | None
    cook_minutes: int | None
    total_minutes: int | None
    tags: list[str]
    cuisines: list[str]
    slot_hints: list[str]
    allergens: list[str]
    diets: list[str]
    contains_pork: bool
    contains_alcohol: bool
    flag_reasons: dict[str, Any]
    planner_ready: bool
    import_issues: list[str]
    ingredients: list[Ingredient]
    instructions: list[str]
    notes: list[str] | None
    per_serving: PerServing | None
    author: str | None
    source_url: str | None
    license: str


def search_recipes(
    session: Session,
    embedder: Embedder,
    params: RecipeSearchInput,
    *,
    vocabulary: engine.Vocabulary | None = None,
) -> RecipeSearchResult:
    hits = engine.search_recipes(
        session,
        embedder,
        engine.RecipeQuery(
            text=params.q,
            limit=params.limit,
            diet=params.diet,
            exclude_allergens=tuple(params.exclude_allergens),
            max_minutes=params.max_minutes,
            planner_ready=params.planner_ready,
        ),
        vocabulary=vocabulary,
    )
    items = []
    for h in hits:
        row = h.row
        per_serving = (
            PerServing(
                kcal=row["kcal"], protein_g=row["protein_g"], fat_g=row["fat_g"], carbs_g=row["carbs_g"]
            )
            if row["kcal"] is not None
            else None
        )
        items.append(
            RecipeSummary(
                id=row["id"],
                title=row["name"],
                total_minutes=row["total_minutes"],
                servings=row["servings"],
                allergens=list(row["allergens"]),
                diets=list(row["diets"]),
                planner_ready=row["planner_ready"],
                per_serving=per_serving,
                score=round(h.score, 4),
            )
        )
    return RecipeSearchResult(query=params.q, items=items)


def get_recipe(session: Session, recipe_id: int) -> RecipeDetail:
    recipe = session.get(Recipe, recipe_id)
    if recipe is None:
        raise NotFound(f"recipe {recipe_id} not found")
    rows = session.execute(
        select(RecipeIngredient, Food.description)
        .outerjoin(Food, Food.id == RecipeIngredient.food_id)
        .where(RecipeIngredient.recipe_id == recipe_id)
        .order_by(RecipeIngredient.position)
    ).all()
    nutrition = session.get(RecipeNutrition, recipe_id)
    return RecipeDetail(
        id=recipe.id,
        source=recipe.source,
        source_id=recipe.source_id,
        title=recipe.title,
        description=recipe.description,
        servings=recipe.servings,
        servings_text=recipe.servings_text,
        prep_minutes=recipe.prep_minutes,
        cook_minutes=recipe.cook_minutes,
        total_minutes=recipe.total_minutes,
        tags=list(recipe.tags),
        cuisines=list(recipe.cuisines),
        slot_hints=list(recipe.slot_hints),
        allergens=list(recipe.allergens),
        diets=list(recipe.diets),
        contains_pork=recipe.contains_pork,
        contains_alcohol=recipe.contains_alcohol,
        flag_reasons=dict(recipe.flag_reasons),
        planner_ready=recipe.planner_ready,
        import_issues=list(recipe.import_issues),
        ingredients=[
            Ingredient(
                text=ing.raw_text,
                name=ing.name,
                quantity=ing.quantity,
                unit=ing.unit,
                grams=ing.grams,
                grams_method=ing.grams_method,
                food_id=ing.food_id,
                food_description=description,
                match_confidence=ing.match_confidence,
                optional=ing.is_optional,
            )
            for ing, description in rows
        ],
        instructions=list(recipe.instructions),
        notes=list(recipe.notes) if recipe.notes else None,
        per_serving=PerServing(
            kcal=nutrition.kcal,
            protein_g=nutrition.protein_g,
            fat_g=nutrition.fat_g,
            carbs_g=nutrition.carbs_g,
            fiber_g=nutrition.fiber_g,
            sugars_g=nutrition.sugars_g,
            saturated_fat_g=nutrition.saturated_fat_g,
            sodium_mg=nutrition.sodium_mg,
            grams=nutrition.grams_per_serving,
            coverage=nutrition.coverage,
        )
        if nutrition
        else None,
        author=recipe.author,
        source_url=recipe.source_url,
        license=recipe.license,
    )
