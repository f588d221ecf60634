"""REST: /api/v1/foods, /recipes, /exercises — search, filters, lookups, 404s and 422s."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from store.db import Database
from tests import factories
from tests.factories import Factory


@pytest.fixture
def user(knowledge: Database, factory: Factory) -> factories.TestUser:
    return factory.user()


class TestFoodSearch:
    def test_requires_authentication(self, knowledge: Database, client: TestClient) -> None:
        response = client.get("/api/v1/foods/search", params={"q": "egg"})
        assert response.status_code == 401

    def test_plain_query_finds_the_staple_with_macros(
        self, client: TestClient, user: factories.TestUser
    ) -> None:
        body = client.get(
            "/api/v1/foods/search", params={"q": "egg", "limit": 5}, headers=user.headers
        ).json()
        assert body["query"] == "egg"
        first = body["items"][0]
        assert first["description"].startswith("Egg, whole")
        assert set(first["per_100g"]) >= {"kcal", "protein_g", "fat_g", "carbs_g"}
        assert first["per_100g"]["kcal"] > 100
        assert len(body["items"]) == 5

    @pytest.mark.parametrize(
        "params",
        [
            {"q": "bread", "exclude_allergens": "milk,egg,wheat"},
            [
                ("q", "bread"),
                ("exclude_allergens", "milk"),
                ("exclude_allergens", "egg"),
                ("exclude_allergens", "wheat"),
            ],
        ],
    )
    def test_excluded_allergens_never_come_back(
        self, client: TestClient, user: factories.TestUser, params: Any
    ) -> None:
        items = client.get("/api/v1/foods/search", params=params, headers=user.headers).json()["items"]
        assert items
        for item in items:
            assert not {"milk", "egg", "wheat"} & set(item["allergens"]), item

    def test_diet_filter(self, client: TestClient, user: factories.TestUser) -> None:
        params: dict[str, Any] = {"q": "cheese", "diet": "vegan", "limit": 20}
        items = client.get("/api/v1/foods/search", params=params, headers=user.headers).json()["items"]
        assert all("vegan" in i["diets"] for i in items)
        assert all("milk" not in i["allergens"] for i in items)

    def test_category_filter(self, client: TestClient, user: factories.TestUser) -> None:
        params: dict[str, Any] = {"q": "apple", "category": "Baked Products"}
        items = client.get("/api/v1/foods/search", params=params, headers=user.headers).json()["items"]
        assert items
        assert {i["category"] for i in items} == {"Baked Products"}

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"q": "egg", "diet": "paleo"}, "diet"),
            ({"q": "egg", "exclude_allergens": "milk,gluten-ish"}, "exclude_allergens.1"),
            ({"q": "egg", "limit": 500}, "limit"),
            ({"q": ""}, "q"),
        ],
    )
    def test_bad_input_is_422_naming_the_field(
        self, client: TestClient, user: factories.TestUser, params: Any, field: str
    ) -> None:
        response = client.get("/api/v1/foods/search", params=params, headers=user.headers)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert field in [e["field"] for e in response.json()["errors"]]


class TestFoodDetail:
    def test_all_nutrients_and_portions(self, client: TestClient, user: factories.TestUser) -> None:
        hit = client.get("/api/v1/foods/search", params={"q": "banana"}, headers=user.headers).json()[
            "items"
        ][0]
        food = client.get(f"/api/v1/foods/{hit['id']}", headers=user.headers).json()
        assert food["description"] == "Bananas, raw"
        assert food["per_100g"]["kcal"] == pytest.approx(89)
        names = {n["name"] for n in food["nutrients"]}
        assert {"Energy", "Protein", "Potassium, K"} <= names
        assert any(p["measure"].startswith("medium") for p in food["portions"])
        assert food["source"] == "sr28"
        assert food["source_id"] == "9040"

    def test_unknown_food_is_404(self, client: TestClient, user: factories.TestUser) -> None:
        response = client.get("/api/v1/foods/99999999", headers=user.headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


class TestRecipes:
    def test_search_with_time_limit(self, client: TestClient, user: factories.TestUser) -> None:
        params: dict[str, Any] = {"q": "pasta", "max_minutes": 30, "limit": 20}
        items = client.get("/api/v1/recipes/search", params=params, headers=user.headers).json()["items"]
        assert items
        assert all(i["total_minutes"] is not None and i["total_minutes"] <= 30 for i in items)

    def test_detail_lists_matched_ingredients(self, client: TestClient, user: factories.TestUser) -> None:
        params: dict[str, Any] = {"q": "pasta", "planner_ready": True}
        items = client.get("/api/v1/recipes/search", params=params, headers=user.headers).json()["items"]
        assert items
        assert all(i["planner_ready"] for i in items)
        recipe = client.get(f"/api/v1/recipes/{items[0]['id']}", headers=user.headers).json()
        assert recipe["ingredients"]
        assert recipe["per_serving"]["kcal"] > 0
        assert recipe["per_serving"]["coverage"] == pytest.approx(1.0)
        assert recipe["license"].startswith("Unlicense")
        matched = [i for i in recipe["ingredients"] if i["food_id"] is not None]
        assert all(i["food_description"] for i in matched)

    def test_vegan_recipes_have_no_animal_allergens(
        self, client: TestClient, user: factories.TestUser
    ) -> None:
        params: dict[str, Any] = {"q": "dinner", "diet": "vegan", "limit": 20}
        items = client.get("/api/v1/recipes/search", params=params, headers=user.headers).json()["items"]
        for item in items:
            assert "vegan" in item["diets"]
            assert not {"milk", "egg", "fish", "shellfish"} & set(item["allergens"])

    def test_unknown_recipe_is_404(self, client: TestClient, user: factories.TestUser) -> None:
        assert client.get("/api/v1/recipes/99999999", headers=user.headers).status_code == 404


class TestExercises:
    def test_search_with_filters(self, client: TestClient, user: factories.TestUser) -> None:
        params: dict[str, Any] = {"q": "press", "muscle": "chest", "equipment": "dumbbell", "limit": 10}
        items = client.get("/api/v1/exercises/search", params=params, headers=user.headers).json()["items"]
        assert items
        for item in items:
            assert "chest" in item["primary_muscles"]
            assert item["equipment"] == "dumbbell"

    def test_level_filter(self, client: TestClient, user: factories.TestUser) -> None:
        params: dict[str, Any] = {"q": "squat", "level": "beginner"}
        items = client.get("/api/v1/exercises/search", params=params, headers=user.headers).json()["items"]
        assert items
        assert {i["level"] for i in items} == {"beginner"}

    def test_bad_muscle_is_422(self, client: TestClient, user: factories.TestUser) -> None:
        response = client.get(
            "/api/v1/exercises/search", params={"q": "press", "muscle": "wings"}, headers=user.headers
        )
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["muscle"]

    def test_detail_and_404(self, client: TestClient, user: factories.TestUser) -> None:
        hit = client.get("/api/v1/exercises/search", params={"q": "deadlift"}, headers=user.headers).json()
        exercise = client.get(f"/api/v1/exercises/{hit['items'][0]['id']}", headers=user.headers).json()
        assert exercise["instructions"]
        assert exercise["primary_muscles"]
        assert client.get("/api/v1/exercises/99999999", headers=user.headers).status_code == 404
