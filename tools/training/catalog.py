"""The exercise catalog as the programmer sees it: each free-exercise-db row plus the facts derived from it
(what equipment it needs, which movement pattern it fills, which joint actions it loads, how it counts
toward weekly volume).

The source has one equipment field and no movement labels, so those facts come from documented rules over
the equipment field, the name and the instructions, with a short list of per-exercise overrides where the
rules misjudge. Every rule errs on the side of *excluding*: an exercise whose gear is unclear is not
offered, an exercise that might load an injured joint is tagged so the injury rules can remove it.

Equipment policy:
- Body weight is always available (everyone has a body): "body only" and *null* (the 77 null rows are
  stretches and body-weight drills) need nothing more than what their name or instructions add.
- Each named implement maps to `store.vocabulary.Equipment`; cardio rows on "machine" need a cardio machine.
- A bench (named in the exercise or its instructions: "bench", "incline", "decline", "preacher", "box",
  "step-up", "seated" for free weights), a pull-up bar (pull-ups, chin-ups, hanging) and a dip station
  (dips, parallel bars: gym apparatus, counted as `machine`) are added to what the field says.
- "other" gives nothing by itself: such an exercise is offered only when a rule names every piece it needs
  from our vocabulary (weight plates count as `barbell`, a hyperextension bench as `machine`). Strongman
  implements, sleds, rings, suspension straps, chains, trap bars, boxes for jumping, a partner... have no
  vocabulary entry: those exercises are never offered.
- The knowledge base's own `equipment_needed` is added on top for strength rows (the union is the stricter
  reading).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Final

from pydantic import BaseModel, ConfigDict, field_validator

from store.vocabulary import Equipment, Experience
from tools.training import constants as c
from tools.training.schemas import MuscleGroup, Pattern


class ExerciseRecord(BaseModel):
    """One exercise as stored by the knowledge base (or read from free-exercise-db's JSON in tests)."""

    model_config = ConfigDict(frozen=True)

    id: int
    slug: str  # free-exercise-db id, e.g. "Barbell_Squat"
    name: str
    category: str
    force: str | None = None
    mechanic: str | None = None
    level: Experience
    equipment_raw: str | None = None
    equipment_needed: tuple[str, ...] = ()
    primary_muscles: tuple[str, ...] = ()
    secondary_muscles: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()

    @field_validator("level", mode="before")
    @classmethod
    def _expert_is_advanced(cls, value: object) -> object:
        return Experience.ADVANCED if value == "expert" else value


class Movement(StrEnum):
    """Joint actions and positions the injury rules reason about."""

    SQUAT = "squat"  # loaded or deep knee flexion on both legs
    LUNGE = "lunge"  # split stance, step-ups, single-leg knee flexion
    LEG_PRESS = "leg_press"
    KNEE_EXTENSION = "knee_extension"  # leg extension machine
    KNEELING = "kneeling"  # body weight on the knees
    JUMP = "jump"  # jumps, hops, bounds, landings, sprints
    RUNNING = "running"
    FLOOR_PULL = "floor_pull"  # deadlifts and pulls from the floor or rack (knees and hips flex under load)
    HINGE = "hinge"  # any loaded hip hinge (Romanian deadlift, good morning, swing, back extension)
    SPINAL_FLEXION = "spinal_flexion"  # crunches, sit-ups, rollouts, leg raises
    SPINAL_ROTATION = "spinal_rotation"  # twists, wood chops, windmills
    AXIAL_LOAD = "axial_load"  # a bar loading the spine: barbell squats, lunges, standing presses
    BENT_OVER_ROW = "bent_over_row"  # unsupported rows with the torso bent over
    OVERHEAD_PRESS = "overhead_press"
    OVERHEAD_PULL = "overhead_pull"  # pull-ups, pulldowns, hanging, pullovers
    BEHIND_NECK = "behind_neck"
    UPRIGHT_ROW = "upright_row"
    DIP = "dip"
    OLYMPIC = "olympic"  # cleans, snatches, jerks
    BALLISTIC = "ballistic"  # swings, throws, slams, kipping, speed work
    FLY = "fly"  # long-lever loaded horizontal abduction/adduction
    SHOULDER_RAISE = "shoulder_raise"  # front and lateral raises
    BARBELL_PRESS = "barbell_press"  # any press with a straight bar (wrists extended, shoulders fixed)
    HAND_SUPPORT = "hand_support"  # push-ups, crawls, handstands: body weight on an extended wrist
    FRONT_RACK = "front_rack"  # bar racked on the front of the shoulders (wrist extension)
    WRIST_LOADED = "wrist_loaded"  # wrist curls, rollers, straight-bar curls
    ELBOW_FLEXION = "elbow_flexion"  # curls
    ELBOW_EXTENSION = "elbow_extension"  # triceps extensions, pushdowns, close-grip presses
    NECK_LOADED = "neck_loaded"  # neck work, shrugs, carries, a bar on the upper back
    CALF_RAISE = "calf_raise"  # loaded ankle plantar flexion
    SINGLE_LEG_BALANCE = "single_leg_balance"
    DEEP_HIP_FLEXION = "deep_hip_flexion"  # deep squats, leg raises, knee tucks, kicks
    HIP_ADDUCTION_ABDUCTION = "hip_adduction_abduction"
    HAMSTRING_LOADED = "hamstring_loaded"  # hinges, leg curls, glute-ham raises
    BACK_RACK = "back_rack"  # a bar across the upper back (back squats, barbell lunges, good mornings)


EQUIPMENT_FIELD: Final[dict[str, Equipment]] = {
    "body only": Equipment.BODYWEIGHT,
    "dumbbell": Equipment.DUMBBELL,
    "barbell": Equipment.BARBELL,
    "kettlebells": Equipment.KETTLEBELL,
    "cable": Equipment.CABLE,
    "machine": Equipment.MACHINE,
    "bands": Equipment.BANDS,
    "e-z curl bar": Equipment.EZ_BAR,
    "medicine ball": Equipment.MEDICINE_BALL,
    "exercise ball": Equipment.EXERCISE_BALL,
    "foam roll": Equipment.FOAM_ROLLER,
}
ALWAYS_AVAILABLE: Final = frozenset({Equipment.BODYWEIGHT})

# Gear outside our vocabulary: an exercise whose name says it needs one of these is never offered.
_UNSUPPORTED_GEAR = re.compile(
    r"\b(sled|prowler|tire|keg|atlas|yoke|log lift|rickshaw|axle|car deadlift|conan|circus bell|sandbag|"
    r"battling ropes?|rope climb|rope jumping|trap bar|suspended|straps|rings?|harness|ab roller|"
    r"balance board|chains?|heavy bag|sledgehammer|partner|manual|board press|plate movers|bosu|"
    r"weighted pull|weighted bench dip|power stairs|london bridges|hurdle|cone)\b"
)
_NAME_GEAR: Final[tuple[tuple[re.Pattern[str], Equipment], ...]] = (
    (re.compile(r"\bdumbbells?\b|\bdb\b"), Equipment.DUMBBELL),
    (re.compile(r"\bkettlebells?\b"), Equipment.KETTLEBELL),
    (re.compile(r"\bbarbell\b|\blandmine\b|\bt-bar\b|\bplates?\b"), Equipment.BARBELL),
    (re.compile(r"\bez[- ]?(bar|curl)\b"), Equipment.EZ_BAR),
    (re.compile(r"\bcables?\b|\bpulley\b|\bpulldowns?\b"), Equipment.CABLE),
    (re.compile(r"\bbands?\b|\bbanded\b"), Equipment.BANDS),
    (re.compile(r"\bmedicine ball\b"), Equipment.MEDICINE_BALL),
    (re.compile(r"\b(exercise|stability) ball\b|\bphysioball\b"), Equipment.EXERCISE_BALL),
    (re.compile(r"\bsmith\b|\bleverage\b|\bmachine\b"), Equipment.MACHINE),
    (
        re.compile(
            r"pull-?ups?\b|\bchin-?ups?\b|\bchins\b|grip chin\b|chin crunch|muscle.?up|\bhanging\b|"
            r"scapular pull"
        ),
        Equipment.PULL_UP_BAR,
    ),
    (re.compile(r"(?<!bench )\bdips?\b|parallel bars?"), Equipment.MACHINE),
)
# A bench, in the name or the instructions. Machines bring their own seat; cable stations their own seat but
# not an incline bench.
_BENCH_NAME = re.compile(r"\bbench\b|\bincline\b|\bdecline\b|\bpreacher\b|\bbox\b|\bstep[- ]?ups?\b")
_SEATED = re.compile(r"\bseated\b")
# A bench named in a step, unless the step offers it as an option ("feet on the ground, or resting on a
# bench", "if you are resting your feet on a bench") or compares ("like a bench press").
_BENCH_TEXT = re.compile(r"\bbench\b(?!\s+press)")
_OPTIONAL_BENCH = re.compile(
    r"\bor (?:\w+ ){0,3}?(?:resting|rest|placed|place|on|use|using)\b[^.]*\bbench\b|\bif you\b[^.]*\bbench\b|"
    r"\b(?:can|could|may) (?:also )?(?:use|be done)\b[^.]*\bbench\b"
)
# Rows where the rules above misjudge, checked by hand against the instructions.
EQUIPMENT_OVERRIDES: Final[dict[str, frozenset[Equipment] | None]] = {
    "Inverted_Row": frozenset({Equipment.BARBELL}),  # a bar set in a rack at waist height
    "Hyperextensions_Back_Extensions": frozenset({Equipment.MACHINE}),  # a hyperextension bench
    "Hyperextensions_With_No_Hyperextension_Bench": None,  # a partner holds the legs down
    "Knee_Hip_Raise_On_Parallel_Bars": frozenset({Equipment.MACHINE}),  # a captain's chair / dip station
    "Band_Assisted_Pull-Up": frozenset({Equipment.PULL_UP_BAR, Equipment.BANDS}),
    "Bodyweight_Mid_Row": None,  # a fixed bar or rings at chest height
    "Donkey_Calf_Raises": None,  # a partner sits on the hips
    "Farmers_Walk": None,  # farmer's handles
    "Weighted_Squat": None,  # a dip belt
    "Otis-Up": frozenset({Equipment.BARBELL}),  # a weight plate
    "Svend_Press": frozenset({Equipment.BARBELL}),  # weight plates
    "Platform_Hamstring_Slides": None,  # a slide board
    "Seated_Band_Hamstring_Curl": frozenset({Equipment.BANDS}),
    "Chain_Handle_Extension": None,
    "Chain_Press": None,
}

# free-exercise-db muscle -> counted group (lats and middle back are one back).
MUSCLE_GROUPS: Final[dict[str, MuscleGroup]] = {
    "chest": MuscleGroup.CHEST,
    "lats": MuscleGroup.BACK,
    "middle back": MuscleGroup.BACK,
    "shoulders": MuscleGroup.SHOULDERS,
    "quadriceps": MuscleGroup.QUADS,
    "hamstrings": MuscleGroup.HAMSTRINGS,
    "glutes": MuscleGroup.GLUTES,
    "biceps": MuscleGroup.BICEPS,
    "triceps": MuscleGroup.TRICEPS,
    "calves": MuscleGroup.CALVES,
    "abdominals": MuscleGroup.ABS,
}
# Categories the programmer builds sessions from. Olympic lifting and strongman need coaching and gear we
# cannot check; plyometrics load landings we cannot supervise; stretching is not a hard set.
PROGRAMMABLE_CATEGORIES: Final = frozenset({"strength", "powerlifting"})

_MOVEMENT_RULES: Final[tuple[tuple[Movement, re.Pattern[str]], ...]] = tuple(
    (movement, re.compile(pattern))
    for movement, pattern in (
        (Movement.SQUAT, r"squat|\bhack\b|sissy|pistol|thruster|wall sit|chair squat|get-?up squat"),
        (Movement.LUNGE, r"lunge|split squat|split jump|step[- ]?ups?\b|scissors?\b|\bstride\b"),
        (Movement.LEG_PRESS, r"leg press(?!.*calf)|^(?!calf).*leg press"),
        (Movement.KNEE_EXTENSION, r"leg extension"),
        (Movement.KNEELING, r"kneeling|on knees|\bknees?\b.*\bfloor\b"),
        (
            Movement.JUMP,
            r"jump|\bhops?\b|hopping|\bbound|skip|sprint|burpee|plyo|depth|\bleap\b|drop push|"
            r"butt kick|shuffle|carioca|star jump|knee tuck",
        ),
        (Movement.RUNNING, r"\brun|jog|sprint|trail|skating|rope jump|stair|step mill"),
        (
            Movement.FLOOR_PULL,
            r"^(?!.*(romanian|stiff|one-legged|single-leg|cable deadlift)).*deadlift|rack pull|clean|snatch",
        ),
        (
            Movement.HINGE,
            r"deadlift|good morning|romanian|pull through|swing|hyperextension|back extension|"
            r"glute.?ham|clean|snatch|rack pull",
        ),
        (
            Movement.SPINAL_FLEXION,
            r"crunch|sit-?up|jackknife|v-?up|toe touch|rollout|ab roller|\bpike\b|pull-in|tuck|"
            r"jefferson|cocoon|butt-ups|bottoms up|hip raise|side bend|elbow to knee|heel touch|air bike|"
            r"leg raise|knee raise|flutter|scissor kick|otis",
        ),
        (
            Movement.SPINAL_ROTATION,
            r"twist|wood ?chop|russian|judo|figure 8|180'?s|cable lift|windmill|rotation|pass between|"
            r"spell caster|bent press|wipers|turkish",
        ),
        (
            Movement.BENT_OVER_ROW,
            r"bent.?over.*row|long bar row|t-bar row|renegade|reverse grip bent|kettlebell row|bench mid row",
        ),
        (
            Movement.OVERHEAD_PRESS,
            r"overhead|military|shoulder press|press behind|\bjerk|snatch|handstand|arnold|push press|"
            r"thruster|above head|over head|get-?up|bent press|bradford|jammer|see-?saw|para press|"
            r"pirate|clean and press|anti-gravity|seated (dumbbell|kettlebell|barbell).*press|"
            r"standing.*(dumbbell|barbell|kettlebell).*press|dumbbell one-arm shoulder|cuban press",
        ),
        (
            Movement.OVERHEAD_PULL,
            r"pull-?ups?\b|pullups?\b|chin|pulldown|muscle.?up|rope climb|pullover|hanging|straight-arm|"
            r"rocky|london bridge",
        ),
        (Movement.BEHIND_NECK, r"behind the neck|behind neck|neck press|guillotine"),
        (Movement.UPRIGHT_ROW, r"upright|high pull|row to neck"),
        (Movement.DIP, r"\bdips?\b|body-up|dip machine"),
        (Movement.OLYMPIC, r"clean|snatch|\bjerk"),
        (
            Movement.BALLISTIC,
            r"swing|slam|throw|jump|snatch|clean|\bjerk|kipping|speed|plyo|battling|sprint|chest push|"
            r"chest pass|hops?\b|bound|sledgehammer|pirate",
        ),
        (Movement.FLY, r"\bfl(y|ye|yes|ies)\b|crossover|iron cross|butterfly|pec deck|around the worlds"),
        (
            Movement.SHOULDER_RAISE,
            r"(lateral|front|side|deltoid|plate|dumbbell|shoulder|straight|single dumbbell) raise|laterals|"
            r"scaption|\braise\b.*\bshoulder|power partials",
        ),
        (
            Movement.HAND_SUPPORT,
            r"push-?ups?|pushups|crawl|handstand|mountain climber|burpee|renegade|clock push|"
            r"isometric wipers|body tricep press|body-up|plank to|dive bomb",
        ),
        (
            Movement.FRONT_RACK,
            r"front (barbell )?squat|front squats|clean|thruster|\bjerk|zercher|push press",
        ),
        (Movement.WRIST_LOADED, r"wrist|finger curl|plate pinch|hand squeeze|roller|pronation|supination"),
        (Movement.ELBOW_FLEXION, r"\bcurls?\b"),
        (
            Movement.ELBOW_EXTENSION,
            r"triceps?|tricep|skull|pushdown|kickback(?!.*(glute|leg))|close-grip.*press|jm press|tate press|"
            r"diamond|close triceps",
        ),
        (Movement.NECK_LOADED, r"\bneck\b|shrug|harness|farmer|yoke|carry|\bhead\b"),
        (Movement.CALF_RAISE, r"calf|toe raise|\bcalves\b"),
        (Movement.SINGLE_LEG_BALANCE, r"single-?leg|one-?leg|one legged|pistol|balance"),
        (
            Movement.DEEP_HIP_FLEXION,
            r"full squat|deep|sumo|plie|wide stance|hip flexion|leg raise|knee raise|flutter|leg lift|"
            r"kickback|pull-in|tuck|mountain climber|knee to chest|pike|jackknife",
        ),
        (Movement.HIP_ADDUCTION_ABDUCTION, r"adduct|abduct|monster walk|groin|side leg raise|fire hydrant"),
        (Movement.HAMSTRING_LOADED, r"leg curl|hamstring|glute.?ham|good morning|romanian|stiff"),
    )
)


# What filling a pattern implies, whatever the exercise is called ("Kettlebell Seated Press" is overhead).
_PATTERN_MOVEMENTS: Final[dict[Pattern, frozenset[Movement]]] = {
    Pattern.HINGE: frozenset({Movement.HINGE, Movement.HAMSTRING_LOADED}),
    Pattern.VPUSH: frozenset({Movement.OVERHEAD_PRESS}),
    Pattern.VPULL: frozenset({Movement.OVERHEAD_PULL}),
    Pattern.CHEST_ISO: frozenset({Movement.FLY}),
    Pattern.DELT_SIDE: frozenset({Movement.SHOULDER_RAISE}),
    Pattern.QUAD_ISO: frozenset({Movement.KNEE_EXTENSION}),
    Pattern.HAM_ISO: frozenset({Movement.HAMSTRING_LOADED}),
    Pattern.TRICEPS: frozenset({Movement.ELBOW_EXTENSION}),
    Pattern.CALVES: frozenset({Movement.CALF_RAISE}),
}


def _text(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").split())


def equipment_required(record: ExerciseRecord) -> frozenset[Equipment] | None:
    """Everything the exercise needs (body weight included); None when it needs gear we cannot ask about."""
    if record.slug in EQUIPMENT_OVERRIDES:
        override = EQUIPMENT_OVERRIDES[record.slug]
        return None if override is None else override | ALWAYS_AVAILABLE
    name = _text(record.name)
    if _UNSUPPORTED_GEAR.search(name):
        return None
    raw = (record.equipment_raw or "").strip().lower() or None
    need: set[Equipment] = set(ALWAYS_AVAILABLE)
    if raw == "machine" and record.category == "cardio":
        need.add(Equipment.CARDIO_MACHINE)
    elif raw is not None and raw != "other":
        mapped = EQUIPMENT_FIELD.get(raw)
        if mapped is None:
            return None
        need.add(mapped)
    for pattern, gear in _NAME_GEAR:
        if pattern.search(name):
            need.add(gear)
    if raw == "other" and need == set(ALWAYS_AVAILABLE):
        return None  # "other" and no rule named the gear: unknown, so not offered
    if raw != "machine":
        seated_needs_bench = raw not in ("cable",) and _SEATED.search(name)
        if _BENCH_NAME.search(name) or seated_needs_bench or _bench_in_steps(record.instructions):
            need.add(Equipment.BENCH)
    # The knowledge base's list for strength rows (its cardio mapping counts outdoor running as a machine).
    for value in record.equipment_needed if record.category != "cardio" else ():
        try:
            need.add(Equipment(value))
        except ValueError:
            return None  # the knowledge base names gear outside our vocabulary
    return frozenset(need)


def _bench_in_steps(instructions: Sequence[str]) -> bool:
    for step in instructions:
        for sentence in re.split(r"(?<=[.!?])\s+", step.lower()):
            if _BENCH_TEXT.search(sentence) and not _OPTIONAL_BENCH.search(sentence):
                return True
    return False


def movements_of(record: ExerciseRecord) -> frozenset[Movement]:
    """The joint actions an exercise loads, from its name, category, muscles and equipment."""
    name = _text(record.name)
    found = {movement for movement, pattern in _MOVEMENT_RULES if pattern.search(name)}
    primary = set(record.primary_muscles)
    if record.category == "plyometrics":
        found |= {Movement.JUMP, Movement.BALLISTIC}
    if record.category in ("olympic weightlifting", "strongman"):
        found |= {Movement.OLYMPIC, Movement.BALLISTIC, Movement.AXIAL_LOAD}
    if primary & {"forearms"}:
        found.add(Movement.WRIST_LOADED)
    if primary & {"neck", "traps"}:
        found.add(Movement.NECK_LOADED)
    if primary & {"calves"} and record.category != "stretching":
        found.add(Movement.CALF_RAISE)
    if primary & {"adductors", "abductors"}:
        found.add(Movement.HIP_ADDUCTION_ABDUCTION)
    if primary & {"lower back"} and record.category != "stretching":
        found.add(Movement.HINGE)
    if primary & {"hamstrings"} and record.category != "stretching":
        found.add(Movement.HAMSTRING_LOADED)
    if "biceps" in primary and record.mechanic == "isolation":
        found.add(Movement.ELBOW_FLEXION)
    if "triceps" in primary:
        found.add(Movement.ELBOW_EXTENSION)
    if Movement.HINGE in found:
        found.add(Movement.HAMSTRING_LOADED)
    if record.category in PROGRAMMABLE_CATEGORIES:
        pattern = pattern_of(record)
        found |= _PATTERN_MOVEMENTS.get(pattern, frozenset())
        if pattern is Pattern.SQUAT and not found & {Movement.SQUAT, Movement.LUNGE}:
            found.add(Movement.SQUAT)
    raw = (record.equipment_raw or "").lower()
    bar_on_back = raw == "barbell" or bool(re.search(r"\bsmith\b", name))
    if bar_on_back:
        legs = found & {Movement.SQUAT, Movement.LUNGE}
        if legs or re.search(r"good morning|standing.*press|military", name):
            found.add(Movement.AXIAL_LOAD)
        if (legs and Movement.FRONT_RACK not in found) or re.search(r"good morning", name):
            found.add(Movement.BACK_RACK)
    if re.search(r"\bhack\b|lying machine squat", name):
        found.add(Movement.AXIAL_LOAD)  # shoulder pads load the spine like a bar
    if bar_on_back and re.search(r"\bpress", name):
        found.add(Movement.BARBELL_PRESS)  # a fixed straight bar (barbell or Smith machine)
    if raw == "barbell" and Movement.ELBOW_FLEXION in found:
        found.add(Movement.WRIST_LOADED)  # a straight bar forces full supination
    if found & {Movement.SQUAT, Movement.LUNGE, Movement.LEG_PRESS} and re.search(
        r"full|deep|pistol|sissy", name
    ):
        found.add(Movement.DEEP_HIP_FLEXION)
    if found & {Movement.SQUAT, Movement.LEG_PRESS, Movement.FLOOR_PULL}:
        found.add(Movement.DEEP_HIP_FLEXION)
    return frozenset(found)


def pattern_of(record: ExerciseRecord) -> Pattern:
    """The template slot an exercise fills, from its first primary muscle, mechanic, force and name."""
    name = _text(record.name)
    primary = record.primary_muscles[0] if record.primary_muscles else ""
    compound = record.mechanic == "compound"
    if primary == "quadriceps":
        if "leg extension" in name:
            return Pattern.QUAD_ISO
        if re.search(r"deadlift", name):
            return Pattern.HINGE
        if re.search(r"adduction|hip flexion", name):
            return Pattern.OTHER
        return Pattern.SQUAT if compound else Pattern.QUAD_ISO
    if primary in ("hamstrings", "lower back"):
        if re.search(r"curl|glute.?ham|hamstring slide", name) or not compound:
            return Pattern.HAM_ISO if primary == "hamstrings" else Pattern.HINGE
        if re.search(r"lunge", name):
            return Pattern.SQUAT
        return Pattern.HINGE
    if primary == "glutes":
        if re.search(r"squat|step-?up", name):
            return Pattern.SQUAT
        return Pattern.GLUTE
    if primary == "chest":
        if re.search(r"\bfl(y|ye|yes|ies)\b|crossover|iron cross|butterfly|pullover|around the worlds", name):
            return Pattern.CHEST_ISO
        return Pattern.HPUSH if compound else Pattern.CHEST_ISO
    if primary == "shoulders":
        if re.search(r"rear|reverse|face pull|pull apart|back fl|external rotation|internal rotation", name):
            return Pattern.DELT_REAR
        if compound and record.force == "push" and re.search(r"press|jerk|push", name):
            return Pattern.VPUSH
        if re.search(r"raise|lateral|scaption|partials", name):
            return Pattern.DELT_SIDE
        return Pattern.OTHER
    if primary in ("lats", "middle back"):
        if re.search(r"shrug", name):
            return Pattern.OTHER
        if re.search(r"\brows?\b|bench pull", name):
            return Pattern.HPULL
        if re.search(r"pull-?ups?|pullups?|chin|pulldown|muscle.?up", name):
            return Pattern.VPULL
        if re.search(r"pullover", name):
            return Pattern.OTHER
        return Pattern.VPULL if primary == "lats" else Pattern.HPULL
    if primary == "biceps":
        return Pattern.BICEPS
    if primary == "triceps":
        return Pattern.TRICEPS
    if primary == "calves":
        return Pattern.CALVES
    if primary == "abdominals":
        return Pattern.CORE
    return Pattern.OTHER


def group_weights(record: ExerciseRecord) -> dict[MuscleGroup, float]:
    """Fractional sets one set of this exercise adds per counted group (primary 1, secondary 0.5)."""
    weights: dict[MuscleGroup, float] = {}
    for muscle in record.secondary_muscles:
        group = MUSCLE_GROUPS.get(muscle)
        if group is not None:
            weights[group] = c.SECONDARY_SET_WEIGHT
    for muscle in record.primary_muscles:
        group = MUSCLE_GROUPS.get(muscle)
        if group is not None:
            weights[group] = c.PRIMARY_SET_WEIGHT
    return weights


_WORD = re.compile(r"[a-z0-9]+")


_HYPHENATED = re.compile(r"(?<=[a-z0-9])-(?=[a-z0-9])")


def name_tokens(text: str) -> tuple[str, ...]:
    """Lower-case words, hyphenated ones joined, a plural `s` dropped: "Dumbbell Lunges" -> ("dumbbell",
    "lunge"), "Pull-Ups" -> ("pullup",)."""
    tokens = []
    for word in _WORD.findall(_HYPHENATED.sub("", text.lower().replace("_", " "))):
        if len(word) >= 3 and word.endswith("s") and not word.endswith(("ss", "us")):
            word = word[:-1]
        tokens.append(word)
    return tuple(tokens)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    record: ExerciseRecord
    required: frozenset[Equipment] | None
    pattern: Pattern
    movements: frozenset[Movement]
    groups: Mapping[MuscleGroup, float]
    tokens: tuple[str, ...]

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def compound(self) -> bool:
        return self.record.mechanic == "compound"

    @property
    def primary_groups(self) -> frozenset[MuscleGroup]:
        return frozenset(g for g, w in self.groups.items() if w >= c.PRIMARY_SET_WEIGHT)

    @property
    def programmable(self) -> bool:
        """May fill a strength slot (for anyone: personal filters come on top)."""
        return (
            self.record.category in PROGRAMMABLE_CATEGORIES
            and self.pattern is not Pattern.OTHER
            and self.required is not None
        )

    @property
    def load_equipment(self) -> Equipment | None:
        """The implement whose load steps apply (None: progress by reps)."""
        if self.required is None:
            return None
        for gear in (
            Equipment.BARBELL,
            Equipment.EZ_BAR,
            Equipment.MACHINE,
            Equipment.CABLE,
            Equipment.DUMBBELL,
            Equipment.KETTLEBELL,
        ):
            if gear in self.required:
                return gear
        return None


@dataclass(frozen=True)
class Catalog:
    """All exercises with derived facts, indexed by id, slug and pattern. Build once, share read-only."""

    entries: tuple[CatalogEntry, ...]
    by_id: Mapping[int, CatalogEntry] = field(repr=False)
    by_slug: Mapping[str, CatalogEntry] = field(repr=False)

    @classmethod
    def build(cls, records: Iterable[ExerciseRecord]) -> Catalog:
        entries = tuple(
            CatalogEntry(
                record=r,
                required=equipment_required(r),
                pattern=pattern_of(r),
                movements=movements_of(r),
                groups=group_weights(r),
                tokens=name_tokens(r.name),
            )
            for r in records
        )
        return cls(
            entries=entries,
            by_id={e.id: e for e in entries},
            by_slug={e.record.slug: e for e in entries},
        )

    @cached_property
    def by_pattern(self) -> Mapping[Pattern, tuple[CatalogEntry, ...]]:
        grouped: dict[Pattern, list[CatalogEntry]] = {}
        for entry in self.entries:
            if entry.programmable:
                grouped.setdefault(entry.pattern, []).append(entry)
        return {p: tuple(v) for p, v in grouped.items()}

    def resolve(self, text: str) -> CatalogEntry | None:
        """An exercise named by id, slug or exact name (case and plural insensitive)."""
        stripped = text.strip()
        if stripped.isdigit() and int(stripped) in self.by_id:
            return self.by_id[int(stripped)]
        if stripped in self.by_slug:
            return self.by_slug[stripped]
        tokens = name_tokens(stripped)
        if not tokens:
            return None
        for entry in self.entries:
            if entry.tokens == tokens:
                return entry
        return None


def records_from_free_exercise_db(rows: Sequence[Mapping[str, object]]) -> list[ExerciseRecord]:
    """free-exercise-db's JSON rows as records, ids numbered from 1 in file order (tests, benchmarks)."""
    return [
        ExerciseRecord.model_validate(
            {
                "id": index,
                "slug": row["id"],
                "name": row["name"],
                "category": row["category"],
                "force": row.get("force"),
                "mechanic": row.get("mechanic"),
                "level": row["level"],
                "equipment_raw": row.get("equipment"),
                "primary_muscles": row.get("primaryMuscles") or (),
                "secondary_muscles": row.get("secondaryMuscles") or (),
                "instructions": row.get("instructions") or (),
            }
        )
        for index, row in enumerate(rows, start=1)
    ]
