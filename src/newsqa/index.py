"""The on-disk index: a folder with ``manifest.json`` and one data folder it points to.

Layout::

    embeddings/
      manifest.json          # embedder, dimension, chunking, version, hashes, files
      data-<stamp>/
        articles.jsonl       # articles with their sentence and chunk spans
        chunks.faiss         # inner-product index of chunk vectors
        sentences.npy        # sentence vectors (float32, no pickle)
        bm25/                # keyword index (bm25s: JSON + .npy)

The manifest is written last and swapped in with an atomic rename, so a build killed at
any point leaves the previous index as it was.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import IndexCorruptError, IndexMissingError
from .models import Article, Chunk, Sentence
from .text import search_terms

FORMAT = "newsqa-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass
class IndexStore:
    """Everything a loaded index holds, in memory."""

    path: Path
    manifest: dict[str, Any]
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
        return int(self.manifest["dim"])

    @property
    def embedder_id(self) -> str:
        return str(self.manifest["embedder"])

    def chunk_vectors(self) -> np.ndarray:
        """All chunk vectors as an (n, dim) array view of the FAISS index."""
        import faiss

        n = int(self.faiss_index.ntotal)
        if n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return faiss.rev_swig_ptr(self.faiss_index.get_xb(), n * self.dim).reshape(n, self.dim)


def read_manifest(index_dir: Path) -> dict[str, Any]:
    """Read and check ``manifest.json``; raises when missing or unreadable."""
    path = index_dir / MANIFEST
    if not path.is_file():
        raise IndexMissingError(f"no index in {index_dir} (no {MANIFEST}); run "
                                f"`newsqa build --index {index_dir}` first")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path} is not valid JSON ({exc}); rebuild with "
                                f"`newsqa build --index {index_dir}`") from exc
    required = {"format", "version", "embedder", "dim", "chunking", "data_dir", "files",
                "articles", "counts"}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or \
            not required <= manifest.keys():
        raise IndexCorruptError(f"{path} is not a newsqa manifest; rebuild with "
                                f"`newsqa build --index {index_dir}`")
    if manifest["version"] != FORMAT_VERSION:
        raise IndexCorruptError(f"{path} has index format {manifest['version']}, this newsqa "
                                f"reads {FORMAT_VERSION}; rebuild with `newsqa build`")
    return manifest


def file_digest(path: Path) -> str:
    """sha256 of a file."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _data_files(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.rglob("*") if p.is_file())


def load_store(index_dir: str | Path) -> IndexStore:
    """Load an index folder, checking every file against the manifest."""
    import bm25s
    import faiss

    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    data_dir = index_dir / manifest["data_dir"]
    for rel, meta in manifest["files"].items():
        fp = data_dir / rel
        if not fp.is_file():
            raise IndexCorruptError(f"index file {fp} is missing; rebuild with "
                                    f"`newsqa build --index {index_dir}`")
        if fp.stat().st_size != meta["size"] or file_digest(fp) != meta["sha256"]:
            raise IndexCorruptError(f"index file {fp} is truncated or corrupted (it does not "
                                    f"match {MANIFEST}); rebuild with `newsqa build --index "
                                    f"{index_dir}`")
    articles, sentences, chunks, chunk_article, chunk_sents = _read_articles(
        data_dir / "articles.jsonl")
    try:
        fidx = faiss.read_index(str(data_dir / "chunks.faiss"))
        # Memory-mapped: only the sentences of the best chunks are read for a question.
        svec = np.load(data_dir / "sentences.npy", allow_pickle=False, mmap_mode="r")
        bm25 = bm25s.BM25.load(str(data_dir / "bm25"), load_corpus=False)
    except Exception as exc:
        raise IndexCorruptError(f"cannot read index data in {data_dir}: {exc}; rebuild with "
                                f"`newsqa build --index {index_dir}`") from exc
    dim = int(manifest["dim"])
    if fidx.ntotal != len(chunks) or fidx.d != dim or svec.shape != (len(sentences), dim):
        raise IndexCorruptError(f"index data in {data_dir} does not match {MANIFEST} "
                                "(counts or dimension differ); rebuild with `newsqa build`")
    return IndexStore(path=index_dir, manifest=manifest, articles=articles,
                      sentences=sentences, chunks=chunks, chunk_article=chunk_article,
                      chunk_sentences=chunk_sents, faiss_index=fidx,
                      sentence_vectors=svec, bm25=bm25,
                      article_rows={a.id: i for i, a in enumerate(articles)})


def _read_articles(path: Path) -> tuple[list[Article], list[Sentence], list[Chunk],
                                        np.ndarray, np.ndarray]:
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
                raise IndexCorruptError(f"{path}:{lineno}: unreadable record ({exc}); rebuild "
                                        "with `newsqa build`") from exc
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


def write_data(data_dir: Path, records: list[dict[str, Any]], chunk_vectors: np.ndarray,
               sentence_vectors: np.ndarray, bm25_docs: list[list[str]]) -> dict[str, Any]:
    """Write a complete data folder and return its file table (size and sha256 of each)."""
    import bm25s
    import faiss

    data_dir.mkdir(parents=True)
    with (data_dir / "articles.jsonl").open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    fidx = faiss.IndexFlatIP(int(chunk_vectors.shape[1]))
    if len(chunk_vectors):
        fidx.add(np.ascontiguousarray(chunk_vectors, dtype=np.float32))
    faiss.write_index(fidx, str(data_dir / "chunks.faiss"))
    np.save(data_dir / "sentences.npy", np.ascontiguousarray(sentence_vectors, dtype=np.float32),
            allow_pickle=False)
    bm25 = bm25s.BM25()
    bm25.index(bm25_docs, show_progress=False)
    bm25.save(str(data_dir / "bm25"))
    files = {}
    for fp in _data_files(data_dir):
        files[fp.relative_to(data_dir).as_posix()] = {"size": fp.stat().st_size,
                                                      "sha256": file_digest(fp)}
    return files


def chunk_terms(title: str, chunk_text: str) -> list[str]:
    """Keyword-search terms of a chunk, its article title included."""
    return search_terms(f"{title}\n{chunk_text}") or [""]


def new_manifest(embedder_id: str, dim: int, chunking: dict[str, Any], data_dir: str,
                 files: dict[str, Any], articles: list[Article], counts: dict[str, int],
                 built_at: str) -> dict[str, Any]:
    """The manifest of a freshly written index."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "newsqa_version": __version__,
        "embedder": embedder_id,
        "dim": dim,
        "chunking": chunking,
        "built_at": built_at,
        "data_dir": data_dir,
        "counts": counts,
        "files": files,
        "articles": {a.id: a.content_hash for a in articles},
    }
