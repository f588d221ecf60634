"""Reading the bundled data files (knowledge/data) into typed records. No database here."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from store.vocabulary import Equipment, Experience

PACKAGE_DATA_DIR = Path(__file__).parent / "data"
TOKENIZER_FILE = Path("tokenizer") / "tokenizer.json.gz"
EMBEDDINGS_DIR = Path("embeddings")

FOODS_FILES = ("foods.csv.gz", "food_nutrients.csv.gz", "food_portions.csv.gz", "nutrients.csv")
EXERCISES_FILE = "exercises.json.gz"
RECIPES_FILE = "recipes.jsonl.gz"

# FoodData Central nutrient ids of the planner's columns (see data/README.md).
NUTRIENT_COLUMNS: dict[int, str] = {
    1008: "kcal",
    1003: "protein_g",
    1004: "fat_g",
    1005: "carbs_g",
    1079: "fiber_g",
    2000: "sugars_g",
    1258: "saturated_fat_g",
    1093: "sodium_mg",
}
ALCOHOL_NUTRIENT_ID = 1018

# free-exercise-db equipment → our vocabulary; "other" and null stay unknown unless the name tells.
EQUIPMENT_MAP: dict[str, Equipment] = {
    "body only": Equipment.BODYWEIGHT,
    "barbell": Equipment.BARBELL,
    "dumbbell": Equipment.DUMBBELL,
    "e-z curl bar": Equipment.EZ_BAR,
    "kettlebells": Equipment.KETTLEBELL,
    "cable": Equipment.CABLE,
    "machine": Equipment.MACHINE,
    "bands": Equipment.BANDS,
    "medicine ball": Equipment.MEDICINE_BALL,
    "exercise ball": Equipment.EXERCISE_BALL,
    "foam roll": Equipment.FOAM_ROLLER,
}
LEVEL_MAP: dict[str, Experience] = {
    "beginner": Experience.BEGINNER,
    "intermediate": Experience.INTERMEDIATE,
    "expert": Experience.ADVANCED,
}


def data_dir(configured: Path | None) -> Path:
    return (configured or PACKAGE_DATA_DIR).resolve()


def files_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _read_csv_gz(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


@dataclass
class FoodRecord:
    """A food as any source gives it: bundled SR28 rows and live FDC rows go through the same ingest."""

    source: str
    source_id: str
    description: str
    category: str | None
    data_type: str
    nutrients: dict[int, float]  # FDC nutrient id → amount per 100 g; absent = not analysed
    portions: list[tuple[int, float, str, float]] = field(default_factory=list)  # seq, amount, measure, g
    fdc_id: int | None = None
    common_names: str | None = None
    brand: str | None = None
    refuse_pct: float | None = None


@dataclass(frozen=True)
class NutrientInfo:
    id: int
    name: str
    unit: str
    sr28_number: int | None


def read_nutrients(root: Path) -> list[NutrientInfo]:
    with (root / "nutrients.csv").open(encoding="utf-8", newline="") as handle:
        return [
            NutrientInfo(int(r["nutrient_id"]), r["name"], r["unit"], int(r["sr28_nutr_no"] or 0) or None)
            for r in csv.DictReader(handle)
        ]


def read_foods(root: Path) -> list[FoodRecord]:
    nutrients: dict[str, dict[int, float]] = defaultdict(dict)
    for row in _read_csv_gz(root / "food_nutrients.csv.gz"):
        nutrients[row["ndb_no"]][int(row["nutrient_id"])] = float(row["amount"])
    portions: dict[str, list[tuple[int, float, str, float]]] = defaultdict(list)
    for row in _read_csv_gz(root / "food_portions.csv.gz"):
        portions[row["ndb_no"]].append(
            (int(row["seq"]), float(row["amount"]), row["measure"], float(row["gram_weight"]))
        )
    foods = []
    for row in _read_csv_gz(root / "foods.csv.gz"):
        ndb = row["ndb_no"]
        foods.append(
            FoodRecord(
                source="sr28",
                source_id=ndb,
                description=row["description"],
                category=row["food_category"] or None,
                data_type=row["data_type"] or "sr28",
                nutrients=nutrients.get(ndb, {}),
                portions=sorted(portions.get(ndb, [])),
                common_names=row["common_name"] or None,
                brand=row["manufacturer"] or None,
                refuse_pct=float(row["refuse_pct"]) if row["refuse_pct"] else None,
            )
        )
    return foods


@dataclass
class ExerciseRecord:
    source_id: str
    name: str
    category: str
    force: str | None
    mechanic: str | None
    level: Experience
    equipment: Equipment | None
    equipment_raw: str | None
    equipment_needed: list[str]
    primary_muscles: list[str]
    secondary_muscles: list[str]
    instructions: list[str]


_PULL_UP_BAR = ("pull-up", "pullup", "chin-up", "chinup", "hanging", "muscle up")
_CARDIO = (
    "treadmill",
    "bicycling, stationary",
    "recumbent bike",
    "elliptical",
    "stairmaster",
    "stair climber",
    "rowing, stationary",
    "step mill",
    "trail running/walking",
)


def _equipment(name: str, raw: str | None) -> tuple[Equipment | None, list[str]]:
    lowered = name.lower()
    main = EQUIPMENT_MAP.get(raw or "")
    if main is None and any(word in lowered for word in _PULL_UP_BAR):
        main = Equipment.PULL_UP_BAR
    if main is None and any(word in lowered for word in _CARDIO):
        main = Equipment.CARDIO_MACHINE
    needed: list[str] = []
    if main is not None and main is not Equipment.BODYWEIGHT:
        needed.append(main.value)
    if "bench" in lowered and Equipment.BENCH.value not in needed:
        needed.append(Equipment.BENCH.value)
    if any(word in lowered for word in _PULL_UP_BAR) and Equipment.PULL_UP_BAR.value not in needed:
        needed.append(Equipment.PULL_UP_BAR.value)
    return main, needed


def read_exercises(root: Path) -> list[ExerciseRecord]:
    with gzip.open(root / EXERCISES_FILE, "rt", encoding="utf-8") as handle:
        raw: list[dict[str, Any]] = json.load(handle)
    records = []
    for item in raw:
        equipment, needed = _equipment(item["name"], item.get("equipment"))
        records.append(
            ExerciseRecord(
                source_id=item["id"],
                name=item["name"],
                category=item["category"],
                force=item.get("force"),
                mechanic=item.get("mechanic"),
                level=LEVEL_MAP[item["level"]],
                equipment=equipment,
                equipment_raw=item.get("equipment"),
                equipment_needed=needed,
                primary_muscles=list(item.get("primaryMuscles") or []),
                secondary_muscles=list(item.get("secondaryMuscles") or []),
                instructions=list(item.get("instructions") or []),
            )
        )
    return records


def read_recipes(root: Path) -> list[dict[str, Any]]:
    with gzip.open(root / RECIPES_FILE, "rb") as handle:
        return [json.loads(line) for line in io.TextIOWrapper(handle, encoding="utf-8") if line.strip()]


def tokenizer_path(root: Path) -> Path:
    return root / TOKENIZER_FILE
