"""A build whose embedding runs on a real local Ray (127.0.0.1, 2 CPUs) writes the same
index as a local build. Skipped only when Ray is not installed (CI installs it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import CORPUS, run_cli

ray = pytest.importorskip("ray")

import newsqa  # noqa: E402
from newsqa.index import load_store  # noqa: E402


def _corpus(tmp_path: Path) -> Path:
    """The seed article plus three more, so that several batches go to the actors."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    seed = next(p for p in CORPUS.iterdir() if p.suffix == ".txt").read_text(encoding="utf-8")
    lines = seed.splitlines()
    body = [ln for ln in lines[1:] if ln.strip()]
    with (corpus / "more.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(3):
            # Different texts from the same real article: its paragraphs in other orders.
            part = body[i::3] + body[:i]
            fh.write(json.dumps({"id": f"more-{i}", "title": f"Bài {i}: {lines[0][:60]}",
                                 "text": "\n".join(part)}, ensure_ascii=False) + "\n")
    return corpus


@pytest.fixture()
def local_ray():  # type: ignore[no-untyped-def]
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             _node_ip_address="127.0.0.1")
    try:
        yield
    finally:
        ray.shutdown()


def test_ray_build_equals_local_build(tmp_path: Path, local_ray: None) -> None:
    """embedding on Ray actors (2 on 2 CPUs, small batches so that both work) gives the
    same counts, spans and vectors as the local build"""
    from newsqa.distributed import RayEmbedder

    corpus = _corpus(tmp_path)
    settings = newsqa.Settings(batch_size=4)
    local = newsqa.build_index(corpus, tmp_path / "local", settings=settings)
    emb = RayEmbedder("e5", "auto", batch_size=4)
    assert emb.parallel == 2
    remote = newsqa.build_index(corpus, tmp_path / "ray", emb, settings=settings)
    emb.close()
    assert ray.is_initialized()  # a Ray it did not start is left running
    assert (remote.articles, remote.chunks, remote.sentences) == \
        (local.articles, local.chunks, local.sentences) and local.articles == 4
    a, b = load_store(tmp_path / "local"), load_store(tmp_path / "ray")
    assert a.manifest.counts == b.manifest.counts and a.manifest.articles == b.manifest.articles
    assert np.array_equal(a.sentences.spans, b.sentences.spans)  # type: ignore[attr-defined]
    sa = np.asarray(a.sentence_vectors, dtype=np.float32)
    sb = np.asarray(b.sentence_vectors, dtype=np.float32)
    # Stored as float16: a difference in the last bit of a float32 sum may flip one ulp.
    assert np.allclose(sa, sb, atol=2e-3) and np.allclose(a.chunk_vectors(), b.chunk_vectors(),
                                                         atol=2e-3)
    ans = newsqa.load(tmp_path / "ray").ask("Ai ký kết quy chế phối hợp?")
    assert not ans.abstained and ans.citations


def test_cli_ray_auto(tmp_path: Path) -> None:
    """`newsqa build --ray auto` starts a Ray of its own on this machine, builds, and
    stops it; `--ray` with an address where no Ray runs is a clear error, exit 2"""
    res = run_cli("build", "--corpus", str(CORPUS), "--index", str(tmp_path / "ix"),
                  "--ray", "auto", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["articles"] == 1
    res = run_cli("build", "--corpus", str(CORPUS), "--index", str(tmp_path / "ix2"),
                  "--ray", "127.0.0.1:1", timeout=120)
    assert res.returncode != 0 and "Ray" in res.stderr and "Traceback" not in res.stderr
