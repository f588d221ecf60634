"""Answers of live recipe providers (Spoonacular, Edamam), cached in PostgreSQL with a TTL.

Foods fetched from FoodData Central need no cache table: they are upserted into `foods` itself
(source = fdc_api, `fetched_at` set), so a food looked up once is local afterwards."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base


class RecipeCacheEntry(Base):
    """One provider's answer to one recipe query (`query_key` = sha256 of the canonical query).

    Served while `expires_at` is in the future; `knowledge sync --source recipes` re-asks expired entries
    used within the sync window and deletes the others."""

    __tablename__ = "recipe_cache"
    __table_args__ = (
        UniqueConstraint("provider", "query_key", name="uq_recipe_cache_provider_query_key"),
        Index("ix_recipe_cache_expires_at", "expires_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    query_key: Mapped[str] = mapped_column(String(64))
    # The query itself (RecipeQuery as JSON), so the sync can ask it again.
    query: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # ProviderRecipe dicts in the provider's order.
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    fetched_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    last_used_at: Mapped[datetime] = mapped_column(server_default=func.now())
    hits: Mapped[int] = mapped_column(default=0, server_default=text("0"))
