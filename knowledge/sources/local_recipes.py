"""The local open recipe collection behind the provider interface (no network, nothing to cache).

Filters go to the hybrid search, which applies them to our own flags (knowledge/flags.py). Nutrition per
serving is our computed `recipe_nutrition`, given only for planner-ready recipes: every ingredient matched
and weighed, so the figures are complete rather than lower bounds."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from knowledge.embeddings import Embedder
from knowledge.search import RecipeQuery, search_recipes
from knowledge.sources.recipe_providers import NutritionPerServing, ProviderQuery, ProviderRecipe

LOCAL = "local"


class LocalRecipeProvider:
    name = LOCAL
    cacheable = False

    def __init__(self, session: Session, embedder: Embedder) -> None:
        self._session = session
        self._embedder = embedder

    def search(self, query: ProviderQuery) -> list[ProviderRecipe]:
        candidates = search_recipes(
            self._session,
            self._embedder,
            RecipeQuery(
                text=query.text,
                limit=query.limit,
                diet=query.diet,
                exclude_allergens=tuple(sorted(query.exclude_allergens)),
                max_minutes=query.max_minutes,
            ),
        )
        return [_recipe(c.row) for c in candidates]


def _recipe(row: dict[str, Any]) -> ProviderRecipe:
    nutrition = None
    if row.get("planner_ready") and row.get("kcal") is not None:
        nutrition = NutritionPerServing(
            kcal=row["kcal"], protein_g=row["protein_g"], fat_g=row["fat_g"], carbs_g=row["carbs_g"]
        )
    return ProviderRecipe(
        provider=LOCAL,
        provider_id=str(row["id"]),
        title=row["name"],
        servings=row.get("servings"),
        ready_in_minutes=row.get("total_minutes"),
        nutrition_per_serving=nutrition,
        diets=list(row.get("diets") or []),
        cuisines=list(row.get("cuisines") or []),
    )
