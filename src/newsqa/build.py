"""Incremental, atomic, locked index builds."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import chunk_article, sentences_of
from .embedding import Embedder, get_embedder
from .errors import IndexCorruptError, IndexLockedError, IndexMissingError, NewsQAError
from .index import (
    MANIFEST,
    IndexStore,
    article_record,
    chunk_terms,
    load_store,
    new_manifest,
    read_manifest,
)
from .ingest import Corpus, load_corpus
from .models import Article, BuildReport, Chunk, Sentence
from .settings import Settings

Progress = Callable[[str, int, int], None]
LOCK_FILE = ".lock"


@contextlib.contextmanager
def index_lock(index_dir: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on ``index_dir`` for a build; a second build waits up to
    ``timeout`` seconds, then raises :class:`IndexLockedError`."""
    index_dir.mkdir(parents=True, exist_ok=True)
    fh = (index_dir / LOCK_FILE).open("a+")
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise IndexLockedError(
                        f"another build is running on {index_dir} (pid {holder}); wait for it "
                        "to finish, or set NEWSQA_LOCK_TIMEOUT to wait") from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


def _chunking_params(settings: Settings) -> dict[str, Any]:
    return {"max_tokens": settings.chunk_tokens, "overlap": settings.chunk_overlap,
            "tokenizer": "cl100k_base", "splitter": 1, "sentence_context": "title"}


def build_index(corpus_dir: str | Path | None = None, index_dir: str | Path | None = None,
                embedder: str | Embedder | None = None, settings: Settings | None = None,
                progress: Progress | None = None, corpus: Corpus | None = None) -> BuildReport:
    """Build or update the index of ``corpus_dir`` in ``index_dir``.

    Unchanged articles keep their vectors; changed ones are re-embedded; removed ones
    vanish. Nothing is written when nothing changed. The new index replaces the old one
    only once complete."""
    settings = settings or Settings()
    t0 = time.perf_counter()
    index_path = Path(index_dir or settings.index_dir)
    spec = embedder if isinstance(embedder, str) else (embedder.id if embedder else
                                                         settings.embedder)
    if corpus is None:
        corpus = load_corpus(corpus_dir or settings.corpus_dir)
    with index_lock(index_path, settings.lock_timeout):
        prev, prev_warning = _previous(index_path)
        params = _chunking_params(settings)
        articles = corpus.articles
        warnings = list(corpus.warnings) + ([prev_warning] if prev_warning else [])
        compatible = prev is not None and prev["embedder"] == spec and \
            prev["chunking"] == params
        if prev is not None and not compatible:
            warnings.append(f"index in {index_path} was built with embedder {prev['embedder']} "
                            f"and chunking {prev['chunking']}; rebuilding it in full")
        new_hashes = {a.id: a.content_hash for a in articles}
        if compatible and prev is not None and prev["articles"] == new_hashes:
            c = prev["counts"]
            return BuildReport(index_dir=str(index_path), articles=len(articles),
                               chunks=c["chunks"], sentences=c["sentences"],
                               embedded_articles=0, reused_articles=len(articles),
                               removed_articles=0, embedded_chunks=0,
                               seconds=time.perf_counter() - t0, changed=False,
                               warnings=warnings)
        old = _load_reusable(index_path) if compatible else None
        emb = embedder if isinstance(embedder, Embedder) else get_embedder(spec)
        report = _assemble(index_path, articles, old, emb, settings, params, progress, t0,
                           prev["data_dir"] if prev else None)
        report.warnings = warnings
        if prev is not None:
            report.removed_articles = len(set(prev["articles"]) - set(new_hashes))
        return report


class BackgroundBuild:
    """An incremental build in a thread, with progress a UI can poll. Readers keep using
    the old index until the new manifest is swapped in."""

    def __init__(self, corpus_dir: str | Path, index_dir: str | Path,
                 settings: Settings | None = None) -> None:
        import threading

        self.stage = "starting"
        self.done = 0
        self.total = 0
        self.report: BuildReport | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, args=(corpus_dir, index_dir,
                                                                settings), daemon=True)
        self._thread.start()

    def _progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total

    def _run(self, corpus_dir: str | Path, index_dir: str | Path,
             settings: Settings | None) -> None:
        try:
            self.report = build_index(corpus_dir, index_dir, settings=settings,
                                      progress=self._progress)
        except NewsQAError as exc:
            self.error = str(exc)
        except Exception as exc:  # shown to the user, never raised in the UI thread
            self.error = f"{type(exc).__name__}: {exc}"

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


def _previous(index_path: Path) -> tuple[dict[str, Any] | None, str | None]:
    if not (index_path / MANIFEST).exists():
        return None, None
    try:
        return read_manifest(index_path), None
    except NewsQAError as exc:
        return None, f"previous index ignored: {exc}"


def _load_reusable(index_path: Path) -> IndexStore | None:
    try:
        return load_store(index_path)
    except (IndexMissingError, IndexCorruptError):
        return None


def _assemble(index_path: Path, articles: list[Article], old: IndexStore | None,
              emb: Embedder, settings: Settings, params: dict[str, Any],
              progress: Progress | None, t0: float, prev_data: str | None) -> BuildReport:
    old_rows = old.article_rows if old else {}
    old_cvec = old.chunk_vectors() if old else None
    plan: list[tuple[Article, list[Sentence], list[Chunk], Any]] = []
    todo_chunks: list[str] = []
    todo_sents: list[str] = []
    reused = 0
    for art in articles:
        row = old_rows.get(art.id)
        if old is not None and row is not None and \
                old.articles[row].content_hash == art.content_hash:
            plan.append((art, *_reuse(old, row, old_cvec)))
            reused += 1
            continue
        sents, chunks = split_article(art, settings, emb)
        plan.append((art, sents, chunks, None))
        chunk_texts, sent_texts = texts_to_embed(art, sents, chunks)
        todo_chunks.extend(chunk_texts)
        todo_sents.extend(sent_texts)
    embed_t = time.perf_counter()
    new_cvec = _embed_all(emb, todo_chunks, settings.batch_size, "chunks", progress)
    new_svec = _embed_all(emb, todo_sents, settings.batch_size, "sentences", progress)
    embed_seconds = time.perf_counter() - embed_t

    records: list[dict[str, Any]] = []
    cvecs: list[np.ndarray] = []
    svecs: list[np.ndarray] = []
    bm25_docs: list[list[str]] = []
    ci = si = 0
    n_chunks = n_sents = 0
    for art, sents, chunks, vecs in plan:
        records.append(article_record(art, sents, chunks))
        if vecs is None:
            cvecs.append(new_cvec[ci:ci + len(chunks)])
            svecs.append(new_svec[si:si + len(sents)])
            ci += len(chunks)
            si += len(sents)
        else:
            cvecs.append(vecs[0])
            svecs.append(vecs[1])
        bm25_docs.extend(chunk_terms(art.title, c.text) for c in chunks)
        n_chunks += len(chunks)
        n_sents += len(sents)
    dim = emb.dim
    chunk_matrix = np.concatenate(cvecs) if cvecs else np.zeros((0, dim), np.float32)
    sent_matrix = np.concatenate(svecs) if svecs else np.zeros((0, dim), np.float32)
    if progress:
        progress("writing", 0, 1)
    _write_and_swap(index_path, records, chunk_matrix, sent_matrix, bm25_docs, emb, params,
                    articles, {"articles": len(articles), "chunks": n_chunks,
                               "sentences": n_sents}, prev_data)
    if progress:
        progress("writing", 1, 1)
    return BuildReport(index_dir=str(index_path), articles=len(articles), chunks=n_chunks,
                       sentences=n_sents, embedded_articles=len(articles) - reused,
                       reused_articles=reused, removed_articles=0,
                       embedded_chunks=len(todo_chunks), seconds=time.perf_counter() - t0,
                       embed_seconds=embed_seconds)


def split_article(art: Article, settings: Settings,
                  emb: Embedder) -> tuple[list[Sentence], list[Chunk]]:
    """The sentences and chunks a build makes of ``art``; chunks also stay under the
    embedder's own token limit."""
    counter = (lambda t: emb.count_tokens(t) or 0) if _counts(emb) else None
    sents = sentences_of(art, settings.chunk_tokens)
    chunks = chunk_article(art, settings.chunk_tokens, settings.chunk_overlap, sents,
                           extra_counter=counter, extra_limit=max(16, emb.max_tokens - 16))
    return sents, chunks


def texts_to_embed(art: Article, sents: list[Sentence],
                   chunks: list[Chunk]) -> tuple[list[str], list[str]]:
    """The chunk texts and sentence texts a build embeds for ``art``, each with the title
    as context (for sentences, measured: +1 to +2 points of accuracy)."""
    return ([f"{art.title}\n{c.text}" for c in chunks],
            [f"{art.title}\n{art.text[s.start:s.end]}" for s in sents])


def _counts(emb: Embedder) -> bool:
    return emb.count_tokens("a") is not None


def _reuse(old: IndexStore, row: int, old_cvec: Any) -> tuple[list[Sentence], list[Chunk],
                                                            tuple[np.ndarray, np.ndarray]]:
    art_id = old.articles[row].id
    rows = np.flatnonzero(old.chunk_article == row)
    chunks = [old.chunks[i] for i in rows]
    lo = int(old.chunk_sentences[rows[0]][0]) if len(rows) else 0
    hi = int(old.chunk_sentences[rows[-1]][1]) if len(rows) else 0
    sents = [s for s in old.sentences[lo:hi] if s.article_id == art_id]
    return sents, chunks, (np.asarray(old_cvec[rows]), np.asarray(old.sentence_vectors[lo:hi]))


def _embed_all(emb: Embedder, texts: list[str], batch: int, stage: str,
               progress: Progress | None) -> np.ndarray:
    out = np.zeros((len(texts), emb.dim), dtype=np.float32)
    for i in range(0, len(texts), batch):
        out[i:i + batch] = emb.embed_batch(texts[i:i + batch])
        if progress:
            progress(stage, min(i + batch, len(texts)), len(texts))
    return out


def _write_and_swap(index_path: Path, records: list[dict[str, Any]], chunk_matrix: np.ndarray,
                    sent_matrix: np.ndarray, bm25_docs: list[list[str]], emb: Embedder,
                    params: dict[str, Any], articles: list[Article],
                    counts: dict[str, int], prev_data: str | None) -> None:
    from .index import write_data

    stamp = datetime.now(UTC)
    name = f"data-{stamp.strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
    data_dir = index_path / name
    files = write_data(data_dir, records, chunk_matrix, sent_matrix, bm25_docs)
    manifest = new_manifest(emb.id, emb.dim, params, name, files, articles, counts,
                            stamp.isoformat(timespec="seconds"))
    # Fault injection for the reliability tests: hold the build between writing its data
    # and swapping the manifest, so that a test can kill it there.
    pause = float(os.environ.get("NEWSQA_FAULT_PAUSE_BEFORE_SWAP", "0") or 0)
    if pause > 0:
        time.sleep(pause)
    tmp = index_path / f".{MANIFEST}.{os.getpid()}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    for fp in data_dir.rglob("*"):
        if fp.is_file():
            with fp.open("rb") as fh2:
                os.fsync(fh2.fileno())
    os.replace(tmp, index_path / MANIFEST)
    _collect_garbage(index_path, keep={name, prev_data})


def _collect_garbage(index_path: Path, keep: set[str | None]) -> None:
    """Remove data folders of older builds and leftovers of killed builds. The previous
    build's folder stays, for readers that loaded its manifest a moment ago."""
    for d in index_path.glob("data-*"):
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)
    for tmp in index_path.glob(f".{MANIFEST}.*.tmp"):
        tmp.unlink(missing_ok=True)
