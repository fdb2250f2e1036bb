"""Citations: where a quote starts and ends, how it is cited, which quotes the answer text
is made of, and the check that every quote is exactly the article text at its offsets."""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import AnswerError
from .index import IndexStore
from .models import Answer, Citation
from .query import Query
from .spans import valid_candidates
from .text import content_words, fold_word, named_terms, words
from .tuning import Tuning

# Openings that point back to the sentence before ("Anh ấy cũng là…", "Điều này…"): such a
# sentence does not stand on its own, so its quote starts one sentence earlier.
_ANAPHORS = frozenset(["anh ấy", "ông ấy", "bà ấy", "cô ấy", "chị ấy", "anh ta", "ông ta",
                       "bà ta", "cô ta", "điều này", "điều đó", "việc này", "việc đó", "họ", "nó",
                       "đây", "đó", "he", "she", "they", "this", "these"])
_LEAD_RE = re.compile(r"^[^,.;:!?\d]{1,25},\s+")


def leans_on_previous(sentence: str) -> bool:
    """Whether a sentence opens with a pronoun or "this/that", perhaps after a short
    adverbial ("Ngày nay, điều này…"), and so needs the sentence before it to be understood.
    "Ông"/"Bà" count when no name follows ("Ông cho biết", not "Ông Nguyễn Văn A")."""
    lead = _LEAD_RE.match(sentence)
    ws = words(sentence[lead.end() if lead else 0:][:40])
    if not ws:
        return False
    first = ws[0].lower()
    if first in _ANAPHORS or " ".join(ws[:2]).lower() in _ANAPHORS:
        return True
    return first in ("ông", "bà") and len(ws) > 1 and ws[1][0].islower()


def sentence_text(store: IndexStore, row: int) -> str:
    """The text of sentence ``row``, read from its article."""
    sent = store.sentences[row]
    return store.articles[store.article_rows[sent.article_id]].text[sent.start:sent.end]


def quote_start(store: IndexStore, row: int) -> int:
    """The sentence row a quote of sentence ``row`` starts at: the sentence before it when
    it leans on that one, else itself."""
    if row > 0 and store.sentences[row - 1].article_id == store.sentences[row].article_id \
            and leans_on_previous(sentence_text(store, row)):
        return row - 1
    return row


def announces(sentence: str, question_words: set[str], max_new: int) -> bool:
    """Whether a sentence only announces what the next one says: it ends with a colon, or
    adds at most ``max_new`` words to the question's (folded) words ("Trên thực tế, quá
    trình hiến phân rất phức tạp." for "Quá trình hiến phân diễn ra như thế nào?")."""
    if sentence.rstrip().endswith(":"):
        return True
    return sum(w not in question_words for w in content_words(sentence)) <= max_new


def next_in_article(store: IndexStore, row: int) -> int | None:
    """The sentence row after ``row`` in the same article, if any."""
    if row + 1 >= len(store.sentences) or \
            store.sentences[row + 1].article_id != store.sentences[row].article_id:
        return None
    return row + 1


def next_in_paragraph(store: IndexStore, row: int) -> int | None:
    """The sentence row after ``row`` in the same paragraph of the same article, if any."""
    if next_in_article(store, row) is None:
        return None
    sent, nxt = store.sentences[row], store.sentences[row + 1]
    art = store.articles[store.article_rows[sent.article_id]]
    return None if "\n\n" in art.text[sent.end:nxt.start] else row + 1


def distinct_quotes(store: IndexStore, rows: list[int], n: int,
                    runs_to: Callable[[int], int | None] | None = None,
                    ) -> list[tuple[int, int, int]]:
    """The first ``n`` of the sentence ``rows`` (best first) whose quotes do not overlap, as
    (position in ``rows``, first and last sentence row of the quote). A quote takes in the
    sentence before its own when it leans on it, and otherwise runs on to the sentence
    ``runs_to(row)`` names (the next one, when the sentence only announces it, say), unless
    an earlier quote already shows that one."""
    out: list[tuple[int, int, int]] = []
    taken: set[int] = set()
    for i, row in enumerate(rows):
        if row in taken:
            continue
        first = quote_start(store, row)
        if first in taken:
            first = row
        last = row
        if first == row and runs_to is not None:
            nxt = runs_to(row)
            if nxt is not None and nxt not in taken:
                last = nxt
        out.append((i, first, last))
        taken |= set(range(first, last + 1))
        if len(out) == n:
            break
    return out


def only_announces(store: IndexStore, row: int, query: Query, tuning: Tuning) -> bool:
    """Whether the sentence at ``row`` only announces the answer its next sentence gives:
    it adds few words to the question, and holds nothing of the type a typed question
    asks for (a name, a date, a number)."""
    text = sentence_text(store, row)
    if query.kind != "other" and valid_candidates(text, query.text, query.kind):
        return False
    return announces(text, set(content_words(query.keyword_text)),
                     tuning.announce_max_new_words)


def quote_end(store: IndexStore, row: int, ranked: list[int], query: Query,
              tuning: Tuning) -> int | None:
    """The sentence a quote of sentence ``row`` runs on to, if any: the next of its paragraph
    when ``row`` only announces it, or the next of its article when the two are one
    passage (:func:`runs_on`)."""
    nxt = next_in_paragraph(store, row)
    if nxt is not None and only_announces(store, row, query, tuning):
        return nxt
    return row + 1 if runs_on(store, row, ranked, tuning) else None


def runs_on(store: IndexStore, row: int, ranked: list[int], tuning: Tuning) -> bool:
    """Whether the best sentence (``row``) and the second best are one passage: the second
    is the next sentence of the article, and the two together stay within
    ``run_on_max_chars``. A news sentence that restates the question ("Trẻ sinh non có nguy
    cơ mắc nhiều chứng bệnh…") is often followed by the one that answers it ("Bé có thể bị
    suy hô hấp…"): quoted apart, the answer would read only the first. News paragraphs are
    often one sentence long, so the two may stand in different paragraphs."""
    if len(ranked) < 2 or row != ranked[0] or next_in_article(store, row) != ranked[1]:
        return False
    return store.sentences[row + 1].end - store.sentences[row].start <= tuning.run_on_max_chars


def joined_quotes(citations: list[Citation], query: Query, tuning: Tuning) -> list[Citation]:
    """The quotes the answer text is made of: the first; the second when it scores nearly
    as well; and a quote of another article that names what the question names and the
    first quote does not ("Ai ký thay mặt Đảng ủy Khối và Tập đoàn Dầu khí?"), when it
    scores within ``other_article_gap``."""
    first = citations[0]
    out = [first]
    if len(citations) > 1 and citations[1].score >= first.score - tuning.second_quote_gap:
        out.append(citations[1])
    named = {fold_word(w) for term in named_terms(query.text) for w in words(term)}
    covered = {fold_word(w) for c in out for w in words(c.quote)}
    for c in citations[1:]:
        if c in out or c.article_id == first.article_id or \
                c.score < first.score - tuning.other_article_gap:
            continue
        adds = named & {fold_word(w) for w in words(c.quote)} - covered
        if adds:
            out.append(c)
            covered |= adds
    return sorted(out, key=lambda c: c.n)


def cite(store: IndexStore, first: int, last: int, *, chunk_row: int, n: int, score: float,
         low: bool) -> Citation:
    """Citation ``n`` of the sentences ``first``..``last`` (rows), with the chunk they were
    found in (widened to the whole quote) as context."""
    start, end = store.sentences[first].start, store.sentences[last].end
    art = store.articles[store.article_rows[store.sentences[last].article_id]]
    chunk = store.chunks[chunk_row]
    ctx_start, ctx_end = min(chunk.start, start), max(chunk.end, end)
    return Citation(n=n, article_id=art.id, title=art.title, date=art.date, source=art.source,
                    url=art.url, quote=art.text[start:end], start=start, end=end,
                    score=round(score, 6), context=art.text[ctx_start:ctx_end],
                    context_start=ctx_start, low_confidence=low)


def verify(store: IndexStore, answer: Answer) -> Answer:
    """Check that every quote, context and span is exactly the article text at its offsets."""
    for c in answer.citations:
        art = store.articles[store.article_rows[c.article_id]]
        ok = bool(c.quote) and art.text[c.start:c.end] == c.quote and \
            art.text[c.context_start:c.context_start + len(c.context)] == c.context and \
            c.context_start <= c.start and c.end <= c.context_start + len(c.context)
        if not ok:
            raise AnswerError(f"citation [{c.n}] of article {c.article_id} does not match the "
                              "article text at its offsets; rebuild the index")
    span = answer.answer_span
    if span and answer.citations:
        first = answer.citations[0]
        if not (first.start <= span.start < span.end <= first.end) or \
                first.quote[span.start - first.start:span.end - first.start] != span.text:
            raise AnswerError("answer span is not inside the first quote")
    return answer
