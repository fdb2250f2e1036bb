"""Learn the sentence ranker's weights (Tuning.sentence_weights) on the three dev sets, with
cross-validation: train on two sets, test on the third, through `newsqa eval`'s code path.

Each question's candidate sentences (those `ask` scores) and their features
(newsqa.answer.FEATURES) are labelled: positive when the sentence holds a gold answer. A
linear score is fitted by a softmax over each question's candidates (the positives against
the rest), full-batch gradient descent from the hand-set weights, L2-regularised:
deterministic, no random state. The weights are scaled so that the cosine's is 1 (the
other thresholds, such as the second quote's gap, are in cosine units).

    python benchmarks/train_ranker.py [--cache DIR]

The weights trained on all three sets are printed in the section; to try them, pass them
as ``Settings(tuning=Tuning(sentence_weights=...))``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import SHARED, write_section

import newsqa
from newsqa.answer import FEATURES, candidate_pool
from newsqa.build import build_index
from newsqa.evaluate import evaluate, read_squad
from newsqa.tuning import HAND_WEIGHTS, Tuning

SETS = ("xquad-vi-dev", "xquad-en-vi-dev", "vinewsqa-dev")
FIGURES = ("recall_at_1", "answer_accuracy", "cited_at_3", "span_f1_shown")
Pools = list[tuple[np.ndarray, np.ndarray]]  # per question: features, labels


def pools_of(name: str, emb: CachedE5, settings: newsqa.Settings) -> Pools:
    """Features and labels of every question's candidate sentences in one dev set."""
    corpus, questions = read_squad(SHARED / "data" / f"{name}.json")
    out: Pools = []
    with tempfile.TemporaryDirectory() as tmp:
        build_index(index_dir=Path(tmp) / "ix", embedder=emb, settings=settings, corpus=corpus)
        qa = newsqa.load(Path(tmp) / "ix", settings=settings)
        n_chunks = settings.tuning.chunks_for_sentences
        for q in questions:
            query = qa.with_vector(qa.query(q.question, q.history or None))
            scored = qa.retriever.score(query)
            pool = candidate_pool(qa.retriever, scored, query, n_chunks=max(n_chunks, 5))
            labels = np.zeros(len(pool.rows))
            for i, row in enumerate(pool.rows):
                sent = qa.store.sentences[row]
                labels[i] = float(sent.article_id == q.article_id and any(
                    sent.start <= s and e <= sent.end for _, s, e in q.answers))
            if labels.any() and not labels.all():
                out.append((pool.features, labels))
    emb.save()
    return out


def train(pools: Pools, *, steps: int = 600, lr: float = 2.0, l2: float = 1e-3) -> np.ndarray:
    """Weights maximising the softmax probability of each question's positives."""
    w = np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES]) * 20  # cosines span ~0.05
    for _ in range(steps):
        grad = l2 * w
        for x, y in pools:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            q = y * p / (y * p).sum()
            grad -= (q - p) @ x / len(pools)
        w -= lr * grad
    return w / w[0] if w[0] > 0 else w


def hit_rate(pools: Pools, w: np.ndarray) -> float:
    """Share of questions whose best-scored candidate is a positive."""
    return float(np.mean([y[int(np.argmax(x @ w))] for x, y in pools]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    hand = Tuning(sentence_weights=dict(HAND_WEIGHTS))
    settings = newsqa.Settings(tuning=hand)
    embs = {n: CachedE5(args.cache / n if args.cache else None) for n in SETS}
    pools = {n: pools_of(n, embs[n], settings) for n in SETS}
    everything = train([p for n in SETS for p in pools[n]])
    for n in SETS:  # in-sample, for comparison with the held-out rows
        print(n, "in-sample top sentence", f"{hit_rate(pools[n], np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES])):.3f}",
              "→", f"{hit_rate(pools[n], everything):.3f}", flush=True)
    hand_w = np.array([HAND_WEIGHTS.get(f, 0.0) for f in FEATURES])
    rows = []
    for held in SETS:
        w = train([p for n in SETS if n != held for p in pools[n]])
        learned = Tuning(sentence_weights=dict(zip(FEATURES, map(float, w), strict=True)))
        path = SHARED / "data" / f"{held}.json"
        before = evaluate(path, embedder=embs[held], settings=settings).model_dump()
        after = evaluate(path, embedder=embs[held],
                         settings=newsqa.Settings(tuning=learned)).model_dump()
        cells = " | ".join(f"{before[k]:.3f} → {after[k]:.3f}" for k in FIGURES)
        rows.append(f"| {held} | {hit_rate(pools[held], hand_w):.3f} → "
                    f"{hit_rate(pools[held], w):.3f} | {cells} |")
        print(rows[-1], flush=True)
    final = train([p for n in SETS for p in pools[n]])
    weights = {f: round(float(v), 4) for f, v in zip(FEATURES, final, strict=True)}
    table = "\n".join(rows)
    body = f"""
A linear sentence ranker over {len(FEATURES)} features ({", ".join(FEATURES)}), trained
by `benchmarks/train_ranker.py` with a softmax over each question's candidate sentences,
starting from the hand-set weights. **Cross-validated**: each row is trained on the two
other sets and tested on this one; hand-set → learned. "top sentence" is the share of
questions whose best-scored candidate holds a gold answer.

| held-out set | top sentence | recall@1 | answer_accuracy | cited@3 | span_f1_shown |
|---|---|---|---|---|---|
{table}

Weights trained on all three sets: `{json.dumps(weights)}`.
"""
    write_section("Sentence ranker (cross-validated)", body)


if __name__ == "__main__":
    main()
