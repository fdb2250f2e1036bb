"""The on-disk index format, owned here alone: file names, the typed manifest, the lock,
writing a data folder, the atomic swap and garbage collection.

Layout::

    embeddings/
      manifest.json          # Manifest: embedder, dimension, chunking, counts, files
      .lock                  # held by the build in progress
      data-<stamp>-<pid>/
        .newsqa-data         # marks the folder as newsqa's own (only such are ever deleted)
        articles.jsonl       # articles with their sentence and chunk spans
        chunks.faiss         # inner-product index of chunk vectors
        sentences.npy        # sentence vectors (float32, no pickle)
        bm25/                # keyword index (bm25s: JSON + .npy)
      partial-<key>/         # a build's embedded work so far, until it completes
        .newsqa-data
        batch-000001.keys    # one text key (sha256) a line
        batch-000001.npy     # their vectors, float32, in the same order

The manifest is written last, inside the new data folder, and renamed over the old one, so
a build killed at any point leaves the previous index as it was. A folder that holds other
data is never built into, and nothing newsqa did not mark as its own is ever deleted.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import struct
import time
from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import (
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexPathError,
    IndexWriteError,
)
from .version import __version__

FORMAT = "newsqa-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCK_FILE = ".lock"
DATA_PREFIX = "data-"
PARTIAL_PREFIX = "partial-"
MARKER = ".newsqa-data"
ARTICLES = "articles.jsonl"
CHUNKS = "chunks.faiss"
SENTENCES = "sentences.npy"
BM25 = "bm25"
_SAFE_REL = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$"


def rebuild_hint(index_dir: str | Path) -> str:
    """What to run to repair the index in ``index_dir``."""
    return f"rebuild with `newsqa build --index {index_dir}`"


class FileMeta(BaseModel):
    """Size and sha256 of one data file."""

    model_config = ConfigDict(strict=True, frozen=True)

    size: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Counts(BaseModel):
    """How many articles, chunks and sentences an index holds."""

    model_config = ConfigDict(strict=True, frozen=True)

    articles: int = Field(ge=0)
    chunks: int = Field(ge=0)
    sentences: int = Field(ge=0)


class Manifest(BaseModel):
    """``manifest.json``: what an index was built with and which files make it up."""

    model_config = ConfigDict(strict=True, frozen=True, extra="ignore")

    format: Literal["newsqa-index"]
    version: int
    newsqa_version: str = ""
    embedder: str = Field(min_length=1)
    dim: int = Field(ge=1, le=65_536)
    chunking: dict[str, Any]
    built_at: str = ""
    data_dir: str = Field(pattern=r"^data-[A-Za-z0-9_.-]+$")
    counts: Counts
    files: dict[str, FileMeta]
    articles: dict[str, str]

    @field_validator("files")
    @classmethod
    def _inside(cls, files: dict[str, FileMeta]) -> dict[str, FileMeta]:
        import re

        for rel in files:
            if not re.fullmatch(_SAFE_REL, rel) or ".." in rel.split("/"):
                raise ValueError(f"file name {rel[:60]!r} leads outside the data folder")
        return files


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "manifest"
    return f"{where}: {err['msg']}"


def read_manifest(index_dir: str | Path) -> Manifest:
    """Read and validate ``manifest.json``; raises when it is missing or damaged."""
    index_dir = Path(index_dir)
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexPathError(f"{index_dir} is a file, not an index folder; give --index (or "
                             "NEWSQA_INDEX_DIR) a folder")
    path = index_dir / MANIFEST
    if not path.exists():
        raise IndexMissingError(f"no index in {index_dir} (no {MANIFEST}); run "
                                f"`newsqa build --index {index_dir}` first")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise IndexCorruptError(f"{path} is not readable JSON ({str(exc)[:120]}); "
                                f"{rebuild_hint(index_dir)}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise IndexCorruptError(f"{path} is not a newsqa manifest; {rebuild_hint(index_dir)}")
    if raw.get("version") != FORMAT_VERSION:
        raise IndexCorruptError(f"{path} has index format {str(raw.get('version'))[:20]}, this "
                                f"newsqa reads {FORMAT_VERSION}; {rebuild_hint(index_dir)}")
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        raise IndexCorruptError(f"{path} is damaged ({_first_error(exc)}); "
                                f"{rebuild_hint(index_dir)}") from None


def _is_data_dir(path: Path) -> bool:
    """A data folder of newsqa: marked, or (built before marks) holding its own files."""
    if path.is_symlink() or not path.is_dir():
        return False
    return (path / MARKER).is_file() or ((path / ARTICLES).is_file() and
                                         (path / CHUNKS).is_file())


def check_target(index_dir: Path) -> None:
    """Refuse to build into a file, or into a non-empty folder that is not a newsqa index
    (an index whose manifest is damaged is still ours, and is rebuilt)."""
    if not index_dir.exists():
        return
    if not index_dir.is_dir():
        raise IndexPathError(f"{index_dir} is a file, not an index folder; give --index (or "
                             "NEWSQA_INDEX_DIR) a new or empty folder")
    names = sorted(os.listdir(index_dir))
    if not names:
        return
    if MANIFEST in names:
        try:
            raw = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
            if isinstance(raw, dict):
                if raw.get("format") == FORMAT:
                    return
                names = [MANIFEST]  # a readable manifest of something else: not ours
        except (OSError, ValueError, RecursionError):
            pass
    ours = {n for n in names if n.startswith((DATA_PREFIX, PARTIAL_PREFIX)) and
            _is_data_dir(index_dir / n)}
    if ours and all(n in ours or n in (LOCK_FILE, MANIFEST) for n in names):
        return
    if not ours and names == [LOCK_FILE]:
        return
    shown = ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
    raise IndexPathError(f"{index_dir} is not empty and is not a newsqa index (it holds "
                         f"{shown}); give --index a new or empty folder, or an existing index")


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


def file_digest(path: Path) -> str:
    """sha256 of a file."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def check_data(index_dir: Path, manifest: Manifest,
               digests: bool | Collection[str] = True) -> Path:
    """Check the data folder against the manifest: every file there with its size, its
    sha256 (all files with ``digests=True``, or those named), and the vector headers
    agreeing with the counts and the dimension. Returns the data folder; raises
    :class:`IndexCorruptError`."""
    data_dir = index_dir / manifest.data_dir
    hint = rebuild_hint(index_dir)
    if data_dir.is_symlink() or not data_dir.is_dir():
        raise IndexCorruptError(f"index data folder {data_dir} is missing; {hint}")
    for name in (ARTICLES, CHUNKS, SENTENCES):
        if name not in manifest.files:
            raise IndexCorruptError(f"{index_dir / MANIFEST} lists no {name}; {hint}")
    for rel, meta in manifest.files.items():
        fp = data_dir / rel
        if not fp.is_file():
            raise IndexCorruptError(f"index file {fp} is missing; {hint}")
        hashed = digests is True or (not isinstance(digests, bool) and rel in digests)
        if fp.stat().st_size != meta.size or (hashed and file_digest(fp) != meta.sha256):
            raise IndexCorruptError(f"index file {fp} is truncated or corrupted (it does not "
                                    f"match {MANIFEST}); {hint}")
    c = manifest.counts
    try:
        with (data_dir / SENTENCES).open("rb") as fh:
            major, _ = np.lib.format.read_magic(fh)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else \
                np.lib.format.read_array_header_2_0
            shape, _, dtype = read_header(fh)
        with (data_dir / CHUNKS).open("rb") as fh:
            head = fh.read(16)
        fourcc, d, ntotal = struct.unpack("<4siq", head)
    except (OSError, ValueError, struct.error) as exc:
        raise IndexCorruptError(f"index vectors in {data_dir} are unreadable ({exc}); "
                                f"{hint}") from None
    if tuple(shape) != (c.sentences, manifest.dim) or dtype != np.float32 or \
            fourcc != b"IxFI" or d != manifest.dim or ntotal != c.chunks:
        raise IndexCorruptError(f"index data in {data_dir} does not match {MANIFEST} (counts "
                                f"or dimension differ); {hint}")
    return data_dir


def claim(index_dir: Path, manifest: Manifest) -> None:
    """Mark the manifest's data folder as newsqa's own (folders built before marks existed
    are recorded only by the manifest), so that garbage collection may remove it later."""
    data_dir = index_dir / manifest.data_dir
    if _is_data_dir(data_dir) and not (data_dir / MARKER).exists():
        with contextlib.suppress(OSError):
            (data_dir / MARKER).write_text(FORMAT, encoding="utf-8")


def collect_garbage(index_dir: Path, keep: set[str]) -> None:
    """Remove newsqa's own data and checkpoint folders other than ``keep``: those of older
    builds and the leftovers of killed or failed ones. Nothing unmarked is touched."""
    for entry in os.scandir(index_dir):
        if entry.name.startswith((DATA_PREFIX, PARTIAL_PREFIX)) and entry.name not in keep and \
                entry.is_dir(follow_symlinks=False) and \
                os.path.isfile(os.path.join(entry.path, MARKER)):
            shutil.rmtree(entry.path, ignore_errors=True)


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


def write_index(index_dir: Path, *, records: Iterable[dict[str, Any]], chunk_vectors: np.ndarray,
                sentence_vectors: np.ndarray, bm25_docs: list[list[str]],
                manifest_fields: dict[str, Any]) -> Manifest:
    """Write a complete data folder, then swap in its manifest. On any write error (disk
    full, no permission) the new folder is removed, the old index stays, and
    :class:`IndexWriteError` names the path."""
    import bm25s
    import faiss

    stamp = datetime.now(UTC)
    name = f"{DATA_PREFIX}{stamp.strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
    data_dir = index_dir / name
    try:
        data_dir.mkdir()
        (data_dir / MARKER).write_text(FORMAT, encoding="utf-8")
        with (data_dir / ARTICLES).open("w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        fidx = faiss.IndexFlatIP(int(chunk_vectors.shape[1]))
        if len(chunk_vectors):
            fidx.add(np.ascontiguousarray(chunk_vectors, dtype=np.float32))
        faiss.write_index(fidx, str(data_dir / CHUNKS))
        np.save(data_dir / SENTENCES, np.ascontiguousarray(sentence_vectors, np.float32),
                allow_pickle=False)
        bm25 = bm25s.BM25()
        bm25.index(bm25_docs, show_progress=False)
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
             "files": files, **manifest_fields}, strict=False)
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
