"""The real ``newsqa`` command in a subprocess, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import CORPUS, SIGNER, run_cli


def test_build_is_a_no_op_the_second_time(index_copy: Path) -> None:
    res = run_cli("build", "--corpus", str(CORPUS), "--index", str(index_copy))
    assert res.returncode == 0, res.stderr
    assert "up to date, nothing embedded" in res.stdout
    assert "articles 1 (embedded 0, reused 1" in res.stdout


@pytest.mark.parametrize("question", ["Ai ký kết quy chế phối hợp cho Đảng ủy Khối?",
                                      "Who signed for the Đảng ủy Khối?"])
def test_search_json(seed_index: Path, question: str) -> None:
    res = run_cli("search", question, "--index", str(seed_index), "--json")
    assert res.returncode == 0, res.stderr
    hits = json.loads(res.stdout)
    assert SIGNER in hits[0]["text"] and "ký kết" in hits[0]["text"]
    assert {"article_id", "title", "date", "text", "start", "end", "score"} <= set(hits[0])


def test_ask_json_and_plain(seed_index: Path) -> None:
    res = run_cli("ask", "Who signed for the Đảng ủy Khối?", "--index", str(seed_index),
                  "--json")
    assert res.returncode == 0, res.stderr
    ans = json.loads(res.stdout)
    assert ans["abstained"] is False and SIGNER in ans["citations"][0]["quote"]
    text = (CORPUS / "000_168de5f92c45ac6d.txt").read_text(encoding="utf-8")
    assert ans["citations"][0]["quote"] in text
    plain = run_cli("ask", "Giá vàng hôm nay bao nhiêu?", "--index", str(seed_index))
    assert plain.returncode == 0
    assert plain.stdout.startswith("Không tìm thấy câu trả lời trong kho bài viết.")
    assert "low confidence" in plain.stdout


def test_status(seed_index: Path) -> None:
    res = run_cli("status", "--index", str(seed_index), "--json")
    info = json.loads(res.stdout)
    assert info["articles"] == 1 and info["embedder"] == "e5"


def test_missing_index_says_what_to_do(tmp_path: Path) -> None:
    res = run_cli("ask", "Ai ký?", "--index", str(tmp_path / "none"))
    assert res.returncode == 3
    assert "newsqa build" in res.stderr and "Traceback" not in res.stderr

