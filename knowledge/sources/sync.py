"""`knowledge sync`: refresh what came from live APIs once it is older than the sync window.

- usda: foods with source = fdc_api fetched before the window are asked again (20 per request) and
  updated in place; ids FoodData Central no longer knows keep their row and are marked checked.
- recipes: expired cache entries used within the window are asked again; expired entries nobody used
  within the window are deleted.
- exercises: the only exercise source is the bundled data set, so there are no API rows to refresh.

Each batch is its own unit of work (`database.session()`): an interrupted sync keeps what it did, and a
rate limit or an outage stops it early with a reason instead of failing it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import or_, select, update

from knowledge.embeddings import Embedder
from knowledge.ingest import refresh_vocabulary
from knowledge.sources import cache
from knowledge.sources.errors import SourceError, SourceRateLimited
from knowledge.sources.fdc_store import upsert_fdc_foods
from knowledge.sources.live import LiveSources
from knowledge.sources.recipe_providers import ProviderQuery, RecipeProvider
from knowledge.sources.usda_fdc import MAX_IDS_PER_REQUEST, FdcClient
from store.db import Database
from store.models import Food
from store.models.knowledge import FoodSource

_log = structlog.get_logger(__name__)


class SyncSource(StrEnum):
    USDA = "usda"
    RECIPES = "recipes"
    EXERCISES = "exercises"


SOURCES: tuple[SyncSource, ...] = tuple(SyncSource)


class Progress:
    """Where a sync reports its work; the CLI draws rich progress bars from it, the job ignores it."""

    def start(self, source: str, total: int) -> None:
        pass

    def advance(self, source: str, done: int) -> None:
        pass


@dataclass
class SyncReport:
    source: str
    due: int = 0
    refreshed: int = 0
    gone: int = 0
    purged: int = 0
    failed: int = 0
    # Why the sync stopped before the end (rate limited, source unavailable, not configured), if it did.
    stopped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def due_fdc_ids(database: Database, *, older_than: datetime, limit: int | None = None) -> list[int]:
    """FDC ids of API foods fetched before `older_than` (never-fetched first, then oldest first)."""
    with database.session() as session:
        statement = (
            select(Food.fdc_id)
            .where(
                Food.source == FoodSource.FDC_API,
                Food.fdc_id.is_not(None),
                or_(Food.fetched_at.is_(None), Food.fetched_at < older_than),
            )
            .order_by(Food.fetched_at.asc().nulls_first(), Food.id)
            .limit(limit)
        )
        return [fdc_id for fdc_id in session.scalars(statement) if fdc_id is not None]


def sync_usda(
    database: Database,
    client: FdcClient,
    embedder: Callable[[], Embedder],
    *,
    max_age: timedelta,
    now: datetime | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Refresh API foods older than `max_age` (at most `limit`), oldest first. `embedder()` is called only
    when foods are due: loading the model costs about a second."""
    now = now or cache.utcnow()
    progress = progress or Progress()
    due = due_fdc_ids(database, older_than=now - max_age, limit=limit)
    report = SyncReport("usda", due=len(due))
    progress.start("usda", len(due))
    model = embedder() if due else None
    for start in range(0, len(due), MAX_IDS_PER_REQUEST):
        chunk = due[start : start + MAX_IDS_PER_REQUEST]
        try:
            foods = client.foods(chunk)
        except SourceError as exc:
            report.failed += len(due) - start
            report.stopped = _reason(exc)
            _log.warning("usda sync stopped", reason=report.stopped, remaining=len(due) - start)
            break
        returned = {food.fdc_id for food in foods}
        gone = [fdc_id for fdc_id in chunk if fdc_id not in returned]
        with database.session() as session:
            assert model is not None
            upsert_fdc_foods(session, foods, embedder=model, now=now)
            if gone:
                # Checked and absent upstream: keep the row (plans may use it), ask again next window.
                session.execute(
                    update(Food)
                    .where(Food.source == FoodSource.FDC_API, Food.fdc_id.in_(gone))
                    .values(fetched_at=now)
                )
        report.refreshed += len(foods)
        report.gone += len(gone)
        progress.advance("usda", len(chunk))
    if report.refreshed:
        # New or renamed foods bring words spelling correction must know ("skyr" is not in SR28).
        with database.session() as session:
            refresh_vocabulary(session, "foods")
    return report


def sync_recipes(
    database: Database,
    provider: RecipeProvider | None,
    *,
    ttl: timedelta,
    max_age: timedelta,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> SyncReport:
    """Purge expired entries unused for `max_age`; ask the provider again for expired ones in use."""
    now = now or cache.utcnow()
    progress = progress or Progress()
    window_start = now - max_age
    report = SyncReport("recipes")
    with database.session() as session:
        report.purged = cache.purge(session, unused_since=window_start, now=now)
        due = (
            [
                (entry.id, ProviderQuery.model_validate(entry.query))
                for entry in cache.expired_entries(session, provider.name, used_since=window_start, now=now)
            ]
            if provider is not None and provider.cacheable
            else []
        )
    report.due = len(due)
    progress.start("recipes", len(due))
    for position, (_, query) in enumerate(due):
        assert provider is not None
        try:
            recipes = provider.search(query)
        except SourceError as exc:
            report.failed += len(due) - position
            report.stopped = _reason(exc)
            _log.warning("recipe sync stopped", reason=report.stopped, remaining=len(due) - position)
            break
        with database.session() as session:
            cache.store(session, provider.name, query, recipes, ttl=ttl, now=now, used=False)
        report.refreshed += 1
        progress.advance("recipes", 1)
    return report


def sync_exercises(progress: Progress | None = None) -> SyncReport:
    """Exercises come only from the bundled free-exercise-db (`knowledge load` keeps them current)."""
    (progress or Progress()).start("exercises", 0)
    return SyncReport("exercises", stopped="no live exercise source: bundled data only")


def run_sync(
    database: Database,
    live: LiveSources,
    embedder: Callable[[], Embedder],
    *,
    sources: Sequence[SyncSource] = SOURCES,
    usda_limit: int | None = None,
    progress: Progress | None = None,
) -> list[SyncReport]:
    """Sync each source in turn; one failing source never stops the others. `embedder` is called only
    when foods are due (loading the model costs a second)."""
    reports: list[SyncReport] = []
    for source in sources:
        if source is SyncSource.USDA:
            if live.fdc is None:
                reports.append(SyncReport("usda", stopped=f"not configured: {live.why_not.get('usda')}"))
                continue
            reports.append(
                sync_usda(
                    database,
                    live.fdc,
                    embedder,
                    max_age=live.sync_max_age,
                    limit=usda_limit,
                    progress=progress,
                )
            )
        elif source is SyncSource.RECIPES:
            report = sync_recipes(
                database,
                live.recipes,
                ttl=live.recipe_cache_ttl,
                max_age=live.sync_max_age,
                progress=progress,
            )
            if live.recipes is None:
                report.stopped = f"no live recipe provider: {live.why_not.get('recipes')}"
            reports.append(report)
        else:
            reports.append(sync_exercises(progress))
    for report in reports:
        _log.info("knowledge sync", **report.as_dict())
    return reports


def _reason(exc: SourceError) -> str:
    if isinstance(exc, SourceRateLimited):
        return f"rate limited by {exc.source}; retry in {exc.retry_after_s:.0f} s"
    return f"{exc.source} unavailable: {exc.detail}"
