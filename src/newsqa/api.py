"""The entry point of the Python API: ``newsqa.load(index_dir)`` → :class:`NewsQA`."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from .answer import NO_ANSWER_EN, NO_ANSWER_VI, abstain, answer_question
from .citations import verify
from .dates import VN_TZ
from .embedding import Embedder, get_embedder
from .errors import EmbedderMismatchError
from .index import IndexStore, load_store
from .layout import read_manifest
from .models import Answer, Article, Hit, Turn
from .parts import answer_in_parts
from .query import Filters, Query, clean_query, has_words, make_query
from .restore import Restorer, may_need_restoring
from .retrieve import Retriever
from .settings import Settings
from .text import normalize

FILTERED_ALL_VI = "Bộ lọc đã loại cả {n} bài viết; không còn bài nào để tìm. Hãy nới bộ lọc."
FILTERED_ALL_EN = "The filters exclude all {n} articles; nothing is left to search. Widen them."


class NewsQA:
    """A loaded index with its embedder: search it and ask it questions."""

    def __init__(self, store: IndexStore, embedder: Embedder,
                 settings: Settings | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or Settings()
        self.retriever = Retriever(store, self.settings.tuning)
        self._restorer: Restorer | None = None

    def status(self) -> dict[str, Any]:
        """What the index holds: articles, chunks, sentences, embedder, build time, sources."""
        m = self.store.manifest
        return {"index_dir": str(self.store.path), "articles": m.counts.articles,
                "chunks": m.counts.chunks, "sentences": m.counts.sentences,
                "embedder": m.embedder, "dim": m.dim, "built_at": m.built_at or None,
                "undated": int(np.isnan(self.store.article_dates).sum()),
                "sources": sorted({s for s in self.store.article_sources if s}),
                "date_range": _date_range(self.store)}

    def article(self, article_id: str) -> Article:
        """The article with this id; raises KeyError when the index holds none."""
        return self.store.articles[self.store.article_rows[article_id]]

    def prepare(self, text: str) -> str:
        """A question as it is searched: NFC, tidy white space, capped length, and
        Vietnamese typed without marks given the marks the corpus most likely means."""
        return self._prepare(text)[0]

    def _prepare(self, text: str) -> tuple[str, bool]:
        """:meth:`prepare`'s text, and whether it was given marks."""
        text = clean_query(text, self.settings.max_question_chars)
        if not may_need_restoring(text):
            return text, False
        if self._restorer is None:
            self._restorer = Restorer(self.store.bm25, self.settings.tuning)
        if not self._restorer.needs_restoring(text):
            return text, False
        restored = self._restorer.restore(text)
        return restored, restored != text

    def query(self, question: str, history: list[Turn] | None = None,
              filters: Filters | None = None) -> Query:
        """The question made into the one record the search and the answer read. Only the
        last turn of ``history`` is read, so only it is prepared."""
        turns = list(history or [])
        if turns:
            answer = normalize(turns[-1].answer[:self.settings.max_history_answer_chars])
            # An answer that found nothing names no article the conversation is about.
            if answer.strip() in (NO_ANSWER_VI, NO_ANSWER_EN):
                answer = ""
            turns[-1] = turns[-1].model_copy(update={
                "question": self.prepare(turns[-1].question), "answer": answer})
        text, restored = self._prepare(question)
        tuning = self.settings.tuning
        return make_query(text, turns, filters=filters,
                          follow_up_max_words=tuning.follow_up_max_words, restored=restored,
                          split=tuning.split_questions)

    def with_vector(self, query: Query) -> Query:
        """``query`` (from :meth:`query`) with the vector it is searched by: a follow-up's
        leans toward the question it follows."""
        vec = self.embedder.embed_query(query.text)
        if query.previous is not None:
            # A follow-up searches near both questions.
            hvec = self.embedder.embed_query(query.previous.question)
            tuning = self.settings.tuning
            share = tuning.contrast_history_vector_weight if query.contrast else \
                tuning.history_vector_weight
            vec = vec + share * hvec
            vec = vec / np.linalg.norm(vec)
        return query.with_vector(vec)

    def _k(self, k: int | None) -> int:
        k = self.settings.top_k if k is None else int(k)
        return max(0, min(k, len(self.store.chunks)))

    def filter_counts(self, *, date_from: datetime | None = None,
                      date_to: datetime | None = None, source: str | None = None,
                      include_undated: bool = True) -> tuple[int, int]:
        """(articles searched, articles left out) under these filters."""
        return self._counts(Filters(date_from, date_to, source, include_undated))

    def _counts(self, filters: Filters) -> tuple[int, int]:
        mask = self.retriever.articles_allowed(filters)
        total = len(self.store.articles)
        searched = total if mask is None else int(mask.sum())
        return searched, total - searched

    def search(self, query: str, *, k: int | None = None, date_from: datetime | None = None,
               date_to: datetime | None = None, source: str | None = None,
               include_undated: bool = True) -> list[Hit]:
        """The ``k`` chunks that best match ``query`` (any language), best first. Undated
        articles pass a date filter unless ``include_undated`` is False."""
        k = self._k(k)
        q = self.query(query, filters=Filters(date_from, date_to, source, include_undated))
        if k == 0 or not has_words(q.text):
            return []
        return self.retriever.hits(self.retriever.score(self.with_vector(q)), k)

    def ask(self, question: str, history: list[Turn] | list[dict[str, str]] | None = None, *,
            k: int | None = None, date_from: datetime | None = None,
            date_to: datetime | None = None, source: str | None = None,
            include_undated: bool = True) -> Answer:
        """Answer ``question`` with exact, cited quotes, or abstain when the corpus holds no
        answer. ``history`` lists earlier turns, for follow-up questions. The answer says
        how many articles the filters searched and left out."""
        return self.ask_with_hits(question, history, k=k, date_from=date_from,
                                  date_to=date_to, source=source,
                                  include_undated=include_undated)[0]

    def ask_with_hits(self, question: str,
                      history: list[Turn] | list[dict[str, str]] | None = None, *,
                      k: int | None = None, date_from: datetime | None = None,
                      date_to: datetime | None = None, source: str | None = None,
                      hits_k: int = 10, include_undated: bool = True) -> tuple[Answer, list[Hit]]:
        """:meth:`ask`, also returning the ``hits_k`` best chunks the answer drew on."""
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in history or []]
        filters = Filters(date_from, date_to, source, include_undated)
        q = self.query(question, turns, filters)
        k = self._k(k)
        searched, excluded = self._counts(filters)
        counts = {"searched_articles": searched, "excluded_articles": excluded}
        if filters.active() and searched == 0:
            text = (FILTERED_ALL_VI if q.vietnamese else FILTERED_ALL_EN).format(n=excluded)
            return abstain(q.vietnamese, text=text).model_copy(update=counts), []
        if k == 0 or not has_words(q.text):
            return abstain(q.vietnamese).model_copy(update=counts), []
        threshold = self.settings.abstain_threshold
        if q.parts:
            parts = replace(q, parts=tuple(self.with_vector(p) for p in q.parts))
            answer, hits = answer_in_parts(self.retriever, parts, k=k, threshold=threshold,
                                           hits_k=hits_k)
        else:
            answer, scored = answer_question(self.retriever, self.with_vector(q), k=k,
                                             threshold=threshold)
            hits = self.retriever.hits(scored, hits_k)
        return verify(self.store, answer.model_copy(update=counts)), hits


def _date_range(store: IndexStore) -> tuple[str, str] | None:
    dates = store.article_dates[~np.isnan(store.article_dates)]
    if not len(dates):
        return None
    return tuple(datetime.fromtimestamp(float(f(dates)), VN_TZ).date().isoformat()
                 for f in (np.min, np.max))  # type: ignore[return-value]


def verify_index(index_dir: str | Path) -> dict[str, Any]:
    """Check every file of the index in ``index_dir`` byte for byte (sha256) and load it;
    raises :class:`IndexCorruptError` naming the first damaged file."""
    store = load_store(index_dir, verify=True)
    files = store.manifest.files
    return {"index_dir": str(index_dir), "files": len(files),
            "bytes": sum(f.size for f in files.values()), "articles": len(store.articles)}


def index_version(index_dir: str | Path) -> str:
    """An id of the index now in ``index_dir`` that changes with every build (for caches
    of a loaded index); raises :class:`IndexMissingError` when there is none."""
    return read_manifest(index_dir).data_dir


def load(index_dir: str | Path | None = None, embedder: str | Embedder | None = None,
         settings: Settings | None = None) -> NewsQA:
    """Load the index in ``index_dir`` (default ``embeddings/``) with the embedder it was
    built with. Asking for another embedder raises :class:`EmbedderMismatchError`."""
    settings = settings or Settings()
    store = load_store(index_dir or settings.index_dir)
    built_with = store.embedder_id
    if embedder is None:
        emb = get_embedder(built_with, settings.device, settings.batch_size)
    else:
        emb = embedder if isinstance(embedder, Embedder) else \
            get_embedder(embedder, settings.device, settings.batch_size)
    if emb.id != built_with or emb.dim != store.dim:
        raise EmbedderMismatchError(
            f"index {store.path} was built with {built_with} (dim {store.dim}), not "
            f"{emb.id} (dim {emb.dim}); rebuild with `newsqa build --embedder {emb.id}` or "
            "load it without --embedder")
    return NewsQA(store, emb, settings)
