"""Turning records into rows: derived fields (flags, groups, search text, embeddings) and bulk upserts.

Bulk writes go through binary COPY into a temporary staging table, then one INSERT … ON CONFLICT
(source, source_id) DO UPDATE: ids stay stable across reloads (plans and recipes point at them), and a
live FoodData Central row (source = fdc_api) goes through exactly the same path as a bundled SR28 row.
Nothing here commits: the caller's transaction does.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from pgvector.psycopg import register_vector
from psycopg.types.json import Jsonb
from sqlalchemy.orm import Session

from knowledge.classify import classify_food
from knowledge.datasets import (
    ALCOHOL_NUTRIENT_ID,
    EMBEDDINGS_DIR,
    NUTRIENT_COLUMNS,
    ExerciseRecord,
    FoodRecord,
    NutrientInfo,
    read_exercises,
    read_foods,
    read_recipes,
)
from knowledge.embeddings import Embedder, Vectors
from knowledge.flags import Flags, food_flags, merge_all, text_flags
from knowledge.ingredients import (
    CURATED_FOODS,
    WATER,
    ParsedIngredient,
    infer_servings,
    is_negligible,
    parse_line,
    to_grams,
)
from knowledge.search import FoodQuery, correct_spelling, query_terms, search_foods
from knowledge.text import exercise_search_text, food_search_text, normalise_query, recipe_search_text
from knowledge.vectors import VectorCache, save_cache
from store.models.knowledge import MealSlot
from store.vocabulary import Allergen, Diet

Progress = Callable[[str, int, int], None]
# A recipe ingredient needs this match confidence (0–1) to count as known.
MATCH_CONFIDENCE_MIN = 0.55
# Confidence kept when the ingredient's head noun (its last word) is absent from the food's names.
HEAD_MISSING_FACTOR = 0.8
RECIPE_SOURCE = "public_domain_recipes"
EXERCISE_SOURCE = "free_exercise_db"


def _noop(stage: str, done: int, total: int) -> None:
    return None


def driver_connection(session: Session) -> psycopg.Connection[Any]:
    """The session's psycopg connection (same transaction), with the vector type registered for COPY."""
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, psycopg.Connection)
    register_vector(conn)
    return conn


def _copy_upsert(
    conn: psycopg.Connection[Any],
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Iterable[Sequence[Any]],
    conflict: Sequence[str],
    *,
    returning: str | None = None,
    touch_updated_at: bool = False,
    keep_when_null: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """COPY rows (binary) into a staging table typed by `columns` [(name, pg type)], then upsert.

    Columns in `keep_when_null` keep the stored value when the incoming one is NULL."""
    names = [c for c, _ in columns]
    stage = f"_stage_{table}"
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {stage}")
        cur.execute(f"CREATE TEMP TABLE {stage} ({', '.join(f'{c} {t}' for c, t in columns)}) ON COMMIT DROP")
        with cur.copy(f"COPY {stage} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([t for _, t in columns])
            for row in rows:
                copy.write_row(row)
        updates = [c for c in names if c not in conflict]
        set_clause = ", ".join(
            f"{c} = COALESCE(EXCLUDED.{c}, {table}.{c})" if c in keep_when_null else f"{c} = EXCLUDED.{c}"
            for c in updates
        )
        if touch_updated_at:
            set_clause += ", updated_at = now()"
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(names)} FROM {stage} "  # noqa: S608
            f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {set_clause}"
        )
        if returning:
            sql += f" RETURNING {returning}"
        cur.execute(sql)
        result = cur.fetchall() if returning else []
        cur.execute(f"DROP TABLE {stage}")
    return result


# Foods -------------------------------------------------------------------------------------------------

_FOOD_COLUMNS = (
    ("source", "text"),
    ("source_id", "text"),
    ("fdc_id", "int4"),
    ("description", "text"),
    ("category", "text"),
    ("data_type", "text"),
    ("common_names", "text"),
    ("brand", "text"),
    ("refuse_pct", "float8"),
    ("food_group", "text"),
    ("slot_hints", "text[]"),
    ("prep_state", "text"),
    ("is_dish", "bool"),
    ("allergens", "text[]"),
    ("diets", "text[]"),
    ("contains_pork", "bool"),
    ("contains_alcohol", "bool"),
    ("flag_reasons", "jsonb"),
    ("search_boost", "float8"),
    ("search_text", "text"),
    ("embedding", "vector"),
    ("embedding_key", "text"),
    ("fetched_at", "timestamptz"),
)
_NUTRIENT_ROW_COLUMNS = (
    ("food_id", "int4"),
    *((c, "float8") for c in NUTRIENT_COLUMNS.values()),
    ("other", "jsonb"),
)


def derive_food(record: FoodRecord) -> tuple[Flags, Any, str]:
    flags = food_flags(
        record.description,
        record.category,
        common_names=record.common_names,
        alcohol_g=record.nutrients.get(ALCOHOL_NUTRIENT_ID),
    )
    klass = classify_food(record.description, record.category, branded=bool(record.brand))
    return flags, klass, food_search_text(record.description, record.category, record.common_names)


def upsert_foods(
    session: Session,
    embedder: Embedder,
    records: Sequence[FoodRecord],
    *,
    cache: VectorCache | None = None,
    fetched_at: Any = None,
) -> dict[tuple[str, str], int]:
    """Insert or update foods with their nutrients and portions; returns {(source, source_id): id}.

    The entry point for every source (the loader for SR28, the live FDC client for fdc_api rows):
    flags, classification, search text and embeddings are derived here, never by the caller."""
    if not records:
        return {}
    conn = driver_connection(session)
    derived = [derive_food(r) for r in records]
    texts = [d[2] for d in derived]
    vectors, keys, _ = (cache or VectorCache(Path("/nonexistent"))).embed(embedder, texts)
    rows = (
        (
            r.source,
            r.source_id,
            r.fdc_id,
            r.description[:400],
            r.category,
            r.data_type,
            r.common_names,
            r.brand,
            r.refuse_pct,
            klass.food_group.value,
            klass.slot_hints,
            klass.prep_state.value,
            klass.is_dish,
            flags.sorted_allergens(),
            flags.sorted_diets(),
            flags.contains_pork,
            flags.contains_alcohol,
            Jsonb(flags.reasons),
            klass.search_boost,
            text,
            vectors[i],
            keys[i],
            fetched_at,
        )
        for i, (r, (flags, klass, text)) in enumerate(zip(records, derived, strict=True))
    )
    returned = _copy_upsert(
        conn,
        "foods",
        _FOOD_COLUMNS,
        rows,
        ("source", "source_id"),
        returning="id, source, source_id",
        touch_updated_at=True,
        # A reload of the bundled SR28 data has no FDC ids or fetch times: keep what live lookups recorded.
        keep_when_null=("fdc_id", "fetched_at"),
    )
    ids = {(source, source_id): food_id for food_id, source, source_id in returned}
    nutrient_rows = (
        (
            ids[(r.source, r.source_id)],
            *(r.nutrients.get(nid) for nid in NUTRIENT_COLUMNS),
            Jsonb({str(k): v for k, v in sorted(r.nutrients.items()) if k not in NUTRIENT_COLUMNS}),
        )
        for r in records
    )
    _copy_upsert(conn, "food_nutrients", _NUTRIENT_ROW_COLUMNS, nutrient_rows, ("food_id",))
    food_ids = list(ids.values())
    with conn.cursor() as cur:
        # Portions are replaced whole: a source may renumber them.
        cur.execute("DELETE FROM food_portions WHERE food_id = ANY(%s)", (food_ids,))
    portion_rows = (
        (ids[(r.source, r.source_id)], seq, amount, measure[:200], grams)
        for r in records
        for seq, amount, measure, grams in r.portions
    )
    _copy_upsert(
        conn,
        "food_portions",
        (
            ("food_id", "int4"),
            ("seq", "int4"),
            ("amount", "float8"),
            ("measure", "text"),
            ("gram_weight", "float8"),
        ),
        portion_rows,
        ("food_id", "seq"),
    )
    return ids


def upsert_nutrients(session: Session, nutrients: Sequence[NutrientInfo]) -> None:
    conn = driver_connection(session)
    _copy_upsert(
        conn,
        "nutrients",
        (("id", "int4"), ("name", "text"), ("unit", "text"), ("sr28_number", "int4")),
        ((n.id, n.name, n.unit, n.sr28_number) for n in nutrients),
        ("id",),
    )


# Exercises ---------------------------------------------------------------------------------------------

_EXERCISE_COLUMNS = (
    ("source", "text"),
    ("source_id", "text"),
    ("name", "text"),
    ("category", "text"),
    ("force", "text"),
    ("mechanic", "text"),
    ("level", "text"),
    ("equipment", "text"),
    ("equipment_raw", "text"),
    ("equipment_needed", "text[]"),
    ("primary_muscles", "text[]"),
    ("secondary_muscles", "text[]"),
    ("instructions", "jsonb"),
    ("search_text", "text"),
    ("embedding", "vector"),
    ("embedding_key", "text"),
)


def exercise_text(record: ExerciseRecord) -> str:
    equipment = record.equipment.value.replace("_", " ") if record.equipment else record.equipment_raw
    return exercise_search_text(
        record.name, record.primary_muscles, record.secondary_muscles, equipment, record.category
    )


def upsert_exercises(
    session: Session, embedder: Embedder, records: Sequence[ExerciseRecord], cache: VectorCache
) -> int:
    conn = driver_connection(session)
    texts = [exercise_text(r) for r in records]
    vectors, keys, _ = cache.embed(embedder, texts)
    rows = (
        (
            EXERCISE_SOURCE,
            r.source_id,
            r.name,
            r.category,
            r.force,
            r.mechanic,
            r.level.value,
            r.equipment.value if r.equipment else None,
            r.equipment_raw,
            r.equipment_needed,
            r.primary_muscles,
            r.secondary_muscles,
            Jsonb(r.instructions),
            texts[i],
            vectors[i],
            keys[i],
        )
        for i, r in enumerate(records)
    )
    return len(
        _copy_upsert(
            conn,
            "exercises",
            _EXERCISE_COLUMNS,
            rows,
            ("source", "source_id"),
            returning="id",
            touch_updated_at=True,
        )
    )


# Recipes -----------------------------------------------------------------------------------------------

_MINUTES = re.compile(r"(\d+(?:\.\d+)?)\s*(h|hours?|hrs?|m|min|mins|minutes?)\b", re.IGNORECASE)


def parse_minutes(value: str | None) -> int | None:
    """ "1 hour 30 min" → 90, "15 min" → 15, "~30 minutes" → 30; a range counts as its upper end."""
    if not value:
        return None
    total = 0.0
    found = False
    hour_seen = False
    for number, unit in _MINUTES.findall(value):
        found = True
        if unit.lower().startswith("h"):
            total += float(number) * 60
            hour_seen = True
        else:
            total += float(number)
    if not found:
        bare = re.findall(r"\d+", value)
        if not bare:
            return None
        return int(bare[-1])
    del hour_seen
    return round(total)


@dataclass
class IngredientRow:
    position: int
    group_name: str | None
    parsed: ParsedIngredient
    food_id: int | None = None
    confidence: float | None = None
    grams: float | None = None
    grams_method: str = "none"


@dataclass
class RecipeImport:
    source_id: str
    data: dict[str, Any]
    ingredients: list[IngredientRow]
    flags: Flags
    issues: list[str]
    planner_ready: bool
    nutrition: dict[str, float | None] | None
    search_text: str
    slot_hints: list[str]


def _ingredient_lines(recipe: dict[str, Any]) -> list[tuple[str | None, str]]:
    groups = recipe.get("ingredient_groups")
    if groups:
        return [(g.get("name"), item) for g in groups for item in g.get("items", [])]
    return [(None, line) for line in recipe.get("ingredients", [])]


_COMPONENT_WORDS = frozenset(
    [
        "dough",
        "pastry",
        "crust",
        "stock",
        "broth",
        "seasoning",
        "marinade",
        "masala",
        "spice",
        "spices",
        "mix",
        "batter",
        "frosting",
        "icing",
        "glaze",
        "filling",
        "syrup",
        "jam",
        "marmalade",
        "pickled",
        "pickles",
        "starter",
    ]
)


def recipe_slots(tags: Iterable[str], title: str) -> list[str]:
    words = {t.lower() for t in tags} | set(re.findall(r"[a-z]+", title.lower()))
    slots: set[MealSlot] = set()
    if words & {"breakfast", "brunch", "pancakes", "porridge", "oatmeal", "granola", "omelette", "eggs"}:
        slots.add(MealSlot.BREAKFAST)
    if words & {"dessert", "sweet", "cake", "cookies", "cookie", "pie", "pudding", "tart", "ice", "candy"}:
        slots.add(MealSlot.DESSERT)
    if words & {"snack", "snacks", "dip", "appetizer"}:
        slots.add(MealSlot.SNACK)
    if words & {"side", "salad", "sauce", "bread", "dressing"}:
        slots.add(MealSlot.SIDE)
    if words & {"drink", "drinks", "beverage", "cocktail", "smoothie", "tea", "coffee"}:
        slots.add(MealSlot.DRINK)
    if words & _COMPONENT_WORDS:
        # A dough, a stock or a spice mix goes into a meal; it is never a main dish by default.
        slots.add(MealSlot.SIDE)
    if not slots:
        slots.add(MealSlot.MAIN)
    return sorted(s.value for s in slots)


def match_confidence(cosine: float | None, coverage: float, head_match: bool) -> float:
    """0–1: meaning (cosine) and words (share of the ingredient's words in the food's name, head noun)."""
    cos = max(0.0, cosine or 0.0)
    return round(min(1.0, 0.5 * cos + 0.35 * coverage + 0.15 * head_match), 3)


MATCH_CACHE_FILE = "ingredient_matches.json.gz"


def read_match_cache(root: Path, version: str) -> dict[str, tuple[str, str, float]]:
    """Ingredient matches precomputed for this exact recipes version ({} if absent or stale): matching
    1,300 names costs ~10 s of search, which the first load and each test session would pay."""
    path = root / MATCH_CACHE_FILE
    if not path.exists():
        return {}
    data = json.loads(gzip.decompress(path.read_bytes()))
    if data.get("version") != version:
        return {}
    return {name: (m[0], m[1], float(m[2])) for name, m in data["matches"].items()}


def write_match_cache(root: Path, version: str, matches: dict[str, tuple[str, str, float]]) -> None:
    payload = json.dumps({"version": version, "matches": dict(sorted(matches.items()))}, indent=0)
    (root / MATCH_CACHE_FILE).write_bytes(gzip.compress(payload.encode(), mtime=0))


def prepare_recipes(
    session: Session,
    embedder: Embedder,
    recipes: Sequence[dict[str, Any]],
    cache: VectorCache,
    progress: Progress = _noop,
    *,
    known_matches: dict[str, tuple[str, str, float]] | None = None,
) -> tuple[list[RecipeImport], dict[str, tuple[str, str, float]]]:
    """Parse every line, match each distinct ingredient name to a food (the food search, ingredient mode),
    weigh it with the food's portions, and total nutrition per serving. `known_matches` (name → (source,
    source_id, confidence)) skips the search for names it holds; all matches used are returned."""
    parsed_by_recipe: list[list[IngredientRow]] = []
    names: dict[str, None] = {}
    for recipe in recipes:
        rows = []
        for position, (group, line) in enumerate(_ingredient_lines(recipe)):
            parsed = parse_line(line)
            rows.append(IngredientRow(position, group, parsed))
            if parsed.name and not parsed.non_food:
                names.setdefault(parsed.name, None)
        parsed_by_recipe.append(rows)
    known = dict(known_matches or {})
    conn = driver_connection(session)
    with conn.cursor() as cur:
        cur.execute("SELECT source, source_id, id FROM foods")
        ids_by_source = {(source, source_id): food_id for source, source_id, food_id in cur.fetchall()}
    matches: dict[str, tuple[int, float]] = {}
    # Hand-checked matches first: they replace whatever the search would say (confidence 1).
    for name in names:
        ndb = CURATED_FOODS.get("water" if WATER.fullmatch(name) else name, "")
        curated = ids_by_source.get(("sr28", ndb))
        if curated is not None:
            matches[name] = (curated, 1.0)
    for name, (source, source_id, confidence) in known.items():
        if name in matches:
            continue
        food_id = ids_by_source.get((source, source_id))
        if food_id is not None and name in names:
            matches[name] = (food_id, confidence)
    to_search = [n for n in names if n not in matches]
    # Contributors misspell ("mayonaise", "cinamon"): correct against the foods vocabulary first.
    corrected = [correct_spelling(session, "foods", normalise_query(n)) for n in to_search]
    vectors, _, _ = cache.embed(embedder, corrected)
    source_by_id = {v: k for k, v in ids_by_source.items()}
    for i, name in enumerate(to_search):
        query = FoodQuery(corrected[i], limit=1, mode="ingredient")
        hits = search_foods(session, embedder, query, vector=vectors[i])
        if hits:
            top = hits[0]
            # Words may match the food's other names ("white sugar" → "Sugars, granulated").
            alias_words = set(query_terms(str(top.row["search_text"])))
            terms = set(query_terms(corrected[i]))
            alias_coverage = len(terms & alias_words) / len(terms) if terms else 0.0
            coverage = max(top.coverage, alias_coverage)
            confidence = match_confidence(top.cosine, coverage, top.head_match)
            # English puts the head noun last: "chicken stock" is stock. A food without it (ground chicken)
            # is a doubtful match, whatever else agrees.
            words = query_terms(corrected[i])
            if words and words[-1] not in alias_words:
                confidence = round(confidence * HEAD_MISSING_FACTOR, 3)
            if top.row["is_dish"]:  # a restaurant dish is rarely what an ingredient line means
                confidence = round(confidence * HEAD_MISSING_FACTOR, 3)
            matches[name] = (int(top.row["id"]), confidence)
        if i % 100 == 0:
            progress("matching ingredients", i, len(to_search))
    progress("matching ingredients", len(to_search), len(to_search))
    food_ids = sorted({fid for fid, _ in matches.values()})
    facts = _food_facts(session, food_ids)
    imports = [
        _prepare_recipe(recipe, rows, matches, facts)
        for recipe, rows in zip(recipes, parsed_by_recipe, strict=True)
    ]
    used = {name: (*source_by_id[fid], conf) for name, (fid, conf) in matches.items()}
    return imports, used


@dataclass
class FoodFacts:
    """What weighing and totalling a recipe needs of its matched foods, by food id."""

    portions: dict[int, list[tuple[float, str, float]]]
    nutrients: dict[int, dict[str, float | None]]
    flags: dict[int, Flags]
    descriptions: dict[int, str]


def _food_facts(session: Session, food_ids: list[int]) -> FoodFacts:
    conn = driver_connection(session)
    portions: dict[int, list[tuple[float, str, float]]] = {}
    nutrients: dict[int, dict[str, float | None]] = {}
    flags: dict[int, Flags] = {}
    descriptions: dict[int, str] = {}
    with conn.cursor() as cur:
        cur.execute(
            "SELECT food_id, amount, measure, gram_weight FROM food_portions WHERE food_id = ANY(%s)"
            " ORDER BY food_id, seq",
            (food_ids,),
        )
        for food_id, amount, measure, grams in cur.fetchall():
            portions.setdefault(food_id, []).append((amount, measure, grams))
        cols = list(NUTRIENT_COLUMNS.values())
        cur.execute(
            f"SELECT food_id, {', '.join(cols)} FROM food_nutrients WHERE food_id = ANY(%s)",  # noqa: S608
            (food_ids,),
        )
        for row in cur.fetchall():
            nutrients[row[0]] = dict(zip(cols, row[1:], strict=True))
        cur.execute(
            "SELECT id, allergens, diets, contains_pork, contains_alcohol, description FROM foods"
            " WHERE id = ANY(%s)",
            (food_ids,),
        )
        for food_id, allergens, diets, pork, alcohol, description in cur.fetchall():
            f = Flags()
            f.allergens = {Allergen(a) for a in allergens}
            f.diets = {Diet(d) for d in diets}
            f.contains_pork, f.contains_alcohol = pork, alcohol
            f.reasons = dict.fromkeys(allergens, f"matched food '{description}'")
            flags[food_id] = f
            descriptions[food_id] = description
    return FoodFacts(portions, nutrients, flags, descriptions)


# Sanity bounds for a recipe's nutrition per serving (kcal, sodium) and per 100 g: beyond them the import
# went wrong (a wrong match, a unit misread, a "serving" that is the whole dish), whatever the arithmetic.
KCAL_PER_SERVING_MAX = 2500.0
KCAL_PER_SERVING_MIN = 20.0
SODIUM_MG_PER_SERVING_MAX = 3000.0
KCAL_PER_100G_MAX = 900.0  # pure fat is 884–902
_FRYING = re.compile(r"\b(?:for (?:deep[- ]?)?frying|to (?:deep[- ]?)?fry|used to fry|frying oil)\b", re.I)


def _prepare_recipe(
    recipe: dict[str, Any],
    rows: list[IngredientRow],
    matches: dict[str, tuple[int, float]],
    facts: FoodFacts,
) -> RecipeImport:
    issues: list[str] = []
    servings = recipe.get("servings")
    if not servings:
        servings = infer_servings(recipe)
        if servings:
            recipe = {**recipe, "servings": servings, "servings_text": f"{servings} (stated in the text)"}
        else:
            issues.append("servings not stated")
    parts = [text_flags(recipe["title"]), text_flags(" ".join(recipe.get("tags") or []))]
    unsure = False
    for row in rows:
        parsed = row.parsed
        if parsed.non_food:
            row.grams, row.grams_method = 0.0, "negligible"
            continue
        # Flags come from every line, weighed or not: "soy sauce to taste" is soy and wheat.
        parts.append(text_flags(parsed.raw))
        match = matches.get(parsed.name)
        if match:
            row.food_id, row.confidence = match
            parts.append(facts.flags[row.food_id])
        known = row.food_id is not None and (row.confidence or 0) >= MATCH_CONFIDENCE_MIN
        food_id = row.food_id if known else None
        grams = to_grams(
            parsed,
            facts.portions.get(food_id, []) if food_id else [],
            food_description=facts.descriptions.get(food_id) if food_id else None,
        )
        row.grams, row.grams_method = grams.grams, grams.method
        negligible = is_negligible(parsed)
        if parsed.is_optional:
            continue
        if not known and not negligible:
            issues.append(f"unmatched: {parsed.raw}")
            unsure = True
        elif _FRYING.search(parsed.raw):
            issues.append(f"frying oil, amount absorbed unknown: {parsed.raw}")
        elif row.grams is None:
            issues.append(f"no weight: {parsed.raw}")
        elif not grams.certain:
            issues.append(f"weight estimated: {parsed.raw}")
    flags = merge_all(parts)
    if unsure:
        # An ingredient we could not identify: we cannot vouch for any diet.
        for diet in list(flags.diets):
            flags.exclude(diet, "an ingredient could not be identified")
    nutrition = _nutrition(rows, facts.nutrients, servings) if servings else None
    if nutrition is not None and nutrition["coverage"] is not None and nutrition["coverage"] < 0.999:
        issues.append(f"nutrition coverage {nutrition['coverage']:.0%}")
    if nutrition is not None and not issues:
        issues.extend(implausible_nutrition(nutrition))
    ready = not issues and nutrition is not None and (nutrition["kcal"] or 0) > 0
    names = [r.parsed.name for r in rows if r.parsed.name and not r.parsed.non_food]
    return RecipeImport(
        source_id=recipe["id"],
        data=recipe,
        ingredients=rows,
        flags=flags,
        issues=issues,
        planner_ready=ready,
        nutrition=nutrition,
        search_text=recipe_search_text(recipe["title"], recipe.get("tags") or [], names),
        slot_hints=recipe_slots(recipe.get("tags") or [], recipe["title"]),
    )


def rejection_reasons(imports: Sequence[RecipeImport]) -> dict[str, int]:
    """Recipes kept out of the planner per reason ("unmatched", "no weight", …); a recipe with several
    reasons counts under each."""
    counts: dict[str, int] = {}
    for item in imports:
        for reason in sorted({issue.split(":")[0].split(" coverage")[0] for issue in item.issues}):
            counts[reason] = counts.get(reason, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def implausible_nutrition(per_serving: dict[str, float | None]) -> list[str]:
    """Why a fully weighed recipe's numbers cannot be right (empty when they can): bounds above."""
    kcal = per_serving["kcal"] or 0.0
    grams = per_serving["grams_per_serving"] or 0.0
    sodium = per_serving["sodium_mg"]
    macros_g = sum(per_serving[k] or 0.0 for k in ("protein_g", "fat_g", "carbs_g"))
    out = []
    if not KCAL_PER_SERVING_MIN <= kcal <= KCAL_PER_SERVING_MAX:
        out.append(f"implausible: {kcal:.0f} kcal per serving")
    if sodium is not None and sodium > SODIUM_MG_PER_SERVING_MAX:
        out.append(f"implausible: {sodium:.0f} mg sodium per serving")
    if grams > 0 and kcal * 100 / grams > KCAL_PER_100G_MAX:
        out.append(f"implausible: {kcal * 100 / grams:.0f} kcal per 100 g")
    if macros_g > grams * 1.01:
        out.append(f"implausible: {macros_g:.0f} g of macronutrients in {grams:.0f} g")
    return out


def _nutrition(
    rows: list[IngredientRow], nutrients: dict[int, dict[str, float | None]], servings: int
) -> dict[str, float | None]:
    totals = dict.fromkeys(NUTRIENT_COLUMNS.values(), 0.0)
    missing = set()
    weighed = covered = 0.0
    for row in rows:
        if row.grams is None or row.food_id is None or (row.confidence or 0) < MATCH_CONFIDENCE_MIN:
            continue
        weighed += row.grams
        facts = nutrients.get(row.food_id)
        if facts is None:
            continue
        covered += row.grams
        for column, value in facts.items():
            if value is None:
                missing.add(column)
            else:
                totals[column] += value * row.grams / 100.0
    out: dict[str, float | None] = {
        k: None if k in missing else round(v / servings, 2) for k, v in totals.items()
    }
    out["grams_per_serving"] = round(weighed / servings, 1)
    out["coverage"] = round(covered / weighed, 3) if weighed else None
    return out


_RECIPE_COLUMNS = (
    ("source", "text"),
    ("source_id", "text"),
    ("title", "text"),
    ("description", "text"),
    ("servings", "int4"),
    ("servings_text", "text"),
    ("prep_minutes", "int4"),
    ("cook_minutes", "int4"),
    ("total_minutes", "int4"),
    ("instructions", "jsonb"),
    ("notes", "jsonb"),
    ("tags", "text[]"),
    ("cuisines", "text[]"),
    ("author", "text"),
    ("source_url", "text"),
    ("license", "text"),
    ("slot_hints", "text[]"),
    ("allergens", "text[]"),
    ("diets", "text[]"),
    ("contains_pork", "bool"),
    ("contains_alcohol", "bool"),
    ("flag_reasons", "jsonb"),
    ("planner_ready", "bool"),
    ("import_issues", "jsonb"),
    ("search_text", "text"),
    ("embedding", "vector"),
    ("embedding_key", "text"),
)


def upsert_recipes(
    session: Session, embedder: Embedder, imports: Sequence[RecipeImport], cache: VectorCache
) -> int:
    conn = driver_connection(session)
    vectors, keys, _ = cache.embed(embedder, [r.search_text for r in imports])
    rows = []
    for i, item in enumerate(imports):
        data = item.data
        prep, cook = parse_minutes(data.get("prep_time")), parse_minutes(data.get("cook_time"))
        total = (prep or 0) + (cook or 0) if prep is not None or cook is not None else None
        rows.append(
            (
                RECIPE_SOURCE,
                item.source_id,
                data["title"][:300],
                data.get("description"),
                data.get("servings"),
                (data.get("servings_text") or None) and str(data["servings_text"])[:120],
                prep,
                cook,
                total,
                Jsonb(data.get("instructions") or []),
                Jsonb(data.get("notes")) if data.get("notes") else None,
                [t[:60] for t in data.get("tags") or []],
                [c[:60] for c in data.get("cuisine") or []],
                (data.get("author") or None) and str(data["author"])[:120],
                data.get("source_url"),
                str(data.get("license") or "Unlicense")[:120],
                item.slot_hints,
                item.flags.sorted_allergens(),
                item.flags.sorted_diets(),
                item.flags.contains_pork,
                item.flags.contains_alcohol,
                Jsonb(item.flags.reasons),
                item.planner_ready,
                Jsonb(item.issues),
                item.search_text,
                vectors[i],
                keys[i],
            )
        )
    returned = _copy_upsert(
        conn,
        "recipes",
        _RECIPE_COLUMNS,
        rows,
        ("source", "source_id"),
        returning="id, source_id",
        touch_updated_at=True,
    )
    ids = {source_id: recipe_id for recipe_id, source_id in returned}
    with conn.cursor() as cur:
        cur.execute("DELETE FROM recipe_ingredients WHERE recipe_id = ANY(%s)", (list(ids.values()),))
        cur.execute("DELETE FROM recipe_nutrition WHERE recipe_id = ANY(%s)", (list(ids.values()),))
    ingredient_rows = (
        (
            ids[item.source_id],
            row.position,
            (row.group_name or None) and str(row.group_name)[:200],
            row.parsed.raw[:500],
            row.parsed.quantity,
            row.parsed.unit,
            (row.parsed.name or row.parsed.raw)[:300],
            row.grams,
            row.grams_method,
            row.food_id,
            row.confidence,
            row.parsed.is_optional,
        )
        for item in imports
        for row in item.ingredients
    )
    _copy_upsert(
        conn,
        "recipe_ingredients",
        (
            ("recipe_id", "int4"),
            ("position", "int4"),
            ("group_name", "text"),
            ("raw_text", "text"),
            ("quantity", "float8"),
            ("unit", "text"),
            ("name", "text"),
            ("grams", "float8"),
            ("grams_method", "text"),
            ("food_id", "int4"),
            ("match_confidence", "float8"),
            ("is_optional", "bool"),
        ),
        ingredient_rows,
        ("recipe_id", "position"),
    )
    nutrition_rows = (
        (
            ids[item.source_id],
            int(item.data["servings"]),
            item.nutrition["grams_per_serving"] or 0.0,
            item.nutrition["kcal"] or 0.0,
            item.nutrition["protein_g"] or 0.0,
            item.nutrition["fat_g"] or 0.0,
            item.nutrition["carbs_g"] or 0.0,
            item.nutrition["fiber_g"],
            item.nutrition["sugars_g"],
            item.nutrition["saturated_fat_g"],
            item.nutrition["sodium_mg"],
            item.nutrition["coverage"] or 0.0,
        )
        for item in imports
        if item.nutrition is not None and item.nutrition["coverage"] is not None
    )
    _copy_upsert(
        conn,
        "recipe_nutrition",
        (
            ("recipe_id", "int4"),
            ("servings", "int4"),
            ("grams_per_serving", "float8"),
            *(
                (c, "float8")
                for c in (
                    "kcal",
                    "protein_g",
                    "fat_g",
                    "carbs_g",
                    "fiber_g",
                    "sugars_g",
                    "saturated_fat_g",
                    "sodium_mg",
                    "coverage",
                )
            ),
        ),
        nutrition_rows,
        ("recipe_id",),
    )
    return len(ids)


# Spelling vocabulary -----------------------------------------------------------------------------------

_VOCABULARY_SOURCES = {"foods": "foods", "exercises": "exercises", "recipes": "recipes"}


# The words of a domain's rows (3-64 letters of their search text) with how often each occurs.
_INSERT_WORD_COUNTS = (
    "INSERT INTO search_terms (domain, term, frequency) SELECT %(domain)s, word, count(*)"
    " FROM (SELECT regexp_split_to_table(lower(search_text), '[^a-z]+') AS word FROM {table}{rows}) w"
    " WHERE length(word) BETWEEN 3 AND 64 GROUP BY word"
)


def refresh_vocabulary(session: Session, domain: str) -> int:
    """Rebuild the domain's word list from its rows' search text (words of 3+ letters, with counts)."""
    sql = _INSERT_WORD_COUNTS.format(table=_VOCABULARY_SOURCES[domain], rows="")
    with driver_connection(session).cursor() as cur:
        cur.execute("DELETE FROM search_terms WHERE domain = %s", (domain,))
        cur.execute(sql, {"domain": domain})
        return cur.rowcount


def add_vocabulary_words(session: Session, domain: str, row_ids: Sequence[int]) -> None:
    """Add the words of these rows to the domain's word list, counts added to those already there."""
    sql = _INSERT_WORD_COUNTS.format(table=_VOCABULARY_SOURCES[domain], rows=" WHERE id = ANY(%(ids)s)")
    sql += " ON CONFLICT (domain, term) DO UPDATE SET frequency = search_terms.frequency + EXCLUDED.frequency"
    with driver_connection(session).cursor() as cur:
        cur.execute(sql, {"domain": domain, "ids": list(row_ids)})


# The embedding cache ----------------------------------------------------------------------------------


def cache_path(root: Path, dataset: str) -> Path:
    return root / EMBEDDINGS_DIR / f"{dataset}.npz"


def build_embedding_cache(root: Path, embedder: Embedder) -> dict[str, int]:
    """Embed every row's current text and write the cache files (knowledge/build_data.py)."""
    foods = read_foods(root)
    food_texts = [derive_food(r)[2] for r in foods]
    exercises = read_exercises(root)
    exercise_texts = [exercise_text(r) for r in exercises]
    recipes = read_recipes(root)
    recipe_texts: list[str] = []
    names: dict[str, None] = {}
    for recipe in recipes:
        parsed = [parse_line(line) for _, line in _ingredient_lines(recipe)]
        for p in parsed:
            if p.name:
                names.setdefault(p.name, None)
        recipe_texts.append(
            recipe_search_text(recipe["title"], recipe.get("tags") or [], [p.name for p in parsed if p.name])
        )
    counts = {}
    for dataset, texts in (
        ("foods", food_texts),
        ("exercises", exercise_texts),
        ("recipes", recipe_texts + list(names)),
    ):
        old = VectorCache(cache_path(root, dataset))
        vectors, keys, computed = old.embed(embedder, texts)
        save_cache(cache_path(root, dataset), keys, np.asarray(vectors, dtype=np.float32))
        counts[dataset] = len(set(keys))
        del computed
    return counts


def vectors_for(cache: VectorCache, embedder: Embedder, texts: Sequence[str]) -> Vectors:
    return cache.embed(embedder, texts)[0]
