"""A profile change that affects training regenerates the future sessions of running workout plans as a new
version with the reason and a notification (real profile API, real outbox processing)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from store.db import Database
from store.models import Notification, OutboxEvent
from store.vocabulary import Experience
from tests.factories import Factory
from tools.events import PROFILE_CHANGED, EventHandlers, Outcome, default_handlers, process_event
from tools.training.auto_update import FAILURE_KIND, NOTIFICATION_KIND, profile_changed_handler
from tools.training.plans import ExerciseCatalogCache

PLANS = "/api/v1/plans/workout"
GYM = ["barbell", "dumbbell", "cable", "machine", "bench", "pull_up_bar", "ez_bar"]
# One catalog for the module's API calls and its handler (as a worker's handler keeps one for its life).
CATALOGS = ExerciseCatalogCache()


@pytest.fixture(autouse=True)
def _catalog(app: FastAPI, knowledge: Database) -> None:
    """The exercise catalog (loaded once per session)."""
    app.state.exercise_catalogs = CATALOGS


def today() -> date:
    return datetime.now(UTC).date()


def setup_plan(client: TestClient, factory: Factory) -> tuple[Any, dict[str, Any]]:
    user = factory.user()
    factory.profile(user, equipment=GYM, training_days=4, experience=Experience.INTERMEDIATE)
    response = client.post(
        PLANS, json={"start_date": str(today() - timedelta(days=2)), "weeks": 3}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return user, response.json()


def process_profile_events(
    database: Database, user_id: Any, handlers: EventHandlers | None = None
) -> list[Outcome]:
    if handlers is None:
        handlers = EventHandlers()
        handlers.subscribe(PROFILE_CHANGED, profile_changed_handler(CATALOGS))
    outcomes = []
    with database.session() as session:
        ids = session.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.user_id == user_id, OutboxEvent.kind == PROFILE_CHANGED)
            .order_by(OutboxEvent.id)
        ).all()
    for event_id in ids:
        with database.session() as session:
            outcomes.append(process_event(session, handlers, event_id).outcome)
    return outcomes


def notifications(database: Database, user_id: Any) -> list[Notification]:
    with database.session() as session:
        return list(session.scalars(select(Notification).where(Notification.user_id == user_id)))


def test_equipment_change_regenerates_future_sessions(
    client: TestClient, factory: Factory, database: Database
) -> None:
    user, plan = setup_plan(client, factory)
    response = client.patch(
        "/api/v1/profile", json={"equipment": ["dumbbell", "bench"]}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    assert process_profile_events(database, user.id) == [Outcome.PROCESSED]

    updated = client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()
    assert updated["version"] == 2
    assert "equipment" in updated["reason"]
    assert updated["versions"][-1]["created_by"] == str(user.id)
    today_s = str(today())
    kept_before = {s["scheduled_on"]: s for s in plan["sessions"] if s["scheduled_on"] <= today_s}
    kept_after = {s["scheduled_on"]: s for s in updated["sessions"] if s["scheduled_on"] <= today_s}
    assert kept_before.keys() == kept_after.keys()
    for day, old in kept_before.items():
        assert [e["exercise_id"] for e in old["exercises"]] == [
            e["exercise_id"] for e in kept_after[day]["exercises"]
        ]
    future = [s for s in updated["sessions"] if s["scheduled_on"] > today_s and s["kind"] == "strength"]
    assert future
    used = [e["name"] for s in future for e in s["exercises"]]
    assert not any("Barbell" in n or "Cable" in n or "Machine" in n for n in used), used
    assert any(
        "Barbell" in e["name"]
        for s in plan["sessions"]
        if s["scheduled_on"] > today_s
        for e in s["exercises"]
    )

    [note] = notifications(database, user.id)
    assert note.kind == NOTIFICATION_KIND
    assert "equipment" in note.body
    assert note.data["plan_id"] == plan["id"]
    assert note.data["version"] == 2


def test_unrelated_change_leaves_the_plan_alone(
    client: TestClient, factory: Factory, database: Database
) -> None:
    user, plan = setup_plan(client, factory)
    assert client.patch("/api/v1/profile", json={"weight_kg": 70}, headers=user.headers).status_code == 200
    assert process_profile_events(database, user.id) == [Outcome.PROCESSED]
    assert client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()["version"] == 1
    assert notifications(database, user.id) == []


def test_a_change_that_cannot_be_programmed_notifies_and_keeps_the_plan(
    client: TestClient, factory: Factory, database: Database
) -> None:
    user, plan = setup_plan(client, factory)
    assert (
        client.patch("/api/v1/profile", json={"session_minutes": 10}, headers=user.headers).status_code == 200
    )
    assert process_profile_events(database, user.id) == [Outcome.PROCESSED]
    assert client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()["version"] == 1
    [note] = notifications(database, user.id)
    assert note.kind == FAILURE_KIND
    assert "15 minutes" in note.body


def test_injury_change_removes_the_loaded_movements(
    client: TestClient, factory: Factory, database: Database
) -> None:
    user, plan = setup_plan(client, factory)
    assert (
        client.patch(
            "/api/v1/profile", json={"injuries": ["torn meniscus"]}, headers=user.headers
        ).status_code
        == 200
    )
    assert process_profile_events(database, user.id) == [Outcome.PROCESSED]
    updated = client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()
    assert updated["version"] == 2
    future = [
        e["name"] for s in updated["sessions"] if s["scheduled_on"] > str(today()) for e in s["exercises"]
    ]
    assert future
    assert not any("Squat" in n or "Lunge" in n or "Leg Press" in n or "Leg Extension" in n for n in future)
    assert any("knee" in n for n in updated["notes"])


def test_the_service_handlers_regenerate_the_plan(
    client: TestClient, factory: Factory, database: Database
) -> None:
    """The worker's subscriptions (`default_handlers`, with a catalog cache of their own) include ours."""
    user, plan = setup_plan(client, factory)
    assert client.patch("/api/v1/profile", json={"training_days": 3}, headers=user.headers).status_code == 200
    assert process_profile_events(database, user.id, default_handlers()) == [Outcome.PROCESSED]
    assert client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json()["version"] == 2
    assert [n.kind for n in notifications(database, user.id)] == [NOTIFICATION_KIND]
