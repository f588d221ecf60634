"""Routes: register, login (JSON or the OAuth2 password form), refresh, logout, and the caller.

Login answers 401 for an unknown address or a wrong password alike, 403 for a disabled account (only
once the password matched), 429 with Retry-After when throttled (api/throttle.py).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from api import throttle
from api.deps import CurrentUser, DbSession, SettingsDep
from api.errors import problem, problem_response
from api.throttle import Throttle, client_ip
from tools import accounts
from tools.accounts import LoginInput, RefreshInput, RegisterInput, TokenPair, UserOut

router = APIRouter(tags=["auth"], lifespan=throttle.lifespan)


_FORM = "application/x-www-form-urlencoded"
_OAUTH2_FORM_SCHEMA = {
    "type": "object",
    "required": ["username", "password"],
    "properties": {
        "grant_type": {"type": "string", "enum": ["password"]},
        "username": {"type": "string", "description": "The account's email"},
        "password": {"type": "string", "format": "password"},
        "scope": {"type": "string"},
        "client_id": {"type": "string"},
        "client_secret": {"type": "string", "format": "password"},
    },
}


async def login_credentials(request: Request) -> LoginInput:
    """One route, two encodings: JSON {email, password} for apps, the OAuth2 password form (username =
    email) for the /docs Authorize button. Errors name the field as the client sent it."""
    content_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type == _FORM:
        form = await request.form()
        grant_type = form.get("grant_type")
        if grant_type not in (None, "", "password"):
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body", "grant_type"), "msg": "must be 'password'"}]
            )
        raw: Any = {"email": form.get("username"), "password": form.get("password")}
        renamed = {"email": "username"}
    elif content_type in ("application/json", ""):
        try:
            raw = await request.json()
        except ValueError as exc:
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}]
            ) from exc
        renamed = {}
    else:
        raise HTTPException(status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, f"use application/json or {_FORM}")
    try:
        return LoginInput.model_validate(raw)
    except ValidationError as exc:
        errors = [
            {**e, "loc": ("body", *(renamed.get(str(p), p) for p in e["loc"]))}
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise RequestValidationError(errors) from exc


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    responses={409: problem_response("Email already registered"), 429: problem_response("Too many attempts")},
)
def register(
    data: RegisterInput, db: DbSession, settings: SettingsDep, limiter: Throttle, request: Request
) -> UserOut:
    # Each registration costs an argon2 hash: it shares the per-IP limit's size (its own counter).
    limiter.hit("register", client_ip(request))
    user = accounts.create_user(db, data, min_password_length=settings.password_min_length)
    return UserOut.model_validate(user)


@router.post(
    "/auth/login",
    responses={
        401: problem_response("Unknown email or wrong password"),
        403: problem_response("Account disabled"),
        429: problem_response("Too many attempts (see Retry-After)"),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": LoginInput.model_json_schema()},
                _FORM: {"schema": _OAUTH2_FORM_SCHEMA},
            },
        }
    },
)
def login(
    credentials: Annotated[LoginInput, Depends(login_credentials)],
    db: DbSession,
    settings: SettingsDep,
    limiter: Throttle,
    request: Request,
    response: Response,
) -> TokenPair:
    limiter.hit("login", client_ip(request), credentials.email)
    pair = accounts.login(db, credentials, settings)
    limiter.succeeded("login", credentials.email)
    response.headers["Cache-Control"] = "no-store"
    return pair


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    responses={401: problem_response("Invalid, expired, revoked or re-used refresh token")},
)
def refresh(data: RefreshInput, db: DbSession, settings: SettingsDep, response: Response) -> Any:
    try:
        pair = accounts.rotate_refresh_token(db, data.refresh_token, settings)
    except accounts.RefreshTokenReused as exc:
        # Returned, not raised: the request's unit of work must commit the family's revocation.
        return problem(exc.status, exc.title, exc.detail, headers={"WWW-Authenticate": "Bearer"})
    response.headers["Cache-Control"] = "no-store"
    return pair


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(data: RefreshInput, db: DbSession) -> None:
    """Ends the login the refresh token belongs to (all its rotations). Idempotent."""
    accounts.revoke_refresh_family(db, data.refresh_token)


@router.get("/me")
def me(caller: CurrentUser, db: DbSession) -> UserOut:
    return accounts.get_user(db, caller.id)
