"""Reliability: bad input, damaged indexes, killed and concurrent builds, hostile queries.

Each test's docstring is "case | expected behaviour"; scripts/reliability_report.py turns
them and their results into docs/RELIABILITY.md.
"""

from __future__ import annotations

import json
import os
import re
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
from newsqa.layout import MANIFEST

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


@pytest.mark.slow
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
    env = {**os.environ, "NEWSQA_TEST_PAUSE_BEFORE_SWAP": str(pause)}
    return subprocess.Popen([sys.executable, "-m", "newsqa", "build", "--corpus", str(corpus),
                             "--index", str(index), "--quiet"], cwd=ROOT, text=True, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
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


# --- Real-world input: data outside the index, dates, stalls, damage, disk, settings ---


def _tiny_corpus(root: Path, extra: list[dict[str, object]] | None = None) -> Path:
    """The seed article plus ``extra`` records in a .jsonl file."""
    root.mkdir(parents=True)
    (root / "seed.txt").write_bytes((CORPUS / "000_168de5f92c45ac6d.txt").read_bytes())
    if extra:
        (root / "more.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in extra), encoding="utf-8")
    return root


def test_foreign_folder_is_never_touched(tmp_path: Path) -> None:
    """build into a folder holding other data (p/data-raw/a.csv), or one with a foreign
    manifest.json | exit 2 naming the folder; nothing in it changed, no file added"""
    corpus = _tiny_corpus(tmp_path / "corpus")
    target = tmp_path / "p"
    (target / "data-raw").mkdir(parents=True)
    (target / "data-raw" / "a.csv").write_text("x\n", encoding="utf-8")
    res = run_cli("build", "--corpus", str(corpus), "--index", str(target))
    assert res.returncode == 2 and str(target) in res.stderr and "not a newsqa index" in res.stderr
    _no_traceback(res)
    assert sorted(p.name for p in target.rglob("*")) == ["a.csv", "data-raw"]
    other = tmp_path / "q"
    other.mkdir()
    (other / MANIFEST).write_text('{"name": "my project"}', encoding="utf-8")
    res = run_cli("build", "--corpus", str(corpus), "--index", str(other))
    assert res.returncode == 2 and "not a newsqa index" in res.stderr
    assert (other / MANIFEST).read_text(encoding="utf-8") == '{"name": "my project"}'
    assert [p.name for p in other.iterdir()] == [MANIFEST]


@pytest.mark.slow
def test_gc_deletes_only_its_own_folders(index_copy: Path, tmp_path: Path) -> None:
    """a user's data-* folder inside an index folder | rebuilds keep it; only the index's
    own (marked) data folders are collected"""
    (index_copy / "data-raw").mkdir()
    (index_copy / "data-raw" / "a.csv").write_text("x\n", encoding="utf-8")
    corpus = _tiny_corpus(tmp_path / "corpus", [{"id": "n1", "title": "Tin", "text": "Mưa."}])
    for _ in range(3):
        res = run_cli("build", "--corpus", str(corpus), "--index", str(index_copy))
        assert res.returncode == 0, res.stderr
        (corpus / "more.jsonl").write_text(json.dumps(
            {"id": "n1", "title": "Tin", "text": f"Mưa {time.time()}."}), encoding="utf-8")
    assert (index_copy / "data-raw" / "a.csv").read_text(encoding="utf-8") == "x\n"
    assert len([d for d in index_copy.glob("data-*") if d.name != "data-raw"]) == 2
    _answers(index_copy)


UNDATED = {"id": "u1", "title": "Hồ Tây đón đàn chim di cư",
           "text": "Sáng nay, hàng trăm con cò trắng đã bay về Hồ Tây. Ông Trần Văn Bình, "
                   "người trông coi khu vực, cho biết đàn cò năm nay đông gấp đôi năm ngoái."}


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed (dated 22/9/2023 17:02) plus one undated article."""
    base = tmp_path_factory.mktemp("mixed")
    newsqa.build_index(_tiny_corpus(base / "corpus", [UNDATED]), base / "index")
    return base / "index"


def test_undated_articles_answered_by_default(mixed_index: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """one dated and one undated article | the undated one is answered by the CLI, the API
    and the app with no filter set; a date filter keeps it unless --dated-only; the app
    keeps one loaded index in its cache"""
    from streamlit.testing.v1 import AppTest

    q = "Ai trông coi khu vực Hồ Tây?"
    res = run_cli("ask", q, "--index", str(mixed_index), "--json")
    assert res.returncode == 0 and "Trần Văn Bình" in json.loads(res.stdout)["text"]
    res = run_cli("ask", q, "--index", str(mixed_index), "--json", "--from", "2023-01-01")
    assert "Trần Văn Bình" in json.loads(res.stdout)["text"]
    res = run_cli("ask", q, "--index", str(mixed_index), "--json", "--from", "2023-01-01",
                  "--dated-only")
    assert json.loads(res.stdout)["excluded_articles"] == 1
    monkeypatch.setenv("NEWSQA_INDEX_DIR", str(mixed_index))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.chat_input[0].set_value(q).run()
    assert not at.exception
    assert "Trần Văn Bình" in "\n".join(h.proto.body for h in at.html)
    from streamlit.runtime.caching.cache_resource_api import _resource_caches

    loaded = [c for caches in _resource_caches._function_caches.values()
              for c in caches.values() if "load_qa" in c.display_name]
    assert loaded and all(c.max_entries == 1 for c in loaded)  # one index, not one per build


def test_day_filter_includes_the_whole_day(mixed_index: Path) -> None:
    """--from X --to X on an article dated X 17:02 | found; a filter that excludes every
    article says so (exit 0, abstains, counts the articles left out)"""
    res = run_cli("ask", ASK, "--index", str(mixed_index), "--json", "--from", "2023-09-22",
                  "--to", "2023-09-22")
    assert res.returncode == 0 and SIGNER in json.loads(res.stdout)["citations"][0]["quote"]
    res = run_cli("ask", ASK, "--index", str(mixed_index), "--json", "--from", "2023-09-22",
                  "--to", "2023-09-22", "--dated-only")
    ans = json.loads(res.stdout)
    assert SIGNER in ans["citations"][0]["quote"]
    assert ans["excluded_articles"] == 1 and ans["searched_articles"] == 1
    res = run_cli("ask", ASK, "--index", str(mixed_index), "--from", "2030-01-01",
                  "--dated-only")
    assert res.returncode == 0 and "exclude all 2 articles" in res.stdout
    res = run_cli("search", ASK, "--index", str(mixed_index), "--to", "2020-01-01",
                  "--dated-only")
    assert "0 articles searched, 2 left out" in res.stdout


@pytest.mark.slow
def test_one_line_5mb_article_builds(tmp_path: Path) -> None:
    """a 4.9 MB one-line article (one sentence repeated) | builds (sentence splitting is
    linear; a repeated text is embedded once), the rest is indexed"""
    corpus = _tiny_corpus(tmp_path / "corpus")
    line = "Giá xăng giảm mạnh trong kỳ điều hành chiều nay. " * 78_000
    (corpus / "long.txt").write_text("Giá xăng\n\n" + line, encoding="utf-8")
    assert (corpus / "long.txt").stat().st_size > 4_800_000
    res = run_cli("build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"),
                  timeout=900)
    assert res.returncode == 0, res.stderr
    status = newsqa.load(tmp_path / "ix").status()
    assert status["articles"] == 2 and status["sentences"] > 78_000
    _answers(tmp_path / "ix")


@pytest.mark.slow
def test_text_without_spaces_builds(tmp_path: Path) -> None:
    """a 2 MB article that is one "word" (no space or full stop: a blob, a run of letters) |
    cut into bounded pieces, so no embedded text grows with the input; builds"""
    corpus = _tiny_corpus(tmp_path / "corpus")
    (corpus / "blob.txt").write_text("Blob\n\n" + "ab" * 1_000_000, encoding="utf-8")
    res = run_cli("build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"),
                  timeout=900)
    assert res.returncode == 0, res.stderr
    qa = newsqa.load(tmp_path / "ix")
    assert max(s.end - s.start for s in qa.store.sentences) <= 2000
    _answers(tmp_path / "ix")


@pytest.mark.slow
def test_huge_title_is_bounded(tmp_path: Path) -> None:
    """a 28 KB title line (.txt) and a 28 KB title field (.jsonl) | a warning naming the
    file and line; the title is cut, the embedded context is at most 200 characters"""
    from newsqa.build import representation, split_article
    from newsqa.embedding import get_embedder

    corpus = _tiny_corpus(tmp_path / "corpus", [{"id": "t1", "title": "Tiêu đề dài " * 2300,
                                                 "text": "Bài có tiêu đề rất dài."}])
    (corpus / "title.txt").write_text("Dòng đầu rất dài " * 1700 + "\n\nThân bài ngắn.",
                                      encoding="utf-8")
    corpus_read = newsqa.load_corpus(corpus)
    assert any("title.txt:1: first line is" in w for w in corpus_read.warnings)
    assert any("more.jsonl:1: title is" in w for w in corpus_read.warnings)
    for art in corpus_read.articles:
        assert len(art.title) <= 501
        for vectors in ("chunks+sentences", "sentences"):
            settings = newsqa.Settings(vectors=vectors)
            sents, chunks = split_article(art, settings, get_embedder("e5"))
            texts = representation(settings).texts(art, sents, chunks)
            bodies = [art.text[s.start:s.end] for s in sents]
            bodies = [c.text for c in chunks] + bodies if vectors != "sentences" else \
                ["", *bodies]  # the title alone, then each sentence alone
            for text, body in zip(texts, bodies, strict=True):
                assert len(text) <= 201 + len(body)
    txt = next(a for a in corpus_read.articles if a.id == "title.txt")
    assert txt.text.startswith("Dòng đầu rất dài") and txt.text.endswith("Thân bài ngắn.")
    res = run_cli("build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("damage", ["truncate", "delete-data", "dim-abc"])
def test_build_repairs_what_ask_reports(index_copy: Path, damage: str) -> None:
    """a data file truncated to 100 bytes, the data folder deleted, or "dim": "abc" in the
    manifest | ask says rebuild (exit 3); build re-embeds (not "up to date") and ask works"""
    import shutil

    manifest = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    data = index_copy / manifest["data_dir"]
    if damage == "truncate":
        os.truncate(data / "sentences.npy", 100)
    elif damage == "delete-data":
        shutil.rmtree(data)
    else:
        manifest["dim"] = "abc"
        (index_copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    res = run_cli("ask", ASK, "--index", str(index_copy))
    assert res.returncode == 3 and "newsqa build" in res.stderr
    res = run_cli("build", "--corpus", str(CORPUS), "--index", str(index_copy))
    assert res.returncode == 0, res.stderr
    assert "up to date" not in res.stdout and "embedded 1" in res.stdout
    _answers(index_copy)


@pytest.mark.slow
def test_no_single_date_disables_the_index(tmp_path: Path) -> None:
    """a record dated 0001-01-01, and aware (+07:00) mixed with naive dates | a warning
    naming file and line, the article kept undated; ask, search, status and the app work"""
    from streamlit.testing.v1 import AppTest

    corpus = _tiny_corpus(tmp_path / "corpus", [
        {**UNDATED, "date": "0001-01-01"},
        {"id": "a", "title": "Tin A", "text": "Giá lúa tăng ở An Giang.",
         "date": "2023-09-22T10:00:00+07:00"},
        {"id": "b", "title": "Tin B", "text": "Giá cá tra giảm ở Cần Thơ.", "date": "2023-09-23"}])
    ix = tmp_path / "ix"
    res = run_cli("build", "--corpus", str(corpus), "--index", str(ix))
    assert res.returncode == 0, res.stderr
    assert "more.jsonl:1: year 1 is outside 1800-2200; kept without date" in res.stderr
    for args in (("ask", ASK), ("search", ASK), ("status",)):
        res = run_cli(*args, "--index", str(ix))
        assert res.returncode == 0, res.stderr
    status = newsqa.load(ix).status()
    assert status["date_range"] == ("2023-09-22", "2023-09-23") and status["undated"] == 1
    env = {"NEWSQA_INDEX_DIR": str(ix)}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        at.run()
        at.chat_input[0].set_value("Giá cá tra ở đâu giảm?").run()
    assert not at.exception and not at.error


def test_one_bad_record_never_aborts(tmp_path: Path) -> None:
    """a lone surrogate in a record; a file name that is not UTF-8; 100,000-deep nested
    JSON (.json and .jsonl); a text of only BOMs | each skipped with a warning naming file
    (and line); the rest indexed"""
    corpus = _tiny_corpus(tmp_path / "corpus")
    lines = ['{"id": "s1", "title": "x", "text": "bad \\ud800 text"}',
             "[" * 100_000 + "]" * 100_000,
             json.dumps({"id": "bom", "title": "BOM", "text": "\ufeff\ufeff"}),
             json.dumps({"id": "ok", "title": "Tin tốt", "text": "Cảng Hải Phòng mở rộng."})]
    (corpus / "feed.jsonl").write_text("\n".join(lines), encoding="utf-8")
    (corpus / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with open(os.path.join(os.fsencode(corpus), b"bad-\xff-name.txt"), "wb") as fh:
        fh.write("Tin\n\nNội dung.".encode())
    res = run_cli("build", "--corpus", str(corpus), "--index", str(tmp_path / "ix"))
    assert res.returncode == 0, res.stderr
    _no_traceback(res)
    err = res.stderr
    assert "feed.jsonl:1: contains an invalid character" in err
    assert "feed.jsonl:2: unreadable JSON (nested too deeply)" in err
    assert "feed.jsonl:3: record has no 'text' field" in err
    assert "deep.json:1: unreadable JSON (nested too deeply)" in err
    assert "bad-\ufffd-name.txt: file name is not valid UTF-8" in err
    ids = set(newsqa.load(tmp_path / "ix").store.article_rows)
    assert ids == {"seed.txt", "ok"}


def test_unreadable_file_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """a file that cannot be read (PermissionError; simulated, since root reads anything) |
    skipped with a warning naming it; the rest is read"""
    import pathlib

    corpus = _tiny_corpus(tmp_path / "corpus")
    (corpus / "locked.txt").write_text("Tin\n\nNội dung.", encoding="utf-8")
    real = pathlib.Path.read_bytes

    def read_bytes(self: pathlib.Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    got = newsqa.load_corpus(corpus)
    assert [a.id for a in got.articles] == ["seed.txt"]
    assert "locked.txt: cannot be read (Permission denied); skipped" in got.warnings


@pytest.mark.slow
def test_disk_full(tmp_path: Path) -> None:
    """build into a 2 MB tmpfs that fills up | exit 6 naming the path and "no space left";
    the old index answers; no partial data folder left; once space is freed, the build
    completes"""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        ix = mnt / "ix"
        assert run_cli("build", "--corpus", str(CORPUS), "--index", str(ix)).returncode == 0
        live = {p.name for p in ix.glob("data-*")}
        filler = mnt / "filler"
        free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
        filler.write_bytes(b"\0" * max(0, free - 60_000))
        corpus = _bigger_corpus(tmp_path / "corpus", n=60)
        for _ in range(2):  # a second failure must not be caused by the first one's leftovers
            res = run_cli("build", "--corpus", str(corpus), "--index", str(ix))
            assert res.returncode == 6, res.stderr
            assert "no space left" in res.stderr.lower() and str(ix) in res.stderr
            _no_traceback(res)
            assert {p.name for p in ix.glob("data-*")} == live
            _answers(ix)
        filler.unlink()
        assert run_cli("build", "--corpus", str(corpus), "--index", str(ix)).returncode == 0
        assert newsqa.load(ix).status()["articles"] == 61
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


@pytest.mark.parametrize("field,value", [
    ("dim", "abc"), ("files", []), ("data_dir", 5), ("counts", {}), ("dim", "5000 digits"),
    ("articles", 5), ("data_dir", "../../outside"), ("files", {"../../etc/passwd": {
        "size": 1, "sha256": "0" * 64}})], ids=lambda v: str(v)[:16])
def test_damaged_manifest_types(index_copy: Path, field: str, value: object) -> None:
    """manifest with valid JSON but wrong types (dim "abc", files [], data_dir 5, counts {},
    a 5000-digit number, articles 5) or paths leading outside the index | exit 3 naming
    manifest.json, never exit 70"""
    path = index_copy / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest[field] = value
    text = json.dumps(manifest).replace('"5000 digits"', "7" * 5000)
    path.write_text(text, encoding="utf-8")
    for cmd in ("ask", "status"):
        res = run_cli(cmd, *((ASK,) if cmd == "ask" else ()), "--index", str(index_copy))
        assert res.returncode == 3, res.stderr
        assert "manifest.json" in res.stderr and "newsqa build" in res.stderr
        _no_traceback(res)


@pytest.mark.parametrize("var,value", [
    ("NEWSQA_ABSTAIN_THRESHOLD", "nan"), ("NEWSQA_CHUNK_TOKENS", "0"),
    ("NEWSQA_CHUNK_TOKENS", "-5"), ("NEWSQA_CHUNK_TOKENS", "abc"), ("NEWSQA_TOP_K", "abc")])
def test_bad_settings(seed_index: Path, var: str, value: str) -> None:
    """NEWSQA_ABSTAIN_THRESHOLD=nan, NEWSQA_CHUNK_TOKENS=0/-5/abc, NEWSQA_TOP_K=abc | exit 2
    naming the variable and the allowed range"""
    res = run_cli("ask", ASK, "--index", str(seed_index), env={var: value})
    assert res.returncode == 2, res.stderr
    assert var in res.stderr and " from " in res.stderr and " to " in res.stderr
    _no_traceback(res)


def test_invalid_text_in_questions_and_arguments(seed_qa: newsqa.NewsQA,
                                                 seed_index: Path) -> None:
    """a question with a lone surrogate (API) or invalid UTF-8 bytes (CLI argument) | an
    answer or an abstention, exit 0, never exit 70"""
    ans = seed_qa.ask("Ai ký cho Đảng ủy Khối\ud800?")
    assert ans.abstained or ans.citations
    res = subprocess.run([sys.executable.encode(), b"-m", b"newsqa", b"ask",
                          "Ai ký cho Đảng ủy Khối".encode() + b"\xff?", b"--index",
                          os.fsencode(seed_index)], capture_output=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert b"Traceback" not in res.stderr


def test_index_path_is_a_file_or_lock_is_a_folder(tmp_path: Path, index_copy: Path) -> None:
    """NEWSQA_INDEX_DIR that is a file; a .lock that is a folder | exit 2 naming the path"""
    afile = tmp_path / "afile"
    afile.write_text("not an index", encoding="utf-8")
    for cmd in (("ask", ASK), ("build", "--corpus", str(CORPUS))):
        res = run_cli(*cmd, env={"NEWSQA_INDEX_DIR": str(afile)})
        assert res.returncode == 2 and str(afile) in res.stderr and "is a file" in res.stderr
        _no_traceback(res)
    assert afile.read_text(encoding="utf-8") == "not an index"
    (index_copy / ".lock").unlink(missing_ok=True)
    (index_copy / ".lock").mkdir()
    res = run_cli("build", "--corpus", str(CORPUS), "--index", str(index_copy))
    assert res.returncode == 2 and ".lock" in res.stderr and "remove it" in res.stderr
    _no_traceback(res)


def test_jsonl_streamed_with_a_record_limit(tmp_path: Path) -> None:
    """a .jsonl with a 30 MB record among small ones, and a .json list | read record by
    record: the oversized record skipped with file:line, the others kept, memory bounded
    by the record limit, not the file"""
    import tracemalloc

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    small = [json.dumps({"id": f"s{i}", "title": "Tin", "text": f"Bài số {i}."})
             for i in range(200)]
    huge = json.dumps({"id": "big", "title": "Lớn", "text": "chữ " * 7_500_000})
    (corpus / "feed.jsonl").write_text("\n".join([*small[:100], huge, *small[100:]]),
                                       encoding="utf-8")
    (corpus / "list.json").write_text(
        "[\n" + ",\n".join(json.dumps({"id": f"j{i}", "title": "T", "text": f"Tin {i}."})
                           for i in range(50)) + "\n]", encoding="utf-8")
    tracemalloc.start()
    got = newsqa.load_corpus(corpus, max_bytes=1_000_000)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "feed.jsonl:101: record over 4 MB; skipped" in " ".join(got.warnings)
    assert len(got.articles) == 250
    assert peak < 12_000_000, peak  # the file is 30 MB; the record limit is 4 MB


def test_legacy_vietnamese_encodings(tmp_path: Path) -> None:
    """text in the TCVN3 (ABC) or VNI legacy encodings | reported as such and skipped, not
    stored as "Hµ Néi"; Vietnamese with °C, © or foreign names is not mistaken for it"""
    corpus = _tiny_corpus(tmp_path / "corpus")
    (corpus / "tcvn3.txt").write_bytes(
        "Tin cu\n\nHµ Néi mïa lóa chÝn ré, ng­êi d©n phÊn khëi thu ho¹ch.".encode("latin-1"))
    (corpus / "vni.txt").write_bytes(
        "Tin cu\n\nHaø Noäi muøa luùa chín roä, ngöôøi daân phaán khôûi.".encode("latin-1"))
    (corpus / "fine.txt").write_text("Thời tiết\n\nHà Nội 25°C, nắng. Ông Müller và Peña "
                                     "dự hội thảo © 2023.", encoding="utf-8")
    got = newsqa.load_corpus(corpus)
    warnings = " ".join(got.warnings)
    assert "tcvn3.txt: text is in the legacy TCVN3 font encoding" in warnings
    assert "vni.txt: text is in the legacy VNI font encoding" in warnings
    assert {a.id for a in got.articles} == {"seed.txt", "fine.txt"}


def test_links_outside_the_corpus_skipped(tmp_path: Path) -> None:
    """symlinks (file or folder) that lead outside the corpus folder | skipped with a
    warning; links inside it are read once"""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("Bí mật\n\nMật khẩu là 1234.", encoding="utf-8")
    corpus = _tiny_corpus(tmp_path / "corpus")
    (corpus / "leak.txt").symlink_to(outside / "secret.txt")
    (corpus / "leakdir").symlink_to(outside)
    got = newsqa.load_corpus(corpus)
    assert [a.id for a in got.articles] == ["seed.txt"]
    assert "leak.txt: link to a file outside the corpus; skipped" in got.warnings
    assert "leakdir: link to a folder outside the corpus; skipped" in got.warnings


def test_file_names_shown_as_plain_text_in_the_app(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """a corpus file named [x](https:evil.example).txt in an error shown by the app | shown
    as text, never a link"""
    from streamlit.testing.v1 import AppTest

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "[x](https:evil.example).txt").write_bytes(b"")
    monkeypatch.setenv("NEWSQA_INDEX_DIR", str(tmp_path / "ix"))
    monkeypatch.setenv("NEWSQA_CORPUS_DIR", str(corpus))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    next(b for b in at.button if b.label == "Xây lại chỉ mục").click().run()
    for _ in range(60):
        at.run()
        if at.error:
            break
        time.sleep(0.5)
    shown = " ".join(e.value for e in at.error)
    assert "\\[x\\]\\(https\\:evil" in shown and "[x](https:" not in shown


def test_same_size_damage_found_by_verify_and_repaired_by_build(index_copy: Path) -> None:
    """a data file changed in place, same size (bytes flipped in sentences.npy) | a plain
    load checks sizes and headers only, so `newsqa verify` (sha256 of every file) finds it:
    exit 3 naming the file; build re-embeds and verify passes"""
    manifest = json.loads((index_copy / MANIFEST).read_text(encoding="utf-8"))
    path = index_copy / manifest["data_dir"] / "sentences.npy"
    data = bytearray(path.read_bytes())
    data[-8:] = bytes(8)
    path.write_bytes(bytes(data))
    res = run_cli("verify", "--index", str(index_copy))
    assert res.returncode == 3 and "sentences.npy" in res.stderr and "newsqa build" in res.stderr
    _no_traceback(res)
    res = run_cli("build", "--corpus", str(CORPUS), "--index", str(index_copy))
    assert res.returncode == 0 and "embedded 1" in res.stdout, res.stderr
    res = run_cli("verify", "--index", str(index_copy))
    assert res.returncode == 0 and "intact" in res.stdout


def test_build_progress_when_piped(tmp_path: Path) -> None:
    """build with its output piped to a file or a log | plain progress lines (done/total,
    rate), no terminal bar codes"""
    res = run_cli("build", "--corpus", str(CORPUS), "--index", str(tmp_path / "ix"))
    assert res.returncode == 0
    assert re.search(r"^embedding: (\d+)/\1 \(100%\), [\d.]+/s$", res.stderr, re.M), res.stderr
    assert "\r" not in res.stderr and "\x1b[" not in res.stderr


@pytest.mark.slow
def test_killed_build_resumes_where_it_stopped(index_copy: Path, tmp_path: Path) -> None:
    """build killed (SIGKILL) in the middle of embedding, then started again | the old
    index answers meanwhile; the second build re-embeds only what no checkpoint holds, and
    its index equals an uninterrupted build's (same counts, same vectors)"""
    import numpy as np

    corpus = _bigger_corpus(tmp_path / "corpus", n=40)
    env = {**os.environ, "NEWSQA_CHECKPOINT_TEXTS": "32"}
    proc = subprocess.Popen([sys.executable, "-m", "newsqa", "build", "--corpus", str(corpus),
                             "--index", str(index_copy), "--quiet"], cwd=ROOT, text=True,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and \
            len(list(index_copy.glob("partial-*/batch-*.npy"))) < 3:
        time.sleep(0.05)
    assert proc.poll() is None, "build finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = sum(len(np.load(p)) for p in index_copy.glob("partial-*/batch-*.npy"))
    assert saved > 32
    _answers(index_copy)
    res = run_cli("build", "--corpus", str(corpus), "--index", str(index_copy), "--json",
                  env={"NEWSQA_CHECKPOINT_TEXTS": "32"})
    assert res.returncode == 0, res.stderr
    resumed = json.loads(res.stdout)
    assert resumed["resumed_texts"] >= saved - 32 and resumed["embedded_texts"] > 0
    assert not list(index_copy.glob("partial-*"))
    fresh = tmp_path / "fresh"
    res = run_cli("build", "--corpus", str(corpus), "--index", str(fresh), "--json")
    whole = json.loads(res.stdout)
    assert resumed["embedded_texts"] + resumed["resumed_texts"] <= whole["embedded_texts"]
    a, b = newsqa.load(index_copy).store, newsqa.load(fresh).store
    assert (a.manifest.counts, a.manifest.articles) == (b.manifest.counts, b.manifest.articles)
    assert np.allclose(a.chunk_vectors(), b.chunk_vectors(), atol=1e-5)
    assert np.allclose(np.asarray(a.sentence_vectors), np.asarray(b.sentence_vectors),
                       atol=1e-5)
