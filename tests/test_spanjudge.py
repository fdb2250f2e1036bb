"""The span judge: its features, its record, and what the shipped judge has learnt."""

from __future__ import annotations

import numpy as np
import pytest

from newsqa.reader import reader
from newsqa.spanjudge import FEATURES, SpanJudge, span_features

QUOTE = "Ông Nguyễn Văn A, Bí thư Đảng ủy Khối, đã ký quy chế phối hợp vào ngày 3/4/2023."
QUESTION = "Ai đã ký quy chế phối hợp?"


def _feature(values: np.ndarray, name: str) -> float:
    return float(values[FEATURES.index(name)])


def _span(text: str, quote: str = QUOTE) -> tuple[int, int]:
    start = quote.index(text)
    return start, start + len(text)


def test_how_a_span_sits_against_the_asked_kind() -> None:
    def sits(text: str) -> tuple[float, ...]:
        x = span_features(QUESTION, QUOTE, *_span(text), "who", 3.0)
        return tuple(_feature(x, f) for f in ("typed", "around_typed", "around_many",
                                              "crosses_typed"))

    assert sits("Nguyễn Văn A") == (1, 0, 0, 0)
    assert sits("Ông Nguyễn Văn A") == (0, 1, 0, 0)
    assert sits("Văn A, Bí thư") == (0, 0, 0, 1)
    assert sits("Bí thư Đảng ủy Khối") == (0, 0, 0, 0)
    # A question that asks for no kind ("other") has no candidates to sit against.
    x = span_features("Quy chế nói gì?", QUOTE, *_span("Nguyễn Văn A"), "other", 3.0)
    assert _feature(x, "typed") == 0 and _feature(x, "asks_other") == 1


def test_the_features_describe_the_span_and_its_quote() -> None:
    x = span_features(QUESTION, QUOTE, *_span("ký quy chế"), "who", 2.5)
    assert len(x) == len(FEATURES)
    assert _feature(x, "margin") == 2.5 and _feature(x, "margin_other") == 0
    assert _feature(x, "span_in_question") == 1.0  # every word of it is the question's
    assert _feature(x, "question_in_quote") == 1.0
    assert _feature(x, "log_span_words") == pytest.approx(np.log1p(3))
    assert _feature(x, "has_digit") == 0 and _feature(x, "capitalised") == 0
    date = span_features(QUESTION, QUOTE, *_span("3/4/2023"), "when", 1.0)
    assert _feature(date, "has_digit") == 1 and _feature(date, "asks_when") == 1


def test_a_judge_with_a_missing_weight_is_refused() -> None:
    spec = {"mean": [0.0] * len(FEATURES), "scale": [1.0] * len(FEATURES),
            "coef": [0.0] * (len(FEATURES) - 1), "bias": 0.0, "threshold": 0.5,
            "margin_own": [0.0, 1.0], "margin_held_out": [0.0, 1.0]}
    with pytest.raises(ValueError, match="one weight per feature"):
        SpanJudge(spec)


@pytest.mark.parametrize("vietnamese", [True, False])
def test_the_shipped_judge_trusts_a_higher_margin_more(vietnamese: bool) -> None:
    judge = reader().judge(vietnamese)
    span = _span("Nguyễn Văn A")
    chances = [judge.probability(span_features(QUESTION, QUOTE, *span, "who",
                                               judge.held_out_margin(m)))
               for m in np.linspace(-5, 15, 21)]
    assert (np.diff(chances) >= 0).all()
    assert chances[0] < judge.threshold <= chances[-1]
    mapped = [judge.held_out_margin(m) for m in np.linspace(-20, 20, 41)]
    assert (np.diff(mapped) >= 0).all()


def test_the_shipped_judge_trusts_a_span_in_a_long_quote_less() -> None:
    """What the dev sets show within each set, at one margin: a span in a long quote is
    wrong more often (docs/BENCHMARKS.md, "Short answers: the reader")."""
    judge = reader().judge(True)
    long_quote = QUOTE[:-1] + ", " + ", ".join(["cùng các đồng chí trong Ban Thường vụ"] * 8) + "."
    short, long = (judge.probability(span_features(QUESTION, q, *_span("Nguyễn Văn A", q),
                                                   "who", 4.0))
                   for q in (QUOTE, long_quote))
    assert long < short
