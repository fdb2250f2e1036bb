"""What the app shows, made here so that the app only renders: safe markup for answers and
their citation cards, and the words for times, builds and a saved conversation.

Everything that comes from the corpus or the user is HTML-escaped; the only markup is
what these functions add themselves.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from .dates import VN_TZ
from .models import Answer, BuildReport, Citation

_MARKER_RE = re.compile(r" \[(\d+)\]")


def plain_markdown(text: str) -> str:
    """``text`` for a Markdown element (``st.error``, ``st.info``) shown as written: every
    ASCII punctuation mark is escaped, so that a file named ``[x](https:evil).txt`` is no
    link and ``**`` no bold."""
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", text)


def _esc(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def highlight(text: str, start: int, end: int, *, tag: str = "mark") -> str:
    """``text`` as escaped HTML with ``text[start:end]`` wrapped in ``<tag>``."""
    return highlight_many(text, [(start, end)], tag=tag)


def highlight_many(text: str, ranges: list[tuple[int, int]], *, tag: str = "mark") -> str:
    """``text`` as escaped HTML with each of ``ranges`` (clipped, overlaps merged) wrapped
    in ``<tag>``."""
    clipped = sorted((max(0, min(s, len(text))), max(0, min(e, len(text)))) for s, e in ranges)
    out, pos = [], 0
    for s, e in clipped:
        s = max(s, pos)
        if e <= s:
            continue
        out.append(f"{_esc(text[pos:s])}<{tag}>{_esc(text[s:e])}</{tag}>")
        pos = e
    out.append(_esc(text[pos:]))
    return "".join(out)


def citation_passage(c: Citation) -> str:
    """The citation's surrounding passage with its quote highlighted."""
    return highlight(c.context, c.start - c.context_start, c.end - c.context_start)


def cited_numbers(answer: Answer) -> list[int]:
    """The ``[n]`` the answer text cites, in order (none for an abstention)."""
    if answer.abstained:
        return []
    known = {c.n for c in answer.citations}
    return list(dict.fromkeys(int(m) for m in _MARKER_RE.findall(answer.text)
                              if int(m) in known))


def answer_html(answer: Answer, anchor: str | None = None) -> str:
    """The answer text with the short answer in bold; with ``anchor``, each ``[n]`` links
    to the card ``{anchor}-{n}`` (see :func:`card_id`)."""
    text = answer.text
    out = _esc(text)
    if answer.abstained or not answer.citations:
        return out
    first = answer.citations[0]
    span = answer.answer_span
    pos = text.find(first.quote)
    if span is not None and pos >= 0:
        out = highlight(text, pos + span.start - first.start, pos + span.end - first.start,
                        tag="strong")
    if anchor is None:
        return out
    cited = set(cited_numbers(answer))
    return _MARKER_RE.sub(
        lambda m: (f' <a class="cite" href="#{card_id(anchor, int(m.group(1)))}">'
                   f"[{m.group(1)}]</a>" if int(m.group(1)) in cited else m.group(0)), out)


def card_id(anchor: str, n: int) -> str:
    """The HTML id of the card of citation ``n`` of the answer ``anchor``."""
    return f"{re.sub(r'[^A-Za-z0-9_-]', '', anchor)}-{n}"


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) address, else None (no javascript:, data:…)."""
    if not url or any(c.isspace() or c in "\"'<>`" for c in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


@dataclass
class Card:
    """One article's passages in an answer: its title, source, date, link, and each
    distinct passage with the ``[n]`` quotes it holds."""

    article_id: str
    title: str
    source: str | None
    date: datetime | None
    url: str | None
    passages: list[tuple[list[int], str]] = field(default_factory=list)


def cards(citations: list[Citation]) -> list[Card]:
    """Citations grouped by article (first appearance order), each passage once with all
    its quotes highlighted."""
    out: dict[str, Card] = {}
    contexts: dict[tuple[str, int], tuple[list[int], str, list[tuple[int, int]]]] = {}
    for c in citations:
        card = out.setdefault(c.article_id, Card(c.article_id, c.title, c.source, c.date,
                                                 safe_url(c.url)))
        key = (c.article_id, c.context_start)
        rel = (c.start - c.context_start, c.end - c.context_start)
        if key in contexts:
            contexts[key][0].append(c.n)
            contexts[key][2].append(rel)
        else:
            contexts[key] = ([c.n], c.context, [rel])
    for card in out.values():
        mine = [v for k, v in contexts.items() if k[0] == card.article_id]
        card.passages = [(ns, highlight_many(text, ranges)) for ns, text, ranges in mine]
    return list(out.values())


def card_header_html(card: Card, lang: str) -> str:
    """The card's title, source, date and link, escaped."""
    meta = [x for x in (card.source or "", local_time(card.date) if card.date else "") if x]
    link = (f' · <a href="{html.escape(card.url, quote=True)}" target="_blank" '
            f'rel="noopener noreferrer">{"mở bài" if lang == "vi" else "open"} ↗</a>'
            if card.url else "")
    return (f"<div><b>{_esc(card.title)}</b><br><small>{_esc(' · '.join(meta))}{link}"
            "</small></div>")


def local_time(when: datetime) -> str:
    """A time as Vietnamese readers write it, in Vietnam time: ``22/9/2023 17:02``."""
    t = when.astimezone(VN_TZ) if when.tzinfo else when
    return f"{t.day}/{t.month}/{t.year} {t:%H:%M}"


def ago(when: datetime, now: datetime, lang: str) -> str:
    """How long ago, in words: "3 minutes ago" / "3 phút trước"."""
    seconds = max(0, int((now - when).total_seconds()))
    for size, en, vi in ((86_400, "day", "ngày"), (3_600, "hour", "giờ"),
                         (60, "minute", "phút")):
        if seconds >= size:
            n = seconds // size
            return f"{n} {vi} trước" if lang == "vi" else f"{n} {en}{'s' * (n != 1)} ago"
    return "vừa xong" if lang == "vi" else "just now"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def build_summary(report: BuildReport, lang: str) -> str:
    """What a build did, in words: "1 article added, 0 changed, 0 removed"."""
    if lang == "vi":
        return (f"{report.added_articles} bài thêm, {report.changed_articles} bài đổi, "
                f"{report.removed_articles} bài bỏ ({report.articles} bài trong chỉ mục)")
    return (f"{_plural(report.added_articles, 'article')} added, "
            f"{report.changed_articles} changed, {report.removed_articles} removed "
            f"({_plural(report.articles, 'article')} in the index)")


def conversation_markdown(turns: list[tuple[str, Answer]], title: str) -> str:
    """A conversation with its citations as Markdown: each question, its answer, and the
    quotes with their article, offsets and link."""
    lines = [f"# {title}", ""]
    for question, answer in turns:
        lines += [f"## {question}", "", answer.text, ""]
        for c in answer.citations:
            url = safe_url(c.url)
            where = f"{c.article_id}, {c.start}-{c.end}" + (f", {url}" if url else "")
            lines.append(f"- [{c.n}] {c.title} ({where}): “{c.quote}”")
        lines.append("")
    return "\n".join(lines)
