"""Routes: food, recipe and exercise search and lookup. Thin: validate, call the tool, return."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api.deps import CurrentUser, DbSession, SettingsDep, app_cache
from knowledge.embeddings import Embedder
from knowledge.runtime import embedder_for
from knowledge.sources.live import LiveSources
from store.vocabulary import Allergen, Diet, Equipment, Experience
from tools import exercises, foods, recipes
from tools.cache import SearchVocabularyCache

router = APIRouter(tags=["knowledge"])
M = TypeVar("M", bound=BaseModel)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such row"}}
ALLERGENS_HELP = (
    "Allergens to exclude, repeated or comma-separated: "
    + ", ".join(a.value for a in Allergen)
    + ". Rows are flagged when they contain or may contain one."
)


def get_embedder(settings: SettingsDep) -> Embedder:
    return embedder_for(settings)


EmbedderDep = Annotated[Embedder, Depends(get_embedder)]


async def get_vocabularies(request: Request) -> SearchVocabularyCache:
    return app_cache(request, "search_vocabulary", SearchVocabularyCache)


VocabularyDep = Annotated[SearchVocabularyCache, Depends(get_vocabularies)]


async def get_live_sources(request: Request) -> LiveSources:
    """The app's one LiveSources (api/app.py lifespan): its rate limits span requests."""
    live: LiveSources = request.app.state.live
    return live


LiveSourcesDep = Annotated[LiveSources, Depends(get_live_sources)]


def _validated(model: type[M], data: dict[str, Any]) -> M:
    """Build the tool's input; a rule it breaks is a 422 naming the query parameter, like FastAPI's own."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False, include_context=False)
        ]
        raise RequestValidationError(errors) from exc


def _split_csv(values: list[str]) -> list[str]:
    """Accept both ?exclude_allergens=milk&exclude_allergens=egg and ?exclude_allergens=milk,egg."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@router.get("/foods/search")
def search_foods(
    user: CurrentUser,
    db: DbSession,
    embedder: EmbedderDep,
    vocabulary: VocabularyDep,
    live: LiveSourcesDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    category: Annotated[str | None, Query(max_length=120)] = None,
    data_type: Annotated[str | None, Query(max_length=32)] = None,
    diet: Annotated[Diet | None, Query()] = None,
    exclude_allergens: Annotated[list[str] | None, Query(description=ALLERGENS_HELP)] = None,
) -> foods.FoodSearchResult:
    """Per-100 g macros with each item. Allergen flags mean "contains or may contain"."""
    params = _validated(
        foods.FoodSearchInput,
        {
            "q": q,
            "limit": limit,
            "category": category,
            "data_type": data_type,
            "diet": diet,
            "exclude_allergens": _split_csv(exclude_allergens or []),
        },
    )
    return foods.search_foods(db, embedder, params, live.fdc, vocabulary=vocabulary.get(db))


@router.get("/foods/{food_id}", responses=NOT_FOUND)
def read_food(user: CurrentUser, db: DbSession, food_id: int) -> foods.FoodDetail:
    return foods.get_food(db, food_id)


@router.get("/recipes/search")
def search_recipes(
    user: CurrentUser,
    db: DbSession,
    embedder: EmbedderDep,
    vocabulary: VocabularyDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    diet: Annotated[Diet | None, Query()] = None,
    exclude_allergens: Annotated[list[str] | None, Query(description=ALLERGENS_HELP)] = None,
    max_minutes: Annotated[int | None, Query(ge=1, le=24 * 60)] = None,
    planner_ready: Annotated[bool | None, Query()] = None,
) -> recipes.RecipeSearchResult:
    params = _validated(
        recipes.RecipeSearchInput,
        {
            "q": q,
            "limit": limit,
            "diet": diet,
            "exclude_allergens": _split_csv(exclude_allergens or []),
            "max_minutes": max_minutes,
            "planner_ready": planner_ready,
        },
    )
    return recipes.search_recipes(db, embedder, params, vocabulary=vocabulary.get(db))


@router.get("/recipes/{recipe_id}", responses=NOT_FOUND)
def read_recipe(user: CurrentUser, db: DbSession, recipe_id: int) -> recipes.RecipeDetail:
    return recipes.get_recipe(db, recipe_id)


@router.get("/exercises/search")
def search_exercises(
    user: CurrentUser,
    db: DbSession,
    embedder: EmbedderDep,
    vocabulary: VocabularyDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    muscle: Annotated[exercises.Muscle | None, Query()] = None,
    equipment: Annotated[Equipment | None, Query()] = None,
    level: Annotated[Experience | None, Query()] = None,
    category: Annotated[exercises.ExerciseCategory | None, Query()] = None,
) -> exercises.ExerciseSearchResult:
    params = _validated(
        exercises.ExerciseSearchInput,
        {
            "q": q,
            "limit": limit,
            "muscle": muscle,
            "equipment": equipment,
            "level": level,
            "category": category,
        },
    )
    return exercises.search_exercises(db, embedder, params, vocabulary=vocabulary.get(db))


@router.get("/exercises/{exercise_id}", responses=NOT_FOUND)
def read_exercise(user: CurrentUser, db: DbSession, exercise_id: int) -> exercises.ExerciseDetail:
    return exercises.get_exercise(db, exercise_id)
