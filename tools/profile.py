"""Health profile: validation, units, contradiction flags, encrypted free text, history and the outbox event.

What is stored: SI units (cm, kg, kg per week) and the birth date. An age typed instead of a birth date
becomes one (today minus that many years); an age that still matches the stored birth date keeps it, so
re-sending "age 34" next month does not move the date or write history. The sign of
`target_rate_kg_per_week` is the direction: negative loses, positive gains, 0 maintains.

Every write runs in the caller's transaction: the row (locked FOR UPDATE, so concurrent edits queue and
history stays a chain), one `profile.changed` outbox event and the history rows of the tracked fields
commit or roll back together. Tools never commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Final, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.crypto import FieldCipher
from store.models import Profile, ProfileChange
from store.vocabulary import ActivityLevel, Allergen, Diet, Equipment, Experience, Goal, Sex, Units
from tools import events, units
from tools.errors import Conflict, InvalidInput, NotFound
from tools.nutrition.constants import COACH_KCAL_FLOOR_MAX, COACH_KCAL_FLOOR_MIN
from tools.units import LengthUnit, MassUnit

# --- Limits. The first five mirror the CHECK constraints of `profiles` (migration 0001). ---
HEIGHT_CM_MIN, HEIGHT_CM_MAX = 50.0, 272.0  # 272 cm: tallest person on record (R. Wadlow)
WEIGHT_KG_MIN, WEIGHT_KG_MAX = 20.0, 400.0
BODY_FAT_PCT_MIN, BODY_FAT_PCT_MAX = 2.0, 75.0  # ~2-5 %: essential fat in men (ACE body fat chart)
TRAINING_DAYS_MIN, TRAINING_DAYS_MAX = 1, 7
MEALS_PER_DAY_MIN, MEALS_PER_DAY_MAX = 2, 6
AGE_MIN, AGE_MAX = 13, 110  # product rule: teenagers and adults; above 110 is a typo in practice
SESSION_MINUTES_MIN, SESSION_MINUTES_MAX = 10, 240
# Weekly rate caps as a share of body weight. Loss: 0.5-1 %/week keeps lean mass (Helms, Aragon &
# Fitschen 2014, J Int Soc Sports Nutr 11:20). Gain: 0.25-0.5 %/week (Iraki et al. 2019, Sports 7:154).
MAX_LOSS_SHARE_PER_WEEK = 0.01
MAX_GAIN_SHARE_PER_WEEK = 0.005
MAX_LIST_ITEMS = 50
MAX_ITEM_CHARS = 100
MAX_NOTE_CHARS = 4000

PROFILE_FIELDS = (
    "birth_date",
    "sex",
    "height_cm",
    "weight_kg",
    "body_fat_pct",
    "activity_level",
    "goal",
    "target_rate_kg_per_week",
    "training_days",
    "session_minutes",
    "experience",
    "equipment",
    "liked_exercises",
    "disliked_exercises",
    "liked_foods",
    "disliked_foods",
    "allergies",
    "diet",
    "meals_per_day",
    "injuries",
    "units",
)
# Encrypted at rest; their content never goes into history or events, only the fact that they changed.
SENSITIVE_FIELDS = ("health_notes", "medical_conditions")


class HistoryField(StrEnum):
    """Fields whose every change is kept: body and goal, and what the engines plan from."""

    BIRTH_DATE = "birth_date"
    SEX = "sex"
    HEIGHT_CM = "height_cm"
    WEIGHT_KG = "weight_kg"
    BODY_FAT_PCT = "body_fat_pct"
    ACTIVITY_LEVEL = "activity_level"
    GOAL = "goal"
    TARGET_RATE_KG_PER_WEEK = "target_rate_kg_per_week"
    TRAINING_DAYS = "training_days"
    SESSION_MINUTES = "session_minutes"
    EXPERIENCE = "experience"
    EQUIPMENT = "equipment"
    INJURIES = "injuries"
    DIET = "diet"
    ALLERGIES = "allergies"
    MEALS_PER_DAY = "meals_per_day"
    COACH_KCAL_FLOOR = "coach_kcal_floor"


_HISTORY_FIELDS = frozenset(field.value for field in HistoryField)
_NULLABLE = frozenset({"body_fat_pct", *SENSITIVE_FIELDS})


def _put_defaults() -> dict[str, Any]:
    """What PUT fills in for an omitted optional field (PUT replaces the whole profile)."""
    return {
        "body_fat_pct": None,
        "target_rate_kg_per_week": 0.0,
        "equipment": [],
        "liked_exercises": [],
        "disliked_exercises": [],
        "liked_foods": [],
        "disliked_foods": [],
        "allergies": [],
        "diet": Diet.OMNIVORE,
        "meals_per_day": 3,
        "injuries": [],
        "units": Units.METRIC,
        "health_notes": None,
        "medical_conditions": None,
    }


# (stored field, the alternative input that also sets it)
_ALTERNATIVES = (
    ("birth_date", "age"),
    ("height_cm", "height"),
    ("weight_kg", "weight"),
    ("target_rate_kg_per_week", "target_rate"),
)


# --- Input types ---


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; reject it with the field named rather than fail at insert.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "must not contain the NUL character (\\x00)")
    return value


_E = TypeVar("_E")


def _dedupe(items: list[_E]) -> list[_E]:
    """Drop empty strings and repeats (case-insensitive for text), keeping the first spelling and order."""
    seen: set[str] = set()
    kept: list[_E] = []
    for item in items:
        key = str(item).casefold()
        if key and key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


ListItem = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_ITEM_CHARS), AfterValidator(_no_nul)
]
TextList = Annotated[list[ListItem], Field(max_length=MAX_LIST_ITEMS), AfterValidator(_dedupe)]
EquipmentList = Annotated[list[Equipment], Field(max_length=MAX_LIST_ITEMS), AfterValidator(_dedupe)]
AllergenList = Annotated[list[Allergen], Field(max_length=MAX_LIST_ITEMS), AfterValidator(_dedupe)]
Note = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE_CHARS), AfterValidator(_no_nul)
]
HeightCm = Annotated[float, Field(ge=HEIGHT_CM_MIN, le=HEIGHT_CM_MAX)]
WeightKg = Annotated[float, Field(ge=WEIGHT_KG_MIN, le=WEIGHT_KG_MAX)]
BodyFatPct = Annotated[float, Field(ge=BODY_FAT_PCT_MIN, le=BODY_FAT_PCT_MAX)]
Age = Annotated[int, Field(ge=AGE_MIN, le=AGE_MAX)]
TrainingDays = Annotated[int, Field(ge=TRAINING_DAYS_MIN, le=TRAINING_DAYS_MAX)]
SessionMinutes = Annotated[int, Field(ge=SESSION_MINUTES_MIN, le=SESSION_MINUTES_MAX)]
MealsPerDay = Annotated[int, Field(ge=MEALS_PER_DAY_MIN, le=MEALS_PER_DAY_MAX)]
RateKgPerWeek = Annotated[float, Field(ge=-5, le=5)]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _out_of_range(value: float, unit: str, low: float, high: float) -> PydanticCustomError:
    return PydanticCustomError(
        "out_of_range",
        "is {value} {unit}; must be between {low} and {high} {unit}",
        {"value": round(value, 2), "unit": unit, "low": low, "high": high},
    )


class HeightInput(_Input):
    """A height in the unit the user typed: `{"value": 71, "unit": "in"}`, `{"value": 1.8, "unit": "m"}`
    or feet and inches: `{"value": 5, "unit": "ft", "inches": 11}`."""

    value: float = Field(gt=0)
    unit: LengthUnit
    inches: float = Field(default=0.0, ge=0, lt=12)

    @model_validator(mode="after")
    def _in_range(self) -> HeightInput:
        if self.inches and self.unit is not LengthUnit.FT:
            raise PydanticCustomError("inches_without_feet", "inches only go with unit 'ft' (5 ft 11 in)")
        if not HEIGHT_CM_MIN <= self.cm <= HEIGHT_CM_MAX:
            raise _out_of_range(self.cm, "cm", HEIGHT_CM_MIN, HEIGHT_CM_MAX)
        return self

    @property
    def cm(self) -> float:
        return units.length_to_cm(self.value, self.unit, self.inches)


class WeightInput(_Input):
    """A body weight in kg or lb: `{"value": 180, "unit": "lb"}`."""

    value: float = Field(gt=0)
    unit: MassUnit

    @model_validator(mode="after")
    def _in_range(self) -> WeightInput:
        if not WEIGHT_KG_MIN <= self.kg <= WEIGHT_KG_MAX:
            raise _out_of_range(self.kg, "kg", WEIGHT_KG_MIN, WEIGHT_KG_MAX)
        return self

    @property
    def kg(self) -> float:
        return units.mass_to_kg(self.value, self.unit)


class RateInput(_Input):
    """A weekly weight change in kg or lb per week, negative to lose: `{"value": -1, "unit": "lb"}`."""

    value: float = Field(ge=-10, le=10)
    unit: MassUnit

    @property
    def kg_per_week(self) -> float:
        return units.mass_to_kg(self.value, self.unit)


class ProfileInput(_Input):
    """PUT: the whole profile. Give `birth_date` or `age`, `height_cm` or `height`, `weight_kg` or `weight`,
    `target_rate_kg_per_week` or `target_rate`. Optional fields left out take their defaults."""

    birth_date: date | None = None
    age: Age | None = None
    sex: Sex
    height_cm: HeightCm | None = None
    height: HeightInput | None = None
    weight_kg: WeightKg | None = None
    weight: WeightInput | None = None
    body_fat_pct: BodyFatPct | None = None
    activity_level: ActivityLevel
    goal: Goal
    target_rate_kg_per_week: RateKgPerWeek | None = None
    target_rate: RateInput | None = None
    training_days: TrainingDays
    session_minutes: SessionMinutes
    experience: Experience
    equipment: EquipmentList = []
    liked_exercises: TextList = []
    disliked_exercises: TextList = []
    liked_foods: TextList = []
    disliked_foods: TextList = []
    allergies: AllergenList = []
    diet: Diet = Diet.OMNIVORE
    meals_per_day: MealsPerDay = 3
    injuries: TextList = []
    units: Units = Units.METRIC
    health_notes: Note | None = None
    medical_conditions: Note | None = None


class ProfilePatch(_Input):
    """PATCH: only the fields sent change. `null` clears body_fat_pct, health_notes, medical_conditions."""

    birth_date: date | None = None
    age: Age | None = None
    sex: Sex | None = None
    height_cm: HeightCm | None = None
    height: HeightInput | None = None
    weight_kg: WeightKg | None = None
    weight: WeightInput | None = None
    body_fat_pct: BodyFatPct | None = None
    activity_level: ActivityLevel | None = None
    goal: Goal | None = None
    target_rate_kg_per_week: RateKgPerWeek | None = None
    target_rate: RateInput | None = None
    training_days: TrainingDays | None = None
    session_minutes: SessionMinutes | None = None
    experience: Experience | None = None
    equipment: EquipmentList | None = None
    liked_exercises: TextList | None = None
    disliked_exercises: TextList | None = None
    liked_foods: TextList | None = None
    disliked_foods: TextList | None = None
    allergies: AllergenList | None = None
    diet: Diet | None = None
    meals_per_day: MealsPerDay | None = None
    injuries: TextList | None = None
    units: Units | None = None
    health_notes: Note | None = None
    medical_conditions: Note | None = None


# --- Output types ---


class Flag(BaseModel):
    """Allowed but contradictory input, stored as given and pointed out (the planners filter anyway)."""

    field: str
    code: str
    message: str


class FeetInches(BaseModel):
    feet: int
    inches: float


class ImperialDisplay(BaseModel):
    """The stored SI values converted for display, rounded to 2 decimals (1 for the inches of feet)."""

    height_in: float
    height_ft_in: FeetInches
    weight_lb: float
    target_rate_lb_per_week: float


class ProfileOut(BaseModel):
    user_id: uuid.UUID
    birth_date: date
    age: int
    sex: Sex
    height_cm: float
    weight_kg: float
    body_fat_pct: float | None
    activity_level: ActivityLevel
    goal: Goal
    target_rate_kg_per_week: float
    training_days: int
    session_minutes: int
    experience: Experience
    equipment: list[Equipment]
    liked_exercises: list[str]
    disliked_exercises: list[str]
    liked_foods: list[str]
    disliked_foods: list[str]
    allergies: list[Allergen]
    diet: Diet
    meals_per_day: int
    injuries: list[str]
    units: Units
    health_notes: str | None
    medical_conditions: str | None
    flags: list[Flag]
    display: ImperialDisplay | None = Field(description="Present when units is imperial")
    coach_kcal_floor: int | None = Field(
        default=None, description="The kcal floor your coach set in place of the default (read-only here)"
    )
    revision: int
    created_at: datetime
    updated_at: datetime


class ProfileWrite(BaseModel):
    profile: ProfileOut
    created: bool
    changed_fields: list[str]
    event_id: int | None


class ProfileChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    field: str
    old_value: Any
    new_value: Any
    changed_at: datetime
    changed_by: uuid.UUID | None


class HistoryPage(BaseModel):
    items: list[ProfileChangeOut]
    next_cursor: int | None = Field(description="Pass as `cursor` for the next (older) page; null at the end")


# --- Reading ---


def today_utc() -> date:
    return datetime.now(UTC).date()


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def birth_date_for_age(age: int, today: date) -> date:
    try:
        return today.replace(year=today.year - age)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - age, day=28)


def _context(user_id: uuid.UUID, field: str) -> str:
    return f"{user_id}:{field}"


def _stored_values(row: Profile, cipher: FieldCipher) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(row, name) for name in PROFILE_FIELDS}
    for name in SENSITIVE_FIELDS:
        sealed = getattr(row, f"{name}_encrypted")
        values[name] = None if sealed is None else cipher.decrypt(sealed, _context(row.user_id, name))
    return values


def _display(values: dict[str, Any]) -> ImperialDisplay:
    feet, inches = units.cm_to_feet_inches(values["height_cm"])
    return ImperialDisplay(
        height_in=units.for_display(units.cm_to_inches(values["height_cm"])),
        height_ft_in=FeetInches(feet=feet, inches=inches),
        weight_lb=units.for_display(units.kg_to_pounds(values["weight_kg"])),
        target_rate_lb_per_week=units.for_display(units.kg_to_pounds(values["target_rate_kg_per_week"])),
    )


def _out(row: Profile, values: dict[str, Any], today: date) -> ProfileOut:
    return ProfileOut(
        user_id=row.user_id,
        age=age_on(values["birth_date"], today),
        flags=[Flag.model_validate(flag) for flag in row.flags],
        display=_display(values) if values["units"] == Units.IMPERIAL else None,
        coach_kcal_floor=row.coach_kcal_floor,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        **values,
    )


def get_profile(
    session: Session, cipher: FieldCipher, user_id: uuid.UUID, *, today: date | None = None
) -> ProfileOut:
    """The profile of `user_id` (whom the caller may read: see tools.access), health text decrypted."""
    row = session.get(Profile, user_id)
    if row is None:
        raise NotFound("no profile yet")
    return _out(row, _stored_values(row, cipher), today or today_utc())


def profile_history(
    session: Session,
    user_id: uuid.UUID,
    *,
    limit: int = 50,
    cursor: int | None = None,
    field: HistoryField | None = None,
) -> HistoryPage:
    """Newest first. `cursor` is the id of the last item of the previous page (keyset: stable while new
    changes arrive)."""
    query = select(ProfileChange).where(ProfileChange.user_id == user_id)
    if field is not None:
        query = query.where(ProfileChange.field == field.value)
    if cursor is not None:
        anchor = (
            select(ProfileChange.changed_at, ProfileChange.id)
            .where(ProfileChange.id == cursor, ProfileChange.user_id == user_id)
            .subquery()
        )
        query = query.where(
            tuple_(ProfileChange.changed_at, ProfileChange.id)
            < select(anchor.c.changed_at, anchor.c.id).scalar_subquery()
        )
    rows = list(
        session.scalars(
            query.order_by(ProfileChange.changed_at.desc(), ProfileChange.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    items = [ProfileChangeOut.model_validate(row) for row in rows[:limit]]
    return HistoryPage(items=items, next_cursor=items[-1].id if more and items else None)


# --- Writing ---


def replace_profile(
    session: Session,
    cipher: FieldCipher,
    user_id: uuid.UUID,
    data: ProfileInput,
    *,
    changed_by: uuid.UUID | None,
    today: date | None = None,
) -> ProfileWrite:
    """PUT: create the profile or replace every field (omitted optional fields return to their defaults)."""
    return _write(session, cipher, user_id, data, replace=True, changed_by=changed_by, today=today)


def update_profile(
    session: Session,
    cipher: FieldCipher,
    user_id: uuid.UUID,
    data: ProfilePatch,
    *,
    changed_by: uuid.UUID | None,
    today: date | None = None,
) -> ProfileWrite:
    """PATCH: change the fields sent, validated together with the stored ones. No profile yet → 404."""
    return _write(session, cipher, user_id, data, replace=False, changed_by=changed_by, today=today)


def _write(
    session: Session,
    cipher: FieldCipher,
    user_id: uuid.UUID,
    data: ProfileInput | ProfilePatch,
    *,
    replace: bool,
    changed_by: uuid.UUID | None,
    today: date | None,
) -> ProfileWrite:
    today = today or today_utc()
    row = session.scalars(select(Profile).where(Profile.user_id == user_id).with_for_update()).one_or_none()
    if row is None and not replace:
        raise NotFound("no profile yet")
    current = _stored_values(row, cipher) if row is not None else None

    sent = data.model_fields_set
    updates, errors, names = _updates(data, sent, current, today)
    merged = (_put_defaults() | updates) if replace else ({**(current or {}), **updates})
    errors += _missing(merged, names)
    if not errors:
        errors += _rules(merged, names, touched=set(updates), replace=replace, today=today)
    if errors:
        raise InvalidInput("; ".join(f"{e['field']}: {e['reason']}" for e in errors), errors)

    flags = compute_flags(
        merged, rate_validated=replace or bool({"goal", "target_rate_kg_per_week"} & set(updates))
    )
    fields = (*PROFILE_FIELDS, *SENSITIVE_FIELDS)
    # On creation every field that has a value (not an empty list) counts as changed, from nothing.
    changed = [
        name
        for name in fields
        if (merged[name] not in (None, []) if current is None else current[name] != merged[name])
    ]

    created = row is None
    if row is None:
        row = Profile(user_id=user_id, revision=1)
    for name in PROFILE_FIELDS:
        setattr(row, name, merged[name])
    for name in SENSITIVE_FIELDS:
        _seal_into(row, cipher, name, merged[name], rewrite=name in changed)
    row.flags = [flag.model_dump() for flag in flags]
    if created:
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError as exc:  # another request created it between our SELECT and INSERT
            raise Conflict("the profile was created at the same time by another request; retry") from exc
    elif changed:
        row.revision += 1

    event_id = None
    if changed:
        event_id = _record_changes(
            session, user_id, row.revision, changed_by, created, changed, current, merged
        )
    session.flush()
    session.refresh(row, ["created_at", "updated_at"])
    return ProfileWrite(
        profile=_out(row, merged, today), created=created, changed_fields=changed, event_id=event_id
    )


class CoachKcalFloor(_Input):
    kcal_floor: int | None = Field(
        ge=COACH_KCAL_FLOOR_MIN,
        le=COACH_KCAL_FLOOR_MAX,
        description="The floor in place of the default by sex (1,200 female / 1,500 male); null: the default",
    )


def set_coach_kcal_floor(
    session: Session, user_id: uuid.UUID, data: CoachKcalFloor, *, changed_by: uuid.UUID
) -> int | None:
    """A coach's kcal floor for a client (authorised by the caller: `tools.access.coached_subject`). Kept
    in the history and announced like any profile change, so the meal plan follows."""
    row = session.scalars(select(Profile).where(Profile.user_id == user_id).with_for_update()).one_or_none()
    if row is None:
        raise NotFound("no profile yet")
    old, new = row.coach_kcal_floor, data.kcal_floor
    if old == new:
        return new
    row.coach_kcal_floor = new
    row.revision += 1
    name = HistoryField.COACH_KCAL_FLOOR.value
    _record_changes(session, user_id, row.revision, changed_by, False, [name], {name: old}, {name: new})
    session.flush()
    return new


def _record_changes(
    session: Session,
    user_id: uuid.UUID,
    revision: int,
    changed_by: uuid.UUID | None,
    created: bool,
    changed: list[str],
    current: dict[str, Any] | None,
    merged: dict[str, Any],
) -> int:
    """The `profile.changed` outbox event and the history rows of a write; returns the event's id."""
    event_id = events.record_event(
        session,
        kind=events.PROFILE_CHANGED,
        user_id=user_id,
        payload=_event_payload(user_id, revision, changed_by, created, changed, current, merged),
    )
    session.add_all(
        ProfileChange(
            user_id=user_id,
            field=name,
            old_value=JSON.NULL if current is None or current[name] is None else _jsonable(current[name]),
            new_value=JSON.NULL if merged[name] is None else _jsonable(merged[name]),
            changed_by=changed_by,
        )
        for name in changed
        if name in _HISTORY_FIELDS
    )
    return event_id


def _seal_into(row: Profile, cipher: FieldCipher, name: str, plaintext: str | None, *, rewrite: bool) -> None:
    """Encrypt under the active key when the text changed, or when the stored value used an older key."""
    column = f"{name}_encrypted"
    sealed: str | None = getattr(row, column, None)
    if plaintext is None:
        setattr(row, column, None)
    elif rewrite or sealed is None or cipher.key_id_of(sealed) != cipher.active_key_id:
        setattr(row, column, cipher.encrypt(plaintext, _context(row.user_id, name)))


def _updates(
    data: ProfileInput | ProfilePatch, sent: set[str], current: dict[str, Any] | None, today: date
) -> tuple[dict[str, Any], list[dict[str, str]], dict[str, str]]:
    """Stored-field values from the input (SI, birth date), errors, and the input name of each field."""
    updates: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    names = {name: name for name in (*PROFILE_FIELDS, *SENSITIVE_FIELDS)}
    for stored, alternative in _ALTERNATIVES:
        if stored in sent and alternative in sent:
            if stored == "birth_date" and data.birth_date is not None and data.age is not None:
                # Both given: fine when they agree (a client echoing what GET returned).
                if age_on(data.birth_date, today) != data.age:
                    errors.append(
                        _error(
                            "age", f"does not match birth_date (which gives {age_on(data.birth_date, today)})"
                        )
                    )
                continue
            errors.append(_error(alternative, f"give {stored} or {alternative}, not both"))
            continue
        if alternative in sent:
            names[stored] = alternative
            value = getattr(data, alternative)
            if value is None:
                updates[stored] = None
            elif stored == "birth_date":
                kept = current["birth_date"] if current else None
                updates[stored] = (
                    kept if kept and age_on(kept, today) == value else birth_date_for_age(value, today)
                )
            elif stored == "height_cm":
                updates[stored] = value.cm
            elif stored == "weight_kg":
                updates[stored] = value.kg
            else:
                updates[stored] = value.kg_per_week
    for name in (*PROFILE_FIELDS, *SENSITIVE_FIELDS):
        if name in sent and name not in updates:
            value = getattr(data, name)
            updates[name] = _normalise(name, value)
    for name, value in updates.items():
        if value is None and name not in _NULLABLE:
            errors.append(_error(names[name], "may not be null"))
    return updates, errors, names


def _normalise(name: str, value: Any) -> Any:
    if name in SENSITIVE_FIELDS:
        return value or None  # blank text clears the note
    if name in ("equipment", "allergies") and value is not None:
        return [item.value for item in value]
    if name == "target_rate_kg_per_week" and value is not None:
        return float(value)
    return value


def _missing(values: dict[str, Any], names: dict[str, str]) -> list[dict[str, str]]:
    required = {"birth_date": "age", "height_cm": "height", "weight_kg": "weight"}
    return [
        _error(name, f"required (or give {alternative})")
        for name, alternative in required.items()
        if values.get(name) is None and names[name] == name
    ]


def _rules(
    values: dict[str, Any], names: dict[str, str], *, touched: set[str], replace: bool, today: date
) -> list[dict[str, str]]:
    """Rules across fields. Rate rules run when goal or rate is being set (PUT always); when only the
    weight moves, a now-too-fast rate is flagged instead, so logging progress never gets refused."""
    errors: list[dict[str, str]] = []
    if replace or "birth_date" in touched:
        born: date = values["birth_date"]
        if born > today:
            errors.append(_error(names["birth_date"], "is in the future"))
        elif not AGE_MIN <= age_on(born, today) <= AGE_MAX:
            errors.append(
                _error(
                    names["birth_date"], f"gives age {age_on(born, today)}; must be {AGE_MIN} to {AGE_MAX}"
                )
            )
    if replace or {"goal", "target_rate_kg_per_week"} & touched:
        problem = _rate_problem(values["goal"], values["target_rate_kg_per_week"], values["weight_kg"])
        if problem:
            errors.append(_error(names["target_rate_kg_per_week"], problem))
    return errors


def _rate_problem(goal: Goal, rate_kg: float, weight_kg: float) -> str | None:
    if goal is Goal.MAINTAIN:
        return None if rate_kg == 0 else "must be 0 when goal is maintain"
    if goal is Goal.LOSE and rate_kg >= 0:
        return "must be negative (kg lost per week) when goal is lose"
    if goal is Goal.GAIN and rate_kg <= 0:
        return "must be positive (kg gained per week) when goal is gain"
    share = MAX_LOSS_SHARE_PER_WEEK if goal is Goal.LOSE else MAX_GAIN_SHARE_PER_WEEK
    cap_kg = round(share * weight_kg, 2)
    if abs(rate_kg) > share * weight_kg:
        return (
            f"{abs(round(rate_kg, 2))} kg/week is too fast to {goal.value}: at most {share:.1%} of body "
            f"weight per week ({cap_kg} kg at {round(weight_kg, 1)} kg)"
        )
    return None


def _error(field: str, reason: str) -> dict[str, str]:
    return {"field": field, "reason": reason}


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    return value


def _event_payload(
    user_id: uuid.UUID,
    revision: int,
    changed_by: uuid.UUID | None,
    created: bool,
    changed: list[str],
    current: dict[str, Any] | None,
    merged: dict[str, Any],
) -> dict[str, Any]:
    payload = events.ProfileChanged(
        user_id=user_id,
        revision=revision,
        changed_by=changed_by,
        created=created,
        changes={
            name: events.FieldChange(
                old=None if current is None else _jsonable(current[name]), new=_jsonable(merged[name])
            )
            for name in changed
            if name not in SENSITIVE_FIELDS
        },
        sensitive_changed=[name for name in changed if name in SENSITIVE_FIELDS],
    )
    return payload.model_dump(mode="json")


# --- Flags: allowed but contradictory input ---

_MEAT: Final = frozenset({
    "meat", "beef", "pork", "lamb", "mutton", "veal", "venison", "chicken", "turkey", "duck", "goose",
    "bacon", "ham", "sausage", "salami", "pepperoni", "prosciutto", "chorizo", "pancetta", "steak",
    "mince", "jerky", "burger", "meatball", "gelatin", "lard", "liver",
})  # fmt: skip
_PORK: Final = frozenset(
    {"pork", "bacon", "ham", "prosciutto", "pancetta", "pepperoni", "chorizo", "salami", "lard"}
)
_FISH: Final = frozenset({
    "fish", "salmon", "tuna", "cod", "trout", "mackerel", "sardine", "anchovy", "herring", "tilapia",
    "halibut", "haddock", "pollock", "swordfish", "sea bass", "caviar", "roe",
})  # fmt: skip
_SHELLFISH: Final = frozenset({
    "shrimp", "prawn", "crab", "lobster", "oyster", "mussel", "clam", "scallop", "squid", "octopus",
    "calamari", "crayfish",
})  # fmt: skip
_DAIRY: Final = frozenset({
    "milk", "cheese", "yogurt", "yoghurt", "butter", "cream", "whey", "casein", "ghee", "kefir", "paneer",
    "ricotta", "mozzarella", "cheddar", "parmesan", "feta", "buttermilk", "cheesecake", "custard",
})  # fmt: skip
_EGG: Final = frozenset({"egg", "omelet", "omelette", "mayonnaise", "mayo", "meringue"})
_HONEY: Final = frozenset({"honey"})
_TREE_NUT: Final = frozenset({
    "almond", "walnut", "cashew", "pecan", "pistachio", "hazelnut", "macadamia", "brazil nut", "pine nut",
    "nut", "praline", "marzipan", "nutella",
})  # fmt: skip
_WHEAT: Final = frozenset({
    "wheat", "bread", "pasta", "spaghetti", "flour", "couscous", "seitan", "bulgur", "semolina", "bagel",
    "croissant", "pizza",
})  # fmt: skip
# Words that make an item the plant-based version ("oat milk", "peanut butter", "veggie burger"): they
# silence the ambiguous animal words below, not the unambiguous ones ("chicken with almonds" still counts).
_PLANT_MARKERS: Final = frozenset({
    "vegan", "vegetarian", "veggie", "plant", "meatless", "tofu", "tempeh", "seitan", "soy", "soya", "oat",
    "almond", "cashew", "coconut", "rice", "peanut", "nut", "hazelnut", "cocoa", "shea", "mock", "faux",
})  # fmt: skip
_AMBIGUOUS: Final = frozenset({
    "milk", "butter", "cheese", "cream", "yogurt", "yoghurt", "burger", "sausage", "mince", "meatball",
    "bacon", "ham", "steak", "jerky", "mayo", "mayonnaise",
})  # fmt: skip
_GROUPS: Final[Mapping[str, frozenset[str]]] = {
    "meat": _MEAT,
    "pork": _PORK,
    "fish": _FISH,
    "shellfish": _SHELLFISH,
    "dairy": _DAIRY,
    "egg": _EGG,
    "honey": _HONEY,
}
_DIET_EXCLUDES: Final[Mapping[Diet, tuple[str, ...]]] = {
    Diet.VEGAN: ("meat", "fish", "shellfish", "dairy", "egg", "honey"),
    Diet.VEGETARIAN: ("meat", "fish", "shellfish"),
    Diet.PESCATARIAN: ("meat",),
    Diet.HALAL: ("pork",),
    Diet.KOSHER: ("pork", "shellfish"),
}
_ALLERGEN_WORDS: Final[Mapping[Allergen, frozenset[str]]] = {
    Allergen.PEANUT: frozenset({"peanut", "groundnut"}),
    Allergen.TREE_NUT: _TREE_NUT,
    Allergen.MILK: _DAIRY,
    Allergen.EGG: _EGG,
    Allergen.SOY: frozenset({"soy", "soya", "tofu", "tempeh", "edamame", "miso", "natto"}),
    Allergen.WHEAT: _WHEAT,
    Allergen.GLUTEN: _WHEAT | {"barley", "rye", "spelt"},
    Allergen.FISH: _FISH,
    Allergen.SHELLFISH: _SHELLFISH,
    Allergen.SESAME: frozenset({"sesame", "tahini", "hummus", "halva"}),
}
# "gluten-free bread" is not wheat; "lactose-free milk" still is dairy, so lactose is not listed.
_FREE_OF: Final[Mapping[str, tuple[str, ...]]] = {
    "dairy": ("dairy", "milk"),
    "egg": ("egg",),
    "meat": ("meat",),
}
_ALLERGEN_FREE_OF: Final[Mapping[Allergen, tuple[str, ...]]] = {
    Allergen.MILK: ("dairy", "milk"),
    Allergen.EGG: ("egg",),
    Allergen.WHEAT: ("wheat", "gluten"),
    Allergen.GLUTEN: ("gluten", "wheat"),
    Allergen.PEANUT: ("peanut", "nut"),
    Allergen.TREE_NUT: ("nut",),
    Allergen.SOY: ("soy",),
}
_WORD = re.compile(r"[^\W\d_]+")


def _words(item: str) -> str:
    return " " + " ".join(_WORD.findall(item.casefold())) + " "


def _forms(term: str) -> Iterable[str]:
    yield term
    yield term + "s"
    yield term + "es"
    if term.endswith("y"):
        yield term[:-1] + "ies"


def _mentions(words: str, terms: frozenset[str], free_of: tuple[str, ...] = ()) -> str | None:
    """The first term the item mentions, skipping ambiguous words in plant-based or "X-free" items."""
    if any(f" {marker} free " in words for marker in free_of):
        return None
    plant = any(f" {marker} " in words for marker in _PLANT_MARKERS)
    for term in sorted(terms):
        if plant and term in _AMBIGUOUS:
            continue
        if any(f" {form} " in words for form in _forms(term)):
            return term
    return None


def compute_flags(values: dict[str, Any], *, rate_validated: bool = True) -> list[Flag]:
    """Contradictions worth telling the user about; none of them blocks the write."""
    flags: list[Flag] = []
    for kind in ("foods", "exercises"):
        disliked = {item.casefold() for item in values[f"disliked_{kind}"]}
        for item in values[f"liked_{kind}"]:
            if item.casefold() in disliked:
                message = f"'{item}' is both liked and disliked"
                flags.append(Flag(field=f"liked_{kind}", code="liked_and_disliked", message=message))
    diet = Diet(values["diet"])
    allergies = [Allergen(value) for value in values["allergies"]]
    for item in values["liked_foods"]:
        words = _words(item)
        for group in _DIET_EXCLUDES.get(diet, ()):
            if _mentions(words, _GROUPS[group], _FREE_OF.get(group, ())):
                message = f"{diet.value} diet, but liked food '{item}' contains {group}"
                flags.append(Flag(field="liked_foods", code="diet_conflict", message=message))
                break
        for allergen in allergies:
            if _mentions(words, _ALLERGEN_WORDS[allergen], _ALLERGEN_FREE_OF.get(allergen, ())):
                name = allergen.value.replace("_", " ")
                message = f"allergy to {name}, but liked food '{item}' may contain it"
                flags.append(Flag(field="liked_foods", code="allergen_conflict", message=message))
    if not rate_validated:
        problem = _rate_problem(Goal(values["goal"]), values["target_rate_kg_per_week"], values["weight_kg"])
        if problem:
            flags.append(Flag(field="target_rate_kg_per_week", code="rate_out_of_range", message=problem))
    return flags
