"""Typed phrases inside a sentence (names, dates, numbers), which the sentence ranker's
"typed" feature counts: pure logic, no index needed."""

from __future__ import annotations

import pytest

from newsqa.spans import question_type, valid_candidates


def _typed(sentence: str, question: str) -> list[str]:
    return [sentence[s:e] for s, e in valid_candidates(sentence, question,
                                                       question_type(question))]


@pytest.mark.parametrize(("sentence", "question", "expected"), [
    ("Năm 2016, đội giành 24 lần đoạt bóng và ghi được 308 điểm.",
     "Đội có bao nhiêu lần đoạt bóng?", "24"),
    ("Tỷ lệ hộ nghèo của huyện giảm còn 27-30% trong năm 2017.",
     "Tỷ lệ hộ nghèo của huyện giảm còn bao nhiêu?", "27-30%"),
    ("Trận đấu còn 4:51 khi đội khách có bóng ở vạch 24.",
     "Trận đấu còn bao nhiêu thời gian khi đội khách có bóng?", "4:51"),
    ("Dự án được đầu tư khoảng 30 triệu USD từ năm 2015.",
     "Dự án được đầu tư bao nhiêu?", "30 triệu"),
    ("Công ty hiện có sáu nhà máy ở miền Bắc.", "Công ty có mấy nhà máy ở miền Bắc?", "sáu"),
])
def test_number_spans_are_the_number_itself(sentence: str, question: str,
                                            expected: str) -> None:
    assert expected in _typed(sentence, question)


def test_the_word_for_year_is_not_the_number_five() -> None:
    sentence = "Trong năm nay, công ty tuyển thêm 450 công nhân."
    assert _typed(sentence, "Công ty tuyển bao nhiêu công nhân trong năm nay?") == ["450"]


def test_words_capitalised_only_by_the_sentence_start_are_not_part_of_a_name() -> None:
    assert _typed("Khi Newton phát biểu định luật, ông mới 23 tuổi.",
                  "Ai phát biểu định luật?") == ["Newton"]
    assert _typed("Khi Nguyễn Văn An đến Đà Nẵng, trời đã tối.",
                  "Ai đến Đà Nẵng khi trời tối?") == ["Nguyễn Văn An"]
    assert _typed("Ông Trần Văn Bình là người sáng lập hợp tác xã.",
                  "Ai sáng lập hợp tác xã?") == ["Trần Văn Bình"]


def test_place_names_that_begin_with_a_function_word_are_kept() -> None:
    sentence = "Ai Cập có nhiều kim tự tháp cổ."
    found = [sentence[s:e] for s, e in valid_candidates(sentence, "Ở đâu có kim tự tháp?",
                                                       "where")]
    assert found == ["Ai Cập"]


@pytest.mark.parametrize(("question", "kind"), [
    ("Cầu thủ nào ghi bàn thắng quyết định?", "who"),
    ("Which player scored the winning goal?", "who"),
    ("Nhà máy được xây ở tỉnh nào?", "where"),
    ("Đội nào giành chức vô địch năm nay?", "name"),
    ("Which company makes the vaccine?", "name"),
    ("Công ty được thành lập năm nào?", "when"),
    ("Có bao nhiêu đội tham gia giải?", "number"),
    ("Vì sao giá xăng tăng?", "other"),
    ("Tên của sân vận động mà các đội đã chơi là gì?", "name"),
    ("Các dịch vụ của hãng được đổi tên thành gì?", "name"),
    ("Người này đề xuất giải thích về động đất, tên của ông là gì?", "who"),
    ("Bức thư được các nhà khoa học ký tên nhằm mục đích gì?", "other"),
])
def test_question_types(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_a_named_body_is_a_name_but_a_lone_vietnamese_syllable_is_not() -> None:
    sentence = "Trận chung kết, Becamex Bình Dương thắng Hà Nội FC với tỷ số 2-1."
    assert _typed(sentence, "Đội nào thắng Hà Nội FC?") == ["Becamex Bình Dương"]
    sentence = "Theo đề xuất, Ủy ban sẽ trình dự thảo trong tháng này."
    assert valid_candidates(sentence, "Cơ quan nào trình dự thảo?", "name") == []


def test_a_person_is_a_name_that_opens_with_a_family_name_or_a_foreign_word() -> None:
    sentence = ("Tham dự Lễ Ký kết có đồng chí Lê Thị Hồng Nga, Bí thư Đảng ủy Khối; "
                "Đức Thánh Trần Hưng Đạo; Émile Zola và Selina Nguyễn; đại diện Bộ Y tế.")
    found = [sentence[s:e] for s, e in valid_candidates(sentence, "Ai tham dự?", "who")]
    # "Lễ Ký" and "Bộ Y" open with Vietnamese words that are no family name.
    assert found == ["Lê Thị Hồng Nga", "Trần Hưng Đạo", "Émile Zola", "Selina Nguyễn"]
    # A named body or a place keeps them.
    assert "Bộ Y" in [sentence[s:e] for s, e in valid_candidates(sentence, "Cơ quan nào?",
                                                                "name")]
    # A lone Vietnamese syllable without marks ("Trung" of "Trung ương") is no foreign name.
    sentence = "Dự có các cơ quan Trung ương và Newton."
    assert [sentence[s:e] for s, e in valid_candidates(sentence, "Ai dự?", "who")] == \
        ["Newton"]


@pytest.mark.parametrize(("sentence", "person"), [
    ("Hội nghị tổ chức tại TP. Hồ Chí Minh, ông Nguyễn Văn A chủ trì.", "Nguyễn Văn A"),
    ("Sở Y tế TP HCM cho biết bà Lê Thị B đã ký.", "Lê Thị B"),
    ("Nhà hàng trên đường Hai Bà Trưng do ông Trần Văn C làm chủ.", "Trần Văn C"),
    ("Bác sĩ Phạm Văn D, Bệnh viện Bạch Mai, cho biết.", "Phạm Văn D"),
    ("Ngày 22/9/2023, tại Hà Nội, ông Hà Văn E phát biểu.", "Hà Văn E"),
    ("Bộ trưởng yêu cầu Nguyễn Văn F báo cáo về môi trường ở Hà Nội.", "Nguyễn Văn F"),
])
def test_a_place_named_after_a_person_is_not_the_person_asked_for(sentence: str,
                                                                  person: str) -> None:
    found = [sentence[s:e] for s, e in valid_candidates(sentence, "Ai đã ký?", "who")]
    assert found == [person]
    # The same names are still places for "Ở đâu?".
    places = [sentence[s:e] for s, e in valid_candidates(sentence, "Ở đâu?", "where")]
    assert any(p not in person for p in places)
