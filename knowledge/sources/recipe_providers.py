"""Recipe providers behind one interface: the local open collection, Spoonacular and Edamam.

Every provider answers a `ProviderQuery` with `ProviderRecipe`s. Nutrition per serving comes from the
provider's own data (Spoonacular gives it per serving; Edamam gives recipe totals, which we divide by its
`yield`) and is `None` when the data cannot give it: never guessed. Diet and allergen filters are passed to
the provider AND re-checked on the labels it returns where it returns any; a filter a provider cannot apply
raises `UnsupportedFilter` rather than returning results that might break it."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from knowledge.sources.errors import SourceNotConfigured, SourceUnavailable, UnsupportedFilter
from knowledge.sources.http import LiveClient, RetryPolicy
from store.settings import Settings
from store.vocabulary import Allergen, Diet


class ProviderQuery(BaseModel):
    """What a caller asks every provider; `cache_key` identifies equal questions."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(min_length=1, max_length=200)
    diet: Diet | None = None
    exclude_allergens: frozenset[Allergen] = frozenset()
    max_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    limit: int = Field(default=10, ge=1, le=50)

    @field_validator("text")
    @classmethod
    def _normalise_text(cls, value: str) -> str:
        text = " ".join(value.split())
        if not text:
            raise ValueError("must not be blank")
        return text

    def cache_key(self) -> str:
        """sha256 of the canonical query: case and spacing of the text and the order of allergens ignored."""
        canonical = {
            "text": self.text.lower(),
            "diet": self.diet.value if self.diet else None,
            "exclude_allergens": sorted(a.value for a in self.exclude_allergens),
            "max_minutes": self.max_minutes,
            "limit": self.limit,
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


class NutritionPerServing(BaseModel):
    """One serving; a field is `None` when the provider did not report it."""

    kcal: float | None = None
    protein_g: float | None = None
    fat_g: float | None = None
    carbs_g: float | None = None
    fiber_g: float | None = None
    sugars_g: float | None = None
    saturated_fat_g: float | None = None
    sodium_mg: float | None = None


class ProviderIngredient(BaseModel):
    text: str
    name: str | None = None
    quantity: float | None = None
    unit: str | None = None
    grams: float | None = None  # for the whole recipe, when the provider states a weight


class ProviderRecipe(BaseModel):
    """A recipe from any provider. `provider_id` is the provider's own id (the slug or row id locally)."""

    provider: str
    provider_id: str
    title: str
    source_url: str | None = None
    source_name: str | None = None
    image_url: str | None = None
    servings: float | None = None
    ready_in_minutes: int | None = None
    ingredients: list[ProviderIngredient] = Field(default_factory=list)
    instructions: list[str] = Field(default_factory=list)
    nutrition_per_serving: NutritionPerServing | None = None
    grams_per_serving: float | None = None
    diets: list[str] = Field(default_factory=list)
    cuisines: list[str] = Field(default_factory=list)
    dish_types: list[str] = Field(default_factory=list)


class RecipeProvider(Protocol):
    """The one interface. `name` is stored with cached results; `cacheable` is False for local data."""

    name: str
    cacheable: bool

    def search(self, query: ProviderQuery) -> list[ProviderRecipe]: ...


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value < 0:
        return None
    return float(value)


def _strings(values: Any) -> list[str]:
    return [str(v) for v in values if isinstance(v, str) and v.strip()] if isinstance(values, list) else []


# --- Spoonacular ----------------------------------------------------------------------------------------

# Our diets → Spoonacular `diet`; halal and kosher have no Spoonacular filter.
SPOONACULAR_DIETS: dict[Diet, str | None] = {
    Diet.OMNIVORE: None,
    Diet.VEGETARIAN: "vegetarian",
    Diet.VEGAN: "vegan",
    Diet.PESCATARIAN: "pescetarian",
    Diet.KETO: "ketogenic",
}
# Our allergens → Spoonacular `intolerances` (its fixed list; "Seafood" is its word for fish).
SPOONACULAR_INTOLERANCES: dict[Allergen, str] = {
    Allergen.PEANUT: "Peanut",
    Allergen.TREE_NUT: "Tree Nut",
    Allergen.MILK: "Dairy",
    Allergen.EGG: "Egg",
    Allergen.SOY: "Soy",
    Allergen.WHEAT: "Wheat",
    Allergen.GLUTEN: "Gluten",
    Allergen.FISH: "Seafood",
    Allergen.SHELLFISH: "Shellfish",
    Allergen.SESAME: "Sesame",
}
# complexSearch nutrient names (per serving) → our fields, with the unit we accept.
SPOONACULAR_NUTRIENTS: dict[str, tuple[str, str]] = {
    "Calories": ("kcal", "kcal"),
    "Protein": ("protein_g", "g"),
    "Fat": ("fat_g", "g"),
    "Carbohydrates": ("carbs_g", "g"),
    "Fiber": ("fiber_g", "g"),
    "Sugar": ("sugars_g", "g"),
    "Saturated Fat": ("saturated_fat_g", "g"),
    "Sodium": ("sodium_mg", "mg"),
}
# Flags Spoonacular returns on each recipe, used to re-check the filter we sent.
_SPOONACULAR_FLAG_FOR_DIET = {Diet.VEGAN: "vegan", Diet.VEGETARIAN: "vegetarian"}
_SPOONACULAR_FLAG_FOR_ALLERGEN = {Allergen.MILK: "dairyFree", Allergen.GLUTEN: "glutenFree"}


class SpoonacularProvider(LiveClient):
    """`GET /recipes/complexSearch` with `addRecipeNutrition=true` (nutrition per serving in one call)."""

    source = "spoonacular"
    name = "spoonacular"
    cacheable = True
    quota_statuses = frozenset({402})  # "daily points limit reached"

    def __init__(
        self,
        http: httpx.Client,
        *,
        api_key: str,
        base_url: str = "https://api.spoonacular.com",
        rate_limit: str | None = "60/minute",
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(http, base_url=base_url, rate_limit=rate_limit, retry=retry, sleep=sleep)
        self._headers = {"x-api-key": api_key}

    def search(self, query: ProviderQuery) -> list[ProviderRecipe]:
        params: dict[str, Any] = {
            "query": query.text,
            "number": query.limit,
            "addRecipeInformation": "true",
            "addRecipeNutrition": "true",
            "instructionsRequired": "true",
        }
        if query.diet is not None:
            if query.diet not in SPOONACULAR_DIETS:
                raise UnsupportedFilter(self.source, f"cannot filter for diet {query.diet.value}")
            if diet := SPOONACULAR_DIETS[query.diet]:
                params["diet"] = diet
        if query.exclude_allergens:
            params["intolerances"] = ",".join(
                sorted(SPOONACULAR_INTOLERANCES[a] for a in query.exclude_allergens)
            )
        if query.max_minutes is not None:
            params["maxReadyTime"] = query.max_minutes
        body = self._get_json("/recipes/complexSearch", params=params, headers=self._headers)
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list):
            raise SourceUnavailable(self.source, "complexSearch answer without results")
        pairs = [(raw, parse_spoonacular(raw)) for raw in results if isinstance(raw, dict)]
        return [recipe for raw, recipe in pairs if _spoonacular_keeps(raw, recipe, query)]


def _spoonacular_keeps(raw: dict[str, Any], recipe: ProviderRecipe, query: ProviderQuery) -> bool:
    """Drop a result whose own flags contradict the filter we sent (the flag must be present and true)."""
    flags = [_SPOONACULAR_FLAG_FOR_DIET[query.diet]] if query.diet in _SPOONACULAR_FLAG_FOR_DIET else []
    flags += [
        _SPOONACULAR_FLAG_FOR_ALLERGEN[a]
        for a in query.exclude_allergens
        if a in _SPOONACULAR_FLAG_FOR_ALLERGEN
    ]
    if any(raw.get(flag) is not True for flag in flags):
        return False
    return query.max_minutes is None or (
        recipe.ready_in_minutes is not None and recipe.ready_in_minutes <= query.max_minutes
    )


def parse_spoonacular(raw: dict[str, Any]) -> ProviderRecipe:
    try:
        block = raw.get("nutrition")
        nutrition: dict[str, Any] = block if isinstance(block, dict) else {}
        servings = _number(raw.get("servings")) or None
        return ProviderRecipe(
            provider="spoonacular",
            provider_id=str(raw["id"]),
            title=str(raw["title"]).strip(),
            source_url=raw.get("sourceUrl") or raw.get("spoonacularSourceUrl"),
            source_name=raw.get("sourceName") or raw.get("creditsText"),
            image_url=raw.get("image"),
            servings=servings,
            ready_in_minutes=int(raw["readyInMinutes"]) if _number(raw.get("readyInMinutes")) else None,
            ingredients=_spoonacular_ingredients(raw, nutrition, servings),
            instructions=[
                str(step["step"]).strip()
                for block in raw.get("analyzedInstructions") or []
                if isinstance(block, dict)
                for step in block.get("steps") or []
                if isinstance(step, dict) and str(step.get("step") or "").strip()
            ],
            nutrition_per_serving=_per_serving(nutrition.get("nutrients")),
            grams_per_serving=_spoonacular_grams_per_serving(nutrition),
            diets=_strings(raw.get("diets")),
            cuisines=_strings(raw.get("cuisines")),
            dish_types=_strings(raw.get("dishTypes")),
        )
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise SourceUnavailable("spoonacular", f"unexpected recipe shape ({type(exc).__name__})") from exc


def _per_serving(nutrients: Any) -> NutritionPerServing | None:
    values: dict[str, float] = {}
    for entry in nutrients if isinstance(nutrients, list) else []:
        if not isinstance(entry, dict) or entry.get("name") not in SPOONACULAR_NUTRIENTS:
            continue
        field, unit = SPOONACULAR_NUTRIENTS[entry["name"]]
        amount = _number(entry.get("amount"))
        if amount is not None and str(entry.get("unit") or "").lower() == unit:
            values.setdefault(field, round(amount, 2))
    return NutritionPerServing(**values) if values else None


def _spoonacular_grams_per_serving(nutrition: dict[str, Any]) -> float | None:
    weight = nutrition.get("weightPerServing")
    if isinstance(weight, dict) and weight.get("unit") == "g":
        return _number(weight.get("amount"))
    return None


def _spoonacular_ingredients(
    raw: dict[str, Any], nutrition: dict[str, Any], servings: float | None
) -> list[ProviderIngredient]:
    """`extendedIngredients` (whole recipe, original text) when present; otherwise the nutrition block's
    ingredients, whose amounts are per serving, scaled by the servings."""
    ingredients: list[ProviderIngredient] = []
    for item in raw.get("extendedIngredients") or []:
        if not isinstance(item, dict) or not (item.get("original") or item.get("name")):
            continue
        metric = (item.get("measures") or {}).get("metric") or {}
        grams = _number(metric.get("amount")) if metric.get("unitShort") == "g" else None
        ingredients.append(
            ProviderIngredient(
                text=str(item.get("original") or item.get("name")),
                name=item.get("nameClean") or item.get("name"),
                quantity=_number(item.get("amount")),
                unit=item.get("unit") or None,
                grams=grams,
            )
        )
    if ingredients:
        return ingredients
    for item in nutrition.get("ingredients") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        per_serving = _number(item.get("amount"))
        quantity = round(per_serving * servings, 3) if per_serving is not None and servings else None
        unit = str(item.get("unit") or "").strip() or None
        ingredients.append(
            ProviderIngredient(
                text=" ".join(str(p) for p in (quantity, unit, item["name"]) if p is not None),
                name=str(item["name"]),
                quantity=quantity,
                unit=unit,
                grams=quantity if unit == "g" else None,
            )
        )
    return ingredients


# --- Edamam ---------------------------------------------------------------------------------------------

# Our diets → Edamam `health` labels; Edamam has no halal label, omnivore needs none.
EDAMAM_DIETS: dict[Diet, str | None] = {
    Diet.OMNIVORE: None,
    Diet.VEGETARIAN: "vegetarian",
    Diet.VEGAN: "vegan",
    Diet.PESCATARIAN: "pescatarian",
    Diet.KETO: "keto-friendly",
    Diet.KOSHER: "kosher",
}
EDAMAM_ALLERGENS: dict[Allergen, str] = {
    Allergen.PEANUT: "peanut-free",
    Allergen.TREE_NUT: "tree-nut-free",
    Allergen.MILK: "dairy-free",
    Allergen.EGG: "egg-free",
    Allergen.SOY: "soy-free",
    Allergen.WHEAT: "wheat-free",
    Allergen.GLUTEN: "gluten-free",
    Allergen.FISH: "fish-free",
    Allergen.SHELLFISH: "shellfish-free",
    Allergen.SESAME: "sesame-free",
}
# Edamam nutrient codes (recipe totals) → our per-serving fields, with the unit we accept.
EDAMAM_NUTRIENTS: dict[str, tuple[str, str]] = {
    "ENERC_KCAL": ("kcal", "kcal"),
    "PROCNT": ("protein_g", "g"),
    "FAT": ("fat_g", "g"),
    "CHOCDF": ("carbs_g", "g"),
    "FIBTG": ("fiber_g", "g"),
    "SUGAR": ("sugars_g", "g"),
    "FASAT": ("saturated_fat_g", "g"),
    "NA": ("sodium_mg", "mg"),
}


class EdamamProvider(LiveClient):
    """Recipe Search API v2: `GET /api/recipes/v2?type=public`. Credentials are query parameters there."""

    source = "edamam"
    name = "edamam"
    cacheable = True

    def __init__(
        self,
        http: httpx.Client,
        *,
        app_id: str,
        app_key: str,
        account_user: str | None = None,
        base_url: str = "https://api.edamam.com",
        rate_limit: str | None = "10/minute",
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(http, base_url=base_url, rate_limit=rate_limit, retry=retry, sleep=sleep)
        self._credentials = {"app_id": app_id, "app_key": app_key}
        self._headers = {"Edamam-Account-User": account_user} if account_user else {}

    def search(self, query: ProviderQuery) -> list[ProviderRecipe]:
        labels = self._labels(query)
        params: list[tuple[str, str | int | float | bool | None]] = [("type", "public"), ("q", query.text)]
        params += list(self._credentials.items())
        params += [("health", label) for label in labels]
        if query.max_minutes is not None:
            params.append(("time", f"1-{query.max_minutes}"))
        body = self._get_json("/api/recipes/v2", params=httpx.QueryParams(params), headers=self._headers)
        hits = body.get("hits") if isinstance(body, dict) else None
        if not isinstance(hits, list):
            raise SourceUnavailable(self.source, "search answer without hits")
        kept: list[ProviderRecipe] = []
        for hit in hits:
            raw = hit.get("recipe") if isinstance(hit, dict) else None
            if not isinstance(raw, dict):
                continue
            returned = {str(label).lower() for label in raw.get("healthLabels") or []}
            recipe = parse_edamam(raw)
            # Keep only what carries every label we asked for (and fits the time, when asked).
            if not set(labels) <= returned:
                continue
            if query.max_minutes is not None and not (
                recipe.ready_in_minutes and recipe.ready_in_minutes <= query.max_minutes
            ):
                continue
            kept.append(recipe)
        return kept[: query.limit]

    def _labels(self, query: ProviderQuery) -> list[str]:
        labels: list[str] = []
        if query.diet is not None:
            if query.diet not in EDAMAM_DIETS:
                raise UnsupportedFilter(self.source, f"cannot filter for diet {query.diet.value}")
            if label := EDAMAM_DIETS[query.diet]:
                labels.append(label)
        labels += sorted(EDAMAM_ALLERGENS[a] for a in query.exclude_allergens)
        return labels


def _edamam_id(uri: str) -> str:
    # "http://www.edamam.com/ontologies/edamam.owl#recipe_<hex>" → "<hex>"
    return uri.rsplit("#recipe_", 1)[-1] if "#recipe_" in uri else uri


def parse_edamam(raw: dict[str, Any]) -> ProviderRecipe:
    try:
        servings = _number(raw.get("yield")) or None
        minutes = _number(raw.get("totalTime"))
        return ProviderRecipe(
            provider="edamam",
            provider_id=_edamam_id(str(raw["uri"])),
            title=str(raw["label"]).strip(),
            source_url=raw.get("url"),
            source_name=raw.get("source"),
            image_url=raw.get("image"),
            servings=servings,
            ready_in_minutes=int(minutes) if minutes else None,  # Edamam writes 0 for "unknown"
            ingredients=list(_edamam_ingredients(raw.get("ingredients"))),
            instructions=_strings(raw.get("instructionLines")),
            nutrition_per_serving=_edamam_per_serving(raw.get("totalNutrients"), servings),
            grams_per_serving=(
                round(total_g / servings, 1)
                if servings and (total_g := _number(raw.get("totalWeight")))
                else None
            ),
            diets=_strings(raw.get("dietLabels")) + _strings(raw.get("healthLabels")),
            cuisines=_strings(raw.get("cuisineType")),
            dish_types=_strings(raw.get("dishType")),
        )
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        raise SourceUnavailable("edamam", f"unexpected recipe shape ({type(exc).__name__})") from exc


def _edamam_ingredients(items: Any) -> Iterable[ProviderIngredient]:
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("text"):
            measure = item.get("measure")
            yield ProviderIngredient(
                text=str(item["text"]),
                name=item.get("food"),
                quantity=_number(item.get("quantity")) or None,
                unit=None if measure in (None, "<unit>") else str(measure),
                grams=_number(item.get("weight")) or None,
            )


def _edamam_per_serving(totals: Any, servings: float | None) -> NutritionPerServing | None:
    """Edamam reports the whole recipe; per serving = total / yield, computed here. No yield, no numbers."""
    if not servings or not isinstance(totals, dict):
        return None
    values: dict[str, float] = {}
    for code, (field, unit) in EDAMAM_NUTRIENTS.items():
        entry = totals.get(code)
        if not isinstance(entry, dict) or str(entry.get("unit") or "").lower() != unit:
            continue
        amount = _number(entry.get("quantity"))
        if amount is not None:
            values[field] = round(amount / servings, 2)
    return NutritionPerServing(**values) if values else None


# --- choice by settings ---------------------------------------------------------------------------------


def make_live_provider(
    settings: Settings, http: httpx.Client, *, sleep: Callable[[float], None] = time.sleep
) -> SpoonacularProvider | EdamamProvider:
    """The configured remote provider; `SourceNotConfigured` when it is "local" or its keys are missing."""
    retry = RetryPolicy.from_settings(settings)
    if settings.recipe_provider == "spoonacular":
        if settings.spoonacular_api_key is None:
            raise SourceNotConfigured("spoonacular", "no Spoonacular key (NEXFITRA_SPOONACULAR_API_KEY)")
        return SpoonacularProvider(
            http,
            api_key=settings.spoonacular_api_key.get_secret_value(),
            base_url=settings.spoonacular_base_url,
            rate_limit=settings.spoonacular_rate_limit,
            retry=retry,
            sleep=sleep,
        )
    if settings.recipe_provider == "edamam":
        if not settings.edamam_app_id or settings.edamam_app_key is None:
            raise SourceNotConfigured("edamam", "no Edamam app id/key (NEXFITRA_EDAMAM_APP_ID/_APP_KEY)")
        return EdamamProvider(
            http,
            app_id=settings.edamam_app_id,
            app_key=settings.edamam_app_key.get_secret_value(),
            account_user=settings.edamam_account_user,
            base_url=settings.edamam_base_url,
            rate_limit=settings.edamam_rate_limit,
            retry=retry,
            sleep=sleep,
        )
    raise SourceNotConfigured("recipes", "recipe_provider is local")
