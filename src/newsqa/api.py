"""The entry point of the Python API: ``newsqa.load(index_dir)`` → :class:`NewsQA`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from .answer import NO_ANSWER_EN, NO_ANSWER_VI, answer_question
from .citations import verify
from .embedding import Embedder, get_embedder
from .errors import EmbedderMismatchError
from .index import IndexStore, load_store
from .models import Answer, Hit, Turn
from .restore import Restorer, may_need_restoring
from .retrieve import Filters, Retriever, clean_query, has_words
from .settings import Settings
from .text import is_vietnamese


class NewsQA:
    """A loaded index with its embedder: search it and ask it questions."""

    def __init__(self, store: IndexStore, embedder: Embedder,
                 settings: Settings | None = None) -> None:
        self.store = store
        self.embedder = embedder
        self.settings = settings or Settings()
        self.retriever = Retriever(store, embedder)
        self._restorer: Restorer | None = None

    def status(self) -> dict[str, Any]:
        """What the index holds: articles, chunks, sentences, embedder, build time, sources."""
        m = self.store.manifest
        return {"index_dir": str(self.store.path), "articles": m.counts.articles,
                "chunks": m.counts.chunks, "sentences": m.counts.sentences,
                "embedder": m.embedder, "dim": m.dim, "built_at": m.built_at or None,
                "undated": sum(1 for a in self.store.articles if a.date is None),
                "sources": sorted({a.source for a in self.store.articles if a.source}),
                "date_range": _date_range(self.store)}

    def prepare(self, text: str) -> str:
        """A question as it is searched: NFC, tidy white space, capped length, and
        Vietnamese typed without marks given the marks the corpus most likely means."""
        text = clean_query(text, self.settings.max_question_chars)
        if not may_need_restoring(text):
            return text
        if self._restorer is None:
            self._restorer = Restorer(self.store.bm25)
        return self._restorer.restore(text) if self._restorer.needs_restoring(text) else text

    def _k(self, k: int | None) -> int:
        k = self.settings.top_k if k is None else int(k)
        return max(0, min(k, len(self.store.chunks)))

    def filter_counts(self, date_from: datetime | None = None,
                      date_to: datetime | None = None, source: str | None = None,
                      include_undated: bool = True) -> tuple[int, int]:
        """(articles searched, articles left out) under these filters."""
        mask = self.retriever.articles_allowed(
            Filters(date_from, date_to, source, include_undated))
        total = len(self.store.articles)
        searched = total if mask is None else int(mask.sum())
        return searched, total - searched

    def search(self, query: str, k: int | None = None, date_from: datetime | None = None,
               date_to: datetime | None = None, source: str | None = None,
               include_undated: bool = True) -> list[Hit]:
        """The ``k`` chunks that best match ``query`` (any language), best first. Undated
        articles pass a date filter unless ``include_undated`` is False."""
        k = self._k(k)
        query = self.prepare(query)
        if k == 0 or not has_words(query):
            return []
        filters = Filters(date_from, date_to, source, include_undated)
        qvec = self.embedder.embed_query(query)
        scored = self.retriever.score(query, qvec, filters)
        return self.retriever.hits(scored, k)

    def ask(self, question: str, history: list[Turn] | list[dict[str, str]] | None = None,
            k: int | None = None, date_from: datetime | None = None,
            date_to: datetime | None = None, source: str | None = None,
            include_undated: bool = True) -> Answer:
        """Answer ``question`` with exact, cited quotes, or abstain when the corpus holds no
        answer. ``history`` lists earlier turns, for follow-up questions. The answer says
        how many articles the filters searched and left out."""
        return self.ask_with_hits(question, history, k, date_from, date_to, source,
                                  include_undated=include_undated)[0]

    def ask_with_hits(self, question: str,
                      history: list[Turn] | list[dict[str, str]] | None = None,
                      k: int | None = None, date_from: datetime | None = None,
                      date_to: datetime | None = None, source: str | None = None,
                      hits_k: int = 10, include_undated: bool = True) -> tuple[Answer, list[Hit]]:
        """:meth:`ask`, also returning the ``hits_k`` best chunks the answer drew on."""
        turns = [t if isinstance(t, Turn) else Turn.model_validate(t) for t in history or []]
        question = self.prepare(question)
        k = self._k(k)
        filters = Filters(date_from, date_to, source, include_undated)
        searched, excluded = self.filter_counts(date_from, date_to, source, include_undated)
        counts = {"searched_articles": searched, "excluded_articles": excluded}
        filtered = Answer(text="", citations=[], abstained=True, searched_articles=searched,
                          excluded_articles=excluded)
        vietnamese = is_vietnamese(question)
        if filters.active() and searched == 0:
            text = (FILTERED_ALL_VI if vietnamese else FILTERED_ALL_EN).format(n=excluded)
            return filtered.model_copy(update={"text": text}), []
        if k == 0 or not has_words(question):
            return filtered.model_copy(
                update={"text": NO_ANSWER_VI if vietnamese else NO_ANSWER_EN}), []
        qvec = self.embedder.embed_query(question)
        hvec = None
        if turns:
            # Only the last turn is read (its question and answer), so only it is prepared.
            turns[-1] = turns[-1].model_copy(update={"question": self.prepare(turns[-1].question)})
            hvec = self.embedder.embed_query(turns[-1].question)
        answer, scored = answer_question(self.retriever, question, qvec, k,
                                         self.settings.abstain_threshold, turns, filters, hvec)
        answer = answer.model_copy(update=counts)
        return verify(self.store, answer), self.retriever.hits(scored, hits_k)


FILTERED_ALL_VI = "Bộ lọc đã loại cả {n} bài viết; không còn bài nào để tìm. Hãy nới bộ lọc."
FILTERED_ALL_EN = "The filters exclude all {n} articles; nothing is left to search. Widen them."


def _date_range(store: IndexStore) -> tuple[str, str] | None:
    dates = [a.date for a in store.articles if a.date]
    if not dates:
        return None
    return (min(dates).date().isoformat(), max(dates).date().isoformat())


def load(index_dir: str | Path | None = None, embedder: str | Embedder | None = None,
         settings: Settings | None = None) -> NewsQA:
    """Load the index in ``index_dir`` (default ``embeddings/``) with the embedder it was
    built with. Asking for another embedder raises :class:`EmbedderMismatchError`."""
    settings = settings or Settings()
    store = load_store(index_dir or settings.index_dir)
    built_with = store.embedder_id
    if embedder is None:
        emb = get_embedder(built_with)
    else:
        emb = embedder if isinstance(embedder, Embedder) else get_embedder(embedder)
    if emb.id != built_with or emb.dim != store.dim:
        raise EmbedderMismatchError(
            f"index {store.path} was built with {built_with} (dim {store.dim}), not "
            f"{emb.id} (dim {emb.dim}); rebuild with `newsqa build --embedder {emb.id}` or "
            "load it without --embedder")
    return NewsQA(store, emb, settings)
