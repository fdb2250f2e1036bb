"""A loaded index in memory (:class:`IndexStore`) and how it is read from its folder.
The format itself (file names, manifest, writing, swap) belongs to :mod:`newsqa.layout`.

A load reads only what every question needs: the article ids, dates and sources, the
sentence and chunk spans (arrays), the FAISS index and BM25. Articles are parsed from
their line when a question first touches them, and the sentence vectors are
memory-mapped, so that an archive of 35,000 articles opens in about a second."""

from __future__ import annotations

import json
import mmap
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, overload

import numpy as np

from .chunking import title_context
from .dates import VN_TZ
from .errors import IndexCorruptError
from .layout import (
    ARTICLES,
    BM25,
    CATALOG,
    CHUNK_SPANS,
    CHUNKS,
    OFFSETS,
    SENTENCE_SPANS,
    SENTENCES,
    Manifest,
    check_data,
    read_manifest,
    rebuild_hint,
)
from .layout.format import HASHED_ON_LOAD
from .models import Article, Chunk, Sentence
from .text import search_terms


class _Table(Sequence[Any]):
    """A read-only sequence whose items are made on demand from arrays."""

    def __len__(self) -> int:
        raise NotImplementedError

    def _item(self, i: int) -> Any:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self._item(j) for j in range(*i.indices(len(self)))]
        n = len(self)
        j = int(i) + n if int(i) < 0 else int(i)
        if not 0 <= j < n:
            raise IndexError(i)
        return self._item(j)

    def __iter__(self) -> Iterator[Any]:
        return (self._item(j) for j in range(len(self)))


class ArticleTable(_Table):
    """The articles of an index, each parsed from its line of ``articles.jsonl`` when first
    asked for (the last few thousand are kept)."""

    def __init__(self, path: Path, offsets: np.ndarray, hint: str, keep: int = 4096) -> None:
        self.path = path
        self._offsets = offsets
        self._hint = hint
        self._keep = keep
        self._cache: OrderedDict[int, Article] = OrderedDict()
        self._map: mmap.mmap | bytes = b""
        if len(offsets) > 1 and offsets[-1] > 0:
            with path.open("rb") as fh:
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def _item(self, i: int) -> Article:
        art = self._cache.get(i)
        if art is not None:
            self._cache.move_to_end(i)
            return art
        try:
            raw = self._map[int(self._offsets[i]):int(self._offsets[i + 1])]
            art = Article.model_validate(json.loads(raw))
        except Exception as exc:
            raise IndexCorruptError(f"{self.path}:{i + 1}: unreadable record ({exc}); "
                                    f"{self._hint}") from None
        self._cache[i] = art
        if len(self._cache) > self._keep:
            self._cache.popitem(last=False)
        return art


class SentenceTable(_Table):
    """Sentences as :class:`Sentence` records, made from their spans."""

    def __init__(self, spans: np.ndarray, ids: list[str]) -> None:
        self.spans = spans
        self._ids = ids

    def __len__(self) -> int:
        return len(self.spans)

    def _item(self, i: int) -> Sentence:
        row, start, end, informative = (int(x) for x in self.spans[i])
        return Sentence.model_construct(article_id=self._ids[row], start=start, end=end,
                                        informative=bool(informative))


class ChunkTable(_Table):
    """Chunks as :class:`Chunk` records, made from their spans and their article's text."""

    def __init__(self, spans: np.ndarray, articles: ArticleTable,
                 sentence_spans: np.ndarray) -> None:
        self.spans = spans
        self._articles = articles
        self._sentence_spans = sentence_spans

    def __len__(self) -> int:
        return len(self.spans)

    def _item(self, i: int) -> Chunk:
        row, start, end, lo, hi = (int(x) for x in self.spans[i])
        art = self._articles[row]
        sents = [(int(s), int(e)) for s, e in self._sentence_spans[lo:hi, 1:3]]
        return Chunk.model_construct(article_id=art.id, start=start, end=end,
                                     text=art.text[start:end], sentences=sents)


@dataclass
class IndexStore:
    """Everything a loaded index holds, in memory."""

    path: Path
    manifest: Manifest
    articles: Sequence[Article]
    sentences: Sequence[Sentence]
    chunks: Sequence[Chunk]
    chunk_article: np.ndarray  # chunk -> article row
    chunk_sentences: np.ndarray  # chunk -> (first, last+1) sentence rows
    faiss_index: Any
    sentence_vectors: np.ndarray  # float16, memory-mapped
    bm25: Any
    article_ids: list[str] = field(default_factory=list)
    article_dates: np.ndarray = field(default_factory=lambda: np.zeros(0))  # epoch s, NaN
    article_sources: list[str | None] = field(default_factory=list)
    article_rows: dict[str, int] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return self.manifest.dim

    @property
    def embedder_id(self) -> str:
        return self.manifest.embedder

    def chunk_vectors(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Chunk vectors (float32) of ``rows``, or of every chunk."""
        n = int(self.faiss_index.ntotal)
        if rows is None:
            rows = np.arange(n)
        if n == 0 or len(rows) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        out: np.ndarray = self.faiss_index.reconstruct_batch(np.asarray(rows, dtype=np.int64))
        return out

    def article_date(self, row: int) -> datetime | None:
        """The date of the article in ``row`` (Vietnam time), without parsing it."""
        ts = float(self.article_dates[row])
        return None if np.isnan(ts) else datetime.fromtimestamp(ts, VN_TZ)


def load_store(index_dir: str | Path, verify: bool = False) -> IndexStore:
    """Load an index folder. Every file is checked against the manifest by its size and
    its header, the small files read whole (articles, catalog, spans) by their sha256
    too; with ``verify`` (as ``newsqa verify`` and builds do), every file by its sha256,
    which reads every byte of the vectors and so is left out of a plain load."""
    import bm25s
    import faiss

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    data_dir = check_data(index_dir, manifest, digests=True if verify else HASHED_ON_LOAD)
    hint = rebuild_hint(index_dir)
    try:
        catalog = json.loads((data_dir / CATALOG).read_text(encoding="utf-8"))
        ids = [str(x) for x in catalog["ids"]]
        dates = np.array([np.nan if d is None else float(d) for d in catalog["dates"]],
                         dtype=np.float64)
        sources = [None if x is None else str(x) for x in catalog["sources"]]
        offsets = np.load(data_dir / OFFSETS, allow_pickle=False)
        sspans = np.load(data_dir / SENTENCE_SPANS, allow_pickle=False)
        cspans = np.load(data_dir / CHUNK_SPANS, allow_pickle=False)
        fidx = faiss.read_index(str(data_dir / CHUNKS))
        if manifest.faiss.type == "ivf":
            ivf = faiss.extract_index_ivf(fidx)
            ivf.nprobe = manifest.faiss.nprobe
            ivf.make_direct_map()
        # Memory-mapped: only the sentences of the best chunks are read for a question.
        svec = np.load(data_dir / SENTENCES, allow_pickle=False, mmap_mode="r")
        bm25 = bm25s.BM25.load(str(data_dir / BM25), load_corpus=False, mmap=True)
    except Exception as exc:
        raise IndexCorruptError(f"cannot read index data in {data_dir}: {exc}; {hint}") from exc
    c = manifest.counts
    if not (len(ids) == len(dates) == len(sources) == c.articles == len(offsets) - 1) or \
            sspans.shape != (c.sentences, 4) or cspans.shape != (c.chunks, 5) or \
            fidx.ntotal != c.chunks or fidx.d != manifest.dim:
        raise IndexCorruptError(f"index data in {data_dir} does not match its manifest "
                                f"(counts or dimension differ); {hint}")
    articles = ArticleTable(data_dir / ARTICLES, offsets, hint)
    return IndexStore(path=index_dir, manifest=manifest, articles=articles,
                      sentences=SentenceTable(sspans, ids),
                      chunks=ChunkTable(cspans, articles, sspans),
                      chunk_article=cspans[:, 0], chunk_sentences=cspans[:, 3:5],
                      faiss_index=fidx, sentence_vectors=svec, bm25=bm25,
                      article_ids=ids, article_dates=dates, article_sources=sources,
                      article_rows={a: i for i, a in enumerate(ids)})


def article_spans(row: int, sentences: list[Sentence], chunks: list[Chunk], *,
                  first_sentence: int) -> tuple[np.ndarray, np.ndarray]:
    """The sentence spans (row, start, end, informative) and chunk spans (row, start, end,
    first, last+1 sentence row) of the article in ``row``, whose first sentence is
    ``first_sentence`` in the whole index."""
    first = {(s.start, s.end): i for i, s in enumerate(sentences)}
    sspans = np.array([[row, s.start, s.end, int(s.informative)] for s in sentences],
                      dtype=np.int64).reshape(-1, 4)
    cspans = np.array([[row, c.start, c.end, first_sentence + first[c.sentences[0]],
                        first_sentence + first[c.sentences[-1]] + 1] for c in chunks],
                      dtype=np.int64).reshape(-1, 5)
    return sspans, cspans


def chunk_terms(title: str, chunk_text: str) -> list[str]:
    """Keyword-search terms of a chunk, its article title included."""
    return search_terms(f"{title_context(title)}\n{chunk_text}") or [""]
