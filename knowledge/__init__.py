"""Knowledge base: USDA SR28 foods, recipes and exercises in PostgreSQL, embedded locally, searched hybrid.

Where to start:
- tables: store/models/knowledge.py (per-100 g macros as real columns, portions in grams, allergen and diet
  flags, food group, meal-slot hints, prep state; exercises with equipment mapped to our vocabulary);
- load: `nexfitra knowledge load` → knowledge/loader.py (idempotent, versioned in `knowledge_meta`);
- any new food row (e.g. live FoodData Central) goes through `ingest.upsert_foods`, which derives flags,
  classification, search text and embedding: never write `foods` directly;
- search: knowledge/search.py (the engine), wrapped by tools/foods.py, tools/recipes.py, tools/exercises.py;
- rules: flags.py (allergens/diets, "when unsure, flag"), classify.py (groups, slots, staples),
  text.py (aliases, spellings), ingredients.py (ingredient lines → grams);
- data and licences: knowledge/data/README.md; rebuild with `python -m knowledge.build_data`.
"""
