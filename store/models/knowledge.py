"""Knowledge base: foods (USDA SR28 and live FoodData Central rows), their nutrients and household portions,
recipes with matched ingredients and nutrition per serving, exercises. Loaded by `knowledge load`, read by
the search tools, the nutrition planner and the training programmer.

Conventions:
- Nutrient amounts are per 100 g of edible portion. NULL means "not analysed", never zero.
- `allergens` lists what a row contains *or may contain*: the rules flag when unsure (knowledge/flags.py).
- `diets` lists the diets a row is known to suit (vegan, vegetarian, pescatarian); absent means "not known
  to suit". `contains_pork` / `contains_alcohol` serve halal and kosher filters.
- Each searchable table has `search_text` (what is embedded and full-text indexed), its generated
  `search_tsv`, a 384-dimension `embedding` (HNSW, cosine) and a trigram GIN index on its name.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    ARRAY,
    Computed,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Timestamps, enum_column
from store.vocabulary import Equipment, Experience

EMBEDDING_DIM = 384
TSV_CONFIG = "english"


class FoodSource(StrEnum):
    """Where a food row came from; (source, source_id) is unique, so a live lookup upserts in place."""

    SR28 = "sr28"  # source_id = NDB number, e.g. "1123"
    FDC_API = "fdc_api"  # source_id = FDC id


class FoodGroup(StrEnum):
    """Coarse group for meal templates (protein + starch + vegetable + fat)."""

    PROTEIN = "protein"
    STARCH = "starch"
    VEGETABLE = "vegetable"
    FRUIT = "fruit"
    DAIRY = "dairy"
    LEGUME = "legume"
    NUT_SEED = "nut_seed"
    FAT = "fat"
    SWEET = "sweet"
    SNACK = "snack"
    BEVERAGE = "beverage"
    CONDIMENT = "condiment"
    DISH = "dish"
    OTHER = "other"


class MealSlot(StrEnum):
    BREAKFAST = "breakfast"
    MAIN = "main"
    SIDE = "side"
    SNACK = "snack"
    DESSERT = "dessert"
    DRINK = "drink"


class PrepState(StrEnum):
    """Whether a food is as eaten: a planner portions `cooked`/`ready` foods, and `raw` ones that are eaten
    raw (fruit, salad vegetables); `dry` means weighed before cooking (pasta, rice, oats)."""

    RAW = "raw"
    COOKED = "cooked"
    DRY = "dry"
    READY = "ready"
    UNKNOWN = "unknown"


class Food(Timestamps, Base):
    __tablename__ = "foods"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_foods_source_source_id"),
        Index(
            "ix_foods_description_trgm",
            "description",
            postgresql_using="gin",
            postgresql_ops={"description": "gin_trgm_ops"},
        ),
        Index("ix_foods_search_tsv", "search_tsv", postgresql_using="gin"),
        Index(
            "ix_foods_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
        Index("ix_foods_allergens", "allergens", postgresql_using="gin"),
        Index("ix_foods_category", "category"),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    source: Mapped[FoodSource] = mapped_column(enum_column(FoodSource, "food_source"))
    source_id: Mapped[str] = mapped_column(String(64))
    # FoodData Central id where known (API rows; SR Legacy rows once mapped): where local and live rows meet.
    fdc_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    description: Mapped[str] = mapped_column(String(400))
    category: Mapped[str | None] = mapped_column(String(120))
    # USDA data type: sr28, sr_legacy, foundation, survey_fndds, branded.
    data_type: Mapped[str] = mapped_column(String(32))
    common_names: Mapped[str | None] = mapped_column(String(400))
    brand: Mapped[str | None] = mapped_column(String(200))
    refuse_pct: Mapped[float | None] = mapped_column(Float)
    food_group: Mapped[FoodGroup] = mapped_column(enum_column(FoodGroup, "food_group"))
    slot_hints: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    prep_state: Mapped[PrepState] = mapped_column(enum_column(PrepState, "prep_state"))
    # A prepared dish (SR28 meals, entrées, fast foods, restaurant foods) that fills a meal slot alone.
    is_dish: Mapped[bool] = mapped_column(default=False)
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    diets: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    contains_pork: Mapped[bool] = mapped_column(default=False)
    contains_alcohol: Mapped[bool] = mapped_column(default=False)
    # Why each flag was set ({"milk": "word 'cheese'"}): a wrong flag can be traced to its rule.
    flag_reasons: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Ranking prior in [-1, 1]: generic staples up, baby foods, branded and fast foods down.
    search_boost: Mapped[float] = mapped_column(Float, default=0.0)
    search_text: Mapped[str] = mapped_column(Text)
    search_tsv: Mapped[str] = mapped_column(
        TSVECTOR, Computed(f"to_tsvector('{TSV_CONFIG}'::regconfig, search_text)", persisted=True)
    )
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIM))
    # sha256 prefix of (model fingerprint, search_text): the loader re-embeds only rows whose text changed.
    embedding_key: Mapped[str | None] = mapped_column(String(32))
    # When a live API row was last fetched (sync refreshes old ones); NULL for bundled data.
    fetched_at: Mapped[datetime | None] = mapped_column()


class Nutrient(Base):
    """Nutrient reference, keyed by FoodData Central nutrient id (1008 energy kcal, 1003 protein …)."""

    __tablename__ = "nutrients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(16))
    sr28_number: Mapped[int | None] = mapped_column(Integer)


class FoodNutrients(Base):
    """Per 100 g edible portion. The planner's quantities are real columns; the rest sit in `other` keyed by
    FDC nutrient id as text ({"1087": 120.0}). NULL / absent = not analysed."""

    __tablename__ = "food_nutrients"

    food_id: Mapped[int] = mapped_column(ForeignKey("foods.id", ondelete="CASCADE"), primary_key=True)
    kcal: Mapped[float | None] = mapped_column(Float)
    protein_g: Mapped[float | None] = mapped_column(Float)
    fat_g: Mapped[float | None] = mapped_column(Float)
    carbs_g: Mapped[float | None] = mapped_column(Float)
    fiber_g: Mapped[float | None] = mapped_column(Float)
    sugars_g: Mapped[float | None] = mapped_column(Float)
    saturated_fat_g: Mapped[float | None] = mapped_column(Float)
    sodium_mg: Mapped[float | None] = mapped_column(Float)
    other: Mapped[dict[str, float]] = mapped_column(JSONB, default=dict)


class FoodPortion(Base):
    """A household measure: `amount` × `measure` ("1" × "cup, chopped") weighs `gram_weight` grams."""

    __tablename__ = "food_portions"
    __table_args__ = (UniqueConstraint("food_id", "seq", name="uq_food_portions_food_id_seq"),)

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    food_id: Mapped[int] = mapped_column(ForeignKey("foods.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    amount: Mapped[float] = mapped_column(Float)
    measure: Mapped[str] = mapped_column(String(200))
    gram_weight: Mapped[float] = mapped_column(Float)


class Recipe(Timestamps, Base):
    __tablename__ = "recipes"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_recipes_source_source_id"),
        Index(
            "ix_recipes_title_trgm", "title", postgresql_using="gin", postgresql_ops={"title": "gin_trgm_ops"}
        ),
        Index("ix_recipes_search_tsv", "search_tsv", postgresql_using="gin"),
        Index(
            "ix_recipes_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    servings: Mapped[int | None] = mapped_column(Integer)
    servings_text: Mapped[str | None] = mapped_column(String(120))
    prep_minutes: Mapped[int | None] = mapped_column(Integer)
    cook_minutes: Mapped[int | None] = mapped_column(Integer)
    total_minutes: Mapped[int | None] = mapped_column(Integer)
    instructions: Mapped[list[str]] = mapped_column(JSONB, default=list)
    notes: Mapped[list[str] | None] = mapped_column(JSONB)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    cuisines: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list)
    author: Mapped[str | None] = mapped_column(String(120))
    source_url: Mapped[str | None] = mapped_column(String(400))
    license: Mapped[str] = mapped_column(String(120))
    slot_hints: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    allergens: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    diets: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    contains_pork: Mapped[bool] = mapped_column(default=False)
    contains_alcohol: Mapped[bool] = mapped_column(default=False)
    flag_reasons: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Every ingredient matched to a food with confidence and weighed in grams: only these reach the planner.
    planner_ready: Mapped[bool] = mapped_column(default=False)
    # Why a recipe is not planner-ready ("no servings", "unmatched: 2 tbsp mystery sauce").
    import_issues: Mapped[list[str]] = mapped_column(JSONB, default=list)
    search_text: Mapped[str] = mapped_column(Text)
    search_tsv: Mapped[str] = mapped_column(
        TSVECTOR, Computed(f"to_tsvector('{TSV_CONFIG}'::regconfig, search_text)", persisted=True)
    )
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIM))
    embedding_key: Mapped[str | None] = mapped_column(String(32))
    fetched_at: Mapped[datetime | None] = mapped_column()


class RecipeIngredient(Base):
    """One parsed ingredient line. `grams` is the whole recipe's amount; NULL when it could not be weighed."""

    __tablename__ = "recipe_ingredients"
    __table_args__ = (UniqueConstraint("recipe_id", "position", name="uq_recipe_ingredients_recipe_id"),)

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    group_name: Mapped[str | None] = mapped_column(String(200))
    raw_text: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(300))
    grams: Mapped[float | None] = mapped_column(Float)
    # How grams were found: mass, volume_portion, count_portion, density, to_taste, none.
    grams_method: Mapped[str] = mapped_column(String(24))
    food_id: Mapped[int | None] = mapped_column(
        ForeignKey("foods.id", ondelete="SET NULL"), index=True, nullable=True
    )
    match_confidence: Mapped[float | None] = mapped_column(Float)
    is_optional: Mapped[bool] = mapped_column(default=False)


class RecipeNutrition(Base):
    """Per serving, summed from the weighed, matched ingredients. `coverage` is the fraction of the recipe's
    weighed grams whose food has nutrients; below 1, the figures are lower bounds."""

    __tablename__ = "recipe_nutrition"

    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), primary_key=True)
    servings: Mapped[int] = mapped_column(Integer)
    grams_per_serving: Mapped[float] = mapped_column(Float)
    kcal: Mapped[float] = mapped_column(Float)
    protein_g: Mapped[float] = mapped_column(Float)
    fat_g: Mapped[float] = mapped_column(Float)
    carbs_g: Mapped[float] = mapped_column(Float)
    fiber_g: Mapped[float | None] = mapped_column(Float)
    sugars_g: Mapped[float | None] = mapped_column(Float)
    saturated_fat_g: Mapped[float | None] = mapped_column(Float)
    sodium_mg: Mapped[float | None] = mapped_column(Float)
    coverage: Mapped[float] = mapped_column(Float)


class Exercise(Timestamps, Base):
    __tablename__ = "exercises"
    __table_args__ = (
        UniqueConstraint("source", "source_id", name="uq_exercises_source_source_id"),
        Index(
            "ix_exercises_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
        ),
        Index("ix_exercises_search_tsv", "search_tsv", postgresql_using="gin"),
        Index(
            "ix_exercises_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(Integer, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    # strength, stretching, plyometrics, powerlifting, olympic weightlifting, strongman, cardio.
    category: Mapped[str] = mapped_column(String(40))
    force: Mapped[str | None] = mapped_column(String(16))  # push, pull, static
    mechanic: Mapped[str | None] = mapped_column(String(16))  # compound, isolation
    level: Mapped[Experience] = mapped_column(enum_column(Experience, "experience"))
    # The main piece of equipment; NULL when the source says "other" or nothing we can map.
    equipment: Mapped[Equipment | None] = mapped_column(enum_column(Equipment, "equipment"))
    equipment_raw: Mapped[str | None] = mapped_column(String(40))
    # Everything needed (e.g. barbell + bench): a programmer offers the exercise when the user has all.
    equipment_needed: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    primary_muscles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    secondary_muscles: Mapped[list[str]] = mapped_column(ARRAY(String(32)), default=list)
    instructions: Mapped[list[str]] = mapped_column(JSONB, default=list)
    search_text: Mapped[str] = mapped_column(Text)
    search_tsv: Mapped[str] = mapped_column(
        TSVECTOR, Computed(f"to_tsvector('{TSV_CONFIG}'::regconfig, search_text)", persisted=True)
    )
    # STORAGE PLAIN (migration 0009): kept inline, so that an exact scan of all exercises stays cheap.
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIM))
    embedding_key: Mapped[str | None] = mapped_column(String(32))


class SearchTerm(Base):
    """Words of the searchable text per domain (foods, exercises, recipes), for spelling correction of
    queries: "avacado" → "avocado" by trigram similarity, ties to the more frequent word."""

    __tablename__ = "search_terms"
    __table_args__ = (
        Index(
            "ix_search_terms_term_trgm",
            "term",
            postgresql_using="gin",
            postgresql_ops={"term": "gin_trgm_ops"},
        ),
    )

    domain: Mapped[str] = mapped_column(String(16), primary_key=True)
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    frequency: Mapped[int] = mapped_column(Integer)


class KnowledgeMeta(Base):
    """One row per loaded dataset: the hash of what was loaded, so a second `knowledge load` does nothing."""

    __tablename__ = "knowledge_meta"

    dataset: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    loaded_at: Mapped[datetime] = mapped_column(server_default=func.now())
