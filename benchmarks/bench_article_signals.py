"""Which signal finds a question's article: the dense vectors alone, BM25 alone, the fused
chunk scores, or the sentence that `ask` quotes first.

    python benchmarks/bench_article_signals.py [--cache DIR]

Each question of each dev set is prepared as `ask` prepares it (normal build, normal
query record and vector). For every signal the articles are read off in order of their
best chunk (or sentence), and the rank of the question's own article is kept. Two more
figures say how much a better fusion could still gain:

- "one alone right": the fused first article is wrong while dense alone or BM25 alone
  would have had it first;
- "not a candidate": the question's article holds none of the sentences `ask` scores
  (those of the best chunks), so no sentence ranker could quote it.

Then the fused first article and the first quote's article at half, once and twice the
default BM25 weight (`Tuning.keyword_weight`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import dev_file, write_section

import newsqa
from newsqa.answer import select_sentences
from newsqa.build import build_index
from newsqa.evaluate import read_squad
from newsqa.query import Query
from newsqa.retrieve import Retriever
from newsqa.text import search_terms
from newsqa.tuning import Tuning

SETS = ("xquad-vi-dev", "xquad-en-vi-dev", "vinewsqa-dev")
SIGNALS = ("dense alone", "BM25 alone", "fused chunks", "first quote")
RANKS = (1, 3, 5)
MISSING = 10**6
#: multiples of today's BM25 weight the first-article figures are taken at
FACTORS = (0.5, 1.0, 2.0)


def article_rank(article_rows: np.ndarray, gold: int) -> int:
    """0-based rank of article ``gold`` among the distinct articles of ``article_rows``
    (best first), MISSING when absent."""
    seen: set[int] = set()
    for a in article_rows.tolist():
        if a == gold:
            return len(seen)
        seen.add(a)
    return MISSING


def ranks(qa: newsqa.NewsQA, dense_only: Retriever, query: Query, gold: int) -> dict[str, int]:
    """The rank of article ``gold`` by each signal of SIGNALS, for one query
    (``dense_only`` scores without BM25)."""
    store = qa.store
    chunk_article = np.asarray(store.chunk_article)
    dense = dense_only.score(query)
    terms = search_terms(query.expanded, drop_stopwords=True)
    ids = store.bm25.get_tokens_ids(terms)
    kw = store.bm25.get_scores_from_ids(ids) if ids else np.zeros(len(store.chunks))
    kw_rows = np.argsort(-kw, kind="stable")[:200] if ids else np.zeros(0, dtype=np.int64)
    fused = qa.retriever.score(query)
    cands = select_sentences(qa.retriever, fused, query,
                             n_chunks=qa.settings.tuning.chunks_for_sentences)
    sentence_articles = np.array([store.article_rows[store.sentences[c.row].article_id]
                                  for c in cands], dtype=np.int64)
    return {"dense alone": article_rank(chunk_article[dense.rows], gold),
            "BM25 alone": article_rank(chunk_article[kw_rows], gold),
            "fused chunks": article_rank(chunk_article[fused.rows], gold),
            "first quote": article_rank(sentence_articles, gold)}


def first_articles(qa: newsqa.NewsQA, queries: list[Query], golds: list[int],
                   weight: float) -> tuple[float, float]:
    """Share of queries whose fused first chunk, and whose first quote, come from their
    own article, with BM25 weighted ``weight``."""
    retriever = Retriever(qa.store, Tuning(keyword_weight=weight))
    chunk_article = np.asarray(qa.store.chunk_article)
    by_chunk = by_quote = 0
    for query, gold in zip(queries, golds, strict=True):
        scored = retriever.score(query)
        by_chunk += len(scored.rows) > 0 and chunk_article[scored.rows[0]] == gold
        cands = select_sentences(retriever, scored, query,
                                 n_chunks=retriever.tuning.chunks_for_sentences)
        by_quote += bool(cands) and \
            qa.store.article_rows[qa.store.sentences[cands[0].row].article_id] == gold
    return by_chunk / len(queries), by_quote / len(queries)


def measure(name: str, cache: Path | None) -> tuple[list[str], list[str]]:
    """(signal table row, weight table rows) of dev set ``name``."""
    corpus, questions = read_squad(dev_file(name))
    emb = CachedE5(cache / name if cache else None)
    with tempfile.TemporaryDirectory() as tmp:
        build_index(index_dir=Path(tmp) / "ix", embedder=emb, settings=newsqa.Settings(),
                    corpus=corpus)
        emb.save()
        qa = newsqa.load(Path(tmp) / "ix", embedder=emb)
        queries = [qa.with_vector(qa.query(q.question)) for q in questions]
        golds = [qa.store.article_rows[q.article_id] for q in questions]
        dense_only = Retriever(qa.store, Tuning(keyword_weight=0.0))
        table = np.array([[r[s] for s in SIGNALS] for r in
                          (ranks(qa, dense_only, query, gold)
                           for query, gold in zip(queries, golds, strict=True))])
        base = qa.settings.tuning.keyword_weight
        # At today's weight the table already holds both figures: rank 0 by each signal.
        today = float((table[:, 2] == 0).mean()), float((table[:, 3] == 0).mean())
        weights = [today if f == 1.0 else first_articles(qa, queries, golds, base * f)
                   for f in FACTORS]
    cells = [f"{(table[:, j] < r).mean():.3f}" for j in range(len(SIGNALS)) for r in RANKS]
    fused_wrong = table[:, 2] > 0
    alone = fused_wrong & ((table[:, 0] == 0) | (table[:, 1] == 0))
    absent = table[:, 3] == MISSING
    row = (f"| {name} | {len(questions)} | " + " | ".join(cells) +
           f" | {alone.mean():.3f} | {absent.mean():.3f} |")
    wrows = [f"| {name} | {base * f:g} | {c:.3f} | {s:.3f} |"
             for f, (c, s) in zip(FACTORS, weights, strict=True)]
    return [row], wrows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    rows: list[str] = []
    wrows: list[str] = []
    for name in SETS:
        r, w = measure(name, args.cache)
        rows += r
        wrows += w
        print(*r, *w, sep="\n", flush=True)
    heads = " | ".join(f"{s} @{r}" for s in SIGNALS for r in RANKS)
    body = f"""
Which signal puts a question's own article first (`benchmarks/bench_article_signals.py`,
default settings, e5; each dev set indexed whole). Articles are ranked by their best
chunk: by the dense score alone (chunk and best-sentence cosines), by BM25 alone, by the
fused score `ask` searches with, and, last, by the sentences `ask` ranks for its quotes
("first quote @1" is the share whose first quote comes from the right article).
"one alone right": the fused first article is wrong but dense or BM25 alone had it first
(the most a better fusion could gain). "not a candidate": none of the sentences `ask`
scores comes from the question's article.

| set | questions | {heads} | one alone right | not a candidate |
|---|---|{"---|" * (len(SIGNALS) * len(RANKS) + 2)}
{chr(10).join(rows)}

The first article at half, once and twice today's BM25 weight (`keyword_weight`):

| set | keyword_weight | fused chunk's article right | first quote's article right |
|---|---|---|---|
{chr(10).join(wrows)}
"""
    write_section("Which signal finds the article (dev sets)", body)


if __name__ == "__main__":
    main()
