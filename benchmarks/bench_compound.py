"""Questions that ask two things at once, over the dev sets: two questions that `ask`
answers right one at a time (quote 1 holds a gold answer), joined into one ("…, và …?",
"… và …?", "…? …?"; in English ", and", " and", "? "), from two articles or from one.
Each joined question is asked whole (`Tuning.split_questions` off: one vector, one
ranking) and in parts (on: each part answered alone, every part's best quote cited),
interleaved, on the same index.

    python benchmarks/bench_compound.py [--cache DIR] [--pairs 200]

The dev questions themselves are also counted: how many the splitter would split (none
should be; each asks one thing).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import dev_file, write_section

import newsqa
from newsqa.build import build_index
from newsqa.compound import question_parts
from newsqa.evaluate import Question, holds_answer, read_squad
from newsqa.text import is_vietnamese
from newsqa.tuning import Tuning

SETS = {"xquad-vi-dev": "XQuAD-vi", "xquad-en-vi-dev": "XQuAD, English questions",
        "vinewsqa-dev": "health news"}
JOINS = {True: (", và ", " và ", "? "), False: (", and ", " and ", "? ")}
SEED = 13


def holds(citations: list[newsqa.Citation], q: Question) -> bool:
    """Whether one of ``citations`` quotes question ``q``'s article with a gold answer."""
    return any(c.article_id == q.article_id and holds_answer(c.quote, g)
               for c in citations for g, _, _ in q.answers)


def right_alone(qa: newsqa.NewsQA, q: Question) -> bool:
    """Whether ``q`` asked alone is answered with a first quote that holds its answer."""
    answer = qa.ask(q.question)
    return not answer.abstained and holds(answer.citations[:1], q)


def joined(a: Question, b: Question, how: str) -> str:
    """``a`` and ``b`` as one question; ``b``'s first letter lowered unless it opens a
    name ("NFL", "Panthers" keep theirs) or follows a question mark."""
    first, second = a.question.strip().rstrip("?").rstrip(), b.question.strip()
    head = second.split()[0]
    if how != "? " and head[1:] == head[1:].lower() and not head[:1].isdigit():
        second = second[0].lower() + second[1:]
    return f"{first}{how}{second}"


def pairs(right: list[Question], n: int, same_article: bool) -> list[tuple[Question, Question]]:
    """``n`` pairs of ``right`` (seeded): from one article (different answers), or from two
    articles of different topics (XQuAD's paragraphs of one title share a topic)."""
    rng = random.Random(SEED)
    topic = {q.id: q.article_id.rsplit("/", 1)[0] for q in right}
    by_article: dict[str, list[Question]] = {}
    for q in right:
        by_article.setdefault(q.article_id, []).append(q)
    out: list[tuple[Question, Question]] = []
    for _ in range(100 * n):
        if len(out) == n:
            break
        a = rng.choice(right)
        if same_article:
            b = rng.choice(by_article[a.article_id])
            ga, gb = a.answers[0][0].casefold(), b.answers[0][0].casefold()
            if b.id == a.id or ga in gb or gb in ga:
                continue
        else:
            b = rng.choice(right)
            if topic[a.id] == topic[b.id]:
                continue
        out.append((a, b))
    return out


def measure(qas: dict[str, newsqa.NewsQA], pair_list: list[tuple[Question, Question]],
            vietnamese: bool) -> dict[str, dict[str, float]]:
    """Per way of asking: quote 1 holds a part, both parts cited in the first three, both
    in the answer text, abstained, p50 ms; and the share the splitter splits."""
    rows: dict[str, list[tuple[float, ...]]] = {m: [] for m in qas}
    split = 0
    for i, (a, b) in enumerate(pair_list):
        text = joined(a, b, JOINS[vietnamese][i % 3])
        split += bool(question_parts(text, is_vietnamese(text)))
        order = list(qas) if i % 2 == 0 else list(reversed(qas))
        for mode in order:
            t0 = time.perf_counter()
            ans = qas[mode].ask(text)
            ms = (time.perf_counter() - t0) * 1000
            cits = [] if ans.abstained else ans.citations
            shown = [c for c in cits if f"[{c.n}]" in ans.text]
            rows[mode].append((float(holds(cits[:1], a) or holds(cits[:1], b)),
                               float(holds(cits[:3], a) and holds(cits[:3], b)),
                               float(holds(shown, a) and holds(shown, b)),
                               float(ans.abstained), ms))
    out = {}
    for mode, r in rows.items():
        m = np.array(r)
        out[mode] = {"quote 1 holds a part": m[:, 0].mean(), "both cited@3": m[:, 1].mean(),
                     "both in the answer text": m[:, 2].mean(), "abstained": m[:, 3].mean(),
                     "p50 ms": float(np.median(m[:, 4])), "split": split / len(pair_list)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--pairs", type=int, default=200)
    args = ap.parse_args()
    rows, splits = [], []
    for name, label in SETS.items():
        corpus, questions = read_squad(dev_file(name))
        split = sum(bool(question_parts(q.question, is_vietnamese(q.question)))
                    for q in questions)
        splits.append(f"{label} {split} of {len(questions)}")
        emb = CachedE5(args.cache / name if args.cache else None)
        with tempfile.TemporaryDirectory() as tmp:
            build_index(index_dir=Path(tmp) / "ix", embedder=emb, settings=newsqa.Settings(),
                        corpus=corpus)
            emb.save()
            store = newsqa.load(Path(tmp) / "ix", embedder=emb).store
            quick = newsqa.NewsQA(store, emb, newsqa.Settings(tuning=Tuning(short_answers=False)))
            right = [q for q in questions if right_alone(quick, q)]
            qas = {"asked whole": newsqa.NewsQA(store, emb, newsqa.Settings(
                       tuning=Tuning(split_questions=False))),
                   "in parts": newsqa.NewsQA(store, emb, newsqa.Settings())}
            vietnamese = name != "xquad-en-vi-dev"
            for kind, same in (("two articles", False), ("one article", True)):
                got = measure(qas, pairs(right, args.pairs, same), vietnamese)
                whole, parts = got["asked whole"], got["in parts"]
                print(name, kind, got, flush=True)
                cells = " | ".join(f"{whole[k]:.3f} → **{parts[k]:.3f}**" for k in (
                    "quote 1 holds a part", "both cited@3", "both in the answer text",
                    "abstained"))
                rows.append(f"| {label} | {kind} | {args.pairs} | {parts['split']:.3f} | "
                            f"{cells} | {parts['p50 ms'] / whole['p50 ms']:.2f} |")
    body = f"""
Two dev questions that `ask` answers right one at a time (quote 1 holds a gold answer),
joined into one question (`benchmarks/bench_compound.py`, seed {SEED}; the joins rotate
through ", và " / " và " / "? ", in English ", and " / " and " / "? "), from two articles
(of different XQuAD titles) or from one article (with different gold answers). Each is
asked whole (`NEWSQA_TUNING__SPLIT_QUESTIONS=false`) → in parts (the default: a question
whose parts each have their own asking word and three content syllables, two English
words, is answered part by part, and every part's best quote is cited and quoted;
`parts.py`). "split": share of the joined questions the splitter split. "both in the
answer text": each part's gold answer is in a quote the answer text gives, not only in
a citation. The last column is p50 of `ask` in parts over asked whole, interleaved.

| set | pairs of | joined questions | split | quote 1 holds a part | both cited@3 | both in the answer text | abstained | p50 in parts / whole |
|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + f"""

The dev questions themselves, each of which asks one thing, split: {", ".join(splits)}.
"""
    write_section("Questions that ask two things (dev sets)", body)


if __name__ == "__main__":
    main()
