"""``newsqa eval`` on SQuAD-format files (a smoke version; the full figures are in docs/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import newsqa
from newsqa import DatasetError
from newsqa.evaluate import evaluate, span_scores

from .conftest import run_cli, shared_file

KEYS = {"recall@1", "recall@5", "mrr@10", "answer_accuracy", "cited@3", "span_em", "span_f1",
        "span_shown", "span_f1_shown", "abstain_rate", "quote_chars", "latency_ms_p50",
        "latency_ms_p95",
        "build_seconds", "questions", "follow_ups", "follow_up_accuracy"}


def _tiny_squad(path: Path) -> Path:
    ctx1 = ("Ngày 2/9/1945, Chủ tịch Hồ Chí Minh đọc Tuyên ngôn Độc lập tại Quảng trường Ba "
            "Đình. Sự kiện khai sinh nước Việt Nam Dân chủ Cộng hòa.")
    ctx2 = ("Vịnh Hạ Long có khoảng 1.600 hòn đảo lớn nhỏ. Vịnh được UNESCO công nhận là di "
            "sản thiên nhiên thế giới năm 1994.")
    data = {"version": "1.1", "data": [
        {"title": "Lịch_sử", "paragraphs": [{"context": ctx1, "qas": [
            {"id": "q1", "question": "Ai đọc Tuyên ngôn Độc lập?",
             "answers": [{"text": "Hồ Chí Minh", "answer_start": ctx1.index("Hồ Chí Minh")}]},
        ]}]},
        {"title": "Địa_lý", "paragraphs": [{"context": ctx2, "qas": [
            {"id": "q2", "question": "Vịnh Hạ Long có bao nhiêu hòn đảo?",
             "answers": [{"text": "1.600", "answer_start": ctx2.index("1.600")}]},
            {"id": "q3", "question": "When did UNESCO recognise Ha Long Bay?",
             "answers": [{"text": "1994", "answer_start": ctx2.index("1994")}]},
        ]}]},
    ]}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_span_scores() -> None:
    assert span_scores("Hồ Chí Minh", ["hồ chí minh"]) == (1.0, 1.0)
    em, f1 = span_scores("Chủ tịch Hồ Chí Minh", ["Hồ Chí Minh"])
    assert em == 0.0 and abs(f1 - 0.75) < 1e-9


def test_eval_is_deterministic_and_reports_every_key(tmp_path: Path) -> None:
    squad = _tiny_squad(tmp_path / "tiny.json")
    first = evaluate(squad).to_json()
    second = evaluate(squad).to_json()
    assert set(first) == KEYS and first["questions"] == 3
    quality = [k for k in KEYS if not k.startswith(("latency", "build"))]
    assert {k: first[k] for k in quality} == {k: second[k] for k in quality}
    assert first["recall@5"] == 1.0 and first["answer_accuracy"] >= 2 / 3
    contexts = [p["context"] for d in json.loads(squad.read_text(encoding="utf-8"))["data"]
                for p in d["paragraphs"]]
    assert 0 < first["quote_chars"] <= max(len(c) for c in contexts)


def test_eval_cli_json(tmp_path: Path) -> None:
    res = run_cli("eval", str(_tiny_squad(tmp_path / "tiny.json")), "--json")
    assert res.returncode == 0, res.stderr
    assert set(json.loads(res.stdout)) == KEYS


@pytest.mark.shared
@pytest.mark.slow
def test_eval_smoke_on_xquad(tmp_path: Path) -> None:
    path = shared_file("data/xquad-vi-dev.json")
    res = run_cli("eval", str(path), "--limit", "12", "--json")
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)
    assert figures["questions"] == 12 and figures["recall@5"] >= 0.75


def test_eval_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    res = run_cli("eval", str(bad))
    assert res.returncode == 2 and "SQuAD" in res.stderr and "Traceback" not in res.stderr


def test_eval_asks_with_the_history_of_each_question(tmp_path: Path) -> None:
    squad = _tiny_squad(tmp_path / "tiny.json")
    data = json.loads(squad.read_text(encoding="utf-8"))
    qas = data["data"][1]["paragraphs"][0]["qas"]
    ctx = data["data"][1]["paragraphs"][0]["context"]
    qas.append({"id": "q4", "question": "Còn năm được công nhận thì sao?",
                "history": [{"question": "Vịnh Hạ Long có bao nhiêu hòn đảo?",
                             "answer": "Vịnh Hạ Long có khoảng 1.600 hòn đảo lớn nhỏ."}],
                "answers": [{"text": "1994", "answer_start": ctx.index("1994")}]})
    squad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    seen: list[tuple[str, object]] = []
    real = newsqa.NewsQA.ask_with_hits

    def spy(self, question, history=None, **kw):  # type: ignore[no-untyped-def]
        seen.append((question, history))
        return real(self, question, history, **kw)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(newsqa.NewsQA, "ask_with_hits", spy)
        report = evaluate(squad).to_json()
    assert report["questions"] == 4 and 0.0 <= report["span_shown"] <= 1.0
    # Only q4 has a history; its answer (the recognition sentence) holds 1994.
    assert report["follow_ups"] == 1 and report["follow_up_accuracy"] == 1.0
    assert [h for _, h in seen[:3]] == [None, None, None]
    assert seen[3][1] == [newsqa.Turn(question="Vịnh Hạ Long có bao nhiêu hòn đảo?",
                                      answer="Vịnh Hạ Long có khoảng 1.600 hòn đảo lớn nhỏ.")]
    qas[-1]["history"] = [{"answer": "no question"}]
    squad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DatasetError, match="q4"):
        evaluate(squad)
