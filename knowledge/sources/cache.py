"""The PostgreSQL cache in front of a live recipe provider.

A query is served from `recipe_cache` while its entry is fresh; otherwise the provider is asked and its
answer stored (upsert on provider + query key, so two concurrent misses leave one row). An empty answer is
cached too: asking again within the TTL would cost quota for the same nothing. Provider failures are not
cached and propagate as `SourceError`s. Nothing here commits: the caller's unit of work does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from knowledge.sources.recipe_providers import ProviderQuery, ProviderRecipe, RecipeProvider
from store.models import RecipeCacheEntry

_RECIPES = TypeAdapter(list[ProviderRecipe])


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class CachedAnswer:
    recipes: list[ProviderRecipe]
    from_cache: bool
    fetched_at: datetime


def lookup(session: Session, provider: str, query: ProviderQuery, *, now: datetime) -> CachedAnswer | None:
    """The fresh cached answer, counting the hit; `None` when absent or expired."""
    entry = session.scalars(
        select(RecipeCacheEntry).where(
            RecipeCacheEntry.provider == provider,
            RecipeCacheEntry.query_key == query.cache_key(),
            RecipeCacheEntry.expires_at > now,
        )
    ).one_or_none()
    if entry is None:
        return None
    session.execute(
        update(RecipeCacheEntry)
        .where(RecipeCacheEntry.id == entry.id)
        .values(hits=RecipeCacheEntry.hits + 1, last_used_at=now)
    )
    return CachedAnswer(_RECIPES.validate_python(entry.results), from_cache=True, fetched_at=entry.fetched_at)


def store(
    session: Session,
    provider: str,
    query: ProviderQuery,
    recipes: list[ProviderRecipe],
    *,
    ttl: timedelta,
    now: datetime,
    used: bool = True,
) -> None:
    """Insert or replace the answer. A sync's refresh (`used=False`) keeps `last_used_at`, so entries nobody
    asks for still age out of the sync window and get purged."""
    values = {
        "provider": provider,
        "query_key": query.cache_key(),
        "query": query.model_dump(mode="json"),
        "results": _RECIPES.dump_python(recipes, mode="json"),
        "fetched_at": now,
        "expires_at": now + ttl,
        "last_used_at": now,
    }
    statement = insert(RecipeCacheEntry).values(**values)
    session.execute(
        statement.on_conflict_do_update(
            constraint="uq_recipe_cache_provider_query_key",
            set_={key: statement.excluded[key] for key in ("query", "results", "fetched_at", "expires_at")}
            | ({"last_used_at": now} if used else {}),
        )
    )


def cached_search(
    session: Session,
    provider: RecipeProvider,
    query: ProviderQuery,
    *,
    ttl: timedelta,
    now: datetime | None = None,
) -> CachedAnswer:
    """Fresh cache entry, else the provider's answer (then stored). Raises the provider's `SourceError`."""
    now = now or utcnow()
    if provider.cacheable and (hit := lookup(session, provider.name, query, now=now)) is not None:
        return hit
    recipes = provider.search(query)
    if provider.cacheable:
        store(session, provider.name, query, recipes, ttl=ttl, now=now)
    return CachedAnswer(recipes, from_cache=False, fetched_at=now)


def expired_entries(
    session: Session, provider: str, *, used_since: datetime, now: datetime
) -> list[RecipeCacheEntry]:
    """Expired entries still in use (last used at or after `used_since`): what a sync asks again."""
    return list(
        session.scalars(
            select(RecipeCacheEntry)
            .where(
                RecipeCacheEntry.provider == provider,
                RecipeCacheEntry.expires_at <= now,
                RecipeCacheEntry.last_used_at >= used_since,
            )
            .order_by(RecipeCacheEntry.last_used_at.desc())
        )
    )


def purge(session: Session, *, unused_since: datetime, now: datetime) -> int:
    """Delete expired entries nobody used since `unused_since` (any provider, e.g. after switching)."""
    result = session.execute(
        delete(RecipeCacheEntry).where(
            RecipeCacheEntry.expires_at <= now, RecipeCacheEntry.last_used_at < unused_since
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
