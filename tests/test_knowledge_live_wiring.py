"""Live sources wired in: SR28 reloads keep live FDC ids, /foods/search falls back to FoodData Central
when a USDA key is configured (and to local results when FDC fails), syncs refresh the spelling words."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from knowledge import ingest
from knowledge.datasets import read_foods
from knowledge.embeddings import Embedder
from knowledge.runtime import knowledge_root
from knowledge.search import correct_spelling
from knowledge.sources import cache
from knowledge.sources.fdc_store import upsert_fdc_foods
from knowledge.sources.http import RetryPolicy
from knowledge.sources.live import LiveSources
from knowledge.sources.sync import sync_usda
from knowledge.sources.usda_fdc import FdcClient, parse_food
from store.db import Database
from store.models import Food
from store.models.knowledge import FoodSource
from store.settings import Settings
from tests.factories import Factory

EGG_NDB = "1123"
EGG_FDC_ID = 171287
FIXTURES = Path(__file__).parent / "fixtures"
FDC = "https://fdc.test"
SEARCH = f"{FDC}/fdc/v1/foods/search"
DETAILS = f"{FDC}/fdc/v1/foods"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def _egg(session: Session) -> Food:
    return session.scalars(
        select(Food).where(Food.source == FoodSource.SR28, Food.source_id == EGG_NDB)
    ).one()


class TestReloadKeepsLiveIds:
    def test_bundled_reload_keeps_fdc_id_and_fetched_at_but_a_new_value_wins(
        self, live_rows: Embedder, database: Database, settings: Settings
    ) -> None:
        (record,) = [r for r in read_foods(knowledge_root(settings)) if r.source_id == EGG_NDB]
        assert record.fdc_id is None  # the bundled data does not know FDC ids
        seen_at = cache.utcnow()
        with database.session() as session:
            egg = _egg(session)
            egg.fdc_id, egg.fetched_at = EGG_FDC_ID, seen_at
        with database.session() as session:
            ingest.upsert_foods(session, live_rows, [record])
        with database.session() as session:
            egg = _egg(session)
            assert (egg.fdc_id, egg.fetched_at) == (EGG_FDC_ID, seen_at)
        with database.session() as session:
            ingest.upsert_foods(session, live_rows, [dataclasses.replace(record, fdc_id=EGG_FDC_ID + 1)])
        with database.session() as session:
            assert _egg(session).fdc_id == EGG_FDC_ID + 1


# --- /foods/search with FoodData Central behind it ---------------------------------------------------------


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.MockRouter(assert_all_called=False) as mock_router:
        yield mock_router


def _client(
    settings: Settings, database: Database, router: respx.MockRouter, *, key: str | None
) -> Iterator[TestClient]:
    """The real app and route, with LiveSources' HTTP layer served by `router` (no network)."""
    from api.app import create_app

    configured = settings.model_copy(
        update={"usda_api_key": SecretStr(key) if key else None, "usda_base_url": FDC}
    )
    with (
        httpx.Client(transport=httpx.MockTransport(router.handler)) as http,
        LiveSources(configured, http, sleep=lambda _: None) as live,
        TestClient(create_app(configured, database=database, live=live)) as client,
    ):
        assert (live.fdc is None) == (key is None)
        yield client


@pytest.fixture
def keyed(
    live_rows: Embedder, settings: Settings, clean_database: Database, router: respx.MockRouter
) -> Iterator[TestClient]:
    yield from _client(settings, clean_database, router, key="k")


@pytest.fixture
def keyless(
    live_rows: Embedder, settings: Settings, clean_database: Database, router: respx.MockRouter
) -> Iterator[TestClient]:
    yield from _client(settings, clean_database, router, key=None)


def _search(client: TestClient, factory: Factory, q: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/foods/search", params={"q": q, "limit": 5}, headers=factory.user().headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _api_rows(database: Database) -> int:
    with database.session() as session:
        return len(session.scalars(select(Food.id).where(Food.source == FoodSource.FDC_API)).all())


class TestFoodSearchRoute:
    def test_a_food_missing_locally_is_fetched_stored_and_then_answered_locally(
        self, keyed: TestClient, factory: Factory, router: respx.MockRouter, database: Database
    ) -> None:
        search = router.get(SEARCH).respond(json=fixture("fdc_search_almond_flour.json"))
        details = router.get(DETAILS).respond(json=[fixture("fdc_food_2261421.json")])
        first = _search(keyed, factory, "almond flour")
        assert (first[0]["description"], first[0]["data_type"]) == ("Flour, almond", "foundation")
        assert "tree_nut" in first[0]["allergens"]
        assert (search.call_count, details.call_count) == (1, 1)
        assert _api_rows(database) == 1
        again = _search(keyed, factory, "almond flour")
        assert again[0]["id"] == first[0]["id"]
        assert (search.call_count, details.call_count) == (1, 1)  # now local: FDC not asked again

    def test_a_fetched_food_s_words_are_spelling_corrected_at_once(
        self, keyed: TestClient, factory: Factory, router: respx.MockRouter, database: Database
    ) -> None:
        """Not only after the next sync: a misspelling of a word that only the fetched food has is
        corrected on the very next search."""
        router.get(SEARCH).respond(json=fixture("fdc_search_almond_flour.json"))
        renamed = {**fixture("fdc_food_2261421.json"), "description": "Flour, almond, zorblatt"}
        router.get(DETAILS).respond(json=[renamed])
        assert not _has_term(database, "zorblatt")
        _search(keyed, factory, "almond flour")
        assert _has_term(database, "zorblatt")
        with database.session() as session:
            assert correct_spelling(session, "foods", "zorblat flour") == "zorblatt flour"

    def test_a_local_staple_never_asks_fdc(
        self, keyed: TestClient, factory: Factory, router: respx.MockRouter
    ) -> None:
        search = router.get(SEARCH).respond(json=fixture("fdc_search_egg.json"))
        assert _search(keyed, factory, "egg")[0]["description"].startswith("Egg, whole")
        assert search.call_count == 0

    @pytest.mark.parametrize(
        "failure",
        [
            pytest.param({"return_value": httpx.Response(500, json={"error": "boom"})}, id="http-500"),
            pytest.param({"side_effect": httpx.ReadTimeout("slow")}, id="timeout"),
            pytest.param({"side_effect": RuntimeError("unexpected")}, id="unexpected-error"),
        ],
    )
    def test_fdc_failure_answers_with_the_local_results(
        self,
        keyed: TestClient,
        keyless: TestClient,
        factory: Factory,
        router: respx.MockRouter,
        database: Database,
        failure: dict[str, Any],
    ) -> None:
        search = router.get(SEARCH).mock(**failure)
        live = _search(keyed, factory, "almond flour")
        assert search.call_count >= 1
        assert live  # local rows (almonds, flours), not an error
        assert [i["id"] for i in live] == [i["id"] for i in _search(keyless, factory, "almond flour")]
        assert _api_rows(database) == 0

    def test_without_a_key_search_is_local_only(
        self, keyless: TestClient, factory: Factory, router: respx.MockRouter, database: Database
    ) -> None:
        search = router.get(SEARCH).respond(json=fixture("fdc_search_almond_flour.json"))
        items = _search(keyless, factory, "almond flour")
        assert items
        assert all(i["data_type"] != "foundation" for i in items)
        assert search.call_count == 0
        assert _api_rows(database) == 0


# --- sync refreshes the spelling vocabulary ---------------------------------------------------------------


def _has_term(database: Database, term: str) -> bool:
    with database.session() as session:
        found = session.execute(
            text("SELECT 1 FROM search_terms WHERE domain = 'foods' AND term = :t"), {"t": term}
        ).first()
        return found is not None


def test_a_sync_that_updates_foods_adds_their_words_to_the_vocabulary(
    live_rows: Embedder, database: Database, router: respx.MockRouter
) -> None:
    raw = fixture("fdc_food_2261421.json")
    now = cache.utcnow()
    with database.session() as session:
        upsert_fdc_foods(
            session, [parse_food(raw, detailed=True)], embedder=live_rows, now=now - timedelta(days=90)
        )
    renamed = {**raw, "description": "Flour, almond, zorblatt"}
    router.get(DETAILS).respond(json=[renamed])
    assert not _has_term(database, "zorblatt")
    with httpx.Client(transport=httpx.MockTransport(router.handler)) as http:
        client = FdcClient(
            http,
            api_key="k",
            base_url=FDC,
            retry=RetryPolicy(max_attempts=1, jitter_s=0),
            sleep=lambda _: None,
        )
        report = sync_usda(database, client, lambda: live_rows, max_age=timedelta(days=30), now=now)
    assert report.refreshed == 1
    assert _has_term(database, "zorblatt")
