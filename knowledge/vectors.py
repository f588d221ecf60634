"""Precomputed embeddings shipped in knowledge/data/embeddings/*.npz, keyed by content.

Each vector's key is a hash of (embedder fingerprint, exact text), so a row whose text changed, or any
row after a model or tokenizer change, misses the cache and is embedded at load time; nothing stale is
ever used. Vectors are stored int8 with one float32 scale per row (max |x| / 127) and re-normalised on
read: 4x smaller than float32, cosine error below 0.005 (checked in tests/test_knowledge_embeddings.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embeddings import EMBEDDING_DIM, Embedder, Vectors


def embedding_key(fingerprint: str, text: str) -> str:
    return hashlib.sha256(f"{fingerprint}\x00{text}".encode()).hexdigest()[:32]


def quantise(vectors: Vectors) -> tuple[np.ndarray, np.ndarray]:
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    q = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return q, scales.astype(np.float32)


def dequantise(q: np.ndarray, scales: np.ndarray) -> Vectors:
    vectors = q.astype(np.float32) * scales[:, None].astype(np.float32)
    norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    unit: Vectors = (vectors / norms).astype(np.float32)
    return unit


class VectorCache:
    """Read-only lookup into one cache file; a missing file is an empty cache."""

    def __init__(self, path: Path) -> None:
        self._index: dict[str, int] = {}
        self._q = np.zeros((0, EMBEDDING_DIM), dtype=np.int8)
        self._scales = np.zeros((0,), dtype=np.float32)
        if path.exists():
            with np.load(path, allow_pickle=False) as data:
                keys = data["keys"]
                self._q = data["vectors"]
                self._scales = data["scales"]
            self._index = {str(k): i for i, k in enumerate(keys)}

    def __len__(self) -> int:
        return len(self._index)

    def embed(self, embedder: Embedder, texts: Sequence[str]) -> tuple[Vectors, list[str], int]:
        """Vectors for `texts` (cached where possible), their keys, and how many had to be computed."""
        keys = [embedding_key(embedder.fingerprint, t) for t in texts]
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        missing = [i for i, k in enumerate(keys) if k not in self._index]
        hits = [i for i, k in enumerate(keys) if k in self._index]
        if hits:
            rows = np.array([self._index[keys[i]] for i in hits])
            out[hits] = dequantise(self._q[rows], self._scales[rows])
        if missing:
            out[missing] = embedder.embed([texts[i] for i in missing])
        return out, keys, len(missing)


def save_cache(path: Path, keys: Sequence[str], vectors: Vectors) -> None:
    """Write the cache; a file that already holds exactly these keys is left alone (the zip container is
    not byte-reproducible, so rewriting it would churn the repository for nothing)."""
    if path.exists():
        with np.load(path, allow_pickle=False) as data:
            if set(map(str, data["keys"])) == set(keys):
                return
    order = sorted(range(len(keys)), key=lambda i: keys[i])
    unique: dict[str, int] = {}
    for i in order:
        unique.setdefault(keys[i], i)
    idx = list(unique.values())
    q, scales = quantise(vectors[idx])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        np.savez_compressed(handle, keys=np.array(list(unique), dtype="<U32"), vectors=q, scales=scales)
