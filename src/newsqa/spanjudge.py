"""Whether a short answer is likely right: a logistic judge over the reader's margin and
what the span and its quote look like, fitted on held-out readings of the dev sets by
``benchmarks/reader_margins.py`` and kept in reader_model.json ("span_judge").

The margin alone misjudges spans in two ways that the dev sets show within each set: at one
margin, a span in a long quote is wrong more often than one in a short quote, and a span
that is exactly what the question asks for (a person for "Ai…?", a number for "Bao
nhiêu…?") is right more often than a span around it. The judge weighs these together."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from .spans import valid_candidates
from .text import fold_word, is_stopword, words

KINDS = ("who", "when", "number", "where", "name", "other")
FEATURES = ("margin", "typed", "around_typed", "around_many", "crosses_typed", "log_span_words",
            "log_quote_words", "span_share", "question_in_quote", "span_in_question",
            "has_digit", "capitalised", "has_comma", *(f"asks_{k}" for k in KINDS),
            "margin_typed", "margin_other", "margin_log_span")


def _fit_to_candidates(quote: str, start: int, end: int, question: str, kind: str
                       ) -> tuple[bool, bool, bool, bool]:
    """How the span sits against the candidates of the asked kind: exactly one, around
    exactly one, around several, or crossing one."""
    if kind == "other":
        return False, False, False, False
    cands = valid_candidates(quote, question, kind)
    if (start, end) in cands:
        return True, False, False, False
    inside = sum(start <= s and e <= end for s, e in cands)
    crosses = inside == 0 and any(start < e and s < end for s, e in cands)
    return False, inside == 1, inside > 1, crosses


def span_features(question: str, quote: str, start: int, end: int, kind: str,
                  margin: float) -> np.ndarray:
    """The judge's inputs (``FEATURES``, in order) for the span ``quote[start:end]``, read
    with ``margin`` (on the scale of the held-out readings the judge was fitted on)."""
    span = quote[start:end]
    asked = {fold_word(w) for w in words(question)}
    content = [w for w in asked if not is_stopword(w)]
    quote_words = words(quote)
    in_quote = {fold_word(w) for w in quote_words}
    span_words = [fold_word(w) for w in words(span)]
    n_span, n_quote = len(span_words), len(quote_words)
    typed, around, many, crosses = _fit_to_candidates(quote, start, end, question, kind)
    log_span = math.log1p(n_span)
    values = [margin, typed, around, many, crosses, log_span, math.log1p(n_quote),
              n_span / max(1, n_quote),
              sum(w in in_quote for w in content) / max(1, len(content)),
              sum(w in asked for w in span_words) / max(1, n_span),
              bool(re.search(r"\d", span)), span[:1].isupper(), "," in span,
              *(kind == k for k in KINDS),
              margin * typed, margin * (kind == "other"), margin * log_span]
    return np.array(values, dtype=np.float64)


class SpanJudge:
    """One language's judge: standardised features, logistic weights, the probability a
    span must reach, and the map from the shipped reader's margins to the held-out scale
    the judge was fitted on (the shipped reader, trained on every dev set, reads its own
    questions with larger margins)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        """``spec`` as reader_model.json keeps one language's judge."""
        def vec(key: str) -> np.ndarray:
            return np.asarray(spec[key], dtype=np.float64)

        self.mean, self.scale, self.coef = vec("mean"), vec("scale"), vec("coef")
        self.own, self.held_out = vec("margin_own"), vec("margin_held_out")
        self.bias, self.threshold = float(spec["bias"]), float(spec["threshold"])
        if not (len(self.mean) == len(self.scale) == len(self.coef) == len(FEATURES)):
            raise ValueError("span_judge: one weight per feature expected")

    def held_out_margin(self, margin: float) -> float:
        """The shipped reader's ``margin`` on the held-out readings' scale (same quantile)."""
        return float(np.interp(margin, self.own, self.held_out))

    def probability(self, features: np.ndarray) -> float:
        """The judged chance (0 to 1) that the span is right."""
        z = float(((features - self.mean) / self.scale) @ self.coef) + self.bias
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
