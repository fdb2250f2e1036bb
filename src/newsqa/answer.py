"""Extractive answers: pick the sentences that answer a question and cite them exactly."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .citations import cite, distinct_quotes
from .lexicon import renderings_in
from .models import Answer, AnswerSpan, Citation, Turn
from .retrieve import Filters, Retriever, Scored, expand_query
from .spans import capitalised_runs, extract_span, question_type, valid_candidates
from .text import (
    ascii_fold,
    content_words,
    fold_word,
    is_vietnamese,
    named_terms,
    search_terms,
    words,
)

NO_ANSWER_VI = "Không tìm thấy câu trả lời trong kho bài viết."
NO_ANSWER_EN = "No answer found in the corpus."

# Weights of the sentence score; chosen on the dev sets, kept few and coarse.
W_DENSE = 1.0
W_CHUNK = 0.5
W_KEYWORD = 0.25
# Cross-lingual cosines separate sentences less well, so for English questions the
# glossary's keyword overlap counts for more.
W_KEYWORD_EN = 0.4
W_TYPE = 0.02
W_NOVELTY = 0.05
MIN_NEW_WORDS = 3
SECOND_QUOTE_GAP = 0.01
CHUNKS_FOR_SENTENCES = 6
CITATIONS = 3
# A confident answer sentence is better evidence of the right chunk than the chunk score.
RERANK_MIN_CONFIDENCE = 0.06
UNSEEN_NAME_PENALTY = 0.02
# Abstention baselines, calibrated on the dev sets against questions about absent topics.
BASE_VI = 0.865
BASE_EN = 0.765

_FOLLOW_UP_RE = re.compile(
    r"^(còn|vậy|thế còn|thế|và|nhưng|what about|how about|and|but|also)\b|"
    r"\b(ông ấy|bà ấy|anh ấy|chị ấy|họ|người đó|việc đó|điều đó|he|she|they|him|her|them|it|"
    r"that|this|those)\b|(thì sao|thì ai|thì sao\?)", re.IGNORECASE)


_CONTRAST_RE = re.compile(r"^(còn|thế còn|vậy còn|what about|how about|and what about)\b|"
                          r"\b(thì sao|instead)\b", re.IGNORECASE)


@dataclass
class _Candidate:
    row: int
    score: float
    dense: float
    keyword: float
    chunk_row: int


def is_follow_up(question: str, history: list[Turn] | None) -> bool:
    """Whether a question leans on the conversation before it."""
    if not history:
        return False
    return bool(_FOLLOW_UP_RE.search(question)) or len(words(question)) <= 5


def term_weights(question: str, history_question: str = "") -> dict[str, float]:
    """Importance of each folded word of the question. Words only in the earlier question
    count less, and against a candidate when the follow-up contrasts ("Còn phía Tập đoàn
    thì ai ký?" after "Ai ký cho Đảng ủy Khối?")."""
    weights: dict[str, float] = {}
    contrast = bool(_CONTRAST_RE.search(question))
    for w in search_terms(history_question, drop_stopwords=True):
        if "_" not in w and not w.startswith("~"):
            weights[w] = -0.5 if contrast else 0.3
    for w in search_terms(question, drop_stopwords=True):
        if "_" not in w and not w.startswith("~"):
            weights[w] = 1.0
    return weights


def _overlap(sentence_terms: set[str], idf: dict[str, float]) -> float:
    total = sum(idf.values())
    if not total:
        return 0.0
    return sum(w for t, w in idf.items() if t in sentence_terms) / total


def local_idf(terms: list[str], candidates: list[set[str]]) -> dict[str, float]:
    """Weight of each question term by how rare it is among the candidate sentences. A term
    every candidate shares (the topic of the article, say) tells them apart less than one
    only the answer sentence repeats, however rare both are in the corpus as a whole."""
    n = len(candidates)
    out = {}
    for t in terms:
        df = sum(1 for c in candidates if t in c)
        out[t] = float(np.log1p((n - df + 0.5) / (df + 0.5)))
    return out


def select_sentences(retriever: Retriever, scored: Scored, qvec: np.ndarray, query: str,
                     question: str, kind: str, n_chunks: int) -> list[_Candidate]:
    """Score the sentences of the best chunks; best first, each sentence once."""
    store = retriever.store
    q_words = set(content_words(query))
    q_terms = list(dict.fromkeys(t for t in search_terms(query, drop_stopwords=True)
                                 if not t.startswith("~")))
    top = scored.fused[0] if len(scored.fused) else 0.0
    w_keyword = W_KEYWORD if is_vietnamese(question) else W_KEYWORD_EN
    pool: list[tuple[int, int, float, float, str, set[str]]] = []
    seen: set[int] = set()
    for rank, row in enumerate(scored.rows[:n_chunks]):
        lo, hi = (int(x) for x in store.chunk_sentences[int(row)])
        if hi <= lo:
            continue
        sims = store.sentence_vectors[lo:hi] @ qvec
        chunk_bonus = float(scored.fused[rank] - top)
        art = store.articles[int(store.chunk_article[int(row)])]
        for j, srow in enumerate(range(lo, hi)):
            sent = store.sentences[srow]
            if not sent.informative or srow in seen:
                continue
            seen.add(srow)
            text = art.text[sent.start:sent.end]
            pool.append((srow, int(row), float(sims[j]), chunk_bonus, text,
                         set(search_terms(text))))
    idf = local_idf(q_terms, [p[5] for p in pool])
    out = []
    for srow, row, sim, chunk_bonus, text, terms in pool:
        kw = _overlap(terms, idf)
        score = W_DENSE * sim + W_CHUNK * chunk_bonus + w_keyword * kw
        if kind != "other":
            score += W_TYPE if valid_candidates(text, question, kind) else -W_TYPE
        # A sentence that only restates the question cannot answer it.
        if len(set(content_words(text)) - q_words) < MIN_NEW_WORDS:
            score -= W_NOVELTY
        out.append(_Candidate(srow, score, sim, kw, row))
    return sorted(out, key=lambda c: -c.score)


def confidence(best: _Candidate, coverage: float, vietnamese: bool) -> float:
    """Support for an answer, above 0 when the best sentence is likely to hold one.
    Cross-lingual cosines run lower, so English questions have their own baseline."""
    base = BASE_VI if vietnamese else BASE_EN
    return best.dense + 0.15 * best.keyword + 0.03 * coverage - base


def unseen_names(question: str, texts: list[str]) -> list[str]:
    """The numbers and names of ``question`` (see :func:`named_terms`) that none of
    ``texts`` mentions: as written, without diacritics, by a five-letter stem ("Broncos" /
    "Bronco") or, for an English question, by a glossary name ("Norway" → "Na Uy")."""
    seen = [w for text in texts for w in words(text)]
    terms = {fold_word(w) for w in seen}
    plain = {ascii_fold(w) for w in seen}
    stems = {t[:5] for t in terms if len(t) >= 5}
    english = not is_vietnamese(question)
    out = []
    for w in named_terms(question):
        f = fold_word(w)
        if f in terms or ascii_fold(w) in plain or (len(f) >= 5 and f[:5] in stems):
            continue
        if english and any(all(fold_word(x) in terms for x in words(r))
                           for r in renderings_in(question, w)):
            continue
        out.append(w)
    return out


def answer_question(retriever: Retriever, question: str, qvec: np.ndarray, k: int,
                    threshold: float, history: list[Turn] | None = None,
                    filters: Filters | None = None,
                    history_qvec: np.ndarray | None = None) -> tuple[Answer, Scored]:
    """Answer a (clean, non-empty) question from the index behind ``retriever``; also
    returns the chunk scores the answer was drawn from."""
    store = retriever.store
    vietnamese = is_vietnamese(question)
    follow = is_follow_up(question, history)
    prev_q = history[-1].question if follow and history else ""
    if follow and history_qvec is not None:
        qvec = qvec + 0.5 * history_qvec
        qvec = qvec / np.linalg.norm(qvec)
    query = f"{prev_q} {expand_query(question)}".strip()
    kind = question_type(question)
    scored = retriever.score(question, qvec, filters, extra_terms=prev_q)
    cands = select_sentences(retriever, scored, qvec, query, question, kind,
                             max(CHUNKS_FOR_SENTENCES, k))
    if not cands:
        return _abstain(vietnamese, []), scored
    conf = confidence(cands[0], scored.coverage, vietnamese)
    # A question that names something (a number, a name) that no retrieved passage mentions
    # is more likely about something the corpus does not hold.
    top = [int(r) for r in scored.rows[:max(CHUNKS_FOR_SENTENCES, k)]]
    texts = [store.chunks[r].text for r in top] + \
        [store.articles[int(store.chunk_article[r])].title for r in top]
    support = conf - (UNSEEN_NAME_PENALTY if unseen_names(question, texts) else 0.0)
    quotes = distinct_quotes(store, [c.row for c in cands], max(1, min(CITATIONS, k)))
    picked = [cands[i] for i, _ in quotes]
    citations = [cite(store, first, c.row, c.chunk_row, n + 1, c.score, support < threshold)
                 for n, (c, (_, first)) in enumerate(zip(picked, quotes, strict=True))]
    if support < threshold:
        return _abstain(vietnamese, citations), scored
    weights = term_weights(question, prev_q)
    avoid = {fold_word(w) for w in _names(history[-1].answer)} if follow and history else None
    span = _span(citations[0], question, kind, weights, avoid)
    quoted = [citations[0]]
    if len(picked) > 1 and picked[1].score >= picked[0].score - SECOND_QUOTE_GAP:
        quoted.append(citations[1])
    text = " ".join(f"{c.quote} [{c.n}]" for c in quoted)
    if conf >= RERANK_MIN_CONFIDENCE:
        scored = _answer_chunk_first(scored, picked[0].chunk_row)
    return Answer(text=text, citations=citations, abstained=False, answer_span=span), scored


def _answer_chunk_first(scored: Scored, chunk_row: int) -> Scored:
    """The chunk that holds the chosen answer sentence ranks first among the hits."""
    pos = np.flatnonzero(scored.rows == chunk_row)
    if not len(pos) or pos[0] == 0:
        return scored
    order = np.r_[pos[0], np.delete(np.arange(len(scored.rows)), pos[0])]
    return Scored(scored.rows[order], scored.fused[order], scored.coverage)


def _names(text: str) -> list[str]:
    return [text[s:e] for s, e in capitalised_runs(text)]


def _span(cite: Citation, question: str, kind: str, weights: dict[str, float],
          avoid: set[str] | None) -> AnswerSpan | None:
    found = extract_span(cite.quote, question, kind, weights, avoid)
    if not found:
        return None
    s, e = found
    return AnswerSpan(text=cite.quote[s:e], start=cite.start + s, end=cite.start + e,
                      kind=kind)


def _abstain(vietnamese: bool, citations: list[Citation]) -> Answer:
    return Answer(text=NO_ANSWER_VI if vietnamese else NO_ANSWER_EN,
                  citations=[c.model_copy(update={"low_confidence": True}) for c in citations],
                  abstained=True, answer_span=None)
