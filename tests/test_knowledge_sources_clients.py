"""Live-source clients against recorded-shape fixtures (respx routes or a local server): parsing, filters,
retries with backoff and Retry-After, client-side rate limit, timeouts and typed errors. No network."""

from __future__ import annotations

import copy
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from knowledge.sources.errors import (
    SourceNotConfigured,
    SourceNotFound,
    SourceRateLimited,
    SourceUnavailable,
    UnsupportedFilter,
)
from knowledge.sources.http import RetryPolicy, parse_retry_after
from knowledge.sources.recipe_providers import (
    EdamamProvider,
    ProviderQuery,
    SpoonacularProvider,
    make_live_provider,
    parse_edamam,
)
from knowledge.sources.usda_fdc import FdcClient, parse_food
from store.settings import Settings
from store.vocabulary import Allergen, Diet

FIXTURES = Path(__file__).parent / "fixtures"
FDC = "https://fdc.test"
SPOON = "https://spoon.test"
EDAMAM = "https://edamam.test"
KEY = "test-key-123"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class Sleeps(list[float]):
    """Records the waits tenacity asks for instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    with respx.MockRouter(assert_all_called=False) as mock_router:
        yield mock_router


@pytest.fixture
def http(router: respx.MockRouter) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(router.handler)) as client:
        yield client


def fdc_client(http: httpx.Client, sleeps: Sleeps, **kwargs: Any) -> FdcClient:
    kwargs.setdefault(
        "retry", RetryPolicy(max_attempts=4, initial_backoff_s=0.5, max_backoff_s=30, jitter_s=0.1)
    )
    return FdcClient(http, api_key=KEY, base_url=FDC, sleep=sleeps, **kwargs)


def _settings(**overrides: Any) -> Settings:
    return Settings(_env_file=None, **overrides)


# --- FoodData Central: parsing --------------------------------------------------------------------------


class TestFdcParsing:
    def test_search_maps_sr_legacy_nutrients_by_fdc_id_in_local_units(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/foods/search").respond(json=fixture("fdc_search_egg.json"))
        egg, branded = fdc_client(http, sleeps).search("egg", page_size=5)

        assert (egg.fdc_id, egg.ndb_number, egg.data_type) == (171287, 1123, "SR Legacy")
        assert egg.category == "Dairy and Egg Products"
        assert egg.nutrients[1008] == 143  # kcal, the KCAL row — not the 598 kJ row
        assert egg.nutrients[1003] == 12.56
        assert egg.nutrients[1103] == 30.7  # selenium, "UG" read as ug
        assert 1062 not in egg.nutrients
        assert egg.portions == []
        assert not egg.detailed
        assert (branded.data_type, branded.brand_owner, branded.nutrients[1008]) == (
            "Branded",
            "Example Farms Inc.",
            54.0,
        )
        request = route.calls.last.request
        assert request.headers["X-Api-Key"] == KEY
        assert KEY not in str(request.url)
        assert request.url.params["query"] == "egg"
        assert request.url.params["pageSize"] == "5"
        assert request.url.params["dataType"] == "Foundation,SR Legacy,Survey (FNDDS)"

    def test_food_detail_reads_nested_nutrients_micrograms_and_sr_portions(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        router.get(f"{FDC}/fdc/v1/food/171287").respond(json=fixture("fdc_food_171287.json"))
        egg = fdc_client(http, sleeps).food(171287)

        assert egg.detailed
        assert egg.ndb_number == 1123
        assert egg.nutrients[1106] == 160  # vitamin A RAE, "µg"
        assert egg.nutrients[1253] == 372  # cholesterol mg
        assert 1110 not in egg.nutrients  # vitamin D in IU is not one of ours
        assert len(egg.nutrients) == 32
        portions = {p.measure: p.gram_weight for p in egg.portions}
        assert portions["large"] == 50
        assert portions["cup (4.86 large eggs)"] == 243
        assert len(egg.portions) == 6

    def test_foundation_food_takes_energy_from_atwater_and_names_portions_by_unit(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        router.get(f"{FDC}/fdc/v1/food/2261421").respond(json=fixture("fdc_food_2261421.json"))
        flour = fdc_client(http, sleeps).food(2261421)

        assert flour.ndb_number is None
        assert flour.data_type == "Foundation"
        assert flour.nutrients[1008] == 613.0  # Atwater general factors, no 1008 row in the answer
        assert flour.nutrients[1103] == 1.9
        assert 1009 not in flour.nutrients  # starch: not kept locally
        assert [(p.measure, p.gram_weight) for p in flour.portions] == [
            ("cup", 112.0),
            ("tablespoon, sifted", 7.0),
        ]

    def test_energy_only_in_kilojoules_is_converted_and_milligrams_scale(self) -> None:
        raw = {
            "fdcId": 1,
            "description": "Test food",
            "dataType": "Survey (FNDDS)",
            "foodNutrients": [
                {"nutrient": {"id": 1062, "number": "268", "unitName": "kJ"}, "amount": 418.4},
                {"nutrient": {"id": 1093, "number": "307", "unitName": "g"}, "amount": 0.25},
                {"number": "203", "name": "Protein", "amount": 7.5, "unitName": "g"},
                {"nutrient": {"id": 1004, "number": "204", "unitName": "g"}, "amount": -1},
            ],
            "foodPortions": [{"portionDescription": "1 cup", "gramWeight": 240, "amount": 1}],
        }
        food = parse_food(raw, detailed=True)
        assert food.nutrients == {1008: 100.0, 1093: 250.0, 1003: 7.5}  # negative fat dropped
        assert [(p.measure, p.gram_weight) for p in food.portions] == [("1 cup", 240.0)]

    def test_unreadable_food_is_source_unavailable(self) -> None:
        with pytest.raises(SourceUnavailable, match="unexpected food shape"):
            parse_food({"description": "no id"}, detailed=False)

    def test_bulk_lookup_asks_twenty_ids_per_request(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        bulk = fixture("fdc_foods_bulk.json")

        def answer(request: httpx.Request) -> httpx.Response:
            asked = {int(i) for i in request.url.params["fdcIds"].split(",")}
            return httpx.Response(200, json=[f for f in bulk if f["fdcId"] in asked])

        route = router.get(f"{FDC}/fdc/v1/foods").mock(side_effect=answer)
        ids = [171287, *range(900000, 900023), 170379]  # 25 ids, two of them known
        foods = fdc_client(http, sleeps).foods(ids)

        assert route.call_count == 2
        assert [len(c.request.url.params["fdcIds"].split(",")) for c in route.calls] == [20, 5]
        assert {f.fdc_id for f in foods} == {171287, 170379}
        assert all(f.detailed for f in foods)


# --- FoodData Central: failures -------------------------------------------------------------------------


class TestFdcFailures:
    def test_429_with_retry_after_waits_that_long_then_succeeds(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/food/171287")
        route.side_effect = [
            httpx.Response(429, headers={"Retry-After": "3"}, json=fixture("fdc_error_over_rate_limit.json")),
            httpx.Response(200, json=fixture("fdc_food_171287.json")),
        ]
        client = fdc_client(http, sleeps)
        assert client.food(171287).fdc_id == 171287
        assert route.call_count == 2
        assert client.requests_sent == 2
        assert len(sleeps) == 1
        assert sleeps[0] >= 3.0

    def test_retry_after_longer_than_we_wait_fails_at_once_as_rate_limited(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/foods/search").respond(
            429, headers={"Retry-After": "3600"}, json=fixture("fdc_error_over_rate_limit.json")
        )
        with pytest.raises(SourceRateLimited) as caught:
            fdc_client(http, sleeps).search("egg")
        assert caught.value.retry_after_s == 3600
        assert route.call_count == 1
        assert sleeps == []

    def test_persistent_5xx_backs_off_exponentially_then_is_unavailable(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/food/1").respond(503)
        with pytest.raises(SourceUnavailable, match="HTTP 503") as caught:
            fdc_client(http, sleeps).food(1)
        assert not isinstance(caught.value, SourceRateLimited)
        assert route.call_count == 4
        # initial 0.5 s doubling, each plus up to 0.1 s of jitter
        assert len(sleeps) == 3
        for wait_s, base_s in zip(sleeps, (0.5, 1.0, 2.0), strict=True):
            assert base_s <= wait_s <= base_s + 0.1

    def test_timeouts_are_retried_then_unavailable(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/foods/search").mock(side_effect=httpx.ReadTimeout("slow"))
        with pytest.raises(SourceUnavailable, match="timed out"):
            fdc_client(http, sleeps, retry=RetryPolicy(max_attempts=2, jitter_s=0)).search("egg")
        assert route.call_count == 2

    def test_invalid_key_is_unavailable_and_not_retried(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/foods/search").respond(
            403, json=fixture("fdc_error_api_key_invalid.json")
        )
        with pytest.raises(SourceUnavailable, match="credentials refused") as caught:
            fdc_client(http, sleeps).search("egg")
        assert KEY not in str(caught.value)
        assert route.call_count == 1

    def test_unknown_id_is_not_found(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        router.get(f"{FDC}/fdc/v1/food/99").respond(404, json={"error": "not found"})
        with pytest.raises(SourceNotFound):
            fdc_client(http, sleeps).food(99)

    def test_html_instead_of_json_is_unavailable(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        router.get(f"{FDC}/fdc/v1/foods/search").respond(200, text="<html>maintenance</html>")
        with pytest.raises(SourceUnavailable, match="not JSON"):
            fdc_client(http, sleeps).search("egg")

    def test_client_side_limit_refuses_without_sending(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{FDC}/fdc/v1/foods/search").respond(json=fixture("fdc_search_egg.json"))
        client = fdc_client(http, sleeps, rate_limit="2/hour")
        client.search("egg")
        client.search("egg")
        with pytest.raises(SourceRateLimited, match="client-side limit") as caught:
            client.search("egg")
        assert route.call_count == 2
        assert 0 < caught.value.retry_after_s <= 3600

    def test_each_client_holds_its_own_budget(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        router.get(f"{FDC}/fdc/v1/foods/search").respond(json=fixture("fdc_search_egg.json"))
        fdc_client(http, sleeps, rate_limit="1/hour").search("egg")
        fdc_client(http, sleeps, rate_limit="1/hour").search("egg")  # a new client, a new budget

    def test_without_a_key_the_client_is_not_configured(self, http: httpx.Client) -> None:
        with pytest.raises(SourceNotConfigured):
            FdcClient.from_settings(_settings(), http)
        client = FdcClient.from_settings(_settings(usda_api_key="k", usda_base_url=FDC), http)
        assert isinstance(client, FdcClient)


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now_s = 1_700_000_000.0
    assert parse_retry_after("7", now_s) == 7.0
    http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now_s + 90))
    assert parse_retry_after(http_date, now_s) == pytest.approx(90.0, abs=1.0)
    assert parse_retry_after("soon", now_s) is None
    assert parse_retry_after(None, now_s) is None


class _SlowOnceHandler(BaseHTTPRequestHandler):
    """First request: answers after `delay_s` (longer than the client's timeout); later ones at once."""

    delay_s = 1.0
    calls = 0

    def do_GET(self) -> None:
        type(self).calls += 1
        if type(self).calls == 1:
            time.sleep(self.delay_s)
        body = (FIXTURES / "fdc_food_171287.json").read_bytes()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on the slow answer, as intended

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_real_socket_timeout_is_retried_against_a_local_server(sleeps: Sleeps) -> None:
    handler: type[_SlowOnceHandler] = type("Handler", (_SlowOnceHandler,), {"calls": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        with httpx.Client(timeout=httpx.Timeout(0.2)) as http:
            client = FdcClient(
                http, api_key=KEY, base_url=base_url, sleep=sleeps, retry=RetryPolicy(jitter_s=0)
            )
            started = time.monotonic()
            food = client.food(171287)
            elapsed_s = time.monotonic() - started
        assert food.ndb_number == 1123
        assert handler.calls == 2
        assert len(sleeps) == 1
        assert elapsed_s < 0.9  # gave up on the slow answer instead of waiting the full second
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- Spoonacular ----------------------------------------------------------------------------------------


def spoonacular(http: httpx.Client, sleeps: Sleeps) -> SpoonacularProvider:
    return SpoonacularProvider(
        http, api_key=KEY, base_url=SPOON, sleep=sleeps, retry=RetryPolicy(max_attempts=3, jitter_s=0)
    )


class TestSpoonacular:
    def test_complex_search_sends_filters_and_reads_nutrition_per_serving(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{SPOON}/recipes/complexSearch").respond(
            json=fixture("spoonacular_complex_search.json")
        )
        query = ProviderQuery(
            text="curry", exclude_allergens=frozenset({Allergen.PEANUT, Allergen.FISH}), limit=5
        )
        curry, salad, oats = spoonacular(http, sleeps).search(query)

        params = route.calls.last.request.url.params
        assert params["query"] == "curry"
        assert params["number"] == "5"
        assert params["addRecipeNutrition"] == "true"
        assert params["addRecipeInformation"] == "true"
        assert params["intolerances"] == "Peanut,Seafood"
        assert "diet" not in params
        assert "maxReadyTime" not in params
        assert route.calls.last.request.headers["x-api-key"] == KEY
        assert KEY not in str(route.calls.last.request.url)

        assert (curry.provider, curry.provider_id, curry.servings, curry.ready_in_minutes) == (
            "spoonacular",
            "990001",
            4.0,
            35,
        )
        assert curry.nutrition_per_serving is not None
        assert curry.nutrition_per_serving.kcal == 412.6
        assert curry.nutrition_per_serving.protein_g == 15.3
        assert curry.nutrition_per_serving.sodium_mg == 612.3
        assert curry.nutrition_per_serving.saturated_fat_g == 11.2
        assert curry.grams_per_serving == 356
        assert len(curry.instructions) == 3
        # nutrition.ingredients are per serving: 120 g chickpeas x 4 servings
        chickpeas = next(i for i in curry.ingredients if i.name == "chickpeas")
        assert (chickpeas.quantity, chickpeas.unit, chickpeas.grams) == (480.0, "g", 480.0)
        # extendedIngredients, when present, give the original line and metric grams
        chicken = salad.ingredients[0]
        assert (chicken.text, chicken.grams) == ("300 g cooked chicken breast, diced", 300.0)
        assert salad.ingredients[1].grams is None  # 118 ml of yogurt is not a weight
        assert oats.nutrition_per_serving is not None
        assert oats.nutrition_per_serving.saturated_fat_g is None

    def test_results_whose_own_flags_contradict_the_diet_are_dropped(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{SPOON}/recipes/complexSearch").respond(
            json=fixture("spoonacular_complex_search.json")
        )
        vegan = spoonacular(http, sleeps).search(ProviderQuery(text="dinner", diet=Diet.VEGAN))
        assert route.calls.last.request.url.params["diet"] == "vegan"
        assert [r.title for r in vegan] == ["Chickpea and Spinach Coconut Curry"]

        no_milk = spoonacular(http, sleeps).search(
            ProviderQuery(text="dinner", exclude_allergens=frozenset({Allergen.MILK}), max_minutes=60)
        )
        assert route.calls.last.request.url.params["intolerances"] == "Dairy"
        assert route.calls.last.request.url.params["maxReadyTime"] == "60"
        assert [r.provider_id for r in no_milk] == ["990001"]

    def test_diet_it_cannot_filter_is_refused_without_a_request(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{SPOON}/recipes/complexSearch").respond(json={"results": []})
        with pytest.raises(UnsupportedFilter, match="halal"):
            spoonacular(http, sleeps).search(ProviderQuery(text="lamb", diet=Diet.HALAL))
        assert route.call_count == 0

    def test_daily_quota_402_is_rate_limited_without_retry(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{SPOON}/recipes/complexSearch").respond(
            402, json=fixture("spoonacular_error_402.json")
        )
        with pytest.raises(SourceRateLimited, match="quota") as caught:
            spoonacular(http, sleeps).search(ProviderQuery(text="soup"))
        assert route.call_count == 1
        assert caught.value.retry_after_s > 0

    def test_bad_key_401_is_unavailable(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        router.get(f"{SPOON}/recipes/complexSearch").respond(401, json=fixture("spoonacular_error_401.json"))
        with pytest.raises(SourceUnavailable, match="credentials refused"):
            spoonacular(http, sleeps).search(ProviderQuery(text="soup"))


# --- Edamam ---------------------------------------------------------------------------------------------


def edamam(http: httpx.Client, sleeps: Sleeps) -> EdamamProvider:
    return EdamamProvider(
        http,
        app_id="test-app",
        app_key=KEY,
        account_user="nexfitra-test",
        base_url=EDAMAM,
        sleep=sleeps,
        retry=RetryPolicy(max_attempts=3, jitter_s=0),
    )


class TestEdamam:
    def test_search_divides_recipe_totals_by_yield(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{EDAMAM}/api/recipes/v2").respond(json=fixture("edamam_search.json"))
        soup, tikka = edamam(http, sleeps).search(ProviderQuery(text="soup"))

        request = route.calls.last.request
        assert request.url.params["type"] == "public"
        assert request.url.params["q"] == "soup"
        assert request.url.params["app_id"] == "test-app"
        assert request.headers["Edamam-Account-User"] == "nexfitra-test"
        assert soup.provider_id == "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
        assert soup.servings == 6
        assert soup.ready_in_minutes == 45
        assert soup.nutrition_per_serving is not None
        assert soup.nutrition_per_serving.kcal == round(1863.4 / 6, 2)
        assert soup.nutrition_per_serving.protein_g == round(104.2 / 6, 2)
        assert soup.nutrition_per_serving.sodium_mg == round(2408.0 / 6, 2)
        assert soup.grams_per_serving == round(2564.5 / 6, 1)
        carrots = soup.ingredients[1]
        assert (carrots.unit, carrots.grams) == (None, 122.0)  # "<unit>" is Edamam's "no unit"
        assert tikka.ready_in_minutes is None  # totalTime 0 means unknown

    def test_health_labels_are_sent_and_rechecked_on_each_hit(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{EDAMAM}/api/recipes/v2").respond(json=fixture("edamam_search.json"))
        query = ProviderQuery(text="dinner", diet=Diet.VEGAN, exclude_allergens=frozenset({Allergen.MILK}))
        kept = edamam(http, sleeps).search(query)
        assert route.calls.last.request.url.params.get_list("health") == ["vegan", "dairy-free"]
        assert [r.title for r in kept] == ["Red Lentil Soup"]  # tikka came back but is not dairy-free

    def test_unknown_cooking_time_does_not_pass_a_time_limit(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{EDAMAM}/api/recipes/v2").respond(json=fixture("edamam_search.json"))
        kept = edamam(http, sleeps).search(ProviderQuery(text="dinner", max_minutes=60))
        assert route.calls.last.request.url.params["time"] == "1-60"
        assert [r.title for r in kept] == ["Red Lentil Soup"]

    def test_no_yield_means_no_per_serving_numbers(self) -> None:
        raw = copy.deepcopy(fixture("edamam_search.json")["hits"][0]["recipe"])
        del raw["yield"]
        recipe = parse_edamam(raw)
        assert recipe.nutrition_per_serving is None
        assert recipe.grams_per_serving is None

    def test_halal_is_an_unsupported_filter(self, http: httpx.Client, sleeps: Sleeps) -> None:
        with pytest.raises(UnsupportedFilter):
            edamam(http, sleeps).search(ProviderQuery(text="lamb", diet=Diet.HALAL))

    def test_429_then_success(self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps) -> None:
        route = router.get(f"{EDAMAM}/api/recipes/v2")
        route.side_effect = [
            httpx.Response(429, text="Usage limits are exceeded"),
            httpx.Response(200, json=fixture("edamam_search.json")),
        ]
        assert len(edamam(http, sleeps).search(ProviderQuery(text="soup"))) == 2
        assert route.call_count == 2
        assert len(sleeps) == 1

    def test_429_every_time_is_rate_limited(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        route = router.get(f"{EDAMAM}/api/recipes/v2").respond(429, headers={"Retry-After": "1"})
        with pytest.raises(SourceRateLimited):
            edamam(http, sleeps).search(ProviderQuery(text="soup"))
        assert route.call_count == 3
        assert all(s >= 1 for s in sleeps)

    def test_unauthorised_app_is_unavailable(
        self, http: httpx.Client, router: respx.MockRouter, sleeps: Sleeps
    ) -> None:
        router.get(f"{EDAMAM}/api/recipes/v2").respond(401, json=fixture("edamam_error_401.json"))
        with pytest.raises(SourceUnavailable, match="credentials refused") as caught:
            edamam(http, sleeps).search(ProviderQuery(text="soup"))
        assert KEY not in str(caught.value)


# --- the query and the choice of provider ---------------------------------------------------------------


def test_cache_key_ignores_spacing_case_and_allergen_order() -> None:
    a = ProviderQuery(text="  Chicken   Curry ", exclude_allergens=frozenset({Allergen.MILK, Allergen.EGG}))
    b = ProviderQuery(text="chicken curry", exclude_allergens=frozenset({Allergen.EGG, Allergen.MILK}))
    assert a.cache_key() == b.cache_key()
    assert a.cache_key() != ProviderQuery(text="chicken curry", diet=Diet.VEGAN).cache_key()
    with pytest.raises(ValueError, match="blank"):
        ProviderQuery(text="   ")


def test_provider_is_chosen_by_settings(http: httpx.Client) -> None:
    with pytest.raises(SourceNotConfigured):
        make_live_provider(_settings(), http)
    with pytest.raises(SourceNotConfigured):
        make_live_provider(_settings(recipe_provider="spoonacular"), http)
    assert isinstance(
        make_live_provider(_settings(recipe_provider="spoonacular", spoonacular_api_key="k"), http),
        SpoonacularProvider,
    )
    assert isinstance(
        make_live_provider(_settings(recipe_provider="edamam", edamam_app_id="a", edamam_app_key="k"), http),
        EdamamProvider,
    )
