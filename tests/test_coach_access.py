"""Coach access: a user grants and revokes; a coach sees exactly the users who granted them access."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import CoachAccess
from store.vocabulary import Role
from tests.factories import Factory

if TYPE_CHECKING:
    from httpx2 import Response

    from tests.factories import TestUser  # imported at run time, pytest would try to collect it

GRANTS = "/api/v1/coach-access"
CLIENTS = "/api/v1/coach/clients"


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def grant(client: TestClient, user: TestUser, **body: str) -> Response:
    return client.post(GRANTS, json=body, headers=user.headers)


class TestGrant:
    def test_grant_by_email_then_coach_sees_the_client(self, client: TestClient, factory: Factory) -> None:
        user = factory.user(display_name="Client One")
        coach = factory.user(role=Role.COACH, display_name="Coach Carter")
        response = grant(client, user, coach_email=coach.email.upper())
        assert response.status_code == 201, response.text
        assert response.json()["coach_id"] == str(coach.id)
        assert response.json()["coach_display_name"] == "Coach Carter"
        listed = client.get(GRANTS, headers=user.headers).json()
        assert [g["coach_id"] for g in listed] == [str(coach.id)]
        clients = client.get(CLIENTS, headers=coach.headers).json()
        assert [(c["user_id"], c["display_name"]) for c in clients] == [(str(user.id), "Client One")]
        assert "email" not in clients[0]

    def test_grant_by_id_twice_is_idempotent(self, client: TestClient, factory: Factory, db: Session) -> None:
        user, coach = factory.user(), factory.user(role=Role.COACH)
        assert grant(client, user, coach_id=str(coach.id)).status_code == 201
        again = grant(client, user, coach_id=str(coach.id))
        assert again.status_code == 200
        assert len(db.scalars(select(CoachAccess).where(CoachAccess.user_id == user.id)).all()) == 1

    @pytest.mark.parametrize("role", [Role.USER, Role.ADMIN])
    def test_only_a_coach_can_be_granted(self, client: TestClient, factory: Factory, role: Role) -> None:
        user, not_coach = factory.user(), factory.user(role=role)
        problem(grant(client, user, coach_id=str(not_coach.id)), 404)
        problem(grant(client, user, coach_email=not_coach.email), 404)
        assert client.get(GRANTS, headers=user.headers).json() == []

    def test_unknown_or_disabled_coach_is_404(self, client: TestClient, factory: Factory) -> None:
        user, disabled = factory.user(), factory.user(role=Role.COACH, is_active=False)
        problem(grant(client, user, coach_id=str(uuid.uuid4())), 404)
        problem(grant(client, user, coach_email="nobody@example.com"), 404)
        problem(grant(client, user, coach_id=str(disabled.id)), 404)

    @pytest.mark.parametrize(
        "body", [{}, {"coach_id": "00000000-0000-0000-0000-000000000001", "coach_email": "c@example.com"}]
    )
    def test_exactly_one_way_to_name_the_coach(
        self, client: TestClient, factory: Factory, body: dict[str, str]
    ) -> None:
        detail = problem(grant(client, factory.user(), **body), 422)["detail"]
        assert "exactly one of coach_id or coach_email" in detail

    def test_bad_coach_id_or_email_is_422_naming_the_field(
        self, client: TestClient, factory: Factory
    ) -> None:
        user = factory.user()
        assert problem(grant(client, user, coach_id="42"), 422)["errors"][0]["field"] == "coach_id"
        assert problem(grant(client, user, coach_email="nope"), 422)["errors"][0]["field"] == "coach_email"

    def test_a_coach_cannot_be_their_own_client(self, client: TestClient, factory: Factory) -> None:
        coach = factory.user(role=Role.COACH)
        body = problem(grant(client, coach, coach_id=str(coach.id)), 422)
        assert body["errors"] == [{"field": "coach_id", "reason": "is your own account"}]

    def test_anonymous_is_401(self, client: TestClient) -> None:
        problem(client.post(GRANTS, json={"coach_id": str(uuid.uuid4())}), 401)
        problem(client.get(GRANTS), 401)
        problem(client.get(CLIENTS), 401)


class TestCoachReadsClient:
    def test_no_grant_then_grant_then_revoke(self, client: TestClient, factory: Factory) -> None:
        user, coach = factory.user(), factory.user(role=Role.COACH)
        one_client = f"{CLIENTS}/{user.id}"
        problem(client.get(one_client, headers=coach.headers), 404)

        assert grant(client, user, coach_id=str(coach.id)).status_code == 201
        response = client.get(one_client, headers=coach.headers)
        assert response.status_code == 200
        assert response.json()["user_id"] == str(user.id)

        assert client.delete(f"{GRANTS}/{coach.id}", headers=user.headers).status_code == 204
        assert problem(client.get(one_client, headers=coach.headers), 404)["detail"] == "user not found"
        assert client.get(CLIENTS, headers=coach.headers).json() == []
        problem(client.delete(f"{GRANTS}/{coach.id}", headers=user.headers), 404)

    def test_another_coachs_client_is_404(self, client: TestClient, factory: Factory) -> None:
        user, coach, rival = factory.user(), factory.user(role=Role.COACH), factory.user(role=Role.COACH)
        factory.grant_coach(user, coach)
        problem(client.get(f"{CLIENTS}/{user.id}", headers=rival.headers), 404)
        assert client.get(CLIENTS, headers=rival.headers).json() == []

    def test_a_missing_user_looks_like_an_ungranted_one(self, client: TestClient, factory: Factory) -> None:
        coach = factory.user(role=Role.COACH)
        missing = problem(client.get(f"{CLIENTS}/{uuid.uuid4()}", headers=coach.headers), 404)
        stranger = problem(client.get(f"{CLIENTS}/{factory.user().id}", headers=coach.headers), 404)
        assert missing == stranger

    def test_plain_users_cannot_use_coach_routes(self, client: TestClient, factory: Factory) -> None:
        user, other = factory.user(), factory.user()
        factory.grant_coach(other, user)  # a stale grant to a non-coach must not open the door
        problem(client.get(CLIENTS, headers=user.headers), 403)
        problem(client.get(f"{CLIENTS}/{other.id}", headers=user.headers), 403)


class TestGrantsAreOwned:
    def test_users_see_and_revoke_only_their_own_grants(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        alice, bob, coach = factory.user(), factory.user(), factory.user(role=Role.COACH)
        factory.grant_coach(alice, coach)
        assert client.get(GRANTS, headers=bob.headers).json() == []
        problem(client.delete(f"{GRANTS}/{coach.id}", headers=bob.headers), 404)
        assert db.scalar(select(CoachAccess.id).where(CoachAccess.user_id == alice.id)) is not None
        assert [g["coach_id"] for g in client.get(GRANTS, headers=alice.headers).json()] == [str(coach.id)]

    def test_coach_lists_clients_in_grant_order(self, client: TestClient, factory: Factory) -> None:
        coach = factory.user(role=Role.COACH)
        users = [factory.user(display_name=f"Client {n}") for n in range(3)]
        for user in users:
            assert grant(client, user, coach_id=str(coach.id)).status_code == 201
        clients = client.get(CLIENTS, headers=coach.headers).json()
        assert [c["user_id"] for c in clients] == [str(u.id) for u in users]
