"""Approximate search on real vectors: the chunk vectors of the real index that
bench_real.py builds, searched flat and through IVF (as a build makes above
NEWSQA_IVF_ABOVE chunks), with article titles as questions. Recall@5 of IVF is the share
of the flat index's five nearest chunks that IVF also returns.

    python benchmarks/bench_ivf.py [--index benchmarks/.cache/real-index-3000] [--queries 1000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import ROOT, write_section

from newsqa.embedding import get_embedder
from newsqa.index import load_store
from newsqa.layout import FaissSpec, faiss_spec
from newsqa.layout.write import write_chunk_index


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", type=Path, default=ROOT / "benchmarks/.cache/real-index-3000")
    ap.add_argument("--queries", type=int, default=1000)
    args = ap.parse_args()
    import faiss

    store = load_store(args.index)
    n = int(store.faiss_index.ntotal)
    emb = get_embedder("e5")
    titles = [store.articles[i].title for i in range(min(args.queries, len(store.articles)))]
    q = np.stack([emb.embed_query(t) for t in titles]).astype(np.float32)
    rows = []
    base = faiss_spec(n, ivf_above=1_000)
    for nprobe in sorted({max(1, base.nlist // 16), base.nprobe, base.nlist // 4}):
        spec = FaissSpec(type="ivf", nlist=base.nlist, nprobe=nprobe)
        with tempfile.TemporaryDirectory() as tmp:
            write_chunk_index(Path(tmp) / "ivf.faiss", store.chunk_vectors(), spec)
            ivf = faiss.read_index(str(Path(tmp) / "ivf.faiss"))
        faiss.extract_index_ivf(ivf).nprobe = nprobe
        t = time.perf_counter()
        _, flat_top = store.faiss_index.search(q, 5)
        flat_ms = (time.perf_counter() - t) * 1000 / len(q)
        t = time.perf_counter()
        _, ivf_top = ivf.search(q, 5)
        ivf_ms = (time.perf_counter() - t) * 1000 / len(q)
        recall = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(flat_top, ivf_top,
                                                                    strict=True)])
        mark = " (default)" if nprobe == base.nprobe else ""
        rows.append(f"| {base.nlist} | {nprobe}{mark} | {recall:.3f} | {flat_ms:.2f} ms | "
                    f"{ivf_ms:.2f} ms |")
    table = "\n".join(rows)
    body = f"""
The {n:,} chunk vectors (e5, float16) of the real index of "A real index", searched flat
and through IVF, with the titles of {len(q):,} of its articles as questions (embedded as
queries). Recall@5: the share of the flat index's five nearest chunks that IVF returns too.

| lists | searched | recall@5 of flat | flat search / query | IVF search / query |
|---|---|---|---|---|
{table}

A build uses IVF only above `NEWSQA_IVF_ABOVE` chunks (200,000), with about 4·√n lists
and one in eight searched; below that, flat search is exact and fast enough (see "Scale").
"""
    write_section("Approximate search on real vectors", body)


if __name__ == "__main__":
    main()
