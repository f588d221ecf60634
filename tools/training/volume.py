"""Weekly hard sets per muscle group: the evidence-based range, the target inside it, and the count of a
week's sets (fractional: 1 per set for primary muscles, 0.5 for secondary ones)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from store.vocabulary import Experience
from tools.training import constants as c
from tools.training.schemas import GroupVolume, MuscleGroup


def weekly_range(group: MuscleGroup, experience: Experience) -> tuple[int, int]:
    """(low, high) weekly sets for one group at one experience level."""
    table = c.WEEKLY_SETS_MAJOR if group in c.MAJOR_GROUPS else c.WEEKLY_SETS_MINOR
    return table[experience]


def weekly_ranges(experience: Experience) -> dict[MuscleGroup, tuple[int, int]]:
    return {group: weekly_range(group, experience) for group in MuscleGroup}


def weekly_targets(experience: Experience, focus: Iterable[MuscleGroup] = ()) -> dict[MuscleGroup, float]:
    """Where each group aims inside its range: low + fill x (high - low), higher for focus muscles."""
    focused = set(focus)
    targets: dict[MuscleGroup, float] = {}
    for group, (low, high) in weekly_ranges(experience).items():
        fill = c.FOCUS_RANGE_FILL if group in focused else c.RANGE_FILL[experience]
        targets[group] = round(low + fill * (high - low), 1)
    return targets


def count_sets(items: Iterable[tuple[Mapping[MuscleGroup, float], int]]) -> dict[MuscleGroup, float]:
    """Fractional weekly sets per group from (group weights of an exercise, number of sets) pairs."""
    totals = dict.fromkeys(MuscleGroup, 0.0)
    for weights, sets in items:
        for group, weight in weights.items():
            totals[group] += weight * sets
    return totals


def report(
    totals: Mapping[MuscleGroup, float], experience: Experience, targets: Mapping[MuscleGroup, float]
) -> dict[MuscleGroup, GroupVolume]:
    """Each group's count next to its range, and whether it lies inside."""
    out: dict[MuscleGroup, GroupVolume] = {}
    for group, (low, high) in weekly_ranges(experience).items():
        sets = round(totals.get(group, 0.0), 1)
        out[group] = GroupVolume(
            sets=sets, low=low, high=high, target=targets[group], in_range=low <= sets <= high
        )
    return out
