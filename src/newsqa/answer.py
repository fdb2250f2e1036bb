"""Extractive answers: pick the sentences that answer a question and cite them exactly."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .citations import cite, distinct_quotes, joined_quotes, quote_end
from .lexicon import renderings_in
from .models import Answer, Citation
from .query import Query
from .retrieve import Retriever, Scored
from .shortanswer import short_answer
from .sides import other_side
from .spans import valid_candidates
from .text import (
    ascii_fold,
    content_words,
    fold_word,
    is_plain_term,
    named_terms,
    search_terms,
    words,
)
from .tuning import Tuning

NO_ANSWER_VI = "Không tìm thấy câu trả lời trong kho bài viết."
NO_ANSWER_EN = "No answer found in the corpus."


@dataclass
class _Candidate:
    row: int
    score: float
    dense: float
    keyword: float
    chunk_row: int
    # The score before the side rule (sides.py): which side to quote is its business,
    # whether the corpus answers at all is judged as without it.
    unsided: float


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


#: What the sentence ranker reads of each candidate sentence, in this order.
FEATURES = ("sim", "chunk", "keyword", "typed", "restates", "sim_en", "keyword_en",
            "chunk_rank", "sim_gap", "position", "length", "keyword_before", "sim_before",
            "words_shared")


@dataclass
class Pool:
    """The candidate sentences of one question with their features (rows: candidates,
    columns: :data:`FEATURES`)."""

    rows: list[int]
    chunk_rows: list[int]
    features: np.ndarray
    quoted_before: np.ndarray  # bool: the earlier answer already quoted the sentence
    turned_away: np.ndarray  # 0..1: about the party a contrasting follow-up turns from
    other_side: np.ndarray  # bool: reports only sides other than the one asked about


def candidate_pool(retriever: Retriever, scored: Scored, query: Query, *,
                   n_chunks: int) -> Pool:
    """The informative sentences of the best chunks, each once, with their features."""
    store = retriever.store
    tuning = retriever.tuning
    qvec = query.vector
    keyword_text = query.keyword_text
    q_words = set(content_words(keyword_text))
    q_terms = list(dict.fromkeys(t for t in search_terms(keyword_text, drop_stopwords=True)
                                 if not is_plain_term(t)))
    top = scored.fused[0] if len(scored.fused) else 0.0
    english = 0.0 if query.vietnamese else 1.0
    pool: list[tuple[int, int, float, float, int, str, float, set[str]]] = []
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
            position = sent.start / max(1, len(art.text))
            pool.append((srow, int(row), float(sims[j]), chunk_bonus, rank, text, position,
                         set(search_terms(text))))
    idf = local_idf(q_terms, [p[7] for p in pool])
    best_sim = max((p[2] for p in pool), default=0.0)
    feats = np.zeros((len(pool), len(FEATURES)), dtype=np.float64)
    q_folded = {fold_word(w) for w in q_words}
    kws = [_overlap(p[7], idf) for p in pool]
    for i, (srow, _, sim, chunk_bonus, rank, text, position, _terms) in enumerate(pool):
        kw = kws[i]
        typed = 0.0
        if query.kind != "other":
            typed = 1.0 if valid_candidates(text, query.text, query.kind) else -1.0
        # A sentence that only restates the question cannot answer it.
        own = set(content_words(text))
        restates = float(len(own - q_words) < tuning.min_new_words)
        # The sentence before often names what the answer sentence goes on about.
        before = i > 0 and pool[i - 1][0] == srow - 1
        shared = len({fold_word(w) for w in own} & q_folded) / max(1, len(q_folded))
        feats[i] = (sim, chunk_bonus, kw, typed, restates, sim * english, kw * english,
                    rank / max(1, n_chunks), sim - best_sim, position,
                    np.log1p(len(text)) / 6, kws[i - 1] if before else 0.0,
                    pool[i - 1][2] - sim if before else 0.0, shared)
    earlier = last_answer(query)
    quoted = np.array([answered_before(p[5], earlier) for p in pool], dtype=bool)
    away, toward = query.turned_from, query.turned_to
    turned = np.zeros(len(pool))
    if away:
        for i, p in enumerate(pool):
            folded = f" {' '.join(fold_word(w) for w in words(p[5]))} "
            balance = sum(folded.count(f" {n} ") for n in away) - \
                sum(folded.count(f" {n} ") for n in toward)
            turned[i] = min(1.0, max(0, balance) / 2)
    sides = np.array(other_side([p[5] for p in pool], query.party), dtype=bool)
    return Pool([p[0] for p in pool], [p[1] for p in pool], feats, quoted, turned, sides)


def last_answer(query: Query) -> str:
    """The conversation's last answer as :func:`answered_before` compares it: white space
    collapsed, case folded ("" without one)."""
    return " ".join(query.last_turn.answer.split()).casefold() if query.last_turn else ""


def answered_before(sentence: str, earlier: str) -> bool:
    """Whether the last answer (``earlier``, from :func:`last_answer`) already gave this
    sentence: the answer quotes it, or the sentence holds the answer's whole text (a
    short answer)."""
    if not earlier:
        return False
    text = " ".join(sentence.split()).casefold()
    return text[:80] in earlier or (len(earlier) >= 3 and earlier in text)


def select_sentences(retriever: Retriever, scored: Scored, query: Query, *,
                     n_chunks: int) -> list[_Candidate]:
    """Score the sentences of the best chunks; best first, each sentence once."""
    pool = candidate_pool(retriever, scored, query, n_chunks=n_chunks)
    weights = retriever.tuning.sentence_weights
    w = np.array([weights.get(f, 0.0) for f in FEATURES])
    scores = pool.features @ w if len(pool.rows) else np.zeros(0)
    tuning = retriever.tuning
    if query.contrast:
        # The user has read those: a turn to the other party wants something new.
        scores = scores - tuning.quoted_before_penalty * pool.quoted_before - \
            tuning.turned_away_penalty * pool.turned_away
    elif query.last_turn is not None:
        scores = scores - tuning.answered_before_penalty * pool.quoted_before
    sided = scores - tuning.other_side_penalty * pool.other_side
    out = [_Candidate(row, float(score), float(f[0]), float(f[2]), chunk_row, float(before))
           for row, chunk_row, score, before, f in zip(pool.rows, pool.chunk_rows, sided,
                                                        scores, pool.features, strict=True)]
    return sorted(out, key=lambda c: -c.score)


def confidence(best: _Candidate, *, coverage: float, vietnamese: bool,
               tuning: Tuning) -> float:
    """Support for an answer, above 0 when the best sentence is likely to hold one.
    Cross-lingual cosines run lower, so English questions have their own baseline."""
    base = tuning.base_vi if vietnamese else tuning.base_en
    return best.dense + tuning.conf_keyword * best.keyword + \
        tuning.conf_coverage * coverage - base


def abstain_margin(query: Query, tuning: Tuning) -> float:
    """Support an answer needs on top of ``Settings.abstain_threshold``, by the kind of
    question: Vietnamese, Vietnamese typed without marks (its cosines run lower), English."""
    if not query.vietnamese:
        return tuning.abstain_en
    return tuning.abstain_vi_restored if query.restored else tuning.abstain_vi


def unseen_names(question: str, texts: list[str], english: bool) -> list[str]:
    """The numbers and names of ``question`` (see :func:`named_terms`) that none of
    ``texts`` mentions: as written, without diacritics, by a five-letter stem ("Broncos" /
    "Bronco") or, for an English question, by a glossary name ("Norway" → "Na Uy")."""
    seen = [w for text in texts for w in words(text)]
    terms = {fold_word(w) for w in seen}
    plain = {ascii_fold(w) for w in seen}
    stems = {t[:5] for t in terms if len(t) >= 5}
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


def answer_question(retriever: Retriever, query: Query, *, k: int, threshold: float,
                    with_span: bool = True) -> tuple[Answer, Scored]:
    """Answer a query (with its vector, its text non-empty) from the index behind
    ``retriever``; also returns the chunk scores the answer was drawn from. Without
    ``with_span`` the reader is not run, and no short answer is given."""
    store = retriever.store
    tuning = retriever.tuning
    scored = retriever.score(query)
    n_chunks = max(tuning.chunks_for_sentences, k)
    # Nothing the question says is known to the corpus or the glossary ("asdkjh qwe",
    # "<img src=x>"): whatever passage is nearest, it cannot answer.
    unknown = tuning.abstain_without_known_words and scored.coverage == 0.0
    cands = select_sentences(retriever, scored, query, n_chunks=n_chunks)
    if not cands:
        return abstain(query.vietnamese), scored
    judged = max(cands, key=lambda c: c.unsided)
    conf = confidence(judged, coverage=scored.coverage, vietnamese=query.vietnamese,
                      tuning=tuning)
    # A question that names something (a number, a name) that no retrieved passage mentions
    # is more likely about something the corpus does not hold.
    top = [int(r) for r in scored.rows[:n_chunks]]
    texts = [store.chunks[r].text for r in top] + \
        [store.articles[int(store.chunk_article[r])].title for r in top]
    unseen = unseen_names(query.text, texts, english=not query.vietnamese)
    support = conf - (tuning.unseen_name_penalty if unseen else 0.0)
    low = unknown or support < threshold + abstain_margin(query, tuning)
    ranked = [c.row for c in cands]
    quotes = distinct_quotes(store, ranked, max(1, min(tuning.citations, k)),
                             runs_to=lambda row: quote_end(store, row, ranked, query, tuning))
    picked = [cands[i] for i, _, _ in quotes]
    citations = [cite(store, first, last, chunk_row=c.chunk_row, n=n + 1, score=c.score,
                      low=low)
                 for n, (c, (_, first, last)) in enumerate(zip(picked, quotes, strict=True))]
    if low:
        return abstain(query.vietnamese, citations), scored
    span = short_answer(citations, query, tuning) if with_span else None
    text = " ".join(f"{c.quote} [{c.n}]" for c in joined_quotes(citations, query, tuning))
    if conf >= tuning.rerank_min_confidence:
        scored = _answer_chunk_first(scored, picked[0].chunk_row)
    return Answer(text=text, citations=citations, abstained=False, answer_span=span,
                  language="vi" if query.vietnamese else "en"), scored


def _answer_chunk_first(scored: Scored, chunk_row: int) -> Scored:
    """The chunk that holds the chosen answer sentence ranks first among the hits."""
    pos = np.flatnonzero(scored.rows == chunk_row)
    if not len(pos) or pos[0] == 0:
        return scored
    order = np.r_[pos[0], np.delete(np.arange(len(scored.rows)), pos[0])]
    return Scored(scored.rows[order], scored.fused[order], scored.coverage)


def abstain(vietnamese: bool, citations: list[Citation] | None = None,
            text: str | None = None) -> Answer:
    """The answer that says the corpus holds none: the closest passages, if any, are kept
    as low-confidence citations."""
    return Answer(text=text or (NO_ANSWER_VI if vietnamese else NO_ANSWER_EN),
                  citations=[c.model_copy(update={"low_confidence": True})
                             for c in citations or []],
                  abstained=True, answer_span=None, language="vi" if vietnamese else "en")
