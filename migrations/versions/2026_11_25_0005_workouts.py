"""Workouts: plan detail (version details, sessions, exercises, prescribed sets), the set log and exercise
ratings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workout_version_details",
        sa.Column("plan_version_id", sa.BigInteger(), nullable=False),
        sa.Column("split", sa.String(length=40), nullable=False),
        sa.Column("training_goal", sa.String(length=32), nullable=False),
        sa.Column("weekly_sets", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("cardio", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("notes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_workout_version_details_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_version_id", name=op.f("pk_workout_version_details")),
    )
    op.create_table(
        "workout_sessions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("plan_version_id", sa.BigInteger(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scheduled_on", sa.Date(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "strength",
                "cardio",
                "recovery",
                name="workout_session_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("template", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("estimated_minutes", sa.Double(), nullable=False),
        sa.Column("cardio_minutes", sa.Integer(), nullable=True),
        sa.Column("cardio_intensity", sa.String(length=32), nullable=True),
        sa.Column("notes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint("week BETWEEN 1 AND 8", name=op.f("ck_workout_sessions_week_range")),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_workout_sessions_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workout_sessions")),
        sa.UniqueConstraint(
            "plan_version_id", "scheduled_on", name=op.f("uq_workout_sessions_plan_version_id")
        ),
    )
    op.create_index(
        op.f("ix_workout_sessions_plan_version_id"), "workout_sessions", ["plan_version_id"], unique=False
    )
    op.create_table(
        "workout_exercises",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("session_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("slot_key", sa.String(length=32), nullable=False),
        sa.Column("pattern", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("rep_min", sa.Integer(), nullable=False),
        sa.Column("rep_max", sa.Integer(), nullable=False),
        sa.Column("rest_s", sa.Integer(), nullable=False),
        sa.Column("target_rir", sa.Integer(), nullable=False),
        sa.Column("locked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_workout_exercises_exercise_id_exercises")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["workout_sessions.id"],
            name=op.f("fk_workout_exercises_session_id_workout_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workout_exercises")),
        sa.UniqueConstraint("session_id", "position", name=op.f("uq_workout_exercises_session_id")),
    )
    op.create_index(
        op.f("ix_workout_exercises_exercise_id"), "workout_exercises", ["exercise_id"], unique=False
    )
    op.create_index(
        op.f("ix_workout_exercises_session_id"), "workout_exercises", ["session_id"], unique=False
    )
    op.create_table(
        "workout_prescribed_sets",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("workout_exercise_id", sa.BigInteger(), nullable=False),
        sa.Column("set_number", sa.Integer(), nullable=False),
        sa.Column("rep_min", sa.Integer(), nullable=False),
        sa.Column("rep_max", sa.Integer(), nullable=False),
        sa.Column("target_rir", sa.Integer(), nullable=False),
        sa.Column("rest_s", sa.Integer(), nullable=False),
        sa.Column("load_kg", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(
            ["workout_exercise_id"],
            ["workout_exercises.id"],
            name=op.f("fk_workout_prescribed_sets_workout_exercise_id_workout_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workout_prescribed_sets")),
        sa.UniqueConstraint(
            "workout_exercise_id", "set_number", name=op.f("uq_workout_prescribed_sets_workout_exercise_id")
        ),
    )
    op.create_index(
        op.f("ix_workout_prescribed_sets_workout_exercise_id"),
        "workout_prescribed_sets",
        ["workout_exercise_id"],
        unique=False,
    )
    op.create_table(
        "workout_set_logs",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("performed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("load_kg", sa.Double(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=False),
        sa.Column("rir", sa.Integer(), nullable=True),
        sa.Column("workout_exercise_id", sa.BigInteger(), nullable=True),
        sa.Column("set_number", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("load_kg >= 0 AND load_kg <= 1000", name=op.f("ck_workout_set_logs_load_range")),
        sa.CheckConstraint("reps BETWEEN 1 AND 100", name=op.f("ck_workout_set_logs_reps_range")),
        sa.CheckConstraint("rir IS NULL OR rir BETWEEN 0 AND 10", name=op.f("ck_workout_set_logs_rir_range")),
        sa.ForeignKeyConstraint(
            ["exercise_id"], ["exercises.id"], name=op.f("fk_workout_set_logs_exercise_id_exercises")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_workout_set_logs_user_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workout_exercise_id"],
            ["workout_exercises.id"],
            name=op.f("fk_workout_set_logs_workout_exercise_id_workout_exercises"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workout_set_logs")),
    )
    op.create_index(
        op.f("ix_workout_set_logs_exercise_id"), "workout_set_logs", ["exercise_id"], unique=False
    )
    op.create_index(
        "ix_workout_set_logs_user_exercise_time",
        "workout_set_logs",
        ["user_id", "exercise_id", "performed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_workout_set_logs_workout_exercise_id"),
        "workout_set_logs",
        ["workout_exercise_id"],
        unique=False,
    )
    op.create_table(
        "exercise_ratings",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("exercise_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_exercise_ratings_rating_range")),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_ratings_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_exercise_ratings_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "exercise_id", name=op.f("pk_exercise_ratings")),
    )


def downgrade() -> None:
    op.drop_table("exercise_ratings")
    op.drop_index(op.f("ix_workout_set_logs_workout_exercise_id"), table_name="workout_set_logs")
    op.drop_index("ix_workout_set_logs_user_exercise_time", table_name="workout_set_logs")
    op.drop_index(op.f("ix_workout_set_logs_exercise_id"), table_name="workout_set_logs")
    op.drop_table("workout_set_logs")
    op.drop_index(
        op.f("ix_workout_prescribed_sets_workout_exercise_id"), table_name="workout_prescribed_sets"
    )
    op.drop_table("workout_prescribed_sets")
    op.drop_index(op.f("ix_workout_exercises_session_id"), table_name="workout_exercises")
    op.drop_index(op.f("ix_workout_exercises_exercise_id"), table_name="workout_exercises")
    op.drop_table("workout_exercises")
    op.drop_index(op.f("ix_workout_sessions_plan_version_id"), table_name="workout_sessions")
    op.drop_table("workout_sessions")
    op.drop_table("workout_version_details")
