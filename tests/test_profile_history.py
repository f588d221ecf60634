"""Profile history and the outbox: history rows (old → new, when, by whom) and one `profile.changed` event
per change, both in the request's transaction; the job deferred after the commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from store.db import Database
from store.models import OutboxEvent, Profile, ProfileChange
from store.vocabulary import Role
from tests.factories import Factory
from tests.test_profile import PROFILE, assert_problem, body, put
from tools import jobs
from tools.events import PROFILE_CHANGED, ProfileChanged

if TYPE_CHECKING:
    from httpx2 import Response

HISTORY = PROFILE + "/history"


def history_rows(db: Session) -> list[ProfileChange]:
    db.expire_all()
    return list(db.scalars(select(ProfileChange).order_by(ProfileChange.id)))


def outbox(db: Session) -> list[OutboxEvent]:
    db.expire_all()
    return list(db.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def queued_jobs(db: Session) -> list[dict[str, Any]]:
    rows = db.execute(
        text("SELECT task_name, args, queueing_lock, status FROM procrastinate_jobs ORDER BY id")
    ).mappings()
    return [dict(row) for row in rows]


class TestHistory:
    def test_creation_records_each_tracked_field_from_null(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = factory.user()
        put(client, user)
        rows = {row.field: row for row in history_rows(db)}
        assert set(rows) == {
            "birth_date",
            "sex",
            "height_cm",
            "weight_kg",
            "activity_level",
            "goal",
            "target_rate_kg_per_week",
            "training_days",
            "session_minutes",
            "experience",
            "equipment",
            "injuries",
            "diet",
            "allergies",
            "meals_per_day",
        }  # fmt: skip  (body_fat_pct stays null: no change; liked foods etc. are not history)
        assert rows["weight_kg"].old_value is None
        assert rows["weight_kg"].new_value == 64.0
        assert rows["birth_date"].new_value == "1990-06-15"
        assert rows["equipment"].new_value == ["dumbbell", "bench"]
        assert {row.changed_by for row in rows.values()} == {user.id}
        assert {row.user_id for row in rows.values()} == {user.id}

    def test_a_change_appends_old_to_new_and_an_unchanged_value_nothing(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = factory.user()
        put(client, user)
        before = len(history_rows(db))
        client.patch(PROFILE, json={"weight_kg": 63.2, "liked_foods": ["tofu"]}, headers=user.headers)
        client.patch(
            PROFILE, json={"weight_kg": 63.2, "training_days": 3}, headers=user.headers
        )  # same values
        added = history_rows(db)[before:]
        assert [(row.field, row.old_value, row.new_value) for row in added] == [("weight_kg", 64.0, 63.2)]
        assert added[0].changed_by == user.id
        assert added[0].changed_at is not None

    def test_the_api_pages_newest_first_with_a_cursor(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        put(client, user)
        for weight in (63.5, 63.0, 62.4):
            client.patch(PROFILE, json={"weight_kg": weight}, headers=user.headers)
        first = client.get(HISTORY, params={"field": "weight_kg", "limit": 2}, headers=user.headers).json()
        assert [(i["old_value"], i["new_value"]) for i in first["items"]] == [(63.0, 62.4), (63.5, 63.0)]
        second = client.get(
            HISTORY,
            params={"field": "weight_kg", "limit": 2, "cursor": first["next_cursor"]},
            headers=user.headers,
        ).json()
        assert [(i["old_value"], i["new_value"]) for i in second["items"]] == [(64.0, 63.5), (None, 64.0)]
        assert second["next_cursor"] is None
        everything: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 4} | ({"cursor": cursor} if cursor else {})
            page = client.get(HISTORY, params=params, headers=user.headers).json()
            everything += [item["id"] for item in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert len(everything) == len(set(everything)) == 15 + 3

    def test_an_unknown_field_filter_lists_the_allowed_ones(
        self, client: TestClient, factory: Factory
    ) -> None:
        problem = assert_problem(
            client.get(HISTORY, params={"field": "liked_foods"}, headers=factory.user().headers), 422
        )
        assert problem["errors"][0]["field"] == "field"
        assert "'weight_kg'" in problem["errors"][0]["reason"]

    def test_history_is_readable_by_a_granted_coach_only(self, client: TestClient, factory: Factory) -> None:
        owner, coach, other_coach = (
            factory.user(),
            factory.user(role=Role.COACH),
            factory.user(role=Role.COACH),
        )
        factory.grant_coach(owner, coach)
        put(client, owner)
        path = f"/api/v1/users/{owner.id}/profile/history"
        assert len(client.get(path, headers=coach.headers).json()["items"]) == 15
        assert_problem(client.get(path, headers=other_coach.headers), 404)
        assert client.get(HISTORY, headers=coach.headers).json()["items"] == []  # the coach's own history


class TestOutbox:
    def test_a_change_writes_one_event_with_old_and_new_values(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = factory.user()
        put(client, user, body(health_notes="knee surgery in 2019"))
        client.patch(
            PROFILE,
            json={"weight": {"value": 140, "unit": "lb"}, "health_notes": "knee surgery in 2018"},
            headers=user.headers,
        )
        created, changed = outbox(db)
        assert (created.kind, changed.kind) == (PROFILE_CHANGED, PROFILE_CHANGED)
        assert created.user_id == changed.user_id == user.id
        payload = ProfileChanged.model_validate(changed.payload)
        assert payload.created is False
        assert payload.revision == 2
        assert payload.changed_by == user.id
        assert {name: (c.old, c.new) for name, c in payload.changes.items()} == {
            "weight_kg": (64.0, 63.5029318)
        }
        assert payload.sensitive_changed == ["health_notes"]
        assert "surgery" not in str(created.payload) + str(
            changed.payload
        )  # health text never leaves the row
        first = ProfileChanged.model_validate(created.payload)
        assert first.created is True
        assert first.changes["liked_foods"].new == ["oats", "lentils"]
        assert "disliked_foods" not in first.changes  # empty on creation: nothing changed

    def test_no_change_writes_no_event(self, client: TestClient, factory: Factory, db: Session) -> None:
        user = factory.user()
        put(client, user)
        put(client, user)
        client.patch(PROFILE, json={}, headers=user.headers)
        assert len(outbox(db)) == 1

    def test_the_job_is_deferred_after_the_commit(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = factory.user()
        put(client, user)
        (event,) = outbox(db)
        assert queued_jobs(db) == [
            {
                "task_name": jobs.PROCESS_EVENT_TASK,
                "args": {"event_id": event.id},
                "queueing_lock": f"outbox:{event.id}",
                "status": "todo",
            }
        ]

    def test_invalid_input_writes_nothing(self, client: TestClient, factory: Factory, db: Session) -> None:
        user = factory.user()
        put(client, user)
        assert_problem(client.patch(PROFILE, json={"weight_kg": 900}, headers=user.headers), 422)
        assert len(outbox(db)) == 1
        assert len(queued_jobs(db)) == 1


@contextmanager
def refusing_history_inserts(database: Database) -> Iterator[None]:
    """A database that refuses profile_history inserts: a profile write then fails after its UPDATE and
    its outbox INSERT have reached the database, in the same transaction."""
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "CREATE FUNCTION test_refuse_history() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'history is read-only in this test'; END $$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER test_refuse_history BEFORE INSERT ON profile_history "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_history()"
            )
        )
    try:
        yield
    finally:
        with database.engine.begin() as conn:
            conn.execute(text("DROP TRIGGER test_refuse_history ON profile_history"))
            conn.execute(text("DROP FUNCTION test_refuse_history()"))


def test_a_failing_request_leaves_neither_the_change_nor_the_event(
    app: FastAPI, factory: Factory, clean_database: Database
) -> None:
    user = factory.user()
    with TestClient(app, raise_server_exceptions=False) as client:
        put(client, user)
        before = client.get(PROFILE, headers=user.headers).json()
        with clean_database.session() as db:
            events_before, rows_before = len(outbox(db)), len(history_rows(db))
        with refusing_history_inserts(clean_database):
            response: Response = client.patch(PROFILE, json={"weight_kg": 61.0}, headers=user.headers)
        assert_problem(response, 500)
        assert client.get(PROFILE, headers=user.headers).json() == before
    with clean_database.session() as db:
        assert len(outbox(db)) == events_before == 1
        assert len(history_rows(db)) == rows_before
        assert len(queued_jobs(db)) == 1  # only the job of the first PUT
        row = db.get(Profile, user.id)
        assert row is not None
        assert row.weight_kg == 64.0
