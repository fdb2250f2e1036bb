"""Conversations on the dev sets, through `newsqa eval`'s code path: each article's
questions asked in order, each after the first with the earlier turns as its history (the
question and its gold answer, as a reader who was answered would go on); and the same
articles' first questions asked right after the last turn about the article before (a
reader who moves on). Each is run with the conversation rules of `Tuning` and without
them (no rise of the last turn's article, no penalty for the sentence already given).

    python benchmarks/bench_conversations.py [--cache DIR]

``--cache`` keeps the passage vectors (JSON keys and .npy) between runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import dev_file, write_section

import newsqa
from newsqa.evaluate import evaluate
from newsqa.tuning import Tuning

SETS = {"vinewsqa-dev": "health news", "xquad-vi-dev": "XQuAD-vi"}
WITHOUT = Tuning(conversation_article_weight=0.0, answered_before_penalty=0.0)


def conversation_copy(data: dict[str, Any]) -> dict[str, Any]:
    """Each paragraph's questions in order, each after the first with the earlier turns."""
    data = json.loads(json.dumps(data))
    for doc in data["data"]:
        for para in doc["paragraphs"]:
            turns: list[dict[str, str]] = []
            for qa in para["qas"]:
                if turns:
                    qa["history"] = list(turns)
                turns.append({"question": qa["question"], "answer": qa["answers"][0]["text"]})
    return data


def moving_on_copy(data: dict[str, Any]) -> dict[str, Any]:
    """Each paragraph's first question, asked after the last turn about the paragraph
    before (every paragraph is kept, so the index is the same)."""
    data = json.loads(json.dumps(data))
    last: dict[str, str] | None = None
    for doc in data["data"]:
        for para in doc["paragraphs"]:
            qas = para["qas"]
            first = dict(qas[0]) if qas else None
            if qas:
                end = qas[-1]
                turn = {"question": end["question"], "answer": end["answers"][0]["text"]}
            para["qas"] = []
            if first is not None and last is not None:
                first["history"] = [last]
                para["qas"] = [first]
            if qas:
                last = turn
    return data


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    rows = []
    for name, label in SETS.items():
        emb = CachedE5(args.cache / name if args.cache else None)
        path = dev_file(name)
        data = json.loads(path.read_text(encoding="utf-8"))
        with tempfile.TemporaryDirectory() as tmp:
            files = {}
            for kind, make in (("conversation", conversation_copy), ("moving on", moving_on_copy)):
                files[kind] = Path(tmp) / f"{kind}.json"
                files[kind].write_text(json.dumps(make(data), ensure_ascii=False),
                                       encoding="utf-8")
            ix = Path(tmp) / "ix"  # built once; the later runs find every article embedded
            got = {}
            for rules, tuning in (("with", Tuning()), ("without", WITHOUT)):
                settings = newsqa.Settings(tuning=tuning)
                conv = evaluate(files["conversation"], index_dir=ix, settings=settings,
                                embedder=emb)
                moved = evaluate(files["moving on"], index_dir=ix, settings=settings,
                                 embedder=emb)
                got[rules] = (conv, moved)
                print(name, rules, conv.to_json(), moved.to_json(), flush=True)
        emb.save()
        (cw, mw), (co, mo) = got["with"], got["without"]
        first = cw.questions - cw.follow_ups
        first_acc = (cw.answer_accuracy * cw.questions -
                     (cw.follow_up_accuracy or 0.0) * cw.follow_ups) / max(1, first)
        rows.append(f"| {label} | {first} | {first_acc:.3f} | {cw.follow_ups} | "
                    f"{co.follow_up_accuracy or 0:.3f} → **{cw.follow_up_accuracy or 0:.3f}** | "
                    f"{mw.follow_ups} | {mo.follow_up_accuracy or 0:.3f} → "
                    f"**{mw.follow_up_accuracy or 0:.3f}** |")
    body = """
Conversations made from the dev sets (written to a temporary folder, never kept): each
article's questions asked in order, each after the first with the earlier turns as
`history` (question and gold answer); and, for "moving on", each article's first question
asked after the last turn about the article before. `answer_accuracy` (quote 1 holds a
gold answer), without → with the conversation rules of `Tuning` (the last turn's article
rises by `conversation_article_weight`, less when the question's own keywords point
elsewhere; the sentence the last answer gave scores `answered_before_penalty` less).

| set | first questions | answer_accuracy | follow-ups | answer_accuracy | moving on | answer_accuracy |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + """

Issue 13 asks ≥ 0.85 on first questions and ≥ 0.78 on follow-ups of unseen news
conversations. The questions of these sets were written one article at a time, so their
follow-ups name their subject less than a first question does ("Bệnh nhân nằm viện mấy
ngày?"): without the conversation, a 500-article index cannot tell which patient.
XQuAD-vi's "moving on" is the hard case for the rise: the next question is about the next
paragraph of the same Wikipedia article, indexed as an article of its own, so it shares
the title and most words with the last turn. A stronger rise (weight 0.5, power 2) took
news follow-ups to 0.724 but cost 0.06 there (a scratch run on 61cf304); the default
keeps moving on within 0.01.
"""
    write_section("Conversations (dev sets)", body)


if __name__ == "__main__":
    main()
