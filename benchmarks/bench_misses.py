"""Where answers go wrong on the dev sets: for every answered question whose first quote
does not hold a gold answer, where the answer was instead.

    python benchmarks/bench_misses.py [--cache DIR]

Each question is asked as `newsqa eval` asks it (normal build, normal `ask`). A miss is
put in the first of these classes that fits:

- another article: the first quote comes from an article other than the question's
  (split by whether quote 2 or 3 holds the answer);
- part quoted: the first quote overlaps a gold answer without holding all of it;
- quote 2 or 3: a later quote of the answer holds it;
- next sentence / previous sentence: the answer lies in the sentence of the article right
  after / right before the first quote;
- elsewhere in the article.

The figures tell which part of the answer path has the most to gain: choosing the article
(retrieval), ordering the sentences of the right article (the sentence ranker), or where a
quote starts and ends.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import dev_file, write_section

import newsqa
from newsqa.build import build_index
from newsqa.evaluate import Question, read_squad, score_question
from newsqa.models import Answer, Sentence

SETS = ("xquad-vi-dev", "xquad-en-vi-dev", "vinewsqa-dev")
CLASSES = ("right", "another article, cited at 2–3", "another article, not cited",
           "part quoted", "quote 2 or 3", "next sentence", "previous sentence", "elsewhere")


def miss_class(q: Question, answer: Answer, row: dict[str, float],
               sentences: list[Sentence]) -> str:
    """The class of CLASSES the answer to ``q`` falls in; ``sentences`` are those of the
    question's article, in order."""
    if row["acc"]:
        return "right"
    first = answer.citations[0]
    if first.article_id != q.article_id:
        return CLASSES[1] if row["cited3"] else CLASSES[2]
    golds = [(s, e) for _, s, e in q.answers]
    if any(s < first.end and first.start < e for s, e in golds):
        return "part quoted"
    if row["cited3"]:
        return "quote 2 or 3"
    after = next((x for x in sentences if x.start >= first.end), None)
    before = next((x for x in reversed(sentences) if x.end <= first.start), None)
    for name, sent in (("next sentence", after), ("previous sentence", before)):
        if sent is not None and any(s < sent.end and sent.start < e for s, e in golds):
            return name
    return "elsewhere"


def classify(name: str, cache: Path | None) -> tuple[Counter[str], int]:
    """Counts of each class over the answered questions of dev set ``name``."""
    corpus, questions = read_squad(dev_file(name))
    emb = CachedE5(cache / name if cache else None)
    counts: Counter[str] = Counter()
    answered = 0
    with tempfile.TemporaryDirectory() as tmp:
        build_index(index_dir=Path(tmp) / "ix", embedder=emb, settings=newsqa.Settings(),
                    corpus=corpus)
        emb.save()
        qa = newsqa.load(Path(tmp) / "ix", embedder=emb)
        by_article: dict[str, list[Sentence]] = {}
        for sent in qa.store.sentences:
            by_article.setdefault(sent.article_id, []).append(sent)
        for q in questions:
            answer, hits = qa.ask_with_hits(q.question, q.history or None, k=5, hits_k=10)
            if answer.abstained:
                continue
            answered += 1
            row = score_question(q, hits, answer)
            counts[miss_class(q, answer, row, by_article.get(q.article_id, []))] += 1
    return counts, answered


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    rows = []
    for name in SETS:
        counts, answered = classify(name, args.cache)
        cells = " | ".join(f"{counts[c] / answered:.3f}" for c in CLASSES)
        rows.append(f"| {name} | {answered} | {cells} |")
        print(rows[-1], flush=True)
    body = """
Every answered question of each dev set, by where its answer was (shares of the answered
questions; `benchmarks/bench_misses.py`, default settings, e5). "right" is answer_accuracy
over the answered questions; the other columns are the misses, each in the first class
that fits: the first quote from **another article** (and whether quote 2 or 3 holds the
answer), the first quote holding only **part** of the answer, the answer in **quote 2 or
3**, in the **next** or **previous sentence** of the article (not quoted), or
**elsewhere** in the article.

| set | answered | """ + " | ".join(CLASSES) + """ |
|---|---|""" + "---|" * len(CLASSES) + "\n" + "\n".join(rows) + "\n"
    write_section("Where answers go wrong (dev sets)", body)


if __name__ == "__main__":
    main()
