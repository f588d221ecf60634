"""Free-text injuries and limitations → movements the programmer must not load.

Each body part has keywords (synonyms, common diagnoses) and a set of excluded movements (see
`catalog.Movement`, tagged on every exercise). The rules follow one principle: when unsure, exclude. They are
not medical advice; the plan says so and tells the person to follow their clinician where they have one.

Rules (what stays allowed in brackets):
- knee: no squats, lunges/split squats/step-ups, leg press, loaded leg extension, kneeling, jumps,
  running, pulls from the floor, single-leg balance work [hip hinge (Romanian/stiff-legged deadlift, good
  morning), glute bridge, hip thrust, leg curl, upper body].
- lower back: no floor pulls or any loaded hinge, sit-ups/crunches and loaded twists, a bar on the spine
  (barbell squats, lunges, standing presses), unsupported bent-over rows, leg press, Olympic/ballistic
  lifts, jumps, running [machines, supported rows, planks and anti-rotation core, leg curl/extension,
  goblet and dumbbell squats, bridges].
- shoulder: no overhead pressing or pulling (pull-ups, pulldowns, hanging), behind-the-neck work,
  upright rows, dips, flyes and pullovers, front/lateral raises, barbell presses, a bar racked on the back
  or the front, Olympic/ballistic lifts [dumbbell/machine/cable presses, push-ups, rows, rear-delt and
  rotator-cuff work].
- wrist: no push-ups and other hand-supported work, front-rack positions, dips, wrist curls and rollers,
  straight-bar curls, barbell presses, Olympic/ballistic lifts [machines, cables, dumbbells].
- elbow: no curls, triceps extensions/pushdowns, close-grip presses, dips, chin-ups/pull-ups and
  pulldowns, wrist work, Olympic/ballistic lifts [presses with a medium grip, rows, lower body].
- hip: no squats, lunges, leg press, floor pulls or loaded hinges, deep hip flexion (leg raises, knee tucks,
  kicks), adductor/abductor work, jumps, running, single-leg balance, ballistic lifts [leg extension, leg
  curl, bridges, upper body].
- neck: no neck work or shrugs, a bar on the upper back, behind-the-neck work, crunches and sit-ups,
  overhead pressing, upright rows, Olympic/ballistic lifts, axial loading.
- ankle / foot / Achilles: no jumps, running, calf raises, lunges and step-ups, single-leg balance,
  Olympic/ballistic lifts [bilateral squats and machines, upper body].
- hamstring: no hinges, leg curls or glute-ham raises, floor pulls, jumps, sprints, ballistic lifts.
- anything we do not recognise: no jumps, Olympic or ballistic lifts, floor pulls or spinal loading, and a
  note asking to review the plan with a professional.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from tools.training.catalog import Movement


class BodyPart(StrEnum):
    KNEE = "knee"
    LOWER_BACK = "lower_back"
    SHOULDER = "shoulder"
    WRIST = "wrist"
    ELBOW = "elbow"
    HIP = "hip"
    NECK = "neck"
    ANKLE = "ankle"
    HAMSTRING = "hamstring"


KEYWORDS: Final[dict[BodyPart, re.Pattern[str]]] = {
    BodyPart.KNEE: re.compile(
        r"\bknees?\b|\bacl\b|\bmcl\b|\bpcl\b|\blcl\b|menisc|patell|jumper'?s knee|runner'?s knee|\bit ?band|"
        r"\bitb\b|osgood|chondromalacia|cruciate"
    ),
    BodyPart.LOWER_BACK: re.compile(
        r"\bback\b|lumbar|\bdis[ck]s?\b|herniat|sciatic|\bspine\b|spinal|\bsi joint|sacroiliac|spondyl|"
        r"\blbp\b|slipped disc"
    ),
    BodyPart.SHOULDER: re.compile(
        r"shoulder|rotator|\bcuff\b|(?<!hip )impinge|(?<!hip )labr(um|al)|\bac joint|acromio|slap tear|"
        r"deltoid|upper back|collarbone|clavicle"
    ),
    BodyPart.WRIST: re.compile(r"wrist|carpal|scaphoid|\btfcc\b|de ?quervain"),
    BodyPart.ELBOW: re.compile(r"elbow|epicondyl|tennis|golfer|ulnar|biceps? tendon|triceps? tendon"),
    BodyPart.HIP: re.compile(
        r"\bhips?\b|groin|\bfai\b|hip flexor|piriformis|adductor|trochanter|glute|labral tear of the hip"
    ),
    BodyPart.NECK: re.compile(r"\bneck\b|cervical|whiplash|\btraps?\b|upper back"),
    BodyPart.ANKLE: re.compile(
        r"ankle|achilles|\bfoot\b|\bfeet\b|plantar|\bheel|\btoes?\b|shin splint|\bcalf\b|\bcalves\b|bunion"
    ),
    BodyPart.HAMSTRING: re.compile(r"hamstring"),
}

EXCLUDED: Final[dict[BodyPart, frozenset[Movement]]] = {
    BodyPart.KNEE: frozenset(
        {
            Movement.SQUAT,
            Movement.LUNGE,
            Movement.LEG_PRESS,
            Movement.KNEE_EXTENSION,
            Movement.KNEELING,
            Movement.JUMP,
            Movement.RUNNING,
            Movement.FLOOR_PULL,
            Movement.SINGLE_LEG_BALANCE,
        }
    ),
    BodyPart.LOWER_BACK: frozenset(
        {
            Movement.FLOOR_PULL,
            Movement.HINGE,
            Movement.SPINAL_FLEXION,
            Movement.SPINAL_ROTATION,
            Movement.AXIAL_LOAD,
            Movement.BENT_OVER_ROW,
            Movement.LEG_PRESS,
            Movement.OLYMPIC,
            Movement.BALLISTIC,
            Movement.JUMP,
            Movement.RUNNING,
        }
    ),
    BodyPart.SHOULDER: frozenset(
        {
            Movement.OVERHEAD_PRESS,
            Movement.OVERHEAD_PULL,
            Movement.BEHIND_NECK,
            Movement.UPRIGHT_ROW,
            Movement.DIP,
            Movement.FLY,
            Movement.SHOULDER_RAISE,
            Movement.BARBELL_PRESS,
            Movement.BACK_RACK,
            Movement.FRONT_RACK,
            Movement.OLYMPIC,
            Movement.BALLISTIC,
        }
    ),
    BodyPart.WRIST: frozenset(
        {
            Movement.HAND_SUPPORT,
            Movement.FRONT_RACK,
            Movement.DIP,
            Movement.WRIST_LOADED,
            Movement.BARBELL_PRESS,
            Movement.OLYMPIC,
            Movement.BALLISTIC,
        }
    ),
    BodyPart.ELBOW: frozenset(
        {
            Movement.ELBOW_FLEXION,
            Movement.ELBOW_EXTENSION,
            Movement.DIP,
            Movement.OVERHEAD_PULL,
            Movement.WRIST_LOADED,
            Movement.OLYMPIC,
            Movement.BALLISTIC,
        }
    ),
    BodyPart.HIP: frozenset(
        {
            Movement.SQUAT,
            Movement.LUNGE,
            Movement.LEG_PRESS,
            Movement.FLOOR_PULL,
            Movement.HINGE,
            Movement.DEEP_HIP_FLEXION,
            Movement.HIP_ADDUCTION_ABDUCTION,
            Movement.JUMP,
            Movement.RUNNING,
            Movement.SINGLE_LEG_BALANCE,
            Movement.BALLISTIC,
        }
    ),
    BodyPart.NECK: frozenset(
        {
            Movement.NECK_LOADED,
            Movement.BACK_RACK,
            Movement.BEHIND_NECK,
            Movement.SPINAL_FLEXION,
            Movement.OVERHEAD_PRESS,
            Movement.UPRIGHT_ROW,
            Movement.AXIAL_LOAD,
            Movement.OLYMPIC,
            Movement.BALLISTIC,
        }
    ),
    BodyPart.ANKLE: frozenset(
        {
            Movement.JUMP,
            Movement.RUNNING,
            Movement.CALF_RAISE,
            Movement.LUNGE,
            Movement.SINGLE_LEG_BALANCE,
            Movement.OLYMPIC,
            Movement.BALLISTIC,
        }
    ),
    BodyPart.HAMSTRING: frozenset(
        {
            Movement.HAMSTRING_LOADED,
            Movement.HINGE,
            Movement.FLOOR_PULL,
            Movement.JUMP,
            Movement.RUNNING,
            Movement.BALLISTIC,
        }
    ),
}
UNRECOGNISED_EXCLUDED: Final = frozenset(
    {Movement.JUMP, Movement.OLYMPIC, Movement.BALLISTIC, Movement.FLOOR_PULL, Movement.AXIAL_LOAD}
)
_NO_INJURY = re.compile(r"^(none|no|nope|n/?a|nil|-+|nothing|no injur(y|ies)|healthy|no limitations?)$")
DISCLAIMER: Final = (
    "Exercises that load your stated injuries or limitations were left out by fixed rules; this is not "
    "medical advice. Stop any exercise that hurts and follow your clinician's advice where it differs."
)


@dataclass(frozen=True)
class InjuryAssessment:
    parts: frozenset[BodyPart]
    excluded: frozenset[Movement]
    unrecognised: tuple[str, ...]

    @property
    def notes(self) -> tuple[str, ...]:
        notes: list[str] = []
        if self.parts:
            names = ", ".join(sorted(p.value.replace("_", " ") for p in self.parts))
            notes.append(f"Adapted for: {names}. {DISCLAIMER}")
        for text in self.unrecognised:
            notes.append(
                f"We could not match the limitation {text!r} to a rule, so jumps, Olympic and ballistic "
                "lifts, floor pulls and spinal loading were left out. Please review the plan with a "
                "professional."
            )
        return tuple(notes)


def assess(injuries: Iterable[str]) -> InjuryAssessment:
    """Body parts named in the texts and the union of their excluded movements."""
    parts: set[BodyPart] = set()
    excluded: set[Movement] = set()
    unrecognised: list[str] = []
    for raw in injuries:
        text = " ".join(raw.lower().split())
        if not text or _NO_INJURY.match(text):
            continue
        matched = {part for part, pattern in KEYWORDS.items() if pattern.search(text)}
        if not matched:
            unrecognised.append(raw.strip())
            excluded |= UNRECOGNISED_EXCLUDED
            continue
        parts |= matched
        for part in matched:
            excluded |= EXCLUDED[part]
    return InjuryAssessment(frozenset(parts), frozenset(excluded), tuple(unrecognised))
