"""Run every benchmark in turn; each rewrites its own section of docs/BENCHMARKS.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent

for name in ("bench_quality.py", "bench_representations.py", "bench_build.py", "bench_resume.py",
             "bench_real.py",
             "bench_ivf.py", "bench_scale.py"):
    print(f"== {name}", flush=True)
    subprocess.run([sys.executable, str(HERE / name)], check=True)
