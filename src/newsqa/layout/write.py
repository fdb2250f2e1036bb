"""Writing an index: the build lock, a build's checkpoints, a data folder written whole and
swapped in with its manifest, and write errors a user can act on."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexLockedError, IndexPathError, IndexWriteError
from ..models import Article
from ..version import __version__
from .format import (
    ARTICLES,
    BM25,
    CATALOG,
    CHUNK_SPANS,
    CHUNKS,
    DATA_PREFIX,
    FORMAT,
    FORMAT_VERSION,
    LOCK_FILE,
    MANIFEST,
    MARKER,
    OFFSETS,
    PARTIAL_PREFIX,
    SENTENCE_SPANS,
    SENTENCES,
    FaissSpec,
    Manifest,
    file_digest,
)


@contextlib.contextmanager
def index_lock(index_dir: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on ``index_dir`` for a build; a second build waits up to
    ``timeout`` seconds, then raises :class:`IndexLockedError`."""
    lock = index_dir / LOCK_FILE
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        if lock.is_symlink() or (lock.exists() and not lock.is_file()):
            raise IndexPathError(f"{lock} is not newsqa's lock file (it is a folder or a "
                                 "link); remove it and build again")
        fh = lock.open("a+")
    except FileExistsError:
        raise IndexPathError(f"{index_dir} is a file, not an index folder") from None
    except OSError as exc:
        raise _write_error(index_dir, exc) from None
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    fh.seek(0)
                    holder = fh.read().strip() or "unknown"
                    raise IndexLockedError(
                        f"another build is running on {index_dir} (pid {holder}); wait for it "
                        "to finish, or set NEWSQA_LOCK_TIMEOUT to wait") from None
                time.sleep(0.2)
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(str(os.getpid()))
            fh.flush()
        except OSError as exc:
            raise _write_error(index_dir, exc) from None
        yield
    finally:
        fh.close()


def _disk_full(path: Path) -> bool:
    try:
        st = os.statvfs(path)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 1 << 20


def _write_error(index_dir: Path, exc: OSError) -> IndexWriteError:
    # numpy reports a short write as a bare OSError ("384000 requested and 10208 written"),
    # without an errno: the free space tells what happened.
    full = exc.errno == errno.ENOSPC or (exc.errno is None and _disk_full(index_dir))
    what = os.strerror(errno.ENOSPC) if full else exc.strerror or str(exc)
    where = exc.filename or index_dir
    hint = "free some space" if full else "check the folder's permissions"
    return IndexWriteError(f"cannot write the index in {index_dir}: {what.lower()} ({where}); "
                           f"{hint} and build again (the previous index is unchanged)")


class Checkpoint:
    """The embedded work of a build in progress, written batch by batch (``.keys`` +
    ``.npy``, never pickle) in a marked folder of the index, so that a build killed at any
    point and started again re-embeds at most the batch that was in flight. ``key`` names
    the embedder and chunking: work done under other settings is never reused."""

    def __init__(self, index_dir: Path, key: str) -> None:
        self.path = index_dir / f"{PARTIAL_PREFIX}{key}"
        self._batches = 0

    def load(self) -> dict[str, np.ndarray]:
        """Vectors of the texts embedded so far, by text key; a batch cut short by a kill
        (keys without vectors, or counts that differ) is ignored."""
        found: dict[str, np.ndarray] = {}
        if not (self.path / MARKER).is_file():
            return found
        for keys_file in sorted(self.path.glob("batch-*.keys")):
            self._batches += 1
            try:
                keys = keys_file.read_text(encoding="ascii").split()
                vecs = np.load(keys_file.with_suffix(".npy"), allow_pickle=False)
            except (OSError, ValueError):
                continue
            if vecs.ndim == 2 and len(vecs) == len(keys):
                found.update(zip(keys, vecs, strict=True))
        return found

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        """Append one batch; its vectors land under their final name last."""
        try:
            if not self.path.is_dir():
                self.path.mkdir()
                (self.path / MARKER).write_text(FORMAT, encoding="utf-8")
            self._batches += 1
            stem = self.path / f"batch-{self._batches:06d}"
            stem.with_suffix(".keys").write_text("\n".join(keys), encoding="ascii")
            tmp = self.path / f".batch-{self._batches:06d}.npy"
            np.save(tmp, np.ascontiguousarray(vectors, np.float32), allow_pickle=False)
            os.replace(tmp, stem.with_suffix(".npy"))
        except OSError as exc:
            error = _write_error(self.path.parent, exc)
            for leftover in self.path.glob(".batch-*.npy"):
                leftover.unlink(missing_ok=True)
            raise error from None

    def remove(self) -> None:
        """Drop the work of a build that completed."""
        if (self.path / MARKER).is_file():
            shutil.rmtree(self.path, ignore_errors=True)


def _pause_before_swap_for_tests() -> None:
    """Test seam: the reliability suite holds a build between writing its data and swapping
    the manifest (``NEWSQA_TEST_PAUSE_BEFORE_SWAP`` seconds), to kill it there."""
    pause = float(os.environ.get("NEWSQA_TEST_PAUSE_BEFORE_SWAP", "0") or 0)
    if pause > 0:
        time.sleep(pause)


@dataclass
class IndexData:
    """Everything a data folder holds, in memory, as a build hands it over."""

    articles: list[Article]
    sentence_spans: np.ndarray  # int64 (n, 4): article row, start, end, informative
    chunk_spans: np.ndarray  # int64 (n, 5): article row, start, end, first, last+1 sentence
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    bm25_docs: list[list[str]]
    faiss: FaissSpec


def write_index(index_dir: Path, data: IndexData, manifest_fields: dict[str, Any]) -> Manifest:
    """Write a complete data folder, then swap in its manifest. On any write error (disk
    full, no permission) the new folder is removed, the old index stays, and
    :class:`IndexWriteError` names the path."""
    import bm25s

    stamp = datetime.now(UTC)
    name = f"{DATA_PREFIX}{stamp.strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
    data_dir = index_dir / name
    try:
        data_dir.mkdir()
        (data_dir / MARKER).write_text(FORMAT, encoding="utf-8")
        offsets = [0]
        catalog: dict[str, list[Any]] = {"ids": [], "dates": [], "sources": []}
        with (data_dir / ARTICLES).open("wb") as fb:
            for art in data.articles:
                line = (art.model_dump_json() + "\n").encode("utf-8")
                fb.write(line)
                offsets.append(offsets[-1] + len(line))
                catalog["ids"].append(art.id)
                catalog["dates"].append(art.date.timestamp() if art.date else None)
                catalog["sources"].append(art.source)
        (data_dir / CATALOG).write_text(json.dumps(catalog, ensure_ascii=False),
                                        encoding="utf-8")
        for file, array in ((OFFSETS, np.asarray(offsets, dtype=np.int64)),
                            (SENTENCE_SPANS, data.sentence_spans.astype(np.int64)),
                            (CHUNK_SPANS, data.chunk_spans.astype(np.int64)),
                            (SENTENCES, data.sentence_vectors.astype(np.float16))):
            np.save(data_dir / file, np.ascontiguousarray(array), allow_pickle=False)
        write_chunk_index(data_dir / CHUNKS, data.chunk_vectors, data.faiss)
        bm25 = bm25s.BM25()
        bm25.index(data.bm25_docs, show_progress=False)
        bm25.save(str(data_dir / BM25))
        files = {}
        for fp in sorted(p for p in data_dir.rglob("*") if p.is_file()):
            rel = fp.relative_to(data_dir).as_posix()
            if not rel.startswith("."):
                files[rel] = {"size": fp.stat().st_size, "sha256": file_digest(fp)}
                with fp.open("rb") as fh2:
                    os.fsync(fh2.fileno())
        manifest = Manifest.model_validate(
            {"format": FORMAT, "version": FORMAT_VERSION, "newsqa_version": __version__,
             "built_at": stamp.isoformat(timespec="seconds"), "data_dir": name,
             "files": files, "faiss": data.faiss.model_dump(), **manifest_fields},
            strict=False)
        _pause_before_swap_for_tests()
        tmp = data_dir / f".{MANIFEST}.tmp"
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(manifest.model_dump_json(indent=1))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, index_dir / MANIFEST)
    except (OSError, RuntimeError) as exc:
        # faiss reports a failed write as a RuntimeError that quotes the OS error. The
        # error is told before cleaning up, while the disk is still as full as it was.
        if not isinstance(exc, OSError):
            code = errno.ENOSPC if "No space left" in str(exc) else None
            exc = OSError(code, str(exc)[:200])
        error = _write_error(index_dir, exc)
        shutil.rmtree(data_dir, ignore_errors=True)
        raise error from None
    with contextlib.suppress(OSError):
        dir_fd = os.open(index_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return manifest



def faiss_spec(n: int, ivf_above: int) -> FaissSpec:
    """The FAISS index for ``n`` chunk vectors: exhaustive up to ``ivf_above``, inverted
    lists above (about 4·√n lists, of which 1/8 searched: recall@5 of the flat index's
    measured in docs/BENCHMARKS.md)."""
    if n <= ivf_above:
        return FaissSpec()
    nlist = int(4 * n ** 0.5)
    return FaissSpec(type="ivf", nlist=nlist, nprobe=max(16, nlist // 8))


def write_chunk_index(path: Path, vectors: np.ndarray, spec: FaissSpec) -> None:
    """Write the chunk vectors as a float16 inner-product FAISS index of kind ``spec``."""
    import faiss

    x = np.ascontiguousarray(vectors, dtype=np.float32)
    d = int(x.shape[1])
    fp16 = faiss.ScalarQuantizer.QT_fp16
    index: Any
    if spec.type == "ivf":
        quantizer = faiss.IndexFlatIP(d)
        index = faiss.IndexIVFScalarQuantizer(quantizer, d, spec.nlist, fp16,
                                              faiss.METRIC_INNER_PRODUCT)
        # k-means on a fixed sample: the same vectors give the same lists.
        rng = np.random.default_rng(0)
        sample = x[rng.choice(len(x), min(len(x), spec.nlist * 64), replace=False)]
        index.train(sample)
    else:
        index = faiss.IndexScalarQuantizer(d, fp16, faiss.METRIC_INNER_PRODUCT)
    if len(x):
        index.add(x)
    faiss.write_index(index, str(path))
