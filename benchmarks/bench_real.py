"""A real index with real vectors: the first 2,000 baomoi-2017 articles built with e5 from
empty, then 1,000 more added by an incremental build, each build a `newsqa build`
process of its own (peak RSS from the kernel). Then disk, cold start, ask latency, and the
20 hand-written questions of ../shared/benchmarks/baomoi-questions.json (their expected
answers quote the articles, so they live beside the data, never in the project); figures
extrapolated to
35,439 and to 1,000,000 articles.

    python benchmarks/bench_real.py [--first 2000] [--more 1000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import ROOT, SHARED, baomoi, write_section

import newsqa
from newsqa.evaluate import span_scores

CACHE = ROOT / "benchmarks" / ".cache"
QUESTIONS = SHARED / "benchmarks" / "baomoi-questions.json"


def _build(corpus: Path, index: Path, vectors: str) -> tuple[dict[str, object], float, float]:
    """Run `newsqa build --json` in a child process: (report, wall seconds, peak RSS MB)."""
    code = ("import resource, subprocess, sys, json; "
            f"r = subprocess.run([sys.executable, '-m', 'newsqa', 'build', '--corpus', "
            f"{str(corpus)!r}, '--index', {str(index)!r}, '--vectors', {vectors!r}, '--json'], "
            "capture_output=True, text=True); "
            "print(json.dumps({'rc': r.returncode, 'out': r.stdout, 'err': r.stderr[-2000:], "
            "'rss': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))")
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    wall = time.perf_counter() - t
    res = json.loads(out.stdout)
    if res["rc"] != 0:
        raise SystemExit(f"build failed: {res['err']}")
    return json.loads(res["out"]), wall, float(res["rss"])


def _cold_start(index: Path, question: str) -> float:
    code = (f"import newsqa; qa = newsqa.load({str(index)!r}); qa.ask({question!r})")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--first", type=int, default=2000)
    ap.add_argument("--more", type=int, default=1000)
    ap.add_argument("--reuse", action="store_true",
                    help="keep the index (and build figures) of an earlier run")
    ap.add_argument("--vectors", default="sentences",
                    help="representation: the fast one by default, as an archive would use")
    args = ap.parse_args()
    if not QUESTIONS.exists():
        raise SystemExit(f"{QUESTIONS} is needed for this benchmark")
    total = args.first + args.more
    corpus = CACHE / f"real-corpus-{total}"
    index = CACHE / f"real-index-{total}"
    figures = CACHE / f"real-{total}.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.reuse and figures.exists() and (index / "manifest.json").exists():
        # The builds' figures as measured when the index was built; only what follows
        # (cold start, latency, the questions) is measured again.
        saved = json.loads(figures.read_text(encoding="utf-8"))
        first, first_s, first_rss = saved["first"], saved["first_s"], saved["first_rss"]
        more, more_s, more_rss = saved["more"], saved["more_s"], saved["more_rss"]
    else:
        import shutil

        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
        corpus.mkdir()
        records = list(baomoi(total))
        with (corpus / "part-1.jsonl").open("w", encoding="utf-8") as fh:
            for rec in records[:args.first]:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        first, first_s, first_rss = _build(corpus, index, args.vectors)
        with (corpus / "part-2.jsonl").open("w", encoding="utf-8") as fh:
            for rec in records[args.first:]:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        more, more_s, more_rss = _build(corpus, index, args.vectors)
        figures.write_text(json.dumps({"first": first, "first_s": first_s,
                                       "first_rss": first_rss, "more": more,
                                       "more_s": more_s, "more_rss": more_rss}),
                           encoding="utf-8")
    manifest = json.loads((index / "manifest.json").read_text(encoding="utf-8"))
    data = index / manifest["data_dir"]
    disk = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    cold = [_cold_start(index, questions[0]["question"]) for _ in range(3)]

    qa = newsqa.load(index)
    rss_loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for q in questions:
        qa.ask(q["question"])
    lat: list[float] = []
    rows = []
    found = {"vi": 0, "en": 0}
    anywhere = {"vi": 0, "en": 0}
    shown = {"vi": 0, "en": 0}
    right = {"vi": 0, "en": 0}
    for rnd in range(3):
        for q in questions:
            t = time.perf_counter()
            ans = qa.ask(q["question"])
            lat.append((time.perf_counter() - t) * 1000)
            if rnd:
                continue
            first_quote = ans.citations[0] if ans.citations else None
            holds = bool(first_quote) and q["expected"].casefold() in \
                first_quote.quote.casefold()  # type: ignore[union-attr]
            ok = holds and first_quote.article_id == q["article_id"]  # type: ignore[union-attr]
            found[q["language"]] += ok
            anywhere[q["language"]] += holds
            quote = (first_quote.quote[:90] + "…") if first_quote else "(abstained)"
            verdict = "yes" if ok else ("yes, another article" if holds else "no")
            span = ans.answer_span.text if ans.answer_span else ""
            f1 = span_scores(span, [q["expected"]])[1] if span else 0.0
            shown[q["language"]] += bool(span)
            right[q["language"]] += f1 >= 0.5
            short = f"{span} (F1 {f1:.2f})" if span else "—"
            rows.append(f"| {q['language']} | {q['question']} | {q['expected']} | "
                        f"{verdict} | {short.replace('|', '/')} | {quote.replace('|', '/')} |")
    n = int(more["articles"])
    per_article = first_s / args.first
    table = "\n".join(rows)
    body = f"""
A real index: the first {args.first:,} baomoi-2017 articles embedded with e5 by
`newsqa build` from empty, then {args.more:,} more added by an incremental build (each a
process of its own; peak RSS from the kernel), with `--vectors {args.vectors}` (the fast
representation an archive of this size would use; see "Representations"), other settings
at their defaults.

| step | articles embedded | wall time | articles/s | peak RSS |
|---|---|---|---|---|
| build from empty | {first['embedded_articles']:,} | {first_s:.0f} s | {args.first / first_s:.2f} | {first_rss:,.0f} MB |
| add {args.more:,} (incremental) | {more['embedded_articles']:,} (reused {more['reused_articles']:,}) | {more_s:.0f} s | {args.more / more_s:.2f} | {more_rss:,.0f} MB |

Index of {n:,} articles: {more['chunks']:,} chunks, {more['sentences']:,} sentences, {disk / 2**20:,.0f} MiB
on disk. Cold start (new process, load, first answer) median {np.median(cold):.2f} s.
`ask` with the model loaded: p50 {np.percentile(lat, 50):.0f} ms, p95
{np.percentile(lat, 95):.0f} ms over {len(lat)} asks. Peak RSS of this benchmark process
after loading the index: {rss_loaded:,.0f} MB.

**Extrapolation** (embedding is linear in the text; everything else is a small part):
35,439 articles ≈ {35_439 * per_article / 3600:.1f} h on this 2-core machine, ≈
{35_439 / n * disk / 2**30:.1f} GiB on disk; 1,000,000 articles ≈
{1_000_000 * per_article / 3600:,.0f} h on one such machine (≈ {1_000_000 * per_article / 3600 / 50:,.1f} h
on 50 Ray workers of the same speed: throughput grows with the number of workers, the
writing stays on the machine that runs the build), ≈
{1_000_000 / n * disk / 2**30:,.0f} GiB on disk, above `NEWSQA_IVF_ABOVE` chunks so searched
through IVF.

**20 questions** (`../shared/benchmarks/baomoi-questions.json`, written by hand from these articles):
citation 1 quotes the expected text from the article it was written from in {found['vi']} of
10 Vietnamese and {found['en']} of 10 English questions; counting the same fact quoted from
another article (baomoi carries one event from several sources), in {anywhere['vi']} and
{anywhere['en']}. A short answer is shown for {shown['vi']} and {shown['en']} of them; its
SQuAD F1 against the expected text is 0.5 or more for {right['vi']} and {right['en']}.

| lang | question | expected | citation 1 | short answer | quote |
|---|---|---|---|---|---|
{table}
"""
    write_section("A real index: 3,000 baomoi articles with e5", body)


if __name__ == "__main__":
    main()
