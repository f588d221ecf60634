"""Which exercises a person may do, and in which order of preference.

Filters (all must pass): a programmable strength exercise; every piece of equipment it needs is available;
its level is within the person's (beginners: beginner exercises; intermediates: up to intermediate;
advanced: all); it loads none of the movements their injuries exclude; no jumps (landings are not
programmed here), no Olympic lifts below advanced; and it is not disliked. A dislike removes every exercise
whose name contains the disliked words, plurals and hyphens aside ("lunges" removes all lunges, "pull ups"
removes "Pullups" and "Band Assisted Pull-Up"), plus the exercise it names exactly.

Ranking (see constants): liked first, then similarity to the liked ones, ratings, the staple lifts of the
pattern, level match, and a seeded jitter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from store.vocabulary import Equipment, Experience
from tools.training import constants as c
from tools.training.catalog import ALWAYS_AVAILABLE, Catalog, CatalogEntry, Movement, name_tokens
from tools.training.schemas import Pattern, SlotRole, TrainingGoal

LEVELS_ALLOWED: Final[dict[Experience, frozenset[Experience]]] = {
    Experience.BEGINNER: frozenset({Experience.BEGINNER}),
    Experience.INTERMEDIATE: frozenset({Experience.BEGINNER, Experience.INTERMEDIATE}),
    Experience.ADVANCED: frozenset(Experience),
}
# The staple lifts of each pattern, best first (free-exercise-db ids).
STAPLES: Final[dict[Pattern, tuple[str, ...]]] = {
    Pattern.SQUAT: (
        "Barbell_Squat",
        "Goblet_Squat",
        "Leg_Press",
        "Front_Barbell_Squat",
        "Dumbbell_Squat",
        "Split_Squat_with_Dumbbells",
        "Hack_Squat",
        "Dumbbell_Lunges",
        "Barbell_Walking_Lunge",
        "Smith_Machine_Squat",
        "Dumbbell_Step_Ups",
        "Bodyweight_Squat",
        "Bodyweight_Walking_Lunge",
    ),
    Pattern.HINGE: (
        "Romanian_Deadlift",
        "Barbell_Deadlift",
        "Stiff-Legged_Dumbbell_Deadlift",
        "Stiff-Legged_Barbell_Deadlift",
        "Kettlebell_One-Legged_Deadlift",
        "Good_Morning",
        "One-Arm_Kettlebell_Swings",
        "Hyperextensions_Back_Extensions",
        "Sumo_Deadlift",
        "Smith_Machine_Stiff-Legged_Deadlift",
        "Cable_Deadlifts",
        "Band_Good_Morning",
    ),
    Pattern.GLUTE: (
        "Barbell_Hip_Thrust",
        "Barbell_Glute_Bridge",
        "Single_Leg_Glute_Bridge",
        "Butt_Lift_Bridge",
        "Pull_Through",
        "One-Legged_Cable_Kickback",
        "Physioball_Hip_Bridge",
        "Hip_Lift_with_Band",
    ),
    Pattern.HPUSH: (
        "Barbell_Bench_Press_-_Medium_Grip",
        "Dumbbell_Bench_Press",
        "Incline_Dumbbell_Press",
        "Barbell_Incline_Bench_Press_-_Medium_Grip",
        "Pushups",
        "Machine_Bench_Press",
        "Leverage_Chest_Press",
        "Cable_Chest_Press",
        "Dumbbell_Bench_Press_with_Neutral_Grip",
        "Push-Ups_With_Feet_Elevated",
        "Incline_Push-Up",
        "Alternating_Floor_Press",
    ),
    Pattern.VPUSH: (
        "Standing_Military_Press",
        "Dumbbell_Shoulder_Press",
        "Seated_Dumbbell_Press",
        "Machine_Shoulder_Military_Press",
        "Leverage_Shoulder_Press",
        "Seated_Barbell_Military_Press",
        "Arnold_Dumbbell_Press",
        "Two-Arm_Kettlebell_Military_Press",
        "Standing_Dumbbell_Press",
        "Seated_Cable_Shoulder_Press",
        "Shoulder_Press_-_With_Bands",
    ),
    Pattern.HPULL: (
        "Bent_Over_Barbell_Row",
        "One-Arm_Dumbbell_Row",
        "Seated_Cable_Rows",
        "Dumbbell_Incline_Row",
        "Leverage_High_Row",
        "T-Bar_Row_with_Handle",
        "Bent_Over_Two-Dumbbell_Row",
        "Inverted_Row",
        "Two-Arm_Kettlebell_Row",
        "Seated_One-arm_Cable_Pulley_Rows",
    ),
    Pattern.VPULL: (
        "Pullups",
        "Wide-Grip_Lat_Pulldown",
        "Chin-Up",
        "Close-Grip_Front_Lat_Pulldown",
        "Underhand_Cable_Pulldowns",
        "V-Bar_Pulldown",
        "Band_Assisted_Pull-Up",
        "One_Arm_Lat_Pulldown",
        "Straight-Arm_Pulldown",
    ),
    Pattern.CHEST_ISO: (
        "Dumbbell_Flyes",
        "Cable_Crossover",
        "Butterfly",
        "Incline_Dumbbell_Flyes",
        "Low_Cable_Crossover",
        "Flat_Bench_Cable_Flyes",
    ),
    Pattern.DELT_SIDE: (
        "Side_Lateral_Raise",
        "Cable_Seated_Lateral_Raise",
        "Seated_Side_Lateral_Raise",
        "Lateral_Raise_-_With_Bands",
        "Front_Dumbbell_Raise",
        "Standing_Low-Pulley_Deltoid_Raise",
    ),
    Pattern.DELT_REAR: (
        "Face_Pull",
        "Reverse_Flyes",
        "Reverse_Machine_Flyes",
        "Band_Pull_Apart",
        "Cable_Rear_Delt_Fly",
        "Seated_Bent-Over_Rear_Delt_Raise",
        "External_Rotation_with_Band",
    ),
    Pattern.BICEPS: (
        "Dumbbell_Bicep_Curl",
        "Barbell_Curl",
        "Hammer_Curls",
        "EZ-Bar_Curl",
        "Standing_Biceps_Cable_Curl",
        "Incline_Dumbbell_Curl",
        "Preacher_Curl",
        "Machine_Bicep_Curl",
        "Dumbbell_Alternate_Bicep_Curl",
    ),
    Pattern.TRICEPS: (
        "Triceps_Pushdown",
        "Triceps_Pushdown_-_Rope_Attachment",
        "EZ-Bar_Skullcrusher",
        "Standing_Dumbbell_Triceps_Extension",
        "Close-Grip_Barbell_Bench_Press",
        "Cable_Rope_Overhead_Triceps_Extension",
        "Bench_Dips",
        "Dips_-_Triceps_Version",
        "Tricep_Dumbbell_Kickback",
        "Machine_Triceps_Extension",
        "Push-Ups_-_Close_Triceps_Position",
    ),
    Pattern.QUAD_ISO: ("Leg_Extensions",),
    Pattern.HAM_ISO: (
        "Lying_Leg_Curls",
        "Seated_Leg_Curl",
        "Ball_Leg_Curl",
        "Standing_Leg_Curl",
        "Natural_Glute_Ham_Raise",
    ),
    Pattern.CALVES: (
        "Standing_Calf_Raises",
        "Seated_Calf_Raise",
        "Standing_Dumbbell_Calf_Raise",
        "Calf_Press_On_The_Leg_Press_Machine",
        "Standing_Barbell_Calf_Raise",
        "Calf_Raises_-_With_Bands",
    ),
    Pattern.CORE: (
        "Plank",
        "Dead_Bug",
        "Cable_Crunch",
        "Pallof_Press",
        "Hanging_Leg_Raise",
        "Side_Bridge",
        "Reverse_Crunch",
        "Ab_Crunch_Machine",
        "Crunches",
        "Exercise_Ball_Crunch",
    ),
}
_ISOLATION_PATTERNS: Final = frozenset(
    {
        Pattern.QUAD_ISO,
        Pattern.HAM_ISO,
        Pattern.CHEST_ISO,
        Pattern.DELT_SIDE,
        Pattern.DELT_REAR,
        Pattern.BICEPS,
        Pattern.TRICEPS,
        Pattern.CALVES,
    }
)


@dataclass(frozen=True)
class Preferences:
    """What the person likes and dislikes, resolved against the catalog, and how they rated exercises."""

    liked_ids: frozenset[int] = frozenset()
    disliked_ids: frozenset[int] = frozenset()
    disliked_phrases: tuple[tuple[str, ...], ...] = ()
    # Highest cosine similarity of each exercise to any liked exercise (from the embeddings).
    similarity: Mapping[int, float] = field(default_factory=dict)
    ratings: Mapping[int, int] = field(default_factory=dict)

    @classmethod
    def from_texts(
        cls,
        catalog: Catalog,
        liked: Iterable[str] = (),
        disliked: Iterable[str] = (),
        *,
        liked_ids: Iterable[int] = (),
        similarity: Mapping[int, float] | None = None,
        ratings: Mapping[int, int] | None = None,
    ) -> Preferences:
        resolved_liked = set(liked_ids)
        for text in liked:
            entry = catalog.resolve(text)
            if entry is not None:
                resolved_liked.add(entry.id)
        disliked_ids: set[int] = set()
        phrases: list[tuple[str, ...]] = []
        for text in disliked:
            entry = catalog.resolve(text)
            if entry is not None:
                disliked_ids.add(entry.id)
            tokens = name_tokens(text)
            if tokens:
                phrases.append(tokens)
        return cls(
            liked_ids=frozenset(resolved_liked - disliked_ids),
            disliked_ids=frozenset(disliked_ids),
            disliked_phrases=tuple(phrases),
            similarity=dict(similarity or {}),
            ratings=dict(ratings or {}),
        )


def _contains(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether the phrase's words, run together, equal some run of 1-3 consecutive words of the name: so
    "pull ups" finds "Pullups" and "Band Assisted Pull-Up", "ez bar" finds "EZ-Bar Curl"."""
    target = "".join(phrase)
    for size in range(1, 4):
        for i in range(len(tokens) - size + 1):
            if "".join(tokens[i : i + size]) == target:
                return True
    return False


def is_disliked(entry: CatalogEntry, prefs: Preferences) -> bool:
    if entry.id in prefs.disliked_ids:
        return True
    return any(_contains(entry.tokens, phrase) for phrase in prefs.disliked_phrases)


@dataclass(frozen=True)
class Filters:
    """The person's hard limits: equipment at hand, experience, movements their injuries exclude."""

    equipment: frozenset[Equipment]
    experience: Experience
    excluded_movements: frozenset[Movement] = frozenset()

    @property
    def available(self) -> frozenset[Equipment]:
        return self.equipment | ALWAYS_AVAILABLE


def exclusion_reason(entry: CatalogEntry, filters: Filters, prefs: Preferences) -> str | None:
    """Why an exercise may not be programmed for this person (None: it may)."""
    if not entry.programmable or entry.required is None:
        return "not a programmable strength exercise (category or equipment outside our vocabulary)"
    missing = entry.required - filters.available
    if missing:
        return "needs " + ", ".join(sorted(m.value for m in missing))
    if entry.record.level not in LEVELS_ALLOWED[filters.experience]:
        return f"{entry.record.level.value} level"
    hit = entry.movements & filters.excluded_movements
    if hit:
        return "loads " + ", ".join(sorted(m.value.replace("_", " ") for m in hit)) + " (injury rules)"
    if Movement.JUMP in entry.movements:
        return "jumps and landings are not programmed"
    if Movement.OLYMPIC in entry.movements and filters.experience is not Experience.ADVANCED:
        return "Olympic lifts need coaching: advanced only"
    if is_disliked(entry, prefs):
        return "disliked"
    return None


def _jitter(seed: int, exercise_id: int) -> float:
    digest = hashlib.blake2b(f"{seed}:{exercise_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 * c.JITTER


def _staple_bonus(entry: CatalogEntry) -> float:
    staples = STAPLES.get(entry.pattern, ())
    if entry.record.slug not in staples:
        return 0.0
    rank = staples.index(entry.record.slug)
    return max(c.STAPLE_MIN_BONUS, c.STAPLE_BONUS - c.STAPLE_RANK_STEP * rank)


def preference_score(entry: CatalogEntry, prefs: Preferences) -> float:
    """The person-specific part of the score: liked, similar to liked, rated."""
    score = 0.0
    if entry.id in prefs.liked_ids:
        score += c.LIKED_BONUS
    similarity = prefs.similarity.get(entry.id)
    if similarity is not None and similarity > c.SIMILARITY_FLOOR:
        score += c.SIMILARITY_WEIGHT * (similarity - c.SIMILARITY_FLOOR) / (1.0 - c.SIMILARITY_FLOOR)
    rating = prefs.ratings.get(entry.id)
    if rating is not None:
        score += c.RATING_WEIGHT * (rating - c.RATING_NEUTRAL)
    return score


def score(
    entry: CatalogEntry,
    role: SlotRole,
    prefs: Preferences,
    *,
    experience: Experience,
    goal: TrainingGoal,
    seed: int,
) -> float:
    total = preference_score(entry, prefs) + _staple_bonus(entry)
    if entry.record.level is experience:
        total += c.LEVEL_MATCH_BONUS
    if role is SlotRole.ACCESSORY and entry.pattern in _ISOLATION_PATTERNS and not entry.compound:
        total += c.ISOLATION_ACCESSORY_BONUS
    if (
        goal is TrainingGoal.STRENGTH
        and role is SlotRole.MAIN
        and entry.required
        and Equipment.BARBELL in entry.required
    ):
        total += c.STRENGTH_BARBELL_BONUS
    return total + _jitter(seed, entry.id)


class Selector:
    """The allowed exercises of each pattern, ranked once per program."""

    def __init__(
        self,
        catalog: Catalog,
        filters: Filters,
        prefs: Preferences,
        *,
        goal: TrainingGoal,
        seed: int,
    ) -> None:
        self.catalog = catalog
        self.filters = filters
        self.prefs = prefs
        self.goal = goal
        self.seed = seed
        self._ranked: dict[tuple[Pattern, bool], list[CatalogEntry]] = {}
        self._allowed: dict[Pattern, list[CatalogEntry]] = {}
        for pattern, entries in catalog.by_pattern.items():
            self._allowed[pattern] = [e for e in entries if exclusion_reason(e, filters, prefs) is None]

    def allowed(self, pattern: Pattern) -> list[CatalogEntry]:
        return self._allowed.get(pattern, [])

    def ranked(self, pattern: Pattern, role: SlotRole) -> list[CatalogEntry]:
        """Allowed exercises of a pattern, best first. Main and secondary slots take compounds when any
        exist; accessories take anything."""
        compound_only = role is not SlotRole.ACCESSORY
        key = (pattern, compound_only)
        if key not in self._ranked:
            pool = self.allowed(pattern)
            if compound_only and any(e.compound for e in pool):
                pool = [e for e in pool if e.compound]
            scored = [
                (
                    score(
                        e,
                        role,
                        self.prefs,
                        experience=self.filters.experience,
                        goal=self.goal,
                        seed=self.seed,
                    ),
                    e.id,
                    e,
                )
                for e in pool
            ]
            scored.sort(key=lambda t: (-t[0], t[1]))
            self._ranked[key] = [e for _, _, e in scored]
        return self._ranked[key]

    def pick(
        self, pattern: Pattern, role: SlotRole, *, exclude: set[int], occurrence: int = 0
    ) -> CatalogEntry | None:
        """The `occurrence`-th best exercise not in `exclude` (rotates variants across the week's sessions;
        a liked exercise stays first)."""
        candidates = [e for e in self.ranked(pattern, role) if e.id not in exclude]
        if not candidates:
            return None
        liked = [e for e in candidates if e.id in self.prefs.liked_ids]
        if liked and occurrence < len(liked):
            return liked[occurrence]
        pool = candidates[: max(1, min(3, len(candidates)))]
        return pool[occurrence % len(pool)]


@dataclass(frozen=True)
class RankedAlternative:
    entry: CatalogEntry
    score: float
    why: str


def alternatives(
    selector: Selector,
    current: CatalogEntry,
    *,
    exclude: set[int],
    similarity_to_current: Mapping[int, float] | None = None,
    limit: int = 10,
) -> list[RankedAlternative]:
    """Exercises that could replace `current`: allowed for the person and hitting the same primary muscle,
    ranked by same pattern, closeness to `current` (embeddings) and the person's preferences."""
    muscle = current.record.primary_muscles[0] if current.record.primary_muscles else None
    near = similarity_to_current or {}
    ranked: list[RankedAlternative] = []
    for entries in selector.catalog.by_pattern.values():
        for entry in entries:
            if entry.id == current.id or entry.id in exclude:
                continue
            if muscle is None or muscle not in entry.record.primary_muscles:
                continue
            if exclusion_reason(entry, selector.filters, selector.prefs) is not None:
                continue
            same_pattern = entry.pattern is current.pattern
            closeness = near.get(entry.id, 0.0)
            value = (
                (2.0 if same_pattern else 0.0)
                + (1.0 if entry.compound == current.compound else 0.0)
                + 3.0 * closeness
                + preference_score(entry, selector.prefs)
                + _staple_bonus(entry)
            )
            reasons = [f"works the {muscle}"]
            if same_pattern:
                reasons.append(f"same {current.pattern.value.replace('_', ' ')} pattern")
            if entry.id in selector.prefs.liked_ids:
                reasons.append("you like it")
            ranked.append(RankedAlternative(entry, round(value, 3), ", ".join(reasons)))
    ranked.sort(key=lambda a: (-a.score, a.entry.id))
    return ranked[:limit]
