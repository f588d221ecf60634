"""Live knowledge sources: USDA FoodData Central and recipe APIs, their PostgreSQL cache and the sync.

Everything here is optional: with no keys configured the service answers from the local knowledge base,
and every failure of a live source is a `SourceError` that callers turn into "local results only"."""
