"""The Streamlit app in the real Streamlit runtime (AppTest), against real indexes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import newsqa
from newsqa.display import highlight

from .conftest import ROOT, SIGNER

APP = str(ROOT / "app.py")


@pytest.fixture()
def env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch


def _app(monkeypatch: pytest.MonkeyPatch, index: Path, corpus: Path | None = None) -> AppTest:
    monkeypatch.setenv("NEWSQA_INDEX_DIR", str(index))
    if corpus is not None:
        monkeypatch.setenv("NEWSQA_CORPUS_DIR", str(corpus))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [h.proto.body for h in at.html]
    parts += [w.value for w in at.warning] + [i.value for i in at.info]
    parts += [e.value for e in at.error] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts)


def test_question_renders_answer_and_citation(env: pytest.MonkeyPatch,
                                              seed_index: Path) -> None:
    at = _app(env, seed_index)
    assert "Bài viết: **1**" in _page_text(at)
    at.chat_input[0].set_value("Who signed for the Đảng ủy Khối?").run()
    assert not at.exception, at.exception
    page = _page_text(at)
    assert SIGNER in page and "<mark>" in page and "[1]" in page
    assert "Sources" in page  # an English question gets English labels


def test_abstention_is_shown(env: pytest.MonkeyPatch, seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("Giá vàng hôm nay bao nhiêu?").run()
    assert [w.value for w in at.warning] == ["Không tìm thấy câu trả lời trong kho bài viết."]
    assert "Độ tin cậy thấp" in " ".join(c.value for c in at.caption)


def test_follow_up_in_chat(env: pytest.MonkeyPatch, seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("Ai ký cho Đảng ủy Khối?").run()
    at.chat_input[0].set_value("Còn phía Tập đoàn thì ai ký?").run()
    assert not at.exception
    assert "<strong>Nguyễn Phú Cường</strong>" in _page_text(at)
    assert len(at.chat_message) == 4


def test_script_in_an_article_shows_as_text(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "xss.txt").write_text(
        "Bài thử mã độc\n\nNhà máy thủy điện Sơn La phát điện <script>alert(1)</script> "
        "từ năm 2010 với công suất 2.400 MW.\n", encoding="utf-8")
    newsqa.build_index(corpus, tmp_path / "ix")
    at = _app(env, tmp_path / "ix", corpus)
    at.chat_input[0].set_value("Thủy điện Sơn La phát điện từ năm nào?").run()
    page = _page_text(at)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page


def test_question_with_markup_is_escaped(env: pytest.MonkeyPatch, seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("<img src=x onerror=alert(1)> Ai ký?").run()
    assert not at.exception
    assert "<img" not in _page_text(at)


def test_missing_index_shows_how_to_fix(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _app(env, tmp_path / "none")
    assert "newsqa build" in " ".join(i.value for i in at.info)
    assert at.button[0].label == "Xây lại chỉ mục"


def test_rebuild_button_builds_in_the_background(env: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    at = _app(env, tmp_path / "ix", ROOT / "corpus")
    assert "newsqa build" in " ".join(i.value for i in at.info)
    at.button[0].click().run()
    # The build runs in a thread shared by all sessions; the page keeps working meanwhile.
    for _ in range(240):
        if (tmp_path / "ix" / "manifest.json").exists():
            break
        time.sleep(0.5)
    time.sleep(1)
    at.run()
    assert not at.exception
    assert "Bài viết: **1**" in _page_text(at)


def test_highlight_escapes_everything() -> None:
    out = highlight("a <b>x</b> & c", 2, 10)
    assert out == "a <mark>&lt;b&gt;x&lt;/b&gt;</mark> &amp; c"
