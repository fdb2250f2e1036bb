"""Hybrid retrieval: dense (FAISS) plus Vietnamese-aware BM25, fused by query coverage."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .index import IndexStore
from .lexicon import translate_terms
from .models import Hit, Turn
from .query import Filters, Query
from .text import fold_word, is_stopword, normalize, search_terms, words
from .tuning import Tuning


@dataclass
class Scored:
    """Per-chunk scores of one query, before they become :class:`Hit` records."""

    rows: np.ndarray
    fused: np.ndarray
    coverage: float


def keyword_coverage(store: IndexStore, query: Query) -> float:
    """Share of the question's content words that the corpus knows, directly or through
    the glossary. English words over a Vietnamese corpus score low, so keyword search
    weighs little there."""
    vocab = store.bm25.vocab_dict
    content = [w for w in words(normalize(query.text)) if not is_stopword(fold_word(w))]
    if not content:
        return 0.0
    known = 0
    for w in content:
        terms = [fold_word(w)]
        if not query.vietnamese:
            terms += [fold_word(x) for x in words(translate_terms(w))]
        known += any(t in vocab for t in terms)
    return known / len(content)


def keyword_weight(store: IndexStore, query: Query, tuning: Tuning) -> tuple[float, float]:
    """(weight of BM25 in the fusion, coverage) for this question."""
    coverage = keyword_coverage(store, query)
    weight = tuning.keyword_weight * coverage * coverage
    if not query.vietnamese:
        weight *= tuning.english_keyword_factor
    return weight, coverage


class Retriever:
    """Scores every chunk of an index for a question."""

    def __init__(self, store: IndexStore, tuning: Tuning | None = None) -> None:
        self.store = store
        self.tuning = tuning or Tuning()
        # An ask counts the articles its filters let through, then searches under them:
        # the mask of the last filters is kept for the second use.
        self._last_mask: tuple[Filters, np.ndarray] | None = None
        self._dates = store.article_dates
        self._sources = [(s or "").casefold() for s in store.article_sources]

    def articles_allowed(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask of the articles that pass the filters (None: all pass)."""
        if filters is None or not filters.active():
            return None
        last = self._last_mask
        if last is not None and last[0] == filters:
            return last[1]
        ok = np.ones(len(self.store.articles), dtype=bool)
        if filters.date_from is not None or filters.date_to is not None:
            lo = filters.date_from.timestamp() if filters.date_from else -np.inf
            hi = filters.date_to.timestamp() if filters.date_to else np.inf
            undated = np.isnan(self._dates)
            with np.errstate(invalid="ignore"):
                in_range = (self._dates >= lo) & (self._dates <= hi)
            ok &= in_range | (undated & filters.include_undated)
        if filters.source:
            want = filters.source.casefold()
            ok &= np.array([want in s for s in self._sources], dtype=bool)
        ok.flags.writeable = False  # shared by the callers of the same filters
        self._last_mask = (filters, ok)
        return ok

    def allowed(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask of chunks whose article passes the filters (None: all pass)."""
        ok = self.articles_allowed(filters)
        if ok is None:
            return None
        chunk_ok: np.ndarray = ok[self.store.chunk_article]
        return chunk_ok

    def score(self, query: Query) -> Scored:
        """Fused scores of the best candidate chunks for a query with its vector, best
        first. The earlier question of a follow-up adds its keywords."""
        store = self.store
        tuning = self.tuning
        qvec = query.vector
        if qvec is None:
            raise ValueError("a query needs its vector before it is scored")
        n = len(store.chunks)
        mask = self.allowed(query.filters)
        if n == 0 or (mask is not None and not mask.any()):
            empty = np.zeros(0)
            return Scored(np.zeros(0, dtype=np.int64), empty, 0.0)
        terms = search_terms(f"{query.expanded} {query.previous_question}", drop_stopwords=True)
        ids = store.bm25.get_tokens_ids(terms)
        kw = store.bm25.get_scores_from_ids(ids) if ids else np.zeros(n, dtype=np.float32)
        if mask is not None:
            kw = np.where(mask, kw, 0)
        allowed = n if mask is None else int(mask.sum())
        if allowed <= tuning.candidates or (mask is not None and
                                            allowed <= tuning.exhaustive_below):
            rows = np.arange(n) if mask is None else np.flatnonzero(mask)
        else:
            cand_n = min(allowed, tuning.candidates)
            dense_rows = self._dense_candidates(qvec, cand_n, mask)
            kw_rows = np.argpartition(-kw, cand_n - 1)[:cand_n] if ids else np.zeros(0, int)
            rows = np.unique(np.concatenate([dense_rows, kw_rows]))
        focus = self.conversation_article(query.last_turn, mask)
        in_focus = None if focus is None else store.chunk_article == focus
        if in_focus is not None:
            rows = np.union1d(rows, np.flatnonzero(in_focus))
        dense = store.chunk_vectors(rows) @ qvec
        share = tuning.sentence_weight
        dense = np.maximum(dense, self._sentence_max(rows, qvec) * share + dense * (1 - share))
        kw_rows = kw[rows].astype(np.float64)
        top = kw_rows.max() if len(kw_rows) else 0.0
        kw_norm = kw_rows / top if top > 0 else np.zeros_like(kw_rows)
        weight, coverage = keyword_weight(store, query, tuning)
        fused = dense + weight * kw_norm
        if in_focus is not None:
            fused += self._conversation_rise(kw, in_focus) * in_focus[rows]
        order = np.argsort(-fused, kind="stable")
        return Scored(rows[order], fused[order], coverage)

    def conversation_article(self, turn: Turn | None, mask: np.ndarray | None) -> int | None:
        """The article row the conversation's last turn was about: the one whose chunk
        best matches that turn's question and answer by keywords (None without a turn)."""
        if turn is None:
            return None
        ids = self.store.bm25.get_tokens_ids(
            search_terms(f"{turn.question} {turn.answer}", drop_stopwords=True))
        if not ids:
            return None
        kw = self.store.bm25.get_scores_from_ids(ids)
        if mask is not None:
            kw = np.where(mask, kw, 0)
        best = int(np.argmax(kw))
        return int(self.store.chunk_article[best]) if kw[best] > 0 else None

    def _conversation_rise(self, kw: np.ndarray, in_focus: np.ndarray) -> float:
        """How far the last turn's article (its chunks: ``in_focus``) rises: fully unless
        the question's own keywords match another article better (it has moved on)."""
        top = float(kw.max()) if len(kw) else 0.0
        if top <= 0:
            return self.tuning.conversation_article_weight
        share = float(kw[in_focus].max()) / top
        return float(self.tuning.conversation_article_weight *
                     share ** self.tuning.conversation_article_power)

    def _dense_candidates(self, qvec: np.ndarray, k: int,
                          mask: np.ndarray | None) -> np.ndarray:
        """The ``k`` nearest chunks by FAISS, among those the mask lets through."""
        import faiss

        params: Any = None
        # FAISS keeps raw pointers: the bits and the selector must live through the search.
        if mask is not None:
            bits = np.packbits(mask, bitorder="little")
            selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
            spec = self.store.manifest.faiss
            if spec.type == "ivf":
                params = faiss.SearchParametersIVF()
                params.nprobe = spec.nprobe
            else:
                params = faiss.SearchParameters()
            params.sel = selector
        _, found = self.store.faiss_index.search(qvec[None, :].astype(np.float32), k,
                                                 params=params)
        rows: np.ndarray = found[0][found[0] >= 0]
        return rows

    def _sentence_max(self, rows: np.ndarray, qvec: np.ndarray) -> np.ndarray:
        """Best sentence cosine inside each chunk (-1 for a chunk without sentences)."""
        spans = self.store.chunk_sentences[rows]
        lengths = np.maximum(spans[:, 1] - spans[:, 0], 0)
        out = np.full(len(rows), -1.0)
        has = lengths > 0
        if not has.any():
            return out
        starts, lens = spans[has, 0], lengths[has]
        idx = np.repeat(starts - np.cumsum(np.r_[0, lens[:-1]]), lens) + np.arange(lens.sum())
        sims = np.asarray(self.store.sentence_vectors[idx]) @ qvec
        out[has] = np.maximum.reduceat(sims, np.r_[0, np.cumsum(lens)[:-1]])
        return out

    def hits(self, scored: Scored, k: int) -> list[Hit]:
        """The first ``k`` scored chunks as :class:`Hit` records."""
        out = []
        for row, fused in zip(scored.rows[:k], scored.fused[:k], strict=False):
            chunk = self.store.chunks[int(row)]
            art = self.store.articles[int(self.store.chunk_article[int(row)])]
            out.append(Hit(chunk_id=int(row), article_id=art.id, title=art.title, date=art.date,
                           source=art.source, url=art.url, text=chunk.text, start=chunk.start,
                           end=chunk.end, score=round(float(fused), 6)))
        return out
