"""USDA FoodData Central API client (`/fdc/v1/foods/search`, `/fdc/v1/food/{fdcId}`, `/fdc/v1/foods`).

Answers are normalised to what the local SR28 tables hold: amounts per 100 g keyed by FDC nutrient id, in
the units of the local table (g, mg, ug, kcal), plus household portions in grams. FDC serves three food
shapes (search results, full details and the abridged format); `parse_food` reads all three."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from knowledge.datasets import PACKAGE_DATA_DIR, read_nutrients
from knowledge.sources.errors import SourceNotConfigured, SourceUnavailable
from knowledge.sources.http import LiveClient, RetryPolicy
from store.settings import Settings

SOURCE = "usda_fdc"

ENERGY_KCAL = 1008
# Foundation foods often carry energy only as Atwater values (kcal), some foods only in kJ (1062).
ENERGY_ATWATER_GENERAL_KCAL = 2047
ENERGY_ATWATER_SPECIFIC_KCAL = 2048
ENERGY_KJ = 1062
KJ_PER_KCAL = 4.184  # thermochemical calorie, the factor FDC uses
_ENERGY_NUMBERS = {
    "208": ENERGY_KCAL,
    "957": ENERGY_ATWATER_GENERAL_KCAL,
    "958": ENERGY_ATWATER_SPECIFIC_KCAL,
    "268": ENERGY_KJ,
}


@cache
def local_nutrients() -> dict[int, str]:
    """The nutrients the local tables keep: FDC nutrient id → unit (g, mg, ug, kcal), read once from the
    bundled nutrients.csv, the one list the loader uses too."""
    return {n.id: n.unit for n in read_nutrients(PACKAGE_DATA_DIR)}


@cache
def _id_by_number() -> dict[str, int]:
    """FDC nutrient number ("208") → id, for the abridged format (SR numbers are FDC numbers)."""
    numbers = {str(n.sr28_number): n.id for n in read_nutrients(PACKAGE_DATA_DIR) if n.sr28_number}
    return numbers | _ENERGY_NUMBERS


_MASS_IN_G = {"g": 1.0, "mg": 1e-3, "ug": 1e-6}

# Generic foods first: SR Legacy matches the local rows; Branded is opt-in (labels, many near-duplicates).
DEFAULT_DATA_TYPES = ("Foundation", "SR Legacy", "Survey (FNDDS)")
MAX_IDS_PER_REQUEST = 20  # the documented cap of /v1/foods


class FdcPortion(BaseModel):
    """A household measure: `amount` units of `measure` weigh `gram_weight` g."""

    amount: float = Field(gt=0)
    measure: str = Field(min_length=1)
    gram_weight: float = Field(gt=0)


class FdcFood(BaseModel):
    """One FDC food, normalised. `nutrients` are per 100 g edible portion (FDC's basis for every data type),
    keyed by FDC nutrient id, in the local units; a missing key means "not analysed", never zero."""

    fdc_id: int
    description: str
    data_type: str
    ndb_number: int | None = None
    category: str | None = None
    brand_owner: str | None = None
    # A branded food's label ingredient list (allergen flags read it); None for generic foods.
    ingredients: str | None = None
    nutrients: dict[int, float]
    portions: list[FdcPortion] = Field(default_factory=list)
    # True for /food/{id} and /foods answers (portions included); search results carry no portions.
    detailed: bool = False

    @property
    def kcal_per_100g(self) -> float | None:
        return self.nutrients.get(ENERGY_KCAL)


def _unit(name: str | None) -> str:
    unit = (name or "").strip().lower()
    return {"µg": "ug", "μg": "ug", "mcg": "ug"}.get(unit, unit)


def _convert(value: float, from_unit: str, to_unit: str) -> float | None:
    if from_unit == to_unit:
        return value
    if from_unit in _MASS_IN_G and to_unit in _MASS_IN_G:
        return value * _MASS_IN_G[from_unit] / _MASS_IN_G[to_unit]
    return None  # IU, kJ for a mass nutrient…: not convertible without a food-specific factor


def _nutrient_entries(raw: dict[str, Any]) -> Iterable[tuple[int | None, str | None, str, Any]]:
    """(nutrient id, nutrient number, unit, amount) from any of FDC's three nutrient shapes."""
    for entry in raw.get("foodNutrients") or []:
        if not isinstance(entry, dict):
            continue
        nested = entry.get("nutrient")
        if isinstance(nested, dict):  # full format: {"nutrient": {"id", "number", "unitName"}, "amount"}
            yield nested.get("id"), nested.get("number"), _unit(nested.get("unitName")), entry.get("amount")
        elif "nutrientId" in entry:  # search results: flat, value, upper-case units
            yield (
                entry.get("nutrientId"),
                entry.get("nutrientNumber"),
                _unit(entry.get("unitName")),
                entry.get("value"),
            )
        else:  # abridged format: {"number", "name", "amount", "unitName"}
            yield None, entry.get("number"), _unit(entry.get("unitName")), entry.get("amount")


def _nutrients(raw: dict[str, Any]) -> dict[int, float]:
    kept = local_nutrients()
    found: dict[int, float] = {}
    for nutrient_id, number, unit, amount in _nutrient_entries(raw):
        key = nutrient_id if isinstance(nutrient_id, int) else _id_by_number().get(str(number or ""))
        if key is None or isinstance(amount, bool) or not isinstance(amount, int | float):
            continue
        if not math.isfinite(amount) or amount < 0:
            continue
        if key in kept:
            value = _convert(float(amount), unit, kept[key])
        elif key in (ENERGY_ATWATER_GENERAL_KCAL, ENERGY_ATWATER_SPECIFIC_KCAL):
            value = float(amount) if unit == "kcal" else None
        elif key == ENERGY_KJ:
            value = float(amount) if unit == "kj" else None
        else:
            continue
        if value is not None:
            found.setdefault(key, value)
    if ENERGY_KCAL not in found:
        # Energy in kcal by preference: label/analysed value, then Atwater general, specific, then kJ.
        for fallback, factor in (
            (ENERGY_ATWATER_GENERAL_KCAL, 1.0),
            (ENERGY_ATWATER_SPECIFIC_KCAL, 1.0),
            (ENERGY_KJ, 1 / KJ_PER_KCAL),
        ):
            if fallback in found:
                found[ENERGY_KCAL] = round(found[fallback] * factor, 2)
                break
    return {key: value for key, value in found.items() if key in kept}


def _positive(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if value > 0 else None


def _portion_measure(portion: dict[str, Any]) -> str:
    """SR Legacy keeps the measure in `modifier` ("cup, chopped") under an "undetermined" unit; Foundation
    names a unit and adds a modifier; FNDDS writes a `portionDescription`."""
    unit = portion.get("measureUnit") or {}
    unit_name = str(unit.get("name") or "").strip() if isinstance(unit, dict) else ""
    modifier = str(portion.get("modifier") or "").strip()
    description = str(portion.get("portionDescription") or "").strip()
    if unit_name and unit_name.lower() != "undetermined":
        return f"{unit_name}, {modifier}" if modifier else unit_name
    return modifier or description


def _portions(raw: dict[str, Any]) -> list[FdcPortion]:
    portions: list[FdcPortion] = []
    for portion in raw.get("foodPortions") or []:
        if not isinstance(portion, dict):
            continue
        measure = _portion_measure(portion)
        grams, amount = _positive(portion.get("gramWeight")), _positive(portion.get("amount") or 1)
        if measure and grams and amount:
            portions.append(FdcPortion(amount=amount, measure=measure, gram_weight=grams))
    # Branded foods state one serving on the label; only a serving in grams is a portion we can use.
    serving = _positive(raw.get("servingSize"))
    if serving and _unit(raw.get("servingSizeUnit")) in ("g", "grm"):
        text = str(raw.get("householdServingFullText") or "").strip() or "serving"
        portions.append(FdcPortion(amount=1.0, measure=text, gram_weight=serving))
    return portions


def _ndb_number(raw: dict[str, Any]) -> int | None:
    value = raw.get("ndbNumber")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)  # some FDC answers give it as a zero-padded string, e.g. "01123"
    return None


def _category(raw: dict[str, Any]) -> str | None:
    category = raw.get("foodCategory") or raw.get("brandedFoodCategory")
    if isinstance(category, dict):  # full format: {"id", "code", "description"}
        category = category.get("description")
    if not category:
        survey = raw.get("wweiaFoodCategory")
        category = survey.get("wweiaFoodCategoryDescription") if isinstance(survey, dict) else None
    return (str(category).strip() or None) if category else None


def parse_food(raw: Any, *, detailed: bool) -> FdcFood:
    """One FDC food (any format) → `FdcFood`; a shape we cannot read is the source's failure."""
    if not isinstance(raw, dict):
        raise SourceUnavailable(SOURCE, "unexpected food shape")
    try:
        return FdcFood(
            fdc_id=raw["fdcId"],
            description=str(raw["description"]).strip(),
            data_type=str(raw.get("dataType") or "unknown"),
            ndb_number=_ndb_number(raw),
            category=_category(raw),
            brand_owner=(str(raw["brandOwner"]).strip() or None) if raw.get("brandOwner") else None,
            ingredients=(str(raw["ingredients"]).strip() or None) if raw.get("ingredients") else None,
            nutrients=_nutrients(raw),
            portions=_portions(raw) if detailed else [],
            detailed=detailed,
        )
    except (KeyError, ValidationError) as exc:
        raise SourceUnavailable(SOURCE, f"unexpected food shape ({type(exc).__name__})") from exc


class FdcClient(LiveClient):
    """FoodData Central. The key travels in the `X-Api-Key` header (api.data.gov), not in logged URLs."""

    source = SOURCE

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_key: str,
        base_url: str = "https://api.nal.usda.gov",
        rate_limit: str | None = "1000/hour",
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(http, base_url=base_url, rate_limit=rate_limit, retry=retry, sleep=sleep)
        self._headers = {"X-Api-Key": api_key}

    @classmethod
    def from_settings(
        cls, settings: Settings, http: httpx.Client, *, sleep: Callable[[float], None] = time.sleep
    ) -> FdcClient:
        if settings.usda_api_key is None:
            raise SourceNotConfigured(SOURCE, "no USDA API key (NEXFITRA_USDA_API_KEY)")
        return cls(
            http,
            api_key=settings.usda_api_key.get_secret_value(),
            base_url=settings.usda_base_url,
            rate_limit=settings.usda_rate_limit,
            retry=RetryPolicy.from_settings(settings),
            sleep=sleep,
        )

    def search(
        self, query: str, *, page_size: int = 10, data_types: Sequence[str] = DEFAULT_DATA_TYPES
    ) -> list[FdcFood]:
        """Foods matching `query`, best first (FDC's own ranking); nutrients only, no portions."""
        params = {"query": query, "pageSize": page_size, "dataType": ",".join(data_types)}
        body = self._get_json("/fdc/v1/foods/search", params=params, headers=self._headers)
        foods = body.get("foods") if isinstance(body, dict) else None
        if not isinstance(foods, list):
            raise SourceUnavailable(SOURCE, "search answer without a foods list")
        return [parse_food(raw, detailed=False) for raw in foods]

    def food(self, fdc_id: int) -> FdcFood:
        """One food in full (nutrients and portions). Raises `SourceNotFound` for an unknown id."""
        body = self._get_json(f"/fdc/v1/food/{int(fdc_id)}", params={"format": "full"}, headers=self._headers)
        return parse_food(body, detailed=True)

    def foods(self, fdc_ids: Sequence[int]) -> list[FdcFood]:
        """Several foods in full, 20 per request; ids FDC no longer knows are simply absent."""
        found: list[FdcFood] = []
        for start in range(0, len(fdc_ids), MAX_IDS_PER_REQUEST):
            chunk = fdc_ids[start : start + MAX_IDS_PER_REQUEST]
            params = {"fdcIds": ",".join(str(int(i)) for i in chunk), "format": "full"}
            body = self._get_json("/fdc/v1/foods", params=params, headers=self._headers)
            if not isinstance(body, list):
                raise SourceUnavailable(SOURCE, "foods answer is not a list")
            found.extend(parse_food(raw, detailed=True) for raw in body)
        return found
