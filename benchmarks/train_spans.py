"""Train the short-answer model (src/newsqa/span_model.json) on the three dev sets, with
cross-validation, through `ask`'s own code path.

Every question is asked as `newsqa eval` asks it. For each answer, the candidates of the
first quote and their features (newsqa.shortanswer.FEATURES) are labelled with their SQuAD
F1 against the gold answers. Gradient-boosted regression trees (scikit-learn, which the
`st` extra brings; fixed seed) learn to predict that F1. `ask` shows the best candidate when
its prediction reaches Tuning.span_min_confidence.

Two cross-validations, both reported:
- by article, five folds over the three sets pooled (XQuAD-vi and its English questions
  share articles, so they share folds): tests on unseen articles of each kind;
- by set: train on two sets, test on the third.

    python benchmarks/train_spans.py [--cache DIR] [--no-write]

Needs scikit-learn for training only; `ask` reads the exported trees with numpy.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import ROOT, SHARED, write_section

import newsqa
import newsqa.answer
import newsqa.shortanswer
from newsqa.build import build_index
from newsqa.evaluate import read_squad, span_scores
from newsqa.models import AnswerSpan, Citation
from newsqa.query import Query
from newsqa.shortanswer import FEATURES, SpanContext, candidate_table, choose
from newsqa.trees import Trees
from newsqa.tuning import Tuning

SETS = ("xquad-vi-dev", "xquad-en-vi-dev", "vinewsqa-dev")
MODEL = ROOT / "src" / "newsqa" / "span_model.json"
PARAMS = {"n_estimators": 250, "max_depth": 4, "min_samples_leaf": 20, "learning_rate": 0.1,
          "subsample": 0.8, "random_state": 0}


@dataclass
class Asked:
    """One answered question: its first quote's candidates, features and F1 labels."""

    article_id: str
    quote: str
    spans: list[tuple[int, int]]
    x: np.ndarray
    f1: np.ndarray
    hand: float | None  # F1 of the old hand-scored typed pick, None when it shows none


def ask_all(name: str, emb: CachedE5, settings: newsqa.Settings) -> list[Asked]:
    """Ask every question of one dev set; the inputs `ask` scores its short answer on."""
    corpus, questions = read_squad(SHARED / "data" / f"{name}.json")
    seen: list[tuple[str, SpanContext]] = []

    # The quotes do not depend on the short answer; record what it would be scored on.
    def record(citations: list[Citation], query: Query, tuning: Tuning) -> AnswerSpan | None:
        seen.append((citations[0].quote, newsqa.shortanswer.span_context(citations, query, tuning)))
        return None

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        build_index(index_dir=Path(tmp) / "ix", embedder=emb, settings=settings, corpus=corpus)
        emb.save()
        qa = newsqa.load(Path(tmp) / "ix", embedder=emb, settings=settings)
        real = newsqa.answer.short_answer
        newsqa.answer.short_answer = record
        try:
            for q in questions:
                seen.clear()
                qa.ask(q.question, q.history or None)
                if not seen:  # abstained
                    continue
                quote, ctx = seen[0]
                spans, x = candidate_table(quote, ctx)
                golds = [g for g, _, _ in q.answers]
                f1 = np.array([span_scores(quote[s:e], golds)[1] for s, e in spans])
                hb = ctx.hand_best
                hand = span_scores(quote[hb[0]:hb[1]], golds)[1] if hb else None
                out.append(Asked(q.article_id, quote, spans, x, f1, hand))
        finally:
            newsqa.answer.short_answer = real
    return out


def fit(rows: list[Asked]) -> GradientBoostingRegressor:
    """Trees predicting each candidate's F1."""
    rows = [r for r in rows if r.spans]
    model = GradientBoostingRegressor(**PARAMS)  # type: ignore[arg-type]
    model.fit(np.vstack([r.x for r in rows]), np.concatenate([r.f1 for r in rows]))
    return model


def export(model: GradientBoostingRegressor) -> dict[str, Any]:
    """The trees as padded arrays (see newsqa.trees.Trees); leaves point to
    themselves."""
    trees = [est.tree_ for est in model.estimators_[:, 0]]
    width = max(t.node_count for t in trees)
    out: dict[str, list[list[Any]]] = {k: [] for k in ("feature", "threshold", "left", "right",
                                                        "value")}
    for t in trees:
        leaf = t.children_left < 0
        ids = np.arange(t.node_count)
        pad = width - t.node_count
        out["feature"].append([int(v) for v in np.where(leaf, 0, t.feature)] + [0] * pad)
        out["threshold"].append([float(v) for v in np.where(leaf, 0.0, t.threshold)] +
                                [0.0] * pad)
        out["left"].append([int(v) for v in np.where(leaf, ids, t.children_left)] + [0] * pad)
        out["right"].append([int(v) for v in np.where(leaf, ids, t.children_right)] +
                            [0] * pad)
        out["value"].append([float(v) for v in t.value[:, 0, 0]] + [0.0] * pad)
    return {"features": list(FEATURES), "init": float(np.ravel(model.init_.constant_)[0]),
            "learning_rate": float(model.learning_rate), "depth": int(model.max_depth),
            "params": PARAMS, "trained_on": list(SETS), "trees": out}


def decisions(model: GradientBoostingRegressor, rows: list[Asked]) -> np.ndarray:
    """Per answered question: the best candidate's predicted F1 (-1 without one), its F1."""
    out = []
    for r in rows:
        if not r.spans:
            out.append((-1.0, 0.0))
            continue
        i, conf = choose(model.predict(r.x), r.x)
        out.append((conf, float(r.f1[i])))
    return np.array(out).reshape(-1, 2)


def shown(dec: np.ndarray, tau: float) -> tuple[float, float]:
    """span_shown and span_f1_shown at threshold ``tau``."""
    on = dec[:, 0] >= tau
    return float(on.mean()), float(dec[on, 1].mean()) if on.any() else 0.0


def threshold(name: str, tuning: Tuning) -> float:
    """The predicted F1 a short answer needs on dev set ``name`` (its questions' language)."""
    return tuning.span_threshold(vietnamese="-en-" not in name)


def threshold_curve(by_article: dict[str, np.ndarray], by_set: dict[str, np.ndarray],
                    tuning: Tuning) -> str:
    """Markdown rows: span_shown / span_f1_shown of each set at τ from 0.45 to 0.80."""
    rows = []
    for tau in np.round(np.arange(0.45, 0.8001, 0.025), 3):
        cells = []
        for dec in (*(by_article[n] for n in SETS), *(by_set[n] for n in SETS)):
            cells.append("{:.3f} / {:.3f}".format(*shown(dec, float(tau))))
        here = [abs(threshold(n, tuning) - tau) < 1e-9 for n in SETS] * 2
        cells = [f"**{c}**" if bold else c for c, bold in zip(cells, here, strict=True)]
        rows.append(f"| {tau:.3f} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _fold(row: Asked) -> int:
    return zlib.crc32(row.article_id.encode()) % 5


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--no-write", action="store_true", help="report only; keep the model")
    args = ap.parse_args()
    settings = newsqa.Settings()
    asked = {n: ask_all(n, CachedE5(args.cache / n if args.cache else None), settings)
             for n in SETS}
    everything = [r for n in SETS for r in asked[n]]
    by_article: dict[str, list[np.ndarray]] = {n: [] for n in SETS}
    for k in range(5):
        model = fit([r for r in everything if _fold(r) != k])
        for n in SETS:
            by_article[n].append(decisions(model, [r for r in asked[n] if _fold(r) == k]))
        print("fold", k, flush=True)
    by_set = {n: decisions(fit([r for m in SETS if m != n for r in asked[m]]), asked[n])
              for n in SETS}
    lines = []
    for n in SETS:
        hand = [r.hand for r in asked[n] if r.hand is not None]
        cells = [f"{len(hand) / len(asked[n]):.3f} / {np.mean(hand):.3f}"]
        art = np.vstack(by_article[n])
        tau = threshold(n, settings.tuning)
        for t in (tau - 0.1, tau, tau + 0.1):
            cells.append("{:.3f} / {:.3f}".format(*shown(art, t)))
        cells.append("{:.3f} / {:.3f}".format(*shown(by_set[n], tau)))
        lines.append(f"| {n} | {len(asked[n])} | {tau} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    curve = threshold_curve({n: np.vstack(by_article[n]) for n in SETS}, by_set,
                            settings.tuning)
    final = fit(everything)
    spec = export(final)
    sample = np.vstack([r.x for r in everything[:200] if r.spans])
    gap = float(np.abs(Trees(spec, FEATURES).predict(sample) - final.predict(sample)).max())
    if gap > 1e-6:
        raise SystemExit(f"exported trees disagree with scikit-learn by {gap}")
    if not args.no_write:
        MODEL.write_text(json.dumps(spec, separators=(",", ":")), encoding="utf-8")
    size = len(json.dumps(spec, separators=(",", ":"))) / 1e6
    body = f"""
The short-answer model (`benchmarks/train_spans.py`): gradient-boosted regression trees
({PARAMS["n_estimators"]} trees of depth {PARAMS["max_depth"]}, seed 0, {size:.2f} MB of
JSON) over {len(FEATURES)} features of each candidate phrase of the first quote, predicting
its SQuAD F1. A short answer is shown when the best candidate's prediction reaches τ:
`span_min_confidence` for a Vietnamese question, `span_min_confidence_en` for an English
one. Each cell is span_shown / span_f1_shown over the answered questions.
**Cross-validated**: "by article" trains on four fifths of the articles of all three sets
and tests on the other fifth (XQuAD-vi and its English questions share articles, hence
folds); "by set" trains on the two other sets. "hand" is the rule it
replaces (a typed candidate scored by hand-set weights, shown whenever one exists).

| set | answered | τ | hand | by article, τ − 0.1 | by article, τ | by article, τ + 0.1 | by set, τ |
|---|---|---|---|---|---|---|---|
{chr(10).join(lines)}

How τ is chosen: for each kind of question, the lowest τ (in steps of 0.025) at which
span_f1_shown stays at 0.70 or more by article, at that τ and every higher one; the cells at
today's τ are bold.

| τ | {" | ".join(f"{n} by article" for n in SETS)} | {" | ".join(f"{n} by set" for n in SETS)} |
|---|{"---|" * 2 * len(SETS)}
{curve}

Exported trees agree with scikit-learn's predictions within {gap:.1e}.
"""
    write_section("Short answers (cross-validated)", body)


if __name__ == "__main__":
    main()
