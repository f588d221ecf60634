"""Unit conversion and input bounds, property-based: exact factors, round trips without drift, and the
range checks agreeing with the converted value on both sides of each bound."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from tools import units
from tools.profile import (
    HEIGHT_CM_MAX,
    HEIGHT_CM_MIN,
    WEIGHT_KG_MAX,
    WEIGHT_KG_MIN,
    HeightInput,
    ProfilePatch,
    WeightInput,
    age_on,
    birth_date_for_age,
)

# Values as people type them: up to 2 decimals (a scale shows 180.4 lb, a tape 70.25 in).
typed = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2).map(float)


def exact(value: float, factor: str) -> float:
    return float(Decimal(repr(value)) * Decimal(factor))


@given(typed)
@example(71.0)
def test_inches_convert_exactly_and_come_back_unchanged(inches: float) -> None:
    cm = units.inches_to_cm(inches)
    assert cm == exact(inches, "2.54")
    assert units.cm_to_inches(cm) == inches
    assert units.for_display(units.cm_to_inches(cm)) == inches


@given(typed)
@example(180.0)
def test_pounds_convert_exactly_and_come_back_unchanged(pounds: float) -> None:
    kg = units.pounds_to_kg(pounds)
    assert kg == exact(pounds, "0.45359237")
    assert units.kg_to_pounds(kg) == pounds
    assert units.for_display(units.kg_to_pounds(kg)) == pounds


@given(
    st.integers(min_value=1, max_value=8),
    st.decimals(min_value=0, max_value=Decimal("11.9"), places=1).map(float),
)
def test_feet_and_inches_come_back_as_typed(feet: int, inches: float) -> None:
    cm = units.feet_inches_to_cm(feet, inches)
    assert cm == units.inches_to_cm(feet * 12 + inches)
    assert units.cm_to_feet_inches(cm) == (feet, inches)


@given(st.decimals(min_value=Decimal(50), max_value=Decimal(272), places=2).map(float))
def test_metric_values_shown_in_imperial_and_typed_back_stay_within_display_rounding(cm: float) -> None:
    shown_in = units.for_display(units.cm_to_inches(cm))
    assert abs(units.inches_to_cm(shown_in) - cm) <= 0.005 * 2.54 + 1e-9


def test_display_rounding_is_decimal_half_even() -> None:
    assert units.for_display(2.675) == 2.68  # float round() gives 2.67 (2.675 is 2.67499… in binary)
    assert units.for_display(2.665) == 2.66
    assert units.cm_to_feet_inches(units.inches_to_cm(71.96)) == (6, 0.0)  # 5 ft 11.96 in → 6 ft 0.0 in


def accepted(model: type[Any], payload: dict[str, Any]) -> bool:
    try:
        model.model_validate(payload)
    except ValidationError:
        return False
    return True


@given(st.floats(min_value=0.01, max_value=200, allow_nan=False))
@example(HEIGHT_CM_MIN / 2.54)
@example(HEIGHT_CM_MAX / 2.54)
@example(19.68)  # 49.99 cm
@example(107.09)  # 272.01 cm
def test_a_height_in_inches_is_accepted_exactly_when_its_cm_are_in_range(inches: float) -> None:
    cm = float(Decimal(repr(inches)) * Decimal("2.54"))
    assert accepted(HeightInput, {"value": inches, "unit": "in"}) is (HEIGHT_CM_MIN <= cm <= HEIGHT_CM_MAX)


@given(st.floats(min_value=0.01, max_value=1200, allow_nan=False))
@example(WEIGHT_KG_MIN / 0.45359237)
@example(WEIGHT_KG_MAX / 0.45359237)
@example(44.09)  # 19.999 kg
@example(881.85)  # 400.001 kg
def test_a_weight_in_pounds_is_accepted_exactly_when_its_kg_are_in_range(pounds: float) -> None:
    kg = float(Decimal(repr(pounds)) * Decimal("0.45359237"))
    assert accepted(WeightInput, {"value": pounds, "unit": "lb"}) is (WEIGHT_KG_MIN <= kg <= WEIGHT_KG_MAX)


@given(st.floats(min_value=0, max_value=500, allow_nan=False))
@example(HEIGHT_CM_MIN)
@example(HEIGHT_CM_MAX)
@example(49.999)
def test_height_cm_bounds(height_cm: float) -> None:
    assert accepted(ProfilePatch, {"height_cm": height_cm}) is (HEIGHT_CM_MIN <= height_cm <= HEIGHT_CM_MAX)


@given(st.integers(min_value=-5, max_value=130))
def test_age_bounds(age: int) -> None:
    assert accepted(ProfilePatch, {"age": age}) is (13 <= age <= 110)


@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=13, max_value=110),
)
@example(date(2028, 2, 29), 13)
def test_an_age_becomes_a_birth_date_that_gives_that_age(today: date, age: int) -> None:
    assert age_on(birth_date_for_age(age, today), today) == age


@pytest.mark.parametrize(
    ("value", "unit", "inches", "cm"),
    [(71, "in", 0, 180.34), (5, "ft", 11, 180.34), (1.8, "m", 0, 180.0), (180, "cm", 0, 180.0)],
)
def test_length_units(value: float, unit: str, inches: float, cm: float) -> None:
    assert units.length_to_cm(value, units.LengthUnit(unit), inches) == cm
