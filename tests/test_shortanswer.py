"""The short-answer model: its candidates, its features and the shipped trees."""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import newsqa
from newsqa.query import term_weights
from newsqa.shortanswer import (
    FEATURES,
    SpanContext,
    best_span,
    candidate_table,
    question_shape,
    span_model,
)
from newsqa.spans import question_type
from newsqa.text import fold_word, is_stopword, words
from newsqa.trees import Trees
from newsqa.tuning import Tuning

from .conftest import ROOT


def _ctx(question: str, **kw: object) -> SpanContext:
    args: dict[str, object] = {
        "question": question, "kind": question_type(question), "english": False,
        "weights": term_weights(question), "hand_best": None, "cite_score": 0.9,
        "cite_gap": 0.02}
    args.update(kw)
    return SpanContext(**args)  # type: ignore[arg-type]


SENTENCES = [
    ("Ông Nguyễn Văn A, Bí thư Đảng ủy Khối, đã ký quy chế phối hợp vào ngày 3/4/2023.",
     "Ai đã ký quy chế phối hợp?"),
    ("Năm 2016, đội giành 24 lần đoạt bóng và ghi được 308 điểm.",
     "Đội có bao nhiêu lần đoạt bóng?"),
    ("Bệnh sốt xuất huyết lây qua muỗi vằn, gây sốt cao và đau đầu.",
     "Bệnh sốt xuất huyết lây qua đâu?"),
]


@pytest.mark.parametrize(("sentence", "question"), SENTENCES)
def test_candidates_are_exact_pieces_that_add_to_the_question(sentence: str,
                                                               question: str) -> None:
    spans, feats = candidate_table(sentence, _ctx(question))
    assert spans and feats.shape == (len(spans), len(FEATURES))
    q_words = {fold_word(w) for w in words(question)}
    for s, e in spans:
        piece = sentence[s:e]
        assert piece == piece.strip() and piece
        new = [w for w in map(fold_word, words(piece)) if w not in q_words and not is_stopword(w)]
        assert new, f"{piece!r} only repeats the question"


def test_a_name_the_earlier_answer_gave_is_not_a_candidate_again() -> None:
    sentence, question = SENTENCES[0]
    spans, _ = candidate_table(sentence, _ctx(question))
    assert "Nguyễn Văn A" in [sentence[s:e] for s, e in spans]
    spans, _ = candidate_table(sentence, _ctx(question, avoid=frozenset({fold_word(
        "Nguyễn Văn A")})))
    assert "Nguyễn Văn A" not in [sentence[s:e] for s, e in spans]


@pytest.mark.parametrize(("sentence", "question"), SENTENCES)
def test_each_candidate_is_placed_among_the_quote_s_others(sentence: str,
                                                           question: str) -> None:
    _, feats = candidate_table(sentence, _ctx(question))
    col = {f: i for i, f in enumerate(FEATURES)}
    relative = [f[:-5] for f in FEATURES if f.endswith("_rank")]
    assert "left_ctx" in relative and "words" in relative
    for f in relative:
        own = feats[:, col[f]]
        assert np.allclose(feats[:, col[f"{f}_gap"]], own - own.max())
        beaten_by = np.array([(own > v).sum() for v in own]) / len(own)
        assert np.allclose(feats[:, col[f"{f}_rank"]], beaten_by)


def test_question_shape_finds_the_wh_word_and_its_neighbours() -> None:
    assert question_shape("Đội nào đã đại diện cho AFC?")[0] == "nao"
    wh, left, right = question_shape("Có bao nhiêu người chết trong vụ cháy?")
    assert wh == "bao_nhieu" and left == [] and fold_word("chết") in right
    assert question_shape("Which team won the title?")[0] == "which"
    assert question_shape("Kể tên các triệu chứng.")[0] == "none"


def test_the_threshold_decides_whether_a_short_answer_is_shown() -> None:
    sentence, question = SENTENCES[1]
    always = best_span(sentence, _ctx(question), min_confidence=-10.0)
    assert always is not None
    s, e, conf = always
    assert sentence[s:e] and conf == pytest.approx(float(
        span_model().predict(candidate_table(sentence, _ctx(question))[1]).max()))
    assert best_span(sentence, _ctx(question), min_confidence=conf + 1e-6) is None


def test_the_shipped_model_is_small_json_over_these_features() -> None:
    path = resources.files("newsqa").joinpath("span_model.json")
    text = path.read_text(encoding="utf-8")
    assert len(text.encode()) < 5_000_000
    spec = json.loads(text)
    assert spec["features"] == list(FEATURES)
    pred = span_model().predict(np.zeros((3, len(FEATURES))))
    assert pred.shape == (3,) and np.isfinite(pred).all()


def test_a_model_for_other_features_is_refused() -> None:
    spec = json.loads(resources.files("newsqa").joinpath("span_model.json").read_text(
        encoding="utf-8"))
    spec["features"] = spec["features"][:-1]
    with pytest.raises(ValueError, match="train_spans"):
        Trees(spec, FEATURES)


def test_exported_trees_predict_what_scikit_learn_predicts() -> None:
    ensemble = pytest.importorskip("sklearn.ensemble")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from train_spans import export

    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, len(FEATURES)))
    x[:, 5] = rng.integers(0, 2, 400)
    y = np.tanh(x[:, 0] * x[:, 3]) + (x[:, 5] > 0.5)
    model = ensemble.GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0)
    model.fit(x, y)
    test = rng.normal(size=(100, len(FEATURES)))
    assert np.abs(Trees(export(model), FEATURES).predict(test) - model.predict(test)).max() < 1e-5


def test_ask_shows_the_short_answer_only_above_the_threshold(seed_index: Path) -> None:
    question = "Ai là người ký kết quy chế thay mặt Đảng ủy Khối?"
    shown = newsqa.load(seed_index, settings=newsqa.Settings(
        tuning=Tuning(span_min_confidence=-10.0))).ask(question)
    span = shown.answer_span
    assert span is not None and span.confidence is not None
    first = shown.citations[0]
    assert first.start <= span.start < span.end <= first.end
    hidden = newsqa.load(seed_index, settings=newsqa.Settings(
        tuning=Tuning(span_min_confidence=span.confidence + 1e-3))).ask(question)
    assert hidden.citations[0].quote == first.quote and hidden.answer_span is None


def test_english_questions_have_their_own_threshold(seed_index: Path) -> None:
    question = "Who signed the coordination regulation for the Đảng ủy Khối?"

    def span(vi: float, en: float) -> object:
        tuning = Tuning(span_min_confidence=vi, span_min_confidence_en=en)
        return newsqa.load(seed_index, settings=newsqa.Settings(tuning=tuning)).ask(
            question).answer_span

    assert span(10.0, -10.0) is not None
    assert span(-10.0, 10.0) is None


@pytest.mark.parametrize(("sentence", "question", "expected"), [
    ("Năm 2016, đội giành 24 lần đoạt bóng và ghi được 308 điểm.",
     "Đội có bao nhiêu lần đoạt bóng?", "24"),
    ("Ông Nguyễn Văn A, Bí thư Đảng ủy Khối, đã ký quy chế phối hợp vào ngày 3/4/2023.",
     "Quy chế phối hợp được ký vào ngày nào?", "ngày 3/4/2023"),
    ("Ông Nguyễn Văn A, Bí thư Đảng ủy Khối, đã ký quy chế phối hợp vào ngày 3/4/2023.",
     "Ai đã ký quy chế phối hợp?", "Nguyễn Văn A"),
])
def test_a_typed_question_gets_the_candidate_of_its_type(sentence: str, question: str,
                                                         expected: str) -> None:
    found = best_span(sentence, _ctx(question), min_confidence=-10.0)
    assert found is not None and sentence[found[0]:found[1]] == expected
