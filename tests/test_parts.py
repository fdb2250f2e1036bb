"""Questions that ask several things: split into parts, each answered, every part cited."""

from __future__ import annotations

import pytest

import newsqa
from newsqa.compound import question_parts
from newsqa.models import Turn
from newsqa.parts import (
    PART_NO_ANSWER_VI,
    merge_citations,
    merged_text,
    own_first,
)
from newsqa.query import make_query
from newsqa.tuning import Tuning

from .conftest import SIGNER
from .test_answer import _check_exact, _citation


@pytest.mark.parametrize(("question", "parts"), [
    ("Ai ký cho Đảng ủy Khối, và ai ký cho Tập đoàn?",
     ["Ai ký cho Đảng ủy Khối?", "Ai ký cho Tập đoàn?"]),
    ("Ai ký kết quy chế? Lễ ký diễn ra ở đâu?", ["Ai ký kết quy chế?", "Lễ ký diễn ra ở đâu?"]),
    ("Who signed for the Đảng ủy Khối and who signed for the Group?",
     ["Who signed for the Đảng ủy Khối?", "Who signed for the Group?"]),
    ("Who won the final? Where was the final played?",
     ["Who won the final?", "Where was the final played?"]),
    # A fragment without its own asking word, or too short to stand alone, stays with the
    # part before it.
    ("Ai ký kết quy chế? Lễ ký diễn ra ở đâu? Khi nào?",
     ["Ai ký kết quy chế?", "Lễ ký diễn ra ở đâu? Khi nào?"]),
    ("Ai ký kết quy chế phối hợp, và ký ngày 22/9?", []),
    # A second part that only names another party is asked with the first part's words.
    ("Ai ký cho Đảng ủy Khối và cho Tập đoàn?", ["Ai ký cho Đảng ủy Khối?", "Ai ký cho Tập đoàn?"]),
    ("Who signed for the Đảng ủy Khối and for the Group?",
     ["Who signed for the Đảng ủy Khối?", "Who signed for the Group?"]),
    ("Ai tham dự về phía Đảng ủy Khối và về phía Tập đoàn?",
     ["Ai tham dự về phía Đảng ủy Khối?", "Ai tham dự về phía Tập đoàn?"]),
    # Other joining words.
    ("Ai ký kết quy chế, đồng thời ai phát biểu tại lễ ký?",
     ["Ai ký kết quy chế?", "Ai phát biểu tại lễ ký?"]),
    ("Ai ký kết quy chế cũng như ai phát biểu tại lễ ký?",
     ["Ai ký kết quy chế?", "Ai phát biểu tại lễ ký?"]),
    ("Who signed the rules, as well as who spoke at the ceremony?",
     ["Who signed the rules?", "Who spoke at the ceremony?"]),
    ("Who signed the rules and also where was the ceremony held?",
     ["Who signed the rules?", "Where was the ceremony held?"]),
])
def test_a_question_is_split_where_each_part_asks_on_its_own(question: str,
                                                            parts: list[str]) -> None:
    assert [p.text for p in make_query(question).parts] == parts


@pytest.mark.parametrize("question", [
    "Bệnh viện nào và bác sĩ nào mổ?",  # one verb for both: one question
    "Which hospital and which doctor operated?",
    "Có sự khác biệt nào giữa chuột thường và chuột nạp resveratrol, đó là gì?",
    "What is the difference between the first and the second plan?",
    "Ai ký cho Đảng ủy Khối và tại Hà Nội?",  # "tại": a preposition the first part lacks
    "Tác hại cũng như lợi ích của cà phê là gì?",  # "cũng như" joins two things
    "Đi bộ giúp giảm cân, đồng thời cải thiện điều gì?",
    "What are the risks as well as the benefits of coffee?",
])
def test_what_asks_one_thing_is_not_split(question: str) -> None:
    assert make_query(question).parts == ()


def test_parts_keep_the_language_and_filters_of_the_question() -> None:
    query = make_query("Who won the final match, and where was the final match played?")
    assert [p.vietnamese for p in query.parts] == [False, False]
    assert all(p.filters == query.filters and p.parts == () for p in query.parts)
    assert make_query(query.text, split=False).parts == ()
    # English needs fewer content words than Vietnamese syllables to stand alone.
    assert question_parts("Who signed it? Where was it held?", vietnamese=False) == []
    assert len(question_parts("Who signed the rules? Where was the ceremony held?",
                              vietnamese=False)) == 2


def _at(start: int, quote: str) -> newsqa.Citation:
    """A citation of article "a" at ``start``: passages apart do not overlap."""
    return _citation(1, "a", quote, 0.9).model_copy(update={"start": start,
                                                            "end": start + len(quote)})


def test_parts_follow_up_only_when_the_whole_question_does() -> None:
    history = [Turn(question="Lễ ký kết diễn ra ở đâu?", answer="Tại Hà Nội.")]
    query = make_query("Ai ký cho Đảng ủy Khối, và ai ký cho Tập đoàn?", history)
    # "Ai ký cho Tập đoàn?" alone is short enough to read as a follow-up; as a part of a
    # question that stands on its own, it is not one.
    assert make_query("Ai ký cho Tập đoàn?", history).previous is not None
    assert query.previous is None and [p.previous for p in query.parts] == [None, None]
    assert all(p.last_turn == history[-1] for p in query.parts)
    follow = make_query("Còn ai ký cho Đảng ủy Khối, và ai ký cho Tập đoàn?", history)
    assert [p.previous for p in follow.parts] == [history[-1]] * 2


def test_each_part_cites_its_own_passage_first() -> None:
    shared = _at(0, "Đảng ủy Khối và Tập đoàn dự lễ.")
    khoi = _at(100, "Về phía Đảng ủy Khối có ông A.")
    doan = _at(200, "Về phía Tập đoàn có ông B.")
    mine = own_first([[shared, khoi], [shared, doan]])
    # The second part's best passage is the first part's own: it gets its next best.
    assert [c.quote for c in (mine[0][0], mine[1][0])] == [shared.quote, doan.quote]
    cited = merge_citations(mine, limit=3)
    assert [(c.n, c.quote) for c in cited] == [(1, shared.quote), (2, doan.quote),
                                               (3, khoi.quote)]
    text = merged_text(["Ai dự?", "Tập đoàn cử ai?", "Lễ ở đâu?"],
                       [[mine[0][0]], [mine[1][0]], []], cited, PART_NO_ANSWER_VI)
    assert text == (f"{shared.quote} [1] {doan.quote} [2] "
                    + PART_NO_ANSWER_VI.format(part="Lễ ở đâu?"))
    # A part's own brackets are not taken for a citation marker.
    text = merged_text(["Ai dự?", "Lễ [3] ở đâu?"], [[mine[0][0]], []], cited,
                       PART_NO_ANSWER_VI)
    assert "[3]" not in text and "Lễ (3) ở đâu?" in text


def test_every_part_s_first_quote_is_cited_past_the_limit() -> None:
    per_part = [[_at(10 * i, f"Câu {x}{i}.").model_copy(update={"article_id": x})
                 for i in range(3)] for x in "abcd"]
    cited = merge_citations(per_part, limit=3)
    assert [c.quote for c in cited] == ["Câu a0.", "Câu b0.", "Câu c0.", "Câu d0."]
    assert [c.n for c in cited] == [1, 2, 3, 4]


def test_a_question_asking_about_both_sides_quotes_both(seed_qa: newsqa.NewsQA) -> None:
    question = "Ai tham dự về phía Đảng ủy Khối, và ai tham dự về phía Tập đoàn?"
    answer = seed_qa.ask(question)
    assert not answer.abstained
    assert SIGNER in answer.text and "Nguyễn Phú Cường" in answer.text
    assert answer.text.count("[1]") == 1 and "[2]" in answer.text
    _check_exact(seed_qa, answer)


def test_a_part_the_corpus_cannot_answer_is_named(seed_qa: newsqa.NewsQA) -> None:
    answer = seed_qa.ask("Ai ký kết quy chế phối hợp, và ai là tổng thống Mỹ năm 1990?")
    assert not answer.abstained and answer.citations
    assert PART_NO_ANSWER_VI.format(part="Ai là tổng thống Mỹ năm 1990?") in answer.text
    # Asked whole (parts switched off), one answer stands for both.
    whole = newsqa.NewsQA(seed_qa.store, seed_qa.embedder,
                          newsqa.Settings(tuning=Tuning(split_questions=False)))
    asked_whole = whole.ask("Ai ký kết quy chế phối hợp, và ai là tổng thống Mỹ năm 1990?")
    assert "Không tìm thấy câu trả lời cho" not in asked_whole.text


def test_parts_that_all_abstain_cite_as_few_passages_as_one_question(
        seed_qa: newsqa.NewsQA) -> None:
    question = "Giá vàng hôm nay là bao nhiêu, và ai là tổng thống Mỹ năm 1990?"
    assert len(make_query(question).parts) == 2
    for k, most in ((2, 2), (5, 3)):
        answer = seed_qa.ask(question, k=k)
        assert answer.abstained and 0 < len(answer.citations) <= most
        assert all(c.low_confidence for c in answer.citations)
