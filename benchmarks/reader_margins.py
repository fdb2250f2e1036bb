"""The margins a short answer needs, set from the reader's readings of the dev first quotes
(`train_reader.py` calls this; run alone it resets the margins of the shipped model from a
dump that script wrote, without training again):

    python benchmarks/reader_margins.py DUMP.npz [--cache DIR]

Two margins per language: one for a span that is exactly a candidate of the asked type
(`valid_candidates`: a person for "Ai…?", a number for "Bao nhiêu…?", a date for "Khi
nào…?"), one for every other span. Each is the folds' lowest margin from which
span_f1_shown stays at TARGET_F1 on every set of the language, among those spans; the
shipped model's margin is the one at which it shows the same share of them (its margins
run on another scale).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from newsqa.spans import is_typed_span, question_type

LANGUAGES = {"vi": ("xquad-vi-dev", "vinewsqa-dev"), "en": ("xquad-en-vi-dev",)}
TARGET_F1, MIN_SHOWN = 0.70, 20
TAUS = [round(t, 2) for t in np.arange(-2.0, 12.01, 0.25)]


class Read(Protocol):
    """What a margin needs of an item: its question and the quote read."""

    question: str
    quote: str


def typed_spans(items: Sequence[Read], readings: np.ndarray) -> np.ndarray:
    """Per item and its reading (margin, F1, start, end), whether the span is exactly a
    candidate of the type its question asks for (as ``shortanswer`` asks at run time)."""
    return np.array([is_typed_span(it.quote, int(s), int(e), it.question,
                                   question_type(it.question))
                     for it, (_, _, s, e) in zip(items, readings, strict=True)], dtype=bool)


def lowest_margin(decs: list[np.ndarray]) -> float:
    """The lowest margin from which span_f1_shown stays >= TARGET_F1 on every set in
    ``decs`` (a set showing fewer than MIN_SHOWN questions at a margin does not count)."""
    ok = [all(d[d[:, 0] >= tau, 1].mean() >= TARGET_F1 for d in decs
              if (d[:, 0] >= tau).sum() >= MIN_SHOWN) for tau in TAUS]
    for i in range(len(TAUS)):
        if all(ok[i:]):
            return TAUS[i]
    return TAUS[-1]


def min_margins(oof: dict[str, np.ndarray], own: dict[str, np.ndarray],
                typed_oof: dict[str, np.ndarray], typed_own: dict[str, np.ndarray]
                ) -> dict[str, dict[str, dict[str, float]]]:
    """Per kind of span ("typed", "other") and language: the folds' lowest margin, the
    share of those spans they show there, and the margin at which the model trained on
    every set (``own``, its in-sample readings) shows that share."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for kind, want in (("typed", True), ("other", False)):
        out[kind] = {}
        for lang, names in LANGUAGES.items():
            tau = lowest_margin([oof[n][typed_oof[n] == want] for n in names])
            folds = np.concatenate([oof[n][typed_oof[n] == want, 0] for n in names])
            share = float(np.mean(folds >= tau)) if len(folds) else 0.0
            mine = np.concatenate([own[n][typed_own[n] == want, 0] for n in names])
            model = float(np.quantile(mine, 1.0 - share)) if share and len(mine) else 1e9
            out[kind][lang] = {"folds": tau, "share": round(share, 4), "model": round(model, 3)}
    return out


def in_sample(own: dict[str, np.ndarray], typed_own: dict[str, np.ndarray],
              margins: dict[str, dict[str, dict[str, float]]]) -> dict[str, tuple[float, float]]:
    """Per set: span_shown and span_f1_shown of the shipped model on its own training
    questions, at its two margins (flattering: it was trained on them)."""
    out = {}
    for lang, names in LANGUAGES.items():
        for n in names:
            need = np.where(typed_own[n], margins["typed"][lang]["model"],
                            margins["other"][lang]["model"])
            on = own[n][:, 0] >= need
            out[n] = (float(on.mean()), float(own[n][on, 1].mean()) if on.any() else 0.0)
    return out


def spec_margins(margins: dict[str, dict[str, dict[str, float]]]) -> dict[str, Any]:
    """The fields of reader_model.json that hold the margins."""
    return {"min_margin": {lang: m["model"] for lang, m in margins["other"].items()},
            "min_margin_typed": {lang: m["model"] for lang, m in margins["typed"].items()},
            "min_margin_folds": margins}


def main() -> None:
    from bench_representations import CachedE5
    from train_reader import OUT, SETS, collect

    import newsqa
    from newsqa.e5file import e5_file
    from newsqa.reader import MODEL

    ap = argparse.ArgumentParser()
    ap.add_argument("dump", type=Path, help="the .npz train_reader.py --dump wrote")
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    with np.load(args.dump, allow_pickle=False) as z:
        oof = {n: z[f"oof.{n}"] for n in SETS}
        own = {n: z[f"own.{n}"] for n in SETS}
    settings, e5 = newsqa.Settings(), e5_file()
    items = {n: collect(n, CachedE5(args.cache / n if args.cache else None), settings, e5)
             for n in SETS}
    for n in SETS:
        if len(items[n]) != len(oof[n]):
            raise SystemExit(f"{n}: {len(items[n])} first quotes now, {len(oof[n])} in the "
                             "dump: the answers changed since it was written; train again")
    typed_oof = {n: typed_spans(items[n], oof[n]) for n in SETS}
    typed_own = {n: typed_spans(items[n], own[n]) for n in SETS}
    margins = min_margins(oof, own, typed_oof, typed_own)
    path = OUT / f"{MODEL}.json"
    spec = json.loads(path.read_text(encoding="utf-8")) | spec_margins(margins)
    path.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(margins, indent=1))
    for n, (shown, f1) in in_sample(own, typed_own, margins).items():
        print(f"{n}: shipped model, in-sample: shown {shown:.3f}, F1 {f1:.3f}")


if __name__ == "__main__":
    main()
