"""Gradient-boosted regression trees exported as JSON by ``benchmarks/train_spans.py`` and
evaluated with numpy, so that answering needs no scikit-learn and reads no pickle."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np


class Trees:
    """Gradient-boosted regression trees, as exported by ``benchmarks/train_spans.py``:
    a prediction is ``init + rate × Σ tree leaves``. Trees are padded to one node count;
    a leaf points to itself, so every tree is walked ``depth`` steps at once."""

    def __init__(self, spec: dict[str, object], features: tuple[str, ...]) -> None:
        if list(spec["features"]) != list(features):  # type: ignore[call-overload]
            raise ValueError("the trees were trained on other features; run "
                             "benchmarks/train_spans.py again")
        self.init = float(spec["init"])  # type: ignore[arg-type]
        self.rate = float(spec["learning_rate"])  # type: ignore[arg-type]
        self.depth = int(spec["depth"])  # type: ignore[call-overload]
        trees: dict[str, list[list[float]]] = spec["trees"]  # type: ignore[assignment]
        self.feature = np.array(trees["feature"], dtype=np.int64)
        self.threshold = np.array(trees["threshold"], dtype=np.float64)
        self.left = np.array(trees["left"], dtype=np.int64)
        self.right = np.array(trees["right"], dtype=np.int64)
        self.value = np.array(trees["value"], dtype=np.float64)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The prediction for each row of ``x`` (columns: the features the trees were
        checked against)."""
        # Trees compare float32 features, as scikit-learn's do.
        x32 = x.astype(np.float32).astype(np.float64)
        n_trees = self.feature.shape[0]
        node = np.zeros((len(x), n_trees), dtype=np.int64)
        trees = np.arange(n_trees)[None, :]
        rows = np.arange(len(x))[:, None]
        for _ in range(self.depth):
            f = self.feature[trees, node]
            go_left = x32[rows, f] <= self.threshold[trees, node]
            node = np.where(go_left, self.left[trees, node], self.right[trees, node])
        out: np.ndarray = self.init + self.rate * self.value[trees, node].sum(axis=1)
        return out


@lru_cache(maxsize=4)
def packaged_trees(name: str, features: tuple[str, ...]) -> Trees:
    """Trees shipped in the package as ``name`` (a JSON file beside this module), checked
    against the ``features`` their caller computes."""
    text = resources.files("newsqa").joinpath(name).read_text(encoding="utf-8")
    return Trees(json.loads(text), features)
