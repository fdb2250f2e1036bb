"""Questions about one side of a story: the party named after "phía" (or before "side")."""

from __future__ import annotations

import pytest

import newsqa
from newsqa.sides import asked_party, other_side
from newsqa.text import fold_word
from newsqa.tuning import Tuning

from .conftest import SIGNER
from .test_answer import _check_exact

DOAN_SIDE = "Về phía Đảng ủy Tập đoàn Hóa chất Việt Nam có đồng chí Nguyễn Phú Cường"
KHOI_SIDE = "Tham dự Lễ Ký kết, về phía Đảng ủy Khối Các cơ quan có đồng chí Lê Thị Hồng Nga"


def _folded(*texts: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fold_word(w) for w in text.split()) for text in texts)


@pytest.mark.parametrize(("question", "party"), [
    ("Ai tham dự về phía Tập đoàn?", "Tập đoàn"),
    ("Phía Tập đoàn ai ký?", "Tập đoàn"),
    ("Về phía Đảng ủy Khối, ai tham dự?", "Đảng ủy Khối"),
    ("Who attended for the Tập đoàn side?", "Tập đoàn"),
    ("Who spoke on the hospital's side?", ("hospital", "bệnh viện")),
    ("What did the police side say?", ("police", "công an", "cảnh sát")),
    ("VỀ PHÍA TẬP ĐOÀN, AI THAM DỰ?", "Tập đoàn"),
])
def test_the_party_a_question_asks_about(question: str, party: str | tuple[str, ...]) -> None:
    assert asked_party(question) == _folded(*((party,) if isinstance(party, str) else party))


@pytest.mark.parametrize("question", [
    "Tên khác của Phía Tây Fresno là gì?",  # a direction, not a party
    "Khu phố nào nằm ở phía tây đường cao tốc số 41?",
    "What is another name for the west side of Fresno?",
    "Ai ký kết quy chế phối hợp?",
    "Bên cạnh hoá trị và xạ trị có thể sử dụng thêm biện pháp nào?",
    "phía",
    "",
])
def test_questions_that_name_no_side(question: str) -> None:
    assert asked_party(question) == ()


def test_only_sentences_about_another_side_are_marked() -> None:
    party = asked_party("Ai tham dự về phía Tập đoàn?")
    plain = "Ngày 22/9/2023, Đảng ủy Tập đoàn tổ chức Hội nghị Ký kết."
    assert other_side([KHOI_SIDE, DOAN_SIDE, plain], party) == [True, False, False]
    # The other way round, the Tập đoàn sentence is about the other side.
    party = asked_party("Ai tham dự về phía Đảng ủy Khối?")
    assert other_side([KHOI_SIDE, DOAN_SIDE, plain], party) == [False, True, False]


def test_an_english_party_is_found_by_its_vietnamese_words() -> None:
    party = asked_party("Who attended for the Group side?")
    assert party == _folded("Group", "tập đoàn", "nhóm")
    assert other_side([KHOI_SIDE, DOAN_SIDE], party) == [True, False]


def test_nothing_is_marked_when_no_sentence_reports_the_asked_side() -> None:
    # The question's party may be written otherwise than in the text: then no sentence
    # can be told to be about someone else.
    party = asked_party("Who attended for the Ministry side?")
    assert other_side([KHOI_SIDE, DOAN_SIDE], party) == [False, False]
    assert other_side([KHOI_SIDE, DOAN_SIDE], ()) == [False, False]
    assert other_side([], party) == []


@pytest.mark.parametrize("question", ["Ai tham dự về phía Tập đoàn?",
                                      "Who attended for the Tập đoàn side?",
                                      "Who attended for the Group side?"])
def test_a_question_about_one_side_quotes_that_side_first(seed_qa: newsqa.NewsQA,
                                                          question: str) -> None:
    answer = seed_qa.ask(question)
    assert not answer.abstained
    assert answer.citations[0].quote.startswith("Về phía Đảng ủy Tập đoàn")
    assert SIGNER not in answer.citations[0].quote
    _check_exact(seed_qa, answer)
    # Without the rule the other side's sentence, which also says "Tham dự", came first.
    plain = newsqa.NewsQA(seed_qa.store, seed_qa.embedder,
                          newsqa.Settings(tuning=Tuning(other_side_penalty=0.0)))
    assert SIGNER in plain.ask(question).citations[0].quote


def test_the_other_side_keeps_its_own_sentence(seed_qa: newsqa.NewsQA) -> None:
    answer = seed_qa.ask("Ai tham dự về phía Đảng ủy Khối?")
    assert SIGNER in answer.citations[0].quote
    assert "về phía Đảng ủy Khối" in answer.citations[0].quote
