"""The one way live sources talk HTTP.

An injected `httpx.Client` (tests hand in a `MockTransport` or point it at a local server), a client-side
rate limit held by the client object (`limits`, memory storage), retries with exponential backoff and jitter
on 429/5xx/timeouts that honour `Retry-After` (tenacity), and typed errors instead of exceptions from httpx.
Secrets travel in headers or query parameters but never into error messages or logs."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import structlog
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential_jitter

from knowledge.sources.errors import SourceNotFound, SourceRateLimited, SourceUnavailable
from store.settings import Settings

_log = structlog.get_logger(__name__)

# 408/425 are "try again" by definition; 429 is rate limiting; these 5xx are the transient ones.
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
USER_AGENT = "NexFitra/0.1"


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` counts the first try. A `Retry-After` above `max_backoff_s` is not waited for."""

    max_attempts: int = 4
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    jitter_s: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(max_attempts=settings.live_max_attempts, max_backoff_s=settings.live_max_backoff_s)


def make_http_client(settings: Settings) -> httpx.Client:
    """The production client: one per process or job, closed by its owner."""
    return httpx.Client(
        timeout=httpx.Timeout(settings.live_http_timeout_s),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        follow_redirects=False,
    )


class _Transient(Exception):
    """A failure worth retrying: 429, a transient 5xx, a timeout or a dropped connection."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after_s = retry_after_s


def parse_retry_after(value: str | None, now_s: float) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now_s)


class LiveClient:
    """Base of the outbound clients. Subclasses set `source` and call `_get_json`."""

    source: ClassVar[str] = "live"
    # Statuses meaning "quota used up" rather than "slow down" (Spoonacular answers 402 for its daily quota).
    quota_statuses: ClassVar[frozenset[int]] = frozenset()
    quota_retry_after_s: ClassVar[float] = 3600.0

    def __init__(
        self,
        http: httpx.Client,
        *,
        base_url: str,
        rate_limit: str | None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._limit: RateLimitItem | None = parse(rate_limit) if rate_limit else None
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._backoff = wait_exponential_jitter(
            multiplier=self._retry.initial_backoff_s,
            max=self._retry.max_backoff_s,
            jitter=self._retry.jitter_s,
        )
        self.requests_sent = 0

    def _get_json(
        self, path: str, *, params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None
    ) -> Any:
        """GET `path` and decode JSON, retrying transient failures; raises only `SourceError`s."""
        retrying = Retrying(
            stop=self._should_stop,
            wait=self._wait,
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._send_once(path, params, headers)
        except _Transient as exc:
            _log.warning("live source gave up", source=self.source, reason=exc.reason, status=exc.status)
            if exc.status == 429:
                retry_after_s = (
                    exc.retry_after_s if exc.retry_after_s is not None else self._retry.max_backoff_s
                )
                raise SourceRateLimited(self.source, "rate limited by the provider", retry_after_s) from exc
            raise SourceUnavailable(self.source, exc.reason) from exc
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _send_once(
        self, path: str, params: Mapping[str, Any] | None, headers: Mapping[str, str] | None
    ) -> Any:
        self._take_token()
        try:
            response = self._http.get(self._base_url + path, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            raise _Transient(f"timed out ({type(exc).__name__})") from exc
        except httpx.TransportError as exc:
            raise _Transient(f"connection failed ({type(exc).__name__})") from exc
        finally:
            self.requests_sent += 1
        status = response.status_code
        if status in TRANSIENT_STATUSES:
            retry_after_s = parse_retry_after(response.headers.get("Retry-After"), time.time())
            raise _Transient(f"HTTP {status}", status=status, retry_after_s=retry_after_s)
        if status in self.quota_statuses:
            retry_after_s = parse_retry_after(response.headers.get("Retry-After"), time.time())
            raise SourceRateLimited(
                self.source, f"quota used up (HTTP {status})", retry_after_s or self.quota_retry_after_s
            )
        if status == 404:
            raise SourceNotFound(self.source, "not found (HTTP 404)")
        if status in (401, 403):
            raise SourceUnavailable(self.source, f"credentials refused (HTTP {status}); check the API key")
        if not 200 <= status < 300:
            raise SourceUnavailable(self.source, f"unexpected answer (HTTP {status})")
        try:
            return response.json()
        except ValueError as exc:
            raise SourceUnavailable(self.source, "answer is not JSON") from exc

    def _take_token(self) -> None:
        """Spend one request of the client-side budget, or fail at once: waiting here would hold a request."""
        if self._limit is None or self._limiter.hit(self._limit, self.source):
            return
        reset_time, _ = self._limiter.get_window_stats(self._limit, self.source)
        raise SourceRateLimited(
            self.source, f"client-side limit of {self._limit} reached", max(0.0, reset_time - time.time())
        )

    def _should_stop(self, state: RetryCallState) -> bool:
        if state.attempt_number >= self._retry.max_attempts:
            return True
        exc = state.outcome.exception() if state.outcome else None
        # A provider asking for a longer pause than we are willing to hold a caller for: stop now.
        return (
            isinstance(exc, _Transient)
            and exc.retry_after_s is not None
            and exc.retry_after_s > self._retry.max_backoff_s
        )

    def _wait(self, state: RetryCallState) -> float:
        backoff_s = float(self._backoff(state))
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Transient) and exc.retry_after_s is not None:
            return max(exc.retry_after_s, backoff_s)
        return backoff_s
