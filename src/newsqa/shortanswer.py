"""Short answers: candidate phrases of the first quote, scored by a small learned model that
predicts each one's SQuAD F1. The best is shown only when its predicted F1 reaches
``Tuning.span_min_confidence`` (``span_min_confidence_en`` for an English question): a short
answer that is likely wrong is left out.

Candidates are the typed phrases of :mod:`newsqa.spans` (names, dates, numbers), every run
of words the question does not have within a clause, the first and last words of such runs,
capitalised runs, numbers and dates, and whole clauses. Each gets the features of
:data:`FEATURES`; ``span_model.json`` (gradient-boosted trees, trained by
``benchmarks/train_spans.py`` on the dev sets) maps them to a predicted F1."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

import numpy as np

from .models import AnswerSpan, Citation
from .query import Query, term_weights
from .spans import (
    DATE_RE,
    NUMBER_RE,
    after_person_marker,
    capitalised_runs,
    extract_span,
    valid_candidates,
)
from .text import SPAN_TOKEN_RE, fold_word, is_stopword
from .trees import Trees, packaged_trees
from .tuning import Tuning

KINDS = ("who", "when", "number", "where", "name", "other")
_WH_NAMES = ("gi", "nao", "ai", "bao_nhieu", "dau", "sao", "what", "which", "how", "who", "none")
#: the features of a candidate, in the model's column order
FEATURES = (
    *(f"kind_{k}" for k in KINDS), "english", "typed", "typed_best", "from_gap", "from_name",
    "from_number", "from_segment", "words", "log_words", "share_q", "before_q", "after_q",
    "adj_before_q", "adj_after_q", "segment_q", "sentence_cov", "share_segment",
    "starts_segment", "ends_segment", "ends_sentence", "capital", "digit", "date_like",
    "position", "lead_stop", "tail_stop", "n_candidates", "cite_score", "cite_gap", "q_words",
    "q_in_cand", "prev_la", "prev_cua", "prev_place", "prev_time", "prev_by", "prev_list",
    "prev_verb", "next_la", "inner_break", "left_ctx", "right_ctx", "left_ctx_near",
    "right_ctx_near", "from_piece", *(f"wh_{w}" for w in _WH_NAMES), "person_marker",
    "all_capitalised",
)
# A candidate's place among the quote's others: trees scoring one candidate at a time see
# only what it has, not whether another has more of it (a better anchor, a nearer word).
_RELATIVE = ("left_ctx", "right_ctx", "left_ctx_near", "right_ctx_near", "before_q", "after_q",
             "adj_before_q", "adj_after_q", "share_q", "words", "position", "segment_q",
             "person_marker", "capital", "from_gap")
FEATURES += (*(f"{f}_gap" for f in _RELATIVE), *(f"{f}_rank" for f in _RELATIVE))
_COL = {f: i for i, f in enumerate(FEATURES)}
_REL_COLS = [_COL[f] for f in _RELATIVE]
_GAP_COLS = [_COL[f"{f}_gap"] for f in _RELATIVE]
_RANK_COLS = [_COL[f"{f}_rank"] for f in _RELATIVE]
MAX_WORDS = 20
# Punctuation that ends a clause: a candidate run does not cross it.
_BREAK = re.compile(r"[,;:()\[\]\"“”«»–—!?]|\.\s|\s-\s")
_WH = [(name, tuple(fold_word(w) for w in seq)) for name, seq in (
    ("bao_nhieu", ("bao", "nhiêu")), ("bao_nhieu", ("mấy",)), ("gi", ("gì",)),
    ("nao", ("nào",)), ("ai", ("ai",)), ("dau", ("đâu",)), ("sao", ("sao",)),
    ("what", ("what",)), ("which", ("which",)), ("how", ("how",)), ("who", ("who",)),
    ("who", ("whom",)), ("what", ("when",)), ("what", ("where",)))]
# The word before a candidate says what it is: "là X", "tại X", "vào X", "bởi X"…
_PREV = {name: {fold_word(w) for w in ws} for name, ws in (
    ("prev_la", ("là",)), ("prev_cua", ("của",)),
    ("prev_place", ("tại", "ở", "từ", "đến", "in", "at")),
    ("prev_time", ("vào", "năm", "ngày", "tháng", "lúc", "khi")),
    ("prev_by", ("bởi", "do", "nhờ", "vì", "by")), ("prev_list", ("như", "gồm")),
    ("prev_verb", ("được", "có", "đã", "bị")))}
_LA = fold_word("là")


@dataclass(frozen=True)
class SpanContext:
    """What the candidates of one quote are scored against."""

    question: str
    kind: str
    english: bool
    weights: dict[str, float]
    hand_best: tuple[int, int] | None
    cite_score: float
    cite_gap: float
    avoid: frozenset[str] = frozenset()


def question_shape(question: str) -> tuple[str, list[str], list[str]]:
    """The question's wh-word and up to four content words either side of it."""
    qt = [fold_word(m.group()) for m in SPAN_TOKEN_RE.finditer(question)]
    for name, seq in _WH:
        for i in range(len(qt) - len(seq) + 1):
            if tuple(qt[i:i + len(seq)]) == seq:
                left = [w for w in qt[:i] if not is_stopword(w)][-4:]
                right = [w for w in qt[i + len(seq):] if not is_stopword(w)][:4]
                return name, left, right
    return "none", [], []


def _segments(sentence: str, toks: list[tuple[int, int, str]]) -> list[int]:
    seg, out, prev_end = 0, [], -1
    for s, e, _ in toks:
        if prev_end >= 0 and _BREAK.search(sentence[prev_end:s]):
            seg += 1
        out.append(seg)
        prev_end = e
    return out


def _token_range(starts: list[int], ends: list[int], s: int, e: int) -> tuple[int, int] | None:
    """The first and last tokens (by their ``starts`` and ``ends``, in order) overlapping
    characters ``s``..``e``."""
    i = bisect.bisect_right(ends, s)
    j = bisect.bisect_left(starts, e) - 1
    return (i, j) if i <= j else None


def _sources(sentence: str, toks: list[tuple[int, int, str]], isq: list[bool],
             stop: list[bool], segs: list[int], ctx: SpanContext
             ) -> tuple[dict[tuple[int, int], set[str]], tuple[int, int] | None]:
    """Candidate token ranges (inclusive) and where each came from; the hand-scored pick."""
    src: dict[tuple[int, int], set[str]] = {}
    n = len(toks)
    starts, ends = [t[0] for t in toks], [t[1] for t in toks]

    def add(i: int, j: int, how: str) -> None:
        while i <= j and stop[i]:
            i += 1
        while j >= i and stop[j]:
            j -= 1
        if i <= j and j - i < MAX_WORDS:
            src.setdefault((i, j), set()).add(how)

    hand = _token_range(starts, ends, *ctx.hand_best) if ctx.hand_best else None
    best = None
    for s, e in valid_candidates(sentence, ctx.question, ctx.kind):
        ij = _token_range(starts, ends, s, e)
        if ij:
            src.setdefault(ij, set()).add("typed")
            if ij == hand:
                best = ij
    i = 0
    while i < n:  # runs of words the question does not have, within a clause
        if isq[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and not isq[j + 1] and segs[j + 1] == segs[i]:
            j += 1
        add(i, j, "gap")
        if j - i >= 3:  # the phrase right after, or right before, the question's words
            for m in (1, 2, 3, 4):
                add(i, i + m - 1, "piece")
                add(j - m + 1, j, "piece")
        i = j + 1
    for s, e in capitalised_runs(sentence):
        if ij := _token_range(starts, ends, s, e):
            add(*ij, "name")
    for found in [*NUMBER_RE.finditer(sentence), *DATE_RE.finditer(sentence)]:
        if ij := _token_range(starts, ends, *found.span()):
            add(*ij, "number")
    bounds: dict[int, list[int]] = {}  # clause → [first token, last token]
    for k, sg in enumerate(segs):
        bounds.setdefault(sg, [k, k])[1] = k
    for first, last in bounds.values():
        add(first, last, "segment")
    return src, best


def candidate_table(sentence: str, ctx: SpanContext) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Candidate spans of ``sentence`` (character offsets) and their features (one row each,
    columns as :data:`FEATURES`). A span that only repeats the question's words, or names
    what the earlier answer named (``ctx.avoid``), is not a candidate."""
    toks = [(m.start(), m.end(), fold_word(m.group())) for m in SPAN_TOKEN_RE.finditer(sentence)]
    weights = ctx.weights
    isq = [weights.get(t[2], 0.0) > 0 for t in toks]
    stop = [is_stopword(t[2]) for t in toks]
    segs = _segments(sentence, toks)
    src, best = _sources(sentence, toks, isq, stop, segs, ctx)
    cands = [ij for ij in sorted(src) if not all(isq[k] or stop[k] for k in range(ij[0], ij[1] + 1))
             and fold_word(sentence[toks[ij[0]][0]:toks[ij[1]][1]]) not in ctx.avoid]
    feats = np.zeros((len(cands), len(FEATURES)))
    if not cands:
        return [], feats
    n = len(toks)
    total_w = sum(w for w in weights.values() if w > 0) or 1.0
    present = {t[2] for t in toks}
    seg_len: dict[int, int] = {}
    seg_hits: dict[int, int] = {}
    for q, sg in zip(isq, segs, strict=True):
        seg_len[sg] = seg_len.get(sg, 0) + 1
        seg_hits[sg] = seg_hits.get(sg, 0) + q
    seg_q = {sg: seg_hits[sg] / seg_len[sg] for sg in seg_len}
    wh, qleft, qright = question_shape(ctx.question)
    shared = {f"kind_{ctx.kind}": 1.0, "english": float(ctx.english), f"wh_{wh}": 1.0,
              "sentence_cov": sum(w for k, w in weights.items() if w > 0 and k in present)
              / total_w, "n_candidates": len(cands), "cite_score": ctx.cite_score,
              "cite_gap": ctx.cite_gap, "q_words": sum(1 for w in weights.values() if w > 0)}
    for f, v in shared.items():
        feats[:, _COL[f]] = v
    for r, (i, j) in enumerate(cands):
        how, m = src[(i, j)], j - i + 1
        text = sentence[toks[i][0]:toks[j][1]]
        prev = toks[i - 1][2] if i > 0 else ""
        near_b = {t[2] for t in toks[max(0, i - 6):i]}
        near_a = {t[2] for t in toks[j + 1:j + 7]}
        row = {
            "typed": "typed" in how, "typed_best": (i, j) == best, "from_gap": "gap" in how,
            "from_name": "name" in how, "from_number": "number" in how,
            "from_segment": "segment" in how, "from_piece": "piece" in how,
            "words": m, "log_words": math.log(m), "share_q": sum(isq[i:j + 1]) / m,
            "q_in_cand": sum(isq[i:j + 1]),
            "before_q": sum(weights.get(t[2], 0.0) for t in toks[max(0, i - 3):i]) / total_w,
            "after_q": sum(weights.get(t[2], 0.0) for t in toks[j + 1:j + 4]) / total_w,
            "adj_before_q": i > 0 and isq[i - 1], "adj_after_q": j + 1 < n and isq[j + 1],
            "segment_q": seg_q[segs[i]], "share_segment": m / seg_len[segs[i]],
            "starts_segment": i == 0 or segs[i - 1] != segs[i],
            "ends_segment": j == n - 1 or segs[j + 1] != segs[j], "ends_sentence": j == n - 1,
            "capital": text[:1].isupper(), "digit": any(c.isdigit() for c in text),
            "date_like": DATE_RE.fullmatch(text) is not None,
            "position": toks[i][0] / max(1, len(sentence)),
            "lead_stop": i > 0 and stop[i - 1], "tail_stop": j + 1 < n and stop[j + 1],
            "next_la": j + 1 < n and toks[j + 1][2] == _LA, "inner_break": segs[i] != segs[j],
            "left_ctx": sum(w in near_b for w in qleft) / max(1, len(qleft)),
            "right_ctx": sum(w in near_a for w in qright) / max(1, len(qright)),
            "left_ctx_near": bool(qleft) and qleft[-1] in {t[2] for t in toks[max(0, i - 2):i]},
            "right_ctx_near": bool(qright) and qright[0] in {t[2] for t in toks[j + 1:j + 3]},
            **{name: prev in ws for name, ws in _PREV.items()},
            # "ông", "đồng chí", a title: what follows is a person.
            "person_marker": after_person_marker(sentence, toks[i][0]),
            "all_capitalised": all(w[:1].isupper() for w in text.split()),
        }
        for f, v in row.items():
            feats[r, _COL[f]] = float(v)
    own = feats[:, _REL_COLS]
    feats[:, _GAP_COLS] = own - own.max(axis=0)  # 0 for the best of the quote
    feats[:, _RANK_COLS] = (own[None, :, :] > own[:, None, :]).sum(axis=1) / len(cands)
    return [(toks[i][0], toks[j][1]) for i, j in cands], feats


def span_model() -> Trees:
    """The shipped short-answer model, ``span_model.json``."""
    return packaged_trees("span_model.json", FEATURES)


def best_span(sentence: str, ctx: SpanContext, min_confidence: float
              ) -> tuple[int, int, float] | None:
    """The candidate of ``sentence`` with the highest predicted F1, with that F1, when it
    reaches ``min_confidence``; offsets relative to the sentence."""
    spans, feats = candidate_table(sentence, ctx)
    if not spans:
        return None
    i, conf = choose(span_model().predict(feats), feats)
    return (*spans[i], conf) if conf >= min_confidence else None


def choose(pred: np.ndarray, feats: np.ndarray) -> tuple[int, float]:
    """The candidate to show and its predicted F1. A question that asks for a person,
    date, number, place or name gets one of those when the quote holds any."""
    typed = feats[:, _COL["typed"]] == 1
    if feats[0, _COL["kind_other"]] == 0 and typed.any():
        pred = np.where(typed, pred, -np.inf)
    i = int(np.argmax(pred))
    return i, float(pred[i])


def span_context(citations: list[Citation], query: Query, tuning: Tuning) -> SpanContext:
    """What the short-answer candidates of the first quote are scored against: the
    question's word weights, the hand-scored typed pick, the quotes' scores and, in a
    follow-up, the names the earlier answer gave (not to be given again)."""
    weights = term_weights(query.text, query.previous_question, tuning)
    earlier = query.previous.answer if query.previous else ""
    avoid = {fold_word(earlier[s:e]) for s, e in capitalised_runs(earlier)}
    first = citations[0]
    hand = extract_span(first.quote, query.text, query.kind, weights=weights, avoid=avoid,
                        tuning=tuning)
    gap = first.score - citations[1].score if len(citations) > 1 else 0.1
    return SpanContext(question=query.text, kind=query.kind, english=not query.vietnamese,
                       weights=weights, hand_best=hand, cite_score=first.score, cite_gap=gap,
                       avoid=frozenset(avoid))


def short_answer(citations: list[Citation], query: Query, tuning: Tuning) -> AnswerSpan | None:
    """The short answer inside the first quote, when the model expects it to be right."""
    cite = citations[0]
    found = best_span(cite.quote, span_context(citations, query, tuning),
                      tuning.span_threshold(query.vietnamese))
    if not found:
        return None
    s, e, conf = found
    return AnswerSpan(text=cite.quote[s:e], start=cite.start + s, end=cite.start + e,
                      kind=query.kind, confidence=round(conf, 3))
