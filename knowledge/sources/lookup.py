"""Local first, live second: the fallbacks that consult FoodData Central or a recipe provider.

Foods: the local hybrid search runs first; only when its best hit does not name every word of the query
(see `names_the_query`) and a USDA key is configured do we ask FDC, store what it returns (details
included, so portions come too) and run the local search again. Answers
therefore always pass through our own filters and flags, never straight from the API.
Recipes: the configured provider through the PostgreSQL cache, else the local collection.
Every live failure becomes "local results only" with the reason in `live_error`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy.orm import Session

from knowledge.embeddings import Embedder
from knowledge.search import Candidate, FoodQuery, Vocabulary, search_foods
from knowledge.sources import cache
from knowledge.sources.errors import SourceError
from knowledge.sources.fdc_store import Upserted, add_food_words, upsert_fdc_foods
from knowledge.sources.local_recipes import LocalRecipeProvider
from knowledge.sources.recipe_providers import ProviderQuery, ProviderRecipe, RecipeProvider
from knowledge.sources.usda_fdc import FdcClient

_log = structlog.get_logger(__name__)

# How many of FDC's hits are fetched in full and stored per lookup (one /foods request holds 20).
FETCH_PER_LOOKUP = 5


def names_the_query(candidate: Candidate) -> bool:
    """The hit's name holds every query word (after the search's spelling folding, aliases and stems).

    Word coverage, not cosine, because it is what separates the two cases: on 26 probe queries every
    staple, synonym and typo ("egg", "courgette", "brocoli", "greek yogurt") had its best hit at full
    coverage, while each food absent from SR28 ("almond flour", "oat milk", "skyr", "seitan") had at most
    half, and cosines overlapped (oat milk → "Oats" 0.67, tofu → "Tofu, raw" 0.48)."""
    return candidate.coverage >= 1.0 - 1e-9


@dataclass
class FoodLookup:
    candidates: list[Candidate]
    # Rows written from FoodData Central by this lookup (empty when local was good enough).
    fetched: list[Upserted] = field(default_factory=list)
    # Why no live answer was used: not configured, rate limited, unavailable…; None when not needed or used.
    live_error: str | None = None

    @property
    def used_live(self) -> bool:
        return bool(self.fetched)


def search_foods_with_fdc(
    session: Session,
    embedder: Embedder,
    query: FoodQuery,
    client: FdcClient | None,
    *,
    now: datetime | None = None,
    vocabulary: Vocabulary | None = None,
) -> FoodLookup:
    local = search_foods(session, embedder, query, vocabulary=vocabulary)
    if local and names_the_query(local[0]):
        return FoodLookup(local)
    if client is None:
        return FoodLookup(local, live_error="usda: no API key configured")
    try:
        hits = client.search(query.text, page_size=FETCH_PER_LOOKUP)
        detailed = client.foods([hit.fdc_id for hit in hits[:FETCH_PER_LOOKUP]]) if hits else []
    except SourceError as exc:
        _log.info("fdc fallback unavailable", query=query.text, reason=str(exc))
        return FoodLookup(local, live_error=str(exc))
    if not detailed:
        return FoodLookup(local)
    fetched = upsert_fdc_foods(session, detailed, embedder=embedder, now=now or cache.utcnow())
    add_food_words(session, [row.food_id for row in fetched])
    return FoodLookup(search_foods(session, embedder, query), fetched=fetched)


@dataclass
class RecipeLookup:
    recipes: list[ProviderRecipe]
    provider: str
    from_cache: bool = False
    live_error: str | None = None


def search_recipes_with_provider(
    session: Session,
    embedder: Embedder,
    query: ProviderQuery,
    provider: RecipeProvider | None,
    *,
    ttl: timedelta,
    not_configured: str | None = None,
) -> RecipeLookup:
    local = LocalRecipeProvider(session, embedder)
    if provider is None:
        return RecipeLookup(local.search(query), local.name, live_error=not_configured)
    try:
        answer = cache.cached_search(session, provider, query, ttl=ttl)
    except SourceError as exc:
        _log.info("recipe provider unavailable", provider=provider.name, reason=str(exc))
        return RecipeLookup(local.search(query), local.name, live_error=str(exc))
    return RecipeLookup(answer.recipes, provider.name, from_cache=answer.from_cache)
