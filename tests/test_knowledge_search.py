"""Search behaviour as the tools expose it: staples, synonyms, typos, filters, empty results."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from knowledge.embeddings import Vectors
from knowledge.runtime import embedder_for, knowledge_root
from knowledge.search import (
    CANDIDATES,
    ExerciseQuery,
    FoodQuery,
    Vocabulary,
    _vector_literal,
    correct_spelling,
    read_vocabulary,
)
from knowledge.search import search_exercises as engine_exercises
from knowledge.search import search_foods as engine_foods
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


def _exact_neighbours(session: Session, table: str, vector: Vectors, k: int) -> set[int]:
    """The k nearest rows by a plain scan: the index cannot serve an ORDER BY it does not match."""
    rows = session.execute(
        text(
            f"SELECT id FROM {table} WHERE embedding IS NOT NULL"  # noqa: S608 - a constant table name
            " ORDER BY (embedding <=> CAST(:v AS vector)) + 0, id LIMIT :k"
        ),
        {"v": _vector_literal(vector), "k": k},
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
    embedder = embedder_for(settings)
    for name in INGREDIENT_NAMES:
        vector = embedder.embed([name])[0]
        hits = engine_foods(session, embedder, FoodQuery(name, limit=500, mode="ingredient"), vector=vector)
        by_vector = {int(c.row["id"]) for c in hits if "vec" in c.signals}
        assert by_vector == _exact_neighbours(session, "foods", vector, CANDIDATES), name


def test_exercise_search_reads_exact_vector_neighbours(session: Session, settings: Settings) -> None:
    embedder = embedder_for(settings)
    for query in ("barbell curl", "hamstrings machine", "shoulder press dumbbell", "stretch calves"):
        hits = engine_exercises(session, embedder, ExerciseQuery(query, limit=500))
        by_vector = {int(c.row["id"]) for c in hits if "vec" in c.signals}
        assert by_vector == _exact_neighbours(session, "exercises", embedder.embed_query(query), CANDIDATES)


@contextmanager
def _statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session sends inside the block."""
    sent: list[str] = []
    connection = session.connection()

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


@pytest.mark.parametrize(
    ("query", "statements"),
    [
        (FoodQuery("greek yogurt"), 1),
        (FoodQuery("brocoli"), 2),  # a typo: corrected in the database
        (FoodQuery("cheese", diet=Diet.VEGAN), 2),  # a filter: HNSW's iterative scan is set first
        (ExerciseQuery("bench press"), 1),
        (ExerciseQuery("dumbell row"), 2),
    ],
)
def test_an_in_process_vocabulary_skips_the_spelling_round_trip_only_when_it_is_not_needed(
    session: Session, settings: Settings, query: FoodQuery | ExerciseQuery, statements: int
) -> None:
    embedder, vocabulary = embedder_for(settings), read_vocabulary(session)

    def ranked(vocabulary: Vocabulary | None) -> list[tuple[int, float]]:
        if isinstance(query, FoodQuery):
            hits = engine_foods(session, embedder, query, vocabulary=vocabulary)
        else:
            hits = engine_exercises(session, embedder, query, vocabulary=vocabulary)
        return [(int(c.row["id"]), round(c.score, 9)) for c in hits]

    with _statements(session) as sent:
        with_vocabulary = ranked(vocabulary)
    assert len(sent) == statements
    assert with_vocabulary == ranked(None)


def test_same_results_with_the_vocabulary_over_the_benchmark_queries(
    session: Session, settings: Settings
) -> None:
    from bench.search import exercise_queries, food_queries

    embedder, root = embedder_for(settings), knowledge_root(settings)

    def foods(q: str, vocabulary: Vocabulary | None) -> list[int]:
        return [
            int(c.row["id"]) for c in engine_foods(session, embedder, FoodQuery(q), vocabulary=vocabulary)
        ]

    def exercises(q: str, vocabulary: Vocabulary | None) -> list[int]:
        hits = engine_exercises(session, embedder, ExerciseQuery(q), vocabulary=vocabulary)
        return [int(c.row["id"]) for c in hits]

    food_qs, exercise_qs = food_queries(root, 80), exercise_queries(root, 40)
    expected = {q: foods(q, None) for q in food_qs} | {q: exercises(q, None) for q in exercise_qs}
    for vocabulary in (read_vocabulary(session), Vocabulary({})):  # an empty one: every word looks new
        assert {q: foods(q, vocabulary) for q in food_qs} == {q: expected[q] for q in food_qs}
        assert {q: exercises(q, vocabulary) for q in exercise_qs} == {q: expected[q] for q in exercise_qs}


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("bacon", "Pork, cured, bacon"),  # not "Bacon, meatless", whose name starts with the query's word
        ("meatless bacon", "Bacon, meatless"),
        ("crab", "Crustaceans, crab"),
        ("imitation crab", "Crustaceans, crab, alaska king, imitation"),
        ("sugar substitute", "Sweeteners, sugar substitute"),
        ("mayonnaise", "Salad dressing, mayonnaise, regular"),  # not the tofu one
    ],
)
def test_a_plain_query_means_the_thing_and_a_named_analogue_the_analogue(
    session: Session, settings: Settings, query: str, first: str
) -> None:
    assert _foods(session, settings, query, limit=1)[0].startswith(first)
