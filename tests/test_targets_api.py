"""GET /api/v1/targets and /api/v1/users/{id}/targets on the real app and database: the owner matrix
(owner, coach with and without a grant, admin, other user, anonymous) and the profile → targets path."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient

from store.vocabulary import Diet, Goal, Role
from tests.factories import Factory

OWN = "/api/v1/targets"


def of(user_id: uuid.UUID) -> str:
    return f"/api/v1/users/{user_id}/targets"


def age_today(birth_date: date) -> int:
    today = datetime.now(UTC).date()
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


class TestOwnTargets:
    def test_from_the_stored_profile(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        factory.profile(user)  # woman, born 1990-06-15, 168 cm, 64 kg, moderate, maintain, 3 meals
        response = client.get(OWN, headers=user.headers)
        assert response.status_code == 200
        body = response.json()
        # Mifflin: 640 + 1050 − 5 × age − 161; × 1.55
        bmr = 640 + 1050 - 5 * age_today(date(1990, 6, 15)) - 161
        assert body["bmr_method"] == "mifflin_st_jeor"
        assert body["bmr_kcal"] == bmr
        assert abs(body["kcal"] - bmr * 1.55) <= 0.5
        assert abs(4 * body["protein_g"] + 4 * body["carbs_g"] + 9 * body["fat_g"] - body["kcal"]) <= 2
        assert abs(body["protein_g"] - 1.6 * 64) <= 1.5
        assert [meal["name"] for meal in body["meals"]] == ["breakfast", "lunch", "dinner"]
        assert sum(meal["kcal"] for meal in body["meals"]) == body["kcal"]
        assert body["trail"]["inputs"]["weight_kg"] == 64.0
        assert body["trail"]["bound_rules"] == []
        assert {"bmr", "tdee", "kcal", "protein", "fat", "carbs"} <= {
            s["step"] for s in body["trail"]["steps"]
        }

    def test_body_fat_keto_and_a_capped_rate(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        factory.profile(
            user,
            body_fat_pct=25.0,
            goal=Goal.LOSE,
            target_rate_kg_per_week=1.0,
            diet=Diet.KETO,
            meals_per_day=5,
        )
        body = client.get(OWN, headers=user.headers).json()
        # Katch-McArdle: lean 48 kg → 370 + 21.6 × 48 = 1406.8; × 1.55 = 2180.54; cap 0.64 kg → − 704
        assert body["bmr_method"] == "katch_mcardle"
        assert body["kcal"] == 1477
        assert {r["rule"] for r in body["trail"]["bound_rules"]} == {"rate_cap", "keto_carb_limit"}
        assert body["net_carbs_g"] == 25
        assert len(body["meals"]) == 5

    def test_a_rate_stored_with_a_sign_counts_as_its_size(self, client: TestClient, factory: Factory) -> None:
        signed, unsigned = factory.user(), factory.user()
        factory.profile(signed, goal=Goal.LOSE, target_rate_kg_per_week=-0.5)
        factory.profile(unsigned, goal=Goal.LOSE, target_rate_kg_per_week=0.5)
        first = client.get(OWN, headers=signed.headers).json()
        second = client.get(OWN, headers=unsigned.headers).json()
        assert first["kcal"] == second["kcal"]
        assert first["rate_kg_per_week"] == 0.5

    def test_no_profile_yet_is_404(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        response = client.get(OWN, headers=user.headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert "no profile yet" in response.json()["detail"]

    def test_profile_that_cannot_give_targets_is_422_naming_the_field(
        self, client: TestClient, factory: Factory
    ) -> None:
        teen, no_rate = factory.user(), factory.user()
        today = datetime.now(UTC).date()
        factory.profile(teen, birth_date=date(today.year - 15, 1, 1))
        factory.profile(no_rate, goal=Goal.GAIN, target_rate_kg_per_week=0.0)
        for user, field in ((teen, "body.birth_date"), (no_rate, "goal.target_rate_kg_per_week")):
            response = client.get(OWN, headers=user.headers)
            assert response.status_code == 422
            assert response.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in response.json()["errors"]] == [field]

    def test_anonymous_is_401(self, client: TestClient) -> None:
        assert client.get(OWN).status_code == 401
        assert client.get(of(uuid.uuid4())).status_code == 401


class TestSomeoneElsesTargets:
    def test_coach_with_a_grant_reads_them(self, client: TestClient, factory: Factory) -> None:
        user, coach = factory.user(), factory.user(role=Role.COACH)
        factory.profile(user, weight_kg=70.0)
        factory.grant_coach(user, coach)
        response = client.get(of(user.id), headers=coach.headers)
        assert response.status_code == 200
        assert response.json() == client.get(OWN, headers=user.headers).json()

    def test_coach_without_a_grant_gets_404(self, client: TestClient, factory: Factory) -> None:
        user, coach = factory.user(), factory.user(role=Role.COACH)
        factory.profile(user)
        response = client.get(of(user.id), headers=coach.headers)
        assert response.status_code == 404
        assert response.json()["detail"] == "user not found"

    def test_other_user_gets_the_same_404_as_for_nobody(self, client: TestClient, factory: Factory) -> None:
        user, other = factory.user(), factory.user()
        factory.profile(user)
        seen = client.get(of(user.id), headers=other.headers)
        missing = client.get(of(uuid.uuid4()), headers=other.headers)
        assert seen.status_code == missing.status_code == 404
        assert seen.json() == missing.json()

    def test_admin_reads_them_and_gets_404_without_a_profile(
        self, client: TestClient, factory: Factory
    ) -> None:
        user, bare, admin = factory.user(), factory.user(), factory.user(role=Role.ADMIN)
        factory.profile(user)
        assert client.get(of(user.id), headers=admin.headers).status_code == 200
        no_profile = client.get(of(bare.id), headers=admin.headers)
        assert no_profile.status_code == 404
        assert "no profile yet" in no_profile.json()["detail"]
        assert client.get(of(uuid.uuid4()), headers=admin.headers).status_code == 404

    def test_own_id_in_the_path_works_like_the_own_route(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        factory.profile(user)
        assert (
            client.get(of(user.id), headers=user.headers).json()
            == client.get(OWN, headers=user.headers).json()
        )

    def test_malformed_id_is_422(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        response = client.get("/api/v1/users/not-a-uuid/targets", headers=user.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "user_id"
