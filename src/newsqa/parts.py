"""Answers to questions that ask several things at once ("Ai ký cho Đảng ủy Khối, và ai ký
cho Tập đoàn?", "Who won the final? Where was the final played?"; split by
:func:`newsqa.compound.question_parts`). Each part is answered on its own, and the answers are
merged so that each part's best quote is cited and quoted, whatever article it comes from:
asked whole, one vector stands for both parts, and the answer rarely quotes the second
(docs/BENCHMARKS.md, "Questions that ask two things")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from .answer import abstain, answer_question
from .citations import joined_quotes
from .models import Answer, Citation, Hit
from .query import Query
from .retrieve import Retriever

PART_NO_ANSWER_VI = "Không tìm thấy câu trả lời cho “{part}”."
PART_NO_ANSWER_EN = "No answer found for “{part}”."

T = TypeVar("T")


def _overlaps(a: Citation, b: Citation) -> bool:
    return a.article_id == b.article_id and a.start < b.end and b.start < a.end


def _in_turn(lists: Sequence[Sequence[T]]) -> Iterator[tuple[int, T]]:
    """(rank, item): the first item of each list, then the second of each, and so on."""
    for i in range(max((len(items) for items in lists), default=0)):
        for items in lists:
            if i < len(items):
                yield i, items[i]


def own_first(per_part: list[list[Citation]]) -> list[list[Citation]]:
    """Each part's citations (best first) with the part's own quote first: its best that no
    earlier part has as its own. Two parts ask two things: when both are best answered by
    one passage, the second is given its next best as well."""
    own: list[Citation] = []
    out = []
    for cits in per_part:
        i = next((j for j, c in enumerate(cits) if not any(_overlaps(c, o) for o in own)), 0)
        if cits:
            own.append(cits[i])
        out.append(cits[i:i + 1] + cits[:i] + cits[i + 1:])
    return out


def merge_citations(per_part: list[list[Citation]], limit: int) -> list[Citation]:
    """Citations of a question asked in parts (each part's list best first): every part's
    first quote, then the parts' next quotes in turn, up to ``limit`` (or one per part,
    if more), each passage once and numbered anew."""
    out: list[Citation] = []
    for i, cit in _in_turn(per_part):
        if (i == 0 or len(out) < limit) and not any(_overlaps(cit, c) for c in out):
            out.append(cit)
    return [c.model_copy(update={"n": n}) for n, c in enumerate(out, start=1)]


def merged_text(parts: list[str], joined: list[list[Citation]], cited: list[Citation],
                no_answer: str) -> str:
    """The answer text of a question asked in parts: each part's quotes in the order asked,
    marked with their numbers among ``cited``; a part without an answer says so."""
    pieces: list[str] = []
    shown: set[int] = set()
    for part, quotes in zip(parts, joined, strict=True):
        if not quotes:
            # "[n]" in an answer's text marks a citation; the question's own brackets do not.
            pieces.append(no_answer.format(part=part.replace("[", "(").replace("]", ")")))
            continue
        for q in quotes:
            n = next((c.n for c in cited if _overlaps(c, q)), None)
            if n is not None and n not in shown:
                shown.add(n)
                pieces.append(f"{cited[n - 1].quote} [{n}]")
    return " ".join(pieces)


def merged_hits(per_part: list[list[Hit]], k: int) -> list[Hit]:
    """The parts' best chunks in turn, each once, up to ``k``."""
    out: list[Hit] = []
    seen: set[int] = set()
    for _, hit in _in_turn(per_part):
        if hit.chunk_id not in seen and len(out) < k:
            seen.add(hit.chunk_id)
            out.append(hit)
    return out


def answer_in_parts(retriever: Retriever, query: Query, *, k: int, threshold: float,
                    hits_k: int) -> tuple[Answer, list[Hit]]:
    """Answer a query that asks several things (``query.parts``, each with its vector):
    each part on its own, then one answer citing every part's best quote, and the parts'
    best chunks in turn. It abstains only when every part does."""
    tuning = retriever.tuning
    answers: list[Answer] = []
    hits: list[list[Hit]] = []
    for part in query.parts:
        # Only the first answered part's short answer is shown (it lies in quote 1).
        needs_span = all(a.abstained for a in answers)
        answer, scored = answer_question(retriever, part, k=k, threshold=threshold,
                                         with_span=needs_span)
        answers.append(answer)
        hits.append(retriever.hits(scored, hits_k))
    limit = max(1, min(tuning.citations, k))  # as answer_question cites one question
    if all(a.abstained for a in answers):
        return abstain(query.vietnamese, merge_citations(
            [a.citations for a in answers], limit)), merged_hits(hits, hits_k)
    answered = [a for a in answers if not a.abstained]
    mine = own_first([a.citations for a in answered])
    cited = merge_citations(mine, limit)
    joined: list[list[Citation]] = []
    own = iter(mine)
    for part, answer in zip(query.parts, answers, strict=True):
        if answer.abstained:
            joined.append([])
            continue
        cits = next(own)
        # Its own quote is its best: the quotes joined to that one; else that one alone.
        joined.append(joined_quotes(cits, part, tuning) if cits[0] is answer.citations[0]
                      else cits[:1])
    text = merged_text([p.text for p in query.parts], joined, cited,
                       PART_NO_ANSWER_VI if query.vietnamese else PART_NO_ANSWER_EN)
    first = answered[0]
    # The short answer lies in its part's first quote, which is cited first.
    return Answer(text=text, citations=cited, abstained=False, answer_span=first.answer_span,
                  language=first.language), merged_hits(hits, hits_k)
