"""The knowledge base's process-wide objects, resolved from settings: data directory and embedder."""

from __future__ import annotations

from pathlib import Path

from knowledge.datasets import data_dir, tokenizer_path
from knowledge.embeddings import Embedder, default_model_path, load_embedder
from store.settings import Settings


def knowledge_root(settings: Settings) -> Path:
    return data_dir(settings.knowledge_data_dir)


def embedder_for(settings: Settings) -> Embedder:
    """The embedder for these settings; built once per process and per (model, tokenizer) pair."""
    model = (settings.embedding_model_path or default_model_path()).resolve()
    tokenizer = tokenizer_path(knowledge_root(settings)).resolve()
    try:
        return load_embedder(model, tokenizer, settings.model_cache_path)
    except OSError:
        if settings.model_cache_dir is not None:
            raise
        # No writable user cache directory (a locked-down container): the var dir is writable.
        return load_embedder(model, tokenizer, (settings.var_dir / "models").resolve())
