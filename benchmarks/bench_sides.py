"""Questions about one side of a story, over real news: baomoi-2017 articles in which two
or more sentences open with a side ("Về phía Quân khu 4 có…", "Phía tỉnh Nghệ An có…")
naming different parties, indexed with other baomoi articles drawn at random. Each side's
party is asked about with three fixed templates ("Về phía {party} thì sao?", "Ai đại diện
phía {party}?", "What about the {party} side?"); the side's own sentence is the answer.
Each question is asked without the side rule (`Tuning.other_side_penalty` 0) and with it
(the default), on the same index.

    python benchmarks/bench_sides.py [--cache DIR] [--articles 200]

The party is taken from the sentence itself (its capitalised run, or its first two
words and the capitalised run after them), so the questions name each side as the article
does: the figures say what the rule does when the question uses the article's words, not
how users name parties.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import baomoi, write_section

import newsqa
from newsqa.build import build_index
from newsqa.ingest import Corpus, make_article
from newsqa.sides import named_sides, side_runs
from newsqa.text import fold_word, is_stopword, normalize, split_sentences
from newsqa.tuning import Tuning

TEMPLATES = {"Vietnamese, “Về phía {} thì sao?”": "Về phía {} thì sao?",
             "Vietnamese, “Ai đại diện phía {}?”": "Ai đại diện phía {}?",
             "English, “What about the {} side?”": "What about the {} side?"}
SEED = 2026
OPENS_WITHIN = 12  # characters: "Về phía", "Còn phía", "Phía" open the sentence


def _party(after: list[str]) -> list[str]:
    """How the sentence names its side: a capitalised run ("Quân khu 4" → "Quân khu"), or
    two words and the capitalised run after them ("tỉnh Nghệ An")."""
    if after[0][:1].isupper():
        run = []
        for w in after[:4]:
            if not w[:1].isupper():
                break
            run.append(w)
        return run
    party = after[:2]
    for w in after[2:4]:
        if not w[:1].isupper():
            break
        party.append(w)
    return party


def sides_of(text: str) -> list[tuple[str, str]]:
    """(sentence, party) for each sentence of ``text`` that opens with a side whose party
    no other such sentence names within its own side."""
    found = []
    for s, e in split_sentences(text):
        sentence = text[s:e]
        runs = side_runs(sentence)
        if not runs or runs[0][0] > OPENS_WITHIN or not named_sides(sentence[runs[0][0]:]):
            continue
        after = runs[0][1]
        party = _party(after)
        if not party or any(is_stopword(fold_word(w)) for w in party) or \
                (len(party) == 1 and party[0].islower()):
            continue
        found.append((sentence, party, {fold_word(w) for w in after}))
    out: list[tuple[str, str]] = []
    for i, (sentence, party, _) in enumerate(found):
        folded = {fold_word(w) for w in party}
        if any(folded <= other for j, (_, _, other) in enumerate(found) if j != i):
            continue
        if any(fold_word(p.split()[0]) == fold_word(party[0]) for _, p in out):
            continue
        out.append((sentence, " ".join(party)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--articles", type=int, default=200, help="articles in the index")
    args = ap.parse_args()
    rows = list(baomoi())
    with_sides = [(r, s) for r in rows if len(s := sides_of(normalize(r["text"]))) >= 2]
    ids = {r["id"] for r, _ in with_sides}
    rng = random.Random(SEED)
    others = rng.sample([r for r in rows if r["id"] not in ids],
                        max(0, args.articles - len(with_sides)))
    corpus = Corpus([make_article(r["id"], r["title"], r["text"], source="baomoi")
                     for r in [r for r, _ in with_sides] + others])
    emb = CachedE5(args.cache)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        build_index(index_dir=Path(tmp) / "ix", embedder=emb, settings=newsqa.Settings(),
                    corpus=corpus)
        emb.save()
        store = newsqa.load(Path(tmp) / "ix", embedder=emb).store
        modes = {"without": newsqa.NewsQA(store, emb, newsqa.Settings(
                     tuning=Tuning(other_side_penalty=0.0))),
                 "with": newsqa.NewsQA(store, emb, newsqa.Settings())}
        for label, template in TEMPLATES.items():
            got: dict[str, list[tuple[bool, bool, bool, bool]]] = {m: [] for m in modes}
            for r, sides in with_sides:
                for sentence, party in sides:
                    for mode, qa in modes.items():
                        ans = qa.ask(template.format(party))
                        cits = ans.citations
                        gold = normalize(sentence)[:60]
                        got[mode].append((ans.abstained,
                                          bool(cits) and cits[0].article_id == r["id"],
                                          bool(cits) and gold in cits[0].quote,
                                          any(gold in c.quote for c in cits[:3])))
            results.append((label, got))
            print(label, {m: [sum(x) for x in zip(*v, strict=True)] for m, v in got.items()},
                  flush=True)
    n_q = sum(len(s) for _, s in with_sides)
    lines = []
    for label, got in results:
        before, after = got["without"], got["with"]
        moved = [(a[2], b[2]) for a, b in zip(before, after, strict=True) if a[2] != b[2]]

        def cell(i: int, rows_: list[tuple[bool, bool, bool, bool]]) -> float:
            return sum(r[i] for r in rows_) / len(rows_)

        given = [f"{sum(r[2] for r in x if r[1])}/{sum(r[1] for r in x)}" for x in (before, after)]
        lines.append(
            f"| {label} | {len(before)} | {cell(1, before):.3f} → **{cell(1, after):.3f}** | "
            f"{cell(2, before):.3f} → **{cell(2, after):.3f}** | {given[0]} → **{given[1]}** | "
            f"{cell(3, before):.3f} → **{cell(3, after):.3f}** | "
            f"{cell(0, before):.3f} → **{cell(0, after):.3f}** | "
            f"{sum(b for _, b in moved)} / {sum(a for a, _ in moved)} |")
    body = f"""
baomoi-2017 articles in which two or more sentences open with a side naming different
parties ("Về phía Quân khu 4 có…", "Về phía tỉnh Nghệ An có…"): {len(with_sides)} of
{len(rows):,} articles, {n_q} sides. They are indexed with {len(others)} other baomoi articles
(seed {SEED}), and each side's party is asked about with three fixed templates, its own
sentence being the answer (`benchmarks/bench_sides.py`). Each cell is without the side rule
(`NEWSQA_TUNING__OTHER_SIDE_PENALTY=0`) → with it (the default, `sides.py`). "right
article": quote 1 comes from the side's article; "given the article": of those, how many
quote 1 is the side's sentence. The last column counts the questions whose quote 1 the rule
turned to the side's sentence / away from it.

| questions | asked | right article | quote 1 is the side's sentence | given the article | cited@3 | abstained | turned to / away |
|---|---|---|---|---|---|---|---|
""" + "\n".join(lines) + """
"""
    write_section("Questions about one side (baomoi)", body)


if __name__ == "__main__":
    main()
