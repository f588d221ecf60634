"""Progression from logged sets: estimated 1RM, double progression, deload after a stall, and the load to
suggest for each prescribed exercise.

Rules (constants carry the sources):
- e1RM of a set from reps to failure (reps + RIR; 2 assumed when not logged): the mean of Epley and Brzycki
  up to 10, Epley alone up to 15, longer sets ignored. An exercise's e1RM is the recency-weighted mean
  (half-life 14 days, last 8 weeks) of each training day's best set.
- Double progression: when every working set of the last session at its top load reached the top of the
  rep range at (or easier than) the target RIR, the next session adds the smallest load step for the
  equipment and aims at the bottom of the range; otherwise it repeats the load and aims for one more rep.
- Stall: the weekly best e1RM of the last 3 training weeks is not 1 % above the best before them (weeks
  after the last deload only) → deload one week: 90 % of the load, half the sets.
- Logs at another rep range (e.g. sets of 5 when the plan now asks for 10-15) give no double-progression
  signal: the load comes from the e1RM instead (inverse formulas at rep target + target RIR).
Exercises without external load (body weight, bands) progress by reps: no load is suggested.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import WorkoutSetLog
from store.vocabulary import Equipment
from tools.training import constants as c


class Action(StrEnum):
    START = "start"  # nothing logged yet: pick a load that leaves the target RIR at the top of the range
    INCREASE = "increase_load"
    REPEAT = "repeat_load"  # same load, one more rep
    DELOAD = "deload"
    FROM_ESTIMATE = "from_estimate"  # logs at another rep range: load from the estimated 1RM
    ADD_REPS = "add_reps"  # no external load: progress by reps


@dataclass(frozen=True)
class LoggedSet:
    performed_at: datetime
    load_kg: float
    reps: int
    rir: int | None = None


class Advice(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: Action
    load_kg: float | None
    rep_target: int
    set_factor: float = 1.0
    e1rm_kg: float | None = None
    reason: str


def reps_to_failure(reps: int, rir: int | None) -> int:
    return reps + (c.ASSUMED_RIR_WHEN_MISSING if rir is None else rir)


def epley(load_kg: float, reps: int) -> float:
    return load_kg * (1 + reps / c.EPLEY_DIVISOR)


def brzycki(load_kg: float, reps: int) -> float:
    return load_kg * c.BRZYCKI_NUMERATOR / (c.BRZYCKI_CONSTANT - reps)


def _multiplier(reps_to_failure_: int) -> float:
    """1RM / load for a set taken to failure after this many reps (1 for a single)."""
    if reps_to_failure_ <= 1:
        return 1.0
    epley_factor = 1 + reps_to_failure_ / c.EPLEY_DIVISOR
    if reps_to_failure_ <= c.BOTH_FORMULAS_MAX_REPS:
        brzycki_factor = c.BRZYCKI_NUMERATOR / (c.BRZYCKI_CONSTANT - reps_to_failure_)
        return (epley_factor + brzycki_factor) / 2
    return epley_factor


def set_e1rm(load_kg: float, reps: int, rir: int | None = None) -> float | None:
    """Estimated 1RM of one set, or None when the set is too long to estimate from (or unloaded)."""
    total = reps_to_failure(reps, rir)
    if load_kg <= 0 or total > c.E1RM_MAX_REPS:
        return None
    return load_kg * _multiplier(total)


def load_for(e1rm_kg: float, reps: int, rir: int) -> float:
    """The load that leaves `rir` reps in reserve after `reps` reps (inverse of `set_e1rm`)."""
    return e1rm_kg / _multiplier(reps + rir)


def round_down(load_kg: float, step_kg: float) -> float:
    return round(math.floor(load_kg / step_kg + 1e-9) * step_kg, 2)


def _days(sets: Iterable[LoggedSet]) -> dict[date, list[LoggedSet]]:
    by_day: dict[date, list[LoggedSet]] = {}
    for s in sets:
        by_day.setdefault(s.performed_at.date(), []).append(s)
    return by_day


def estimate_1rm(sets: Sequence[LoggedSet], today: date) -> float | None:
    """Recency-weighted mean of each training day's best e1RM over the window (None without data)."""
    weighted = 0.0
    weights = 0.0
    for day, day_sets in _days(sets).items():
        age = (today - day).days
        if age < 0 or age > c.E1RM_WINDOW_DAYS:
            continue
        estimates = [e for s in day_sets if (e := set_e1rm(s.load_kg, s.reps, s.rir)) is not None]
        if not estimates:
            continue
        weight = 0.5 ** (age / c.E1RM_HALF_LIFE_DAYS)
        weighted += weight * max(estimates)
        weights += weight
    return weighted / weights if weights else None


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def is_stalled(sets: Sequence[LoggedSet], today: date) -> bool:
    """Weekly best e1RM flat for `STALL_WEEKS` training weeks (counted after the last deload)."""
    weekly: dict[date, tuple[float, float]] = {}  # week -> (best e1RM, top load)
    for s in sets:
        if (today - s.performed_at.date()).days > c.E1RM_WINDOW_DAYS:
            continue
        estimate = set_e1rm(s.load_kg, s.reps, s.rir)
        if estimate is None:
            continue
        week = _week_start(s.performed_at.date())
        best, top = weekly.get(week, (0.0, 0.0))
        weekly[week] = (max(best, estimate), max(top, s.load_kg))
    weeks = sorted(weekly)
    # A week whose top load fell to <= 92 % of the week before was a deload: start counting after it.
    start = 0
    for i in range(1, len(weeks)):
        if weekly[weeks[i]][1] <= 0.92 * weekly[weeks[i - 1]][1]:
            start = i + 1
    weeks = weeks[start:]
    if len(weeks) < c.STALL_WEEKS + 1:
        return False
    if (today - weeks[-1]).days > 14:
        return False  # not training this exercise lately: nothing to deload
    before = max(weekly[w][0] for w in weeks[: -c.STALL_WEEKS])
    recent = max(weekly[w][0] for w in weeks[-c.STALL_WEEKS :])
    return recent < before * (1 + c.STALL_MIN_IMPROVEMENT)


def advise(
    sets: Sequence[LoggedSet],
    *,
    rep_min: int,
    rep_max: int,
    target_rir: int,
    load_equipment: Equipment | None,
    today: date,
) -> Advice:
    """The next session's load and rep target for one exercise from its logged sets."""
    step = c.LOAD_STEP_KG.get(load_equipment) if load_equipment is not None else None
    if step is None:
        return Advice(
            action=Action.ADD_REPS,
            load_kg=None,
            rep_target=rep_max,
            reason="no external load: add reps up to the top of the range, then a harder variation",
        )
    recent = [s for s in sets if 0 <= (today - s.performed_at.date()).days <= c.E1RM_WINDOW_DAYS]
    if not recent:
        return Advice(
            action=Action.START,
            load_kg=None,
            rep_target=rep_max,
            reason=f"nothing logged yet: pick a load leaving {target_rir} reps in reserve at {rep_max} reps",
        )
    e1rm = estimate_1rm(recent, today)
    last_day = max(s.performed_at.date() for s in recent)
    last = [s for s in recent if s.performed_at.date() == last_day]
    top_load = max(s.load_kg for s in last)
    top_sets = [s for s in last if s.load_kg == top_load]
    e1rm_rounded = round(e1rm, 1) if e1rm is not None else None
    if is_stalled(recent, today):
        return Advice(
            action=Action.DELOAD,
            load_kg=round_down(top_load * c.DELOAD_LOAD_FACTOR, step),
            rep_target=rep_min,
            set_factor=c.DELOAD_SET_FACTOR,
            e1rm_kg=e1rm_rounded,
            reason=f"no progress for {c.STALL_WEEKS} weeks: one lighter week (90 % load, half the sets)",
        )
    in_range = all(rep_min - 2 <= s.reps <= rep_max + 2 for s in top_sets)
    if not in_range and e1rm is not None:
        return Advice(
            action=Action.FROM_ESTIMATE,
            load_kg=round_down(load_for(e1rm, rep_max, target_rir), step),
            rep_target=rep_max,
            e1rm_kg=e1rm_rounded,
            reason=f"from your estimated 1RM of {e1rm:.1f} kg for {rep_max} reps at {target_rir} RIR",
        )
    done = all(s.reps >= rep_max and reps_to_failure(s.reps, s.rir) - s.reps >= target_rir for s in top_sets)
    if done:
        return Advice(
            action=Action.INCREASE,
            load_kg=round(top_load + step, 2),
            rep_target=rep_min,
            e1rm_kg=e1rm_rounded,
            reason=f"all sets reached {rep_max} reps at {target_rir}+ RIR: add {step:g} kg",
        )
    best_reps = max(s.reps for s in top_sets)
    return Advice(
        action=Action.REPEAT,
        load_kg=top_load,
        rep_target=min(rep_max, max(rep_min, best_reps + 1)),
        e1rm_kg=e1rm_rounded,
        reason=f"same load until every set reaches {rep_max} reps at {target_rir} RIR",
    )


def logged_sets(
    session: Session, user_id: uuid.UUID, exercise_ids: Iterable[int], today: date
) -> dict[int, list[LoggedSet]]:
    """The user's sets of these exercises within the progression window, per exercise, oldest first."""
    ids = sorted(set(exercise_ids))
    if not ids:
        return {}
    since = datetime.combine(today - timedelta(days=c.E1RM_WINDOW_DAYS), datetime.min.time(), tzinfo=UTC)
    rows = session.execute(
        select(
            WorkoutSetLog.exercise_id,
            WorkoutSetLog.performed_at,
            WorkoutSetLog.load_kg,
            WorkoutSetLog.reps,
            WorkoutSetLog.rir,
        )
        .where(
            WorkoutSetLog.user_id == user_id,
            WorkoutSetLog.exercise_id.in_(ids),
            WorkoutSetLog.performed_at >= since,
        )
        .order_by(WorkoutSetLog.performed_at)
    )
    out: dict[int, list[LoggedSet]] = {}
    for exercise_id, performed_at, load_kg, reps, rir in rows:
        out.setdefault(exercise_id, []).append(LoggedSet(performed_at, load_kg, reps, rir))
    return out


def advise_many(
    logs: Mapping[int, Sequence[LoggedSet]],
    prescriptions: Iterable[tuple[int, int, int, int, Equipment | None]],
    today: date,
) -> dict[tuple[int, int, int, int], Advice]:
    """Advice keyed by (exercise id, rep_min, rep_max, target RIR) for each distinct prescription."""
    out: dict[tuple[int, int, int, int], Advice] = {}
    for exercise_id, rep_min, rep_max, rir, gear in prescriptions:
        key = (exercise_id, rep_min, rep_max, rir)
        if key not in out:
            out[key] = advise(
                logs.get(exercise_id, ()),
                rep_min=rep_min,
                rep_max=rep_max,
                target_rir=rir,
                load_equipment=gear,
                today=today,
            )
    return out
