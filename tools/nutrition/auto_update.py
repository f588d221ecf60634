"""Automatic meal plan updates on `profile.changed` (the outbox job runs the handler).

- A change of weight, height, birth date, sex, body fat, activity, goal or rate recomputes the targets;
  when they move enough (`TargetsDelta`: kcal ≥ 50 or a macro ≥ 5 g) the future days of the current plan
  are solved again (locks kept) and stored as a new version whose reason says what changed
  ("weight 82.0 → 80.5 kg: 2,310 → 2,270 kcal").
- A change of diet, allergies or disliked foods re-plans the future days whatever the targets do: a plan
  must never keep a food the person can no longer eat (a locked one included). So does meals_per_day.
- Past days and today never change. A notification row tells the UI and the chat.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, Final

import structlog
from sqlalchemy.orm import Session

from store import meal_plans as rows
from store import plans as plan_store
from store.models import Notification, Profile
from store.vocabulary import PlanKind
from tools.errors import DomainError
from tools.events import EventMessage, FieldChange, ProfileChanged
from tools.nutrition import planner
from tools.nutrition.candidates import CatalogueCache
from tools.nutrition.targets import (
    BodyInput,
    CoachOverrides,
    DietInput,
    GoalInput,
    Targets,
    TargetsDelta,
    calculate_targets,
)

NOTIFICATION_KIND: Final = "meal_plan.updated"
TARGET_FIELDS: Final = frozenset(
    {
        "weight_kg",
        "height_cm",
        "birth_date",
        "sex",
        "body_fat_pct",
        "activity_level",
        "goal",
        "target_rate_kg_per_week",
        "coach_kcal_floor",
    }
)
SAFETY_FIELDS: Final = frozenset({"diet", "allergies", "disliked_foods"})
STRUCTURE_FIELDS: Final = frozenset({"meals_per_day"})
_UNITS: Final[dict[str, str]] = {
    "weight_kg": "kg",
    "height_cm": "cm",
    "body_fat_pct": "%",
    "target_rate_kg_per_week": "kg/week",
    "coach_kcal_floor": "kcal",
}
_LABELS: Final[dict[str, str]] = {
    "weight_kg": "weight",
    "height_cm": "height",
    "birth_date": "birth date",
    "body_fat_pct": "body fat",
    "activity_level": "activity",
    "target_rate_kg_per_week": "rate",
    "disliked_foods": "disliked foods",
    "meals_per_day": "meals a day",
    "coach_kcal_floor": "kcal floor set by the coach",
}

_log = structlog.get_logger(__name__)


def profile_changed_handler(
    catalogues: CatalogueCache | None = None,
) -> Callable[[Session, EventMessage], None]:
    """The `profile.changed` subscriber, with the food catalogue cached for the life of the worker."""
    cache = catalogues or CatalogueCache()

    def handle(session: Session, event: EventMessage) -> None:
        update_meal_plan(
            session, ProfileChanged.model_validate(event.payload), catalogues=cache, today=_today()
        )

    return handle


def _today() -> date:
    # Plans are dated in UTC; profiles carry no time zone yet.
    return datetime.now(UTC).date()


def _value(field: str, value: Any) -> str:
    if value is None:
        return "the default" if field == "coach_kcal_floor" else "none"
    if field == "coach_kcal_floor":
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


def describe(field: str, change: FieldChange) -> str:
    """ "weight 82.0 → 80.5 kg", "allergies: + peanut"."""
    label = _LABELS.get(field, field.replace("_", " "))
    if isinstance(change.old, list) or isinstance(change.new, list):
        old, new = set(change.old or []), set(change.new or [])
        parts = [f"+ {v}" for v in sorted(new - old)] + [f"− {v}" for v in sorted(old - new)]
        return f"{label}: {', '.join(parts) or 'reordered'}"
    unit = _UNITS.get(field, "")
    return f"{label} {_value(field, change.old)} → {_value(field, change.new)}{' ' + unit if unit else ''}"


def _targets_before(current: Targets, payload: ProfileChanged, today: date) -> Targets | None:
    """The targets the profile gave before this change: its old values over the current inputs (None
    when the old profile could not give targets)."""
    inputs = current.trail.inputs
    old = {k: c.old for k, c in payload.changes.items()}

    def values(fields: dict[str, Any]) -> dict[str, Any]:
        return {k: old.get(k, inputs.get(k)) for k in fields if k in old or k in inputs}

    try:
        body = BodyInput.model_validate(values(BodyInput.model_fields))
        goal = GoalInput.model_validate(values(GoalInput.model_fields))
        if goal.target_rate_kg_per_week is not None:
            goal = goal.model_copy(update={"target_rate_kg_per_week": abs(goal.target_rate_kg_per_week)})
        prefs = DietInput(
            diet=old.get("diet", current.diet), meals_per_day=old.get("meals_per_day", len(current.meals))
        )
        floor = old["coach_kcal_floor"] if "coach_kcal_floor" in old else inputs.get("coach_kcal_floor")
        overrides = CoachOverrides(kcal_floor=floor if isinstance(floor, int) else None)
        return calculate_targets(body, goal, prefs, overrides=overrides, today=today)
    except (DomainError, ValueError):
        return None


def update_meal_plan(
    session: Session, payload: ProfileChanged, *, catalogues: CatalogueCache, today: date
) -> bool:
    """Re-plan the future days of the current meal plan when the change calls for it; True when a new
    version was written. Expected refusals (no plan, a profile the targets cannot use) write nothing."""
    if payload.created:
        return False
    changed = set(payload.changes)
    if not changed & (TARGET_FIELDS | SAFETY_FIELDS | STRUCTURE_FIELDS):
        return False
    user_id = payload.user_id
    plan = plan_store.current_plan(session, user_id=user_id, kind=PlanKind.MEAL, on=today)
    if plan is None or plan.end_date <= today or session.get(Profile, user_id) is None:
        return False
    try:
        targets = planner.targets_for(session, user_id, today=today)
    except DomainError as exc:
        _log.info("meal plan not updated: targets refused", user_id=str(user_id), reason=exc.detail)
        return False
    before = _targets_before(targets, payload, today) if changed & TARGET_FIELDS else None
    delta = TargetsDelta.between(before, targets) if before is not None else None
    forced = bool(changed & (SAFETY_FIELDS | STRUCTURE_FIELDS))
    if not forced and (delta is None or not delta.significant):
        return False
    version = plan_store.get_version(session, plan)
    if version is None:
        return False
    days = rows.read_days(session, version.id)
    ctx = planner.context_for_plan(
        session,
        plan,
        version,
        days,
        catalogues=catalogues,
        today=today,
        meals_per_day=len(targets.meals),
        salt=f"profile:{payload.revision}",
    )
    changed_days: dict[date, rows.DayRow] = {}
    dropped: list[str] = []
    for day in days:
        if day.day_date <= today:
            continue
        new_day, locks = planner.resolve_day(
            ctx,
            day,
            state=planner.week_state(days, day.day_date, plan.start_date, ctx.week()),
            day_index=(day.day_date - plan.start_date).days,
        )
        changed_days[day.day_date] = new_day
        dropped += locks.dropped
    if not changed_days:
        return False
    reason = _reason(payload, before, targets, dropped)
    new_days = [changed_days.get(d.day_date) or planner.copy_day(d) for d in days]
    inputs = planner.version_inputs(ctx, excluded_food_ids=ctx.restrictions.excluded_food_ids)
    new, _ = planner.new_version(
        session, plan, new_days, reason=reason, created_by=payload.changed_by, inputs=inputs
    )
    session.add(
        Notification(
            user_id=user_id,
            kind=NOTIFICATION_KIND,
            title="Your meal plan was updated",
            body=reason,
            data={"plan_id": str(plan.id), "version": new.version, "days_changed": len(changed_days)},
        )
    )
    session.flush()
    return True


def _reason(payload: ProfileChanged, before: Targets | None, after: Targets, dropped: list[str]) -> str:
    relevant = TARGET_FIELDS | SAFETY_FIELDS | STRUCTURE_FIELDS
    parts = [
        describe(field, change) for field, change in sorted(payload.changes.items()) if field in relevant
    ]
    reason = ", ".join(parts)
    if before is not None and before.kcal != after.kcal:
        reason += f": {before.kcal:,} → {after.kcal:,} kcal"
    elif before is not None:
        reason += f": {after.kcal:,} kcal, {before.protein_g} → {after.protein_g} g protein"
    if dropped:
        reason += f"; no longer suitable, unlocked: {', '.join(sorted(set(dropped)))}"
    return reason[:500]
