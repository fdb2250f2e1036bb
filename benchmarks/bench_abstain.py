"""Questions the corpus cannot answer: the dev sets' questions asked of an index of another
set's articles (Wikipedia paragraphs against health news, and back), where every answer
would be wrong; and the same questions asked of their own articles, where every one has
an answer. Each with the abstention margins of `Tuning` and without them (all 0, the
support baselines alone), through the normal `ask` path.

    python benchmarks/bench_abstain.py [--cache DIR]

``--cache`` keeps the passage vectors (JSON keys and .npy) between runs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_quality import unmarked_copy
from bench_representations import CachedE5
from common import dev_file, write_section

import newsqa
from newsqa.build import build_index
from newsqa.evaluate import Question, read_squad, score_question
from newsqa.tuning import Tuning

WITHOUT = newsqa.Settings(tuning=Tuning(abstain_vi=0.0, abstain_vi_restored=0.0,
                                        abstain_en=0.0))
SHIPPED = newsqa.Settings()
# (row, questions' file, typed without marks)
ROWS = (("XQuAD-vi", "xquad-vi-dev", False), ("XQuAD-vi typed without marks", "xquad-vi-dev", True),
        ("XQuAD en-vi", "xquad-en-vi-dev", False), ("health news", "vinewsqa-dev", False))
OTHER = {"xquad-vi-dev": "vinewsqa-dev", "xquad-en-vi-dev": "vinewsqa-dev",
         "vinewsqa-dev": "xquad-vi-dev"}


def rates(index: Path, questions: list[Question], settings: newsqa.Settings,
          emb: CachedE5) -> tuple[float, float]:
    """Abstain rate and answer_accuracy (as `newsqa eval` counts it) of ``questions``
    asked of ``index``."""
    qa = newsqa.load(index, embedder=emb, settings=settings)
    answers = [qa.ask(q.question) for q in questions]
    n = max(1, len(questions))
    return (sum(a.abstained for a in answers) / n,
            sum(score_question(q, [], a)["acc"] for a, q in zip(answers, questions, strict=True))
            / n)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    args = ap.parse_args()
    for name in OTHER:
        dev_file(name)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        indexes: dict[str, tuple[Path, CachedE5]] = {}
        for name in ("xquad-vi-dev", "vinewsqa-dev"):
            emb = CachedE5(args.cache / name if args.cache else None)
            corpus, _ = read_squad(dev_file(name))
            build_index(index_dir=Path(tmp) / name, embedder=emb, settings=SHIPPED,
                        corpus=corpus)
            emb.save()
            indexes[name] = (Path(tmp) / name, emb)
        for row, file, unmarked in ROWS:
            path = dev_file(file)
            if unmarked:
                path = unmarked_copy(path, Path(tmp) / "unmarked.json")
            _, questions = read_squad(path)
            own = indexes["vinewsqa-dev" if file == "vinewsqa-dev" else "xquad-vi-dev"]
            other = indexes[OTHER[file]]
            cells = []
            for index, emb in (own, other):
                before, acc_before = rates(index, questions, WITHOUT, emb)
                after, acc_after = rates(index, questions, SHIPPED, emb)
                cells.append(f"{before:.3f} → **{after:.3f}**")
                if index == own[0]:
                    cells.append(f"{acc_before:.3f} → {acc_after:.3f}")
            lines.append(f"| {row} | {len(questions)} | {' | '.join(cells)} |")
            print(lines[-1], flush=True)
    t = SHIPPED.tuning
    body = f"""
Each set's questions asked of their own articles (every one has an answer) and of an
index of the other kind of articles, where none has: XQuAD's Wikipedia questions of the
500 health-news articles, the health-news questions of XQuAD's 120 paragraphs. An answer
there is wrong whatever it quotes. abstain_rate without → with the abstention margins
of `Tuning` (support a Vietnamese answer needs {t.abstain_vi}, one typed without marks
{t.abstain_vi_restored}, an English one {t.abstain_en}; without, all 0).

| questions | count | abstain, own articles | answer_accuracy, own articles | abstain, other articles |
|---|---|---|---|---|
{chr(10).join(lines)}

Issue 13 keeps abstain_rate on answerable sets at 0.02 or less. The margins were chosen
on these rows: on each Vietnamese set the largest that keeps its own abstain_rate near
0.005 (XQuAD-vi and the news set agreed, 0.021 and 0.022 in a scratch sweep). Questions
typed without marks score lower once their marks are restored, so they keep a margin of
0; English questions over Vietnamese text score lower too.
"""
    write_section("Questions the corpus cannot answer", body)


if __name__ == "__main__":
    main()
