"""Incremental, atomic, locked index builds."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from .chunking import TITLE_CONTEXT_CHARS, chunk_article, sentences_of
from .embedding import Embedder, get_embedder
from .errors import IndexCorruptError, IndexMissingError, NewsQAError
from .index import IndexStore, article_spans, chunk_terms, load_store
from .ingest import Corpus, load_corpus
from .layout import (
    Checkpoint,
    IndexData,
    Manifest,
    check_data,
    check_target,
    claim,
    collect_garbage,
    faiss_spec,
    index_lock,
    read_manifest,
    write_index,
)
from .models import Article, BuildReport, Chunk, Progress, Sentence
from .progress import seconds_left
from .settings import Settings
from .vectors import Representation, checkpoint_key, embed_texts


def representation(settings: Settings) -> Representation:
    """How a build with ``settings`` makes its vectors."""
    return Representation(kind=settings.vectors, title_weight=settings.title_weight)


def _chunking_params(settings: Settings) -> dict[str, Any]:
    params: dict[str, Any] = {
        "max_tokens": settings.chunk_tokens, "overlap": settings.chunk_overlap,
        "tokenizer": "cl100k_base", "splitter": 1, "title_chars": TITLE_CONTEXT_CHARS}
    if settings.vectors == "chunks+sentences":
        params["sentence_context"] = "title"  # as written by indexes before "vectors"
    else:
        params["vectors"] = settings.vectors
        params["title_weight"] = settings.title_weight
    return params


def build_index(corpus_dir: str | Path | None = None, index_dir: str | Path | None = None,
                embedder: str | Embedder | None = None, *, settings: Settings | None = None,
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
    check_target(index_path)
    if corpus is None:
        corpus = load_corpus(corpus_dir or settings.corpus_dir)
    with index_lock(index_path, settings.lock_timeout):
        prev, prev_warning = _previous(index_path)
        params = _chunking_params(settings)
        articles = corpus.articles
        warnings = list(corpus.warnings) + ([prev_warning] if prev_warning else [])
        compatible = prev is not None and prev.embedder == spec and prev.chunking == params
        if prev is not None and not compatible:
            warnings.append(f"index in {index_path} was built with embedder {prev.embedder} "
                            f"and chunking {prev.chunking}; rebuilding it in full")
        new_hashes = {a.id: a.content_hash for a in articles}
        if compatible and prev is not None and prev.articles == new_hashes:
            c = prev.counts
            return BuildReport(index_dir=str(index_path), articles=len(articles),
                               chunks=c.chunks, sentences=c.sentences,
                               embedded_articles=0, reused_articles=len(articles),
                               removed_articles=0, embedded_chunks=0,
                               seconds=time.perf_counter() - t0, changed=False,
                               warnings=warnings)
        old = _load_reusable(index_path, warnings) if compatible else None
        emb = embedder if isinstance(embedder, Embedder) else _embedder(spec, settings)
        checkpoint = Checkpoint(index_path, checkpoint_key(emb, params))
        # Leftovers of killed or failed builds go before writing, so that they cannot
        # fill the disk again; the live data folder stays for readers, and the work of an
        # interrupted build with these same settings stays to be resumed.
        collect_garbage(index_path, keep={prev.data_dir if prev else "", checkpoint.path.name})
        try:
            report = _assemble(index_path, articles, old, emb=emb, checkpoint=checkpoint,
                               settings=settings, params=params, progress=progress, t0=t0,
                               prev_data=prev.data_dir if prev else None, warnings=warnings)
        finally:
            if emb is not embedder and hasattr(emb, "close"):
                emb.close()
        report.warnings = warnings
        before = prev.articles if prev is not None else {}
        report.removed_articles = len(set(before) - set(new_hashes))
        report.added_articles = sum(1 for a in new_hashes if a not in before)
        report.changed_articles = sum(1 for a, h in new_hashes.items()
                                      if a in before and before[a] != h)
        return report


def _embedder(spec: str, settings: Settings) -> Embedder:
    if not settings.ray_address:
        return get_embedder(spec, settings.device, settings.batch_size)
    from .distributed import RayEmbedder

    return RayEmbedder(spec, settings.ray_address, device=settings.device,
                       batch_size=settings.batch_size,
                       cpus_per_worker=settings.ray_cpus_per_worker)


class BackgroundBuild:
    """An incremental build in a thread, with progress a UI can poll. Readers keep using
    the old index until the new manifest is swapped in."""

    def __init__(self, corpus_dir: str | Path, index_dir: str | Path,
                 settings: Settings | None = None) -> None:
        import threading

        self.started = time.monotonic()
        self.stage = "starting"
        self.done = 0
        self.total = 0
        self.report: BuildReport | None = None
        self.error: str | None = None
        self._thread = threading.Thread(target=self._run, args=(corpus_dir, index_dir,
                                                                settings), daemon=True)
        self._thread.start()

    def _progress(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.started = time.monotonic()
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
        """Share of the current stage done."""
        return self.done / self.total if self.total else 0.0

    @property
    def seconds_left(self) -> float | None:
        """Seconds the current stage still needs at its rate so far (None: no rate yet)."""
        return seconds_left(self.done, self.total, time.monotonic() - self.started)


def _previous(index_path: Path) -> tuple[Manifest | None, str | None]:
    """The previous index's manifest when it and its data are intact (sizes, sha256,
    headers), so that a damaged index is rebuilt rather than reported up to date."""
    try:
        manifest = read_manifest(index_path)
        check_data(index_path, manifest)
    except IndexMissingError:
        return None, None
    except NewsQAError as exc:
        return None, ("previous index not reusable (damaged or of an older format), "
                      f"re-embedding everything: {exc}")
    claim(index_path, manifest)
    return manifest, None


def _load_reusable(index_path: Path, warnings: list[str]) -> IndexStore | None:
    try:
        # _previous has just checked every file's sha256: a plain load is enough here.
        return load_store(index_path)
    except (IndexMissingError, IndexCorruptError) as exc:
        warnings.append(f"previous index damaged, re-embedding everything: {exc}")
        return None


def _assemble(index_path: Path, articles: list[Article], old: IndexStore | None, *,
              emb: Embedder, checkpoint: Checkpoint, settings: Settings, params: dict[str, Any],
              progress: Progress | None, t0: float, prev_data: str | None,
              warnings: list[str]) -> BuildReport:
    old_rows = old.article_rows if old else {}
    old_cvec = old.chunk_vectors() if old else None
    rep = representation(settings)
    plan: list[tuple[Article, list[Sentence], list[Chunk], Any]] = []
    todo: list[str] = []
    reused = 0
    for art in articles:
        row = old_rows.get(art.id)
        if old is not None and row is not None and \
                old.manifest.articles.get(art.id) == art.content_hash:
            plan.append((art, *_reuse(old, row, old_cvec)))
            reused += 1
            continue
        sents, chunks = split_article(art, settings, emb)
        if not chunks:
            warnings.append(f"{art.path or art.id}: article {art.id!r} has no text to index; "
                            "skipped")
            continue
        texts = rep.texts(art, sents, chunks)
        plan.append((art, sents, chunks, len(texts)))
        todo.extend(texts)
    embed_t = time.perf_counter()
    done = checkpoint.load()
    new_vecs, fresh = embed_texts(emb, todo, stage="embedding", batch=settings.batch_size,
                                 progress=progress, checkpoint=checkpoint, done=done,
                                 every=settings.checkpoint_texts)
    embed_seconds = time.perf_counter() - embed_t

    records: list[Article] = []
    sspans: list[np.ndarray] = []
    cspans: list[np.ndarray] = []
    cvecs: list[np.ndarray] = []
    svecs: list[np.ndarray] = []
    bm25_docs: list[list[str]] = []
    at = 0
    n_chunks = n_sents = n_new_chunks = 0
    for art, sents, chunks, vecs in plan:
        records.append(art)
        ss, cs = article_spans(len(records) - 1, sents, chunks, first_sentence=n_sents)
        sspans.append(ss)
        cspans.append(cs)
        if isinstance(vecs, int):
            cv, sv = rep.compose(new_vecs[at:at + vecs], sents, chunks)
            at += vecs
            n_new_chunks += len(chunks)
        else:
            cv, sv = vecs
        cvecs.append(cv)
        svecs.append(sv)
        bm25_docs.extend(chunk_terms(art.title, c.text) for c in chunks)
        n_chunks += len(chunks)
        n_sents += len(sents)
    dim = emb.dim
    chunk_matrix = np.concatenate(cvecs) if cvecs else np.zeros((0, dim), np.float32)
    sent_matrix = np.concatenate(svecs) if svecs else np.zeros((0, dim), np.float32)
    if progress:
        progress("writing", 0, 1)
    kept = [p[0] for p in plan]
    data = IndexData(articles=records, chunk_vectors=chunk_matrix, sentence_vectors=sent_matrix,
                     sentence_spans=np.concatenate(sspans) if sspans else np.zeros((0, 4)),
                     chunk_spans=np.concatenate(cspans) if cspans else np.zeros((0, 5)),
                     bm25_docs=bm25_docs, faiss=faiss_spec(n_chunks, settings.ivf_above))
    manifest = write_index(index_path, data, manifest_fields={
        "embedder": emb.id, "dim": dim, "chunking": params,
        "counts": {"articles": len(kept), "chunks": n_chunks, "sentences": n_sents},
        "articles": {a.id: a.content_hash for a in kept}})
    collect_garbage(index_path, keep={manifest.data_dir, prev_data or ""})
    checkpoint.remove()
    if progress:
        progress("writing", 1, 1)
    return BuildReport(index_dir=str(index_path), articles=len(kept), chunks=n_chunks,
                       sentences=n_sents, embedded_articles=len(kept) - reused,
                       reused_articles=reused, removed_articles=0,
                       embedded_chunks=n_new_chunks, seconds=time.perf_counter() - t0,
                       embed_seconds=embed_seconds, embedded_texts=fresh,
                       resumed_texts=len(done))


def split_article(art: Article, settings: Settings,
                  emb: Embedder) -> tuple[list[Sentence], list[Chunk]]:
    """The sentences and chunks a build makes of ``art``; chunks also stay under the
    embedder's own token limit."""
    counter = (lambda t: emb.count_tokens(t) or 0) if _counts(emb) else None
    sents = sentences_of(art, settings.chunk_tokens)
    chunks = chunk_article(art, settings.chunk_tokens, settings.chunk_overlap, sentences=sents,
                           extra_counter=counter, extra_limit=max(16, emb.max_tokens - 16))
    return sents, chunks


def _counts(emb: Embedder) -> bool:
    return emb.count_tokens("a") is not None


def _reuse(old: IndexStore, row: int, old_cvec: Any) -> tuple[list[Sentence], list[Chunk],
                                                            tuple[np.ndarray, np.ndarray]]:
    art_id = old.article_ids[row]
    # An article's chunks are contiguous and in article order: two binary searches.
    rows = np.arange(*np.searchsorted(old.chunk_article, [row, row + 1]))
    chunks = [old.chunks[int(i)] for i in rows]
    lo = int(old.chunk_sentences[rows[0]][0]) if len(rows) else 0
    hi = int(old.chunk_sentences[rows[-1]][1]) if len(rows) else 0
    sents = [s for s in old.sentences[lo:hi] if s.article_id == art_id]
    return sents, chunks, (np.asarray(old_cvec[rows]),
                           np.asarray(old.sentence_vectors[lo:hi], dtype=np.float32))
