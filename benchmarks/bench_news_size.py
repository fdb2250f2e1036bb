"""Recall and answer accuracy on UIT-ViNewsQA dev as the index grows: the 500 articles
split into groups of 50, 100 and 250 (in file order), each group indexed and asked its
own questions, through `newsqa eval`'s code path. Most of its questions were written
with one article in view ("Bệnh nhân nằm viện mấy ngày?"), so the more health-news
articles an index holds, the more of them a question fits.

    python benchmarks/bench_news_size.py [--cache DIR]

``--cache`` keeps the passage vectors (JSON keys and .npy) between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import dev_file, write_section

from newsqa.evaluate import evaluate

FIGURES = ("recall@1", "recall@5", "answer_accuracy", "cited@3")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    path = dev_file("vinewsqa-dev")
    data = json.loads(path.read_text(encoding="utf-8"))
    docs = data["data"]
    emb = CachedE5(args.cache / "vinewsqa-dev" if args.cache else None)
    rows = []
    for size in (50, 100, 250, 500):
        reports = []
        for start in range(0, len(docs), size):
            with tempfile.TemporaryDirectory() as tmp:
                part = Path(tmp) / "part.json"
                part.write_text(json.dumps({"data": docs[start:start + size]},
                                           ensure_ascii=False), encoding="utf-8")
                reports.append(evaluate(part, embedder=emb).to_json())
        n = np.array([r["questions"] for r in reports])
        cells = " | ".join(f"{np.dot(n, [r[k] for r in reports]) / n.sum():.3f}"
                           for k in FIGURES)
        rows.append(f"| {size} | {len(reports)} | {n.sum()} | {cells} |")
        print(rows[-1], flush=True)
    emb.save()
    body = """
UIT-ViNewsQA dev (500 health-news articles, 2,497 questions asked without history),
split in file order into groups of 50, 100, 250 and 500 articles; each group is indexed
on its own and asked its own questions (figures weighted by questions). Most questions
were written with one article in view ("Bệnh nhân nằm viện mấy ngày?", "Kết quả cho thấy
gì?"), so the more health-news articles an index holds, the more of them a question fits.

| articles per index | indexes | questions | recall@1 | recall@5 | answer_accuracy | cited@3 |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + """

Issue 13's news figures (recall@1 0.853, answer_accuracy 0.700, cited@3 0.834 on unseen
news) do not say how many articles their index held; these rows show how much that
matters. In a conversation the last turn's article keeps follow-ups on their article
(section "Conversations (dev sets)").
"""
    write_section("News questions and index size", body)


if __name__ == "__main__":
    main()
