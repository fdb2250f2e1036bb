"""Vietnamese typed without marks, restored from the index's own counts (real seed index)."""

from __future__ import annotations

import pytest

import newsqa
from newsqa.restore import Restorer, may_need_restoring, with_tone
from newsqa.text import fold_word, words

from .conftest import SIGNER


@pytest.mark.parametrize(("base", "tone", "written"), [
    ("đôi", "5", "đội"), ("hoang", "2", "hoàng"), ("tuôi", "3", "tuổi"), ("gi", "2", "gì"),
    ("qua", "1", "quá"), ("nguyên", "4", "nguyễn"), ("thuy", "3", "thủy"), ("ma", "", "ma"),
])
def test_tone_marks_go_on_the_vowel_that_carries_them(base: str, tone: str,
                                                      written: str) -> None:
    assert fold_word(with_tone(base, tone)) == fold_word(written)


def test_questions_typed_without_marks_get_the_corpus_spelling(seed_qa: newsqa.NewsQA) -> None:
    restorer = Restorer(seed_qa.store.bm25)
    plain = "Ai ky ket quy che thay mat Dang uy Khoi?"
    assert restorer.needs_restoring(plain)
    restored = restorer.restore(plain)
    expected = "Ai ký kết quy chế thay mặt Đảng ủy Khối?"
    assert [fold_word(w) for w in words(restored)] == [fold_word(w) for w in words(expected)]
    assert restored.endswith("?") and restored[0] == "A"
    assert restorer.restore("Ai ky voi UBND?").endswith(" UBND?")


def test_english_and_marked_questions_are_left_alone(seed_qa: newsqa.NewsQA) -> None:
    restorer = Restorer(seed_qa.store.bm25)
    for question in ["Who signed for the Party Committee?", "What is the price of gold today?",
                     "Ai ký kết quy chế?"]:
        assert not restorer.needs_restoring(question), question
    assert not may_need_restoring("Who signed for the Đảng ủy Khối?")


@pytest.mark.parametrize("question", ["Ai ky ket quy che thay mat Dang uy Khoi?",
                                      "ai ky cho dang uy khoi"])
def test_unmarked_questions_are_answered_like_marked_ones(seed_qa: newsqa.NewsQA,
                                                          question: str) -> None:
    assert seed_qa.prepare(question) != question
    ans = seed_qa.ask(question)
    assert not ans.abstained and SIGNER in ans.citations[0].quote
    assert ans.answer_span is None or ans.answer_span.text == SIGNER


def test_a_question_given_its_marks_says_so(seed_qa: newsqa.NewsQA) -> None:
    assert seed_qa.query("Ai ky ket quy che thay mat Dang uy Khoi?").restored
    assert not seed_qa.query("Ai ký kết quy chế thay mặt Đảng ủy Khối?").restored
    assert not seed_qa.query("Who signed for the Đảng ủy Khối?").restored


def test_split_tone_keeps_the_last_tone_digit() -> None:
    from newsqa.text import split_tone

    assert split_tone(fold_word("đảng")) == ("đang", "3")
    assert split_tone(fold_word("tháng1")) == ("thang", "1")  # "thang11": base, last digit
    assert split_tone("ai") == ("ai", "")
