"""The request's unit of work is committed before the client sees the response."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy import func, select
from starlette.types import Message

from api.deps import DbSession
from store.db import Database
from store.models import OutboxEvent


def _count_events(database: Database, kind: str) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).where(OutboxEvent.kind == kind)) or 0


def test_route_writes_are_committed_before_the_response_starts(
    app: FastAPI, clean_database: Database
) -> None:
    def write_event(db: DbSession) -> dict[str, str]:
        db.add(OutboxEvent(kind="probe.scope", payload={}))
        return {"status": "written"}

    app.add_api_route("/probe-scope", write_event, methods=["POST"])
    seen_at_response_start: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            # Another connection, at the moment the response starts: the row must be there already.
            seen_at_response_start.append(_count_events(clean_database, "probe.scope"))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/probe-scope",
        "raw_path": b"/probe-scope",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "root_path": "",
        "state": {},
    }

    async def run() -> None:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)

    asyncio.run(run())
    assert seen_at_response_start == [1]
