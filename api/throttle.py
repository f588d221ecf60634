"""Login throttling per client IP and per account, with the `limits` library.

Every attempt counts (a moving window), checked before the password is, so a blocked guess costs no
argon2 work. The account key is the submitted address whether or not it exists, so a 429 says nothing
about which accounts exist. A successful login clears its account's counter; the IP counter stays.
One `LoginThrottle` per app, made by the auth router's lifespan and kept on `app.state`.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from store.settings import Settings
from tools.errors import TooManyRequests


class LoginThrottle:
    def __init__(self, storage_uri: str, per_ip: str, per_account: str) -> None:
        # parse_many: a setting may stack limits ("5/minute;20/hour").
        self._per_ip = parse_many(per_ip)
        self._per_account = parse_many(per_account)
        self._limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginThrottle:
        return cls(
            settings.rate_limit_storage_uri, settings.login_limit_per_ip, settings.login_limit_per_account
        )

    def hit(self, scope: str, ip: str, account: str | None = None) -> None:
        """Count one attempt from `ip` (and at `account`); 429 with Retry-After when over a limit."""
        self._hit(self._per_ip, scope, "ip", ip)
        if account is not None:
            self._hit(self._per_account, scope, "account", _account_key(account))

    def succeeded(self, scope: str, account: str) -> None:
        """The owner got in: their earlier typos should not lock them out later."""
        for item in self._per_account:
            self._limiter.clear(item, scope, "account", _account_key(account))

    def _hit(self, items: list[RateLimitItem], *key: str) -> None:
        for item in items:
            if not self._limiter.hit(item, *key):
                reset_at = self._limiter.get_window_stats(item, *key).reset_time
                retry_after_s = max(1, math.ceil(reset_at - time.time()))
                raise TooManyRequests("too many attempts, try again later", retry_after_s=retry_after_s)


def _account_key(email: str) -> str:
    # Hashed: a shared store (redis) then holds no addresses.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Give the app its throttle at start-up (a fresh memory store per app; tests build their own)."""
    app.state.login_throttle = LoginThrottle.from_settings(app.state.settings)
    yield


def get_login_throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def client_ip(request: Request) -> str:
    """The peer address; behind a proxy, run uvicorn with --forwarded-allow-ips so this is the client's."""
    return request.client.host if request.client else "unknown"


Throttle = Annotated[LoginThrottle, Depends(get_login_throttle)]
