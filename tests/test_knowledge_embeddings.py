"""The local embedder and the shipped vector caches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.datasets import read_exercises
from knowledge.embeddings import EMBEDDING_DIM, Embedder, default_model_path, runtime_model
from knowledge.ingest import cache_path, exercise_text, read_match_cache
from knowledge.loader import dataset_versions
from knowledge.runtime import embedder_for, knowledge_root
from knowledge.vectors import VectorCache, dequantise, quantise
from store.settings import Settings


@pytest.fixture(scope="module")
def embedder(settings: Settings) -> Embedder:
    return embedder_for(settings)


def test_unit_vectors_of_384_dimensions(embedder: Embedder) -> None:
    vectors = embedder.embed(["chicken breast", "grilled chicken", "bench press", ""])
    assert vectors.shape == (4, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_meanings_are_closer(embedder: Embedder) -> None:
    chicken, grilled, bench = embedder.embed(["chicken breast", "grilled chicken", "bench press"])
    assert float(chicken @ grilled) > float(chicken @ bench) + 0.2


def test_batching_and_padding_do_not_change_vectors(embedder: Embedder) -> None:
    texts = ["egg", "a much longer sentence about whole wheat bread and butter", "squat"]
    batched = embedder.embed(texts)
    single = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.allclose(batched, single, atol=1e-4)


def test_a_query_and_a_row_of_the_same_text_get_the_same_vector(embedder: Embedder) -> None:
    query = embedder.embed_query("Greek  yogurt")
    row = embedder.embed(["greek yogurt"])[0]
    assert np.allclose(query, row, atol=1e-4)


def test_the_runtime_model_is_derived_once_with_int8_matrix_products(tmp_path: Path) -> None:
    import onnx

    source = default_model_path()
    derived = runtime_model(source, tmp_path)
    assert derived.parent == tmp_path
    assert derived.name.startswith("minilm-")
    ops = {node.op_type for node in onnx.load(str(derived)).graph.node}
    assert "MatMulInteger" in ops  # int8 weights at run time: what makes a query 3x faster
    stamp = derived.stat().st_mtime_ns
    assert runtime_model(source, tmp_path) == derived
    assert derived.stat().st_mtime_ns == stamp
    assert [p.name for p in tmp_path.iterdir()] == [derived.name]  # no scratch files left


def test_query_cache_is_per_instance_and_returns_the_same_vector(embedder: Embedder) -> None:
    first = embedder.embed_query("Greek  Yogurt")
    assert embedder.embed_query("greek yogurt") is first  # normalised, then cached
    assert not first.flags.writeable
    assert np.allclose(first, embedder.embed(["greek yogurt"])[0], atol=1e-5)


def test_int8_quantisation_keeps_cosine(embedder: Embedder) -> None:
    vectors = embedder.embed(["oats", "salmon fillet", "kettlebell swing", "olive oil"])
    restored = dequantise(*quantise(vectors))
    cosines = np.sum(vectors * restored, axis=1)
    assert cosines.min() > 0.995


def test_shipped_caches_match_the_current_texts(settings: Settings, embedder: Embedder) -> None:
    """If this fails, a rule or the model changed: run `python -m knowledge.build_data --embeddings-only`
    (loads stay correct, only slower, until then)."""
    root = knowledge_root(settings)
    cache = VectorCache(cache_path(root, "exercises"))
    texts = [exercise_text(r) for r in read_exercises(root)]
    _, _, computed = cache.embed(embedder, texts[:50])
    assert computed == 0
    version = dataset_versions(root, embedder)["recipes"]
    assert len(read_match_cache(root, version)) > 1000


def test_without_a_writable_user_cache_the_model_is_derived_in_the_var_dir(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_directory = tmp_path / "cache-is-a-file"
    not_a_directory.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_directory))
    local = Settings(**(settings.model_dump() | {"var_dir": tmp_path / "var", "model_cache_dir": None}))
    assert embedder_for(local).embed_query("oats").shape == (EMBEDDING_DIM,)
    assert [p.suffix for p in (tmp_path / "var" / "models").iterdir()] == [".onnx"]

    explicit = Settings(**(local.model_dump() | {"model_cache_dir": not_a_directory / "models"}))
    with pytest.raises(NotADirectoryError):  # an explicit directory is not second-guessed
        embedder_for(explicit)
