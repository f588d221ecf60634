"""A coach's kcal floor: only a coach with the client's grant sets it; the targets use it in place of the
default floor by sex; it is kept in the history and the meal plan follows it like a profile change."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient

from store.db import Database
from store.vocabulary import ActivityLevel, Goal, Role, Sex
from tests.factories import Factory
from tests.factories import TestUser as User
from tests.test_meal_plans_api import PLANS, create_plan, today
from tests.test_meal_plans_api import _meal_app as _meal_app  # the shared catalogue, autouse
from tools import events, jobs


def floor_url(user: User | uuid.UUID) -> str:
    user_id = user if isinstance(user, uuid.UUID) else user.id
    return f"/api/v1/users/{user_id}/targets/kcal-floor"


def small_client(factory: Factory) -> User:
    """155 cm, 50 kg, 50 years, sedentary, losing 0.5 kg a week: her goal's kcal (~720) is far below the
    default floor for women (1,200), which binds."""
    user = factory.user()
    factory.profile(
        user, sex=Sex.FEMALE, height_cm=155.0, weight_kg=50.0, birth_date=today() - timedelta(days=50 * 366),
        activity_level=ActivityLevel.SEDENTARY, goal=Goal.LOSE, target_rate_kg_per_week=0.5,
    )  # fmt: skip
    return user


def coach_of(factory: Factory, client_user: User) -> User:
    coach = factory.user(role=Role.COACH)
    factory.grant_coach(client_user, coach)
    return coach


def test_a_coach_lowers_the_floor_and_the_targets_follow(client: TestClient, factory: Factory) -> None:
    user = small_client(factory)
    before = client.get("/api/v1/targets", headers=user.headers).json()
    assert before["kcal"] == 1200
    assert "kcal_floor" in [bound["rule"] for bound in before["trail"]["bound_rules"]]
    coach = coach_of(factory, user)

    response = client.put(floor_url(user), json={"kcal_floor": 1000}, headers=coach.headers)
    assert response.status_code == 200, response.text
    assert response.json()["kcal"] == 1000
    after = client.get("/api/v1/targets", headers=user.headers).json()
    assert after["kcal"] == 1000
    floor_step = next(s for s in after["trail"]["steps"] if "kcal_floor" in s["inputs"])
    assert floor_step["inputs"]["floor_set_by"] == "coach"
    assert client.get("/api/v1/profile", headers=user.headers).json()["coach_kcal_floor"] == 1000
    history = client.get("/api/v1/profile/history", headers=user.headers).json()["items"]
    assert (history[0]["field"], history[0]["old_value"], history[0]["new_value"]) == (
        "coach_kcal_floor",
        None,
        1000,
    )
    assert history[0]["changed_by"] == str(coach.id)

    cleared = client.put(floor_url(user), json={"kcal_floor": None}, headers=coach.headers)
    assert cleared.json()["kcal"] == 1200


def test_only_a_coach_with_the_grant_may_set_it(client: TestClient, factory: Factory) -> None:
    user = small_client(factory)
    other_coach = factory.user(role=Role.COACH)
    admin = factory.user(role=Role.ADMIN)
    body = {"kcal_floor": 900}
    assert client.put(floor_url(user), json=body, headers=user.headers).status_code == 403
    assert client.put(floor_url(user), json=body, headers=other_coach.headers).status_code == 404
    assert client.put(floor_url(user), json=body, headers=admin.headers).status_code == 404
    assert client.put(floor_url(user), json=body).status_code == 401
    assert client.get("/api/v1/targets", headers=user.headers).json()["kcal"] == 1200
    # A client's own profile write cannot carry it either.
    patch = client.patch("/api/v1/profile", json={"coach_kcal_floor": 900}, headers=user.headers)
    assert patch.status_code == 422


def test_a_floor_out_of_range_is_422_naming_the_field(client: TestClient, factory: Factory) -> None:
    user = small_client(factory)
    coach = coach_of(factory, user)
    for value in (799, 4001, "low"):
        response = client.put(floor_url(user), json={"kcal_floor": value}, headers=coach.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "kcal_floor"
    assert client.get("/api/v1/targets", headers=user.headers).json()["kcal"] == 1200


def test_the_meal_plan_follows_a_new_floor(client: TestClient, factory: Factory, database: Database) -> None:
    user = small_client(factory)
    plan = create_plan(client, user, start=today() - timedelta(days=1), days=4)
    assert plan["targets"]["kcal"] == 1200
    coach = coach_of(factory, user)
    assert client.put(floor_url(user), json={"kcal_floor": 1000}, headers=coach.headers).status_code == 200
    asyncio.run(
        jobs.run_worker(database, events.default_handlers(), wait=False, install_signal_handlers=False)
    )
    updated = client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()
    assert updated["version"] == 2
    assert updated["reason"] == "kcal floor set by the coach the default → 1,000 kcal: 1,200 → 1,000 kcal"
    future = [d for d in updated["days"] if d["date"] > str(today())]
    assert len(future) == 2
    for day in future:
        assert next(limit for limit in day["limits"] if limit["nutrient"] == "kcal")["target"] == 1000
    past = [d for d in updated["days"] if d["date"] <= str(today())]
    assert [d["nutrition"] for d in past] == [d["nutrition"] for d in plan["days"][:2]]
