"""`knowledge load`: counts, values read back, idempotence, recipe nutrition, and a real downgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from knowledge.loader import DATASETS, dataset_versions, load_knowledge
from knowledge.runtime import embedder_for, knowledge_root
from store import migrate
from store.db import Database, ensure_database, open_database
from store.embedded import EmbeddedPostgres
from store.models.knowledge import (
    Exercise,
    Food,
    FoodNutrients,
    FoodPortion,
    KnowledgeMeta,
    Recipe,
    RecipeIngredient,
    RecipeNutrition,
)
from store.settings import Settings


@pytest.fixture
def kdb(knowledge: Database) -> Iterator[Session]:
    with knowledge.session() as session:
        yield session


def _food(session: Session, ndb: str) -> Food:
    food = session.scalar(select(Food).where(Food.source == "sr28", Food.source_id == ndb))
    assert food is not None
    return food


def test_counts_match_the_sources(kdb: Session) -> None:
    assert kdb.scalar(select(func.count()).select_from(Food)) == 8789
    assert kdb.scalar(select(func.count()).select_from(FoodNutrients)) == 8789
    assert kdb.scalar(select(func.count()).select_from(FoodPortion)) == 15438
    assert kdb.scalar(select(func.count()).select_from(Exercise)) == 873
    assert kdb.scalar(select(func.count()).select_from(Recipe)) == 410
    assert kdb.scalar(select(func.count()).select_from(RecipeIngredient)) == 3352
    # every searchable row has its vector
    for table in ("foods", "exercises", "recipes"):
        assert kdb.scalar(text(f"SELECT count(*) FROM {table} WHERE embedding IS NULL")) == 0  # noqa: S608


@pytest.mark.parametrize(
    ("ndb", "kcal", "protein_g"),
    [("1123", 143, 12.56), ("5064", 165, 31.02), ("20045", 130, 2.69), ("9040", 89, 1.09), ("4053", 884, 0)],
)
def test_nutrients_per_100g_read_back(kdb: Session, ndb: str, kcal: float, protein_g: float) -> None:
    """The reference values of the USDA README (egg, chicken breast, rice, banana, olive oil)."""
    nutrients = kdb.get(FoodNutrients, _food(kdb, ndb).id)
    assert nutrients is not None
    assert nutrients.kcal == pytest.approx(kcal)
    assert nutrients.protein_g == pytest.approx(protein_g)


def test_missing_nutrient_is_null_not_zero(kdb: Session) -> None:
    # 8,195 of 8,789 foods have fibre: the others must say "unknown".
    missing = kdb.scalar(
        select(func.count()).select_from(FoodNutrients).where(FoodNutrients.fiber_g.is_(None))
    )
    assert missing == 8789 - 8195


def test_portions_and_planner_fields(kdb: Session) -> None:
    egg = _food(kdb, "1123")
    portions = kdb.scalars(select(FoodPortion).where(FoodPortion.food_id == egg.id)).all()
    assert any(p.measure == "large" and p.gram_weight == pytest.approx(50) for p in portions)
    assert egg.food_group.value == "protein"
    assert "breakfast" in egg.slot_hints
    assert egg.prep_state.value == "raw"
    rice = _food(kdb, "20045")
    assert rice.food_group.value == "starch"
    assert rice.prep_state.value == "cooked"
    assert _food(kdb, "9040").food_group.value == "fruit"


def test_exercise_fields_are_mapped(kdb: Session) -> None:
    squat = kdb.scalar(select(Exercise).where(Exercise.source_id == "Barbell_Squat"))
    assert squat is not None
    assert squat.equipment is not None
    assert squat.equipment.value == "barbell"
    assert "quadriceps" in squat.primary_muscles
    assert squat.instructions
    bench = kdb.scalar(select(Exercise).where(Exercise.source_id == "Barbell_Bench_Press_-_Medium_Grip"))
    assert bench is not None
    assert set(bench.equipment_needed) == {"barbell", "bench"}
    levels = set(kdb.scalars(select(Exercise.level).distinct()))
    assert {lv.value for lv in levels} == {"beginner", "intermediate", "advanced"}


def test_planner_ready_recipes_have_complete_nutrition(kdb: Session) -> None:
    ready = kdb.scalars(select(Recipe).where(Recipe.planner_ready)).all()
    assert len(ready) >= 20
    for recipe in ready:
        nutrition = kdb.get(RecipeNutrition, recipe.id)
        assert nutrition is not None
        assert nutrition.coverage == pytest.approx(1.0)
        assert nutrition.kcal > 0
        assert recipe.import_issues == []


def test_recipe_nutrition_is_the_sum_of_its_ingredients(kdb: Session) -> None:
    """Recompute one planner-ready recipe by hand from its rows: grams × per-100 g ÷ servings."""
    recipe = kdb.scalars(select(Recipe).where(Recipe.planner_ready).order_by(Recipe.source_id)).first()
    assert recipe is not None
    rows = kdb.execute(
        select(RecipeIngredient.grams, FoodNutrients.kcal, FoodNutrients.protein_g)
        .join(FoodNutrients, FoodNutrients.food_id == RecipeIngredient.food_id)
        .where(RecipeIngredient.recipe_id == recipe.id, RecipeIngredient.grams.is_not(None))
    ).all()
    kcal = sum((g or 0) * (k or 0) / 100 for g, k, _ in rows) / (recipe.servings or 1)
    protein = sum((g or 0) * (p or 0) / 100 for g, _, p in rows) / (recipe.servings or 1)
    nutrition = kdb.get(RecipeNutrition, recipe.id)
    assert nutrition is not None
    assert nutrition.kcal == pytest.approx(kcal, abs=0.05)
    assert nutrition.protein_g == pytest.approx(protein, abs=0.05)


def test_unmatched_recipes_are_kept_out_of_the_planner(kdb: Session) -> None:
    not_ready = kdb.scalars(select(Recipe).where(Recipe.planner_ready.is_(False))).all()
    assert not_ready
    assert all(r.import_issues for r in not_ready)


def test_second_load_changes_nothing(knowledge: Database, settings: Settings) -> None:
    with knowledge.session() as session:
        before = session.execute(
            text(
                "SELECT (SELECT max(updated_at) FROM foods), (SELECT max(updated_at) FROM recipes),"
                " (SELECT max(loaded_at) FROM knowledge_meta), (SELECT count(*) FROM food_portions)"
            )
        ).one()
    reports = load_knowledge(knowledge, embedder_for(settings), knowledge_root(settings))
    assert [r.status for r in reports] == ["unchanged"] * len(DATASETS)
    with knowledge.session() as session:
        after = session.execute(
            text(
                "SELECT (SELECT max(updated_at) FROM foods), (SELECT max(updated_at) FROM recipes),"
                " (SELECT max(loaded_at) FROM knowledge_meta), (SELECT count(*) FROM food_portions)"
            )
        ).one()
        versions = {m.dataset: m.version for m in session.scalars(select(KnowledgeMeta))}
    assert before == after
    assert versions == dataset_versions(knowledge_root(settings), embedder_for(settings))


def test_downgrade_drops_the_knowledge_tables_and_upgrade_restores_them(
    pg_server: EmbeddedPostgres | None, settings: Settings
) -> None:
    """On a database of its own: the shared test database keeps its loaded knowledge."""
    if pg_server is None:
        pytest.skip("needs the embedded server to create a scratch database")
    ensure_database(pg_server, "nexfitra_test_migrations")
    scratch = open_database(settings, url=pg_server.dsn("nexfitra_test_migrations"))
    try:
        migrate.upgrade(scratch.engine)
        migrate.downgrade(scratch.engine, "0002")
        with scratch.engine.connect() as conn:
            left = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE tablename IN ('foods','recipes','exercises')")
            ).all()
        assert left == []
        migrate.upgrade(scratch.engine)
        migrate.check(scratch.engine)
    finally:
        scratch.close()
