"""Password hashing: argon2id (pwdlib's defaults follow the OWASP parameters)."""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher


@cache
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """(matches, new hash if the stored one uses outdated parameters and should be replaced)."""
    return _hasher().verify_and_update(password, password_hash)


def dummy_verify() -> None:
    """Spend the time of one verification, so "no such account" and "wrong password" take equally long."""
    _hasher().verify("x" * 12, _DUMMY_HASH())


@cache
def _DUMMY_HASH() -> str:  # noqa: N802 - a lazily computed constant
    return _hasher().hash("not-a-real-password")
