"""The recipe-provider cache in PostgreSQL: hits, TTL expiry, failures not cached, sync selection and purge.
The provider is the real Spoonacular client; only its HTTP answers are recorded fixtures (respx)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from knowledge.sources import cache
from knowledge.sources.errors import SourceUnavailable
from knowledge.sources.http import RetryPolicy
from knowledge.sources.recipe_providers import ProviderQuery, SpoonacularProvider
from store.db import Database
from store.models import RecipeCacheEntry

FIXTURES = Path(__file__).parent / "fixtures"
SPOON = "https://spoon.test"
TTL = timedelta(hours=24)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    """A unit of work per test; the cache table is emptied afterwards (it is not in the per-test list)."""
    try:
        with database.session() as unit:
            yield unit
    finally:
        with database.engine.begin() as conn:
            conn.execute(text("TRUNCATE recipe_cache"))


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.MockRouter(assert_all_called=False) as mock_router:
        yield mock_router


@pytest.fixture
def provider(router: respx.MockRouter) -> Iterator[SpoonacularProvider]:
    with httpx.Client(transport=httpx.MockTransport(router.handler)) as http:
        yield SpoonacularProvider(
            http, api_key="k", base_url=SPOON, retry=RetryPolicy(max_attempts=1), sleep=lambda _: None
        )


def entries(session: Session) -> list[RecipeCacheEntry]:
    return list(session.scalars(select(RecipeCacheEntry)))


def test_second_identical_query_is_served_from_postgres(
    session: Session, provider: SpoonacularProvider, router: respx.MockRouter
) -> None:
    route = router.get(f"{SPOON}/recipes/complexSearch").respond(
        json=fixture("spoonacular_complex_search.json")
    )
    first = cache.cached_search(session, provider, ProviderQuery(text="Curry"), ttl=TTL)
    second = cache.cached_search(session, provider, ProviderQuery(text="  curry "), ttl=TTL)

    assert route.call_count == 1
    assert not first.from_cache
    assert second.from_cache
    assert second.recipes == first.recipes  # same models back, nutrition included
    assert second.recipes[0].nutrition_per_serving is not None
    (entry,) = entries(session)
    assert (entry.provider, entry.hits, len(entry.results)) == ("spoonacular", 1, 3)
    assert entry.expires_at - entry.fetched_at == TTL
    assert entry.query["text"] == "Curry"


def test_expired_entry_asks_the_provider_again_and_replaces_the_row(
    session: Session, provider: SpoonacularProvider, router: respx.MockRouter
) -> None:
    route = router.get(f"{SPOON}/recipes/complexSearch")
    route.side_effect = [
        httpx.Response(200, json=fixture("spoonacular_complex_search.json")),
        httpx.Response(200, json={"results": [], "offset": 0, "number": 10, "totalResults": 0}),
    ]
    query = ProviderQuery(text="curry")
    cache.cached_search(session, provider, query, ttl=TTL)
    session.execute(update(RecipeCacheEntry).values(expires_at=func.now() - timedelta(seconds=1)))

    again = cache.cached_search(session, provider, query, ttl=TTL)
    assert route.call_count == 2
    assert not again.from_cache
    assert again.recipes == []
    (entry,) = entries(session)
    session.refresh(entry)
    assert entry.results == []


def test_empty_answers_are_cached_too(
    session: Session, provider: SpoonacularProvider, router: respx.MockRouter
) -> None:
    route = router.get(f"{SPOON}/recipes/complexSearch").respond(json={"results": [], "totalResults": 0})
    for _ in range(2):
        assert cache.cached_search(session, provider, ProviderQuery(text="zzz"), ttl=TTL).recipes == []
    assert route.call_count == 1


def test_failures_propagate_and_are_not_cached(
    session: Session, provider: SpoonacularProvider, router: respx.MockRouter
) -> None:
    router.get(f"{SPOON}/recipes/complexSearch").respond(503)
    with pytest.raises(SourceUnavailable):
        cache.cached_search(session, provider, ProviderQuery(text="curry"), ttl=TTL)
    assert entries(session) == []


def test_sync_selects_expired_entries_in_use_and_purges_the_rest(
    session: Session, provider: SpoonacularProvider, router: respx.MockRouter
) -> None:
    router.get(f"{SPOON}/recipes/complexSearch").respond(json={"results": []})
    now = cache.utcnow()
    for text_, age in (
        ("fresh", timedelta(0)),
        ("stale used", timedelta(days=2)),
        ("stale unused", timedelta(days=40)),
    ):
        cache.store(session, "spoonacular", ProviderQuery(text=text_), [], ttl=TTL, now=now - age)

    window_start = now - timedelta(days=30)
    stale = cache.expired_entries(session, "spoonacular", used_since=window_start, now=now)
    assert [e.query["text"] for e in stale] == ["stale used"]

    # a sync refresh does not count as a use: the entry keeps its last_used_at
    cache.store(session, "spoonacular", ProviderQuery(text="stale used"), [], ttl=TTL, now=now, used=False)
    refreshed = session.scalars(
        select(RecipeCacheEntry).where(RecipeCacheEntry.query["text"].astext == "stale used")
    ).one()
    session.refresh(refreshed)
    assert refreshed.last_used_at < now - timedelta(days=1)
    assert refreshed.expires_at > now

    assert cache.purge(session, unused_since=window_start, now=now) == 1
    assert sorted(e.query["text"] for e in entries(session)) == ["fresh", "stale used"]
