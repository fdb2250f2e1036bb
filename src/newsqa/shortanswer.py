"""Short answers: the span of the first quote that the reader (:mod:`newsqa.reader`) points
at, shown only when the model's judge (:mod:`newsqa.spanjudge`) finds it likely right for
the question's language, or, when ``Tuning.span_min_margin`` / ``span_min_margin_en`` is
set, when the reader's margin over "no answer here" reaches it: a short answer that is
likely wrong is left out. Nor is a span shown that only repeats words of the question, or
that names what the earlier answer of a conversation named."""

from __future__ import annotations

from .models import AnswerSpan, Citation
from .query import Query, term_weights
from .reader import reader
from .spanjudge import span_features
from .spans import capitalised_runs
from .text import SPAN_TOKEN_RE, fold_word, is_stopword
from .tuning import Tuning


def adds_to_question(span: str, query: Query, tuning: Tuning) -> bool:
    """Whether ``span`` says something the question (and, in a follow-up, the earlier
    answer's names) does not: a word beyond the question's own words and stop words."""
    weights = term_weights(query.text, query.previous_question, tuning)
    words = [fold_word(m.group()) for m in SPAN_TOKEN_RE.finditer(span)]
    if all(weights.get(w, 0.0) > 0 or is_stopword(w) for w in words):
        return False
    earlier = query.previous.answer if query.previous else ""
    return fold_word(span) not in {fold_word(earlier[s:e]) for s, e in capitalised_runs(earlier)}


def short_answer(citations: list[Citation], query: Query, tuning: Tuning) -> AnswerSpan | None:
    """The short answer inside the first quote, when the reader is sure enough of it."""
    if not tuning.short_answers:
        return None
    cite = citations[0]
    model = reader()
    found = model.read(query.text, cite.quote)
    if found is None:
        return None
    need = tuning.span_threshold(query.vietnamese)
    if need is not None:
        if found.margin < need:
            return None
    else:
        judge = model.judge(query.vietnamese)
        seen = span_features(query.text, cite.quote, found.start, found.end, query.kind,
                             judge.held_out_margin(found.margin))
        if judge.probability(seen) < judge.threshold:
            return None
    text = cite.quote[found.start:found.end]
    if not adds_to_question(text, query, tuning):
        return None
    return AnswerSpan(text=text, start=cite.start + found.start, end=cite.start + found.end,
                      kind=query.kind, confidence=round(found.margin, 3))
