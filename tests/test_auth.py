"""Registration, login (JSON and OAuth2 form), access tokens, refresh rotation with re-use detection,
logout, and login throttling: real HTTP through the app on the real database."""

from __future__ import annotations

import json
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from fastapi.testclient import TestClient
from jwt.utils import base64url_encode
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.app import create_app
from store.db import Database
from store.models import RefreshToken, User
from store.settings import Settings
from store.vocabulary import Role
from tests.factories import Factory
from tools.tokens import create_access_token, hash_refresh_token

if TYPE_CHECKING:
    from httpx2 import Response  # what starlette's TestClient returns

REGISTER = "/api/v1/auth/register"
LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"
GOOD_PASSWORD = "a long enough passphrase"


def assert_no_hash(response: Response) -> None:
    assert "$argon2" not in response.text
    assert "password_hash" not in response.text


def assert_problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def login(client: TestClient, email: str, password: str) -> Response:
    return client.post(LOGIN, json={"email": email, "password": password})


def register(client: TestClient, **overrides: str) -> Response:
    body = {
        "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
        "password": GOOD_PASSWORD,
        "display_name": "Ada",
    }
    return client.post(REGISTER, json=body | overrides)


class TestRegister:
    def test_creates_user_and_returns_it_without_the_hash(self, client: TestClient, db: Session) -> None:
        response = register(client, email="Ada.Lovelace@Example.com", display_name="  Ada  ")
        assert response.status_code == 201, response.text
        assert_no_hash(response)
        body = response.json()
        assert set(body) == {"id", "email", "display_name", "role", "created_at"}
        assert body["email"] == "Ada.Lovelace@example.com"
        assert body["display_name"] == "Ada"
        assert body["role"] == "user"
        stored = db.get(User, uuid.UUID(body["id"]))
        assert stored is not None
        assert stored.password_hash.startswith("$argon2id$")
        assert GOOD_PASSWORD not in stored.password_hash

    def test_duplicate_email_in_another_case_is_409(self, client: TestClient) -> None:
        assert register(client, email="sam@example.com").status_code == 201
        body = assert_problem(register(client, email="SAM@Example.COM"), 409)
        assert "already exists" in body["detail"]

    @pytest.mark.parametrize(("length", "status"), [(9, 422), (10, 201), (128, 201), (129, 422)])
    def test_password_length_bounds(self, client: TestClient, length: int, status: int) -> None:
        response = register(client, password="p" * length)
        assert response.status_code == status, response.text
        if status == 422:
            body = assert_problem(response, 422)
            assert [e["field"] for e in body["errors"]] == ["password"]
            assert "10" in body["errors"][0]["reason"] or "128" in body["errors"][0]["reason"]

    @pytest.mark.parametrize("email", ["not-an-email", "a@b", "two@@example.com", ""])
    def test_bad_email_is_422_naming_email(self, client: TestClient, email: str) -> None:
        body = assert_problem(register(client, email=email), 422)
        assert [e["field"] for e in body["errors"]] == ["email"]

    @pytest.mark.parametrize("name", ["", "   ", "x" * 101, "bad\x00name", "tab\tname"])
    def test_bad_display_name_is_422(self, client: TestClient, name: str) -> None:
        body = assert_problem(register(client, display_name=name), 422)
        assert [e["field"] for e in body["errors"]] == ["display_name"]

    def test_role_in_body_is_refused_not_ignored(self, client: TestClient, db: Session) -> None:
        response = client.post(
            REGISTER,
            json={
                "email": "mallory@example.com",
                "password": GOOD_PASSWORD,
                "display_name": "M",
                "role": "admin",
            },
        )
        body = assert_problem(response, 422)
        assert [e["field"] for e in body["errors"]] == ["role"]
        assert db.scalar(select(User).where(User.email == "mallory@example.com")) is None


class TestLogin:
    def test_json_login_issues_access_and_refresh_tokens(
        self, client: TestClient, factory: Factory, settings: Settings
    ) -> None:
        user = factory.user(role=Role.COACH)
        response = login(client, user.email.upper(), user.password)
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert set(body) == {"access_token", "refresh_token", "token_type", "expires_in"}
        assert body["token_type"] == "bearer"
        assert body["expires_in"] == 15 * 60
        claims = jwt.decode(
            body["access_token"], settings.jwt_secret, algorithms=["HS256"], audience="nexfitra"
        )
        assert claims["sub"] == str(user.id)
        assert claims["role"] == "coach"
        assert claims["exp"] - claims["iat"] == 15 * 60
        assert len(claims["jti"]) >= 16
        me = client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
        assert me.status_code == 200
        assert me.json()["id"] == str(user.id)
        assert_no_hash(me)

    def test_oauth2_password_form_login(self, client: TestClient, factory: Factory) -> None:
        user = factory.user()
        response = client.post(
            LOGIN, data={"grant_type": "password", "username": user.email, "password": user.password}
        )
        assert response.status_code == 200, response.text
        assert response.json()["token_type"] == "bearer"

    def test_form_errors_name_the_form_fields(self, client: TestClient) -> None:
        body = assert_problem(client.post(LOGIN, data={"password": "whatever"}), 422)
        assert [e["field"] for e in body["errors"]] == ["username"]
        body = assert_problem(client.post(LOGIN, data={"username": "a@example.com", "grant_type": "x"}), 422)
        assert [e["field"] for e in body["errors"]] == ["grant_type"]

    def test_json_errors_name_the_json_fields(self, client: TestClient) -> None:
        body = assert_problem(client.post(LOGIN, json={"email": "a@example.com"}), 422)
        assert [e["field"] for e in body["errors"]] == ["password"]
        assert_problem(
            client.post(LOGIN, content=b"{not json", headers={"content-type": "application/json"}), 422
        )

    def test_other_content_types_are_415(self, client: TestClient) -> None:
        assert_problem(client.post(LOGIN, content=b"x", headers={"content-type": "text/plain"}), 415)
        multipart = client.post(LOGIN, files={"username": (None, "a@example.com"), "password": (None, "pw")})
        assert_problem(multipart, 415)

    def test_openapi_documents_both_encodings(self, client: TestClient) -> None:
        operation = client.get("/openapi.json").json()["paths"][LOGIN]["post"]
        content = operation["requestBody"]["content"]
        assert content["application/json"]["schema"]["required"] == ["email", "password"]
        assert content["application/x-www-form-urlencoded"]["schema"]["required"] == ["username", "password"]
        assert {"401", "403", "429"} <= set(operation["responses"])

    def test_unknown_email_and_wrong_password_look_the_same(
        self, client: TestClient, factory: Factory
    ) -> None:
        user = factory.user()
        unknown_s: list[float] = []
        wrong_s: list[float] = []
        replies = []
        for _ in range(3):
            for email, timings in (
                (f"nobody-{uuid.uuid4().hex}@example.com", unknown_s),
                (user.email, wrong_s),
            ):
                started = time.perf_counter()
                response = login(client, email, "wrong password!")
                timings.append(time.perf_counter() - started)
                replies.append((response.status_code, response.json()))
        assert {status for status, _ in replies} == {401}
        assert len({body["detail"] for _, body in replies}) == 1
        # Without the dummy verification an unknown address answers ~20x faster than an argon2 check.
        assert statistics.median(unknown_s) > 0.5 * statistics.median(wrong_s)

    def test_disabled_account_gets_403_only_with_the_right_password(
        self, client: TestClient, factory: Factory
    ) -> None:
        user = factory.user(is_active=False)
        assert (
            assert_problem(login(client, user.email, user.password), 403)["detail"]
            == "this account is disabled"
        )
        assert_problem(login(client, user.email, "wrong password!"), 401)

    def test_outdated_hash_is_replaced_on_login(
        self, client: TestClient, factory: Factory, clean_database: Database
    ) -> None:
        user = factory.user()
        weak_hash = Argon2Hasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(user.password)
        with clean_database.session() as session:
            session.execute(update(User).where(User.id == user.id).values(password_hash=weak_hash))
        assert login(client, user.email, user.password).status_code == 200
        with clean_database.session() as session:
            new_hash = session.scalars(select(User.password_hash).where(User.id == user.id)).one()
        assert new_hash != weak_hash
        assert "m=65536" in new_hash
        assert login(client, user.email, user.password).status_code == 200


class TestAccessToken:
    def test_expired_token_is_401(self, client: TestClient, factory: Factory, settings: Settings) -> None:
        user = factory.user()
        issued = datetime.now(UTC) - timedelta(minutes=16)
        token = create_access_token(
            user.id, user.role, settings.jwt_secret, timedelta(minutes=15), now=issued
        )
        body = assert_problem(client.get(ME, headers={"Authorization": f"Bearer {token}"}), 401)
        assert body["detail"] == "access token expired"
        assert client.get(ME, headers=user.headers).status_code == 200

    def test_tampered_token_is_401(self, client: TestClient, factory: Factory, settings: Settings) -> None:
        user = factory.user()
        header, _, signature = user.token.split(".")
        claims = jwt.decode(user.token, settings.jwt_secret, algorithms=["HS256"], audience="nexfitra")
        forged_payload = base64url_encode(json.dumps(claims | {"role": "admin"}).encode()).decode()
        for token in (
            f"{header}.{forged_payload}.{signature}",
            create_access_token(
                user.id, Role.ADMIN, "another-secret-of-sufficient-length!!", timedelta(minutes=5)
            ),
            user.token[:-2] + ("AA" if not user.token.endswith("AA") else "BB"),
            "not-a-jwt",
        ):
            assert_problem(client.get(ME, headers={"Authorization": f"Bearer {token}"}), 401)

    def test_missing_token_is_401_with_challenge(self, client: TestClient) -> None:
        response = client.get(ME)
        assert_problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


class TestRefresh:
    def _pair(self, client: TestClient, factory: Factory) -> dict[str, Any]:
        user = factory.user()
        response = login(client, user.email, user.password)
        assert response.status_code == 200
        pair: dict[str, Any] = response.json()
        return pair

    def test_refresh_rotates_the_token(self, client: TestClient, factory: Factory, db: Session) -> None:
        first = self._pair(client, factory)
        response = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
        assert response.status_code == 200, response.text
        second = response.json()
        assert second["refresh_token"] != first["refresh_token"]
        assert (
            client.get(ME, headers={"Authorization": f"Bearer {second['access_token']}"}).status_code == 200
        )
        rows = {r.token_hash: r for r in db.scalars(select(RefreshToken))}
        old, new = (
            rows[hash_refresh_token(first["refresh_token"])],
            rows[hash_refresh_token(second["refresh_token"])],
        )
        assert old.family_id == new.family_id
        assert old.used_at is not None
        assert new.used_at is None
        assert first["refresh_token"] not in {r.token_hash for r in rows.values()}
        third = client.post(REFRESH, json={"refresh_token": second["refresh_token"]})
        assert third.status_code == 200

    def test_reuse_revokes_the_whole_family(self, client: TestClient, factory: Factory, db: Session) -> None:
        first = self._pair(client, factory)
        other_login = self._pair(client, factory)
        second = client.post(REFRESH, json={"refresh_token": first["refresh_token"]}).json()
        replay = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
        assert "already used" in assert_problem(replay, 401)["detail"]
        # The thief's replay also kills the legitimate, newer token of that login...
        assert_problem(client.post(REFRESH, json={"refresh_token": second["refresh_token"]}), 401)
        family = db.scalars(
            select(RefreshToken).where(
                RefreshToken.token_hash.in_(
                    [hash_refresh_token(first["refresh_token"]), hash_refresh_token(second["refresh_token"])]
                )
            )
        ).all()
        assert len(family) == 2
        assert all(row.revoked_at is not None for row in family)
        # ...but not another login's.
        assert client.post(REFRESH, json={"refresh_token": other_login["refresh_token"]}).status_code == 200

    def test_unknown_and_expired_refresh_tokens_are_401(
        self, client: TestClient, factory: Factory, clean_database: Database
    ) -> None:
        assert_problem(client.post(REFRESH, json={"refresh_token": "made-up"}), 401)
        pair = self._pair(client, factory)
        with clean_database.session() as session:
            session.execute(
                update(RefreshToken)
                .where(RefreshToken.token_hash == hash_refresh_token(pair["refresh_token"]))
                .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
        body = assert_problem(client.post(REFRESH, json={"refresh_token": pair["refresh_token"]}), 401)
        assert body["detail"] == "refresh token expired"

    def test_logout_revokes_the_family(self, client: TestClient, factory: Factory) -> None:
        first = self._pair(client, factory)
        second = client.post(REFRESH, json={"refresh_token": first["refresh_token"]}).json()
        response = client.post(LOGOUT, json={"refresh_token": first["refresh_token"]})
        assert response.status_code == 204
        assert response.content == b""
        assert_problem(client.post(REFRESH, json={"refresh_token": second["refresh_token"]}), 401)
        assert client.post(LOGOUT, json={"refresh_token": second["refresh_token"]}).status_code == 204
        assert client.post(LOGOUT, json={"refresh_token": "never-issued"}).status_code == 204


ThrottledClient = Callable[..., TestClient]


@pytest.fixture
def throttled(settings: Settings, clean_database: Database) -> Iterator[ThrottledClient]:
    """A fresh app (and so a fresh limiter) with small limits; extra clients share it from other IPs."""
    with ExitStack() as stack:

        def make(per_ip: str, per_account: str) -> TestClient:
            small = settings.model_copy(
                update={"login_limit_per_ip": per_ip, "login_limit_per_account": per_account}
            )
            return stack.enter_context(TestClient(create_app(small, database=clean_database)))

        yield make


def from_ip(client: TestClient, ip: str) -> TestClient:
    """Another client of the same running app (no second lifespan: the app's limiter is kept)."""
    return TestClient(client.app, client=(ip, 50000))


def assert_throttled(response: Response) -> None:
    assert_problem(response, 429)
    retry_after_s = int(response.headers["retry-after"])
    assert 1 <= retry_after_s <= 60


class TestThrottle:
    def test_per_account_limit(self, throttled: ThrottledClient, factory: Factory) -> None:
        client = throttled(per_ip="100/minute", per_account="3/minute")
        victim, bystander = factory.user(), factory.user()
        for _ in range(3):
            assert_problem(login(client, victim.email, "wrong password!"), 401)
        # Even the right password waits now, and from another address: the limit is the account's.
        assert_throttled(login(client, victim.email, victim.password))
        assert_throttled(login(from_ip(client, "10.0.0.9"), victim.email.upper(), victim.password))
        assert login(client, bystander.email, bystander.password).status_code == 200

    def test_unknown_accounts_are_throttled_alike(self, throttled: ThrottledClient) -> None:
        client = throttled(per_ip="100/minute", per_account="2/minute")
        for _ in range(2):
            assert_problem(login(client, "ghost@example.com", "wrong password!"), 401)
        assert_throttled(login(client, "ghost@example.com", "wrong password!"))

    def test_success_clears_the_account_counter(self, throttled: ThrottledClient, factory: Factory) -> None:
        client = throttled(per_ip="100/minute", per_account="3/minute")
        user = factory.user()
        for password in ("typo one!!", "typo two!!", user.password, "typo three", "typo four"):
            response = login(client, user.email, password)
            assert response.status_code == (200 if password == user.password else 401)

    def test_per_ip_limit(self, throttled: ThrottledClient, factory: Factory) -> None:
        client = throttled(per_ip="3/minute", per_account="100/minute")
        user = factory.user()
        for n in range(3):
            assert_problem(login(client, f"spray-{n}@example.com", "wrong password!"), 401)
        assert_throttled(login(client, user.email, user.password))
        assert login(from_ip(client, "10.0.0.2"), user.email, user.password).status_code == 200

    def test_registration_counts_per_ip(self, throttled: ThrottledClient) -> None:
        client = throttled(per_ip="2/minute", per_account="100/minute")
        assert register(client).status_code == 201
        assert register(client).status_code == 201
        assert_throttled(register(client))
        # Its own counter: login from that address is not blocked by registrations.
        assert_problem(login(client, "someone@example.com", "wrong password!"), 401)
