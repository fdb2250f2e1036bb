"""The index format: file names, the typed manifest, which folders are newsqa's own, and
the checks of a data folder against its manifest."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import struct
from collections.abc import Collection
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import IndexCorruptError, IndexMissingError, IndexPathError

FORMAT = "newsqa-index"
FORMAT_VERSION = 2
MANIFEST = "manifest.json"
LOCK_FILE = ".lock"
DATA_PREFIX = "data-"
PARTIAL_PREFIX = "partial-"
MARKER = ".newsqa-data"
ARTICLES = "articles.jsonl"
CATALOG = "catalog.json"
OFFSETS = "article_offsets.npy"
SENTENCE_SPANS = "sentence_spans.npy"
CHUNK_SPANS = "chunk_spans.npy"
CHUNKS = "chunks.faiss"
SENTENCES = "sentences.npy"
BM25 = "bm25"
#: FAISS index kinds a manifest may name; the four-byte codes their files start with.
FAISS_CODES = {"flat": (b"IxSQ",), "ivf": (b"IwSq", b"IwSQ")}
#: Files a plain load hashes: those read whole anyway, and small.
HASHED_ON_LOAD = (ARTICLES, CATALOG, OFFSETS, SENTENCE_SPANS, CHUNK_SPANS)
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


class FaissSpec(BaseModel):
    """How the chunk vectors are searched: exhaustively (``flat``) below a size, by
    inverted lists (``ivf``, ``nlist`` lists, ``nprobe`` searched) above it; vectors are
    stored as float16 either way."""

    model_config = ConfigDict(strict=True, frozen=True)

    type: Literal["flat", "ivf"] = "flat"
    nlist: int = Field(default=0, ge=0, le=1_000_000)
    nprobe: int = Field(default=0, ge=0, le=1_000_000)


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
    faiss: FaissSpec = FaissSpec()
    files: dict[str, FileMeta]
    articles: dict[str, str]

    @field_validator("files")
    @classmethod
    def _inside(cls, files: dict[str, FileMeta]) -> dict[str, FileMeta]:
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
    for name in (*HASHED_ON_LOAD, CHUNKS, SENTENCES):
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
    if tuple(shape) != (c.sentences, manifest.dim) or dtype != np.float16 or \
            fourcc not in FAISS_CODES[manifest.faiss.type] or d != manifest.dim or \
            ntotal != c.chunks:
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


