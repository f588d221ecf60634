"""Profile API: round trips, units, validation, flags, encryption at rest and the owner matrix, through
real HTTP on the real database."""

from __future__ import annotations

import base64
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from store.crypto import FieldCipher
from store.db import Database
from store.models import Profile
from store.vocabulary import Role
from tests.factories import Factory
from tests.factories import TestUser as User
from tools.profile import ProfilePatch, age_on, today_utc, update_profile

if TYPE_CHECKING:
    from httpx2 import Response  # what starlette's TestClient returns

PROFILE = "/api/v1/profile"

VALID: dict[str, Any] = {
    "birth_date": "1990-06-15",
    "sex": "female",
    "height_cm": 168.0,
    "weight_kg": 64.0,
    "activity_level": "moderate",
    "goal": "lose",
    "target_rate_kg_per_week": -0.4,
    "training_days": 3,
    "session_minutes": 60,
    "experience": "beginner",
    "equipment": ["dumbbell", "bench"],
    "liked_foods": ["oats", "lentils"],
    "allergies": ["sesame"],
    "diet": "vegetarian",
    "meals_per_day": 4,
    "injuries": ["left knee"],
}


def body(**overrides: Any) -> dict[str, Any]:
    """VALID with overrides; an override of None removes the key."""
    merged = VALID | overrides
    return {key: value for key, value in merged.items() if value is not None}


def put(client: TestClient, user: User, payload: dict[str, Any] | None = None) -> Response:
    return client.put(PROFILE, json=body() if payload is None else payload, headers=user.headers)


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    return problem


def error_for(response: Response, field: str) -> str:
    """The reason given for `field` in a 422 problem (fails if that field is not named)."""
    problem = assert_problem(response, 422)
    reasons = [str(error["reason"]) for error in problem["errors"] if error["field"] == field]
    assert reasons, f"{field} not named in {problem['errors']}"
    return reasons[0]


class TestRoundTrip:
    def test_get_before_any_put_is_a_404_problem(self, client: TestClient, factory: Factory) -> None:
        problem = assert_problem(client.get(PROFILE, headers=factory.user().headers), 404)
        assert problem["detail"] == "no profile yet"

    def test_put_creates_and_get_returns_the_same(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        created = put(client, user)
        assert created.status_code == 201, created.text
        read = client.get(PROFILE, headers=user.headers)
        assert read.status_code == 200
        profile = read.json()
        assert profile == created.json()
        expected = dict(VALID.items())
        assert {key: profile[key] for key in expected} == expected
        assert profile["user_id"] == str(user.id)
        assert profile["age"] == age_on(date(1990, 6, 15), today_utc())
        assert profile["revision"] == 1
        assert profile["units"] == "metric"
        assert profile["display"] is None
        assert profile["flags"] == []
        assert profile["health_notes"] is None

    def test_put_again_replaces_and_resets_omitted_optional_fields(
        self, client: TestClient, factory: Factory
    ) -> None:
        user = factory.user()
        put(client, user, body(body_fat_pct=24.5, health_notes="asthma"))
        replaced = put(client, user, body(liked_foods=None, allergies=None, weight_kg=63.0))
        assert replaced.status_code == 200
        profile = replaced.json()
        assert profile["weight_kg"] == 63.0
        assert profile["liked_foods"] == []
        assert profile["allergies"] == []
        assert profile["body_fat_pct"] is None
        assert profile["health_notes"] is None
        assert profile["revision"] == 2

    def test_put_of_identical_data_changes_nothing(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        first = put(client, user).json()
        second = put(client, user)
        assert second.status_code == 200
        assert second.json()["revision"] == first["revision"]
        assert second.json()["updated_at"] == first["updated_at"]

    def test_patch_changes_only_the_fields_sent(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        before = put(client, user).json()
        patched = client.patch(PROFILE, json={"weight_kg": 62.5, "training_days": 4}, headers=user.headers)
        assert patched.status_code == 200, patched.text
        after = patched.json()
        assert after["weight_kg"] == 62.5
        assert after["training_days"] == 4
        assert after["revision"] == before["revision"] + 1
        unchanged = set(before) - {"weight_kg", "training_days", "revision", "updated_at"}
        assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}

    def test_patch_null_clears_a_nullable_field_and_is_refused_for_others(
        self, client: TestClient, factory: Factory
    ) -> None:
        user = factory.user()
        put(client, user, body(body_fat_pct=22.0))
        cleared = client.patch(PROFILE, json={"body_fat_pct": None}, headers=user.headers)
        assert cleared.json()["body_fat_pct"] is None
        refused = client.patch(PROFILE, json={"weight_kg": None}, headers=user.headers)
        assert error_for(refused, "weight_kg") == "may not be null"

    def test_patch_before_any_put_is_404(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        assert_problem(client.patch(PROFILE, json={"weight_kg": 70}, headers=user.headers), 404)

    def test_age_is_stored_as_a_birth_date_that_stays_put(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        today = today_utc()
        created = put(client, user, body(birth_date=None, age=34)).json()
        born = date.fromisoformat(created["birth_date"])
        assert age_on(born, today) == 34
        assert created["age"] == 34
        # A stored birth date that already gives 34 is kept, whatever day "34" is sent again.
        client.patch(PROFILE, json={"birth_date": str(born - timedelta(days=40))}, headers=user.headers)
        again = client.patch(PROFILE, json={"age": 34}, headers=user.headers).json()
        assert again["birth_date"] == str(born - timedelta(days=40))

    def test_birth_date_with_a_matching_age_is_accepted_and_a_mismatch_is_named(
        self, client: TestClient, factory: Factory
    ) -> None:
        user = factory.user()
        age = age_on(date(1990, 6, 15), today_utc())
        assert put(client, user, body(age=age)).status_code == 201
        assert "does not match birth_date" in error_for(put(client, user, body(age=age + 3)), "age")


class TestUnits:
    def test_imperial_input_is_stored_in_si_exactly(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = factory.user()
        payload = body(
            height_cm=None,
            weight_kg=None,
            target_rate_kg_per_week=None,
            height={"value": 71, "unit": "in"},
            weight={"value": 180, "unit": "lb"},
            target_rate={"value": -1, "unit": "lb"},
            units="imperial",
        )
        response = put(client, user, payload)
        assert response.status_code == 201, response.text
        row = db.get(Profile, user.id)
        assert row is not None
        assert row.height_cm == float(Decimal(71) * Decimal("2.54")) == 180.34
        assert row.weight_kg == float(Decimal(180) * Decimal("0.45359237"))
        assert row.target_rate_kg_per_week == -0.45359237
        profile = response.json()
        assert profile["height_cm"] == 180.34
        assert profile["display"] == {
            "height_in": 71.0,
            "height_ft_in": {"feet": 5, "inches": 11.0},
            "weight_lb": 180.0,
            "target_rate_lb_per_week": -1.0,
        }

    def test_feet_and_inches_and_metres(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        feet = put(client, user, body(height_cm=None, height={"value": 5, "unit": "ft", "inches": 7.5}))
        assert feet.json()["height_cm"] == float((Decimal(5) * 12 + Decimal("7.5")) * Decimal("2.54"))
        metres = put(client, user, body(height_cm=None, height={"value": 1.73, "unit": "m"}))
        assert metres.json()["height_cm"] == 173.0

    def test_metric_profile_has_no_display_values(self, client: TestClient, factory: Factory) -> None:
        assert put(client, factory.user(), body(units="metric")).json()["display"] is None

    def test_both_forms_of_one_field_are_refused(self, client: TestClient, factory: Factory) -> None:
        response = put(client, factory.user(), body(height={"value": 70, "unit": "in"}))
        assert error_for(response, "height") == "give height_cm or height, not both"

    def test_inches_only_go_with_feet(self, client: TestClient, factory: Factory) -> None:
        response = put(
            client, factory.user(), body(height_cm=None, height={"value": 60, "unit": "in", "inches": 3})
        )
        assert "inches only go with unit 'ft'" in error_for(response, "height")


def _years_ago(years: int) -> str:
    today = today_utc()
    return str(today.replace(year=today.year - years) if (today.month, today.day) != (2, 29) else today)


INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, overrides, field named, words in the reason)
    ("height 30 cm", {"height_cm": 30}, "height_cm", "greater than or equal to 50"),
    ("height 12 in", {"height_cm": None, "height": {"value": 12, "unit": "in"}}, "height", "30.48 cm"),
    ("weight 900 kg", {"weight_kg": 900}, "weight_kg", "less than or equal to 400"),
    ("weight 1000 lb", {"weight_kg": None, "weight": {"value": 1000, "unit": "lb"}}, "weight", "453.59 kg"),
    ("age 12", {"birth_date": None, "age": 12}, "age", "greater than or equal to 13"),
    ("age 111", {"birth_date": None, "age": 111}, "age", "less than or equal to 110"),
    ("born 10 years ago", {"birth_date": _years_ago(10)}, "birth_date", "gives age 10; must be 13 to 110"),
    ("born 111 years ago", {"birth_date": _years_ago(111)}, "birth_date", "gives age 111"),
    ("born tomorrow", {"birth_date": str(today_utc() + timedelta(days=1))}, "birth_date", "in the future"),
    ("no birth date", {"birth_date": None}, "birth_date", "required (or give age)"),
    ("body fat 1 %", {"body_fat_pct": 1}, "body_fat_pct", "greater than or equal to 2"),
    ("training days 0", {"training_days": 0}, "training_days", "greater than or equal to 1"),
    ("training days 8", {"training_days": 8}, "training_days", "less than or equal to 7"),
    ("meals 7", {"meals_per_day": 7}, "meals_per_day", "less than or equal to 6"),
    ("meals 1", {"meals_per_day": 1}, "meals_per_day", "greater than or equal to 2"),
    ("session 5 min", {"session_minutes": 5}, "session_minutes", "greater than or equal to 10"),
    ("session 300 min", {"session_minutes": 300}, "session_minutes", "less than or equal to 240"),
    (
        "maintain with a rate",
        {"goal": "maintain"},
        "target_rate_kg_per_week",
        "must be 0 when goal is maintain",
    ),
    (
        "lose with a gain rate",
        {"target_rate_kg_per_week": 0.3},
        "target_rate_kg_per_week",
        "must be negative",
    ),
    ("lose at rate 0", {"target_rate_kg_per_week": 0}, "target_rate_kg_per_week", "must be negative"),
    ("gain with a loss rate", {"goal": "gain"}, "target_rate_kg_per_week", "must be positive"),
    ("lose too fast", {"target_rate_kg_per_week": -1.2}, "target_rate_kg_per_week", "too fast to lose"),
    ("gain too fast", {"goal": "gain", "target_rate_kg_per_week": 0.5}, "target_rate_kg_per_week", "0.32 kg"),
    (
        "lb rate too fast",
        {"target_rate_kg_per_week": None, "target_rate": {"value": -3, "unit": "lb"}},
        "target_rate",
        "too fast",
    ),
    ("unknown sex", {"sex": "other"}, "sex", "'female' or 'male'"),
    ("unknown diet", {"diet": "carnivore"}, "diet", "'vegan'"),
    ("unknown equipment", {"equipment": ["dumbbell", "hoverboard"]}, "equipment.1", "'kettlebell'"),
    ("unknown allergen", {"allergies": ["pollen"]}, "allergies.0", "'peanut'"),
    ("too many items", {"liked_foods": [f"food {i}" for i in range(51)]}, "liked_foods", "at most 50 items"),
    ("item too long", {"injuries": ["x" * 101]}, "injuries.0", "at most 100 characters"),
    ("NUL in a note", {"health_notes": "ok\x00no"}, "health_notes", "NUL"),
    ("NUL in a list item", {"liked_foods": ["oats\x00"]}, "liked_foods.0", "NUL"),
    ("unknown field", {"weight_lbs": 150}, "weight_lbs", "Extra inputs are not permitted"),
    ("NaN weight", {"weight_kg": "NaN"}, "weight_kg", "finite number"),
]


class TestValidation:
    def test_invalid_input_is_a_422_naming_the_field(
        self, client: TestClient, factory: Factory, subtests: pytest.Subtests
    ) -> None:
        user = factory.user()  # one account for every case: creating one costs an argon2 hash
        for case, overrides, field, reason in INVALID:
            with subtests.test(case):
                response = put(client, user, body(**overrides))
                assert reason in error_for(response, field)
        assert_problem(client.get(PROFILE, headers=user.headers), 404)  # nothing was stored

    def test_every_bad_field_is_listed_at_once(self, client: TestClient, factory: Factory) -> None:
        response = put(client, factory.user(), body(height_cm=30, meals_per_day=7, sex="x"))
        fields = {error["field"] for error in assert_problem(response, 422)["errors"]}
        assert fields == {"height_cm", "meals_per_day", "sex"}

    def test_patch_is_validated_with_the_stored_fields(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        put(client, user)  # goal lose at -0.4 kg/week
        response = client.patch(PROFILE, json={"goal": "maintain"}, headers=user.headers)
        assert "must be 0 when goal is maintain" in error_for(response, "target_rate_kg_per_week")
        ok = client.patch(
            PROFILE, json={"goal": "maintain", "target_rate_kg_per_week": 0}, headers=user.headers
        )
        assert ok.status_code == 200

    def test_lists_are_trimmed_and_deduplicated(self, client: TestClient, factory: Factory) -> None:
        payload = body(
            liked_foods=["  Oats ", "oats", "", "Rice", "OATS"],
            equipment=["dumbbell", "bench", "dumbbell"],
            allergies=["sesame", "sesame"],
        )
        profile = put(client, factory.user(), payload).json()
        assert profile["liked_foods"] == ["Oats", "Rice"]
        assert profile["equipment"] == ["dumbbell", "bench"]
        assert profile["allergies"] == ["sesame"]


def flag_codes(profile: dict[str, Any]) -> set[tuple[str, str]]:
    return {(flag["field"], flag["code"]) for flag in profile["flags"]}


DIET_CONFLICTS = [
    ("vegan", "salmon"),
    ("vegan", "Greek yogurt"),
    ("vegetarian", "chicken"),
    ("pescatarian", "beef stew"),
    ("halal", "bacon"),
    ("kosher", "shrimp"),
    ("vegetarian", "Chicken with almonds"),
]
NOT_CONFLICTS = [
    ("vegan", "oat milk"),
    ("vegan", "peanut butter"),
    ("vegetarian", "veggie burger"),
    ("vegan", "eggplant"),
    ("vegan", "butternut squash"),
    ("pescatarian", "salmon"),
]


class TestFlags:
    def test_a_diet_conflict_is_stored_and_flagged(
        self, client: TestClient, factory: Factory, subtests: pytest.Subtests
    ) -> None:
        user = factory.user()
        for diet, food in DIET_CONFLICTS:
            with subtests.test(f"{diet} + {food}"):
                response = put(client, user, body(diet=diet, liked_foods=["oats", food]))
                assert response.status_code in (200, 201)
                assert response.json()["liked_foods"] == ["oats", food]
                assert flag_codes(response.json()) == {("liked_foods", "diet_conflict")}
                assert food in response.json()["flags"][0]["message"]
                assert client.get(PROFILE, headers=user.headers).json()["flags"] == response.json()["flags"]

    def test_plant_versions_and_look_alikes_are_not_flagged(
        self, client: TestClient, factory: Factory, subtests: pytest.Subtests
    ) -> None:
        user = factory.user()
        for diet, food in NOT_CONFLICTS:
            with subtests.test(f"{diet} + {food}"):
                response = put(client, user, body(diet=diet, liked_foods=[food], allergies=[]))
                assert response.json()["flags"] == []

    def test_an_allergen_in_a_liked_food_is_flagged(self, client: TestClient, factory: Factory) -> None:
        profile = put(
            client, factory.user(), body(allergies=["peanut"], liked_foods=["peanut butter", "apples"])
        ).json()
        assert flag_codes(profile) == {("liked_foods", "allergen_conflict")}
        assert "peanut butter" in profile["flags"][0]["message"]

    def test_gluten_free_bread_is_not_a_gluten_conflict(self, client: TestClient, factory: Factory) -> None:
        profile = put(
            client, factory.user(), body(allergies=["gluten"], liked_foods=["gluten-free bread"])
        ).json()
        assert profile["flags"] == []

    def test_liked_and_disliked_at_once_is_flagged(self, client: TestClient, factory: Factory) -> None:
        payload = body(liked_foods=["Oats"], disliked_foods=["oats"], liked_exercises=["squat"],
                       disliked_exercises=["Squat"])  # fmt: skip
        assert flag_codes(put(client, factory.user(), payload).json()) == {
            ("liked_foods", "liked_and_disliked"),
            ("liked_exercises", "liked_and_disliked"),
        }

    def test_a_weight_update_that_makes_the_rate_too_fast_is_stored_and_flagged(
        self, client: TestClient, factory: Factory
    ) -> None:
        user = factory.user()
        put(client, user, body(target_rate_kg_per_week=-0.6))  # 64 kg: cap 0.64
        response = client.patch(PROFILE, json={"weight_kg": 55.0}, headers=user.headers)
        assert response.status_code == 200, response.text
        assert flag_codes(response.json()) == {("target_rate_kg_per_week", "rate_out_of_range")}
        # Setting the rate itself is still checked.
        refused = client.patch(PROFILE, json={"target_rate_kg_per_week": -0.6}, headers=user.headers)
        assert "too fast" in error_for(refused, "target_rate_kg_per_week")


class TestEncryptionAtRest:
    def test_health_text_is_ciphertext_in_the_row_and_plain_in_the_api(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        user = factory.user()
        notes, conditions = "sleeps badly before exams", "type 1 diabetes"
        response = put(client, user, body(health_notes=notes, medical_conditions=conditions))
        assert response.json()["health_notes"] == notes
        raw = db.execute(
            text(
                "SELECT health_notes_encrypted, medical_conditions_encrypted FROM profiles WHERE user_id = :u"
            ),
            {"u": user.id},
        ).one()
        for stored, plain in zip(raw, (notes, conditions), strict=True):
            assert stored.startswith("v1.test1.")
            assert plain not in stored
            assert "diabetes" not in stored
            assert "exams" not in stored
        assert client.get(PROFILE, headers=user.headers).json()["medical_conditions"] == conditions

    def test_blank_text_clears_the_note(self, client: TestClient, factory: Factory, db: Session) -> None:
        user = factory.user()
        put(client, user, body(health_notes="something"))
        assert (
            client.patch(PROFILE, json={"health_notes": "   "}, headers=user.headers).json()["health_notes"]
            is None
        )
        row = db.get(Profile, user.id)
        assert row is not None
        assert row.health_notes_encrypted is None

    def test_a_write_re_encrypts_under_the_active_key(
        self, client: TestClient, factory: Factory, clean_database: Database
    ) -> None:
        user = factory.user()
        put(client, user, body(health_notes="old key text"))
        old_key = base64.b64encode(b"k" * 32)
        rotated = FieldCipher("test2", {"test1": base64.b64decode(old_key), "test2": b"n" * 32})
        with clean_database.session() as session:
            written = update_profile(
                session, rotated, user.id, ProfilePatch(training_days=5), changed_by=user.id
            )
            assert written.profile.health_notes == "old key text"
        with clean_database.session() as session:
            sealed = session.scalars(
                select(Profile.health_notes_encrypted).where(Profile.user_id == user.id)
            ).one()
        assert sealed is not None
        assert sealed.startswith("v1.test2.")
        assert rotated.decrypt(sealed, f"{user.id}:health_notes") == "old key text"


class TestOwnerMatrix:
    """owner, another user, coach without and with a grant, admin, anonymous × read and write."""

    @pytest.fixture
    def owner(self, client: TestClient, factory: Factory) -> User:
        owner = factory.user()
        assert put(client, owner).status_code == 201
        return owner

    def profile_of(self, user: User) -> str:
        return f"/api/v1/users/{user.id}/profile"

    def test_owner_reads_and_writes_through_both_paths(self, client: TestClient, owner: User) -> None:
        assert client.get(self.profile_of(owner), headers=owner.headers).status_code == 200
        patched = client.patch(self.profile_of(owner), json={"training_days": 2}, headers=owner.headers)
        assert patched.json()["training_days"] == 2

    @pytest.mark.parametrize("role", [Role.USER, Role.COACH])
    def test_another_user_or_a_coach_without_grant_gets_404(
        self, client: TestClient, factory: Factory, owner: User, role: Role
    ) -> None:
        stranger = factory.user(role=role)
        for path in (self.profile_of(owner), self.profile_of(owner) + "/history"):
            assert_problem(client.get(path, headers=stranger.headers), 404)
        assert_problem(
            client.patch(self.profile_of(owner), json={"training_days": 5}, headers=stranger.headers), 404
        )

    def test_coach_with_grant_reads_but_cannot_write(
        self, client: TestClient, factory: Factory, owner: User
    ) -> None:
        coach = factory.user(role=Role.COACH)
        factory.grant_coach(owner, coach)
        read = client.get(self.profile_of(owner), headers=coach.headers)
        assert read.status_code == 200
        assert read.json()["user_id"] == str(owner.id)
        assert client.get(self.profile_of(owner) + "/history", headers=coach.headers).status_code == 200
        assert_problem(
            client.patch(self.profile_of(owner), json={"training_days": 5}, headers=coach.headers), 404
        )
        assert_problem(client.put(self.profile_of(owner), json=body(), headers=coach.headers), 404)
        assert client.get(PROFILE, headers=owner.headers).json() == read.json()
        # The coach's own /profile is the coach's, never the client's.
        assert_problem(client.get(PROFILE, headers=coach.headers), 404)

    def test_admin_reads_any_profile_but_does_not_write_it(
        self, client: TestClient, factory: Factory, owner: User
    ) -> None:
        admin = factory.user(role=Role.ADMIN)
        assert client.get(self.profile_of(owner), headers=admin.headers).status_code == 200
        assert_problem(
            client.patch(self.profile_of(owner), json={"training_days": 5}, headers=admin.headers), 404
        )
        assert_problem(client.get(f"/api/v1/users/{uuid.uuid4()}/profile", headers=admin.headers), 404)

    def test_anonymous_gets_401_everywhere(self, client: TestClient, owner: User) -> None:
        for method, path in [
            ("GET", PROFILE),
            ("PUT", PROFILE),
            ("PATCH", PROFILE),
            ("GET", PROFILE + "/history"),
            ("GET", self.profile_of(owner)),
            ("GET", self.profile_of(owner) + "/history"),
        ]:
            json = body() if method == "PUT" else {} if method == "PATCH" else None
            assert_problem(client.request(method, path, json=json), 401)
