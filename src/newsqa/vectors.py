"""What a build embeds for an article, how it is embedded (each distinct text once, with
checkpoints), and how the stored chunk and sentence vectors are made of it. Two
representations (``Settings.vectors``):

- ``"sentences"``: each sentence alone, plus the article's title once. A sentence's vector
  is its own vector plus ``title_weight`` times the title's; a chunk's is the mean of its
  sentences' own vectors plus the same share of the title. Every character of the article
  is embedded once: this runs at the embedder's own speed.
- ``"chunks+sentences"`` (the default): every chunk and every sentence embedded with the
  title in front: about 2.7 times the embedding work. English questions need the chunk
  vectors: without them their answer accuracy drops by about 0.02 on the dev sets, while
  Vietnamese ones change by under 0.01 (docs/BENCHMARKS.md, "Representations")."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from .chunking import title_context
from .embedding import Embedder
from .layout import Checkpoint
from .models import Article, Chunk, Progress, Sentence

REPRESENTATIONS = ("sentences", "chunks+sentences")


@dataclass(frozen=True)
class Representation:
    """How an index's vectors are made; written into its manifest, so that a change
    re-embeds."""

    kind: str  # Settings.vectors
    title_weight: float  # Settings.title_weight

    def texts(self, art: Article, sents: list[Sentence], chunks: list[Chunk]) -> list[str]:
        """The texts to embed for ``art``, in the order :meth:`compose` reads them."""
        title = title_context(art.title)
        if self.kind == "chunks+sentences":
            return ([f"{title}\n{c.text}" for c in chunks]
                    + [f"{title}\n{art.text[s.start:s.end]}" for s in sents])
        return ([title] if title.strip() else []) + [art.text[s.start:s.end] for s in sents]

    def compose(self, vectors: np.ndarray, sents: list[Sentence],
                chunks: list[Chunk]) -> tuple[np.ndarray, np.ndarray]:
        """(chunk vectors, sentence vectors) of one article from the vectors of
        :meth:`texts`, each row L2-normalised."""
        if self.kind == "chunks+sentences":
            return vectors[:len(chunks)], vectors[len(chunks):]
        has_title = len(vectors) == len(sents) + 1
        own = vectors[1:] if has_title else vectors
        title = vectors[0] if has_title else np.zeros(vectors.shape[1], dtype=np.float32)
        weight = self.title_weight
        sent_vecs = _unit(own + weight * title)
        first = {(s.start, s.end): i for i, s in enumerate(sents)}
        chunk_vecs = np.empty((len(chunks), vectors.shape[1]), dtype=np.float32)
        for j, c in enumerate(chunks):
            lo, hi = first[c.sentences[0]], first[c.sentences[-1]] + 1
            chunk_vecs[j] = _unit(_unit(own[lo:hi].mean(axis=0)) + weight * title)
        return chunk_vecs, sent_vecs


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    out: np.ndarray = (x / np.where(norms == 0, 1.0, norms)).astype(np.float32)
    return out


def checkpoint_key(emb: Embedder, params: dict[str, Any]) -> str:
    """The name of a build's checkpoint: the same embedder and parameters resume it."""
    spec = json.dumps([emb.id, emb.dim, params], sort_keys=True)
    return hashlib.sha256(spec.encode("utf-8")).hexdigest()[:16]


def text_key(text: str) -> str:
    """The key of an embedded text in a build's checkpoint."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def embed_texts(emb: Embedder, texts: list[str], *, batch: int, stage: str,
               progress: Progress | None, checkpoint: Checkpoint,
               done: dict[str, np.ndarray], every: int) -> tuple[np.ndarray, int]:
    """Vectors of ``texts`` and how many were embedded now. Each distinct text is embedded
    once (boilerplate repeated across articles, or a line repeated inside one, costs one
    embedding); texts an interrupted build already embedded come from its checkpoint, and
    new work is checkpointed every ``every`` texts."""
    rows: dict[str, int] = {}
    where = np.fromiter((rows.setdefault(t, len(rows)) for t in texts), dtype=np.int64,
                        count=len(texts))
    distinct = list(rows)
    keys = [text_key(t) for t in distinct]
    out = np.zeros((len(distinct), emb.dim), dtype=np.float32)
    todo = []
    for i, key in enumerate(keys):
        if key in done:
            out[i] = done[key]
        else:
            todo.append(i)
    reused = len(distinct) - len(todo)
    if progress:
        progress(stage, reused, len(distinct))
    pending: list[int] = []
    groups = [todo[start:start + batch] for start in range(0, len(todo), batch)]
    vectors = emb.embed_many([[distinct[i] for i in idx] for idx in groups])
    finished = 0
    for idx, vecs in zip(groups, vectors, strict=True):
        out[idx] = vecs
        pending += idx
        finished += len(idx)
        if len(pending) >= every or finished == len(todo):
            checkpoint.add([keys[i] for i in pending], out[pending])
            pending = []
        if progress:
            progress(stage, reused + finished, len(distinct))
    return out[where], len(todo)
