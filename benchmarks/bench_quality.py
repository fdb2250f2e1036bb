"""Quality and query latency on the XQuAD dev sets, through `newsqa eval`'s code path.

    python benchmarks/bench_quality.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from common import SHARED, write_section

from newsqa.evaluate import evaluate

TARGETS = {"xquad-vi-dev": (0.95, 0.99, 0.85), "xquad-en-vi-dev": (0.85, 0.97, 0.75)}


def main() -> None:
    rows = []
    for name, (t1, t5, tacc) in TARGETS.items():
        path = SHARED / "data" / f"{name}.json"
        if not path.exists():
            raise SystemExit(f"{path} is needed for this benchmark")
        r = evaluate(path).to_json()
        ok = (f"r@1 {'✓' if r['recall@1'] >= t1 else '✗'} · r@5 "
              f"{'✓' if r['recall@5'] >= t5 else '✗'} · acc "
              f"{'✓' if r['answer_accuracy'] >= tacc else '✗'}")
        rows.append(f"| {name} | {r['questions']} | {r['recall@1']:.3f} | {r['recall@5']:.3f} | "
                    f"{r['mrr@10']:.3f} | {r['answer_accuracy']:.3f} | {r['cited@3']:.3f} | "
                    f"{r['span_em']:.3f} | {r['span_f1']:.3f} | {r['abstain_rate']:.3f} | "
                    f"{r['latency_ms_p50']:.1f} | {r['latency_ms_p95']:.1f} | "
                    f"{r['build_seconds']:.0f} | {ok} |")
    body = """
`newsqa eval` on both dev sets (default settings, e5, k=5): each paragraph is an article,
the index is built by the normal build, every question goes through the normal `ask`.
Latency is per question with the model loaded, build excluded (target p50 ≤ 30 ms).

| set | questions | recall@1 | recall@5 | mrr@10 | answer_accuracy | cited@3 | span_em | span_f1 | abstain_rate | p50 ms | p95 ms | build s | targets |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + """

Targets: vi recall@1 ≥ 0.95, recall@5 ≥ 0.99, answer_accuracy ≥ 0.85; en-vi ≥ 0.85, ≥ 0.97,
≥ 0.75.
"""
    write_section("Quality and query latency (XQuAD dev sets)", body)


if __name__ == "__main__":
    main()
