"""Answers with exact citations, abstention and follow-ups, on real indexes."""

from __future__ import annotations

import gzip
import json
import shutil
import unicodedata
from pathlib import Path

import pytest

import newsqa
from newsqa.answer import (
    NO_ANSWER_EN,
    NO_ANSWER_VI,
    answered_before,
    last_answer,
    local_idf,
    unseen_names,
)
from newsqa.citations import announces, joined_quotes, leans_on_previous
from newsqa.query import make_query
from newsqa.spans import valid_candidates
from newsqa.text import content_words, search_terms
from newsqa.tuning import Tuning

from .conftest import CORPUS, SIGNER, shared_file

SIGNER_QUESTIONS = ["Who signed for the Đảng ủy Khối?",
                    "Ai là người ký kết quy chế thay mặt Đảng ủy Khối?"]
ABSENT_QUESTIONS = ["What is the price of gold today?", "Giá vàng hôm nay bao nhiêu?"]


def _check_exact(qa: newsqa.NewsQA, answer: newsqa.Answer) -> None:
    for c in answer.citations:
        art = qa.store.articles[qa.store.article_rows[c.article_id]]
        assert art.text[c.start:c.end] == c.quote
        assert art.text[c.context_start:c.context_start + len(c.context)] == c.context
    if answer.answer_span:
        first = answer.citations[0]
        assert first.start <= answer.answer_span.start < answer.answer_span.end <= first.end


@pytest.mark.parametrize("question", SIGNER_QUESTIONS)
def test_signer_questions_are_answered_with_exact_quotes(seed_qa: newsqa.NewsQA,
                                                          question: str) -> None:
    ans = seed_qa.ask(question)
    assert not ans.abstained
    assert SIGNER in ans.citations[0].quote
    assert "[1]" in ans.text and ans.citations[0].quote in ans.text
    assert ans.answer_span is None or ans.answer_span.text == SIGNER
    _check_exact(seed_qa, ans)


@pytest.mark.parametrize("question", ABSENT_QUESTIONS)
def test_absent_topics_abstain_in_the_question_language(seed_qa: newsqa.NewsQA,
                                                        question: str) -> None:
    ans = seed_qa.ask(question)
    assert ans.abstained and ans.answer_span is None
    assert ans.text == (NO_ANSWER_EN if question.startswith("What") else NO_ANSWER_VI)
    assert ans.citations and all(c.low_confidence for c in ans.citations)
    _check_exact(seed_qa, ans)


def test_follow_up_uses_history(seed_qa: newsqa.NewsQA) -> None:
    first = seed_qa.ask("Ai ký cho Đảng ủy Khối?")
    assert first.answer_span is None or first.answer_span.text == SIGNER
    follow = seed_qa.ask("Còn phía Tập đoàn thì ai ký?",
                         history=[newsqa.Turn(question="Ai ký cho Đảng ủy Khối?",
                                              answer=first.text)])
    assert not follow.abstained
    assert follow.answer_span is None or follow.answer_span.text == "Nguyễn Phú Cường"


def test_contrasting_follow_up_turns_to_the_other_party(seed_qa: newsqa.NewsQA) -> None:
    """after "Ai ký … cho Đảng ủy Khối?", "Còn phía Tập đoàn thì ai ký?" cites the
    sentence naming the Group's signer, and cites again nothing the first answer quoted"""
    question = "Ai ký kết quy chế phối hợp cho Đảng ủy Khối?"
    first = seed_qa.ask(question)
    follow = seed_qa.ask("Còn phía Tập đoàn thì ai ký?",
                         history=[newsqa.Turn(question=question, answer=first.text)])
    assert any("Nguyễn Phú Cường" in c.quote for c in follow.citations)
    assert not any(c.quote[:80] in first.text for c in follow.citations)


def test_the_issue_s_follow_up_quotes_the_group_s_signer_first(seed_qa: newsqa.NewsQA) -> None:
    """Issue 13: after "Ai ký kết quy chế phối hợp?", "Còn phía Tập đoàn thì ai ký?"
    repeated the Đảng ủy Khối sentence. Its first quote is now the caption naming who
    signed; the opening sentence, whose only "persons" were the cities "Hà Nội" (after
    "tại") and "Hồ Chí Minh" (after "TP."), no longer counts as naming one."""
    question = "Ai ký kết quy chế phối hợp?"
    first = seed_qa.ask(question)
    follow = seed_qa.ask("Còn phía Tập đoàn thì ai ký?",
                         history=[newsqa.Turn(question=question, answer=first.text)])
    quote = follow.citations[0].quote
    assert "Nguyễn Phú Cường" in quote and "ký kết" in quote
    _check_exact(seed_qa, follow)


def test_terms_every_candidate_shares_weigh_least() -> None:
    sentences = ["Tesla sinh năm 1856 tại Smiljan.", "Tesla chuyển đến Mỹ năm 1884.",
                 "Công ty đã lắp đặt hệ thống chiếu sáng do Tesla thiết kế."]
    idf = local_idf(["tesla", "chiêu1_sang1", "thiêt1_kê1"],
                    [set(search_terms(s)) for s in sentences])
    assert idf["tesla"] < idf["chiêu1_sang1"] == idf["thiêt1_kê1"]


def test_single_foreign_names_answer_who_but_vietnamese_syllables_do_not() -> None:
    sentence = "Định luật này do Newton phát biểu, được Tập đoàn in lại."
    found = [sentence[s:e] for s, e in valid_candidates(sentence, "Ai phát biểu?", "who")]
    assert found == ["Newton"]
    place = "Hội nghị diễn ra tại Huế hôm qua."
    assert [place[s:e] for s, e in valid_candidates(place, "Ở đâu?", "where")] == ["Huế"]


def test_sentences_that_open_with_a_pronoun_lean_on_the_previous_one() -> None:
    for sentence in ["Anh ấy cũng là thủ quân lớn tuổi nhất.", "Ngày nay, điều này được gọi "
                     "là lý thuyết Miasma.", "Ông cho biết dự án sẽ xong vào năm sau.",
                     "“Đây là lần đầu tiên chúng tôi làm vậy."]:
        assert leans_on_previous(sentence), sentence
    for sentence in ["Ông Nguyễn Văn An cho biết dự án sẽ xong.", "Chúng tôi đã ký kết.",
                     "Đảng ủy Khối và Tập đoàn ký quy chế.", "Năm 2015, công ty mở rộng."]:
        assert not leans_on_previous(sentence), sentence


def _qa_over(tmp_path: Path, articles: dict[str, str]) -> newsqa.NewsQA:
    """An index built from ``articles`` (file name → text) in a new corpus folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in articles.items():
        (corpus / name).write_text(text, encoding="utf-8")
    newsqa.build_index(corpus, tmp_path / "ix")
    return newsqa.load(tmp_path / "ix")


def test_a_quote_that_leans_on_the_sentence_before_takes_it_in(tmp_path: Path) -> None:
    qa = _qa_over(tmp_path, {"hop-tac-xa.txt": (
        "Hợp tác xã Cà phê Núi Xanh khai trương nhà máy mới\n\n"
        "Hợp tác xã Cà phê Núi Xanh vừa khai trương nhà máy rang xay tại huyện Krông Pắc. "
        "Ông Trần Văn Bình được bầu làm chủ tịch hợp tác xã từ năm 2015. "
        "Ông cũng là người đặt nền móng cho thương hiệu cà phê sạch của vùng. "
        "Nhà máy có công suất 500 tấn cà phê nhân mỗi năm.\n")})
    ans = qa.ask("Ai là người đặt nền móng cho thương hiệu cà phê sạch của vùng?")
    assert not ans.abstained
    first = ans.citations[0]
    assert first.quote.startswith("Ông Trần Văn Bình") and first.quote.endswith("của vùng.")
    # The person the quote names across its two sentences, with or without "Ông".
    assert ans.answer_span is None or ans.answer_span.text.endswith("Trần Văn Bình")
    assert all(c.quote != first.quote.split(". ")[0] + "." for c in ans.citations[1:])
    _check_exact(qa, ans)


def test_names_and_numbers_no_passage_mentions_are_unseen() -> None:
    texts = ["Argentina vô địch World Cup 2018 tại Nga.", "Dân số Na Uy là 5 triệu người.",
             "Đội Broncos thắng ở Hà Nội."]
    assert unseen_names("Who won the 2022 World Cup?", texts, english=True) == ["2022"]
    assert unseen_names("How many people live in Norway?", texts, english=True) == []
    assert unseen_names("Did the Bronco team win in Ha Noi?", texts, english=True) == []
    assert unseen_names("Ai vô địch World Cup ở Qatar?", texts, english=False) == ["Qatar"]
    assert unseen_names("What did the Prime Minister of Japan say?",
                        ["Thủ tướng Nhật Bản phát biểu tại hội nghị."], english=True) == []


def test_nfd_question_gives_the_same_answer(seed_qa: newsqa.NewsQA) -> None:
    q = SIGNER_QUESTIONS[1]
    assert seed_qa.ask(unicodedata.normalize("NFD", q)) == seed_qa.ask(q)


def test_answer_json_has_the_documented_keys(seed_qa: newsqa.NewsQA) -> None:
    data = json.loads(seed_qa.ask(SIGNER_QUESTIONS[0]).model_dump_json())
    assert set(data) == {"text", "citations", "abstained", "answer_span", "searched_articles",
                         "excluded_articles", "language"}
    assert {"n", "article_id", "title", "date", "quote", "start", "end", "score",
            "context"} <= set(data["citations"][0])


@pytest.mark.shared
@pytest.mark.slow
def test_answers_hold_with_hundreds_of_unrelated_articles(tmp_path: Path) -> None:
    src = shared_file("data/baomoi-2017.jsonl.gz")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(CORPUS.glob("*.txt")), corpus)
    with gzip.open(src, "rt", encoding="utf-8") as fh, \
            (corpus / "baomoi.jsonl").open("w", encoding="utf-8") as out:
        kept = 0
        for line in fh:
            # Short articles keep the build quick; they are as unrelated as long ones.
            if len(json.loads(line)["text"]) < 800:
                out.write(line)
                kept += 1
                if kept == 200:
                    break
    newsqa.build_index(corpus, tmp_path / "ix")
    qa = newsqa.load(tmp_path / "ix")
    assert qa.status()["articles"] == 201
    for question in SIGNER_QUESTIONS:
        ans = qa.ask(question)
        assert not ans.abstained and SIGNER in ans.citations[0].quote
        _check_exact(qa, ans)
    hits = qa.search("Who signed for the Đảng ủy Khối?", k=1)
    assert SIGNER in hits[0].text


@pytest.mark.parametrize("question", ["asdkjh qwe zzz", "<img src=x onerror=alert(1)>",
                                      "qwertyuiop asdfghjkl", "jjjjj kkkk llll"])
def test_gibberish_markup_and_keyboard_mash_abstain(seed_qa: newsqa.NewsQA,
                                                    question: str) -> None:
    ans = seed_qa.ask(question)
    assert ans.abstained and ans.answer_span is None
    assert all(c.low_confidence for c in ans.citations)


def _citation(n: int, article: str, quote: str, score: float) -> newsqa.Citation:
    return newsqa.Citation(n=n, article_id=article, title=article, quote=quote, start=0,
                           end=len(quote), score=score, context=quote, context_start=0)


def test_quotes_of_other_articles_join_when_they_name_what_the_first_lacks() -> None:
    query = make_query("Ai ký thay mặt Đảng ủy Khối và Tập đoàn Dầu khí?")
    first = _citation(1, "a", "Ông Nguyễn Văn A ký thay mặt Đảng ủy Khối.", 0.90)
    same = _citation(2, "a", "Lễ ký diễn ra tại Hà Nội, có Tập đoàn Dầu khí dự.", 0.895)
    other = _citation(3, "b", "Ông Trần Văn B ký thay mặt Tập đoàn Dầu khí.", 0.885)
    tuning = Tuning(second_quote_gap=0.0)
    assert [c.n for c in joined_quotes([first, same, other], query, tuning)] == [1, 3]
    # Too far below the first, or naming nothing new: left as a citation only.
    far = other.model_copy(update={"score": 0.85})
    assert [c.n for c in joined_quotes([first, same, far], query, tuning)] == [1]
    repeat = other.model_copy(update={"quote": "Đảng ủy Khối họp thường kỳ."})
    assert [c.n for c in joined_quotes([first, same, repeat], query, tuning)] == [1]
    # A close second quote joins, as before, whatever its article.
    assert [c.n for c in joined_quotes([first, same], query, Tuning())] == [1, 2]


def test_an_answer_drawn_from_two_articles_cites_both(tmp_path: Path) -> None:
    qa = _qa_over(tmp_path, {
        "a.txt": "Đảng ủy Khối ký quy chế phối hợp\n\nSáng 12/3, tại TP Hồ Chí Minh, Đảng ủy "
                 "Khối các cơ quan Trung ương ký kết quy chế phối hợp công tác. Đồng chí Trần "
                 "Minh Tâm, Phó Bí thư Đảng ủy Khối, ký thay mặt Đảng ủy Khối. Buổi lễ có nhiều "
                 "đại biểu tham dự.\n",
        "b.txt": "Tập đoàn Dầu khí cam kết thực hiện quy chế\n\nTập đoàn Dầu khí Việt Nam cho "
                 "biết sẽ triển khai quy chế phối hợp trong toàn hệ thống. Ông Phạm Văn Hùng, "
                 "Tổng Giám đốc, ký thay mặt Tập đoàn Dầu khí. Tập đoàn có hơn 50 đơn vị thành "
                 "viên.\n"})
    ans = qa.ask("Ai ký thay mặt Đảng ủy Khối và ai ký thay mặt Tập đoàn Dầu khí?")
    assert "Trần Minh Tâm" in ans.text and "Phạm Văn Hùng" in ans.text
    cited = {c.article_id for c in ans.citations if f"[{c.n}]" in ans.text}
    assert cited == {"a.txt", "b.txt"}
    _check_exact(qa, ans)


_TWO_PATIENTS = {
    "ruot.txt": "Cụ bà 80 tuổi bị tắc ruột\n\nCụ bà 80 tuổi ở Long An nhập viện vì đau bụng kéo "
                "dài, nôn nhiều và bụng trướng to. Các bác sĩ phát hiện cụ bị tắc ruột do khối u "
                "đại tràng và mổ cấp cứu ngay trong đêm. Sau ca mổ, bệnh nhân nằm viện 12 ngày "
                "rồi xuất viện.\n",
    "tai.txt": "Bé gái 5 tuổi bị hạt cườm rơi vào tai\n\nBé gái 5 tuổi ở Hà Nội được đưa đến "
               "bệnh viện vì đau tai sau khi chơi với hạt cườm. Các bác sĩ nội soi gắp hạt cườm "
               "ra khỏi tai bé. Sau thủ thuật, bệnh nhân nằm viện 2 ngày để theo dõi.\n",
}


def test_a_conversation_stays_with_its_article_until_the_question_moves_on(
        tmp_path: Path) -> None:
    qa = _qa_over(tmp_path, _TWO_PATIENTS)
    question = "Bệnh nhân nằm viện bao nhiêu ngày?"
    for article, turn in (
            ("ruot.txt", {"question": "Vì sao cụ bà ở Long An phải mổ cấp cứu?",
                          "answer": "Cụ bị tắc ruột do khối u đại tràng."}),
            ("tai.txt", {"question": "Các bác sĩ làm gì cho bé gái 5 tuổi?",
                         "answer": "Các bác sĩ nội soi gắp hạt cườm ra khỏi tai bé."})):
        ans = qa.ask(question, history=[turn])
        assert ans.citations[0].article_id == article, (turn, ans.text)
        _check_exact(qa, ans)
    # After talking about the girl, a question that names the old woman's story moves on.
    moved = qa.ask("Cụ bà ở Long An bị tắc ruột do đâu?",
                   history=[{"question": "Các bác sĩ làm gì cho bé gái 5 tuổi?",
                             "answer": "Các bác sĩ nội soi gắp hạt cườm ra khỏi tai bé."}])
    assert moved.citations[0].article_id == "ruot.txt"


def test_the_sentence_the_last_answer_gave_is_not_given_again(tmp_path: Path) -> None:
    qa = _qa_over(tmp_path, _TWO_PATIENTS)
    turn = {"question": "Các bác sĩ làm gì cho bé gái?",
            "answer": "Các bác sĩ nội soi gắp hạt cườm ra khỏi tai bé."}
    earlier = last_answer(qa.query("Sau đó bé thế nào?", [newsqa.Turn.model_validate(turn)]))
    assert answered_before("Các bác sĩ nội soi gắp hạt cườm ra khỏi tai bé.", earlier)
    assert answered_before("Ông nói: các bác sĩ nội soi gắp hạt cườm ra khỏi tai bé.", earlier)
    assert not answered_before("Sau thủ thuật, bệnh nhân nằm viện 2 ngày để theo dõi.", earlier)
    assert not answered_before("Các bác sĩ nội soi gắp hạt cườm ra khỏi tai bé.",
                               last_answer(qa.query("Sau đó bé thế nào?")))


def test_a_sentence_that_only_announces_is_quoted_with_the_next(tmp_path: Path) -> None:
    assert announces("Trên thực tế, quá trình hiến phân rất phức tạp.",
                     set(content_words("Quá trình hiến phân diễn ra như thế nào?")), 5)
    assert announces("Hệ thống được chia thành các loại sau:", set(), 5)
    assert not announces("Người hiến phải cung cấp hồ sơ y tế của bản thân và gia đình.",
                         set(content_words("Quá trình hiến phân diễn ra như thế nào?")), 5)
    qa = _qa_over(tmp_path, {"hien-phan.txt": (
        "Ngân hàng phân ở Hà Lan cần người hiến\n\n"
        "Ngân hàng phân đầu tiên của Hà Lan mở cửa ở Leiden từ năm 2016. "
        "Trên thực tế, quá trình hiến phân rất phức tạp. "
        "Người hiến phải cung cấp hồ sơ y tế của bản thân và gia đình, sau đó làm xét "
        "nghiệm máu.\n\n"
        "Mỗi lần hiến, người hiến nhận 50 euro.\n")})
    ans = qa.ask("Quá trình hiến phân diễn ra như thế nào?")
    first = ans.citations[0]
    assert first.quote.startswith("Trên thực tế") and first.quote.endswith("xét nghiệm máu."), \
        first.quote
    assert all("xét nghiệm máu" not in c.quote for c in ans.citations[1:])
    _check_exact(qa, ans)
    # A typed question answered by the sentence itself keeps its quote to that sentence.
    when = qa.ask("Ngân hàng phân đầu tiên của Hà Lan mở cửa từ năm nào?")
    assert when.citations[0].quote.endswith("từ năm 2016."), when.citations[0].quote


def test_a_first_quote_runs_on_to_the_next_sentence_when_that_one_scores_second(
        tmp_path: Path) -> None:
    lead = "Trẻ sơ sinh non tháng, nhẹ cân có nguy cơ mắc nhiều chứng bệnh bởi mọi cơ quan " \
        "đều chưa trưởng thành."
    answer = "Bé có thể bị suy hô hấp, nhiễm trùng hoặc di chứng bại não, mù lòa suốt đời."
    _qa_over(tmp_path, {
        "sinh-non.txt": "Trẻ sinh non cần được chăm sóc đặc biệt\n\n"
        "Bệnh viện Phụ sản Trung ương vừa khai trương khoa hồi sức sơ sinh với 40 giường. "
        f"{lead} {answer}\n\n"
        "Theo bác sĩ Nguyễn Thị Lan, khoa được trang bị máy thở và lồng ấp hiện đại. "
        "Mỗi tháng, khoa dự kiến tiếp nhận khoảng 300 ca. "
        "Các bác sĩ khuyên sản phụ khám thai định kỳ và nghỉ ngơi hợp lý.\n",
        "lua.txt": "Giá lúa tăng\n\nGiá lúa tại An Giang tăng 200 đồng mỗi kg trong tuần qua. "
        "Nông dân phấn khởi vì vụ đông xuân được mùa.\n"})
    question = "Trẻ sinh non có nguy cơ mắc những chứng bệnh nào?"
    by_limit: dict[int, list[str]] = {}
    for limit in (400, len(lead) + len(answer), 0):
        settings = newsqa.Settings(tuning=Tuning(run_on_max_chars=limit))
        qa = newsqa.load(tmp_path / "ix", settings=settings)
        ans = qa.ask(question)
        _check_exact(qa, ans)
        by_limit[limit] = [c.quote for c in ans.citations]
    assert by_limit[400][0] == f"{lead} {answer}"
    assert all(answer not in q for q in by_limit[400][1:])
    # Longer together than the limit (by the space between them), or the rule off: apart.
    for limit in (len(lead) + len(answer), 0):
        assert by_limit[limit][0] == lead and by_limit[limit][1] == answer, by_limit[limit]


def test_the_last_turn_is_read_in_nfc_and_an_answer_that_found_nothing_names_nothing(
        tmp_path: Path) -> None:
    qa = _qa_over(tmp_path, _TWO_PATIENTS)
    nfd = unicodedata.normalize("NFD", "Bé gái nằm viện 2 ngày.")
    query = qa.query("Vì sao?", [newsqa.Turn(question="Bé nằm viện mấy ngày?", answer=nfd)])
    assert query.last_turn is not None
    assert query.last_turn.answer == unicodedata.normalize("NFC", nfd)
    for nothing in (NO_ANSWER_VI, NO_ANSWER_EN):
        query = qa.query("Vì sao?", [newsqa.Turn(question="Ai?", answer=nothing)])
        assert query.last_turn is not None and query.last_turn.answer == ""
    # However long an answer the caller passes back, only its start is read.
    cap = qa.settings.max_history_answer_chars
    query = qa.query("Vì sao?", [newsqa.Turn(question="Ai?", answer="nằm viện " * cap)])
    assert query.last_turn is not None and len(query.last_turn.answer) == cap
