"""Helpers shared by the benchmarks: machine description and writing docs/BENCHMARKS.md."""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import resource
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSQA_SHARED", ROOT.parent / "shared"))
BAOMOI = SHARED / "data" / "baomoi-2017.jsonl.gz"
DOC = ROOT / "docs" / "BENCHMARKS.md"


def machine() -> str:
    """One line naming this machine: CPU, cores, memory, Python."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dev_file(name: str) -> Path:
    """The dev set ``name`` of ../shared/data (a SQuAD file), or exit saying it is needed."""
    path = SHARED / "data" / f"{name}.json"
    if not path.exists():
        raise SystemExit(f"{path} is needed for this benchmark")
    return path


def baomoi(limit: int | None = None) -> Iterator[dict[str, str]]:
    """Articles of the baomoi-2017 dump in ../shared."""
    if not BAOMOI.exists():
        raise SystemExit(f"{BAOMOI} is needed for this benchmark")
    with gzip.open(BAOMOI, "rt", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            yield json.loads(line)


def write_section(name: str, body: str) -> None:
    """Replace (or add) the section ``name`` of docs/BENCHMARKS.md, stamped with the
    machine and the date."""
    DOC.parent.mkdir(exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else (
        "# Benchmarks\n\nEach section is written by `benchmarks/<name>.py` (run them all with "
        "`make bench`). Ratios are measured side by side in one run; absolute times on a "
        "shared 2-core machine are noisy.\n")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=ROOT).stdout.strip()
    section = (f"<!-- {name} -->\n## {name}\n\n_Measured {stamp} on {machine()}; commit "
               f"{commit}._\n\n{body.strip()}\n<!-- /{name} -->\n")
    pattern = re.compile(rf"<!-- {re.escape(name)} -->.*?<!-- /{re.escape(name)} -->\n",
                         re.DOTALL)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else \
        text.rstrip() + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")
    print(section)
