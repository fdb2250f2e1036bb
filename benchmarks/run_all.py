"""Run every benchmark in turn; each rewrites its own section of docs/BENCHMARKS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

# train_reader.py reports its cross-validation and keeps the shipped model (--no-write).
for name, *args in (("bench_quality.py",), ("bench_representations.py",), ("bench_build.py",),
                    ("bench_resume.py",), ("bench_real.py",), ("bench_ivf.py",),
                    ("bench_scale.py",), ("bench_conversations.py",), ("bench_compound.py",),
                    ("bench_sides.py",),
                    ("bench_news_size.py",),
                    ("bench_underthesea.py",), ("bench_abstain.py",), ("bench_misses.py",),
                    ("bench_article_signals.py",), ("train_reader.py", "--no-write")):
    print(f"== {name}", flush=True)
    subprocess.run([sys.executable, str(HERE / name), *args], check=True)
