"""Edits of a meal plan over HTTP on the real database and knowledge: swap (alternatives, an item, a whole
meal), lock and regenerate a day, remove a food from today on, change meals per day. Each edit is a new
version with a reason, re-validated under the same limits; earlier versions stay readable; past days are
read-only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from store.db import Database
from tests.factories import Factory
from tests.factories import TestUser as User
from tests.test_meal_plans_api import PLANS, assert_day_within_limits, create_plan, today
from tests.test_meal_plans_api import _meal_app as _meal_app  # the shared catalogue, autouse
from tools.nutrition.candidates import load_catalogue

Plan = dict[str, Any]


@pytest.fixture
def owned(client: TestClient, factory: Factory) -> tuple[User, Plan]:
    """A plan that started yesterday (so it has a past day) and runs 4 days."""
    user = factory.user()
    factory.profile(user, allergies=["peanut"])
    return user, create_plan(client, user, start=today() - timedelta(days=1), days=4)


def day_of(plan: Plan, offset: int = 1) -> dict[str, Any]:
    day: dict[str, Any] = plan["days"][offset]
    return day


def post(client: TestClient, user: User, plan: Plan, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{PLANS}/{plan['id']}/{path}", json=body, headers=user.headers)


def keys(day: dict[str, Any]) -> list[tuple[str, float | None, int]]:
    return [(i["name"], i["grams"], i["units"]) for m in day["meals"] for i in m["items"]]


class TestSwap:
    def test_alternatives_are_ranked_safe_and_change_nothing(
        self, client: TestClient, owned: tuple[User, Plan], database: Database
    ) -> None:
        user, plan = owned
        day = day_of(plan)
        lunch = day["meals"][1]
        item = lunch["items"][0]
        response = post(client, user, plan, "swap", {"day": day["date"], "meal": 1, "item_id": item["id"]})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["replacing"] == [item["name"]]
        alternatives = body["alternatives"]
        assert 1 <= len(alternatives) <= 5
        in_day = {i["name"] for m in day["meals"] for i in m["items"]}
        with database.session() as session:
            for alternative in alternatives:
                (key,) = alternative["keys"]
                kind, _, ident = key.partition(":")
                table = "foods" if kind == "food" else "recipes"
                allergens = session.execute(
                    text(f"SELECT allergens FROM {table} WHERE id = :id"),  # noqa: S608 - fixed table names
                    {"id": int(ident)},
                ).scalar_one()
                assert "peanut" not in allergens
                assert alternative["names"][0] not in in_day
                assert 0 <= alternative["similarity"] <= 1
        similarities = [a["similarity"] for a in alternatives]
        assert similarities[0] >= min(similarities)
        assert client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()["version"] == 1

    def test_a_swap_makes_a_new_version_and_rebalances_the_day(
        self, client: TestClient, owned: tuple[User, Plan], database: Database
    ) -> None:
        user, plan = owned
        day = day_of(plan)
        item = day["meals"][2]["items"][0]
        options = post(
            client, user, plan, "swap", {"day": day["date"], "meal": 2, "item_id": item["id"]}
        ).json()
        chosen = options["alternatives"][0]
        response = post(
            client,
            user,
            plan,
            "swap",
            {"day": day["date"], "meal": 2, "item_id": item["id"], "replacement": chosen["keys"]},
        )
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["version"] == 2
        assert updated["reason"].startswith(f"swapped {item['name']} for {chosen['names'][0]}")
        new_day = day_of(updated)
        dinner = [i["name"] for i in new_day["meals"][2]["items"]]
        assert chosen["names"][0] in dinner
        assert item["name"] not in [i["name"] for m in new_day["meals"] for i in m["items"]]
        assert new_day["feasible"], new_day["message"]
        assert_day_within_limits(database, new_day, updated["targets"])
        # The other days are copied as they were; version 1 still reads as before.
        assert [keys(d) for d in updated["days"][2:]] == [keys(d) for d in plan["days"][2:]]
        first = client.get(f"{PLANS}/{plan['id']}?version=1", headers=user.headers).json()
        assert keys(day_of(first)) == keys(day)

    def test_a_whole_meal_swap(self, client: TestClient, owned: tuple[User, Plan]) -> None:
        user, plan = owned
        day = day_of(plan)
        current = {i["name"] for i in day["meals"][0]["items"]}
        options = post(client, user, plan, "swap", {"day": day["date"], "meal": 0}).json()
        assert options["alternatives"]
        first = options["alternatives"][0]
        assert not set(first["names"]) & current
        updated = post(
            client, user, plan, "swap", {"day": day["date"], "meal": 0, "replacement": first["keys"]}
        ).json()
        assert {i["name"] for i in day_of(updated)["meals"][0]["items"]} == set(first["names"])

    def test_an_unsafe_or_unknown_replacement_is_422(
        self, client: TestClient, owned: tuple[User, Plan], database: Database
    ) -> None:
        user, plan = owned
        day = day_of(plan)
        item = day["meals"][1]["items"][0]
        with database.session() as session:
            # A peanut food the planner knows (else the answer is "unknown food", not the allergy).
            plannable = {c.food_id for c in load_catalogue(session).candidates if c.food_id is not None}
            peanut_ids = session.scalars(
                text("SELECT id FROM foods WHERE 'peanut' = ANY(allergens) ORDER BY id")
            ).all()
        peanut = next(food_id for food_id in peanut_ids if food_id in plannable)
        body = {"day": day["date"], "meal": 1, "item_id": item["id"]}
        response = post(client, user, plan, "swap", body | {"replacement": [f"food:{peanut}"]})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "replacement.0"
        assert "peanut" in response.json()["errors"][0]["reason"]
        unknown = post(client, user, plan, "swap", body | {"replacement": ["food:999999999"]})
        assert unknown.status_code == 422

    def test_past_days_cannot_be_edited(self, client: TestClient, owned: tuple[User, Plan]) -> None:
        user, plan = owned
        past = plan["days"][0]
        response = post(client, user, plan, "swap", {"day": past["date"], "meal": 0})
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "day", "reason": "past days cannot be edited"}]
        outside = post(client, user, plan, "regenerate-day", {"day": str(today() + timedelta(days=30))})
        assert outside.status_code == 422


class TestLockAndRegenerate:
    def test_a_locked_item_survives_regeneration_the_rest_changes(
        self, client: TestClient, owned: tuple[User, Plan], database: Database
    ) -> None:
        user, plan = owned
        day = day_of(plan)
        locked = day["meals"][1]["items"][0]
        response = post(client, user, plan, "lock", {"day": day["date"], "meal": 1, "item_id": locked["id"]})
        assert response.status_code == 200
        assert response.json()["reason"] == f"locked {locked['name']} on {day['date']}"
        assert day_of(response.json())["meals"][1]["items"][0]["locked"] is True

        regenerated = post(client, user, plan, "regenerate-day", {"day": day["date"]}).json()
        assert regenerated["version"] == 3
        assert regenerated["reason"] == f"regenerated {day['date']} (locks kept)"
        new_day = day_of(regenerated)
        kept = [i for m in new_day["meals"] for i in m["items"] if i["locked"]]
        assert [(i["name"], i["units"]) for i in kept] == [(locked["name"], locked["units"])]
        before = {i["name"] for m in day["meals"] for i in m["items"]} - {locked["name"]}
        after = {i["name"] for m in new_day["meals"] for i in m["items"]} - {locked["name"]}
        assert after
        assert before != after
        assert new_day["feasible"], new_day["message"]
        assert_day_within_limits(database, new_day, regenerated["targets"])

    def test_a_locked_meal_is_kept_whole_and_cannot_be_swapped(
        self, client: TestClient, owned: tuple[User, Plan]
    ) -> None:
        user, plan = owned
        day = day_of(plan, 2)
        post(client, user, plan, "lock", {"day": day["date"], "meal": 0})
        swap = post(client, user, plan, "swap", {"day": day["date"], "meal": 0})
        assert swap.status_code == 422
        regenerated = post(client, user, plan, "regenerate-day", {"day": day["date"]}).json()
        breakfast = day_of(regenerated, 2)["meals"][0]
        assert breakfast["locked"]
        assert [(i["name"], i["units"]) for i in breakfast["items"]] == [
            (i["name"], i["units"]) for i in day["meals"][0]["items"]
        ]
        unlocked = post(client, user, plan, "lock", {"day": day["date"], "meal": 0, "locked": False}).json()
        assert not day_of(unlocked, 2)["meals"][0]["locked"]
        assert unlocked["reason"].startswith("unlocked the breakfast")


class TestRemoveFoodAndMealsPerDay:
    def test_a_removed_food_is_gone_from_today_on_and_stays_gone(
        self, client: TestClient, owned: tuple[User, Plan]
    ) -> None:
        user, plan = owned
        future = [i for d in plan["days"][1:] for m in d["meals"] for i in m["items"] if i["food_id"]]
        food_id = future[0]["food_id"]
        response = post(client, user, plan, "remove-food", {"food_id": food_id})
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["reason"].startswith(f"removed {future[0]['name']} from {today()}")
        assert all(
            i["food_id"] != food_id for d in updated["days"][1:] for m in d["meals"] for i in m["items"]
        )
        assert keys(updated["days"][0]) == keys(plan["days"][0])  # yesterday untouched
        again = post(client, user, plan, "regenerate-day", {"day": updated["days"][2]["date"]}).json()
        # From today on: yesterday (days[0]) is history and may hold the food.
        assert all(i["food_id"] != food_id for d in again["days"][1:] for m in d["meals"] for i in m["items"])

    def test_meals_per_day_changes_from_today_on(self, client: TestClient, owned: tuple[User, Plan]) -> None:
        user, plan = owned
        response = post(client, user, plan, "meals-per-day", {"meals_per_day": 5})
        assert response.status_code == 200, response.text
        updated = response.json()
        assert updated["reason"] == f"3 → 5 meals a day from {today()} on"
        assert [len(d["meals"]) for d in updated["days"]] == [3, 5, 5, 5]
        assert [m["name"] for m in updated["days"][1]["meals"]] == [
            "breakfast", "morning snack", "lunch", "afternoon snack", "dinner",
        ]  # fmt: skip
        assert all(d["feasible"] for d in updated["days"][1:]), [d["message"] for d in updated["days"]]

    def test_an_unknown_food_is_422(self, client: TestClient, owned: tuple[User, Plan]) -> None:
        user, plan = owned
        response = post(client, user, plan, "remove-food", {"food_id": 999_999_999})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "food_id"

    def test_versions_list_every_edit_with_its_reason(
        self, client: TestClient, owned: tuple[User, Plan]
    ) -> None:
        user, plan = owned
        post(client, user, plan, "meals-per-day", {"meals_per_day": 4})
        post(client, user, plan, "regenerate-day", {"day": str(today())})
        versions = client.get(f"{PLANS}/{plan['id']}/versions", headers=user.headers).json()
        assert [v["version"] for v in versions] == [1, 2, 3]
        assert versions[1]["reason"].startswith("3 → 4 meals a day")
        assert versions[2]["reason"].startswith(f"regenerated {today()}")
