"""Every route, enumerated from the OpenAPI schema: a new route cannot slip in without authentication,
and no route with a `{user_id}` lets a plain user reach someone else's data. (Per-resource owner matrices,
e.g. another user's plan id, live beside each resource's tests.)"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from store.vocabulary import Role
from tests.factories import Factory

# The only operations anyone may call without a bearer token.
PUBLIC = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/auth/logout"),
}


def operations(app: FastAPI) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, methods in app.openapi()["paths"].items()
        for method, operation in methods.items()
    ]


def concrete(path: str, **values: str) -> str:
    """Fill every path parameter: the named ones with `values`, the rest with fresh ids."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), str(uuid.uuid4())), path)


def test_exactly_the_public_operations_are_unauthenticated(app: FastAPI) -> None:
    unsecured = {(method, path) for method, path, op in operations(app) if not op.get("security")}
    assert unsecured == PUBLIC


def test_every_secured_operation_refuses_anonymous_callers(client: TestClient, app: FastAPI) -> None:
    secured = [(method, path) for method, path, op in operations(app) if op.get("security")]
    assert len(secured) > 40
    for method, path in secured:
        response = client.request(method, concrete(path), json={})
        assert response.status_code == 401, f"{method} {path}: {response.status_code}"
        assert response.headers["content-type"] == "application/problem+json"


def test_every_secured_operation_refuses_a_forged_token(client: TestClient, app: FastAPI) -> None:
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"}
    for method, path, op in operations(app):
        if op.get("security"):
            response = client.request(method, concrete(path), json={}, headers=forged)
            assert response.status_code == 401, f"{method} {path}: {response.status_code}"


@pytest.mark.parametrize("caller_role", [Role.USER, Role.COACH])
def test_no_user_id_route_reaches_another_users_data_without_a_grant(
    client: TestClient, app: FastAPI, factory: Factory, caller_role: Role
) -> None:
    victim = factory.user()
    factory.profile(victim)
    caller = factory.user(role=caller_role)
    user_routes = [(m, p) for m, p, _ in operations(app) if "{user_id}" in p]
    assert len(user_routes) >= 10
    for method, path in user_routes:
        response = client.request(
            method, concrete(path, user_id=str(victim.id)), json={}, headers=caller.headers
        )
        # Admin and coach routes are role boundaries (403 for the wrong role); everything else hides the
        # user (404), or rejects the empty body (422) before any lookup, which leaks nothing either.
        if path.startswith("/api/v1/admin/") or (
            path.startswith("/api/v1/coach/") and caller_role is Role.USER
        ):
            allowed = {403}
        else:
            allowed = {404, 422}
        assert response.status_code in allowed, f"{method} {path}: {response.status_code}"
        assert str(victim.id) not in response.text or response.status_code == 422
