"""The Streamlit app in the real Streamlit runtime (AppTest), against real indexes."""

from __future__ import annotations

import json
import re
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


def test_abstention_is_one_line_with_passages_collapsed(env: pytest.MonkeyPatch,
                                                         seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("Giá vàng hôm nay bao nhiêu?").run()
    assert [w.value for w in at.warning] == ["Không tìm thấy câu trả lời trong kho bài viết."]
    [closest] = [e for e in at.expander if e.label.startswith("Các đoạn gần nhất")]
    assert closest.proto.expanded is False
    assert "Nguồn trích dẫn" not in _page_text(at)


def test_follow_up_in_chat(env: pytest.MonkeyPatch, seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("Ai ký cho Đảng ủy Khối?").run()
    at.chat_input[0].set_value("Còn phía Tập đoàn thì ai ký?").run()
    assert not at.exception
    text = _page_text(at)
    assert "Nguyễn Phú Cường" in text
    # A short answer is bold only when it is likely right: here, one of the two signers.
    assert set(re.findall(r"<strong>(.*?)</strong>", text)) <= {"Lê Thị Hồng Nga",
                                                               "Nguyễn Phú Cường"}
    assert len(at.chat_message) == 4
    # Every marker of the follow-up leads somewhere, also when two quotes share a passage.
    page = "\n".join(h.proto.body for h in at.html)
    targets = re.findall(r'<a class="cite" href="#(t1-\d+)">', page)
    anchors = re.findall(r"id='(t1-\d+)'", page)
    assert targets and set(targets) <= set(anchors)


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
    # A part of a question the corpus cannot answer is named in the answer, as text.
    at.chat_input[0].set_value(
        "Ai ký kết quy chế phối hợp, và <img src=x onerror=alert(1)> là ai?").run()
    assert not at.exception
    assert "<img" not in _page_text(at) and "&lt;img src=x" in _html(at)


def test_missing_index_shows_how_to_fix(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    at = _app(env, tmp_path / "none")
    assert "newsqa build" in " ".join(i.value for i in at.info)
    assert "Xây lại chỉ mục" in [b.label for b in at.button]


def test_rebuild_button_builds_in_the_background(env: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    at = _app(env, tmp_path / "ix", ROOT / "corpus")
    assert "newsqa build" in " ".join(i.value for i in at.info)
    _button(at, "Xây lại chỉ mục").click().run()
    # The build runs in a thread shared by all sessions; the page keeps working meanwhile.
    for _ in range(240):
        if (tmp_path / "ix" / "manifest.json").exists():
            break
        time.sleep(0.5)
    time.sleep(1)
    at.run()
    assert not at.exception
    assert "Bài viết: **1**" in _page_text(at)


def _button(at: AppTest, label: str):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def _html(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.html)


def test_markers_link_to_their_cards_and_cards_are_not_repeated(
        env: pytest.MonkeyPatch, seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("Who signed for the Đảng ủy Khối?").run()
    page = _html(at)
    links = re.findall(r'<a class="cite" href="#(t0-\d+)">\[(\d+)\]</a>', page)
    assert links and all(target == f"t0-{n}" for target, n in links)
    ids = re.findall(r"<div class='card' id='([^']+)'>", page)
    assert len(ids) == len(set(ids))  # one card per passage
    anchors = set(ids) | set(re.findall(r"<span id='([^']+)'></span>", page))
    for target, n in links:
        assert target in anchors and f"[{n}]</b>" in page
    # One title heads the cited passages of the article, and one the uncited ones under
    # "more passages", however many passages each holds.
    uncited = len(ids) > len(links)
    assert page.count("<b>Ký kết Quy chế phối hợp công tác") == 1 + uncited
    [more] = [e for e in at.expander if e.label == "More passages (not cited)"]
    assert more.proto.expanded is False


def test_a_question_asking_two_things_quotes_and_links_both(env: pytest.MonkeyPatch,
                                                           seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value(
        "Ai tham dự về phía Đảng ủy Khối, và ai tham dự về phía Tập đoàn?").run()
    assert not at.exception, at.exception
    answer = re.search(r"<div class='answer'>(.*?)</div>", _html(at), re.DOTALL)
    assert answer and SIGNER in answer.group(1) and "Nguyễn Phú Cường" in answer.group(1)
    links = re.findall(r'<a class="cite" href="#t0-(\d+)">', answer.group(1))
    assert links == ["1", "2"]


def test_timing_copy_and_filter_hint(env: pytest.MonkeyPatch, seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("Ai ký cho Đảng ủy Khối?").run()
    captions = " ".join(c.value for c in at.caption)
    assert re.search(r"\d+\.\d giây · 5 đoạn tham khảo trong 1 bài viết", captions)
    assert any(SIGNER in c.value for c in at.code)  # st.code carries a copy button
    assert [e for e in at.expander if e.label == "Sao chép câu trả lời"]


def test_new_conversation_clears_the_history(env: pytest.MonkeyPatch,
                                             seed_index: Path) -> None:
    at = _app(env, seed_index)
    at.chat_input[0].set_value("Ai ký cho Đảng ủy Khối?").run()
    assert len(at.chat_message) == 2
    [download] = at.get("download_button")
    assert not download.proto.disabled
    _button(at, "Cuộc trò chuyện mới").click().run()
    assert len(at.chat_message) == 0 and not at.exception


def test_conversation_markdown_holds_questions_and_citations(seed_qa: newsqa.NewsQA) -> None:
    from newsqa.display import conversation_markdown

    answer = seed_qa.ask("Ai ký cho Đảng ủy Khối?")
    md = conversation_markdown([("Ai ký cho Đảng ủy Khối?", answer)], "Hội thoại")
    c = answer.citations[0]
    assert md.startswith("# Hội thoại\n\n## Ai ký cho Đảng ủy Khối?")
    assert f"[1] {c.title} ({c.article_id}, {c.start}-{c.end}): “{c.quote}”" in md


@pytest.mark.parametrize("choice,question,label", [
    ("en", "Ai ký cho Đảng ủy Khối?", "Sources"),
    ("vi", "Who signed for the Đảng ủy Khối?", "Nguồn trích dẫn"),
    ("auto", "Who signed for the Đảng ủy Khối?", "Sources"),
    ("auto", "Ai ký cho Đảng ủy Khối?", "Nguồn trích dẫn")])
def test_labels_follow_the_switch(env: pytest.MonkeyPatch, seed_index: Path, choice: str,
                                  question: str, label: str) -> None:
    env.setenv("NEWSQA_TUNING__SPAN_MIN_MARGIN", "-100")  # every short answer shows
    env.setenv("NEWSQA_TUNING__SPAN_MIN_MARGIN_EN", "-100")
    at = _app(env, seed_index)
    at.sidebar.radio[0].set_value(choice).run()
    at.chat_input[0].set_value(question).run()
    captions = [c.value for c in at.caption]
    assert label in captions
    other = "Nguồn trích dẫn" if label == "Sources" else "Sources"
    assert other not in captions
    short = "Short answer" if label == "Sources" else "Trả lời ngắn"
    assert short in _html(at)
    assert at.title[0].value == ("News Q&A" if label == "Sources" else "Hỏi đáp tin tức")


def _linked_corpus(root: Path) -> Path:
    root.mkdir()
    rows = [{"id": "a", "title": "Cảng Hải Phòng", "source": "baomoi", "date": "2023-09-22",
             "url": "https://example.com/cang", "text": "Cảng Hải Phòng mở rộng bến số 5."},
            {"id": "b", "title": "Cảng Đà Nẵng", "url": "javascript:alert(1)",
             "text": "Cảng Đà Nẵng đón tàu container lớn nhất từ trước đến nay."}]
    (root / "feed.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False)
                                               for r in rows), encoding="utf-8")
    return root


def test_source_link_only_for_http(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    corpus = _linked_corpus(tmp_path / "corpus")
    newsqa.build_index(corpus, tmp_path / "ix")
    at = _app(env, tmp_path / "ix", corpus)
    at.chat_input[0].set_value("Cảng nào mở rộng bến số 5?").run()
    at.chat_input[0].set_value("Cảng nào đón tàu container lớn nhất?").run()
    page = _html(at)
    assert ('href="https://example.com/cang" target="_blank" rel="noopener noreferrer"'
            in page)
    assert "baomoi · 22/9/2023 00:00" in page
    assert "javascript:" not in page


def test_filter_hint_and_undated_articles(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    corpus = _linked_corpus(tmp_path / "corpus")
    newsqa.build_index(corpus, tmp_path / "ix")
    at = _app(env, tmp_path / "ix", corpus)
    at.sidebar.checkbox[0].check().run()  # filter by date: the undated article still passes
    at.chat_input[0].set_value("Cảng nào đón tàu container lớn nhất?").run()
    assert "Cảng Đà Nẵng đón tàu" in _html(at)
    at.sidebar.checkbox[1].uncheck().run()  # leave undated articles out
    at.chat_input[0].set_value("Cảng nào đón tàu container lớn nhất?").run()
    assert "Tìm trong 1 bài viết; bộ lọc loại 1 bài." in [c.value for c in at.caption]


def test_status_in_local_time_and_build_in_words(env: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    corpus = _linked_corpus(tmp_path / "corpus")
    at = _app(env, tmp_path / "ix", corpus)
    _button(at, "Xây lại chỉ mục").click().run()
    for _ in range(240):
        at.run()
        if any("Đã xây xong" in s.value for s in at.success):
            break
        time.sleep(0.5)
    assert "Đã xây xong chỉ mục: 2 bài thêm, 0 bài đổi, 0 bài bỏ (2 bài trong chỉ mục)" in \
        [s.value for s in at.success]
    at.run()
    status = " ".join(m.value for m in at.sidebar.markdown)
    assert re.search(r"Xây lúc: \d{1,2}/\d{1,2}/\d{4} \d\d:\d\d \((vừa xong|\d+ phút trước)\)",
                     status), status


def test_streamlit_config_shipped() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert config["client"]["toolbarMode"] in ("viewer", "minimal")


def test_highlight_escapes_everything() -> None:
    out = highlight("a <b>x</b> & c", 2, 10)
    assert out == "a <mark>&lt;b&gt;x&lt;/b&gt;</mark> &amp; c"
