"""Representations, float16 storage, FAISS kinds by size, and loading on demand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import newsqa
from newsqa.embedding import get_embedder
from newsqa.index import load_store
from newsqa.ingest import make_article
from newsqa.layout import MANIFEST, FaissSpec, IndexData, faiss_spec, write_index
from newsqa.models import Chunk, Sentence
from newsqa.query import Filters
from newsqa.retrieve import Retriever
from newsqa.vectors import Representation

from .conftest import CORPUS, SIGNER


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def test_sentence_representation_composes_chunk_and_sentence_vectors() -> None:
    """each sentence: its own vector plus a share of the title's; each chunk: the mean of
    its sentences' own vectors plus the same share, all of unit length"""
    rng = np.random.default_rng(1)
    sents = [Sentence(article_id="a", start=i * 10, end=i * 10 + 9) for i in range(3)]
    chunks = [Chunk(article_id="a", start=0, end=19, text="x" * 19,
                    sentences=[(0, 9), (10, 19)]),
              Chunk(article_id="a", start=10, end=29, text="x" * 19,
                    sentences=[(10, 19), (20, 29)])]
    vecs = _unit(rng.standard_normal((4, 8))).astype(np.float32)  # title, then sentences
    rep = Representation(kind="sentences", title_weight=0.3)
    cv, sv = rep.compose(vecs, sents, chunks)
    title, own = vecs[0], vecs[1:]
    assert np.allclose(sv, _unit(own + 0.3 * title), atol=1e-6)
    assert np.allclose(cv[1], _unit(_unit(own[1:3].mean(axis=0)) + 0.3 * title), atol=1e-6)
    # Without a title only the sentences are embedded, and nothing is mixed in.
    cv2, sv2 = rep.compose(vecs[1:], sents, chunks)
    assert np.allclose(sv2, own, atol=1e-6) and np.allclose(cv2[0], _unit(own[:2].mean(0)))


def test_sentences_build_answers_and_switching_rebuilds(tmp_path: Path) -> None:
    """`--vectors sentences` embeds the title once and each sentence once (fewer texts than
    the default), answers the seed question, and switching representation re-embeds"""
    ix = tmp_path / "ix"
    fast = newsqa.build_index(CORPUS, ix, settings=newsqa.Settings(vectors="sentences"))
    assert fast.embedded_texts == fast.sentences + 1
    manifest = json.loads((ix / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["chunking"]["vectors"] == "sentences"
    ans = newsqa.load(ix).ask("Ai ký kết quy chế phối hợp cho Đảng ủy Khối?")
    assert not ans.abstained and SIGNER in " ".join(c.quote for c in ans.citations)
    full = newsqa.build_index(CORPUS, ix)
    assert full.changed and full.embedded_texts == full.chunks + full.sentences
    assert "vectors" not in json.loads((ix / MANIFEST).read_text(encoding="utf-8"))["chunking"]


def test_vectors_are_float16_and_articles_read_on_demand(seed_index: Path) -> None:
    """sentence vectors are float16 on disk and memory-mapped; a load parses no article
    until a question reaches it"""
    store = load_store(seed_index)
    assert store.sentence_vectors.dtype == np.float16
    assert isinstance(store.sentence_vectors, np.memmap)
    assert len(store.articles._cache) == 0  # type: ignore[attr-defined]
    qa = newsqa.NewsQA(store, get_embedder("e5"))
    qa.ask("Ai ký kết quy chế phối hợp?")
    assert len(store.articles._cache) == 1  # type: ignore[attr-defined]


def test_faiss_kind_follows_size() -> None:
    """flat up to the threshold, IVF above it with about 4·√n lists"""
    assert faiss_spec(150_000, 200_000) == FaissSpec()
    spec = faiss_spec(400_000, 200_000)
    assert spec.type == "ivf" and spec.nlist == int(4 * 400_000 ** 0.5)
    assert spec.nprobe == spec.nlist // 8


def _write(tmp_path: Path, vectors: np.ndarray, spec: FaissSpec) -> Path:
    n = len(vectors)
    arts = [make_article(f"a{i}", f"t{i}", "câu một. câu hai.",
                         source="s" if i % 2 else "other") for i in range(n)]
    data = IndexData(articles=arts, chunk_vectors=vectors, sentence_vectors=vectors,
                     sentence_spans=np.array([[i, 0, 8, 1] for i in range(n)]),
                     chunk_spans=np.array([[i, 0, 8, i, i + 1] for i in range(n)]),
                     bm25_docs=[["câu"]] * n, faiss=spec)
    ix = tmp_path / spec.type
    ix.mkdir()
    write_index(ix, data, manifest_fields={
        "embedder": "test", "dim": vectors.shape[1], "chunking": {},
        "counts": {"articles": n, "chunks": n, "sentences": n},
        "articles": {a.id: "h" for a in arts}})
    return ix


def test_ivf_index_is_written_loaded_and_filtered(tmp_path: Path) -> None:
    """an IVF index (every list searched here) finds what the flat one finds, with and
    without a filter, and its parameters are in the manifest"""
    rng = np.random.default_rng(0)
    vecs = _unit(rng.standard_normal((3000, 16))).astype(np.float32)
    flat = load_store(_write(tmp_path, vecs, FaissSpec()))
    ivf = load_store(_write(tmp_path, vecs, FaissSpec(type="ivf", nlist=8, nprobe=8)))
    assert ivf.manifest.faiss.type == "ivf" and ivf.manifest.faiss.nprobe == 8
    assert np.allclose(ivf.chunk_vectors(np.array([5, 7])), vecs[[5, 7]], atol=1e-3)
    q = vecs[43]
    only_s = Filters(source="s")
    for store in (flat, ivf):
        found = Retriever(store)._dense_candidates(q, 10, None)
        assert found[0] == 43
        mask = Retriever(store).articles_allowed(only_s)
        assert mask is not None
        kept = Retriever(store)._dense_candidates(q, 10, mask[store.chunk_article])
        best = np.argsort(-(vecs @ q) + np.where(mask, 0, 9))[:10]
        assert list(kept) == list(best) and all(i % 2 for i in kept)


def test_old_format_index_is_rebuilt(index_copy: Path) -> None:
    """an index of the earlier format (version 1) is not read; a build re-embeds it and
    says why"""
    path = index_copy / MANIFEST
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["version"] = 1
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(newsqa.IndexCorruptError, match="format 1"):
        load_store(index_copy)
    report = newsqa.build_index(CORPUS, index_copy)
    assert report.embedded_articles == 1 and any("older format" in w for w in report.warnings)
