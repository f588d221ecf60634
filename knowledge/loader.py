"""`knowledge load`: bundled foods, exercises and recipes into PostgreSQL, idempotently.

Each dataset has a version: a hash of its data files, of the rule modules that derive its fields
(flags, classification, search text, ingredient parsing) and of the embedder. `knowledge_meta` keeps the
version loaded; a dataset whose version matches is skipped, so a second load changes nothing. Recipes
depend on foods (ingredient matching), so a foods reload reloads recipes too. Each dataset loads in its
own transaction: a failure leaves the previous version in place.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

import knowledge
from knowledge import ingest
from knowledge.datasets import (
    EXERCISES_FILE,
    FOODS_FILES,
    RECIPES_FILE,
    files_digest,
    read_exercises,
    read_foods,
    read_nutrients,
    read_recipes,
)
from knowledge.embeddings import Embedder
from knowledge.vectors import VectorCache
from store.db import Database
from store.models.knowledge import KnowledgeMeta

DATASETS = ("foods", "exercises", "recipes")
# Modules whose rules shape the derived columns: editing one makes the next load refresh the rows.
_RULE_MODULES = (
    "flags.py",
    "classify.py",
    "text.py",
    "ingredients.py",
    "ingest.py",
    "datasets.py",
    "search.py",
)

Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class DatasetReport:
    name: str
    status: str  # loaded | unchanged
    rows: int
    seconds: float
    details: dict[str, Any] = field(default_factory=dict)


def _rules_digest(names: tuple[str, ...]) -> str:
    root = Path(knowledge.__file__).parent
    return files_digest([root / n for n in names])


def dataset_versions(root: Path, embedder: Embedder) -> dict[str, str]:
    rules = _rules_digest(_RULE_MODULES)
    foods = files_digest([root / n for n in FOODS_FILES])
    exercises = files_digest([root / EXERCISES_FILE])
    recipes = files_digest([root / RECIPES_FILE])

    def combine(*parts: str) -> str:
        return hashlib.sha256("|".join((*parts, rules, embedder.fingerprint)).encode()).hexdigest()

    foods_version = combine("foods", foods)
    return {
        "foods": foods_version,
        "exercises": combine("exercises", exercises),
        "recipes": combine("recipes", recipes, foods_version),
    }


def loaded_versions(session: Session) -> dict[str, str]:
    return {m.dataset: m.version for m in session.scalars(select(KnowledgeMeta))}


def is_loaded(database: Database, root: Path, embedder: Embedder) -> bool:
    with database.session() as session:
        return loaded_versions(session) == dataset_versions(root, embedder)


def _set_meta(session: Session, dataset: str, version: str, rows: int, details: dict[str, Any]) -> None:
    meta = session.get(KnowledgeMeta, dataset) or KnowledgeMeta(dataset=dataset)
    meta.version, meta.row_count, meta.details = version, rows, details
    meta.loaded_at = session.scalar(text("SELECT now()"))
    session.add(meta)


def load_knowledge(
    database: Database,
    embedder: Embedder,
    root: Path,
    *,
    force: bool = False,
    only: tuple[str, ...] = DATASETS,
    progress: Progress = _noop,
    write_match_cache: bool = False,
) -> list[DatasetReport]:
    """Load the datasets whose version differs from the loaded one (all with `force`). Maintainers pass
    `write_match_cache` to store the recipe ingredient matches next to the data (knowledge/build_data.py)."""
    versions = dataset_versions(root, embedder)
    with database.session() as session:
        current = loaded_versions(session)
    reports: list[DatasetReport] = []
    for dataset in DATASETS:
        if dataset not in only:
            continue
        if not force and current.get(dataset) == versions[dataset]:
            reports.append(DatasetReport(dataset, "unchanged", 0, 0.0))
            continue
        started = time.perf_counter()
        cache = VectorCache(ingest.cache_path(root, dataset))
        with database.session() as session, _hnsw_rebuilt_after(session, _TABLES[dataset], progress):
            if dataset == "recipes":
                rows, details = _load_recipes(
                    session, embedder, root, cache, progress, write_match_cache=write_match_cache
                )
            else:
                rows, details = _LOADERS[dataset](session, embedder, root, cache, progress)
            details["vocabulary"] = ingest.refresh_vocabulary(session, dataset)
            details["cache_size"] = len(cache)
            _set_meta(session, dataset, versions[dataset], rows, details)
        reports.append(DatasetReport(dataset, "loaded", rows, time.perf_counter() - started, details))
    loaded = [r.name for r in reports if r.status == "loaded"]
    if loaded:
        _vacuum(database, sorted({t for name in loaded for t in _ANALYZE[name]}))
    return reports


def _vacuum(database: Database, tables: list[str]) -> None:
    """VACUUM (ANALYZE) what a load rewrote, outside any transaction. Left to autovacuum, it runs during
    the first minutes of searches and doubles to quadruples their latency (measured with bench/search.py);
    it also sets the visibility map, so index-only scans work from the start."""
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM (ANALYZE) {', '.join(tables)}"))


_TABLES = {"foods": "foods", "exercises": "exercises", "recipes": "recipes"}
_ANALYZE = {
    "foods": ("foods", "food_nutrients", "food_portions", "nutrients", "search_terms"),
    "exercises": ("exercises", "search_terms"),
    "recipes": ("recipes", "recipe_ingredients", "recipe_nutrition", "search_terms"),
}


@contextmanager
def _hnsw_rebuilt_after(session: Session, table: str, progress: Progress) -> Iterator[None]:
    """Drop the table's HNSW index for the bulk write and build it once at the end: inserting ~9k vectors
    into a live HNSW index costs minutes on 2 cores, one build costs seconds. Same name and definition,
    so the schema is unchanged afterwards (`alembic check`)."""
    name = f"ix_{table}_embedding_hnsw"
    definition = session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": name})
    if definition is None:
        yield
        return
    session.execute(text(f"DROP INDEX {name}"))
    yield
    progress(f"{table}: vector index", 0, 1)
    session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    session.execute(text(str(definition)))
    progress(f"{table}: vector index", 1, 1)


def _load_foods(
    session: Session, embedder: Embedder, root: Path, cache: VectorCache, progress: Progress
) -> tuple[int, dict[str, Any]]:
    progress("foods: reading", 0, 1)
    records = read_foods(root)
    ingest.upsert_nutrients(session, read_nutrients(root))
    progress("foods: writing", 0, len(records))
    ids = ingest.upsert_foods(session, embedder, records, cache=cache)
    progress("foods: writing", len(records), len(records))
    portions = sum(len(r.portions) for r in records)
    return len(ids), {"portions": portions}


def _load_exercises(
    session: Session, embedder: Embedder, root: Path, cache: VectorCache, progress: Progress
) -> tuple[int, dict[str, Any]]:
    records = read_exercises(root)
    progress("exercises: writing", 0, len(records))
    count = ingest.upsert_exercises(session, embedder, records, cache)
    progress("exercises: writing", len(records), len(records))
    return count, {}


def _load_recipes(
    session: Session,
    embedder: Embedder,
    root: Path,
    cache: VectorCache,
    progress: Progress,
    *,
    write_match_cache: bool = False,
) -> tuple[int, dict[str, Any]]:
    recipes = read_recipes(root)
    version = dataset_versions(root, embedder)["recipes"]
    known = ingest.read_match_cache(root, version)
    imports, used = ingest.prepare_recipes(session, embedder, recipes, cache, progress, known_matches=known)
    if write_match_cache:
        ingest.write_match_cache(root, version, used)
    count = ingest.upsert_recipes(session, embedder, imports, cache)
    ready = sum(1 for r in imports if r.planner_ready)
    lines = sum(len(r.ingredients) for r in imports)
    matched = sum(
        1
        for r in imports
        for i in r.ingredients
        if i.food_id is not None and (i.confidence or 0) >= ingest.MATCH_CONFIDENCE_MIN
    )
    not_ready = {r.source_id: r.issues[:3] for r in imports if not r.planner_ready}
    return count, {
        "rejected_reasons": ingest.rejection_reasons(imports),
        "matches_from_cache": len(known),
        "planner_ready": ready,
        "ingredient_lines": lines,
        "ingredients_matched": matched,
        "not_ready": not_ready,
    }


_LOADERS: dict[
    str, Callable[[Session, Embedder, Path, VectorCache, Progress], tuple[int, dict[str, Any]]]
] = {
    "foods": _load_foods,
    "exercises": _load_exercises,
    "recipes": _load_recipes,
}
