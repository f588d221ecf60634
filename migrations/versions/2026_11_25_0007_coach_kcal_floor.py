"""A coach's kcal floor on the profile (replaces the default floor by sex in the targets).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("profiles", sa.Column("coach_kcal_floor", sa.Integer(), nullable=True))
    op.create_check_constraint(
        op.f("ck_profiles_coach_kcal_floor_range"),
        "profiles",
        "coach_kcal_floor IS NULL OR coach_kcal_floor BETWEEN 800 AND 4000",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_profiles_coach_kcal_floor_range"), "profiles", type_="check")
    op.drop_column("profiles", "coach_kcal_floor")
