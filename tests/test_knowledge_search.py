"""Search behaviour as the tools expose it: staples, synonyms, typos, filters, empty results."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from knowledge.runtime import embedder_for
from knowledge.search import correct_spelling
from store.db import Database
from store.settings import Settings
from store.vocabulary import Allergen, Diet, Equipment
from tools.errors import NotFound
from tools.exercises import ExerciseSearchInput, Muscle, search_exercises
from tools.foods import FoodSearchInput, get_food, search_foods
from tools.recipes import RecipeSearchInput, search_recipes


@pytest.fixture
def session(knowledge: Database) -> Iterator[Session]:
    with knowledge.session() as s:
        yield s


def _foods(session: Session, settings: Settings, q: str, **filters: object) -> list[str]:
    result = search_foods(session, embedder_for(settings), FoodSearchInput(q=q, **filters))
    return [i.description for i in result.items]


def test_egg_means_whole_egg_not_egg_noodles(session: Session, settings: Settings) -> None:
    names = _foods(session, settings, "egg", limit=3)
    assert all(n.startswith("Egg, ") for n in names)


@pytest.mark.parametrize(("query", "expected"), [("garbanzo", "Chickpeas"), ("courgette", "zucchini")])
def test_synonyms(session: Session, settings: Settings, query: str, expected: str) -> None:
    assert expected in _foods(session, settings, query, limit=3)[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mixed fruit juice with low fat yogurt babyfood", "Babyfood, mixed fruit juice with low fat yogurt"),
        ("filled with egg turnover", "Turnover, filled with egg, meat and cheese, frozen"),
        ("low fat milk", "Milk, "),  # every word frequent: matched by all of them as before
    ],
)
def test_long_queries_match_on_their_rarer_words(
    session: Session, settings: Settings, query: str, expected: str
) -> None:
    """The OR-ed full text matches rows by the query's rarer words (a word in over 300 foods, such as
    "low", "fat" or "juice", still ranks but does not pull in a third of the table)."""
    assert _foods(session, settings, query, limit=3)[0].startswith(expected)


def test_spelling_is_corrected_against_the_vocabulary(session: Session) -> None:
    assert correct_spelling(session, "foods", "brocoli avacado") == "broccoli avocado"
    assert correct_spelling(session, "foods", "egg") == "egg"  # short and known words stay
    assert correct_spelling(session, "exercises", "dedlift") == "deadlift"


def test_filters_apply_before_the_limit(session: Session, settings: Settings) -> None:
    embedder = embedder_for(settings)
    params = FoodSearchInput(q="milk", limit=10, exclude_allergens=[Allergen.MILK, Allergen.TREE_NUT])
    items = search_foods(session, embedder, params).items
    assert len(items) == 10
    assert all(not {"milk", "tree_nut"} & set(i.allergens) for i in items)


def test_halal_excludes_pork_and_alcohol(session: Session, settings: Settings) -> None:
    embedder = embedder_for(settings)
    for q in ("bacon", "wine", "sausage"):
        items = search_foods(session, embedder, FoodSearchInput(q=q, diet=Diet.HALAL, limit=20)).items
        ids = [i.id for i in items]
        for food_id in ids:
            food = get_food(session, food_id)
            assert not food.contains_pork
            assert not food.contains_alcohol


def test_keto_filter_uses_net_carbs(session: Session, settings: Settings) -> None:
    items = search_foods(session, embedder_for(settings), FoodSearchInput(q="bread", diet=Diet.KETO)).items
    for item in items:
        assert item.per_100g.carbs_g is not None
        assert item.per_100g.carbs_g - (item.per_100g.fiber_g or 0) <= 10


def test_nonsense_returns_few_or_no_results_without_error(session: Session, settings: Settings) -> None:
    assert isinstance(_foods(session, settings, "zzqx"), list)


def test_exercise_filters(session: Session, settings: Settings) -> None:
    params = ExerciseSearchInput(q="curl", muscle=Muscle.BICEPS, equipment=Equipment.CABLE, limit=5)
    items = search_exercises(session, embedder_for(settings), params).items
    assert items
    assert all(i.equipment == "cable" and "biceps" in i.primary_muscles for i in items)


def test_recipe_search_excludes_allergens(session: Session, settings: Settings) -> None:
    params = RecipeSearchInput(q="cake", exclude_allergens=[Allergen.EGG, Allergen.MILK], limit=10)
    for item in search_recipes(session, embedder_for(settings), params).items:
        assert not {"egg", "milk"} & set(item.allergens)


def test_get_food_unknown_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        get_food(session, 10**8)


def _exact_neighbours(session: Session, table: str, vector: object, k: int) -> set[int]:
    """The k nearest rows by a plain scan: the index cannot serve an ORDER BY it does not match."""
    from sqlalchemy import text

    from knowledge.search import _vector_literal

    rows = session.execute(
        text(
            f"SELECT id FROM {table} WHERE embedding IS NOT NULL"  # noqa: S608 - a constant table name
            " ORDER BY (embedding <=> CAST(:v AS vector)) + 0, id LIMIT :k"
        ),
        {"v": _vector_literal(vector), "k": k},  # type: ignore[arg-type]
    )
    return {int(r[0]) for r in rows}


# Ingredient names whose stored match changed when matching moved to exact neighbours (with HNSW, the first
# already returns other neighbours here).
INGREDIENT_NAMES = [
    "rashers bacon",
    "salted capers",
    "quick-cooking tapioca",
    "lasagna pasta sheets",
    "black cardamom",
    "mixed olives",
    "dried red lentils",
    "white sesame oil",
]


def test_ingredient_matching_reads_exact_vector_neighbours(session: Session, settings: Settings) -> None:
    """Stored matches must not depend on the randomised HNSW graph of one build (see `_hybrid`)."""
    from knowledge.search import CANDIDATES, FoodQuery
    from knowledge.search import search_foods as engine_search

    embedder = embedder_for(settings)
    for name in INGREDIENT_NAMES:
        vector = embedder.embed([name])[0]
        hits = engine_search(session, embedder, FoodQuery(name, limit=500, mode="ingredient"), vector=vector)
        by_vector = {int(c.row["id"]) for c in hits if "vec" in c.signals}
        assert by_vector == _exact_neighbours(session, "foods", vector, CANDIDATES), name


def test_exercise_search_reads_exact_vector_neighbours(session: Session, settings: Settings) -> None:
    from knowledge.search import CANDIDATES, ExerciseQuery
    from knowledge.search import search_exercises as engine_search

    embedder = embedder_for(settings)
    for query in ("barbell curl", "hamstrings machine", "shoulder press dumbbell", "stretch calves"):
        hits = engine_search(session, embedder, ExerciseQuery(query, limit=500))
        by_vector = {int(c.row["id"]) for c in hits if "vec" in c.signals}
        assert by_vector == _exact_neighbours(session, "exercises", embedder.embed_query(query), CANDIDATES)
