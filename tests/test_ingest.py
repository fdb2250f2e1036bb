"""Reading corpus folders into articles."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from newsqa import CorpusError, load_corpus
from newsqa.dates import VN_TZ, parse_date

from .conftest import CORPUS


def test_seed_article_title_date_and_body() -> None:
    corpus = load_corpus(CORPUS)
    [art] = corpus.articles
    assert art.id == "000_168de5f92c45ac6d.txt"
    assert art.title.startswith("Ký kết Quy chế phối hợp công tác")
    assert art.date == datetime(2023, 9, 22, 17, 2, tzinfo=VN_TZ)
    assert art.text.startswith("Ngày 22/9/2023, tại Hà Nội")
    assert "05:02 CH" not in art.text
    assert art.content_hash


@pytest.mark.parametrize("value,expected", [
    ("2023-09-22", datetime(2023, 9, 22, tzinfo=VN_TZ)),
    ("2023-09-22T08:30:00", datetime(2023, 9, 22, 8, 30, tzinfo=VN_TZ)),
    ("20230922", datetime(2023, 9, 22, tzinfo=VN_TZ)),
    ("22/09/2023", datetime(2023, 9, 22, tzinfo=VN_TZ)),
    ("09:15 SA @ Thứ Hai - 1 Tháng Mười Hai, 2025", datetime(2025, 12, 1, 9, 15, tzinfo=VN_TZ)),
    ("12:05 CH @ Chủ Nhật - 3 Tháng Tư, 2022", datetime(2022, 4, 3, 12, 5, tzinfo=VN_TZ)),
    ("not a date", None),
])
def test_parse_date_forms(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_jsonl_json_md_and_problems_are_reported(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    good = {"id": "a1", "title": "Tin A", "text": "Nội dung bài A.", "date": "20230101",
            "source": "vnexpress"}
    lines = [json.dumps(good, ensure_ascii=False), "{broken", json.dumps({"id": "x"}),
             json.dumps({**good, "text": "Bài trùng id."})]
    (tmp_path / "sub" / "news.jsonl").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "list.json").write_text(json.dumps([{"title": "Tin B", "text": "Bài B."}],
                                                   ensure_ascii=False), encoding="utf-8")
    nfd = unicodedata.normalize("NFD", "Tiêu đề\n\nThủy điện Hòa Bình.")
    (tmp_path / "c.md").write_text(nfd, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    ids = [a.id for a in corpus.articles]
    assert ids == ["c.md", "list.json#0", "a1", "a1~2"]
    md = corpus.articles[0]
    assert md.text == unicodedata.normalize("NFC", "Thủy điện Hòa Bình.")
    assert corpus.articles[2].source == "vnexpress"
    text = "\n".join(corpus.warnings)
    assert "sub/news.jsonl:2: malformed JSON" in text
    assert "sub/news.jsonl:3: record has no 'text'" in text
    assert "duplicate id 'a1'" in text


def test_encodings_binary_and_empty(tmp_path: Path) -> None:
    cp1258 = "Tin\n\nHà Nam mùa thu, Đà Lat".encode("cp1258")
    (tmp_path / "cp.txt").write_bytes(cp1258)
    (tmp_path / "u16.txt").write_bytes("Tiêu đề\n\nĐà Nẵng.".encode("utf-16"))
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "empty.txt").write_bytes(b"")
    corpus = load_corpus(tmp_path)
    texts = {a.id: a.text for a in corpus.articles}
    assert texts["u16.txt"] == "Đà Nẵng."
    assert texts["cp.txt"].startswith("Hà Nam mùa thu, Đà")
    warn = "\n".join(corpus.warnings)
    assert "bin.txt: binary data" in warn and "empty.txt: empty file" in warn


def test_missing_and_empty_corpus_raise(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match="no readable article"):
        load_corpus(tmp_path)
