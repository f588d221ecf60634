"""Account administration: the role boundary, paging, and disabling that signs a user out at once."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from store.models import RefreshToken, User
from store.vocabulary import Role
from tests.factories import Factory

if TYPE_CHECKING:
    from httpx2 import Response

USERS = "/api/v1/admin/users"
LOGIN = "/api/v1/auth/login"


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


class TestRoleBoundary:
    @pytest.mark.parametrize("role", [Role.USER, Role.COACH])
    def test_non_admins_get_403_on_every_admin_route(
        self, client: TestClient, factory: Factory, role: Role
    ) -> None:
        caller, target = factory.user(role=role), factory.user()
        problem(client.get(USERS, headers=caller.headers), 403)
        problem(client.post(f"{USERS}/{target.id}/disable", headers=caller.headers), 403)
        problem(client.post(f"{USERS}/{target.id}/enable", headers=caller.headers), 403)
        # Not even their own account: the boundary is the role, not ownership.
        problem(client.post(f"{USERS}/{caller.id}/disable", headers=caller.headers), 403)

    def test_anonymous_gets_401(self, client: TestClient, factory: Factory) -> None:
        target = factory.user()
        problem(client.get(USERS), 401)
        problem(client.post(f"{USERS}/{target.id}/disable"), 401)

    def test_admin_gets_in(self, client: TestClient, factory: Factory) -> None:
        admin = factory.user(role=Role.ADMIN)
        response = client.get(USERS, headers=admin.headers)
        assert response.status_code == 200
        assert [u["id"] for u in response.json()["items"]] == [str(admin.id)]


class TestListUsers:
    def test_pages_cover_every_user_once(self, client: TestClient, factory: Factory) -> None:
        admin = factory.user(role=Role.ADMIN)
        others = {factory.user(role=role).id for role in (Role.USER, Role.USER, Role.COACH, Role.USER)}
        seen: list[str] = []
        for offset in (0, 2, 4):
            page = client.get(USERS, params={"limit": 2, "offset": offset}, headers=admin.headers)
            assert page.status_code == 200
            body = page.json()
            assert (body["total"], body["limit"], body["offset"]) == (5, 2, offset)
            assert "$argon2" not in page.text
            assert set(body["items"][0]) == {"id", "email", "display_name", "role", "created_at", "is_active"}
            seen += [item["id"] for item in body["items"]]
        assert len(seen) == 5
        assert set(seen) == {str(i) for i in others | {admin.id}}

    @pytest.mark.parametrize(("param", "value"), [("limit", 0), ("limit", 101), ("offset", -1)])
    def test_out_of_range_paging_is_422(
        self, client: TestClient, factory: Factory, param: str, value: int
    ) -> None:
        admin = factory.user(role=Role.ADMIN)
        body = problem(client.get(USERS, params={param: value}, headers=admin.headers), 422)
        assert body["errors"][0]["field"] == param


class TestDisable:
    def test_disabling_signs_the_user_out_at_once(
        self, client: TestClient, factory: Factory, db: Session
    ) -> None:
        admin, user = factory.user(role=Role.ADMIN), factory.user()
        tokens = client.post(LOGIN, json={"email": user.email, "password": user.password}).json()
        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert client.get("/api/v1/me", headers=bearer).status_code == 200

        response = client.post(f"{USERS}/{user.id}/disable", headers=admin.headers)
        assert response.status_code == 200
        assert response.json()["is_active"] is False
        assert "$argon2" not in response.text

        problem(client.get("/api/v1/me", headers=bearer), 401)
        problem(client.get("/api/v1/me", headers=user.headers), 401)
        problem(client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
        rows = db.scalars(select(RefreshToken).where(RefreshToken.user_id == user.id)).all()
        assert rows
        assert all(row.revoked_at is not None for row in rows)
        problem(client.post(LOGIN, json={"email": user.email, "password": user.password}), 403)

    def test_enabling_lets_them_log_in_again(self, client: TestClient, factory: Factory) -> None:
        admin, user = factory.user(role=Role.ADMIN), factory.user(is_active=False)
        response = client.post(f"{USERS}/{user.id}/enable", headers=admin.headers)
        assert response.status_code == 200
        assert response.json()["is_active"] is True
        assert client.post(LOGIN, json={"email": user.email, "password": user.password}).status_code == 200
        assert client.get("/api/v1/me", headers=user.headers).status_code == 200

    def test_admin_cannot_disable_themselves(self, client: TestClient, factory: Factory, db: Session) -> None:
        admin = factory.user(role=Role.ADMIN)
        problem(client.post(f"{USERS}/{admin.id}/disable", headers=admin.headers), 409)
        assert db.scalars(select(User.is_active).where(User.id == admin.id)).one() is True

    def test_unknown_user_is_404(self, client: TestClient, factory: Factory) -> None:
        admin = factory.user(role=Role.ADMIN)
        problem(client.post(f"{USERS}/{uuid.uuid4()}/disable", headers=admin.headers), 404)
        problem(client.post(f"{USERS}/{uuid.uuid4()}/enable", headers=admin.headers), 404)


class TestCli:
    def test_user_create_makes_an_admin_who_can_log_in(
        self,
        client: TestClient,
        database_url: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        from api.cli import app as cli

        monkeypatch.setenv("NEXFITRA_DATABASE_URL", database_url)
        monkeypatch.setenv("NEXFITRA_VAR_DIR", str(tmp_path))
        monkeypatch.chdir(tmp_path)  # no stray .env
        args = ["user", "create", "--email", "Root@Example.com", "--display-name", "Root", "--role", "admin"]
        result = CliRunner().invoke(cli, [*args, "--password", "a long enough passphrase"])
        assert result.exit_code == 0, result.output
        assert "created admin Root@example.com" in result.output

        tokens = client.post(
            LOGIN, json={"email": "root@example.com", "password": "a long enough passphrase"}
        )
        assert tokens.status_code == 200
        bearer = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
        assert client.get(USERS, headers=bearer).status_code == 200

        again = CliRunner().invoke(cli, [*args, "--password", "a long enough passphrase"])
        assert again.exit_code == 2
        short = CliRunner().invoke(
            cli, ["user", "create", "--email", "x@example.com", "--display-name", "X", "--password", "short"]
        )
        assert short.exit_code == 2
        assert "at least 10 characters" in short.output

    def test_user_create_rejects_a_malformed_email_without_a_traceback(
        self, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from api.cli import app as cli

        monkeypatch.setenv("NEXFITRA_DATABASE_URL", database_url)
        monkeypatch.setenv("NEXFITRA_VAR_DIR", str(tmp_path))
        monkeypatch.chdir(tmp_path)
        args = ["user", "create", "--email", "not-an-email", "--display-name", "X"]
        result = CliRunner().invoke(cli, [*args, "--password", "a long enough passphrase"])
        assert result.exit_code == 2
        assert "email" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
