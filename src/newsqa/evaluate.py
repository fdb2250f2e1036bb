"""Evaluate retrieval and answers on a SQuAD v1.1 file, through the normal build and ask."""

from __future__ import annotations

import json
import re
import string
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from .api import load
from .build import build_index
from .embedding import Embedder
from .errors import DatasetError
from .ingest import Corpus, make_article
from .models import Answer, Hit, Progress, Turn
from .settings import Settings
from .text import normalize


class Question(BaseModel):
    """One SQuAD question with its gold answers as offsets into the article text."""

    id: str
    question: str
    article_id: str
    answers: list[tuple[str, int, int]]
    history: list[Turn] = []


class EvalReport(BaseModel):
    """The figures ``newsqa eval`` reports (and exactly these keys in ``--json``)."""

    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float
    answer_accuracy: float
    cited_at_3: float
    span_em: float
    span_f1: float
    span_shown: float = Field(description="share of answered questions with a short answer")
    span_f1_shown: float = Field(description="SQuAD F1 of the short answers shown")
    abstain_rate: float
    quote_chars: float = Field(
        description="mean length in characters of the first quote of answered questions: a "
        "longer quote holds the answer more often, so read it with answer_accuracy")
    latency_ms_p50: float
    latency_ms_p95: float
    build_seconds: float
    questions: int
    follow_ups: int = Field(default=0, description="questions asked with a history")
    follow_up_accuracy: float | None = Field(
        default=None, description="answer_accuracy of the questions asked with a history")

    def to_json(self) -> dict[str, Any]:
        """The report with the key names of the issue (``recall@1``, ``cited@3``…)."""
        d = self.model_dump()
        return {k.replace("_at_", "@"): v for k, v in d.items()}


def read_squad(path: str | Path, limit: int | None = None) -> tuple[Corpus, list[Question]]:
    """Read a SQuAD v1.1 file: each paragraph becomes an article titled with the SQuAD title
    and the paragraph number."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))["data"]
    except FileNotFoundError as exc:
        raise DatasetError(f"evaluation file {path} does not exist") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetError(f"{path} is not a SQuAD v1.1 JSON file (a 'data' list of "
                           f"articles with 'paragraphs'): {exc}") from exc
    articles, questions = [], []
    try:
        for doc in data:
            for p_no, para in enumerate(doc["paragraphs"], start=1):
                context = para["context"]
                art = make_article(f"{doc['title']}/{p_no}", f"{doc['title']} {p_no}", context)
                lead = len(normalize(context)) - len(normalize(context).lstrip())
                articles.append(art)
                for qa in para["qas"]:
                    golds = []
                    for ans in qa["answers"]:
                        start = len(normalize(context[:ans["answer_start"]])) - lead
                        text = normalize(ans["text"])
                        golds.append((text, start, start + len(text)))
                    questions.append(Question(id=str(qa["id"]), question=qa["question"],
                                              article_id=art.id, answers=golds,
                                              history=_history(path, qa)))
                    if limit and len(questions) >= limit:
                        return Corpus(articles=articles), questions
    except (KeyError, TypeError) as exc:
        raise DatasetError(f"{path}: missing SQuAD field {exc}") from exc
    return Corpus(articles=articles), questions


def _history(path: Path, qa: dict[str, Any]) -> list[Turn]:
    """The optional ``"history": [{"question", "answer"}]`` of a question: the turns of
    the conversation before it."""
    raw = qa.get("history") or []
    try:
        return [Turn.model_validate(t) for t in raw]
    except ValidationError as exc:
        raise DatasetError(f"{path}: question {qa.get('id')!r} has a history that is not a "
                           "list of {\"question\", \"answer\"} objects") from exc


def _squad_norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = "".join(ch for ch in text if ch not in set(string.punctuation) | {"“", "”", "‘", "’"})
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def span_scores(pred: str, golds: list[str]) -> tuple[float, float]:
    """SQuAD exact match and token F1 of a predicted span against gold answers."""
    em, f1 = 0.0, 0.0
    p_toks = _squad_norm(pred).split()
    for gold in golds:
        g_toks = _squad_norm(gold).split()
        em = max(em, float(p_toks == g_toks))
        common = Counter(p_toks) & Counter(g_toks)
        same = sum(common.values())
        if same and p_toks and g_toks:
            prec, rec = same / len(p_toks), same / len(g_toks)
            f1 = max(f1, 2 * prec * rec / (prec + rec))
    return em, f1


def holds_answer(quote: str, gold: str) -> bool:
    """Whether ``quote`` holds the gold answer text (NFC, case folded), as answer_accuracy
    and cited@3 count it."""
    return unicodedata.normalize("NFC", gold).casefold() in \
        unicodedata.normalize("NFC", quote).casefold()


def _rank(hits: list[Hit], q: Question) -> int | None:
    for i, h in enumerate(hits):
        if h.article_id == q.article_id and any(h.start < e and s < h.end
                                                for _, s, e in q.answers):
            return i
    return None


def score_question(q: Question, hits: list[Hit], answer: Answer) -> dict[str, float]:
    """Per-question figures (0/1 or fractions)."""
    rank = _rank(hits, q)
    golds = [g for g, _, _ in q.answers]
    quotes = [c.quote for c in answer.citations] if not answer.abstained else []
    span = answer.answer_span.text if answer.answer_span else ""
    em, f1 = span_scores(span, golds) if span else (0.0, 0.0)
    return {
        "r1": float(rank is not None and rank < 1),
        "r5": float(rank is not None and rank < 5),
        "mrr": 1.0 / (rank + 1) if rank is not None and rank < 10 else 0.0,
        "acc": float(bool(quotes) and any(holds_answer(quotes[0], g) for g in golds)),
        "cited3": float(any(holds_answer(x, g) for x in quotes[:3] for g in golds)),
        "em": em, "f1": f1, "abstain": float(answer.abstained),
        "shown": float(bool(span) and not answer.abstained),
        "quote_chars": float(len(quotes[0])) if quotes else 0.0,
    }


def evaluate(path: str | Path, *, embedder: str | Embedder | None = None, k: int = 5,
             limit: int | None = None, index_dir: str | Path | None = None,
             settings: Settings | None = None, progress: Progress | None = None,
             details: list[dict[str, Any]] | None = None) -> EvalReport:
    """Build a temporary index of a SQuAD file with the normal build, ask every question
    through the normal ask path, and report the figures. Deterministic."""
    settings = settings or Settings()
    corpus, questions = read_squad(path, limit)
    if not questions:
        raise DatasetError(f"{path} holds no questions")
    with tempfile.TemporaryDirectory(prefix="newsqa-eval-") as tmp:
        ix = Path(index_dir) if index_dir else Path(tmp) / "index"
        t0 = time.perf_counter()
        build_index(index_dir=ix, embedder=embedder or settings.embedder, settings=settings,
                    corpus=corpus, progress=progress)
        build_seconds = time.perf_counter() - t0
        qa = load(ix, settings=settings)
        rows, latencies = [], []
        for i, q in enumerate(questions):
            t = time.perf_counter()
            answer, hits = qa.ask_with_hits(q.question, q.history or None, k=k, hits_k=10)
            latencies.append((time.perf_counter() - t) * 1000)
            row = score_question(q, hits, answer)
            rows.append(row)
            if details is not None:
                details.append({"id": q.id, "question": q.question, **row,
                                "answer": answer.citations[0].quote if answer.citations else "",
                                "span": answer.answer_span.text if answer.answer_span else "",
                                "gold": q.answers[0][0]})
            if progress:
                progress("questions", i + 1, len(questions))
    mean = {key: float(np.mean([r[key] for r in rows])) for key in rows[0]}
    follow = [r for r, q in zip(rows, questions, strict=True) if q.history]
    answered = [r for r in rows if not r["abstain"]]
    shown = [r for r in answered if r["shown"]]
    return EvalReport(recall_at_1=round(mean["r1"], 4), recall_at_5=round(mean["r5"], 4),
                      mrr_at_10=round(mean["mrr"], 4), answer_accuracy=round(mean["acc"], 4),
                      cited_at_3=round(mean["cited3"], 4), span_em=round(mean["em"], 4),
                      span_f1=round(mean["f1"], 4),
                      span_shown=round(len(shown) / len(answered), 4) if answered else 0.0,
                      span_f1_shown=round(float(np.mean([r["f1"] for r in shown])), 4)
                      if shown else 0.0,
                      abstain_rate=round(mean["abstain"], 4),
                      quote_chars=round(float(np.mean([r["quote_chars"] for r in answered])), 1)
                      if answered else 0.0,
                      latency_ms_p50=round(float(np.percentile(latencies, 50)), 2),
                      latency_ms_p95=round(float(np.percentile(latencies, 95)), 2),
                      build_seconds=round(build_seconds, 2), questions=len(questions),
                      follow_ups=len(follow),
                      follow_up_accuracy=round(float(np.mean([r["acc"] for r in follow])), 4)
                      if follow else None)
