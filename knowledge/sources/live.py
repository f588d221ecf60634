"""The process's live sources: one HTTP client, one FoodData Central client and one recipe provider.

Build one `LiveSources` per process (API start-up, worker, CLI command) and pass it down: the client-side
rate limits live in these objects, so a client made per request would forget what it spent."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import httpx

from knowledge.sources.errors import SourceError, SourceNotConfigured
from knowledge.sources.http import make_http_client
from knowledge.sources.recipe_providers import EdamamProvider, SpoonacularProvider, make_live_provider
from knowledge.sources.usda_fdc import FdcClient
from store.settings import Settings


class LiveSources:
    """`fdc` / `recipes` are None when not configured; `why_not` says why, for logs and answers."""

    def __init__(
        self,
        settings: Settings,
        http: httpx.Client | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._owns_http = http is None
        self.http = http or make_http_client(settings)
        self.recipe_cache_ttl = timedelta(hours=settings.recipe_cache_ttl_hours)
        self.sync_max_age = timedelta(days=settings.knowledge_sync_max_age_days)
        self.why_not: dict[str, str] = {}
        self.fdc: FdcClient | None = None
        self.recipes: SpoonacularProvider | EdamamProvider | None = None
        try:
            self.fdc = FdcClient.from_settings(settings, self.http, sleep=sleep)
        except SourceNotConfigured as exc:
            self.why_not["usda"] = exc.detail
        try:
            self.recipes = make_live_provider(settings, self.http, sleep=sleep)
        except SourceError as exc:
            self.why_not["recipes"] = exc.detail

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> LiveSources:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
