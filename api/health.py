"""Liveness, readiness and metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from api.deps import get_database
from api.errors import problem
from store import migrate
from store.db import Database

router = APIRouter(tags=["service"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (no dependencies checked: a DB outage must not restart every pod). Async, so
    it answers on the event loop even when every worker thread is stuck waiting for the database."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
def readyz(database: Annotated[Database, Depends(get_database)]) -> dict[str, str] | Response:
    """Ready for traffic: the database answers and its schema is at the migrations' head."""
    try:
        with database.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current, head = migrate.current_revision(database.engine), migrate.head_revision()
    except Exception as exc:  # any failure to reach the database means "not ready"
        return problem(503, "Not ready", f"database unreachable: {type(exc).__name__}")
    if current != head:
        return problem(503, "Not ready", f"database at revision {current}, migrations at {head}")
    return {"status": "ready", "revision": str(current)}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
