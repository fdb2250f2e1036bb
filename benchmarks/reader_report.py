"""The docs section `train_reader.py` writes: the readings' curve by margin (folds by article,
then by kind) and the span judge it fitted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from common import write_section
from reader_margins import MIN_SHOWN, TARGET_F1, shown_f1

TAUS = [round(t, 2) for t in np.arange(-2.0, 10.01, 0.5)]


@dataclass(frozen=True)
class Run:
    """What the section says of the training run."""

    examples: int
    epochs: int
    seed: int
    rank: int
    folds: int


def curve(readings: np.ndarray) -> list[str]:
    """span_shown / span_f1_shown of ``readings`` (margin, F1, …) at each margin of TAUS."""
    return ["{:.3f} / {:.3f}".format(*shown_f1(readings[:, 0] >= tau, readings[:, 1]))
            for tau in TAUS]


def write_report(run: Run, oof: dict[str, np.ndarray], by_kind: dict[str, np.ndarray],
                 judges: dict[str, dict[str, Any]],
                 in_sample: dict[str, tuple[float, float]]) -> None:
    """Write docs/BENCHMARKS.md's "Short answers: the reader" (and print its curve);
    ``in_sample``: the shipped model's span_shown / span_f1_shown per set."""
    own_cells = [f"{n} {shown:.3f} / {f1:.3f}" for n, (shown, f1) in in_sample.items()]
    sets = list(oof)
    table = {n: curve(oof[n]) for n in sets}
    kind = {n: curve(by_kind[n]) for n in sets}
    rows = [f"| {tau} | " + " | ".join(table[n][i] for n in sets) + " | " +
            " | ".join(kind[n][i] for n in sets) + " |" for i, tau in enumerate(TAUS)]
    print(*rows, sep="\n", flush=True)
    rule = "\n".join(
        f"| {lang} | {j['threshold']} | " + ", ".join(
            f"{n} {c['shown']:.3f} / {c['f1']:.3f}" for n, c in j["folds"].items()) + " |"
        for lang, j in judges.items())
    nl = "\n"
    write_section("Short answers: the reader", f"""
`benchmarks/train_reader.py`: multilingual-e5-small fine-tuned for extractive QA on the
first quotes `ask` gives ({run.examples} answered dev questions; {run.epochs} epochs, seed
{run.seed}), each matrix's change cut to rank {run.rank} and stored as int8. Cells are
span_shown / span_f1_shown at each margin, read by newsqa's own numpy reader: {run.folds}
folds by article (XQuAD-vi and its English questions share folds), then by kind (trained on
the other kind of set only).

**When a span is shown, set by the script** (`reader_margins.py`, `newsqa.spanjudge`). Per
language, a logistic judge over the folds' readings (the margin, how the span sits against
candidates of the asked type, the span's and the quote's length, …; soft labels: the span's
F1). Its threshold is the lowest probability from which span_f1_shown stays at
{TARGET_F1:.2f} or more on every set of the language, on scores cross-fitted by article (a
set showing fewer than {MIN_SHOWN} does not count). The shipped model's own margins are
mapped to the folds' scale by quantile; its in-sample span_shown / span_f1_shown
({", ".join(own_cells)}) is flattering, being read on its own training questions.

| language | judge's threshold | cross-fitted span_shown / span_f1_shown |
|---|---|---|
{rule}

| margin | {" | ".join(f"{n}, by article" for n in sets)} | {" | ".join(f"{n}, by kind" for n in sets)} |
|---|{"---|" * (2 * len(sets))}
{nl.join(rows)}
""")
