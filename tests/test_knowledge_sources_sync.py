"""Live sources against the real knowledge tables: FDC rows upserted (and SR Legacy rows matched), the
"local first, FDC second" food lookup, recipes through provider + cache or local, `knowledge sync` and its
periodic job. HTTP answers are recorded-shape fixtures (respx, or a local server for the job)."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from knowledge.embeddings import Embedder
from knowledge.search import FoodQuery
from knowledge.sources import cache
from knowledge.sources.fdc_store import flags_for, upsert_fdc_foods
from knowledge.sources.http import RetryPolicy
from knowledge.sources.live import LiveSources
from knowledge.sources.lookup import search_foods_with_fdc, search_recipes_with_provider
from knowledge.sources.recipe_providers import ProviderQuery, SpoonacularProvider
from knowledge.sources.sync import run_sync, sync_recipes, sync_usda
from knowledge.sources.usda_fdc import FdcClient, parse_food
from store.db import Database
from store.models import Food, FoodNutrients, FoodPortion, RecipeCacheEntry
from store.models.knowledge import FoodSource
from store.settings import Settings
from store.vocabulary import Allergen, Diet
from tools.knowledge_sync import SYNC_PERIODIC_ID, SYNC_QUEUE, SYNC_TASK, register_knowledge_sync

FIXTURES = Path(__file__).parent / "fixtures"
FDC = "https://fdc.test"
SPOON = "https://spoon.test"
TTL = timedelta(hours=24)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.MockRouter(assert_all_called=False) as mock_router:
        yield mock_router


@pytest.fixture
def http(router: respx.MockRouter) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(router.handler)) as client:
        yield client


@pytest.fixture
def fdc(http: httpx.Client) -> FdcClient:
    return FdcClient(
        http, api_key="k", base_url=FDC, retry=RetryPolicy(max_attempts=2, jitter_s=0), sleep=lambda _: None
    )


def detailed(name: str) -> Any:
    return parse_food(fixture(name), detailed=True)


def api_food(session: Session, fdc_id: int) -> Food | None:
    return session.scalars(
        select(Food).where(Food.source == FoodSource.FDC_API, Food.source_id == str(fdc_id))
    ).one_or_none()


def sr28_food(session: Session, ndb: int) -> Food:
    return session.scalars(
        select(Food).where(Food.source == FoodSource.SR28, Food.source_id == str(ndb))
    ).one()


# --- upserting FDC foods ----------------------------------------------------------------------------------


class TestUpsert:
    def test_sr_legacy_food_matches_its_bundled_row_by_ndb_number(
        self, live_rows: Embedder, database: Database
    ) -> None:
        egg = detailed("fdc_food_171287.json")
        egg.nutrients[1008] = 150.0  # a changed API value must not overwrite the curated SR28 row
        with database.session() as session:
            (result,) = upsert_fdc_foods(session, [egg], embedder=live_rows, now=cache.utcnow())
        with database.session() as session:
            local = sr28_food(session, 1123)
            assert (result.action, result.food_id) == ("matched_local", local.id)
            assert local.fdc_id == 171287
            assert session.get(FoodNutrients, local.id).kcal == 143  # type: ignore[union-attr]
            assert api_food(session, 171287) is None

    def test_new_food_is_stored_as_fdc_api_with_nutrients_portions_flags_and_embedding(
        self, live_rows: Embedder, database: Database
    ) -> None:
        flour = detailed("fdc_food_2261421.json")
        first_at = cache.utcnow() - timedelta(days=3)
        with database.session() as session:
            (first,) = upsert_fdc_foods(session, [flour], embedder=live_rows, now=first_at)
        with database.session() as session:
            (second,) = upsert_fdc_foods(session, [flour], embedder=live_rows, now=cache.utcnow())
        assert (first.action, second.action) == ("inserted", "updated")
        assert first.food_id == second.food_id
        with database.session() as session:
            row = api_food(session, 2261421)
            assert row is not None
            assert (row.fdc_id, row.data_type, row.category) == (
                2261421,
                "foundation",
                "Nut and Seed Products",
            )
            assert row.fetched_at is not None
            assert row.fetched_at > first_at
            assert Allergen.TREE_NUT.value in row.allergens  # "almond", by the loader's own rules
            assert row.embedding is not None
            assert row.embedding_key
            nutrients = session.get(FoodNutrients, row.id)
            assert nutrients is not None
            assert (nutrients.kcal, nutrients.protein_g, nutrients.fiber_g) == (613.0, 26.2, 9.3)
            assert nutrients.other["1092"] == 677.0  # potassium, in the long part
            portions = session.scalars(select(FoodPortion).where(FoodPortion.food_id == row.id)).all()
            assert sorted((p.measure, p.gram_weight) for p in portions) == [
                ("cup", 112.0),
                ("tablespoon, sifted", 7.0),
            ]

    def test_branded_food_adds_the_flags_of_its_label_ingredients(self, live_rows: Embedder) -> None:
        raw = copy.deepcopy(fixture("fdc_search_egg.json")["foods"][1])
        raw["ingredients"] = "EGG WHITES, SOY LECITHIN, XANTHAN GUM."
        flags = flags_for(parse_food(raw, detailed=True))
        assert {Allergen.EGG, Allergen.SOY} <= flags.allergens
        assert Diet.VEGAN not in flags.diets

    def test_food_whose_content_we_cannot_see_is_flagged_like_a_composite_dish(
        self, live_rows: Embedder
    ) -> None:
        raw = copy.deepcopy(fixture("fdc_search_egg.json")["foods"][1])
        raw.pop("ingredients")
        raw["description"] = "Burrito with beans"
        raw["dataType"] = "Survey (FNDDS)"
        flags = flags_for(parse_food(raw, detailed=True))
        assert {Allergen.MILK, Allergen.WHEAT, Allergen.GLUTEN} <= flags.allergens
        assert Diet.VEGETARIAN not in flags.diets


# --- local first, FDC second -------------------------------------------------------------------------------


class TestFoodLookup:
    @pytest.mark.parametrize("query", ["chicken breast roasted", "brocoli", "courgette", "greek yogurt"])
    def test_a_local_hit_naming_every_query_word_never_asks_fdc(
        self, live_rows: Embedder, database: Database, fdc: FdcClient, router: respx.MockRouter, query: str
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/foods/search").respond(json=fixture("fdc_search_egg.json"))
        with database.session() as session:
            found = search_foods_with_fdc(session, live_rows, FoodQuery(query), fdc)
        assert route.call_count == 0
        assert not found.used_live
        assert found.live_error is None
        assert found.candidates

    def test_a_food_missing_locally_is_fetched_once_and_local_afterwards(
        self, live_rows: Embedder, database: Database, fdc: FdcClient, router: respx.MockRouter
    ) -> None:
        search = router.get(f"{FDC}/fdc/v1/foods/search").respond(
            json=fixture("fdc_search_almond_flour.json")
        )
        details = router.get(f"{FDC}/fdc/v1/foods").respond(json=[fixture("fdc_food_2261421.json")])
        query = FoodQuery("almond flour")
        with database.session() as session:
            first = search_foods_with_fdc(session, live_rows, query, fdc)
        assert [f.fdc_id for f in first.fetched] == [2261421]
        assert details.calls.last.request.url.params["fdcIds"] == "2261421"
        assert first.candidates[0].row["name"] == "Flour, almond"
        assert first.candidates[0].row["source"] == FoodSource.FDC_API.value

        with database.session() as session:
            again = search_foods_with_fdc(session, live_rows, query, fdc)
        assert (search.call_count, details.call_count) == (1, 1)
        assert not again.used_live
        assert again.candidates[0].row["name"] == "Flour, almond"

    def test_filters_apply_to_fetched_foods_too(
        self, live_rows: Embedder, database: Database, fdc: FdcClient, router: respx.MockRouter
    ) -> None:
        router.get(f"{FDC}/fdc/v1/foods/search").respond(json=fixture("fdc_search_almond_flour.json"))
        router.get(f"{FDC}/fdc/v1/foods").respond(json=[fixture("fdc_food_2261421.json")])
        query = FoodQuery("almond flour", exclude_allergens=(Allergen.TREE_NUT,))
        with database.session() as session:
            found = search_foods_with_fdc(session, live_rows, query, fdc)
        assert found.used_live  # fetched and stored …
        assert all(c.row["name"] != "Flour, almond" for c in found.candidates)  # … but not offered

    def test_fdc_outage_leaves_local_results_and_stores_nothing(
        self, live_rows: Embedder, database: Database, fdc: FdcClient, router: respx.MockRouter
    ) -> None:
        router.get(f"{FDC}/fdc/v1/foods/search").respond(503)
        with database.session() as session:
            found = search_foods_with_fdc(session, live_rows, FoodQuery("almond flour"), fdc)
            assert api_food(session, 2261421) is None
        assert found.live_error is not None
        assert "503" in found.live_error
        assert not found.used_live

    def test_without_a_key_the_answer_is_local_and_says_why(
        self, live_rows: Embedder, database: Database
    ) -> None:
        with database.session() as session:
            found = search_foods_with_fdc(session, live_rows, FoodQuery("almond flour"), None)
        assert found.live_error == "usda: no API key configured"


# --- recipes: provider through the cache, else local --------------------------------------------------------


class TestRecipeLookup:
    def test_no_provider_answers_from_the_local_collection(
        self, live_rows: Embedder, database: Database
    ) -> None:
        query = ProviderQuery(text="pasta", limit=3)
        with database.session() as session:
            found = search_recipes_with_provider(
                session, live_rows, query, None, ttl=TTL, not_configured="recipe_provider is local"
            )
        assert found.provider == "local"
        assert found.live_error == "recipe_provider is local"
        assert 0 < len(found.recipes) <= 3
        assert all(r.provider == "local" for r in found.recipes)

    def test_provider_answer_is_cached_and_an_outage_falls_back_to_local(
        self, live_rows: Embedder, database: Database, http: httpx.Client, router: respx.MockRouter
    ) -> None:
        provider = SpoonacularProvider(http, api_key="k", base_url=SPOON, retry=RetryPolicy(max_attempts=1))
        route = router.get(f"{SPOON}/recipes/complexSearch")
        route.side_effect = [
            httpx.Response(200, json=fixture("spoonacular_complex_search.json")),
            httpx.Response(500),
        ]
        curry = ProviderQuery(text="curry")
        with database.session() as session:
            first = search_recipes_with_provider(session, live_rows, curry, provider, ttl=TTL)
            second = search_recipes_with_provider(session, live_rows, curry, provider, ttl=TTL)
            outage = search_recipes_with_provider(
                session, live_rows, ProviderQuery(text="soup"), provider, ttl=TTL
            )
        assert (first.provider, first.from_cache, second.from_cache) == ("spoonacular", False, True)
        assert len(second.recipes) == 3
        assert route.call_count == 2
        assert outage.provider == "local"
        assert outage.live_error is not None


# --- knowledge sync -----------------------------------------------------------------------------------------


def _age_api_foods(database: Database, days: int) -> None:
    with database.session() as session:
        session.execute(
            update(Food)
            .where(Food.source == FoodSource.FDC_API)
            .values(fetched_at=cache.utcnow() - timedelta(days=days))
        )


class TestSyncUsda:
    def test_old_api_foods_are_refreshed_and_fresh_ones_left_alone(
        self, live_rows: Embedder, database: Database, fdc: FdcClient, router: respx.MockRouter
    ) -> None:
        flour = detailed("fdc_food_2261421.json")
        with database.session() as session:
            upsert_fdc_foods(session, [flour], embedder=live_rows, now=cache.utcnow())
        changed = copy.deepcopy(fixture("fdc_food_2261421.json"))
        for entry in changed["foodNutrients"]:
            if entry["nutrient"]["id"] == 1003:
                entry["amount"] = 21.4  # FDC revised the protein value
        route = router.get(f"{FDC}/fdc/v1/foods").respond(json=[changed])

        fresh = sync_usda(database, fdc, lambda: live_rows, max_age=timedelta(days=30))
        assert (fresh.due, route.call_count) == (0, 0)

        _age_api_foods(database, days=31)
        report = sync_usda(database, fdc, lambda: live_rows, max_age=timedelta(days=30))
        assert (report.due, report.refreshed, report.gone, report.stopped) == (1, 1, 0, None)
        with database.session() as session:
            row = api_food(session, 2261421)
            assert row is not None
            assert row.fetched_at is not None
            assert row.fetched_at > cache.utcnow() - timedelta(minutes=5)
            assert session.get(FoodNutrients, row.id).protein_g == 21.4  # type: ignore[union-attr]

    def test_foods_fdc_no_longer_knows_are_kept_and_marked_checked(
        self, live_rows: Embedder, database: Database, fdc: FdcClient, router: respx.MockRouter
    ) -> None:
        with database.session() as session:
            upsert_fdc_foods(
                session, [detailed("fdc_food_2261421.json")], embedder=live_rows, now=cache.utcnow()
            )
        _age_api_foods(database, days=40)
        router.get(f"{FDC}/fdc/v1/foods").respond(json=[])
        report = sync_usda(database, fdc, lambda: live_rows, max_age=timedelta(days=30))
        assert (report.due, report.refreshed, report.gone) == (1, 0, 1)
        assert sync_usda(database, fdc, lambda: live_rows, max_age=timedelta(days=30)).due == 0

    def test_a_rate_limit_stops_the_sync_with_a_reason(
        self, live_rows: Embedder, database: Database, fdc: FdcClient, router: respx.MockRouter
    ) -> None:
        with database.session() as session:
            upsert_fdc_foods(
                session, [detailed("fdc_food_2261421.json")], embedder=live_rows, now=cache.utcnow()
            )
        _age_api_foods(database, days=40)
        router.get(f"{FDC}/fdc/v1/foods").respond(429, headers={"Retry-After": "3600"})
        report = sync_usda(database, fdc, lambda: live_rows, max_age=timedelta(days=30))
        assert (report.due, report.refreshed, report.failed) == (1, 0, 1)
        assert report.stopped is not None
        assert report.stopped.startswith("rate limited by usda_fdc")


def test_sync_recipes_refreshes_entries_in_use_and_purges_the_rest(
    live_rows: Embedder, database: Database, http: httpx.Client, router: respx.MockRouter
) -> None:
    provider = SpoonacularProvider(http, api_key="k", base_url=SPOON, retry=RetryPolicy(max_attempts=1))
    route = router.get(f"{SPOON}/recipes/complexSearch").respond(
        json=fixture("spoonacular_complex_search.json")
    )
    now = cache.utcnow()
    with database.session() as session:
        cache.store(
            session, "spoonacular", ProviderQuery(text="used"), [], ttl=TTL, now=now - timedelta(days=2)
        )
        cache.store(
            session, "spoonacular", ProviderQuery(text="unused"), [], ttl=TTL, now=now - timedelta(days=60)
        )
    report = sync_recipes(database, provider, ttl=TTL, max_age=timedelta(days=30))
    assert (report.due, report.refreshed, report.purged) == (1, 1, 1)
    assert route.calls.last.request.url.params["query"] == "used"
    with database.session() as session:
        (entry,) = session.scalars(select(RecipeCacheEntry)).all()
        assert len(entry.results) == 3
        assert entry.expires_at > now


def test_run_sync_reports_every_source_even_when_not_configured(
    live_rows: Embedder, database: Database, settings: Settings
) -> None:
    with LiveSources(settings) as live:
        reports = run_sync(database, live, lambda: live_rows)
    by_source = {r.source: r for r in reports}
    assert list(by_source) == ["usda", "recipes", "exercises"]
    assert by_source["usda"].stopped is not None
    assert by_source["usda"].stopped.startswith("not configured")
    assert by_source["recipes"].stopped is not None
    assert by_source["exercises"].stopped is not None


# --- the periodic job ---------------------------------------------------------------------------------


class _FakeSpoonacular(BaseHTTPRequestHandler):
    """A local stand-in for api.spoonacular.com serving the recorded complexSearch answer."""

    requests: list[str] = []  # noqa: RUF012 - one class per test, made by the fixture

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = (FIXTURES / "spoonacular_complex_search.json").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def fake_spoonacular() -> Iterator[tuple[str, type[_FakeSpoonacular]]]:
    handler: type[_FakeSpoonacular] = type("Handler", (_FakeSpoonacular,), {"requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_the_periodic_job_runs_the_sync_in_a_worker(
    live_rows: Embedder,
    clean_database: Database,
    settings: Settings,
    fake_spoonacular: tuple[str, type[_FakeSpoonacular]],
) -> None:
    from tools import jobs

    base_url, handler = fake_spoonacular
    job_settings = Settings(
        **(
            settings.model_dump()
            | {
                "recipe_provider": "spoonacular",
                "spoonacular_api_key": "k",
                "spoonacular_base_url": base_url,
                "knowledge_sync_cron": "30 4 * * *",
            }
        ),
        _env_file=None,
    )
    now = cache.utcnow()
    with clean_database.session() as session:
        cache.store(
            session, "spoonacular", ProviderQuery(text="curry"), [], ttl=TTL, now=now - timedelta(days=2)
        )

    app = jobs.create_job_app(clean_database)
    register_knowledge_sync(app, clean_database, job_settings)
    periodic = app.periodic_registry.periodic_tasks[(SYNC_TASK, SYNC_PERIODIC_ID)]
    assert periodic.cron == "30 4 * * *"

    async def defer_and_work() -> None:
        async with app.open_async():
            await app.configure_task(SYNC_TASK).defer_async(timestamp=0)
            await app.run_worker_async(queues=[SYNC_QUEUE], wait=False, install_signal_handlers=False)

    asyncio.run(defer_and_work())

    assert len(handler.requests) == 1
    assert "query=curry" in handler.requests[0]
    with clean_database.session() as session:
        (entry,) = session.scalars(select(RecipeCacheEntry)).all()
        assert len(entry.results) == 3
        assert entry.expires_at > now
        statuses = (
            session.execute(
                text("SELECT status FROM procrastinate_jobs WHERE task_name = :name"), {"name": SYNC_TASK}
            )
            .scalars()
            .all()
        )
    assert statuses == ["succeeded"]


# --- the command ---------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(database: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The environment `nexfitra` reads its settings from: the test database, no USDA key, no .env."""
    monkeypatch.setenv("NEXFITRA_DATABASE_URL", database.url)
    monkeypatch.setenv("NEXFITRA_VAR_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "USDA_API_KEY", "NEXFITRA_USDA_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    try:
        yield
    finally:
        with database.engine.begin() as conn:
            conn.execute(text("TRUNCATE recipe_cache"))


def test_sync_command_refreshes_recipes_and_prints_a_summary(
    cli_env: None,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    fake_spoonacular: tuple[str, type[_FakeSpoonacular]],
) -> None:
    from typer.testing import CliRunner

    from api.cli import app as cli

    base_url, handler = fake_spoonacular
    monkeypatch.setenv("NEXFITRA_RECIPE_PROVIDER", "spoonacular")
    monkeypatch.setenv("NEXFITRA_SPOONACULAR_API_KEY", "k")
    monkeypatch.setenv("NEXFITRA_SPOONACULAR_BASE_URL", base_url)
    with database.session() as session:
        cache.store(
            session,
            "spoonacular",
            ProviderQuery(text="soup"),
            [],
            ttl=TTL,
            now=cache.utcnow() - timedelta(days=3),
        )

    result = CliRunner().invoke(cli, ["knowledge", "sync", "--source", "recipes", "--source", "usda"])
    assert result.exit_code == 0, result.output
    assert len(handler.requests) == 1
    assert "knowledge sync" in result.output
    assert "not configured" in result.output  # usda: no key
    with database.session() as session:
        (entry,) = session.scalars(select(RecipeCacheEntry)).all()
        assert len(entry.results) == 3


def test_sync_command_refuses_an_unknown_source(cli_env: None) -> None:
    from typer.testing import CliRunner

    from api.cli import app as cli

    result = CliRunner().invoke(cli, ["knowledge", "sync", "--source", "wger"])
    assert result.exit_code == 2
    assert "unknown source(s) wger" in result.output
