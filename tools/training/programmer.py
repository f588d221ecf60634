"""The weekly programmer: profile → split → sessions → exercises → sets, reps, rest and RIR.

`program_week` is pure (no database, no clock). Steps:
1. Split by training days and experience: full body (1-3 days), upper/lower (4), upper/lower + full body
   (5-6, beginners) or upper/lower + push/pull/legs (5) and push/pull/legs twice (6, others). A 7th day is
   active recovery. Lifting days sit on fixed weekday offsets with rest days between them.
2. Each session comes from a template: an ordered list of slots (movement pattern + role). Every slot gets
   its best allowed exercise (`selection`), rotating variants when a pattern repeats in the week; a pattern
   with no allowed exercise falls back to a related one (flyes -> presses, leg curls -> hinges).
3. Sets are allocated greedily under the session's time budget: main lifts first, then every major group
   up to the bottom of its weekly range (chest, back, quads, hamstrings before shoulders and glutes, which
   collect secondary volume), the small groups, focus muscles, then everyone to target. Liked exercises
   are seeded after the main lifts while they keep every group within its target. Each step adds a set where
   that group has had the least work this week (spreading it over >= 2 sessions when the split allows),
   never pushing any group past the top of its range or past ~10 sets in one session.
4. Because essentials come first, what a short session leaves out is the least important accessory work;
   the plan says what (by comparing with an allocation without a time limit) and which groups stay below
   their range and why.
5. Reps, rest and RIR by goal, role and experience; cardio/steps guidance for weight loss and general
   health, placed on rest days.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from store.models.workouts import SessionKind
from store.vocabulary import Equipment, Experience, Goal
from tools.errors import InvalidInput
from tools.training import constants as c
from tools.training import volume
from tools.training.catalog import Catalog, CatalogEntry, Movement
from tools.training.injuries import InjuryAssessment, assess
from tools.training.schemas import (
    CardioGuidance,
    GroupVolume,
    MuscleGroup,
    Pattern,
    PlannedExercise,
    PlannedSession,
    ProgramRequest,
    SlotRole,
    Split,
    TrainingGoal,
    WeekProgram,
)
from tools.training.selection import Filters, Preferences, Selector, exclusion_reason, is_disliked

M, S, A = SlotRole.MAIN, SlotRole.SECONDARY, SlotRole.ACCESSORY
P = Pattern


@dataclass(frozen=True)
class Template:
    key: str
    name: str
    slots: tuple[tuple[Pattern, SlotRole], ...]


_FULL_ACCESSORIES: Final = (
    (P.GLUTE, A),
    (P.DELT_SIDE, A),
    (P.TRICEPS, A),
    (P.BICEPS, A),
    (P.HAM_ISO, A),
    (P.CALVES, A),
    (P.CORE, A),
    (P.CHEST_ISO, A),
    (P.QUAD_ISO, A),
    (P.DELT_REAR, A),
)
TEMPLATES: Final[dict[str, Template]] = {
    t.key: t
    for t in (
        Template(
            "full_a",
            "Full body A",
            (
                (P.SQUAT, M),
                (P.HPUSH, M),
                (P.HPULL, S),
                (P.HINGE, S),
                (P.VPUSH, A),
                (P.VPULL, A),
                *_FULL_ACCESSORIES,
            ),
        ),
        Template(
            "full_b",
            "Full body B",
            (
                (P.HINGE, M),
                (P.VPUSH, M),
                (P.VPULL, S),
                (P.SQUAT, S),
                (P.HPUSH, A),
                (P.HPULL, A),
                *_FULL_ACCESSORIES,
            ),
        ),
        Template(
            "full_c",
            "Full body C",
            (
                (P.SQUAT, M),
                (P.VPULL, M),
                (P.HPUSH, S),
                (P.HINGE, S),
                (P.VPUSH, A),
                (P.HPULL, A),
                *_FULL_ACCESSORIES,
            ),
        ),
        Template(
            "upper_a",
            "Upper A",
            (
                (P.HPUSH, M),
                (P.HPULL, M),
                (P.VPUSH, S),
                (P.VPULL, S),
                (P.CHEST_ISO, A),
                (P.DELT_SIDE, A),
                (P.DELT_REAR, A),
                (P.TRICEPS, A),
                (P.BICEPS, A),
                (P.CORE, A),
            ),
        ),
        Template(
            "upper_b",
            "Upper B",
            (
                (P.VPUSH, M),
                (P.VPULL, M),
                (P.HPUSH, S),
                (P.HPULL, S),
                (P.DELT_SIDE, A),
                (P.CHEST_ISO, A),
                (P.DELT_REAR, A),
                (P.BICEPS, A),
                (P.TRICEPS, A),
                (P.CORE, A),
            ),
        ),
        Template(
            "lower_a",
            "Lower A",
            (
                (P.SQUAT, M),
                (P.HINGE, S),
                (P.GLUTE, A),
                (P.QUAD_ISO, A),
                (P.HAM_ISO, A),
                (P.SQUAT, A),
                (P.CALVES, A),
                (P.CORE, A),
            ),
        ),
        Template(
            "lower_b",
            "Lower B",
            (
                (P.HINGE, M),
                (P.SQUAT, S),
                (P.GLUTE, A),
                (P.HAM_ISO, A),
                (P.QUAD_ISO, A),
                (P.CALVES, A),
                (P.CORE, A),
            ),
        ),
        Template(
            "push",
            "Push",
            (
                (P.HPUSH, M),
                (P.VPUSH, S),
                (P.HPUSH, A),
                (P.CHEST_ISO, A),
                (P.DELT_SIDE, A),
                (P.TRICEPS, A),
                (P.CORE, A),
            ),
        ),
        Template(
            "pull",
            "Pull",
            (
                (P.VPULL, M),
                (P.HPULL, S),
                (P.HPULL, A),
                (P.DELT_REAR, A),
                (P.BICEPS, A),
                (P.CORE, A),
            ),
        ),
        Template(
            "legs",
            "Legs",
            (
                (P.SQUAT, M),
                (P.HINGE, S),
                (P.GLUTE, A),
                (P.QUAD_ISO, A),
                (P.HAM_ISO, A),
                (P.SQUAT, A),
                (P.CALVES, A),
                (P.CORE, A),
            ),
        ),
    )
}
_ROLE_ORDER: Final = {SlotRole.MAIN: 0, SlotRole.SECONDARY: 1, SlotRole.ACCESSORY: 2}
_COMPOUND_FED: Final = (MuscleGroup.CHEST, MuscleGroup.BACK, MuscleGroup.QUADS, MuscleGroup.HAMSTRINGS)
_SECONDARY_FED: Final = (MuscleGroup.SHOULDERS, MuscleGroup.GLUTES)
# When no allowed exercise fills a slot's pattern (no bench for flyes, no machine for leg curls), the slot
# takes the first pattern here that has one: another movement training the same muscles.
FALLBACK_PATTERNS: Final[dict[Pattern, tuple[Pattern, ...]]] = {
    P.CHEST_ISO: (P.HPUSH,),
    P.HPUSH: (P.CHEST_ISO,),
    P.DELT_SIDE: (P.VPUSH,),
    P.VPUSH: (P.DELT_SIDE,),
    P.VPULL: (P.HPULL,),
    P.HPULL: (P.VPULL,),
    P.QUAD_ISO: (P.SQUAT,),
    P.SQUAT: (P.QUAD_ISO,),
    P.HAM_ISO: (P.HINGE, P.GLUTE),
    P.HINGE: (P.HAM_ISO, P.GLUTE),
    P.GLUTE: (P.HINGE,),
    P.DELT_REAR: (P.HPULL,),
}
DEFAULT_TRAINING_GOAL: Final[dict[Goal, TrainingGoal]] = {
    # Losing weight: hypertrophy-style work keeps lean mass in a deficit (Helms ER et al., JISSN 2014;11:20).
    Goal.LOSE: TrainingGoal.HYPERTROPHY,
    Goal.MAINTAIN: TrainingGoal.GENERAL_HEALTH,
    Goal.GAIN: TrainingGoal.HYPERTROPHY,
}


def choose_split(training_days: int, experience: Experience) -> tuple[Split, tuple[str, ...]]:
    """The split and the template of each lifting day (at most 6; a 7th day is active recovery)."""
    days = min(training_days, c.MAX_LIFTING_DAYS)
    if days <= 3:
        return Split.FULL_BODY, ("full_a", "full_b", "full_c")[:days]
    if days == 4:
        return Split.UPPER_LOWER, ("upper_a", "lower_a", "upper_b", "lower_b")
    beginner = experience is Experience.BEGINNER
    if days == 5:
        if beginner:
            return Split.UPPER_LOWER_FULL, ("upper_a", "lower_a", "full_c", "upper_b", "lower_b")
        return Split.UPPER_LOWER_PUSH_PULL_LEGS, ("upper_a", "lower_a", "push", "pull", "legs")
    if beginner:
        return Split.UPPER_LOWER_FULL, ("upper_a", "lower_a", "full_a", "upper_b", "lower_b", "full_b")
    return Split.PUSH_PULL_LEGS, ("push", "pull", "legs", "push", "pull", "legs")


def training_goal_for(request: ProgramRequest) -> TrainingGoal:
    return request.training_goal or DEFAULT_TRAINING_GOAL[request.goal]


def warmup_minutes(session_minutes: int) -> float:
    low, high = c.WARMUP_MINUTES_RANGE
    return min(high, max(low, c.WARMUP_FRACTION * session_minutes))


@dataclass(frozen=True)
class Prescription:
    rep_min: int
    rep_max: int
    rest_s: int
    target_rir: int

    @property
    def seconds_per_set(self) -> float:
        reps = (self.rep_min + self.rep_max) / 2
        return reps * c.SECONDS_PER_REP + c.SET_SETUP_SECONDS + self.rest_s


def prescribe(
    entry: CatalogEntry, role: SlotRole, goal: TrainingGoal, experience: Experience
) -> Prescription:
    rep_min, rep_max = c.REP_RANGES[goal][role]
    compound_rir, isolation_rir = c.TARGET_RIR[experience]
    return Prescription(
        rep_min=rep_min,
        rep_max=rep_max,
        rest_s=c.REST_SECONDS[goal][role],
        target_rir=compound_rir if entry.compound else isolation_rir,
    )


def session_seconds(items: Sequence[tuple[Prescription, int]]) -> float:
    """Working time of a session's exercises (without warm-up): sets x (work + rest) + a transition each."""
    return sum(sets * p.seconds_per_set + c.TRANSITION_SECONDS for p, sets in items if sets > 0)


@dataclass
class _Slot:
    session: int
    index: int
    pattern: Pattern
    role: SlotRole
    entry: CatalogEntry
    prescription: Prescription
    locked: bool = False
    sets: int = 0

    @property
    def key(self) -> str:
        return f"{self.session}:{self.index}"


@dataclass
class _Allocation:
    slots: list[_Slot]
    totals: dict[MuscleGroup, float] = field(default_factory=dict)


def _allocate(
    slots: list[_Slot],
    *,
    sessions: int,
    budget_s: float,
    targets: Mapping[MuscleGroup, float],
    ranges: Mapping[MuscleGroup, tuple[int, int]],
    focus: Sequence[MuscleGroup],
    liked: frozenset[int],
) -> dict[MuscleGroup, float]:
    """Greedy set allocation (see the module docstring). Mutates `slots[*].sets`; returns weekly totals."""
    for slot in slots:
        slot.sets = 0
    totals = dict.fromkeys(MuscleGroup, 0.0)
    per_session = [dict.fromkeys(MuscleGroup, 0.0) for _ in range(sessions)]
    used_s = [0.0] * sessions
    active = [0] * sessions
    by_group: dict[MuscleGroup, list[_Slot]] = {g: [] for g in MuscleGroup}
    for slot in slots:
        for group, weight in slot.entry.groups.items():
            if weight >= c.PRIMARY_SET_WEIGHT:
                by_group[group].append(slot)

    def step(slot: _Slot) -> int:
        return c.MIN_SETS_PER_EXERCISE if slot.sets == 0 else 1

    def fits(slot: _Slot) -> bool:
        k = step(slot)
        if slot.sets + k > c.MAX_SETS_PER_EXERCISE[slot.role]:
            return False
        if slot.sets == 0 and active[slot.session] >= c.MAX_EXERCISES_PER_SESSION:
            return False
        extra = k * slot.prescription.seconds_per_set + (c.TRANSITION_SECONDS if slot.sets == 0 else 0.0)
        if used_s[slot.session] + extra > budget_s + 1e-6:
            return False
        for group, weight in slot.entry.groups.items():
            if totals[group] + weight * k > ranges[group][1] + 1e-9:
                return False
            if weight >= c.PRIMARY_SET_WEIGHT and per_session[slot.session][group] + weight * k > (
                c.MAX_GROUP_SETS_PER_SESSION + 1e-9
            ):
                return False
        return True

    def add(slot: _Slot) -> None:
        k = step(slot)
        if slot.sets == 0:
            active[slot.session] += 1
            used_s[slot.session] += c.TRANSITION_SECONDS
        used_s[slot.session] += k * slot.prescription.seconds_per_set
        slot.sets += k
        for group, weight in slot.entry.groups.items():
            totals[group] += weight * k
            per_session[slot.session][group] += weight * k

    # Exercises the user locked come first: a lock is an explicit wish, so only the time budget may drop
    # one (volume caps do not). Then every main lift gets its minimum sets: compound lifts anchor each
    # session. Then the first slot of each liked exercise, as long as it keeps every group it trains at or
    # below its target.
    for slot in slots:
        if slot.locked and slot.sets == 0:
            extra = c.MIN_SETS_PER_EXERCISE * slot.prescription.seconds_per_set + c.TRANSITION_SECONDS
            if used_s[slot.session] + extra <= budget_s + 1e-6:
                add(slot)
    for slot in slots:
        if slot.role is SlotRole.MAIN and slot.sets == 0 and fits(slot):
            add(slot)
    seeded = {s.entry.id for s in slots if s.sets > 0}
    for slot in slots:
        if slot.entry.id in liked and slot.entry.id not in seeded and fits(slot):
            weights = slot.entry.groups.items()
            if all(totals[g] + w * c.MIN_SETS_PER_EXERCISE <= targets[g] + 1e-9 for g, w in weights):
                add(slot)
                seeded.add(slot.entry.id)
    lows = {g: float(ranges[g][0]) for g in MuscleGroup}
    focus_set = [g for g in focus if g in MuscleGroup]
    # Bottoms of the ranges before any target, compound-fed groups first: shoulders and glutes collect half
    # a set from most presses, rows, squats and hinges, so filling them early would bring them to their
    # ceiling and block the compounds the others still need. Focus muscles climb only after every bottom.
    phases: list[tuple[Sequence[MuscleGroup], Mapping[MuscleGroup, float]]] = [
        (_COMPOUND_FED, lows),
        (_SECONDARY_FED, lows),
        (c.MINOR_GROUPS, lows),
    ]
    if focus_set:
        phases.append((focus_set, targets))
    phases.append((tuple(MuscleGroup), targets))
    order = {g: i for i, g in enumerate([*focus_set, *c.MAJOR_GROUPS, *c.MINOR_GROUPS])}
    for groups, bound in phases:
        stuck: set[MuscleGroup] = set()
        while True:
            open_groups = [g for g in groups if g not in stuck and totals[g] < bound[g] - 1e-9]
            if not open_groups:
                break
            group = max(open_groups, key=lambda g: ((bound[g] - totals[g]) / bound[g], -order.get(g, 99)))
            candidates = [s for s in by_group[group] if fits(s)]
            if not candidates:
                stuck.add(group)
                continue
            best = min(
                candidates,
                key=lambda s: (
                    per_session[s.session][group],
                    s.sets == 0,
                    _ROLE_ORDER[s.role],
                    s.entry.id not in liked,
                    s.session,
                    s.index,
                ),
            )
            add(best)
    return totals


def _assign_exercises(
    templates: Sequence[Template],
    selector: Selector,
    *,
    goal: TrainingGoal,
    experience: Experience,
    locks: Mapping[str, int],
    catalog: Catalog,
    notes: list[str],
) -> list[_Slot]:
    """The exercise of every slot. Locked slots keep their exercise while it stays allowed."""
    slots: list[_Slot] = []
    occurrences: dict[Pattern, int] = {}
    repeat_main = experience is Experience.BEGINNER
    for session_index, template in enumerate(templates):
        used: set[int] = set()
        for slot_index, (pattern, role) in enumerate(template.slots):
            key = f"{session_index}:{slot_index}"
            entry = None
            locked = False
            if key in locks:
                candidate = catalog.by_id.get(locks[key])
                reason = (
                    "no longer in the catalog"
                    if candidate is None
                    else exclusion_reason(candidate, selector.filters, selector.prefs)
                )
                if candidate is not None and reason is None and candidate.id not in used:
                    entry, locked = candidate, True
                else:
                    name = candidate.record.name if candidate is not None else f"exercise {locks[key]}"
                    notes.append(f"Your locked exercise {name} was replaced: {reason or 'used twice'}.")
            if entry is None:
                # Variants rotate per pattern across the week; beginners repeat main lifts to learn them.
                seen = occurrences.get(pattern, 0)
                occurrence = 0 if (repeat_main and role is not SlotRole.ACCESSORY) else seen
                entry = selector.pick(pattern, role, exclude=used, occurrence=occurrence)
                occurrences[pattern] = seen + 1
                for fallback in FALLBACK_PATTERNS.get(pattern, ()) if entry is None else ():
                    entry = selector.pick(fallback, role, exclude=used, occurrence=occurrence)
                    if entry is not None:
                        break
            if entry is None:
                continue
            used.add(entry.id)
            slots.append(
                _Slot(
                    session=session_index,
                    index=slot_index,
                    pattern=entry.pattern,
                    role=role,
                    entry=entry,
                    prescription=prescribe(entry, role, goal, experience),
                    locked=locked,
                )
            )
    return slots


def _cardio(
    request: ProgramRequest,
    goal: TrainingGoal,
    rest_days: int,
    catalog: Catalog,
    filters: Filters,
    prefs: Preferences,
) -> CardioGuidance | None:
    if request.goal is Goal.LOSE:
        reason = "weight_loss"
    elif goal in (TrainingGoal.GENERAL_HEALTH, TrainingGoal.ENDURANCE):
        reason = goal.value
    else:
        return None
    low, target, high = c.CARDIO_MINUTES_PER_WEEK[reason]
    per_session = 0
    sessions = 0
    longest = min(request.session_minutes, c.MAX_CARDIO_SESSION_MINUTES)
    if rest_days > 0 and longest >= c.MIN_CARDIO_SESSION_MINUTES:
        sessions = min(rest_days, c.MAX_CARDIO_SESSIONS, math.ceil(target / longest))
        per_session = min(longest, math.ceil(target / sessions))
    note = None
    covered = per_session * sessions
    if covered < target:
        daily = math.ceil((target - covered) / 7)
        note = f"Walk briskly about {daily} min a day as well, to reach {target} min a week."
    heart_rate: tuple[int, int] | None = None
    if request.age_years is not None:
        hr_max = c.TANAKA_INTERCEPT - c.TANAKA_SLOPE * request.age_years
        heart_rate = (
            round(hr_max * c.MODERATE_HR_MAX_FRACTION[0]),
            round(hr_max * c.MODERATE_HR_MAX_FRACTION[1]),
        )
    older = request.age_years is not None and request.age_years >= c.STEPS_AGE_SPLIT_YEARS
    steps = c.STEPS_PER_DAY["from_60" if older else "under_60"]
    modalities = []
    for entry in catalog.entries:
        if entry.record.category != "cardio" or entry.required is None:
            continue
        if entry.required - filters.available or entry.movements & filters.excluded_movements:
            continue
        if is_disliked(entry, prefs):
            continue
        modalities.append(entry.record.name)
    modalities = ["Brisk walking", *sorted(modalities)[:4]]
    return CardioGuidance(
        reason=reason,
        minutes_per_week=target,
        minutes_range=(low, high),
        intensity="moderate: 64-76 % of your maximum heart rate, you can talk but not sing (RPE 12-13/20)",
        heart_rate_bpm=heart_rate,
        steps_per_day=steps,
        sessions=sessions,
        minutes_per_session=per_session,
        modalities=tuple(modalities),
        note=note,
    )


def _shortfall_notes(
    report: Mapping[MuscleGroup, GroupVolume],
    unconstrained: Mapping[MuscleGroup, float],
    slots: Sequence[_Slot],
    request: ProgramRequest,
) -> list[str]:
    """One note per cause, naming the groups left below their weekly range."""
    reachable = {g for s in slots for g, w in s.entry.groups.items() if w >= c.PRIMARY_SET_WEIGHT}
    by_reason: dict[str, list[str]] = {}
    for group, vol in report.items():
        if vol.sets >= vol.low:
            continue
        if unconstrained[group] >= vol.low - 1e-9:
            reason = f"the {request.session_minutes}-min sessions leave no more time"
        elif group not in reachable:
            reason = "no exercise for it fits your equipment, injuries and dislikes"
        else:
            reason = (
                f"{request.training_days} training day(s) a week hold too little (at most "
                f"{c.MAX_GROUP_SETS_PER_SESSION:g} sets per muscle and "
                f"{c.MAX_EXERCISES_PER_SESSION} exercises per session)"
            )
            if vol.sets < unconstrained[group] - 1e-9:
                reason += f", and the {request.session_minutes}-min sessions less still"
        by_reason.setdefault(reason, []).append(f"{group.value} {vol.sets:g} ({vol.low}-{vol.high})")
    return [
        f"Below the weekly set range: {', '.join(groups)}: {reason}." for reason, groups in by_reason.items()
    ]


def _sets(n: int) -> str:
    return f"{n} set" if n == 1 else f"{n} sets"


def program_week(
    request: ProgramRequest,
    catalog: Catalog,
    prefs: Preferences,
    *,
    locks: Mapping[str, int] | None = None,
) -> WeekProgram:
    """One week of training for `request` from `catalog`, honouring `prefs` and slot locks."""
    if request.session_minutes < c.MIN_SESSION_MINUTES:
        reason = f"at least {c.MIN_SESSION_MINUTES} minutes are needed for a warm-up and two exercises"
        raise InvalidInput(
            f"session_minutes: {reason}", errors=[{"field": "session_minutes", "reason": reason}]
        )
    goal = training_goal_for(request)
    injuries: InjuryAssessment = assess(request.injuries)
    filters = Filters(
        equipment=frozenset(request.equipment),
        experience=request.experience,
        excluded_movements=injuries.excluded,
    )
    selector = Selector(catalog, filters, prefs, goal=goal, seed=request.seed)
    split, template_keys = choose_split(request.training_days, request.experience)
    templates = [TEMPLATES[k] for k in template_keys]
    notes: list[str] = list(injuries.notes)
    slots = _assign_exercises(
        templates,
        selector,
        goal=goal,
        experience=request.experience,
        locks=locks or {},
        catalog=catalog,
        notes=notes,
    )
    ranges = volume.weekly_ranges(request.experience)
    targets = volume.weekly_targets(request.experience, request.focus_muscles)
    warmup = warmup_minutes(request.session_minutes)
    budget_s = (request.session_minutes - warmup) * 60
    allocate = functools.partial(
        _allocate,
        slots,
        sessions=len(templates),
        targets=targets,
        ranges=ranges,
        focus=request.focus_muscles,
        liked=prefs.liked_ids,
    )
    allocate(budget_s=math.inf)
    unconstrained = {s.key: s.sets for s in slots}
    unconstrained_totals = volume.count_sets((s.entry.groups, s.sets) for s in slots)
    totals = allocate(budget_s=budget_s)

    offsets = c.TRAINING_DAY_OFFSETS[request.training_days]
    sessions: list[PlannedSession] = []
    for session_index, template in enumerate(templates):
        chosen = sorted(
            (s for s in slots if s.session == session_index and s.sets > 0),
            key=lambda s: (_ROLE_ORDER[s.role], not s.entry.compound, s.index),
        )
        left_out = [
            f"{s.entry.record.name} ({_sets(unconstrained[s.key] - s.sets)})"
            for s in slots
            if s.session == session_index and unconstrained[s.key] > s.sets and s.role is SlotRole.ACCESSORY
        ]
        session_notes: list[str] = []
        if left_out:
            session_notes.append(
                f"To fit {request.session_minutes} min, the least important accessory work was left out: "
                + ", ".join(left_out)
                + "."
            )
        seconds = session_seconds([(s.prescription, s.sets) for s in chosen])
        sessions.append(
            PlannedSession(
                day_offset=offsets[session_index],
                kind=SessionKind.STRENGTH,
                template=template.key,
                name=template.name,
                exercises=tuple(
                    PlannedExercise(
                        exercise_id=s.entry.id,
                        slug=s.entry.record.slug,
                        name=s.entry.record.name,
                        pattern=s.pattern,
                        role=s.role,
                        slot_key=s.key,
                        sets=s.sets,
                        rep_min=s.prescription.rep_min,
                        rep_max=s.prescription.rep_max,
                        rest_s=s.prescription.rest_s,
                        target_rir=s.prescription.target_rir,
                        locked=s.locked,
                    )
                    for s in chosen
                ),
                estimated_minutes=round(warmup + seconds / 60, 1),
                notes=tuple(session_notes),
            )
        )

    report = volume.report(totals, request.experience, targets)
    notes += _shortfall_notes(report, unconstrained_totals, slots, request)

    rest_offsets = [d for d in range(7) if d not in offsets[: len(templates)]]
    cardio = _cardio(request, goal, len(rest_offsets), catalog, filters, prefs)
    if cardio is not None:
        for offset in rest_offsets[: cardio.sessions]:
            sessions.append(
                PlannedSession(
                    day_offset=offset,
                    kind=SessionKind.CARDIO,
                    template="cardio",
                    name="Cardio",
                    estimated_minutes=float(cardio.minutes_per_session),
                    cardio_minutes=cardio.minutes_per_session,
                    cardio_intensity="moderate",
                )
            )
    if request.training_days > c.MAX_LIFTING_DAYS:
        taken = {s.day_offset for s in sessions}
        free = [d for d in range(7) if d not in taken]
        if free:
            sessions.append(
                PlannedSession(
                    day_offset=free[0],
                    kind=SessionKind.RECOVERY,
                    template="recovery",
                    name="Active recovery",
                    estimated_minutes=float(min(30, request.session_minutes)),
                    cardio_minutes=min(30, request.session_minutes),
                    cardio_intensity="easy",
                    notes=("Easy walk or cycling and mobility work: one day a week without lifting.",),
                )
            )
        notes.append(
            f"{request.training_days} training days: {c.MAX_LIFTING_DAYS} lifting days and one recovery day."
        )
    sessions.sort(key=lambda s: s.day_offset)
    return WeekProgram(
        split=split,
        training_goal=goal,
        sessions=tuple(sessions),
        weekly_sets=report,
        cardio=cardio,
        notes=tuple(notes),
        excluded_movements=tuple(sorted(m.value for m in injuries.excluded)),
    )


def uses_equipment_outside(
    program: WeekProgram, catalog: Catalog, equipment: frozenset[Equipment]
) -> list[str]:
    """Exercises of `program` needing equipment the person lacks (a check for tests and the benchmark)."""
    available = equipment | {Equipment.BODYWEIGHT}
    bad = []
    for session in program.sessions:
        for exercise in session.exercises:
            required = catalog.by_id[exercise.exercise_id].required
            if required is None or required - available:
                bad.append(exercise.name)
    return bad


def loads_excluded_movement(
    program: WeekProgram, catalog: Catalog, excluded: frozenset[Movement]
) -> list[str]:
    bad = []
    for session in program.sessions:
        for exercise in session.exercises:
            if catalog.by_id[exercise.exercise_id].movements & excluded:
                bad.append(exercise.name)
    return bad
