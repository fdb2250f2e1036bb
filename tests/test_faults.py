"""Reliability: bad input, damaged indexes, killed and concurrent builds, hostile queries.

Each test's docstring is "case | expected behaviour"; scripts/reliability_report.py turns
them and their results into docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

import newsqa
from newsqa.build import BackgroundBuild
from newsqa.index import MANIFEST

from .conftest import CORPUS, ROOT, SIGNER, run_cli

ASK = "Who signed for the Đảng ủy Khối?"


def _answers(index: Path) -> None:
    """The index at ``index`` loads and answers the signer question (through the CLI)."""
    res = run_cli("ask", ASK, "--index", str(index), "--json")
    assert res.returncode == 0, res.stderr
    assert SIGNER in json.loads(res.stdout)["citations"][0]["quote"]


def _no_traceback(res: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout


def cp1258_bytes(text: str) -> bytes:
    """Text as Windows-1258 writes Vietnamese: base letters precomposed, tones combining."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        d = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(c for c in d if c not in tones)) +
                   "".join(c for c in d if c in tones))
    return "".join(out).encode("cp1258")


def _messy_corpus(root: Path) -> Path:
    root.mkdir()
    (root / "seed.txt").write_bytes((CORPUS / "000_168de5f92c45ac6d.txt").read_bytes())
    (root / "cp1258.txt").write_bytes(cp1258_bytes("Tin cũ\n\nHà Nội mùa lúa chín rộ."))
    (root / "utf16.txt").write_bytes("Tin UTF-16\n\nĐà Nẵng đón khách du lịch.".encode("utf-16"))
    (root / "garbage.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d\xfe\xff" * 40)
    (root / "empty.txt").write_bytes(b"")
    (root / "binary.md").write_bytes(bytes(range(256)) * 20)
    (root / "huge.txt").write_bytes(b"Tin rat dai\n\n" + b"a " * 25_000_000)
    nfd = unicodedata.normalize("NFD", "Tin NFD\n\nThủy điện Hòa Bình tích nước sớm.")
    (root / "nfd.txt").write_text(nfd, encoding="utf-8")
    lines = [
        json.dumps({"id": "r1", "title": "Bão", "text": "Bão số 3 gây mưa lớn ở Hải Phòng."},
                   ensure_ascii=False),
        "{not json",
        json.dumps({"id": "r2", "title": "Thiếu nội dung"}, ensure_ascii=False),
        json.dumps({"id": "r1", "title": "Trùng", "text": "Bài trùng id về giá cà phê."},
                   ensure_ascii=False),
        json.dumps({"id": "h1", "title": "HTML", "text": "<p>Giá <b>cao su</b> tăng.</p>"
                   "<script>alert(1)</script>"}, ensure_ascii=False),
    ]
    (root / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def messy_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[
        subprocess.CompletedProcess[str], Path, Path]:
    base = tmp_path_factory.mktemp("messy")
    corpus = _messy_corpus(base / "corpus")
    index = base / "index"
    res = run_cli("build", "--corpus", str(corpus), "--index", str(index))
    return res, corpus, index


def test_messy_corpus_still_builds(messy_build) -> None:  # type: ignore[no-untyped-def]
    """corpus with every kind of bad file | good articles indexed, exit 0, no traceback"""
    res, _, index = messy_build
    assert res.returncode == 0, res.stderr
    _no_traceback(res)
    _answers(index)


def test_non_utf8_decoded(messy_build) -> None:  # type: ignore[no-untyped-def]
    """file in cp1258 or UTF-16 with BOM | decoded, with a warning naming the file"""
    res, _, index = messy_build
    assert "cp1258.txt: decoded as cp1258" in res.stderr
    qa = newsqa.load(index)
    assert qa.store.articles[qa.store.article_rows["cp1258.txt"]].text == \
        "Hà Nội mùa lúa chín rộ."
    assert qa.store.articles[qa.store.article_rows["utf16.txt"]].title == "Tin UTF-16"


def test_undecodable_skipped(messy_build) -> None:  # type: ignore[no-untyped-def]
    """file in no detectable encoding | skipped with a warning naming the file"""
    assert "garbage.txt: not UTF-8 and no known encoding; skipped" in messy_build[0].stderr


def test_empty_and_binary_skipped(messy_build) -> None:  # type: ignore[no-untyped-def]
    """empty file; binary file | each skipped with a warning naming the file"""
    err = messy_build[0].stderr
    assert "empty.txt: empty file; skipped" in err
    assert "binary.md: binary data" in err


def test_huge_article_skipped(messy_build) -> None:  # type: ignore[no-untyped-def]
    """one 50 MB article | skipped with a warning saying to split it; the rest is indexed"""
    assert "huge.txt: 50 MB is over the 5 MB article limit" in messy_build[0].stderr


def test_malformed_jsonl_line(messy_build) -> None:  # type: ignore[no-untyped-def]
    """malformed .jsonl line; record missing text | warning with file:line, line skipped"""
    err = messy_build[0].stderr
    assert "feed.jsonl:2: malformed JSON" in err
    assert "feed.jsonl:3: record has no 'text' field" in err


def test_duplicate_ids(messy_build) -> None:  # type: ignore[no-untyped-def]
    """duplicate ids | later one renamed id~2 (sorted file order), with a warning"""
    res, _, index = messy_build
    assert "duplicate id 'r1'" in res.stderr and "renamed to 'r1~2'" in res.stderr
    ids = json.loads((index / MANIFEST).read_text(encoding="utf-8"))["articles"]
    assert "r1" in ids and "r1~2" in ids


def test_nfd_corpus_normalised(messy_build) -> None:  # type: ignore[no-untyped-def]
    """NFD-encoded article | stored NFC, found by an NFC question"""
    index = messy_build[2]
    qa = newsqa.load(index)
    art = qa.store.articles[qa.store.article_rows["nfd.txt"]]
    assert art.text == unicodedata.normalize("NFC", art.text)
    assert qa.search("Thủy điện Hòa Bình tích nước", k=1)[0].article_id == "nfd.txt"


def test_html_kept_as_text(messy_build) -> None:  # type: ignore[no-untyped-def]
    """HTML markup in text | kept as plain text; the app escapes it (see test_app)"""
    qa = newsqa.load(messy_build[2])
    art = qa.store.articles[qa.store.article_rows["h1"]]
    assert "<script>alert(1)</script>" in art.text


@pytest.mark.parametrize("kind", ["empty", "missing"])
def test_bad_corpus_folder(index_copy: Path, tmp_path: Path, kind: str) -> None:
    """empty or missing corpus folder | exit 2 with a clear error; existing index untouched"""
    corpus = tmp_path / "corpus"
    if kind == "empty":
        corpus.mkdir()
    before = (index_copy / MANIFEST).read_bytes()
    res = run_cli("build", "--corpus", str(corpus), "--index", str(index_copy))
    assert res.returncode == 2
    assert str(corpus) in res.stderr and ("does not exist" in res.stderr or
                                         "no readable article" in res.stderr)
    _no_traceback(res)
    assert (index_copy / MANIFEST).read_bytes() == before
    _answers(index_copy)


def test_missing_index(tmp_path: Path) -> None:
    """missing index | exit 3, message says to run newsqa build"""
    res = run_cli("search", "Ai ký?", "--index", str(tmp_path / "nothing"))
    assert res.returncode == 3 and "newsqa build" in res.stderr
    _no_traceback(res)


@pytest.mark.parametrize("target", ["chunks.faiss", "articles.jsonl", "sentences.npy",
                                    "manifest"])
def test_damaged_index_file(index_copy: Path, target: str) -> None:
    """truncated or corrupted FAISS file, chunk store, vectors or manifest | exit 3 naming
    the file, no traceback"""
    manifest = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    if target == "manifest":
        path = index_copy / MANIFEST
        path.write_text('{"format": "newsqa-index", "vers', encoding="utf-8")
    else:
        path = index_copy / manifest["data_dir"] / target
        data = bytearray(path.read_bytes())
        if target == "articles.jsonl":
            data[10:20] = b"##########"  # same size, different bytes
            path.write_bytes(bytes(data))
        else:
            path.write_bytes(bytes(data[: len(data) // 2]))
    res = run_cli("ask", ASK, "--index", str(index_copy))
    assert res.returncode == 3, res.stderr
    assert path.name in res.stderr and "newsqa build" in res.stderr
    _no_traceback(res)


def test_other_embedder_or_dimension(index_copy: Path) -> None:
    """index built with another embedder or dimension than asked | clear error; a build
    with another embedder rebuilds (test_index.test_sentence_transformers_backend)"""
    path = index_copy / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["dim"] = 768
    path.write_text(json.dumps(manifest), encoding="utf-8")
    res = run_cli("ask", ASK, "--index", str(index_copy))
    assert res.returncode == 3 and "dimension" in res.stderr
    _no_traceback(res)
    manifest["dim"] = 384
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(newsqa.EmbedderMismatchError, match="was built with e5"):
        newsqa.load(index_copy, embedder="sentence-transformers:all-MiniLM-L6-v2")
    with pytest.raises(newsqa.EmbedderError, match="could not load"):
        newsqa.load(index_copy, embedder="sentence-transformers:/no/such/model")


def _bigger_corpus(root: Path, n: int = 20) -> Path:
    root.mkdir()
    (root / "seed.txt").write_bytes((CORPUS / "000_168de5f92c45ac6d.txt").read_bytes())
    rows = [{"id": f"x{i}", "title": f"Tin số {i}", "text": " ".join(
        f"Câu thứ {j} của bài {i} nói về kinh tế, giáo dục và thời tiết miền Trung."
        for j in range(6))} for i in range(n)]
    (root / "more.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False)
                                               for r in rows), encoding="utf-8")
    return root


def _start_build(corpus: Path, index: Path, pause: float = 0) -> subprocess.Popen[str]:
    env = {**os.environ, "NEWSQA_FAULT_PAUSE_BEFORE_SWAP": str(pause)}
    return subprocess.Popen([sys.executable, "-m", "newsqa", "build", "--corpus", str(corpus),
                             "--index", str(index), "--quiet"], cwd=ROOT, text=True, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("when", ["embedding", "writing"])
def test_sigkill_during_build(index_copy: Path, tmp_path: Path, when: str) -> None:
    """build killed with SIGKILL while embedding or while writing | previous index still
    loads and answers; the next build completes"""
    corpus = _bigger_corpus(tmp_path / "corpus")
    before = (index_copy / MANIFEST).read_bytes()
    proc = _start_build(corpus, index_copy, pause=0 if when == "embedding" else 60)
    deadline = time.monotonic() + 300
    if when == "embedding":
        time.sleep(3)
    else:
        # The new data folder is complete and the manifest not yet swapped.
        while time.monotonic() < deadline and proc.poll() is None and \
                not list(index_copy.glob("data-*/bm25")):
            time.sleep(0.05)
        time.sleep(1)
    assert proc.poll() is None, "build finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (index_copy / MANIFEST).read_bytes() == before
    _answers(index_copy)
    res = run_cli("build", "--corpus", str(corpus), "--index", str(index_copy))
    assert res.returncode == 0, res.stderr
    assert len(list(index_copy.glob("data-*"))) <= 2
    _answers(index_copy)


def test_two_builds_at_once(index_copy: Path, tmp_path: Path) -> None:
    """two builds on the same index at once | the second refuses clearly (exit 4); the
    first completes"""
    corpus = _bigger_corpus(tmp_path / "corpus", n=10)
    first = _start_build(corpus, index_copy, pause=5)
    time.sleep(3)
    second = run_cli("build", "--corpus", str(corpus), "--index", str(index_copy))
    assert second.returncode == 4 and "another build is running" in second.stderr
    _no_traceback(second)
    assert first.wait(timeout=600) == 0
    _answers(index_copy)


def test_answers_during_rebuild(index_copy: Path, tmp_path: Path) -> None:
    """queries while a rebuild runs (as the app does) | answered from the old index"""
    qa = newsqa.load(index_copy)
    job = BackgroundBuild(_bigger_corpus(tmp_path / "corpus", n=10), index_copy)
    answered = 0
    while job.running:
        assert SIGNER in qa.ask(ASK).citations[0].quote
        answered += 1
    assert job.error is None and answered > 0
    assert SIGNER in qa.ask(ASK).citations[0].quote
    assert newsqa.load(index_copy).status()["articles"] == 11


HOSTILE = ["", "   \n\t ", "?!.,;:…", "🙂🔥🇻🇳", "x" * 10_000,
           "<script>alert(1)</script>", "'; DROP TABLE articles; --", "Ai ký? " * 2000,
           "\x00\x01 control", "{{7*7}} ${jndi:ldap://x}"]


@pytest.mark.parametrize("question", HOSTILE, ids=lambda q: repr(q[:12]))
def test_hostile_questions(seed_qa: newsqa.NewsQA, question: str) -> None:
    """empty, whitespace, punctuation, emoji, 10,000 characters, HTML/script/SQL | an
    answer or an abstention, never an exception"""
    ans = seed_qa.ask(question)
    assert isinstance(ans, newsqa.Answer)
    assert ans.abstained or ans.citations
    assert isinstance(seed_qa.search(question), list)


def test_nfd_question(seed_qa: newsqa.NewsQA) -> None:
    """Vietnamese question typed in NFD | same answer as NFC"""
    q = "Ai là người ký kết quy chế thay mặt Đảng ủy Khối?"
    assert seed_qa.ask(unicodedata.normalize("NFD", q)) == seed_qa.ask(q)


def test_closed_output_pipe(seed_index: Path) -> None:
    """output piped into a reader that closes it early (such as head) | no error line, exit
    141 like other Unix tools"""
    # `true` exits at once, so every write of the CLI meets a closed pipe.
    cmd = (f'set -o pipefail; "{sys.executable}" -m newsqa ask "Ai ký?" '
           f'--index "{seed_index}" | true')
    res = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=300,
                         cwd=ROOT)
    assert res.stderr == "" and res.returncode == 141


@pytest.mark.parametrize("k", ["0", "-3", "1000"])
def test_odd_k(seed_index: Path, k: str) -> None:
    """k of 0, negative k, k larger than the index | exit 0; k<=0 abstains, a large k is
    capped"""
    res = run_cli("ask", ASK, "--index", str(seed_index), "-k", k, "--json")
    assert res.returncode == 0, res.stderr
    ans = json.loads(res.stdout)
    assert ans["abstained"] == (int(k) <= 0)
    res = run_cli("search", ASK, "--index", str(seed_index), f"-k={k}", "--json")
    assert res.returncode == 0
    chunks = json.loads((seed_index / MANIFEST).read_text(encoding="utf-8"))["counts"]["chunks"]
    assert len(json.loads(res.stdout)) == max(0, min(int(k), chunks))


def test_no_pickle_anywhere(seed_index: Path) -> None:
    """nothing persisted is pickle | no pickle files; .npy files load with
    allow_pickle=False"""
    import numpy as np

    files = [p for p in seed_index.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".pkl", ".pickle", ".joblib")]
    for p in files:
        if p.suffix == ".npy":
            np.load(p, allow_pickle=False)
        assert not p.read_bytes().startswith(b"\x80\x04")  # pickle protocol 4 header


def test_no_network_at_run_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """no network access with the default embedder | build and ask work with every socket
    connection refused; HF_HUB_OFFLINE is set"""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network disabled by test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    newsqa.build_index(CORPUS, tmp_path / "ix")
    assert SIGNER in newsqa.load(tmp_path / "ix").ask(ASK).citations[0].quote
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
