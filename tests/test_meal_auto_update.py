"""Automatic meal plan updates, end to end: PATCH the profile → the outbox job runs (a real procrastinate
worker in burst mode, or the handler through `process_event`) → a new version with the reason, future days
re-solved for the new targets, past days and today unchanged, a notification for the UI and the chat."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from store.db import Database
from store.models import OutboxEvent
from store.vocabulary import Diet
from tests.factories import Factory
from tests.factories import TestUser as User
from tests.test_meal_plans_api import PLANS, create_plan, today, unsafe_items
from tests.test_meal_plans_api import _meal_app as _meal_app  # the shared catalogue, autouse
from tools import events, jobs
from tools.events import PROFILE_CHANGED, EventHandlers, Outcome, process_event
from tools.nutrition.auto_update import NOTIFICATION_KIND, profile_changed_handler
from tools.nutrition.candidates import CatalogueCache, PlanSlot
from tools.nutrition.planner import build_context

Plan = dict[str, Any]
CATALOGUES = CatalogueCache()


@pytest.fixture
def owned(client: TestClient, factory: Factory) -> tuple[User, Plan]:
    """A week that started two days ago: two past days, today, four future days."""
    user = factory.user()
    factory.profile(user, weight_kg=82.0, height_cm=178.0)
    return user, create_plan(client, user, start=today() - timedelta(days=2), days=7)


def process(database: Database, user: User) -> list[Outcome]:
    handlers = EventHandlers()
    handlers.subscribe(PROFILE_CHANGED, profile_changed_handler(CATALOGUES))
    with database.session() as session:
        ids = session.scalars(
            select(OutboxEvent.id).where(OutboxEvent.user_id == user.id).order_by(OutboxEvent.id)
        ).all()
    outcomes = []
    for event_id in ids:
        with database.session() as session:
            outcomes.append(process_event(session, handlers, event_id).outcome)
    return outcomes


def snapshot(day: dict[str, Any]) -> list[tuple[str, int]]:
    return [(i["name"], i["units"]) for m in day["meals"] for i in m["items"]]


def split(plan: Plan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(days up to today, days after today)."""
    now = str(today())
    return [d for d in plan["days"] if d["date"] <= now], [d for d in plan["days"] if d["date"] > now]


def test_a_weight_change_re_solves_the_future_days_end_to_end(
    client: TestClient, owned: tuple[User, Plan], database: Database
) -> None:
    """PATCH weight → the job a real worker runs (the service's own handlers) → version 2."""
    user, plan = owned
    response = client.patch("/api/v1/profile", json={"weight_kg": 74.0}, headers=user.headers)
    assert response.status_code == 200, response.text
    asyncio.run(
        jobs.run_worker(database, events.default_handlers(), wait=False, install_signal_handlers=False)
    )
    updated = client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()
    assert updated["version"] == 2
    old_kcal, new_kcal = plan["targets"]["kcal"], updated["targets"]["kcal"]
    assert new_kcal < old_kcal - 50
    assert updated["reason"] == f"weight 82.0 → 74.0 kg: {old_kcal:,} → {new_kcal:,} kcal"
    versions = client.get(f"{PLANS}/{plan['id']}/versions", headers=user.headers).json()
    assert versions[-1]["created_by"] == str(user.id)

    past_before, future_before = split(plan)
    past_after, future_after = split(updated)
    assert [snapshot(d) for d in past_after] == [snapshot(d) for d in past_before]
    assert [d["nutrition"] for d in past_after] == [d["nutrition"] for d in past_before]
    assert len(future_after) == len(future_before) == 4
    for day in future_after:
        kcal = next(limit for limit in day["limits"] if limit["nutrient"] == "kcal")
        assert kcal["target"] == new_kcal
        if day["feasible"]:
            assert abs(day["nutrition"]["kcal"] - new_kcal) <= 0.03 * new_kcal + 1

    notes = client.get("/api/v1/notifications", headers=user.headers).json()
    assert notes["unread"] == 1
    (note,) = notes["items"]
    assert note["kind"] == NOTIFICATION_KIND
    assert note["body"] == updated["reason"]
    assert note["data"] == {"plan_id": plan["id"], "version": 2, "days_changed": 4}
    read = client.post(f"/api/v1/notifications/{note['id']}/read", headers=user.headers).json()
    assert read["read_at"] is not None
    assert client.get("/api/v1/notifications?unread_only=true", headers=user.headers).json()["items"] == []


def test_a_small_change_keeps_the_plan(
    client: TestClient, owned: tuple[User, Plan], database: Database
) -> None:
    user, plan = owned
    client.patch("/api/v1/profile", json={"weight_kg": 82.2}, headers=user.headers)
    assert process(database, user) == [Outcome.PROCESSED]
    assert client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()["version"] == 1
    assert client.get("/api/v1/notifications", headers=user.headers).json()["total"] == 0


def test_a_new_allergy_is_taken_out_of_every_future_day_even_a_locked_item(
    client: TestClient, owned: tuple[User, Plan], database: Database
) -> None:
    """Lock a future food that carries an allergen, then declare that allergy: the food must leave every
    future day (the lock included), and the reason says the lock was dropped."""
    user, plan = owned
    _, future = split(plan)
    with database.session() as session:
        flagged = [
            (day, meal, item, allergens)
            for day in future
            for meal in day["meals"]
            for item in meal["items"]
            if item["food_id"] is not None
            and (
                allergens := session.execute(
                    text("SELECT allergens FROM foods WHERE id = :id"), {"id": item["food_id"]}
                ).scalar_one()
            )
        ]
    day, meal, item, allergens = flagged[0]
    locked = client.post(
        f"{PLANS}/{plan['id']}/lock",
        json={"day": day["date"], "meal": meal["position"], "item_id": item["id"]},
        headers=user.headers,
    )
    assert locked.status_code == 200
    client.patch("/api/v1/profile", json={"allergies": sorted(allergens)}, headers=user.headers)
    assert process(database, user) == [Outcome.PROCESSED]
    updated = client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()
    assert updated["version"] == 3
    assert updated["reason"].startswith("allergies: " + ", ".join(f"+ {a}" for a in sorted(allergens)))
    assert f"no longer suitable, unlocked: {item['name']}" in updated["reason"]
    _, future_after = split(updated)
    assert unsafe_items(database, {"days": future_after}, allergies=set(allergens), diet=Diet.OMNIVORE) == []
    past_before, _ = split(plan)
    past_after, _ = split(updated)
    assert [snapshot(d) for d in past_after] == [snapshot(d) for d in past_before]


def test_no_plan_or_a_finished_plan_is_left_alone(
    client: TestClient, factory: Factory, database: Database
) -> None:
    user = factory.user()
    factory.profile(user)
    create_plan(client, user, start=today() - timedelta(days=5), days=3)
    client.patch("/api/v1/profile", json={"weight_kg": 55.0}, headers=user.headers)
    assert process(database, user) == [Outcome.PROCESSED]
    assert client.get("/api/v1/notifications", headers=user.headers).json()["total"] == 0


def test_a_kept_food_joins_the_pools_only_while_it_is_safe(factory: Factory, database: Database) -> None:
    """Locked foods are kept in the pools of a re-solve, unless the person can no longer eat them."""
    user = factory.user()
    factory.profile(user, allergies=["peanut"])
    with database.session() as session:
        catalogue = CATALOGUES.get(session)
        peanut = next(c for c in catalogue.candidates if "peanut" in c.flags and PlanSlot.MAIN in c.slots)
        plain = next(c for c in catalogue.candidates if not c.flags and PlanSlot.MAIN in c.slots)
        ctx = build_context(session, user.id, catalogue, today=today(), seed=1, keep=[peanut, plain])
    pooled = {c.key for pool in ctx.pools.values() for c in pool}
    assert peanut.key not in pooled
    assert plain.key in pooled
