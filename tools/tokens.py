"""Access tokens (JWT, HS256) and opaque refresh tokens (stored as SHA-256, never in clear)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel

from store.vocabulary import Role
from tools.errors import Unauthorized

ALGORITHM = "HS256"
AUDIENCE = "nexfitra"


class AccessClaims(BaseModel):
    sub: uuid.UUID
    role: Role
    exp: datetime
    iat: datetime
    jti: str


def create_access_token(
    user_id: uuid.UUID, role: Role, secret: str, ttl: timedelta, now: datetime | None = None
) -> str:
    issued = now or datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "role": role.value,
        "iat": issued,
        "exp": issued + ttl,
        "jti": uuid.uuid4().hex,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, secret: str) -> AccessClaims:
    try:
        raw = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["sub", "role", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("access token expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("invalid access token") from exc
    return AccessClaims.model_validate(raw)


def new_refresh_token() -> tuple[str, str]:
    """(token for the client, hash for the database). 256 random bits: SHA-256 needs no salt here."""
    token = secrets.token_urlsafe(32)
    return token, hash_refresh_token(token)


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
