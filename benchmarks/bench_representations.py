"""Representations: build speed against quality, side by side.

For each representation (`--vectors`): build ÷ ceiling on baomoi articles (see
bench_build.py), and recall@1, recall@5, answer accuracy and cited@3 on the three dev sets
through `newsqa eval`'s code path. On ViNewsQA also the default representation with its
chunk vectors in an IVF index (as a build makes above NEWSQA_IVF_ABOVE chunks), for
recall@5 of the approximate search against the flat one.

    python benchmarks/bench_representations.py [--cache DIR]

``--cache`` keeps passage vectors on disk between runs, keyed by their text (the same
text always gets the same vector from e5), so that a second run re-embeds nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_build import measure
from common import SHARED, write_section

import newsqa
from newsqa.embedding import Embedder, Vectors, get_embedder
from newsqa.evaluate import evaluate

SETS = ("xquad-vi-dev", "xquad-en-vi-dev", "vinewsqa-dev")
REPS = ("chunks+sentences", "sentences")
FIGURES = ("recall_at_1", "recall_at_5", "answer_accuracy", "cited_at_3")


class CachedE5(Embedder):
    """e5 with its passage vectors kept in a folder (JSON keys + .npy, no pickle)."""

    id = "e5"
    dim = 384

    def __init__(self, folder: Path | None) -> None:
        self._e5 = get_embedder("e5")
        self.max_tokens = self._e5.max_tokens
        self._folder = folder
        self._known: dict[str, np.ndarray] = {}
        if folder is not None and (folder / "keys.json").exists():
            keys = json.loads((folder / "keys.json").read_text(encoding="utf-8"))
            self._known = dict(zip(keys, np.load(folder / "vecs.npy"), strict=True))

    def embed_batch(self, texts: Sequence[str], is_query: bool = False) -> Vectors:
        if is_query or self._folder is None:
            return self._e5.embed_batch(texts, is_query)
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        if missing:
            self._known.update(zip(missing, self._e5.embed_batch(missing), strict=True))
        out: Vectors = np.stack([self._known[t] for t in texts]).astype(np.float32)
        return out

    def count_tokens(self, text: str) -> int | None:
        return self._e5.count_tokens(text)

    def save(self) -> None:
        if self._folder is None:
            return
        self._folder.mkdir(parents=True, exist_ok=True)
        keys = list(self._known)
        (self._folder / "keys.json").write_text(json.dumps(keys, ensure_ascii=False),
                                                encoding="utf-8")
        np.save(self._folder / "vecs.npy", np.stack([self._known[k] for k in keys]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    _, ratios = measure(args.articles, args.rounds)
    results: dict[tuple[str, str], dict[str, float]] = {}
    for name in SETS:
        path = SHARED / "data" / f"{name}.json"
        emb = CachedE5(args.cache / name if args.cache else None)
        configs = [(rep, newsqa.Settings(vectors=rep)) for rep in REPS]
        if name == "vinewsqa-dev":
            configs.append(("chunks+sentences, IVF", newsqa.Settings(ivf_above=1_000)))
        for label, settings in configs:
            r = evaluate(path, embedder=emb, settings=settings).model_dump()
            results[(name, label)] = r
            print(name, label, {k: r[k] for k in FIGURES}, flush=True)
            emb.save()
    base = {name: results[(name, "chunks+sentences")] for name in SETS}
    lines = []
    for (name, label), r in results.items():
        cells = []
        for key in FIGURES:
            delta = r[key] - base[name][key]
            cells.append(f"{r[key]:.3f}" + (f" ({delta:+.3f})" if label != REPS[0] else ""))
        ratio = ratios.get(label.split(",")[0], 0.0)
        lines.append(f"| {name} | `{label}` | {ratio:.2f} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    body = f"""
Build ÷ ceiling ({args.articles} baomoi articles, best of {args.rounds} runs, as in "Build
throughput") beside quality on the three dev sets, for each `--vectors` representation.
Figures in brackets: the change against `chunks+sentences`.

| set | `--vectors` | build ÷ ceiling | recall@1 | recall@5 | answer_accuracy | cited@3 |
|---|---|---|---|---|---|---|
{table}

`sentences` (each sentence once, plus the title once; a sentence's vector is its own
plus {newsqa.Settings().title_weight} of its title's, a chunk's the mean of its sentences'
plus as much title) runs at the embedder's own speed. It keeps recall on every set and
answer accuracy on Vietnamese questions within about 0.01, but English questions over
Vietnamese text lose about 0.02 of answer accuracy: they need the chunk vectors, which a
true embedding of the whole passage gives and a mean of sentences does not. Tried on the
dev sets and not kept: more or less title (0, 0.5, 0.8), each sentence's neighbours mixed
into its vector, the title written before each sentence again (without chunk vectors:
English answer accuracy still 0.014 under), heavier keyword or chunk weights for English
questions. So `chunks+sentences`, which loses nothing, stays the default, and
`newsqa build --vectors sentences` (or `NEWSQA_VECTORS=sentences`) is the fast option, for
archives where build time matters more than English questions.

The IVF row is the default representation with its chunk vectors in an IVF index (lists
≈ 4·√n, n/8 of them searched), as builds above `NEWSQA_IVF_ABOVE` chunks make: recall@5
against the flat index's, on real vectors.
"""
    write_section("Representations: build speed against quality", body)


if __name__ == "__main__":
    main()
