"""The on-disk index format, owned here alone: file names, the typed manifest, the lock,
writing a data folder, the atomic swap and garbage collection.

Layout::

    embeddings/
      manifest.json          # Manifest: embedder, dimension, chunking, counts, files
      .lock                  # held by the build in progress
      data-<stamp>-<pid>/
        .newsqa-data         # marks the folder as newsqa's own (only such are ever deleted)
        articles.jsonl       # one article a line (read one at a time, by offset)
        article_offsets.npy  # byte offset of each line, and of the end
        catalog.json         # ids, dates (epoch seconds) and sources, for filters
        sentence_spans.npy   # (article row, start, end, informative) a sentence
        chunk_spans.npy      # (article row, start, end, first, last+1 sentence) a chunk
        chunks.faiss         # inner-product index of chunk vectors (float16; flat or IVF)
        sentences.npy        # sentence vectors (float16, no pickle)
        bm25/                # keyword index (bm25s: JSON + .npy)
      partial-<key>/         # a build's embedded work so far, until it completes
        .newsqa-data
        batch-000001.keys    # one text key (sha256) a line
        batch-000001.npy     # their vectors, float32, in the same order

The manifest is written last, inside the new data folder, and renamed over the old one, so
a build killed at any point leaves the previous index as it was. A folder that holds other
data is never built into, and nothing newsqa did not mark as its own is ever deleted.

``format`` holds the names, the manifest, what is newsqa's own and the checks of a data
folder; ``write`` the lock, the checkpoints, the writing and the swap.
"""

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
    Counts,
    FaissSpec,
    FileMeta,
    Manifest,
    check_data,
    check_target,
    claim,
    collect_garbage,
    file_digest,
    read_manifest,
    rebuild_hint,
)
from .write import Checkpoint, IndexData, faiss_spec, index_lock, write_index

__all__ = [
    "ARTICLES",
    "BM25",
    "CATALOG",
    "CHUNKS",
    "CHUNK_SPANS",
    "DATA_PREFIX",
    "FORMAT",
    "FORMAT_VERSION",
    "LOCK_FILE",
    "MANIFEST",
    "MARKER",
    "OFFSETS",
    "PARTIAL_PREFIX",
    "SENTENCES",
    "SENTENCE_SPANS",
    "Checkpoint",
    "Counts",
    "FaissSpec",
    "FileMeta",
    "IndexData",
    "Manifest",
    "check_data",
    "check_target",
    "claim",
    "collect_garbage",
    "faiss_spec",
    "file_digest",
    "index_lock",
    "read_manifest",
    "rebuild_hint",
    "write_index",
]
