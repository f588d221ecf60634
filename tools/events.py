"""Transactional outbox: domain events written with the change they describe, and their handlers.

A tool that changes something other features react to calls `record_event` in the same session as the
change, so the event commits or rolls back with it. After the commit a job processes the event
(`tools.jobs`); a periodic sweep catches events whose job was never deferred. Processing runs every handler
subscribed to the event's kind in one savepoint and marks the event processed once, so a handler may run
again after a failure (its earlier writes were rolled back with the savepoint) but never after success.

Subscribing: later features add their handler in `default_handlers()` (import inside the function, so
this module does not import them at load time and no import cycle forms). A handler is a plain function
`(session, event) -> None` that writes through the session it is given and never commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import OutboxEvent

PROFILE_CHANGED = "profile.changed"

# An event still unprocessed this long after its creation has lost its job (or the job is late): the sweep
# defers another one. Shorter than that would race the normal post-commit job.
STALE_AFTER = timedelta(seconds=30)
# After this many failed runs an event is left for an operator (last_error says why) instead of being
# re-deferred every minute forever. Each job run counts one attempt, retries included.
MAX_EVENT_ATTEMPTS = 20
# Session.info key under which `record_event` lists the ids written in the current transaction.
PENDING_EVENT_IDS = "nexfitra.outbox.pending_event_ids"
_ERROR_CHARS = 2000

_log = structlog.get_logger(__name__)


class EventMessage(BaseModel):
    """What a handler receives: a detached copy of the event row."""

    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: int
    kind: str
    user_id: uuid.UUID | None
    payload: dict[str, Any]
    created_at: datetime
    attempts: int


class FieldChange(BaseModel):
    old: Any
    new: Any


class ProfileChanged(BaseModel):
    """Payload of `profile.changed`: every changed field with its old and new value (SI units, dates as
    ISO strings, enums as their values). Encrypted free-text fields are only named in
    `sensitive_changed`: their content never leaves the profile row."""

    user_id: uuid.UUID
    revision: int
    changed_by: uuid.UUID | None
    created: bool
    changes: dict[str, FieldChange]
    sensitive_changed: list[str] = []


Handler = Callable[[Session, EventMessage], None]


class EventHandlers:
    """Handlers per event kind, run in subscription order."""

    def __init__(self) -> None:
        self._by_kind: dict[str, list[Handler]] = {}

    def subscribe(self, kind: str, handler: Handler) -> None:
        self._by_kind.setdefault(kind, []).append(handler)

    def for_kind(self, kind: str) -> Sequence[Handler]:
        return tuple(self._by_kind.get(kind, ()))

    @property
    def kinds(self) -> list[str]:
        return sorted(self._by_kind)


def log_profile_change(session: Session, event: EventMessage) -> None:
    """The built-in `profile.changed` subscriber: checks the payload's shape (a malformed event fails here
    and shows in `last_error`) and logs which fields changed. The engines add their own subscribers."""
    payload = ProfileChanged.model_validate(event.payload)
    _log.info(
        "profile changed",
        event_id=event.id,
        user_id=str(payload.user_id),
        revision=payload.revision,
        fields=sorted([*payload.changes, *payload.sensitive_changed]),
    )


def default_handlers() -> EventHandlers:
    """The subscriptions of the running service (worker and `serve`)."""
    from tools.nutrition.auto_update import profile_changed_handler
    from tools.training.auto_update import profile_changed_handler as training_handler

    handlers = EventHandlers()
    handlers.subscribe(PROFILE_CHANGED, log_profile_change)
    handlers.subscribe(PROFILE_CHANGED, training_handler())
    handlers.subscribe(PROFILE_CHANGED, profile_changed_handler())
    return handlers


def record_event(session: Session, *, kind: str, user_id: uuid.UUID | None, payload: dict[str, Any]) -> int:
    """Add an outbox row to the caller's transaction; returns its id (flushed, so the id is known)."""
    event = OutboxEvent(kind=kind, user_id=user_id, payload=payload)
    session.add(event)
    session.flush()
    session.info.setdefault(PENDING_EVENT_IDS, []).append(event.id)
    return event.id


def take_pending_event_ids(session: Session) -> list[int]:
    """The ids recorded since the last call (and forget them): what to defer after a commit."""
    ids: list[int] = session.info.pop(PENDING_EVENT_IDS, [])
    return ids


class Outcome(StrEnum):
    PROCESSED = "processed"
    # Already processed, being processed by another worker (row locked), or deleted with its user.
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class ProcessResult:
    outcome: Outcome
    error: Exception | None = None


def process_event(session: Session, handlers: EventHandlers, event_id: int) -> ProcessResult:
    """Run the handlers of one event, at most once to success.

    The row is locked with FOR UPDATE SKIP LOCKED: a second job for the same event (a sweep re-defer racing
    the first) skips instead of waiting and running the handlers twice. A handler error rolls back the
    handlers' writes (savepoint) but keeps the bumped `attempts` and `last_error`, which the caller commits
    before it raises for the job queue to retry."""
    event = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.id == event_id, OutboxEvent.processed_at.is_(None))
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if event is None:
        return ProcessResult(Outcome.SKIPPED)
    message = EventMessage.model_validate(event)
    event.attempts += 1
    try:
        with session.begin_nested():
            for handler in handlers.for_kind(event.kind):
                handler(session, message)
    except Exception as exc:  # any handler failure is recorded and retried, never lost
        event.last_error = f"{type(exc).__name__}: {exc}"[:_ERROR_CHARS]
        _log.warning("outbox handler failed", event_id=event_id, kind=event.kind, error=event.last_error)
        return ProcessResult(Outcome.FAILED, exc)
    event.processed_at = datetime.now(UTC)
    event.last_error = None
    return ProcessResult(Outcome.PROCESSED)


def stale_event_ids(session: Session, *, limit: int = 500) -> list[int]:
    """Unprocessed events older than `STALE_AFTER` that may still be retried, oldest first."""
    rows = session.scalars(
        select(OutboxEvent.id)
        .where(
            OutboxEvent.processed_at.is_(None),
            OutboxEvent.created_at < func.now() - STALE_AFTER,
            OutboxEvent.attempts < MAX_EVENT_ATTEMPTS,
        )
        .order_by(OutboxEvent.created_at)
        .limit(limit)
    )
    return list(rows)
