"""Regenerate future workout sessions when the profile changes in a way that affects training.

Subscribed to `profile.changed` (tools/events.py). Fields that matter: training days, session length,
experience, goal, equipment, injuries, liked and disliked exercises. Every workout plan still running after
the event's day gets a new version: sessions up to and including that day stay as they were, later ones are
programmed again (locks kept), with the reason and a notification. If the new profile cannot be
programmed (e.g. sessions too short), the plan is left alone and the notification says why.

The event's creation time is "today": a retried job regenerates from the same day as the first attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import plans as plan_store
from store import workouts as rows
from store.models import Notification, Plan
from store.vocabulary import PlanKind
from tools.errors import DomainError
from tools.events import EventMessage, ProfileChanged
from tools.training.edits import rebuild_from
from tools.training.plans import ExerciseCatalogCache

RELEVANT_FIELDS: Final = frozenset(
    {
        "training_days",
        "session_minutes",
        "experience",
        "goal",
        "equipment",
        "injuries",
        "liked_exercises",
        "disliked_exercises",
    }
)
NOTIFICATION_KIND: Final = "workout_plan.updated"
FAILURE_KIND: Final = "workout_plan.update_failed"


def profile_changed_handler(
    catalogs: ExerciseCatalogCache | None = None,
) -> Callable[[Session, EventMessage], None]:
    """The `profile.changed` subscriber, with the exercise catalog cached for the life of the worker."""
    cache = catalogs if catalogs is not None else ExerciseCatalogCache()

    def handle(session: Session, event: EventMessage) -> None:
        handle_profile_changed(session, event, catalogs=cache)

    return handle


def handle_profile_changed(session: Session, event: EventMessage, *, catalogs: ExerciseCatalogCache) -> None:
    payload = ProfileChanged.model_validate(event.payload)
    changed = sorted(RELEVANT_FIELDS & set(payload.changes))
    if payload.created or not changed:
        return
    today = event.created_at.astimezone(UTC).date()
    first_day = today + timedelta(days=1)
    plans = session.scalars(
        select(Plan)
        .where(Plan.user_id == payload.user_id, Plan.kind == PlanKind.WORKOUT, Plan.end_date >= first_day)
        .order_by(Plan.start_date)
    ).all()
    fields = ", ".join(f.replace("_", " ") for f in changed)
    for plan in plans:
        from_date = max(first_day, plan.start_date)
        version = plan_store.get_version(session, plan)
        if version is None:
            continue
        stored = rows.read_sessions(session, version.id)
        locks: dict[str, int] = {}
        for s in sorted(stored, key=lambda s: s.scheduled_on):
            if s.scheduled_on >= from_date:
                for e in s.exercises:
                    if e.locked:
                        locks.setdefault(e.slot_key, e.exercise_id)
        reason = f"Your profile changed ({fields}): sessions from {from_date} were regenerated"
        try:
            with session.begin_nested():
                out = rebuild_from(
                    session,
                    plan,
                    stored,
                    from_date=from_date,
                    locks=locks,
                    reason=reason,
                    catalogs=catalogs,
                    created_by=payload.changed_by,
                    today=today,
                )
        except DomainError as exc:
            session.add(
                Notification(
                    user_id=payload.user_id,
                    kind=FAILURE_KIND,
                    title="Your workout plan could not be updated",
                    body=f"After your profile change ({fields}): {exc.detail}",
                    data={"plan_id": str(plan.id), "fields": changed},
                )
            )
            continue
        session.add(
            Notification(
                user_id=payload.user_id,
                kind=NOTIFICATION_KIND,
                title="Your workout plan was updated",
                body=reason + ".",
                data={"plan_id": str(plan.id), "version": out.version, "fields": changed},
            )
        )
    session.flush()
