"""Unit conversion between what people type (inches, feet, pounds) and what we store (SI).

Both factors are exact by definition (international yard and pound agreement, 1959): 1 in = 2.54 cm,
1 lb = 0.45359237 kg. Arithmetic goes through `Decimal` built from the float's shortest repr, so a value
typed with up to 12 significant digits converts to the float nearest the exact product, and converting
back gives the typed value again (no drift from binary floating point on the round trip).
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum

CM_PER_INCH = Decimal("2.54")  # exact, 1959 agreement
KG_PER_POUND = Decimal("0.45359237")  # exact, 1959 agreement
INCHES_PER_FOOT = 12
CM_PER_METRE = 100

# Display values are rounded to this many decimals: 180 cm shows as 70.87 in.
DISPLAY_PLACES = 2


class LengthUnit(StrEnum):
    CM = "cm"
    M = "m"
    IN = "in"
    FT = "ft"


class MassUnit(StrEnum):
    KG = "kg"
    LB = "lb"


def _dec(value: float | int) -> Decimal:
    # repr of a float is the shortest string that reads back as the same float: 71.1 -> Decimal("71.1").
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def inches_to_cm(inches: float) -> float:
    return float(_dec(inches) * CM_PER_INCH)


def cm_to_inches(cm: float) -> float:
    return float(_dec(cm) / CM_PER_INCH)


def feet_inches_to_cm(feet: float, inches: float = 0.0) -> float:
    return float((_dec(feet) * INCHES_PER_FOOT + _dec(inches)) * CM_PER_INCH)


def cm_to_feet_inches(cm: float, places: int = 1) -> tuple[int, float]:
    """Whole feet and the remaining inches rounded to `places`; 5 ft 12.0 in is carried to 6 ft 0.0 in."""
    quantum = Decimal(1).scaleb(-places)
    total_in = (_dec(cm) / CM_PER_INCH).quantize(quantum, rounding=ROUND_HALF_EVEN)
    feet, rest = divmod(total_in, INCHES_PER_FOOT)
    return int(feet), float(rest)


def pounds_to_kg(pounds: float) -> float:
    return float(_dec(pounds) * KG_PER_POUND)


def kg_to_pounds(kg: float) -> float:
    return float(_dec(kg) / KG_PER_POUND)


def length_to_cm(value: float, unit: LengthUnit, extra_inches: float = 0.0) -> float:
    """`extra_inches` only counts with feet: 5 ft 11 in is (5, FT, 11)."""
    if unit is LengthUnit.CM:
        return float(value)
    if unit is LengthUnit.M:
        return float(_dec(value) * CM_PER_METRE)
    if unit is LengthUnit.IN:
        return inches_to_cm(value)
    return feet_inches_to_cm(value, extra_inches)


def mass_to_kg(value: float, unit: MassUnit) -> float:
    return float(value) if unit is MassUnit.KG else pounds_to_kg(value)


def for_display(value: float, places: int = DISPLAY_PLACES) -> float:
    """Round half-even on the decimal value (float `round` would see 2.675 as 2.67499…)."""
    return float(_dec(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN))
