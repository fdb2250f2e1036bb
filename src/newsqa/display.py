"""Safe, highlighted markup for showing quotes inside their passages (used by the app).

Everything that comes from the corpus or the user is HTML-escaped; the only markup is
what these functions add themselves.
"""

from __future__ import annotations

import html
import re

from .models import Answer, Citation


def plain_markdown(text: str) -> str:
    """``text`` for a Markdown element (``st.error``, ``st.info``) shown as written: every
    ASCII punctuation mark is escaped, so that a file named ``[x](https:evil).txt`` is no
    link and ``**`` no bold."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def _esc(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def highlight(text: str, start: int, end: int, tag: str = "mark") -> str:
    """``text`` as escaped HTML with ``text[start:end]`` wrapped in ``<tag>``."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    return f"{_esc(text[:start])}<{tag}>{_esc(text[start:end])}</{tag}>{_esc(text[end:])}"


def citation_passage(c: Citation) -> str:
    """The citation's surrounding passage with its quote highlighted."""
    return highlight(c.context, c.start - c.context_start, c.end - c.context_start)


def answer_html(answer: Answer) -> str:
    """The answer text (quotes and ``[n]`` markers) with the short answer emphasised."""
    span = answer.answer_span
    if answer.abstained or span is None or not answer.citations:
        return _esc(answer.text)
    first = answer.citations[0]
    pos = answer.text.find(first.quote)
    if pos < 0:
        return _esc(answer.text)
    return highlight(answer.text, pos + span.start - first.start,
                     pos + span.end - first.start, tag="strong")
