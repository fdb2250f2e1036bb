"""Build throughput on baomoi articles: articles/s, tokens/s, time inside the embedder
against everything else, peak RSS, and the embedder's raw throughput as the ceiling.

    python benchmarks/bench_build.py [--articles 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import baomoi, peak_rss_mb, write_section

import newsqa
from newsqa.build import split_article, texts_to_embed
from newsqa.chunking import count_tokens
from newsqa.embedding import Embedder, get_embedder
from newsqa.ingest import load_corpus
from newsqa.models import Article


def embedded_texts(arts: list[Article], settings: newsqa.Settings, emb: Embedder) -> list[str]:
    """The chunk and sentence texts a build embeds for ``arts``, made by the build's code."""
    texts: list[str] = []
    for a in arts:
        chunk_texts, sent_texts = texts_to_embed(a, *split_article(a, settings, emb))
        texts += chunk_texts + sent_texts
    return texts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--ceiling-sample", type=int, default=100,
                    help="articles whose texts are embedded raw for the ceiling")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        with (corpus / "baomoi.jsonl").open("w", encoding="utf-8") as fh:
            for rec in baomoi(args.articles):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        arts = load_corpus(corpus).articles
        tokens = sum(count_tokens(a.text) for a in arts)
        settings = newsqa.Settings()
        emb = get_embedder("e5")
        emb.embed_query("warm-up")

        t0 = time.perf_counter()
        report = newsqa.build_index(corpus, Path(tmp) / "ix", emb, settings=settings)
        total = time.perf_counter() - t0
        rss = peak_rss_mb()

        # Ceiling: the same kind of texts (chunks and sentences of the first articles),
        # embedded directly with no pipeline around them.
        texts = embedded_texts(arts[: args.ceiling_sample], settings, emb)
        t1 = time.perf_counter()
        for i in range(0, len(texts), settings.batch_size):
            emb.embed_batch(texts[i:i + settings.batch_size])
        raw = time.perf_counter() - t1
        raw_tokens = sum(count_tokens(t) for t in texts)

    n_embedded = report.embedded_chunks + report.sentences
    # The build embeds exactly these texts; their tokens make its rate comparable to the
    # ceiling's (texts differ in length between the sample and the whole set).
    build_tokens = sum(count_tokens(t) for t in embedded_texts(arts, settings, emb))
    other = total - report.embed_seconds
    body = f"""
Build of {report.articles:,} baomoi-2017 articles ({tokens:,} cl100k tokens of body text) with
the default e5 embedder, from an empty index. Each article is embedded as chunks
({report.chunks:,}) and as sentences ({report.sentences:,}); sentence vectors are what lets
`ask` pick quotes without embedding corpus text at query time.

| figure | value |
|---|---|
| build wall time | {total:.1f} s |
| articles/s | {report.articles / total:.2f} |
| body tokens/s | {tokens / total:,.0f} |
| texts embedded (chunks + sentences) | {n_embedded:,} ({build_tokens:,} tokens with titles) |
| time inside the embedder | {report.embed_seconds:.1f} s ({report.embed_seconds / total:.1%}) |
| everything else (read, split, chunk, BM25, write) | {other:.1f} s ({other / total:.1%}) |
| peak RSS | {rss:,.0f} MB |
| embedder raw throughput (ceiling), same kind of texts | {raw_tokens / raw:,.0f} tokens/s |
| build throughput on the texts it embeds | {build_tokens / total:,.0f} tokens/s ({n_embedded / total:.1f} texts/s) |
| build ÷ ceiling, tokens/s side by side | {(build_tokens / total) / (raw_tokens / raw):.2f} |

Target: everything else ≤ 10 % of build time — {"met" if other / total <= 0.10 else "not met"}.
The ceiling was measured on the chunks and sentences of the first {min(args.ceiling_sample, len(arts))} of these
articles ({len(texts):,} texts), embedded in batches of {settings.batch_size} right after
the build, in the same process.
"""
    write_section("Build throughput", body)


if __name__ == "__main__":
    main()
