"""When a short answer is shown: the span judge (`newsqa.spanjudge`), fitted on the reader's
held-out readings of the dev first quotes (`train_reader.py` calls this; run alone it refits
the judge of the shipped model from a dump that script wrote, without training again):

    python benchmarks/reader_margins.py DUMP.npz [--cache DIR]

Per language, a logistic judge of "is this span right" (soft labels: the span's F1;
each set weighs the same) over `span_features`: the reader's margin and what the span and its quote look like. Its
threshold is set by the folds' rule on scores cross-fitted by article (each question scored
by a judge fitted without its article): the lowest probability from which span_f1_shown
stays at TARGET_F1 on every set of the language. The judge is fitted on the folds' held-out
readings, whose margins run on another scale than the shipped model's on its own training
questions, so the judge also keeps the map between the two (same quantile).
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))

from newsqa.spanjudge import FEATURES, SpanJudge, span_features
from newsqa.spans import question_type

LANGUAGES = {"vi": ("xquad-vi-dev", "vinewsqa-dev"), "en": ("xquad-en-vi-dev",)}
# A mean F1 over n spans (sd about 0.4) moves by 0.4 / sqrt(n): 0.09 over 20, 0.04 over 100.
# The threshold must not climb to escape a dip among the few surest spans.
TARGET_F1, MIN_SHOWN, FOLDS, C = 0.70, 100, 5, 0.1
PROBABILITIES = np.round(np.linspace(0.0, 1.0, 201), 3)
QUANTILES = np.linspace(0.0, 1.0, 101)


class Read(Protocol):
    """What the judge needs of an item: its article, question and the quote read."""

    article_id: str
    question: str
    quote: str


def features(items: Sequence[Read], readings: np.ndarray,
             margin_of: SpanJudge | None = None) -> np.ndarray:
    """`span_features` of each item's reading (margin, F1, start, end); with ``margin_of``,
    margins are first mapped from the shipped model's scale to the held-out one."""
    rows = []
    for it, (m, _, s, e) in zip(items, readings, strict=True):
        m = margin_of.held_out_margin(m) if margin_of else m
        rows.append(span_features(it.question, it.quote, int(s), int(e),
                                  question_type(it.question), float(m)))
    return np.array(rows).reshape(-1, len(FEATURES))


def quote_sums(items: Sequence[Read]) -> np.ndarray:
    """A checksum of each item's first quote: a dump's readings hold offsets into these
    quotes, so they are only valid while `ask` gives the same ones."""
    return np.array([zlib.crc32(it.quote.encode()) for it in items], dtype=np.uint32)


def shown_f1(on: np.ndarray, f1: np.ndarray) -> tuple[float, float]:
    """span_shown and span_f1_shown of the spans ``on`` marks as shown."""
    return float(on.mean()), float(f1[on].mean()) if on.any() else 0.0


def _fit(x: np.ndarray, f1: np.ndarray, sets: np.ndarray) -> dict[str, Any]:
    mean, scale = x.mean(0), x.std(0) + 1e-9
    z = (x - mean) / scale
    # Each set weighs the same: the news set, four times XQuAD-vi's size, would otherwise
    # fit the judge to news spans, and XQuAD-vi would bind the threshold.
    names, counts = np.unique(sets, return_counts=True)
    weight = np.array([len(sets) / (len(names) * counts[names == n][0]) for n in sets])
    model = LogisticRegression(C=C, max_iter=3000)
    model.fit(np.vstack([z, z]), np.r_[np.ones(len(z)), np.zeros(len(z))],
              sample_weight=np.r_[weight * f1, weight * (1.0 - f1)] + 1e-6)
    return {"mean": np.round(mean, 6).tolist(), "scale": np.round(scale, 6).tolist(),
            "coef": np.round(model.coef_[0], 6).tolist(),
            "bias": round(float(model.intercept_[0]), 6)}


def _probabilities(spec: dict[str, Any], x: np.ndarray) -> np.ndarray:
    judge = SpanJudge(spec | {"threshold": 0.0, "margin_own": [0.0, 1.0],
                              "margin_held_out": [0.0, 1.0]})
    return np.array([judge.probability(row) for row in x])


def lowest_probability(decs: list[np.ndarray]) -> float:
    """The lowest probability from which span_f1_shown stays >= TARGET_F1 on every set in
    ``decs`` (rows: probability, F1; a set showing fewer than MIN_SHOWN does not count)."""
    ok = [all(d[d[:, 0] >= p, 1].mean() >= TARGET_F1 for d in decs
              if (d[:, 0] >= p).sum() >= MIN_SHOWN) for p in PROBABILITIES]
    for i in range(len(PROBABILITIES)):
        if all(ok[i:]):
            return float(PROBABILITIES[i])
    return 1.0


def fit_judges(items: Mapping[str, Sequence[Read]], oof: dict[str, np.ndarray],
               own: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Per language: the judge's spec (reader_model.json "span_judge"), and per set the share
    and F1 its cross-fitted scores show at its threshold."""
    out: dict[str, dict[str, Any]] = {}
    for lang, names in LANGUAGES.items():
        keep = {n: np.isfinite(oof[n][:, 0]) for n in names}
        kept = {n: [it for it, k in zip(items[n], keep[n], strict=True) if k] for n in names}
        x = np.vstack([features(kept[n], oof[n][keep[n]]) for n in names])
        f1 = np.concatenate([oof[n][keep[n], 1] for n in names])
        fold = np.array([zlib.crc32(it.article_id.encode()) % FOLDS
                         for n in names for it in kept[n]])
        sets = np.concatenate([[n] * int(keep[n].sum()) for n in names])
        crossed = np.zeros(len(f1))
        for k in range(FOLDS):
            rest = fold != k
            crossed[~rest] = _probabilities(_fit(x[rest], f1[rest], sets[rest]), x[~rest])
        threshold = lowest_probability([np.c_[crossed, f1][sets == n] for n in names])
        folds = {}
        for n in names:
            on = crossed[sets == n] >= threshold
            folds[n] = {"shown": round(float(on.sum() / len(oof[n])), 4),
                        "f1": round(float(f1[sets == n][on].mean()) if on.any() else 0.0, 4)}
        held = np.concatenate([oof[n][keep[n], 0] for n in names])
        mine = np.concatenate([own[n][np.isfinite(own[n][:, 0]), 0] for n in names])
        out[lang] = _fit(x, f1, sets) | {
            "threshold": threshold, "folds": folds,
            "margin_own": np.round(np.quantile(mine, QUANTILES), 4).tolist(),
            "margin_held_out": np.round(np.quantile(held, QUANTILES), 4).tolist()}
    return out


def in_sample(items: Mapping[str, Sequence[Read]], own: dict[str, np.ndarray],
              judges: dict[str, dict[str, Any]]) -> dict[str, tuple[float, float]]:
    """Per set: span_shown and span_f1_shown of the shipped model and judge on its own
    training questions (flattering: the reader was trained on them)."""
    out = {}
    for lang, names in LANGUAGES.items():
        judge = SpanJudge(judges[lang])
        for n in names:
            p = np.array([judge.probability(row)
                          for row in features(items[n], own[n], margin_of=judge)])
            out[n] = shown_f1((p >= judge.threshold) & np.isfinite(own[n][:, 0]), own[n][:, 1])
    return out


def nested(items: Mapping[str, Sequence[Read]], oof: dict[str, np.ndarray],
           salts: Sequence[str] = ("", "a", "b", "c")) -> dict[str, tuple[float, float]]:
    """Per set: span_shown and span_f1_shown held out, the whole rule nested by article:
    for each salt, five folds; the judge and its threshold are fitted on four (as
    `fit_judges` fits them on all) and applied to the fifth's readings."""
    cells: dict[str, list[np.ndarray]] = {n: [] for n in oof}
    for salt in salts:
        for k in range(FOLDS):
            held = {n: np.array([zlib.crc32((salt + it.article_id).encode()) % FOLDS == k
                                 for it in items[n]], dtype=bool) for n in oof}
            train = {n: [it for it, h in zip(items[n], held[n], strict=True) if not h] for n in oof}
            judges = fit_judges(train, {n: oof[n][~held[n]] for n in oof},
                                {n: oof[n][~held[n]] for n in oof})
            for lang, names in LANGUAGES.items():
                for n in names:
                    test = [it for it, h in zip(items[n], held[n], strict=True) if h]
                    p = _probabilities(judges[lang], features(test, oof[n][held[n]]))
                    on = (p >= judges[lang]["threshold"]) & np.isfinite(oof[n][held[n], 0])
                    cells[n].append(np.c_[on, oof[n][held[n], 1]])
    return {n: shown_f1(both[:, 0] > 0, both[:, 1])
            for n, both in ((n, np.vstack(parts)) for n, parts in cells.items())}


def spec_judges(judges: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The field of reader_model.json that holds the judges."""
    return {"span_judge": {"features": list(FEATURES), "target_f1": TARGET_F1, "c": C,
                           "folds": FOLDS} | judges}


def main() -> None:
    from bench_representations import CachedE5
    from train_reader import OUT, SETS, collect

    import newsqa
    from newsqa.e5file import e5_file
    from newsqa.reader import MODEL

    ap = argparse.ArgumentParser()
    ap.add_argument("dump", type=Path, help="the .npz train_reader.py --dump wrote")
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--nested", action="store_true",
                    help="only report the rule's figures nested by article; write nothing")
    args = ap.parse_args()
    with np.load(args.dump, allow_pickle=False) as z:
        oof = {n: z[f"oof.{n}"] for n in SETS}
        own = {n: z[f"own.{n}"] for n in SETS}
        sums = {n: z[f"quotes.{n}"] for n in SETS if f"quotes.{n}" in z.files}
    settings, e5 = newsqa.Settings(), e5_file()
    items = {n: collect(n, CachedE5(args.cache / n if args.cache else None), settings, e5)
             for n in SETS}
    for n in SETS:
        if len(items[n]) != len(oof[n]):
            raise SystemExit(f"{n}: {len(items[n])} first quotes now, {len(oof[n])} in the "
                             "dump: the answers changed since it was written; train again")
        if n not in sums:
            print(f"{n}: the dump predates quote checksums; only the counts were checked")
        elif (changed := int((sums[n] != quote_sums(items[n])).sum())):
            raise SystemExit(f"{n}: {changed} first quotes differ from the dump's: its "
                             "readings point into other quotes; train again")
    if args.nested:
        for n, (shown, f1) in nested(items, oof).items():
            print(f"{n}: nested by article, held out: shown {shown:.3f}, F1 {f1:.3f}")
        return
    judges = fit_judges(items, oof, own)
    path = OUT / f"{MODEL}.json"
    old = json.loads(path.read_text(encoding="utf-8"))
    spec = {k: v for k, v in old.items() if not k.startswith("min_margin")} | spec_judges(judges)
    path.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    for lang, judge in judges.items():
        print(lang, "threshold", judge["threshold"], "folds", judge["folds"])
    for n, (shown, f1) in in_sample(items, own, judges).items():
        print(f"{n}: shipped model, in-sample: shown {shown:.3f}, F1 {f1:.3f}")


if __name__ == "__main__":
    main()
