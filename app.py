"""newsqa chat app: `streamlit run app.py`. Parses input, calls the library, renders."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

import streamlit as st

import newsqa
from newsqa.build import BackgroundBuild
from newsqa.dates import bound_of_day
from newsqa.display import answer_html, citation_passage, highlight, plain_markdown
from newsqa.layout import read_manifest
from newsqa.text import is_vietnamese

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "title": "Hỏi đáp tin tức", "lang": "Ngôn ngữ", "status": "Chỉ mục",
        "articles": "Bài viết", "chunks": "Đoạn", "embedder": "Mô hình", "built": "Xây lúc",
        "topk": "Số đoạn tham khảo (k)", "filters": "Bộ lọc", "dates": "Khoảng ngày",
        "source": "Nguồn", "all": "(tất cả)", "rebuild": "Xây lại chỉ mục",
        "building": "Đang xây chỉ mục… vẫn trả lời bằng chỉ mục cũ.",
        "built_ok": "Đã xây xong chỉ mục", "no_index": "Chưa có chỉ mục trong",
        "fix": "Bấm **Xây lại chỉ mục** ở thanh bên, hoặc chạy", "ask": "Đặt câu hỏi…",
        "sources": "Nguồn trích dẫn", "low": "Độ tin cậy thấp — đoạn gần nhất",
        "no_answer": "Không tìm thấy câu trả lời", "whole": "Xem toàn bài",
        "answer": "Trả lời ngắn", "error": "Lỗi", "welcome": "Hỏi bằng tiếng Việt hoặc tiếng "
        "Anh, ví dụ: *Ai ký kết quy chế phối hợp cho Đảng ủy Khối?*",
        "by_date": "Lọc theo ngày", "undated": "Gồm cả bài không có ngày",
        "searched": "Đã tìm trong {s} bài viết; bộ lọc loại {x} bài.",
    },
    "en": {
        "title": "News Q&A", "lang": "Language", "status": "Index", "articles": "Articles",
        "chunks": "Chunks", "embedder": "Embedder", "built": "Built at",
        "topk": "Passages to consult (k)", "filters": "Filters", "dates": "Date range",
        "source": "Source", "all": "(all)", "rebuild": "Rebuild index",
        "building": "Building the index… answers still come from the old one.",
        "built_ok": "Index rebuilt", "no_index": "No index yet in",
        "fix": "Press **Rebuild index** in the sidebar, or run", "ask": "Ask a question…",
        "sources": "Sources", "low": "Low confidence — closest passages",
        "no_answer": "No answer found", "whole": "Read the whole article",
        "answer": "Short answer", "error": "Error", "welcome": "Ask in Vietnamese or "
        "English, e.g. *Who signed for the Đảng ủy Khối?*",
        "by_date": "Filter by date", "undated": "Include undated articles",
        "searched": "Searched {s} articles; the filters left out {x}.",
    },
}

st.set_page_config(page_title="newsqa", page_icon="📰", layout="wide")
try:
    settings = newsqa.Settings()
except newsqa.SettingsError as exc:
    st.error(plain_markdown(str(exc)))
    st.stop()


# One entry: a rebuild replaces the loaded index instead of keeping every old one in memory.
@st.cache_resource(show_spinner=False, max_entries=1)
def load_qa(index_dir: str, data_dir: str) -> newsqa.NewsQA:
    """The loaded index; ``data_dir`` changes with every build, so a rebuild reloads."""
    return newsqa.load(index_dir, settings=settings)


@st.cache_resource
def build_holder() -> dict[str, BackgroundBuild | None]:
    """One background build shared by every session of this server."""
    return {"job": None}


def current_qa() -> newsqa.NewsQA | None:
    try:
        manifest = read_manifest(settings.index_dir)
    except newsqa.IndexMissingError:
        return None
    return load_qa(str(settings.index_dir), manifest.data_dir)


def sidebar(qa: newsqa.NewsQA | None, t: dict[str, str]) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    info = qa.status() if qa is not None else None
    with st.sidebar:
        st.header(t["status"])
        if info is not None:
            st.markdown(f"{t['articles']}: **{info['articles']}** · {t['chunks']}: "
                        f"**{info['chunks']}**  \n{t['embedder']}: `{info['embedder']}`  \n"
                        f"{t['built']}: {info['built_at']}")
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
        rebuild_panel(t)
    return opts


def rebuild_panel(t: dict[str, str]) -> None:
    holder = build_holder()
    job = holder["job"]
    if st.button(t["rebuild"], disabled=bool(job and job.running), type="primary"):
        holder["job"] = BackgroundBuild(settings.corpus_dir, settings.index_dir, settings)
    build_progress(t)


@st.fragment(run_every=1.0)
def build_progress(t: dict[str, str]) -> None:
    job = build_holder()["job"]
    if job is None:
        return
    if job.running:
        st.progress(job.fraction, text=f"{t['building']} ({job.stage} {job.done}/{job.total})")
    elif job.error:
        st.error(f"{t['error']}: {plain_markdown(job.error)}")
    elif job.report is not None:
        r = job.report
        st.success(f"{t['built_ok']}: {r.articles} {t['articles'].lower()}, {r.chunks} "
                   f"{t['chunks'].lower()} ({r.embedded_articles} +, {r.reused_articles} =)")
        if st.session_state.get("seen_build") is not job:
            st.session_state["seen_build"] = job
            st.rerun(scope="app")


def show_answer(qa: newsqa.NewsQA, answer: newsqa.Answer, t: dict[str, str]) -> None:
    if answer.excluded_articles:
        st.caption(t["searched"].format(s=answer.searched_articles, x=answer.excluded_articles))
    if answer.abstained:
        st.warning(answer.text)
    else:
        st.html(f"<div class='answer'>{answer_html(answer)}</div>")
        if answer.answer_span:
            st.html(f"<p>{html.escape(t['answer'])}: <strong>"
                    f"{html.escape(answer.answer_span.text)}</strong></p>")
    if not answer.citations:
        return
    st.caption(t["low"] if answer.abstained else t["sources"])
    for c in answer.citations:
        with st.container(border=True):
            meta = " · ".join(x for x in [c.date.strftime("%d/%m/%Y") if c.date else "",
                                          c.source or "", c.url or ""] if x)
            st.html(f"<div><b>[{c.n}] {html.escape(c.title)}</b><br><small>"
                    f"{html.escape(meta)}</small></div>"
                    f"<div style='margin-top:.4em'>{citation_passage(c)}</div>")
            with st.expander(t["whole"]):
                art = qa.store.articles[qa.store.article_rows[c.article_id]]
                st.html(f"<div>{highlight(art.text, c.start, c.end)}</div>")


def main() -> None:
    lang = st.sidebar.radio("Ngôn ngữ / Language", ["vi", "en"], horizontal=True,
                            format_func=lambda x: "Tiếng Việt" if x == "vi" else "English")
    t = LABELS[lang]
    st.title(t["title"])
    try:
        qa = current_qa()
    except newsqa.NewsQAError as exc:
        qa = None
        st.error(f"{t['error']}: {plain_markdown(str(exc))}")
    opts = sidebar(qa, t)
    if qa is None:
        command = f"newsqa build --corpus {settings.corpus_dir} --index {settings.index_dir}"
        st.info(f"{t['no_index']} {plain_markdown(str(settings.index_dir))}. {t['fix']} "
                f"{plain_markdown(command)}")
        return
    messages: list[dict[str, Any]] = st.session_state.setdefault("messages", [])
    if not messages:
        st.markdown(t["welcome"])
    for msg in messages:
        with st.chat_message(msg["role"]):
            if msg["role"] == "user":
                st.text(msg["content"])
            else:
                show_answer(qa, msg["answer"], LABELS["vi" if msg["vi"] else "en"])
    question = st.chat_input(t["ask"])
    if not question:
        return
    with st.chat_message("user"):
        st.text(question)
    turns = [newsqa.Turn(question=q["content"], answer=a["answer"].text)
             for q, a in zip(messages[::2], messages[1::2], strict=False)]
    try:
        answer = qa.ask(question, history=turns, **opts)
    except newsqa.NewsQAError as exc:
        st.error(f"{t['error']}: {plain_markdown(str(exc))}")
        return
    vi = is_vietnamese(question)
    with st.chat_message("assistant"):
        show_answer(qa, answer, LABELS["vi" if vi else "en"])
    messages.append({"role": "user", "content": question})
    messages.append({"role": "assistant", "answer": answer, "vi": vi})


main()
