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
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from newsqa.spans import question_type, valid_candidates

LANGUAGES = {"vi": ("xquad-vi-dev", "vinewsqa-dev"), "en": ("xquad-en-vi-dev",)}
TARGET_F1, MIN_SHOWN = 0.70, 20
TAUS = [round(t, 2) for t in np.arange(-2.0, 12.01, 0.25)]


def typed_spans(questions: list[str], quotes: list[str], readings: np.ndarray) -> np.ndarray:
    """Per reading (margin, F1, start, end), whether its span is exactly a candidate of the
    type its question asks for."""
    out = []
    for question, quote, (_, _, s, e) in zip(questions, quotes, readings, strict=True):
        kind = question_type(question)
        start, end = int(s), int(e)
        out.append(end > start and kind != "other" and
                   (start, end) in valid_candidates(quote, question, kind))
    return np.array(out, dtype=bool)


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


def spec_margins(margins: dict[str, dict[str, dict[str, float]]]) -> dict[str, Any]:
    """The fields of reader_model.json that hold the margins."""
    return {"min_margin": {lang: m["model"] for lang, m in margins["other"].items()},
            "min_margin_typed": {lang: m["model"] for lang, m in margins["typed"].items()},
            "min_margin_folds": margins}


def main() -> None:
    from bench_representations import CachedE5
    from train_reader import MODEL, OUT, SETS, collect

    import newsqa
    from newsqa.e5file import e5_file

    ap = argparse.ArgumentParser()
    ap.add_argument("dump", type=Path, help="the .npz train_reader.py --dump wrote")
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    with np.load(args.dump, allow_pickle=False) as z:
        oof = {n: z[f"oof.{n}"] for n in SETS}
        own = {n: z[f"own.{n}"] for n in SETS}
    settings, e5 = newsqa.Settings(), e5_file()
    typed_oof, typed_own = {}, {}
    for n in SETS:
        items = collect(n, CachedE5(args.cache / n if args.cache else None), settings, e5)
        if len(items) != len(oof[n]):
            raise SystemExit(f"{n}: {len(items)} first quotes now, {len(oof[n])} in the dump: "
                             "the answers changed since it was written; train again")
        questions, quotes = [it.question for it in items], [it.quote for it in items]
        typed_oof[n] = typed_spans(questions, quotes, oof[n])
        typed_own[n] = typed_spans(questions, quotes, own[n])
    margins = min_margins(oof, own, typed_oof, typed_own)
    path = OUT / f"{MODEL}.json"
    spec = json.loads(path.read_text(encoding="utf-8")) | spec_margins(margins)
    path.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(margins, indent=1))
    for n in SETS:
        lang = next(lang for lang, names in LANGUAGES.items() if n in names)
        need = np.where(typed_own[n], spec["min_margin_typed"][lang], spec["min_margin"][lang])
        on = own[n][:, 0] >= need
        print(f"{n}: shipped model, in-sample: shown {on.mean():.3f}, "
              f"F1 {own[n][on, 1].mean() if on.any() else 0.0:.3f}")


if __name__ == "__main__":
    main()
