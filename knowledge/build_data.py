"""Build knowledge/data from ../shared/data (maintainers only; the service and tests read knowledge/data).

    python -m knowledge.build_data [--shared ../shared/data] [--embeddings-only]

Copies the compact source files (gzipped, mtime 0 so rebuilds are byte-identical), the tokenizer and the
licences, then precomputes the embeddings of every row (int8, see knowledge/vectors.py) so that a first
`knowledge load` does not spend ~17 s in the model.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
from pathlib import Path

from knowledge.datasets import FOODS_FILES, PACKAGE_DATA_DIR
from knowledge.embeddings import Embedder

SHARED_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data"
TOKENIZER_FILES = (
    "config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "sentence_bert_config.json",
    "modules.json",
    "MODEL_CARD.md",
    "1_Pooling/config.json",
)


def _gzip_copy(src: Path, dst: Path) -> None:
    with src.open("rb") as fin, dst.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        shutil.copyfileobj(fin, out)


def copy_sources(shared: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in FOODS_FILES:
        shutil.copyfile(shared / "usda" / name, out / name)
    _gzip_copy(shared / "exercises" / "exercises.json", out / "exercises.json.gz")
    shutil.copyfile(shared / "exercises" / "LICENSE.md", out / "LICENSE-free-exercise-db.md")
    shutil.copyfile(shared / "recipes" / "recipes.jsonl.gz", out / "recipes.jsonl.gz")
    shutil.copyfile(
        shared / "recipes" / "LICENSE-public-domain-recipes.md", out / "LICENSE-public-domain-recipes.md"
    )
    tokenizer_src = shared / "models" / "all-MiniLM-L6-v2"
    tokenizer_out = out / "tokenizer"
    for name in TOKENIZER_FILES:
        (tokenizer_out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tokenizer_src / name, tokenizer_out / name)
    _gzip_copy(tokenizer_src / "tokenizer.json", tokenizer_out / "tokenizer.json.gz")
    for path in out.rglob("*"):
        if path.is_file():
            path.chmod(0o644)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=SHARED_DEFAULT)
    parser.add_argument("--out", type=Path, default=PACKAGE_DATA_DIR)
    parser.add_argument("--embeddings-only", action="store_true")
    args = parser.parse_args()
    if not args.embeddings_only:
        copy_sources(args.shared, args.out)
    from knowledge.embeddings import default_model_path, load_embedder
    from knowledge.ingest import build_embedding_cache
    from store.settings import Settings

    tokenizer = args.out / "tokenizer" / "tokenizer.json.gz"
    embedder = load_embedder(default_model_path(), tokenizer, Settings().model_cache_path)
    counts = build_embedding_cache(args.out, embedder)
    print("embeddings cached:", counts)  # noqa: T201 - a maintainer's script
    print("ingredient matches cached:", build_match_cache(args.out, embedder))  # noqa: T201


def build_match_cache(root: Path, embedder: Embedder) -> int:
    """Load foods and recipes into a scratch embedded PostgreSQL and keep the ingredient matches it made."""
    import tempfile

    from knowledge.ingest import read_match_cache
    from knowledge.loader import dataset_versions, load_knowledge
    from store import migrate
    from store.db import ensure_database, open_database
    from store.embedded import start_or_attach
    from store.settings import Settings

    scratch = Path(tempfile.mkdtemp(prefix="nexfitra-build-"))
    server = start_or_attach(scratch / "pg")
    try:
        ensure_database(server, "build")
        database = open_database(Settings(_env_file=None), url=server.dsn("build"))
        try:
            migrate.upgrade(database.engine)
            load_knowledge(database, embedder, root, only=("foods", "recipes"), write_match_cache=True)
        finally:
            database.close()
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return len(read_match_cache(root, dataset_versions(root, embedder)["recipes"]))


if __name__ == "__main__":
    main()
