"""Hybrid search over foods, recipes and exercises: full text, trigram and vector candidates, fused.

One SQL round trip gathers up to `CANDIDATES` rows from each retriever, filters applied inside each:
- full text (`search_tsv`, English stemming, terms OR-ed, ranked by `ts_rank_cd`): exact words and aliases;
- trigram word similarity on the name (GIN): spelling mistakes ("brocoli");
- vector nearest neighbours (HNSW, cosine; iterative scan so that filters still fill the list; exact for the
  small exercises table and for ingredient matching): meaning.
Python then fuses the three rankings by reciprocal rank fusion (k = 10, sharper than the usual 60 for
short lists) and adds three priors: the query names the row's head noun ("egg" → "Egg, whole, raw", not
"Noodles, egg"), the share of query words present in the name, and the row's `search_boost` (generic
staples up). Scores are comparable within one query only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from knowledge.embeddings import Embedder, Vectors
from knowledge.text import normalise_query
from store.vocabulary import Allergen, Diet, Equipment, Experience

CANDIDATES = 40
RRF_K = 10.0
RRF_WEIGHT = 0.6
# OR-ed full text runs only when fewer rows than this contain every query word.
FTS_GATE = 5
# OR-ed full text ranks by cover density (`ts_rank_cd`), ~5 µs a row: a long query ("mixed fruit juice with
# low fat yogurt") matches ~3,000 foods, 15 ms. The cheap `ts_rank` (~0.5 µs) picks the best FTS_POOL first;
# measured on 500 benchmark queries, the cover-density top 40 then differs for 10 (tail order only).
FTS_POOL = 400
# The OR-ed full text matches rows by the query's rarer words only: a word in more rows than this ("low",
# "fat", "juice", "mixed") still counts in the ranking but does not pull in a third of the foods (all
# words frequent: all of them match, as before). Measured on the 500 benchmark food queries: p95 16–17 →
# 13–14 ms; the quality sets unchanged; of the top-1s that moved beyond build-to-build noise, two became
# right ("filled with egg turnover", "loi veal") and one typo query stayed wrong differently.
FTS_MAX_DOCUMENT_FREQUENCY = 300
TRIGRAM_THRESHOLD = 0.4
HEAD_MATCH_BONUS = 0.9
COVERAGE_WEIGHT = 0.8
BOOST_WEIGHT = 1.0
# Ingredient matching (recipes): prefer what a recipe weighs, raw or dry, over cooked forms and dishes.
INGREDIENT_STATE_BONUS = {"raw": 0.25, "dry": 0.2, "ready": 0.1, "unknown": 0.0, "cooked": -0.15}

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset({"a", "an", "and", "or", "of", "the", "with", "in", "for", "to", "on", "no", "raw"})


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("oes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) >= 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_COMPOUNDS = re.compile(r"\b(pull|push|sit|chin)-?(ups?)\b")


def exercise_text(text: str) -> str:
    """ "Pullups", "pull-up" and "pull up" alike; "flyes" as "fly"."""
    text = _COMPOUNDS.sub(r"\1 \2", text.lower()).replace("-", " ")
    return re.sub(r"\bfl(?:y|ie)e?s\b", "fly", text)


def query_terms(query: str) -> list[str]:
    return [_stem(w) for w in _TOKEN.findall(query.lower()) if w not in _STOP]


def _vector_literal(vector: Vectors) -> str:
    return "[" + ",".join(f"{x:.5f}" for x in vector.tolist()) + "]"


@dataclass
class Candidate:
    row: dict[str, Any]
    score: float = 0.0
    cosine: float | None = None
    trigram: float | None = None
    coverage: float = 0.0
    head_match: bool = False
    signals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Spec:
    table: str
    name_column: str
    columns: str
    joins: str = ""
    boost: str = "0.0"  # SQL for the row's ranking prior
    # Small tables read exact vector neighbours: a scan of 873 exercises (vectors stored inline, migration
    # 0009) takes ~0.7 ms, less than the HNSW index with a candidate list wide enough to be as good.
    exact_vectors: bool = False


_FOODS = _Spec(
    table="foods",
    name_column="description",
    columns=(
        "t.id, t.description AS name, t.category, t.data_type, t.food_group, t.allergens, t.diets,"
        " t.contains_pork, t.contains_alcohol, t.prep_state, t.is_dish, t.search_boost, t.source,"
        " t.search_text,"
        " n.kcal, n.protein_g, n.fat_g, n.carbs_g, n.fiber_g, n.sugars_g, n.sodium_mg"
    ),
    joins="LEFT JOIN food_nutrients n ON n.food_id = t.id",
    boost="t.search_boost",
)
_RECIPES = _Spec(
    table="recipes",
    name_column="title",
    columns=(
        "t.id, t.title AS name, t.total_minutes, t.servings, t.allergens, t.diets, t.tags, t.cuisines,"
        " t.planner_ready, t.contains_pork, t.contains_alcohol, 0.0 AS search_boost,"
        " rn.kcal, rn.protein_g, rn.fat_g, rn.carbs_g"
    ),
    joins="LEFT JOIN recipe_nutrition rn ON rn.recipe_id = t.id",
)
# The common form of a lift for a plain query ("deadlift" → the barbell deadlift, not the car deadlift):
# strength work with free weights or body weight first, strongman variants last, fewer words first.
_EXERCISE_BOOST = (
    "(CASE t.category WHEN 'strength' THEN 0.2 WHEN 'powerlifting' THEN 0.1 WHEN 'strongman' THEN -0.3"
    " ELSE 0 END + CASE WHEN t.equipment IN ('barbell', 'dumbbell', 'bodyweight') THEN 0.15 ELSE 0 END"
    " - 0.05 * array_length(regexp_split_to_array(t.name, '[ -]+'), 1))"
)
_EXERCISES = _Spec(
    table="exercises",
    name_column="name",
    columns=(
        "t.id, t.name, t.category, t.level, t.equipment, t.equipment_needed, t.primary_muscles,"
        f" t.secondary_muscles, t.force, t.mechanic, {_EXERCISE_BOOST} AS search_boost"
    ),
    boost=_EXERCISE_BOOST,
    exact_vectors=True,
)


def _hybrid(
    session: Session,
    spec: _Spec,
    query: str,
    vector: Vectors,
    where: list[str],
    params: dict[str, Any],
    *,
    use_trigram: bool,
    candidates: int = CANDIDATES,
    max_document_frequency: int = FTS_MAX_DOCUMENT_FREQUENCY,
    exact_vectors: bool = False,
) -> list[Candidate]:
    """The candidates of the four retrievers with their ranks. Two are gated to keep a search within a
    few milliseconds: OR-ed full text runs only when fewer than `candidates` rows contain every query word
    (otherwise it adds nothing), trigram only when a query word is unknown to the vocabulary even after
    spelling correction (the case it exists for). Postgres evaluates each gate once and skips the scan.
    `exact_vectors`: exact nearest neighbours instead of the HNSW index's approximate ones. HNSW builds a
    randomised graph, so two builds of the same rows can answer differently; what is stored from a search
    (ingredient matches) must not depend on that."""
    terms = [t for t in _TOKEN.findall(query) if t not in _STOP] or _TOKEN.findall(query)
    filters = "".join(f" AND {w}" for w in where)
    # The HNSW index serves only `ORDER BY embedding <=> constant`; adding zero makes the planner scan and
    # sort every row instead (exact neighbours, ties by id).
    vector_order = "t.embedding <=> CAST(:qvec AS vector)"
    if exact_vectors or spec.exact_vectors:
        vector_order = f"({vector_order}) + 0, t.id"
    # Identifiers come from the _Spec constants and `where` from our own clause builders; every value is a
    # bound parameter.
    sql = f"""
        WITH alls AS (
            SELECT id, row_number() OVER (ORDER BY boost DESC, len, id) AS r FROM (
                SELECT t.id, {spec.boost} AS boost, length(t.{spec.name_column}) AS len
                FROM {spec.table} t, plainto_tsquery('english', :q) q
                WHERE t.search_tsv @@ q{filters}
                ORDER BY 2 DESC, 3 LIMIT :k) a),
        vec AS (
            SELECT id, row_number() OVER (ORDER BY dist, id) AS r FROM (
                SELECT t.id, t.embedding <=> CAST(:qvec AS vector) AS dist FROM {spec.table} t
                WHERE t.embedding IS NOT NULL{filters}
                ORDER BY {vector_order} LIMIT :k) v),
        rare AS MATERIALIZED (
            SELECT websearch_to_tsquery('english', coalesce(string_agg(w, ' or '), :tsq)) AS rq
            FROM unnest(CAST(:terms AS text[])) w
            WHERE coalesce((SELECT s.frequency FROM search_terms s
                            WHERE s.domain = :domain AND s.term = w), 0) <= :max_df),
        fts AS (
            SELECT id, row_number() OVER (ORDER BY rank DESC, id) AS r FROM (
                SELECT p.id, ts_rank_cd(p.search_tsv, q, 2) AS rank
                FROM (
                    SELECT t.id, t.search_tsv, length(t.{spec.name_column}) AS len
                    FROM {spec.table} t, websearch_to_tsquery('english', :tsq) q, rare
                    WHERE (SELECT count(*) FROM alls) < :fts_gate AND t.search_tsv @@ rare.rq{filters}
                    ORDER BY ts_rank(t.search_tsv, q, 2) DESC, t.id LIMIT :fts_pool) p,
                    websearch_to_tsquery('english', :tsq) q
                ORDER BY rank DESC, p.len, p.id LIMIT :k) f),
        trg AS (
            SELECT id, sim, row_number() OVER (ORDER BY sim DESC, id) AS r FROM (
                SELECT t.id, word_similarity(:q, t.{spec.name_column}) AS sim FROM {spec.table} t
                WHERE CAST(:use_trigram AS boolean) AND :q <% t.{spec.name_column}{filters}
                ORDER BY sim DESC, length(t.{spec.name_column}) LIMIT :k) g),
        ids AS (
            SELECT id FROM vec UNION SELECT id FROM fts UNION SELECT id FROM trg
            UNION SELECT id FROM alls)
        SELECT {spec.columns}, vec.r AS vec_r, t.embedding <=> CAST(:qvec AS vector) AS vec_dist,
               fts.r AS fts_r, trg.r AS trg_r, trg.sim AS trg_sim, alls.r AS all_r
        FROM ids JOIN {spec.table} t ON t.id = ids.id {spec.joins}
        LEFT JOIN vec ON vec.id = t.id LEFT JOIN fts ON fts.id = t.id LEFT JOIN trg ON trg.id = t.id
        LEFT JOIN alls ON alls.id = t.id
    """  # noqa: S608
    rows = session.execute(
        text(sql),
        {
            **params,
            "qvec": _vector_literal(vector),
            "k": candidates,
            "tsq": " or ".join(terms),
            "q": query,
            "use_trigram": use_trigram,
            "fts_gate": FTS_GATE,
            "fts_pool": FTS_POOL,
            "terms": terms,
            "domain": spec.table,
            "max_df": max_document_frequency,
        },
    ).mappings()
    out = []
    for row in rows:
        cand = Candidate(row=dict(row))
        for signal in ("vec", "fts", "trg", "all"):
            rank = row[f"{signal}_r"]
            if rank is not None:
                cand.signals[signal] = int(rank)
                cand.score += RRF_WEIGHT * RRF_K / (RRF_K + rank)
        if row["vec_dist"] is not None:
            cand.cosine = 1.0 - float(row["vec_dist"])
        if row["trg_sim"] is not None:
            cand.trigram = float(row["trg_sim"])
        out.append(cand)
    return out


# USDA names often start with a class ("Spices, cinnamon", "Cheese, feta", "Nuts, almonds"): the thing
# itself is the next segment.
CLASS_HEADS = frozenset(
    {
        "spice",
        "cheese",
        "nut",
        "seed",
        "fish",
        "crustacean",
        "mollusk",
        "cereal",
        "beverage",
        "snack",
        "candy",
        "candie",
        "alcoholic beverage",
        "game meat",
        "bean",
        "pepper",
        "squash",
        "syrup",
        "sugar",
        "salad dressing",
    }
)
# Words that say little about which food is meant: they count a third in the word-coverage prior.
WEAK_TERMS = frozenset(
    {"ground", "dried", "fresh", "whole", "cooked", "chopped", "sliced", "plain", "regular"}
)


@lru_cache(maxsize=32768)
def _name_features(name: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(core head, full head, all words) of a row name; pure, so cached across searches."""
    core, full = _heads(name)
    return frozenset(core), frozenset(full), frozenset(query_terms(name))


def _heads(name: str) -> tuple[set[str], set[str]]:
    """(core head, full head): "Cheese, feta, crumbled" → ({feta}, {cheese, feta})."""
    segments = [s.strip() for s in name.split(",")]
    first = set(query_terms(segments[0]))
    if " ".join(query_terms(segments[0])) in CLASS_HEADS and len(segments) > 1:
        second = set(query_terms(segments[1]))
        return second, first | second
    return first, first


def _head_score(terms: set[str], core: frozenset[str], full: frozenset[str]) -> float:
    """1 when the query names the row's head exactly; less when one only contains the other."""
    if not core or not terms:
        return 0.0
    if terms in (core, full):
        return 1.0
    if core < terms or full < terms:
        return 0.7  # the query adds a qualifier: "whole milk" → "Milk, whole"
    if terms < core or terms < full:
        return 0.4  # the row adds one: "cinnamon" → "Cinnamon buns"
    return 0.0


def _coverage(terms: set[str], words: frozenset[str]) -> float:
    if not terms:
        return 0.0
    weight = {t: (1 / 3 if t in WEAK_TERMS else 1.0) for t in terms}
    return sum(weight[t] for t in terms & words) / sum(weight.values())


SPELLING_MIN_SIMILARITY = 0.45


@dataclass(frozen=True)
class Vocabulary:
    """Each domain's known words (`search_terms`), read into the process: a search whose words are all
    known needs no spelling round trip. Only a shortcut: a word added since it was read costs that round
    trip, never a different answer. Read with `read_vocabulary`, kept fresh by its owner (tools/cache.py)."""

    words: Mapping[str, frozenset[str]]

    def knows_every_word(self, domain: str, query: str) -> bool:
        known = self.words.get(domain, frozenset())
        return all(word in known for word in _spelling_candidates(query))


def read_vocabulary(session: Session) -> Vocabulary:
    words: dict[str, set[str]] = {}
    for domain, term in session.execute(text("SELECT domain, term FROM search_terms")):
        words.setdefault(domain, set()).add(term)
    return Vocabulary({domain: frozenset(terms) for domain, terms in words.items()})


def vocabulary_fingerprint(session: Session) -> tuple[int, int]:
    """Changes whenever words are added (a live food's), removed or recounted (a knowledge load)."""
    count, total = session.execute(
        text("SELECT count(*), coalesce(sum(frequency), 0) FROM search_terms")
    ).one()
    return int(count), int(total)


def _spelling_candidates(query: str) -> list[str]:
    """The words spelling correction looks at: 4+ letters (shorter ones are too ambiguous to correct)."""
    return sorted({w for w in query.split() if len(w) >= 4 and w.isalpha()})


def _checked_spelling(
    session: Session, domain: str, query: str, vocabulary: Vocabulary | None, *, filtered: bool
) -> tuple[str, bool]:
    """`_prepare`, unless the vocabulary knows every word and the search needs none of the settings it
    sets: HNSW's iterative scan only matters when filters drop rows from the index's candidates, and the
    trigram threshold only when a word is unknown."""
    if vocabulary is not None and not filtered and vocabulary.knows_every_word(domain, query):
        return query, False
    return _prepare(session, domain, query)


def correct_spelling(session: Session, domain: str, query: str) -> str:
    """Replace each word of 4+ letters that the domain's vocabulary lacks by its closest word there
    ("avacado" → "avocado", "chiken" → "chicken"); words it knows, and short ones, stay."""
    return _prepare(session, domain, query)[0]


def _prepare(session: Session, domain: str, query: str) -> tuple[str, bool]:
    """Set this transaction's search settings and correct the query's spelling, in one round trip.
    Returns the corrected query and whether a word stayed unknown (then trigram search is worth it)."""
    words = query.split()
    candidates = _spelling_candidates(query)
    rows = session.execute(
        text(
            "WITH cfg AS MATERIALIZED (SELECT set_config('pg_trgm.word_similarity_threshold', :th, true),"
            " set_config('hnsw.iterative_scan', 'relaxed_order', true))"
            " SELECT q.word, b.term, b.sim FROM cfg, unnest(CAST(:words AS text[])) AS q(word)"
            " LEFT JOIN LATERAL (SELECT s.term, similarity(s.term, q.word) AS sim FROM search_terms s"
            "  WHERE s.domain = :domain AND s.term % q.word"
            "  ORDER BY similarity(s.term, q.word) DESC, s.frequency DESC LIMIT 1) b ON true"
        ),
        {"th": str(TRIGRAM_THRESHOLD), "domain": domain, "words": candidates or [""]},
    ).all()
    fixes: dict[str, str] = {}
    unresolved = False
    for word, best, sim in rows:
        if not word or best == word:
            continue
        if best is not None and sim is not None and sim >= SPELLING_MIN_SIMILARITY:
            fixes[word] = best
        else:
            unresolved = True
    return " ".join(fixes.get(w, w) for w in words), unresolved


# A plain "bacon", "crab" or "egg" means the thing itself, not its analogue ("Bacon, meatless" heads its
# name with the query's word); a query that names the analogue ("meatless bacon", "sugar substitute")
# lifts the penalty.
ANALOGUE_WORDS = frozenset({"meatless", "imitation", "substitute"})
ANALOGUE_PENALTY = 0.3


def _apply_priors(candidates: list[Candidate], query: str, *, exercise: bool = False) -> None:
    terms = set(query_terms(query))
    for cand in candidates:
        name = str(cand.row["name"]).lower()
        if exercise:
            name = exercise_text(name)
        core, full, words = _name_features(name)
        head = _head_score(terms, core, full)
        cand.head_match = head >= 0.7
        cand.coverage = _coverage(terms, words)
        cand.score += HEAD_MATCH_BONUS * head + COVERAGE_WEIGHT * cand.coverage
        cand.score += BOOST_WEIGHT * float(cand.row.get("search_boost") or 0.0)
        if words & ANALOGUE_WORDS and not terms & ANALOGUE_WORDS:
            cand.score -= ANALOGUE_PENALTY


def _rank(candidates: list[Candidate], limit: int) -> list[Candidate]:
    candidates.sort(key=lambda c: (-c.score, c.row["id"]))
    return candidates[:limit]


def diet_clauses(diet: Diet | None, params: dict[str, Any], *, net_carbs_sql: str | None) -> list[str]:
    """SQL conditions for a diet. Halal and kosher can only exclude pork, alcohol and (kosher) shellfish:
    slaughter and meat/dairy rules are not in the data, and the API says so. Keto: net carbs at most 10 g
    (per 100 g for foods, per serving for recipes); unknown carbs fail."""
    if diet is None or diet is Diet.OMNIVORE:
        return []
    if diet in (Diet.VEGAN, Diet.VEGETARIAN, Diet.PESCATARIAN):
        params["diet"] = diet.value
        return ["CAST(:diet AS varchar) = ANY(t.diets)"]
    if diet is Diet.HALAL:
        return ["NOT t.contains_pork", "NOT t.contains_alcohol"]
    if diet is Diet.KOSHER:
        return ["NOT t.contains_pork", "NOT ('shellfish' = ANY(t.allergens))"]
    if diet is Diet.KETO and net_carbs_sql:
        return [net_carbs_sql]
    return []


FOOD_KETO = (
    "EXISTS (SELECT 1 FROM food_nutrients k WHERE k.food_id = t.id"
    " AND k.carbs_g - coalesce(k.fiber_g, 0) <= 10)"
)
RECIPE_KETO = (
    "EXISTS (SELECT 1 FROM recipe_nutrition k WHERE k.recipe_id = t.id"
    " AND k.coverage >= 0.999 AND k.carbs_g - coalesce(k.fiber_g, 0) <= 10)"
)


def allergen_clause(exclude: Sequence[Allergen], params: dict[str, Any]) -> list[str]:
    if not exclude:
        return []
    params["excl"] = sorted({a.value for a in exclude})
    return ["NOT (t.allergens && CAST(:excl AS varchar[]))"]


@dataclass(frozen=True)
class FoodQuery:
    text: str
    limit: int = 10
    category: str | None = None
    data_type: str | None = None
    food_group: str | None = None
    diet: Diet | None = None
    exclude_allergens: tuple[Allergen, ...] = ()
    mode: Literal["search", "ingredient"] = "search"


def search_foods(
    session: Session,
    embedder: Embedder,
    query: FoodQuery,
    *,
    vector: Vectors | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Candidate]:
    normalised = normalise_query(query.text)
    if not normalised:
        return []
    params: dict[str, Any] = {}
    where: list[str] = []
    if query.category:
        params["category"] = query.category.lower()
        where.append("lower(t.category) = :category")
    if query.data_type:
        params["data_type"] = query.data_type
        where.append("t.data_type = :data_type")
    if query.food_group:
        params["food_group"] = query.food_group
        where.append("t.food_group = :food_group")
    where += diet_clauses(query.diet, params, net_carbs_sql=FOOD_KETO)
    where += allergen_clause(query.exclude_allergens, params)
    if vector is None:
        normalised, unresolved = _checked_spelling(
            session, "foods", normalised, vocabulary, filtered=bool(where)
        )
    else:
        _prepare(session, "foods", "")
        unresolved = True  # ingredient names (load time): typos are common, speed matters less
    vector = embedder.embed_query(normalised) if vector is None else vector
    # Ingredient matching (at load, cached) keeps every word in the OR-ed full text and reads exact vector
    # neighbours: it favours recall and reproducible matches over speed.
    everything = query.mode == "ingredient"
    candidates = _hybrid(
        session,
        _FOODS,
        normalised,
        vector,
        where,
        params,
        use_trigram=unresolved,
        max_document_frequency=2**31 - 1 if everything else FTS_MAX_DOCUMENT_FREQUENCY,
        exact_vectors=everything,
    )
    _apply_priors(candidates, normalised)
    if query.mode == "ingredient":
        for cand in candidates:
            cand.score += INGREDIENT_STATE_BONUS.get(str(cand.row["prep_state"]), 0.0)
            if cand.row["is_dish"]:
                cand.score -= 0.3
    return _rank(candidates, query.limit)


@dataclass(frozen=True)
class RecipeQuery:
    text: str
    limit: int = 10
    diet: Diet | None = None
    exclude_allergens: tuple[Allergen, ...] = ()
    max_minutes: int | None = None
    planner_ready: bool | None = None


def search_recipes(
    session: Session, embedder: Embedder, query: RecipeQuery, *, vocabulary: Vocabulary | None = None
) -> list[Candidate]:
    normalised = normalise_query(query.text)
    if not normalised:
        return []
    params: dict[str, Any] = {}
    where: list[str] = []
    where += diet_clauses(query.diet, params, net_carbs_sql=RECIPE_KETO)
    where += allergen_clause(query.exclude_allergens, params)
    if query.max_minutes is not None:
        params["max_minutes"] = query.max_minutes
        where.append("t.total_minutes <= :max_minutes")
    if query.planner_ready is not None:
        params["planner_ready"] = query.planner_ready
        where.append("t.planner_ready = :planner_ready")
    normalised, unresolved = _checked_spelling(
        session, "recipes", normalised, vocabulary, filtered=bool(where)
    )
    vector = embedder.embed_query(normalised)
    candidates = _hybrid(session, _RECIPES, normalised, vector, where, params, use_trigram=unresolved)
    _apply_priors(candidates, normalised)
    return _rank(candidates, query.limit)


@dataclass(frozen=True)
class ExerciseQuery:
    text: str
    limit: int = 10
    muscle: str | None = None
    equipment: Equipment | None = None
    level: Experience | None = None
    category: str | None = None


def search_exercises(
    session: Session, embedder: Embedder, query: ExerciseQuery, *, vocabulary: Vocabulary | None = None
) -> list[Candidate]:
    normalised = " ".join(exercise_text(query.text).split())
    if not normalised:
        return []
    # Exact vector neighbours (no HNSW): filters need no index setting.
    normalised, unresolved = _checked_spelling(session, "exercises", normalised, vocabulary, filtered=False)
    params: dict[str, Any] = {}
    where: list[str] = []
    if query.muscle:
        params["muscle"] = query.muscle
        where.append("CAST(:muscle AS varchar) = ANY(t.primary_muscles)")
    if query.equipment:
        params["equipment"] = query.equipment.value
        where.append("t.equipment = :equipment")
    if query.level:
        params["level"] = query.level.value
        where.append("t.level = :level")
    if query.category:
        params["category"] = query.category
        where.append("t.category = :category")
    vector = embedder.embed_query(normalised)
    candidates = _hybrid(session, _EXERCISES, normalised, vector, where, params, use_trigram=unresolved)
    _apply_priors(candidates, normalised, exercise=True)
    return _rank(candidates, query.limit)
