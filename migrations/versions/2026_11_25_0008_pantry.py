"""Pantry: foods a person has at home, ticked on a grocery list.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pantry_items",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("food_id", sa.Integer(), nullable=False),
        sa.Column("ticked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["food_id"], ["foods.id"], name=op.f("fk_pantry_items_food_id_foods"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pantry_items_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "food_id", name=op.f("pk_pantry_items")),
    )


def downgrade() -> None:
    op.drop_table("pantry_items")
