"""Knowledge benchmark: a full `knowledge load` on a fresh database, then food and exercise search latency
as tool calls (no HTTP) and through HTTP.

    python -m bench.search [--queries 500] [--cold-load]

One embedded PostgreSQL in a temp dir. The load is timed as `nexfitra knowledge load` runs it (shipped
embedding and ingredient-match caches); `--cold-load` first times a load that ignores both caches (every
row embedded, every ingredient searched). Queries are generated deterministically from the data (food
names, their synonyms and misspellings, exercise names and muscles), so nearly all are distinct: the first
pass pays the query embedding (~3 ms) each time; a second pass shows the warm, cached-embedding figure.
HTTP runs go through uvicorn (one worker, its own process) with a bearer token, one request at a time.
Goals: food p95 <= 15 ms, exercise p95 <= 10 ms (tool calls), full load <= 120 s on 2 cores.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.rest import _seed, _served, _settings

FOOD_GOAL_P95_MS = 15.0
EXERCISE_GOAL_P95_MS = 10.0
LOAD_GOAL_S = 120.0
SEED = 20261125


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(ordered[-1], 2),
    }


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1 :]  # drop one letter


def food_queries(root: Path, n: int) -> list[str]:
    from knowledge.datasets import read_foods

    rng = random.Random(SEED)
    heads: list[str] = []
    for food in read_foods(root):
        parts = [p.strip().lower() for p in food.description.split(",")]
        heads.append(parts[0] if len(parts) == 1 or len(parts[0]) > 12 else f"{parts[1]} {parts[0]}")
    distinct = sorted(set(heads))
    rng.shuffle(distinct)
    extra = ["garbanzo", "courgette", "yoghurt", "aubergine", "rocket", "minced beef", "crisps", "prawns"]
    queries = extra + distinct[: n - len(extra)]
    return [_typo(q, rng) if rng.random() < 0.1 else q for q in queries][:n]


def exercise_queries(root: Path, n: int) -> list[str]:
    from knowledge.datasets import read_exercises

    rng = random.Random(SEED + 1)
    out = []
    exercises = read_exercises(root)
    for ex in exercises:
        words = ex.name.lower().replace("-", " ").split()
        out.append(" ".join(words[-2:]) if len(words) > 2 else " ".join(words))
        out.append(f"{ex.primary_muscles[0]} {ex.equipment_raw or 'bodyweight'}")
    distinct = sorted(set(out))
    rng.shuffle(distinct)
    return distinct[:n]


def _time_calls(call: Callable[[str], Any], queries: list[str]) -> list[float]:
    samples = []
    for q in queries:
        started = time.perf_counter()
        call(q)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument(
        "--cold-load", action="store_true", help="also time a load without the shipped caches"
    )
    args = parser.parse_args()

    from knowledge.loader import load_knowledge
    from knowledge.runtime import embedder_for, knowledge_root
    from knowledge.search import ExerciseQuery, FoodQuery, read_vocabulary, search_exercises, search_foods
    from store import migrate
    from store.db import ensure_database, open_database
    from store.embedded import start_or_attach

    results: dict[str, Any] = {}
    root_dir = Path(tempfile.mkdtemp(prefix="nexfitra-bench-search-"))
    server = start_or_attach(root_dir / "pg")
    try:
        if args.cold_load:
            cold_data = root_dir / "cold-data"
            shutil.copytree(knowledge_root(_settings("", root_dir / "var")), cold_data)
            shutil.rmtree(cold_data / "embeddings")
            (cold_data / "ingredient_matches.json.gz").unlink()
            ensure_database(server, "cold")
            settings = _settings(server.dsn("cold"), root_dir / "var")
            settings = settings.model_copy(update={"knowledge_data_dir": cold_data})
            database = open_database(settings, url=settings.database_url)
            migrate.upgrade(database.engine)
            started = time.perf_counter()
            load_knowledge(database, embedder_for(settings), knowledge_root(settings))
            results["load_cold_s"] = round(time.perf_counter() - started, 1)
            database.close()
            print(f"full load, no caches: {results['load_cold_s']} s")

        ensure_database(server, "nexfitra")
        settings = _settings(server.dsn("nexfitra"), root_dir / "var")
        database = open_database(settings, url=settings.database_url)
        migrate.upgrade(database.engine)
        embedder = embedder_for(settings)
        started = time.perf_counter()
        reports = load_knowledge(database, embedder, knowledge_root(settings))
        results["load_s"] = round(time.perf_counter() - started, 1)
        results["load_by_dataset_s"] = {r.name: round(r.seconds, 1) for r in reports}
        print(f"full load on a fresh database: {results['load_s']} s {results['load_by_dataset_s']}")

        root = knowledge_root(settings)
        foods = food_queries(root, args.queries)
        exercises = exercise_queries(root, args.queries)
        with database.session() as session:
            # As the service calls them: with the app's in-process vocabulary (api/knowledge.py).
            vocabulary = read_vocabulary(session)

            def food(q: str) -> object:
                return search_foods(session, embedder, FoodQuery(q), vocabulary=vocabulary)

            def exercise(q: str) -> object:
                return search_exercises(session, embedder, ExerciseQuery(q), vocabulary=vocabulary)

            food("warm up")
            food_cold = _time_calls(food, foods)
            food_warm = _time_calls(food, foods)
            ex_cold = _time_calls(exercise, exercises)
            ex_warm = _time_calls(exercise, exercises)
        results["tool"] = {
            "food_first_pass": _percentiles(food_cold),
            "food_cached_embedding": _percentiles(food_warm),
            "exercise_first_pass": _percentiles(ex_cold),
            "exercise_cached_embedding": _percentiles(ex_warm),
            "queries": {"food": len(foods), "exercise": len(exercises)},
        }

        _, token = _seed(database, settings)
        headers = {"Authorization": f"Bearer {token}"}
        env = {
            "DATABASE_URL": server.dsn("nexfitra"),
            "NEXFITRA_SECRET_KEY": settings.jwt_secret,
            "NEXFITRA_ENCRYPTION_KEYS": ",".join(
                f"{kid}:{base64.b64encode(key).decode()}" for kid, key in settings.field_keys[1].items()
            ),
            "NEXFITRA_VAR_DIR": str(root_dir / "var"),
            "NEXFITRA_RUN_WORKER_IN_SERVE": "false",
            "NEXFITRA_LOG_LEVEL": "WARNING",
        }
        with (
            _served("search", "api.app:create_app", env, root_dir, "/healthz") as served,
            httpx.Client(base_url=served.url, headers=headers, timeout=30) as client,
        ):
            client.get("/api/v1/foods/search", params={"q": "warm up"}).raise_for_status()
            http: dict[str, Any] = {}
            for name, path, queries in (
                ("food", "/api/v1/foods/search", foods),
                ("exercise", "/api/v1/exercises/search", exercises),
            ):

                def get(q: str, path: str = path) -> httpx.Response:
                    return client.get(path, params={"q": q}).raise_for_status()

                for label in ("first_pass", "cached_embedding"):
                    http[f"{name}_{label}"] = _percentiles(_time_calls(get, queries))
            results["http"] = http
        database.close()
    finally:
        server.stop()
        shutil.rmtree(root_dir, ignore_errors=True)

    tool = results["tool"]
    results["goals"] = {
        "food_p95_ms<=15": tool["food_first_pass"]["p95_ms"] <= FOOD_GOAL_P95_MS,
        "exercise_p95_ms<=10": tool["exercise_first_pass"]["p95_ms"] <= EXERCISE_GOAL_P95_MS,
        "load_s<=120": results["load_s"] <= LOAD_GOAL_S,
    }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
