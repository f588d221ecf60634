"""Knowledge base: foods, nutrients, portions, recipes (ingredients, nutrition), exercises, load metadata.

Each searchable table has a generated tsvector, a trigram GIN index on its name and an HNSW (cosine) index on
its 384-dimension embedding. The extensions (vector, pg_trgm) come from 0001.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgvector.sqlalchemy import Vector
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Children first, so each drop finds no dependant.
TABLES_DROP_ORDER = (
    "recipe_nutrition",
    "recipe_ingredients",
    "food_portions",
    "food_nutrients",
    "recipes",
    "nutrients",
    "knowledge_meta",
    "search_terms",
    "foods",
    "exercises",
)


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("force", sa.String(length=16), nullable=True),
        sa.Column("mechanic", sa.String(length=16), nullable=True),
        sa.Column(
            "level",
            sa.Enum(
                "beginner",
                "intermediate",
                "advanced",
                name="experience",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "equipment",
            sa.Enum(
                "bodyweight",
                "dumbbell",
                "barbell",
                "ez_bar",
                "kettlebell",
                "cable",
                "machine",
                "bands",
                "bench",
                "pull_up_bar",
                "medicine_ball",
                "exercise_ball",
                "foam_roller",
                "cardio_machine",
                name="equipment",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("equipment_raw", sa.String(length=40), nullable=True),
        sa.Column("equipment_needed", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("primary_muscles", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("secondary_muscles", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("instructions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "search_tsv",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, search_text)", persisted=True),
            nullable=False,
        ),
        sa.Column("embedding", Vector(384), nullable=True),
        sa.Column("embedding_key", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
        sa.UniqueConstraint("source", "source_id", name="uq_exercises_source_source_id"),
    )
    op.create_index(
        "ix_exercises_embedding_hnsw",
        "exercises",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index(
        "ix_exercises_name_trgm",
        "exercises",
        ["name"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"name": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_exercises_search_tsv", "exercises", ["search_tsv"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "foods",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "sr28", "fdc_api", name="food_source", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("fdc_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.String(length=400), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=True),
        sa.Column("data_type", sa.String(length=32), nullable=False),
        sa.Column("common_names", sa.String(length=400), nullable=True),
        sa.Column("brand", sa.String(length=200), nullable=True),
        sa.Column("refuse_pct", sa.Float(), nullable=True),
        sa.Column(
            "food_group",
            sa.Enum(
                "protein",
                "starch",
                "vegetable",
                "fruit",
                "dairy",
                "legume",
                "nut_seed",
                "fat",
                "sweet",
                "snack",
                "beverage",
                "condiment",
                "dish",
                "other",
                name="food_group",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("slot_hints", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column(
            "prep_state",
            sa.Enum(
                "raw",
                "cooked",
                "dry",
                "ready",
                "unknown",
                name="prep_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("is_dish", sa.Boolean(), nullable=False),
        sa.Column("allergens", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("diets", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("contains_pork", sa.Boolean(), nullable=False),
        sa.Column("contains_alcohol", sa.Boolean(), nullable=False),
        sa.Column("flag_reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("search_boost", sa.Float(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "search_tsv",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, search_text)", persisted=True),
            nullable=False,
        ),
        sa.Column("embedding", Vector(384), nullable=True),
        sa.Column("embedding_key", sa.String(length=32), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_foods")),
        sa.UniqueConstraint("fdc_id", name=op.f("uq_foods_fdc_id")),
        sa.UniqueConstraint("source", "source_id", name="uq_foods_source_source_id"),
    )
    op.create_index("ix_foods_allergens", "foods", ["allergens"], unique=False, postgresql_using="gin")
    op.create_index("ix_foods_category", "foods", ["category"], unique=False)
    op.create_index(
        "ix_foods_description_trgm",
        "foods",
        ["description"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"description": "gin_trgm_ops"},
    )
    op.create_index(
        "ix_foods_embedding_hnsw",
        "foods",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index("ix_foods_search_tsv", "foods", ["search_tsv"], unique=False, postgresql_using="gin")
    op.create_table(
        "knowledge_meta",
        sa.Column("dataset", sa.String(length=32), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("details", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("dataset", name=op.f("pk_knowledge_meta")),
    )
    op.create_table(
        "search_terms",
        sa.Column("domain", sa.String(length=16), nullable=False),
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("domain", "term", name=op.f("pk_search_terms")),
    )
    op.create_index(
        "ix_search_terms_term_trgm",
        "search_terms",
        ["term"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"term": "gin_trgm_ops"},
    )
    op.create_table(
        "nutrients",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("sr28_number", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nutrients")),
    )
    op.create_table(
        "recipes",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("servings", sa.Integer(), nullable=True),
        sa.Column("servings_text", sa.String(length=120), nullable=True),
        sa.Column("prep_minutes", sa.Integer(), nullable=True),
        sa.Column("cook_minutes", sa.Integer(), nullable=True),
        sa.Column("total_minutes", sa.Integer(), nullable=True),
        sa.Column("instructions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("notes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("tags", sa.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("cuisines", sa.ARRAY(sa.String(length=60)), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=True),
        sa.Column("source_url", sa.String(length=400), nullable=True),
        sa.Column("license", sa.String(length=120), nullable=False),
        sa.Column("slot_hints", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("allergens", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("diets", sa.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("contains_pork", sa.Boolean(), nullable=False),
        sa.Column("contains_alcohol", sa.Boolean(), nullable=False),
        sa.Column("flag_reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("planner_ready", sa.Boolean(), nullable=False),
        sa.Column("import_issues", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "search_tsv",
            postgresql.TSVECTOR(),
            sa.Computed("to_tsvector('english'::regconfig, search_text)", persisted=True),
            nullable=False,
        ),
        sa.Column("embedding", Vector(384), nullable=True),
        sa.Column("embedding_key", sa.String(length=32), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipes")),
        sa.UniqueConstraint("source", "source_id", name="uq_recipes_source_source_id"),
    )
    op.create_index(
        "ix_recipes_embedding_hnsw",
        "recipes",
        ["embedding"],
        unique=False,
        postgresql_using="hnsw",
        postgresql_ops={"embedding": "vector_cosine_ops"},
    )
    op.create_index("ix_recipes_search_tsv", "recipes", ["search_tsv"], unique=False, postgresql_using="gin")
    op.create_index(
        "ix_recipes_title_trgm",
        "recipes",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.create_table(
        "food_nutrients",
        sa.Column("food_id", sa.Integer(), nullable=False),
        sa.Column("kcal", sa.Float(), nullable=True),
        sa.Column("protein_g", sa.Float(), nullable=True),
        sa.Column("fat_g", sa.Float(), nullable=True),
        sa.Column("carbs_g", sa.Float(), nullable=True),
        sa.Column("fiber_g", sa.Float(), nullable=True),
        sa.Column("sugars_g", sa.Float(), nullable=True),
        sa.Column("saturated_fat_g", sa.Float(), nullable=True),
        sa.Column("sodium_mg", sa.Float(), nullable=True),
        sa.Column("other", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["food_id"], ["foods.id"], name=op.f("fk_food_nutrients_food_id_foods"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("food_id", name=op.f("pk_food_nutrients")),
    )
    op.create_table(
        "food_portions",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("food_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("measure", sa.String(length=200), nullable=False),
        sa.Column("gram_weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["food_id"], ["foods.id"], name=op.f("fk_food_portions_food_id_foods"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_portions")),
        sa.UniqueConstraint("food_id", "seq", name="uq_food_portions_food_id_seq"),
    )
    op.create_table(
        "recipe_ingredients",
        sa.Column("id", sa.Integer(), sa.Identity(always=False), nullable=False),
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=True),
        sa.Column("raw_text", sa.String(length=500), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("grams", sa.Float(), nullable=True),
        sa.Column("grams_method", sa.String(length=24), nullable=False),
        sa.Column("food_id", sa.Integer(), nullable=True),
        sa.Column("match_confidence", sa.Float(), nullable=True),
        sa.Column("is_optional", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["food_id"], ["foods.id"], name=op.f("fk_recipe_ingredients_food_id_foods"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_ingredients_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_ingredients")),
        sa.UniqueConstraint("recipe_id", "position", name="uq_recipe_ingredients_recipe_id"),
    )
    op.create_index(op.f("ix_recipe_ingredients_food_id"), "recipe_ingredients", ["food_id"], unique=False)
    op.create_table(
        "recipe_nutrition",
        sa.Column("recipe_id", sa.Integer(), nullable=False),
        sa.Column("servings", sa.Integer(), nullable=False),
        sa.Column("grams_per_serving", sa.Float(), nullable=False),
        sa.Column("kcal", sa.Float(), nullable=False),
        sa.Column("protein_g", sa.Float(), nullable=False),
        sa.Column("fat_g", sa.Float(), nullable=False),
        sa.Column("carbs_g", sa.Float(), nullable=False),
        sa.Column("fiber_g", sa.Float(), nullable=True),
        sa.Column("sugars_g", sa.Float(), nullable=True),
        sa.Column("saturated_fat_g", sa.Float(), nullable=True),
        sa.Column("sodium_mg", sa.Float(), nullable=True),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_recipe_nutrition_recipe_id_recipes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("recipe_id", name=op.f("pk_recipe_nutrition")),
    )


def downgrade() -> None:
    for table in TABLES_DROP_ORDER:
        op.drop_table(table)
