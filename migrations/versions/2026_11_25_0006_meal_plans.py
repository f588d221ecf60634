"""Meal plan detail: days → meals → items of each plan version.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _nutrition() -> list[sa.Column[float]]:
    return [
        sa.Column(name, sa.Double(), nullable=False)
        for name in ("kcal", "protein_g", "fat_g", "carbs_g", "fiber_g", "sodium_mg")
    ]


def upgrade() -> None:
    op.create_table(
        "meal_plan_days",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("plan_version_id", sa.BigInteger(), nullable=False),
        sa.Column("day_date", sa.Date(), nullable=False),
        sa.Column("targets", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("feasible", sa.Boolean(), nullable=False),
        sa.Column("binding", sa.String(length=32), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        *_nutrition(),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_meal_plan_days_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meal_plan_days")),
        sa.UniqueConstraint("plan_version_id", "day_date", name=op.f("uq_meal_plan_days_plan_version_id")),
    )
    op.create_index(op.f("ix_meal_plan_days_plan_version_id"), "meal_plan_days", ["plan_version_id"])
    op.create_table(
        "meal_plan_meals",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("day_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("slot", sa.String(length=16), nullable=False),
        sa.Column("share", sa.Double(), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        *_nutrition(),
        sa.ForeignKeyConstraint(
            ["day_id"],
            ["meal_plan_days.id"],
            name=op.f("fk_meal_plan_meals_day_id_meal_plan_days"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meal_plan_meals")),
        sa.UniqueConstraint("day_id", "position", name=op.f("uq_meal_plan_meals_day_id")),
    )
    op.create_index(op.f("ix_meal_plan_meals_day_id"), "meal_plan_meals", ["day_id"])
    op.create_table(
        "meal_plan_items",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("meal_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("food_id", sa.Integer(), nullable=True),
        sa.Column("recipe_id", sa.Integer(), nullable=True),
        sa.Column("candidate_key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=400), nullable=False),
        sa.Column("food_group", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=120), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("grams", sa.Double(), nullable=True),
        sa.Column("servings", sa.Double(), nullable=True),
        sa.Column("household", sa.String(length=120), nullable=False),
        sa.Column("locked", sa.Boolean(), nullable=False),
        *_nutrition(),
        sa.CheckConstraint("units >= 1", name=op.f("ck_meal_plan_items_units_positive")),
        sa.ForeignKeyConstraint(
            ["food_id"], ["foods.id"], name=op.f("fk_meal_plan_items_food_id_foods"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["meal_id"],
            ["meal_plan_meals.id"],
            name=op.f("fk_meal_plan_items_meal_id_meal_plan_meals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recipe_id"],
            ["recipes.id"],
            name=op.f("fk_meal_plan_items_recipe_id_recipes"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meal_plan_items")),
        sa.UniqueConstraint("meal_id", "position", name=op.f("uq_meal_plan_items_meal_id")),
    )
    op.create_index(op.f("ix_meal_plan_items_food_id"), "meal_plan_items", ["food_id"])
    op.create_index(op.f("ix_meal_plan_items_meal_id"), "meal_plan_items", ["meal_id"])
    op.create_index(op.f("ix_meal_plan_items_recipe_id"), "meal_plan_items", ["recipe_id"])


def downgrade() -> None:
    op.drop_table("meal_plan_items")
    op.drop_table("meal_plan_meals")
    op.drop_table("meal_plan_days")
