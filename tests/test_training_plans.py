"""Workout plans on the real database and the real exercise catalog: create and read (versions), owner
checks, stored filters, swap, move, regenerate with locks, suggested loads from logged sets."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from store.db import Database
from store.models import Exercise, WorkoutSetLog
from store.vocabulary import Equipment, Experience, Goal, Role
from tests import factories
from tests.factories import Factory
from tools.errors import Conflict
from tools.training import constants as c
from tools.training.plans import ExerciseCatalogCache

PLANS = "/api/v1/plans/workout"
GYM = ["barbell", "dumbbell", "cable", "machine", "bench", "pull_up_bar", "ez_bar"]
# One catalog for every test of this module (the knowledge base is loaded once per session): the API's own
# cache lives on the app, which each test builds anew.
CATALOGS = ExerciseCatalogCache()


@pytest.fixture(autouse=True)
def _catalog(app: FastAPI, knowledge: Database) -> None:
    """Every test here needs the exercise catalog (loaded once per session)."""
    app.state.exercise_catalogs = CATALOGS


def today() -> date:
    return datetime.now(UTC).date()


def owner(factory: Factory, **profile: Any) -> factories.TestUser:
    user = factory.user()
    factory.profile(
        user, **({"equipment": GYM, "training_days": 3, "experience": Experience.INTERMEDIATE} | profile)
    )
    return user


def create(
    client: TestClient, user: factories.TestUser, *, start: date | None = None, weeks: int = 4
) -> dict[str, Any]:
    response = client.post(
        PLANS,
        json={"start_date": str(start or today() + timedelta(days=1)), "weeks": weeks},
        headers=user.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def lifting(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in plan["sessions"] if s["kind"] == "strength"]


def slug_of(db: Session, exercise_id: int) -> str:
    return db.scalars(select(Exercise.source_id).where(Exercise.id == exercise_id)).one()


class TestCreate:
    def test_plan_covers_the_weeks_as_version_one(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        start = today() + timedelta(days=1)
        plan = create(client, user, start=start, weeks=4)
        assert (plan["version"], plan["current_version"], len(plan["versions"])) == (1, 1, 1)
        assert plan["start_date"] == str(start)
        assert plan["end_date"] == str(start + timedelta(days=27))
        assert plan["split"] == "full_body"
        sessions = lifting(plan)
        assert len(sessions) == 4 * 3
        assert all(str(start) <= s["scheduled_on"] <= plan["end_date"] for s in plan["sessions"])
        assert {s["week"] for s in sessions} == {1, 2, 3, 4}
        for s in sessions:
            assert s["estimated_minutes"] <= 60
            for e in s["exercises"]:
                assert len(e["sets"]) >= 1
                assert all(ps["rpe"] == 10 - ps["target_rir"] for ps in e["sets"])
        assert plan["weekly_sets"]["chest"]["low"] == c.WEEKLY_SETS_MAJOR[Experience.INTERMEDIATE][0]

    def test_first_week_is_easier_and_the_fifth_is_a_deload(
        self, client: TestClient, factory: Factory
    ) -> None:
        plan = create(client, owner(factory), weeks=5)
        by_week: dict[int, list[dict[str, Any]]] = {}
        for s in lifting(plan):
            by_week.setdefault(s["week"], []).append(s)
        first, second, fifth = by_week[1][0], by_week[2][0], by_week[5][0]
        for e1, e2, e5 in zip(first["exercises"], second["exercises"], fifth["exercises"], strict=True):
            assert e1["exercise_id"] == e2["exercise_id"] == e5["exercise_id"]
            assert e1["target_rir"] == e2["target_rir"] + c.INTRO_WEEK_EXTRA_RIR
            assert e5["target_rir"] == e2["target_rir"] + c.DELOAD_EXTRA_RIR
            assert len(e5["sets"]) == max(1, -(-len(e2["sets"]) // 2))
        assert fifth["estimated_minutes"] < second["estimated_minutes"]
        assert any("Deload" in n for n in fifth["notes"])

    def test_read_back_and_current(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user, start=today())
        assert client.get(f"{PLANS}/{plan['id']}", headers=user.headers).json() == plan
        assert client.get(f"{PLANS}/current", headers=user.headers).json()["id"] == plan["id"]

    @pytest.mark.parametrize("weeks", [0, 9])
    def test_weeks_outside_one_to_eight_is_422(
        self, client: TestClient, factory: Factory, weeks: int
    ) -> None:
        user = owner(factory)
        response = client.post(PLANS, json={"start_date": str(today()), "weeks": weeks}, headers=user.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "weeks"

    def test_a_profile_is_required(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        response = client.post(PLANS, json={"start_date": str(today()), "weeks": 2}, headers=user.headers)
        assert response.status_code == 409
        assert "profile" in response.json()["detail"]

    def test_too_short_sessions_are_422_naming_the_field(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory, session_minutes=10)
        response = client.post(PLANS, json={"start_date": str(today()), "weeks": 2}, headers=user.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "session_minutes"

    def test_no_plan_yet_is_404(self, client: TestClient, factory: Factory) -> None:
        assert client.get(f"{PLANS}/current", headers=owner(factory).headers).status_code == 404


class TestStoredFilters:
    def test_equipment_dislikes_and_injuries_hold_in_the_stored_plan(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = owner(
            factory,
            equipment=["dumbbell", "bench"],
            disliked_exercises=["lunges", "Goblet Squat"],
            injuries=["lower back pain"],
            training_days=4,
        )
        plan = create(client, user)
        catalog = CATALOGS.get(db)
        available = {Equipment.DUMBBELL, Equipment.BENCH, Equipment.BODYWEIGHT}
        for s in plan["sessions"]:
            for e in s["exercises"]:
                entry = catalog.by_id[e["exercise_id"]]
                assert entry.required is not None
                assert entry.required <= available, e["name"]
                assert "lunge" not in e["name"].lower()
                assert e["slug"] != "Goblet_Squat"
                assert not {m.value for m in entry.movements} & {"hinge", "floor_pull", "axial_load"}
        assert any("lower back" in n for n in plan["notes"])

    def test_liked_exercise_named_loosely_is_used(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory, liked_exercises=["hammer curls", "face pull"], training_days=4)
        plan = create(client, user)
        slugs = {e["slug"] for s in plan["sessions"] for e in s["exercises"]}
        assert {"Hammer_Curls", "Face_Pull"} <= slugs


class TestOwnership:
    def test_other_users_plan_is_404_for_every_route(self, client: TestClient, factory: Factory) -> None:
        plan = create(client, owner(factory))
        stranger = owner(factory)
        first = lifting(plan)[0]
        url = f"{PLANS}/{plan['id']}"
        assert client.get(url, headers=stranger.headers).status_code == 404
        assert client.get(f"{url}/progression", headers=stranger.headers).status_code == 404
        swap = {"session": first["id"], "exercise_id": first["exercises"][0]["exercise_id"]}
        assert client.post(f"{url}/swap", json=swap, headers=stranger.headers).status_code == 404
        move = {"session": first["id"], "to_date": first["scheduled_on"]}
        assert client.post(f"{url}/move", json=move, headers=stranger.headers).status_code == 404
        assert client.post(f"{url}/regenerate", json={}, headers=stranger.headers).status_code == 404
        assert (
            client.get(
                f"/api/v1/users/{plan['user_id']}/plans/workout/current", headers=stranger.headers
            ).status_code
            == 404
        )

    def test_anonymous_is_401(self, client: TestClient, factory: Factory) -> None:
        plan = create(client, owner(factory))
        assert client.get(f"{PLANS}/{plan['id']}").status_code == 401
        assert client.post(PLANS, json={"start_date": str(today()), "weeks": 1}).status_code == 401

    def test_coach_with_a_grant_reads_but_cannot_edit(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user)
        coach = factory.user(role=Role.COACH)
        url = f"/api/v1/users/{user.id}/plans/workout/{plan['id']}"
        assert client.get(url, headers=coach.headers).status_code == 404
        factory.grant_coach(user, coach)
        assert client.get(url, headers=coach.headers).json()["id"] == plan["id"]
        current = client.get(f"/api/v1/users/{user.id}/plans/workout/current", headers=coach.headers)
        assert current.json()["id"] == plan["id"]
        first = lifting(plan)[0]
        swap = {"session": first["id"], "exercise_id": first["exercises"][0]["exercise_id"]}
        assert client.post(f"{PLANS}/{plan['id']}/swap", json=swap, headers=coach.headers).status_code == 404

    def test_admin_reads_through_the_user_route(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user)
        admin = factory.user(role=Role.ADMIN)
        url = f"/api/v1/users/{user.id}/plans/workout/{plan['id']}"
        assert client.get(url, headers=admin.headers).status_code == 200


class TestSwap:
    def test_alternatives_share_the_muscle_and_fit_the_person(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = owner(factory, equipment=["dumbbell", "bench", "cable"])
        plan = create(client, user)
        session = lifting(plan)[0]
        current = session["exercises"][0]
        response = client.post(
            f"{PLANS}/{plan['id']}/swap",
            json={"session": session["id"], "exercise_id": current["exercise_id"]},
            headers=user.headers,
        )
        assert response.status_code == 200
        alternatives = response.json()["alternatives"]
        assert alternatives
        catalog = CATALOGS.get(db)
        muscles = set(catalog.by_id[current["exercise_id"]].record.primary_muscles)
        in_session = {e["exercise_id"] for e in session["exercises"]}
        for a in alternatives:
            assert set(a["primary_muscles"]) & muscles
            assert set(a["equipment"]) <= {"dumbbell", "bench", "cable", "bodyweight"}
            assert a["exercise_id"] not in in_session
        scores = [a["score"] for a in alternatives]
        assert scores == sorted(scores, reverse=True)

    def test_replacement_makes_a_new_version_and_locks_it(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user)
        session = lifting(plan)[0]
        current = session["exercises"][0]
        url = f"{PLANS}/{plan['id']}/swap"
        alternatives = client.post(
            url, json={"session": session["id"], "exercise_id": current["exercise_id"]}, headers=user.headers
        ).json()["alternatives"]
        choice = alternatives[0]
        body = {
            "session": session["id"],
            "exercise_id": current["exercise_id"],
            "replacement": choice["exercise_id"],
        }
        swapped = client.post(url, json=body, headers=user.headers).json()["plan"]
        assert (swapped["version"], swapped["current_version"]) == (2, 2)
        assert current["name"] in swapped["reason"]
        assert choice["name"] in swapped["reason"]
        same_slot = [
            e
            for s in lifting(swapped)
            if s["name"] == session["name"]
            for e in s["exercises"]
            if e["exercise_id"] == choice["exercise_id"]
        ]
        assert len(same_slot) == 4  # this session and the same session of the three later weeks
        assert all(e["locked"] for e in same_slot)
        assert not any(e["exercise_id"] == current["exercise_id"] for e in lifting(swapped)[0]["exercises"])
        old = client.get(f"{PLANS}/{plan['id']}", params={"version": 1}, headers=user.headers).json()
        assert old["version"] == 1
        assert old["sessions"] == plan["sessions"]

    def test_only_this_session_when_asked(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user)
        session = lifting(plan)[0]
        current = session["exercises"][0]
        url = f"{PLANS}/{plan['id']}/swap"
        choice = client.post(
            url, json={"session": session["id"], "exercise_id": current["exercise_id"]}, headers=user.headers
        ).json()["alternatives"][0]
        body = {
            "session": session["id"],
            "exercise_id": current["exercise_id"],
            "replacement": choice["exercise_id"],
            "apply_to_future_weeks": False,
        }
        swapped = client.post(url, json=body, headers=user.headers).json()["plan"]
        same_session = [s for s in lifting(swapped) if s["name"] == session["name"]]
        assert len(same_session) == 4
        first, *later = same_session
        assert choice["exercise_id"] in {e["exercise_id"] for e in first["exercises"]}
        for s in later:
            assert current["exercise_id"] in {e["exercise_id"] for e in s["exercises"]}

    def test_disallowed_replacements_are_refused(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = owner(factory, equipment=["dumbbell", "bench"])
        plan = create(client, user)
        session = lifting(plan)[0]
        current = session["exercises"][0]
        catalog = CATALOGS.get(db)
        url = f"{PLANS}/{plan['id']}/swap"

        def swap_to(slug: str) -> Any:
            body = {
                "session": session["id"],
                "exercise_id": current["exercise_id"],
                "replacement": catalog.by_slug[slug].id,
            }
            return client.post(url, json=body, headers=user.headers)

        muscle = catalog.by_id[current["exercise_id"]].record.primary_muscles[0]
        barbell_same_muscle = next(
            e.record.slug
            for e in catalog.entries
            if e.programmable
            and muscle in e.record.primary_muscles
            and e.required
            and Equipment.BARBELL in e.required
        )
        refused = swap_to(barbell_same_muscle)
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "replacement"
        assert "barbell" in refused.json()["errors"][0]["reason"]
        other_muscle = "Calf_Raise_On_A_Dumbbell" if muscle != "calves" else "Dumbbell_Bicep_Curl"
        assert swap_to(other_muscle).status_code == 422
        other_in_session = session["exercises"][1]["slug"]
        if muscle in catalog.by_slug[other_in_session].record.primary_muscles:
            assert swap_to(other_in_session).status_code == 409
        missing = client.post(
            url, json={"session": 10**12, "exercise_id": current["exercise_id"]}, headers=user.headers
        )
        assert missing.status_code == 404


class TestMove:
    def test_move_to_a_free_day_and_trade_places(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        start = today() + timedelta(days=1)
        plan = create(client, user, start=start)
        url = f"{PLANS}/{plan['id']}/move"
        first, second = lifting(plan)[0], lifting(plan)[1]  # day 0 and day 2 of week 1
        taken = {s["scheduled_on"] for s in plan["sessions"]}
        free = next(
            str(start + timedelta(days=d)) for d in range(7) if str(start + timedelta(days=d)) not in taken
        )
        moved = client.post(url, json={"session": first["id"], "to_date": free}, headers=user.headers).json()
        assert moved["version"] == 2
        assert any(s["name"] == first["name"] and s["scheduled_on"] == free for s in lifting(moved))
        moved_session = next(s for s in lifting(moved) if s["scheduled_on"] == free)
        response = client.post(
            url,
            json={"session": moved_session["id"], "to_date": second["scheduled_on"]},
            headers=user.headers,
        )
        assert response.status_code == 200, response.text
        traded = response.json()
        assert traded["version"] == 3
        on_day = {s["scheduled_on"]: s["name"] for s in lifting(traded)}
        assert on_day[second["scheduled_on"]] == first["name"]
        assert on_day[free] == second["name"]

    def test_move_out_of_its_week_is_422(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user)
        first = lifting(plan)[0]
        far = str(date.fromisoformat(first["scheduled_on"]) + timedelta(days=8))
        response = client.post(
            f"{PLANS}/{plan['id']}/move", json={"session": first["id"], "to_date": far}, headers=user.headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "to_date"

    def test_past_sessions_do_not_move(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user, start=today() - timedelta(days=3))
        past = next(s for s in lifting(plan) if s["scheduled_on"] < str(today()))
        response = client.post(
            f"{PLANS}/{plan['id']}/move",
            json={"session": past["id"], "to_date": str(today())},
            headers=user.headers,
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "session"


class TestRegenerate:
    def test_regeneration_keeps_locked_exercises(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory, training_days=4)
        plan = create(client, user)
        session = lifting(plan)[0]
        current = session["exercises"][1]
        url = f"{PLANS}/{plan['id']}"
        choice = client.post(
            f"{url}/swap",
            json={"session": session["id"], "exercise_id": current["exercise_id"]},
            headers=user.headers,
        ).json()["alternatives"][-1]
        body = {
            "session": session["id"],
            "exercise_id": current["exercise_id"],
            "replacement": choice["exercise_id"],
        }
        swapped = client.post(f"{url}/swap", json=body, headers=user.headers).json()["plan"]
        other = lifting(swapped)[1]["exercises"][-1]
        regenerated = client.post(
            f"{url}/regenerate",
            json={"lock": [other["id"]], "reason": "fresh week please"},
            headers=user.headers,
        ).json()
        assert (regenerated["version"], regenerated["reason"]) == (3, "fresh week please")
        first = lifting(regenerated)[0]
        assert choice["exercise_id"] in {e["exercise_id"] for e in first["exercises"]}
        assert other["exercise_id"] in {e["exercise_id"] for e in lifting(regenerated)[1]["exercises"]}
        assert len(lifting(regenerated)) == len(lifting(plan))

    def test_unknown_lock_is_422(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user)
        response = client.post(
            f"{PLANS}/{plan['id']}/regenerate", json={"lock": [10**12]}, headers=user.headers
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "lock"

    def test_past_sessions_stay_as_they_were(self, client: TestClient, factory: Factory) -> None:
        user = owner(factory)
        plan = create(client, user, start=today() - timedelta(days=6))
        factory_change = {"equipment": ["dumbbell", "bench"]}
        with factory.database.session() as s:
            from store.models import Profile

            profile = s.get(Profile, user.id)
            assert profile is not None
            profile.equipment = factory_change["equipment"]
        regenerated = client.post(f"{PLANS}/{plan['id']}/regenerate", json={}, headers=user.headers).json()
        before = {s["scheduled_on"]: s for s in plan["sessions"] if s["scheduled_on"] < str(today())}
        after = {s["scheduled_on"]: s for s in regenerated["sessions"] if s["scheduled_on"] < str(today())}
        assert before.keys() == after.keys()
        for day, old in before.items():
            assert [e["exercise_id"] for e in old["exercises"]] == [
                e["exercise_id"] for e in after[day]["exercises"]
            ]
        future = [s for s in lifting(regenerated) if s["scheduled_on"] >= str(today())]
        assert future
        assert not any("Barbell" in e["name"] for s in future for e in s["exercises"])


def _log(
    db: Session,
    user: factories.TestUser,
    exercise_id: int,
    day: date,
    load_kg: float,
    reps: list[int],
    rir: int,
) -> None:
    for n, r in enumerate(reps, start=1):
        db.add(
            WorkoutSetLog(
                user_id=user.id,
                exercise_id=exercise_id,
                performed_at=datetime.combine(day, time(18, 0), tzinfo=UTC) + timedelta(minutes=3 * n),
                load_kg=load_kg,
                reps=r,
                rir=rir,
                set_number=n,
            )
        )


class TestLoads:
    def test_progression_and_suggested_loads_come_from_the_log(
        self, client: TestClient, factory: Factory, db: Session, database: Database
    ) -> None:
        user = owner(factory, goal=Goal.GAIN)
        plan = create(client, user)
        main = lifting(plan)[0]["exercises"][0]
        assert main["slug"] == "Barbell_Squat"
        rep_max = main["rep_max"]
        rir = main["target_rir"]
        _log(db, user, main["exercise_id"], today() - timedelta(days=3), 60.0, [rep_max] * 3, rir)
        db.commit()
        advice = client.get(f"{PLANS}/{plan['id']}/progression", headers=user.headers).json()
        squat = next(a for a in advice if a["exercise_id"] == main["exercise_id"])
        assert squat["advice"]["action"] == "increase_load"
        assert squat["advice"]["load_kg"] == 62.5
        again = create(client, user, start=today() + timedelta(days=30))
        first_squat = next(
            e for s in lifting(again) for e in s["exercises"] if e["exercise_id"] == main["exercise_id"]
        )
        assert {ps["load_kg"] for ps in first_squat["sets"]} == {62.5}
        later = [
            e for s in lifting(again)[1:] for e in s["exercises"] if e["exercise_id"] == main["exercise_id"]
        ]
        assert all(ps["load_kg"] is None for e in later for ps in e["sets"])

    def test_set_log_rejects_impossible_values(self, factory: Factory, database: Database) -> None:
        from sqlalchemy.exc import IntegrityError

        user = owner(factory)
        with database.session() as s:
            exercise_id = s.scalars(select(Exercise.id).limit(1)).one()
        with pytest.raises(IntegrityError), database.session() as s:
            s.add(
                WorkoutSetLog(
                    user_id=user.id,
                    exercise_id=exercise_id,
                    performed_at=datetime.now(UTC),
                    load_kg=-5,
                    reps=5,
                    rir=2,
                )
            )


def test_unknown_plan_is_404(client: TestClient, factory: Factory) -> None:
    user = owner(factory)
    assert client.get(f"{PLANS}/{uuid.uuid4()}", headers=user.headers).status_code == 404
    plan = create(client, user)
    assert client.get(f"{PLANS}/{plan['id']}", params={"version": 5}, headers=user.headers).status_code == 404


def test_similarity_counts_close_variants_of_the_same_muscle(db: Session) -> None:
    catalog = CATALOGS.get(db)
    from tools.training.plans import similarity_to

    near = similarity_to(db, [catalog.by_slug["Barbell_Squat"].id])
    assert near[catalog.by_slug["Barbell_Full_Squat"].id] > c.SIMILARITY_FLOOR
    assert catalog.by_slug["Dumbbell_Bicep_Curl"].id not in near  # no shared primary muscle
    pulls = similarity_to(db, [catalog.by_slug["Pullups"].id])
    assert catalog.by_slug["Pushups"].id not in pulls


def test_a_low_rating_keeps_an_exercise_out_of_new_plans(
    client: TestClient, factory: Factory, database: Database
) -> None:
    from tools.errors import InvalidInput
    from tools.training.edits import RatingIn, rate_exercise

    user = owner(factory, experience=Experience.BEGINNER)
    first = create(client, user)
    main = lifting(first)[0]["exercises"][0]
    with database.session() as session:
        rate_exercise(session, user.id, RatingIn(exercise_id=main["exercise_id"], rating=1))
        with pytest.raises(InvalidInput):
            rate_exercise(session, user.id, RatingIn(exercise_id=10**9, rating=5))
    second = create(client, user, start=today() + timedelta(days=40))
    assert main["exercise_id"] not in {e["exercise_id"] for s in second["sessions"] for e in s["exercises"]}
    with database.session() as session:
        rate_exercise(session, user.id, RatingIn(exercise_id=main["exercise_id"], rating=5))
    third = create(client, user, start=today() + timedelta(days=80))
    assert main["exercise_id"] in {e["exercise_id"] for s in third["sessions"] for e in s["exercises"]}


class TestCatalogCache:
    def test_two_caches_keep_their_own_catalog(self, db: Session) -> None:
        first, second = ExerciseCatalogCache(), ExerciseCatalogCache()
        built = first.get(db)
        assert first.get(db) is built
        other = second.get(db)
        assert other is not built
        assert [e.id for e in other.entries] == [e.id for e in built.entries]

    def test_rebuilt_after_the_exercises_table_changes(self, database: Database) -> None:
        checking = ExerciseCatalogCache(check_every_s=0)
        waiting = ExerciseCatalogCache(check_every_s=3600)
        with database.sessions() as session:
            before = checking.get(session)
            assert waiting.get(session) is not before
            kept = waiting.get(session)
            assert checking.get(session) is before  # same fingerprint: nothing rebuilt
            entry = before.by_slug["Barbell_Squat"]
            latest = session.scalar(select(func.max(Exercise.updated_at)))
            assert latest is not None
            session.execute(
                update(Exercise)
                .where(Exercise.id == entry.id)
                .values(name="Renamed Squat", updated_at=latest + timedelta(seconds=1))
            )
            after = checking.get(session)
            assert after is not before
            assert after.by_id[entry.id].record.name == "Renamed Squat"
            assert before.by_id[entry.id].record.name == entry.record.name != "Renamed Squat"
            # The other cache is not touched, and re-reads the table only after its interval.
            assert waiting.get(session) is kept
            assert ExerciseCatalogCache().get(session).by_id[entry.id].record.name == "Renamed Squat"
            session.rollback()
            restored = checking.get(session)
            assert restored is not after
            assert restored.by_id[entry.id].record.name == entry.record.name

    def test_an_empty_table_is_a_conflict(self, database: Database) -> None:
        with database.sessions() as session:
            session.execute(delete(Exercise))
            with pytest.raises(Conflict, match="not loaded"):
                ExerciseCatalogCache().get(session)
            session.rollback()
            assert ExerciseCatalogCache().get(session).entries
