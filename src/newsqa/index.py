"""A loaded index in memory (:class:`IndexStore`) and how it is read from its folder.
The format itself (file names, manifest, writing, swap) belongs to :mod:`newsqa.layout`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import title_context
from .errors import IndexCorruptError
from .layout import (
    ARTICLES,
    BM25,
    CHUNKS,
    SENTENCES,
    Manifest,
    check_data,
    read_manifest,
    rebuild_hint,
)
from .models import Article, Chunk, Sentence
from .text import search_terms


@dataclass
class IndexStore:
    """Everything a loaded index holds, in memory."""

    path: Path
    manifest: Manifest
    articles: list[Article]
    sentences: list[Sentence]
    chunks: list[Chunk]
    chunk_article: np.ndarray  # chunk -> article row
    chunk_sentences: np.ndarray  # chunk -> (first, last+1) sentence rows
    faiss_index: Any
    sentence_vectors: np.ndarray
    bm25: Any
    article_rows: dict[str, int] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return self.manifest.dim

    @property
    def embedder_id(self) -> str:
        return self.manifest.embedder

    def chunk_vectors(self) -> np.ndarray:
        """All chunk vectors as an (n, dim) array view of the FAISS index."""
        import faiss

        n = int(self.faiss_index.ntotal)
        if n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return faiss.rev_swig_ptr(self.faiss_index.get_xb(), n * self.dim).reshape(n, self.dim)


def load_store(index_dir: str | Path, verify: bool = False) -> IndexStore:
    """Load an index folder. Every file is checked against the manifest by its size and
    its header, the article store by its sha256 too; with ``verify`` (as ``newsqa verify``
    and builds do), every file by its sha256, which reads every byte of the vectors and so
    is left out of a plain load."""
    import bm25s
    import faiss

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    # The article store is read whole anyway, so hashing it costs little; the vector files
    # (memory-mapped, gigabytes at scale) are hashed only when verifying.
    data_dir = check_data(index_dir, manifest, digests=True if verify else {ARTICLES})
    hint = rebuild_hint(index_dir)
    articles, sentences, chunks, chunk_article, chunk_sents = _read_articles(
        data_dir / ARTICLES, hint)
    try:
        fidx = faiss.read_index(str(data_dir / CHUNKS))
        # Memory-mapped: only the sentences of the best chunks are read for a question.
        svec = np.load(data_dir / SENTENCES, allow_pickle=False, mmap_mode="r")
        bm25 = bm25s.BM25.load(str(data_dir / BM25), load_corpus=False)
    except Exception as exc:
        raise IndexCorruptError(f"cannot read index data in {data_dir}: {exc}; {hint}") from exc
    dim = manifest.dim
    if fidx.ntotal != len(chunks) or fidx.d != dim or svec.shape != (len(sentences), dim) \
            or len(articles) != manifest.counts.articles:
        raise IndexCorruptError(f"index data in {data_dir} does not match its manifest "
                                f"(counts or dimension differ); {hint}")
    return IndexStore(path=index_dir, manifest=manifest, articles=articles,
                      sentences=sentences, chunks=chunks, chunk_article=chunk_article,
                      chunk_sentences=chunk_sents, faiss_index=fidx,
                      sentence_vectors=svec, bm25=bm25,
                      article_rows={a.id: i for i, a in enumerate(articles)})


def _read_articles(path: Path, hint: str) -> tuple[list[Article], list[Sentence],
                                                   list[Chunk], np.ndarray, np.ndarray]:
    articles: list[Article] = []
    sentences: list[Sentence] = []
    chunks: list[Chunk] = []
    chunk_article: list[int] = []
    chunk_sents: list[tuple[int, int]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            try:
                rec = json.loads(line)
                sent_spans = rec.pop("sentences")
                chunk_spans = rec.pop("chunks")
                art = Article.model_validate(rec)
            except Exception as exc:
                raise IndexCorruptError(f"{path}:{lineno}: unreadable record ({exc}); "
                                        f"{hint}") from exc
            base = len(sentences)
            row = len(articles)
            articles.append(art)
            # The file was checked against its sha256 above: skip re-validating each field.
            for s, e, inf in sent_spans:
                sentences.append(Sentence.model_construct(article_id=art.id, start=s, end=e,
                                                          informative=inf))
            for s, e, lo, hi in chunk_spans:
                chunks.append(Chunk.model_construct(
                    article_id=art.id, start=s, end=e, text=art.text[s:e],
                    sentences=[(x, y) for x, y, _ in sent_spans[lo:hi]]))
                chunk_article.append(row)
                chunk_sents.append((base + lo, base + hi))
    return (articles, sentences, chunks, np.asarray(chunk_article, dtype=np.int64),
            np.asarray(chunk_sents, dtype=np.int64).reshape(-1, 2))


def article_record(article: Article, sentences: list[Sentence],
                   chunks: list[Chunk]) -> dict[str, Any]:
    """The JSON line stored for one article: its fields plus sentence and chunk spans."""
    first = {(s.start, s.end): i for i, s in enumerate(sentences)}
    rec = article.model_dump(mode="json")
    rec["sentences"] = [[s.start, s.end, s.informative] for s in sentences]
    rec["chunks"] = [[c.start, c.end, first[c.sentences[0]], first[c.sentences[-1]] + 1]
                     for c in chunks]
    return rec


def chunk_terms(title: str, chunk_text: str) -> list[str]:
    """Keyword-search terms of a chunk, its article title included."""
    return search_terms(f"{title_context(title)}\n{chunk_text}") or [""]
