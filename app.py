"""newsqa chat app: `streamlit run app.py`. Parses input, calls the library, renders."""

from __future__ import annotations

import html
import time
from datetime import UTC, date, datetime
from typing import Any

import streamlit as st

import newsqa
from newsqa import BackgroundBuild, bound_of_day, display, plain_markdown

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Hỏi đáp tin tức", "status": "Chỉ mục",
        "articles": "Bài viết", "chunks": "Đoạn", "embedder": "Mô hình", "built": "Xây lúc",
        "topk": "Số đoạn tham khảo (k)", "filters": "Bộ lọc", "dates": "Khoảng ngày",
        "source": "Nguồn", "all": "(tất cả)", "rebuild": "Xây lại chỉ mục",
        "building": "Đang xây chỉ mục… vẫn trả lời bằng chỉ mục cũ.",
        "built_ok": "Đã xây xong chỉ mục", "no_index": "Chưa có chỉ mục trong",
        "fix": "Bấm Xây lại chỉ mục ở thanh bên, hoặc chạy", "ask": "Đặt câu hỏi…",
        "sources": "Nguồn trích dẫn", "closest": "Các đoạn gần nhất, không phải câu trả lời",
        "more": "Thêm đoạn liên quan (không được trích dẫn)", "whole": "Xem toàn bài",
        "answer": "Trả lời ngắn", "error": "Lỗi", "welcome": "Hỏi bằng tiếng Việt hoặc tiếng "
        "Anh, ví dụ: *Ai ký kết quy chế phối hợp cho Đảng ủy Khối?*",
        "by_date": "Lọc theo ngày", "undated": "Gồm cả bài không có ngày",
        "searched": "Tìm trong {s} bài viết; bộ lọc loại {x} bài.",
        "timing": "{secs:.1f} giây · {k} đoạn tham khảo trong {s} bài viết",
        "new": "Cuộc trò chuyện mới", "download": "Tải cuộc trò chuyện (Markdown)",
        "copy": "Sao chép câu trả lời", "left": "còn khoảng {s:.0f} giây",
        "conversation": "Cuộc trò chuyện với newsqa",
    },
    "en": {
        "title": "News Q&A", "status": "Index", "articles": "Articles",
        "chunks": "Chunks", "embedder": "Embedder", "built": "Built at",
        "topk": "Passages to consult (k)", "filters": "Filters", "dates": "Date range",
        "source": "Source", "all": "(all)", "rebuild": "Rebuild index",
        "building": "Building the index… answers still come from the old one.",
        "built_ok": "Index rebuilt", "no_index": "No index yet in",
        "fix": "Press Rebuild index in the sidebar, or run", "ask": "Ask a question…",
        "sources": "Sources", "closest": "Closest passages, not an answer",
        "more": "More passages (not cited)", "whole": "Read the whole article",
        "answer": "Short answer", "error": "Error", "welcome": "Ask in Vietnamese or "
        "English, e.g. *Who signed for the Đảng ủy Khối?*",
        "by_date": "Filter by date", "undated": "Include undated articles",
        "searched": "Searched {s} articles; the filters left out {x}.",
        "timing": "{secs:.1f} s · {k} passages consulted in {s} articles",
        "new": "New conversation", "download": "Download conversation (Markdown)",
        "copy": "Copy the answer", "left": "about {s:.0f} s left",
        "conversation": "Conversation with newsqa",
    },
}
LANGS = {"auto": "Tự động / Auto", "vi": "Tiếng Việt", "en": "English"}
CSS = """<style>
a.cite { text-decoration: none; font-weight: 600; }
.card { scroll-margin-top: 4rem; border-radius: .4rem; padding: .2rem .4rem; }
.card:target, .card:has(:target) { animation: flash 2s ease-out; }
@keyframes flash { from { background: #ffe58a; } to { background: transparent; } }
</style>"""

st.set_page_config(page_title="newsqa", page_icon="📰", layout="wide")
try:
    settings = newsqa.Settings()
except newsqa.SettingsError as exc:
    st.error(plain_markdown(str(exc)))
    st.stop()


# One entry: a rebuild replaces the loaded index instead of keeping every old one in memory.
@st.cache_resource(show_spinner=False, max_entries=1)
def load_qa(index_dir: str, data_dir: str, settings_json: str) -> newsqa.NewsQA:
    """The loaded index; ``data_dir`` changes with every build, so a rebuild reloads, and
    so do other settings (``settings_json``)."""
    return newsqa.load(index_dir, settings=newsqa.Settings.model_validate_json(settings_json))


@st.cache_resource
def build_holder() -> dict[str, BackgroundBuild | None]:
    """One background build shared by every session of this server."""
    return {"job": None}


def current_qa() -> newsqa.NewsQA | None:
    try:
        version = newsqa.index_version(settings.index_dir)
    except newsqa.IndexMissingError:
        return None
    return load_qa(str(settings.index_dir), version, settings.model_dump_json())


def label_lang(choice: str, answer: newsqa.Answer | None = None) -> str:
    """The language of labels: the switch, or with "auto" the question's language."""
    if choice != "auto":
        return choice
    return answer.language if answer is not None else "vi"


def sidebar(qa: newsqa.NewsQA | None, t: dict[str, str], lang: str) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    info = qa.status() if qa is not None else None
    with st.sidebar:
        st.header(t["status"])
        if info is not None:
            built = ""
            if info["built_at"]:
                at = datetime.fromisoformat(info["built_at"])
                built = f"{display.local_time(at)} ({display.ago(at, datetime.now(UTC), lang)})"
            st.markdown(f"{t['articles']}: **{info['articles']}** · {t['chunks']}: "
                        f"**{info['chunks']}**  \n{t['embedder']}: `{info['embedder']}`  \n"
                        f"{t['built']}: {built}")
        opts["k"] = st.slider(t["topk"], 1, 20, settings.top_k)
        if info is not None:
            st.subheader(t["filters"])
            # No date filter unless asked for: undated articles are answered by default.
            if info["date_range"] and st.checkbox(t["by_date"], value=False):
                lo, hi = (date.fromisoformat(d) for d in info["date_range"])
                picked = st.date_input(t["dates"], value=(lo, hi))
                if isinstance(picked, tuple) and len(picked) == 2:
                    opts["date_from"] = bound_of_day(picked[0], end=False)
                    opts["date_to"] = bound_of_day(picked[1], end=True)
                if info["undated"]:
                    opts["include_undated"] = st.checkbox(t["undated"], value=True)
            if info["sources"]:
                src = st.selectbox(t["source"], [t["all"], *info["sources"]])
                opts["source"] = None if src == t["all"] else src
        conversation_panel(t)
        rebuild_panel(t, lang)
    return opts


def conversation_panel(t: dict[str, str]) -> None:
    messages: list[dict[str, Any]] = st.session_state.setdefault("messages", [])
    if st.button(t["new"], disabled=not messages):
        messages.clear()
    turns = [(m["question"], m["answer"]) for m in messages]
    st.download_button(t["download"], display.conversation_markdown(turns, t["conversation"]),
                       file_name="newsqa-conversation.md", mime="text/markdown",
                       disabled=not turns)


def rebuild_panel(t: dict[str, str], lang: str) -> None:
    holder = build_holder()
    job = holder["job"]
    if st.button(t["rebuild"], disabled=bool(job and job.running), type="primary"):
        holder["job"] = BackgroundBuild(settings.corpus_dir, settings.index_dir, settings)
    build_progress(t, lang)


@st.fragment(run_every=1.0)
def build_progress(t: dict[str, str], lang: str) -> None:
    job = build_holder()["job"]
    if job is None:
        return
    if job.running:
        left = job.seconds_left
        eta = f" · {t['left'].format(s=left)}" if left is not None else ""
        st.progress(job.fraction,
                    text=f"{t['building']} ({job.stage} {job.done}/{job.total}{eta})")
    elif job.error:
        st.error(f"{t['error']}: {plain_markdown(job.error)}")
    elif job.report is not None:
        st.success(f"{t['built_ok']}: {display.build_summary(job.report, lang)}")
        if st.session_state.get("seen_build") is not job:
            st.session_state["seen_build"] = job
            st.rerun(scope="app")


def show_answer(qa: newsqa.NewsQA, msg: dict[str, Any], turn: int, t: dict[str, str],
                lang: str) -> None:
    answer: newsqa.Answer = msg["answer"]
    anchor = f"t{turn}"
    st.html(CSS)
    if answer.excluded_articles:
        st.caption(t["searched"].format(s=answer.searched_articles, x=answer.excluded_articles))
    if answer.abstained:
        st.warning(answer.text)
        if answer.citations:
            with st.expander(t["closest"]):
                show_cards(qa, answer.citations, anchor, t, lang)
        return
    st.html(f"<div class='answer'>{display.answer_html(answer, anchor)}</div>")
    if answer.answer_span:
        st.html(f"<p>{html.escape(t['answer'])}: <strong>"
                f"{html.escape(answer.answer_span.text)}</strong></p>")
    st.caption(t["timing"].format(secs=msg["seconds"], k=msg["k"],
                                  s=answer.searched_articles or 0))
    with st.expander(t["copy"]):
        st.code(answer.text, language=None, wrap_lines=True)
    cited = set(display.cited_numbers(answer))
    st.caption(t["sources"])
    show_cards(qa, [c for c in answer.citations if c.n in cited], anchor, t, lang)
    more = [c for c in answer.citations if c.n not in cited]
    if more:
        with st.expander(t["more"]):
            show_cards(qa, more, anchor, t, lang)


def show_cards(qa: newsqa.NewsQA, citations: list[newsqa.Citation], anchor: str,
               t: dict[str, str], lang: str) -> None:
    for card in display.cards(citations):
        with st.container(border=True):
            st.html(display.card_header_html(card, lang))
            for numbers, passage in card.passages:
                marks = " ".join(f"[{n}]" for n in numbers)
                # A passage holding several quotes is the target of each of their markers.
                more = "".join(f"<span id='{display.card_id(anchor, n)}'></span>"
                               for n in numbers[1:])
                st.html(f"<div class='card' id='{display.card_id(anchor, numbers[0])}'>"
                        f"{more}<b>{marks}</b> {passage}</div>")
            with st.expander(t["whole"]):
                art = qa.article(card.article_id)
                first = next(c for c in citations if c.article_id == card.article_id)
                st.html(f"<div>{display.highlight(art.text, first.start, first.end)}</div>")


def main() -> None:
    choice = st.sidebar.radio("Ngôn ngữ / Language", list(LANGS), horizontal=True,
                              format_func=LANGS.__getitem__)
    messages: list[dict[str, Any]] = st.session_state.setdefault("messages", [])
    lang = label_lang(choice, messages[-1]["answer"] if messages else None)
    t = LABELS[lang]
    st.title(t["title"])
    try:
        qa = current_qa()
    except newsqa.NewsQAError as exc:
        qa = None
        st.error(f"{t['error']}: {plain_markdown(str(exc))}")
    opts = sidebar(qa, t, lang)
    if qa is None:
        command = f"newsqa build --corpus {settings.corpus_dir} --index {settings.index_dir}"
        st.info(f"{t['no_index']} {plain_markdown(str(settings.index_dir))}. {t['fix']} "
                f"{plain_markdown(command)}")
        return
    if not messages:
        st.markdown(t["welcome"])
    for turn, msg in enumerate(messages):
        with st.chat_message("user"):
            st.text(msg["question"])
        with st.chat_message("assistant"):
            m_lang = label_lang(choice, msg["answer"])
            show_answer(qa, msg, turn, LABELS[m_lang], m_lang)
    question = st.chat_input(t["ask"])
    if not question:
        return
    turns = [newsqa.Turn(question=m["question"], answer=m["answer"].text) for m in messages]
    started = time.perf_counter()
    try:
        answer = qa.ask(question, history=turns, **opts)
    except newsqa.NewsQAError as exc:
        st.error(f"{t['error']}: {plain_markdown(str(exc))}")
        return
    messages.append({"question": question, "answer": answer, "k": opts["k"],
                     "seconds": time.perf_counter() - started})
    st.rerun()


main()
