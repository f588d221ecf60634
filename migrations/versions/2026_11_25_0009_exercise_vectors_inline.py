"""Exercise embeddings stored inline (not TOASTed): exact vector search over them is then cheaper than the
HNSW index.

An exercise row with its instructions passes 2 kB, so PostgreSQL moved each 1.5 kB vector out of line, and
a scan read 873 TOAST entries (about 2 ms): searches had to force the HNSW index (approximate, randomised
per build). Inline, the exact scan takes about 0.7 ms; the long text columns go out of line instead.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("ALTER TABLE exercises ALTER COLUMN embedding SET STORAGE PLAIN")
    # Storage applies to values written from now on: write the stored ones again (a new value, not the same
    # TOAST pointer).
    op.execute(
        "UPDATE exercises SET embedding = CAST(CAST(embedding AS text) AS vector) WHERE embedding IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE exercises ALTER COLUMN embedding SET STORAGE EXTERNAL")
