"""Grocery list of a meal plan over HTTP: sums per food over a date range (recipes expanded into their
ingredients), aisles, whole pieces where a food has a household piece, the pantry apart, and the
"have it already" ticks."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from store.db import Database
from tests.factories import Factory
from tests.factories import TestUser as User
from tests.test_meal_plans_api import PLANS, create_plan, today
from tests.test_meal_plans_api import _meal_app as _meal_app  # the shared catalogue, autouse

Plan = dict[str, Any]


@pytest.fixture
def owned(client: TestClient, factory: Factory) -> tuple[User, Plan]:
    user = factory.user()
    factory.profile(user, meals_per_day=4)
    return user, create_plan(client, user, days=5)


def expected_grams(database: Database, plan: Plan, days: list[dict[str, Any]]) -> dict[int, float]:
    """Grams per food over `days`: food items as planned, recipes through their ingredient rows scaled from
    the recipe's servings to the servings planned (computed here, independently of the grocery code)."""
    grams: dict[int, float] = defaultdict(float)
    with database.session() as session:
        for day in days:
            for meal in day["meals"]:
                for item in meal["items"]:
                    if item["food_id"] is not None:
                        grams[item["food_id"]] += item["grams"]
                        continue
                    servings = session.execute(
                        text("SELECT servings FROM recipe_nutrition WHERE recipe_id = :id"),
                        {"id": item["recipe_id"]},
                    ).scalar_one()
                    for food_id, weight in session.execute(
                        text(
                            "SELECT food_id, grams FROM recipe_ingredients "
                            "WHERE recipe_id = :id AND food_id IS NOT NULL AND grams IS NOT NULL"
                        ),
                        {"id": item["recipe_id"]},
                    ):
                        grams[food_id] += weight * item["servings"] / servings
    return grams


def lines(body: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [line for group in body["groups"] for line in group["items"]]
    found += body["pantry"]
    found += body["have_already"]
    return found


def grams_by_food(body: dict[str, Any]) -> dict[int, float]:
    return {
        line["food_id"]: line["grams"]
        for line in lines(body)
        if line["food_id"] is not None and line["grams"] is not None
    }


def assert_same_sums(got: dict[int, float], want: dict[int, float]) -> None:
    """Every food on either side, equal to 0.1 g (a pinch of baking powder rounds to 0.0 on the list)."""
    for food_id in set(got) | set(want):
        assert got.get(food_id, 0.0) == pytest.approx(want.get(food_id, 0.0), abs=0.1), food_id


def test_sums_match_the_plan_and_are_grouped_by_aisle(
    client: TestClient, owned: tuple[User, Plan], database: Database
) -> None:
    user, plan = owned
    response = client.get(f"{PLANS}/{plan['id']}/grocery-list", headers=user.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from_date"], body["to_date"], body["version"]) == (plan["start_date"], plan["end_date"], 1)
    assert_same_sums(grams_by_food(body), expected_grams(database, plan, plan["days"]))
    aisles = [group["aisle"] for group in body["groups"]]
    assert aisles == sorted(aisles)
    assert all(group["items"] for group in body["groups"])


def test_whole_pieces_cover_the_grams_and_the_rest_is_rounded_up(
    client: TestClient, owned: tuple[User, Plan], database: Database
) -> None:
    user, plan = owned
    body = client.get(f"{PLANS}/{plan['id']}/grocery-list", headers=user.headers).json()
    with database.session() as session:
        for line in lines(body):
            if line["grams"] is None:
                assert line["buy"] == "to taste"
            elif line["pieces"] is not None:
                amount, grams_each = session.execute(
                    text(
                        "SELECT amount, gram_weight FROM food_portions "
                        "WHERE food_id = :id AND measure = :m LIMIT 1"
                    ),
                    {"id": line["food_id"], "m": line["piece"]},
                ).one()
                per_piece = grams_each / amount
                assert line["pieces"] == max(1, math.ceil(line["grams"] / per_piece - 0.05)), line
                assert line["buy"] == f"{line['pieces']} {line['piece']}"
            else:
                value, unit = line["buy"].split()
                grams = float(value) if unit == "g" else None
                if grams is not None:
                    assert grams >= line["grams"]
                    assert grams % 10 == 0


def test_a_date_range_and_the_have_it_already_ticks(
    client: TestClient, owned: tuple[User, Plan], database: Database
) -> None:
    user, plan = owned
    first, second = plan["days"][0]["date"], plan["days"][1]["date"]
    body = client.get(
        f"{PLANS}/{plan['id']}/grocery-list", params={"from": first, "to": second}, headers=user.headers
    ).json()
    got = grams_by_food(body)
    assert_same_sums(got, expected_grams(database, plan, plan["days"][:2]))
    have = sorted(food_id for food_id, grams in got.items() if grams > 1)[:2]
    ticked = client.get(
        f"{PLANS}/{plan['id']}/grocery-list",
        params={"from": first, "to": second, "have": have},
        headers=user.headers,
    ).json()
    assert sorted(line["food_id"] for line in ticked["have_already"]) == have
    shopping = [line["food_id"] for group in ticked["groups"] for line in group["items"]] + [
        line["food_id"] for line in ticked["pantry"]
    ]
    assert not set(have) & set(shopping)


def test_the_pantry_keeps_ticks_for_every_later_list(
    client: TestClient, factory: Factory, owned: tuple[User, Plan], database: Database
) -> None:
    """Ticked once (PUT /pantry/{food_id}), a food is under `have_already` in every grocery list until
    unticked; ticks are the owner's alone."""
    user, plan = owned
    url = f"{PLANS}/{plan['id']}/grocery-list"
    before = client.get(url, headers=user.headers).json()
    food_id = sorted(food_id for food_id, grams in grams_by_food(before).items() if grams > 1)[0]
    assert client.put(f"/api/v1/pantry/{food_id}", headers=user.headers).status_code == 200
    again = client.put(f"/api/v1/pantry/{food_id}", headers=user.headers)  # idempotent
    assert again.status_code == 200
    pantry = client.get("/api/v1/pantry", headers=user.headers).json()
    assert [entry["food_id"] for entry in pantry] == [food_id]
    assert pantry[0]["ticked_at"] == again.json()["ticked_at"]

    ticked = client.get(url, headers=user.headers).json()
    assert [line["food_id"] for line in ticked["have_already"]] == [food_id]
    assert grams_by_food(ticked) == pytest.approx(grams_by_food(before))  # moved, not lost

    other = factory.user()
    assert client.get("/api/v1/pantry", headers=other.headers).json() == []
    assert client.put("/api/v1/pantry/999999999", headers=user.headers).status_code == 404

    assert client.delete(f"/api/v1/pantry/{food_id}", headers=user.headers).status_code == 204
    assert client.delete(f"/api/v1/pantry/{food_id}", headers=user.headers).status_code == 204
    assert client.get(url, headers=user.headers).json()["have_already"] == []


def test_a_reversed_range_is_422(client: TestClient, owned: tuple[User, Plan]) -> None:
    user, plan = owned
    response = client.get(
        f"{PLANS}/{plan['id']}/grocery-list",
        params={"from": str(today() + timedelta(days=3)), "to": str(today())},
        headers=user.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "to"
