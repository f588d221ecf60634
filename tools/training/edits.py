"""Edits of a workout plan. Each one writes a new version (with its reason); past sessions never change.

- swap: without a replacement, the ranked alternatives (same primary muscle, allowed for the person's
  equipment, level, injuries and dislikes, not already in the session); with one, the exercise is replaced
  in that session and, by default, in the same slot of the later weeks. A chosen replacement is locked.
- move: a session to another day of its week; if that day has a session, the two trade places.
- regenerate: sessions from a date on are programmed again from the current profile; locked exercises stay
  in their slots while they remain allowed (otherwise the plan says why they were replaced).
- rate: a 1-5 rating of an exercise that later plans rank by (no new version: it changes no plan).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from store import plans as plan_store
from store import workouts as rows
from store.models import Exercise, Plan
from store.models.workouts import SessionKind
from tools.errors import Conflict, NotFound
from tools.training import progression
from tools.training import volume as volume_rules
from tools.training.catalog import Catalog, CatalogEntry
from tools.training.plans import (
    ExerciseCatalogCache,
    advice_for,
    default_seed,
    expand_weeks,
    filters_for,
    invalid,
    load_preferences,
    owned_plan,
    plan_out,
    profile_inputs,
    request_from_profile,
    require_profile,
    similarity_to,
    write_version_rows,
)
from tools.training.programmer import program_week
from tools.training.schemas import Alternative, MuscleGroup, TrainingGoal, WorkoutPlanOut
from tools.training.selection import Selector, alternatives, exclusion_reason


class SwapRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session: int = Field(description="id of a session of the plan's current version")
    exercise_id: int = Field(description="catalog id of the exercise to replace in that session")
    replacement: int | None = Field(default=None, description="catalog id; omit to get ranked alternatives")
    apply_to_future_weeks: bool = True


class SwapResult(BaseModel):
    alternatives: list[Alternative] | None = None
    plan: WorkoutPlanOut | None = None


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session: int
    to_date: date


class RegenerateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    from_date: date | None = None
    keep_locks: bool = True
    lock: list[int] = Field(default_factory=list, max_length=50, description="workout exercise ids to lock")
    reason: str | None = Field(default=None, max_length=200)


def _current(
    session: Session, user_id: uuid.UUID, plan_id: uuid.UUID
) -> tuple[Plan, list[rows.StoredSession]]:
    plan = owned_plan(session, user_id, plan_id)
    version = plan_store.get_version(session, plan)
    if version is None:
        raise NotFound("plan version not found")
    return plan, rows.read_sessions(session, version.id)


def _find_session(stored: list[rows.StoredSession], session_id: int, today: date) -> rows.StoredSession:
    target = next((s for s in stored if s.id == session_id), None)
    if target is None:
        raise NotFound("session not found in this plan's current version")
    if target.scheduled_on < today:
        raise invalid("session", "past sessions cannot change")
    return target


def _copy_detail(
    session: Session,
    plan: Plan,
    new_version_id: int,
    week_sessions: list[rows.NewSession],
    catalog: Catalog,
) -> None:
    """The previous version's detail with the weekly sets recounted on the edited week."""
    previous = plan_store.get_version(session, plan, plan.current_version - 1)
    assert previous is not None
    detail = rows.read_detail(session, previous.id)
    assert detail is not None
    totals = volume_rules.count_sets(
        (catalog.by_id[e.exercise_id].groups, len(e.sets)) for s in week_sessions for e in s.exercises
    )
    weekly = dict(detail.weekly_sets)
    for group, sets in totals.items():
        if group.value in weekly:
            entry = dict(weekly[group.value])
            entry["sets"] = round(sets, 1)
            entry["in_range"] = entry["low"] <= entry["sets"] <= entry["high"]
            weekly[group.value] = entry
    rows.write_detail(
        session,
        new_version_id,
        split=detail.split,
        training_goal=detail.training_goal,
        weekly_sets=weekly,
        cardio=detail.cardio,
        notes=list(detail.notes),
    )


def _selector(session: Session, user_id: uuid.UUID, catalog: Catalog, goal: TrainingGoal) -> Selector:
    profile = require_profile(session, user_id)
    prefs = load_preferences(session, catalog, user_id, profile)
    return Selector(catalog, filters_for(profile), prefs, goal=goal, seed=0)


def swap_exercise(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    body: SwapRequest,
    *,
    catalogs: ExerciseCatalogCache,
    created_by: uuid.UUID | None,
    today: date,
) -> SwapResult:
    plan, stored = _current(session, user_id, plan_id)
    target = _find_session(stored, body.session, today)
    current = next((e for e in target.exercises if e.exercise_id == body.exercise_id), None)
    if current is None:
        raise invalid("exercise_id", "not an exercise of this session")
    catalog = catalogs.get(session)
    version = plan_store.get_version(session, plan)
    assert version is not None
    detail = rows.read_detail(session, version.id)
    assert detail is not None
    selector = _selector(session, user_id, catalog, TrainingGoal(detail.training_goal))
    in_session = {e.exercise_id for e in target.exercises}
    current_entry = catalog.by_id[current.exercise_id]
    if body.replacement is None:
        ranked = alternatives(
            selector,
            current_entry,
            exclude=in_session,
            similarity_to_current=similarity_to(session, [current_entry.id]),
        )
        return SwapResult(alternatives=[_alternative(a.entry, a.score, a.why) for a in ranked])

    replacement = catalog.by_id.get(body.replacement)
    if replacement is None:
        raise invalid("replacement", "no such exercise")
    if replacement.id in in_session:
        raise Conflict(f"{replacement.record.name} is already in this session")
    reason = exclusion_reason(replacement, selector.filters, selector.prefs)
    if reason is not None:
        raise invalid("replacement", f"{replacement.record.name} is not allowed for you: {reason}")
    shared = set(replacement.record.primary_muscles) & set(current_entry.record.primary_muscles)
    if not shared:
        muscles = ", ".join(current_entry.record.primary_muscles)
        raise invalid("replacement", f"{replacement.record.name} does not work the {muscles}")

    new_sessions = [rows.to_new(s) for s in stored]
    changed: list[rows.NewExercise] = []
    for old, new in zip(stored, new_sessions, strict=True):
        same_slot = old.id == target.id or (
            body.apply_to_future_weeks and old.week > target.week and old.position == target.position
        )
        if not same_slot:
            continue
        for exercise in new.exercises:
            if exercise.exercise_id == current.exercise_id and exercise.slot_key == current.slot_key:
                if replacement.id in {e.exercise_id for e in new.exercises}:
                    continue
                exercise.exercise_id = replacement.id
                exercise.pattern = replacement.pattern.value
                exercise.locked = True
                for s in exercise.sets:
                    s.load_kg = None
                changed.append(exercise)
    if changed:
        first = changed[0]
        logs = progression.logged_sets(session, user_id, [replacement.id], today)
        tip = progression.advise(
            logs.get(replacement.id, []),
            rep_min=first.rep_min,
            rep_max=first.rep_max,
            target_rir=first.target_rir,
            load_equipment=replacement.load_equipment,
            today=today,
        )
        for s in first.sets:
            s.load_kg = tip.load_kg
    later = len(changed) - 1
    text = (
        f"Swapped {current.name} for {replacement.record.name} in {target.name} on {target.scheduled_on}"
        + (f" and {later} later session{'s' if later != 1 else ''}" if later > 0 else "")
    )
    new_version = plan_store.add_version(session, plan, reason=text[:500], created_by=created_by)
    week = [s for s in new_sessions if s.week == target.week]
    _copy_detail(session, plan, new_version.id, week, catalog)
    rows.write_sessions(session, new_version.id, new_sessions)
    return SwapResult(plan=plan_out(session, plan))


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    exercise_id: int
    rating: int = Field(ge=1, le=5, description="1 = never again … 5 = favourite")


def rate_exercise(session: Session, user_id: uuid.UUID, body: RatingIn) -> None:
    """Store (or replace) the user's rating; the next plans rank the exercise up (4-5) or down (1-2)."""
    if session.get(Exercise, body.exercise_id) is None:
        raise invalid("exercise_id", "no such exercise")
    rows.set_rating(session, user_id, body.exercise_id, body.rating)


def _alternative(entry: CatalogEntry, score: float, why: str) -> Alternative:
    return Alternative(
        exercise_id=entry.id,
        slug=entry.record.slug,
        name=entry.record.name,
        equipment=sorted(entry.required or ()),
        primary_muscles=list(entry.record.primary_muscles),
        score=score,
        why=why,
    )


def move_session(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    body: MoveRequest,
    *,
    catalogs: ExerciseCatalogCache,
    created_by: uuid.UUID | None,
    today: date,
) -> WorkoutPlanOut:
    plan, stored = _current(session, user_id, plan_id)
    target = _find_session(stored, body.session, today)
    week_start = plan.start_date + timedelta(days=7 * (target.week - 1))
    if not week_start <= body.to_date <= week_start + timedelta(days=6):
        raise invalid(
            "to_date", f"must fall in the same plan week ({week_start} to {week_start + timedelta(days=6)})"
        )
    if body.to_date < today:
        raise invalid("to_date", "cannot move a session into the past")
    if body.to_date == target.scheduled_on:
        raise invalid("to_date", "the session is already on that day")
    other = next((s for s in stored if s.scheduled_on == body.to_date), None)
    new_sessions = [rows.to_new(s) for s in stored]
    for old, new in zip(stored, new_sessions, strict=True):
        if old.id == target.id:
            new.scheduled_on = body.to_date
            new.notes.append(f"Moved from {target.scheduled_on}.")
        elif other is not None and old.id == other.id:
            new.scheduled_on = target.scheduled_on
            new.notes.append(f"Moved from {other.scheduled_on} (traded places with {target.name}).")
    catalog = catalogs.get(session)
    _warn_back_to_back(new_sessions, catalog)
    text = f"Moved {target.name} from {target.scheduled_on} to {body.to_date}"
    if other is not None:
        text += f" ({other.name} moved to {target.scheduled_on})"
    new_version = plan_store.add_version(session, plan, reason=text[:500], created_by=created_by)
    week = [s for s in new_sessions if s.week == target.week]
    _copy_detail(session, plan, new_version.id, week, catalog)
    rows.write_sessions(session, new_version.id, new_sessions)
    return plan_out(session, plan)


def _warn_back_to_back(sessions: list[rows.NewSession], catalog: Catalog) -> None:
    """Note strength sessions on consecutive days that load the same major muscle group with compounds."""
    strength = sorted((s for s in sessions if s.kind is SessionKind.STRENGTH), key=lambda s: s.scheduled_on)
    for first, second in itertools.pairwise(strength):
        if (second.scheduled_on - first.scheduled_on).days != 1:
            continue
        shared = _main_groups(first, catalog) & _main_groups(second, catalog)
        note = (
            "Back-to-back with the day before on "
            + ", ".join(sorted(g.value for g in shared))
            + ": keep ~48 h."
        )
        if shared and note not in second.notes:
            second.notes.append(note)


def _main_groups(s: rows.NewSession, catalog: Catalog) -> set[MuscleGroup]:
    groups: set[MuscleGroup] = set()
    for e in s.exercises:
        if e.role != "accessory":
            groups |= catalog.by_id[e.exercise_id].primary_groups
    return groups


def regenerate_plan(
    session: Session,
    user_id: uuid.UUID,
    plan_id: uuid.UUID,
    body: RegenerateRequest,
    *,
    catalogs: ExerciseCatalogCache,
    created_by: uuid.UUID | None,
    today: date,
) -> WorkoutPlanOut:
    plan, stored = _current(session, user_id, plan_id)
    from_date = body.from_date or max(today, plan.start_date)
    if from_date < today:
        raise invalid("from_date", "cannot regenerate the past")
    if not plan.start_date <= from_date <= plan.end_date:
        raise invalid("from_date", f"must fall within the plan ({plan.start_date} to {plan.end_date})")
    by_id = {e.id: e for s in stored for e in s.exercises}
    unknown = [i for i in body.lock if i not in by_id]
    if unknown:
        raise invalid("lock", f"not exercises of this plan's current version: {unknown}")
    to_lock = set(body.lock)
    locks: dict[str, int] = {}
    for s in sorted(stored, key=lambda s: s.scheduled_on):
        if s.scheduled_on < from_date:
            continue
        for e in s.exercises:
            if (e.locked and body.keep_locks) or e.id in to_lock:
                locks.setdefault(e.slot_key, e.exercise_id)
    reason = body.reason or f"Regenerated from {from_date}"
    return rebuild_from(
        session,
        plan,
        stored,
        from_date=from_date,
        locks=locks,
        reason=reason,
        catalogs=catalogs,
        created_by=created_by,
        today=today,
    )


def rebuild_from(
    session: Session,
    plan: Plan,
    stored: list[rows.StoredSession],
    *,
    from_date: date,
    locks: dict[str, int],
    reason: str,
    catalogs: ExerciseCatalogCache,
    created_by: uuid.UUID | None,
    today: date,
) -> WorkoutPlanOut:
    """A new version: sessions before `from_date` kept as they are, the rest programmed again."""
    user_id = plan.user_id
    profile = require_profile(session, user_id)
    catalog = catalogs.get(session)
    prefs = load_preferences(session, catalog, user_id, profile)
    previous = plan_store.get_version(session, plan)
    assert previous is not None
    inputs = previous.inputs or {}
    focus = [MuscleGroup(g) for g in inputs.get("focus_muscles", [])]
    goal_override = inputs.get("training_goal")
    request = request_from_profile(
        profile,
        today=today,
        seed=default_seed(user_id, plan.start_date, plan.current_version + 1),
        focus=focus,
        training_goal=TrainingGoal(goal_override) if goal_override else None,
    )
    week = program_week(request, catalog, prefs, locks=locks)
    weeks = ((plan.end_date - plan.start_date).days + 1) // 7
    kept = [rows.to_new(s) for s in stored if s.scheduled_on < from_date]
    advice = advice_for(session, user_id, week, catalog, today)
    fresh = expand_weeks(week, start_date=plan.start_date, weeks=weeks, from_date=from_date, advice=advice)
    version = plan_store.add_version(
        session, plan, reason=reason[:500], created_by=created_by, inputs=profile_inputs(request, weeks=weeks)
    )
    write_version_rows(session, version, week, [*kept, *fresh])
    return plan_out(session, plan)
