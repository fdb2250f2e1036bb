"""The shape of the package: one record per question, one record of weights, one facade."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import newsqa
from newsqa import Settings, Tuning, Turn

from .conftest import ROOT

SRC = ROOT / "src" / "newsqa"


def test_language_is_detected_once_per_ask(seed_qa: newsqa.NewsQA,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import newsqa.query as query_module

    calls: list[str] = []
    real = query_module.is_vietnamese

    def counting(text: str) -> bool:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(query_module, "is_vietnamese", counting)
    history = [Turn(question="Ai ký cho Đảng ủy Khối?", answer="Lê Thị Hồng Nga")]
    for question, turns in (("Who signed for the Đảng ủy Khối?", None),
                            ("Còn phía Tập đoàn thì ai ký?", history)):
        calls.clear()
        answer = seed_qa.ask(question, history=turns)
        assert answer.citations and calls == [question]
    # No other module holds the detector, so none can call it behind the counter's back.
    modules = [m.name for m in pkgutil.iter_modules(newsqa.__path__) if m.name != "__main__"]
    holders = sorted(m for m in modules
                     if hasattr(importlib.import_module(f"newsqa.{m}"), "is_vietnamese"))
    assert holders == ["query", "text"]


def _module_numbers(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) else []
        value = getattr(node, "value", None)
        if isinstance(value, ast.Constant) and isinstance(value.value, int | float) and \
                not isinstance(value.value, bool):
            found += [ast.unparse(t) for t in targets]
    return found


@pytest.mark.parametrize("module", ["answer", "retrieve", "spans", "restore"])
def test_no_scoring_constant_outside_the_tuning_record(module: str) -> None:
    assert _module_numbers(SRC / f"{module}.py") == []


def test_the_tuning_record_is_what_scores(seed_index: Path) -> None:
    question = "Ai ký kết quy chế cho Đảng ủy Khối?"
    assert not newsqa.load(seed_index).ask(question).abstained
    strict = Settings(tuning=Tuning(base_vi=2.0))
    assert newsqa.load(seed_index, settings=strict).ask(question).abstained
    with pytest.raises(Exception, match="frozen"):
        Tuning().base_vi = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(("question", "margin"), [
    ("Ai ký kết quy chế cho Đảng ủy Khối?", "abstain_vi"),
    ("Ai ky ket quy che cho Dang uy Khoi?", "abstain_vi_restored"),
    ("Who signed for the Đảng ủy Khối?", "abstain_en")])
def test_each_kind_of_question_needs_its_own_margin(seed_index: Path, question: str,
                                                    margin: str) -> None:
    others = {m: 1.0 for m in ("abstain_vi", "abstain_vi_restored", "abstain_en")
              if m != margin}
    assert not newsqa.load(seed_index, settings=Settings(tuning=Tuning(**others))).ask(
        question).abstained
    strict = Settings(tuning=Tuning(**{margin: 1.0}))
    assert newsqa.load(seed_index, settings=strict).ask(question).abstained


def test_no_module_imports_the_package_root() -> None:
    # The entry points (cli, like app.py) call the facade on purpose; library modules never.
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if rel.as_posix() in ("__init__.py", "__main__.py", "cli.py"):
            continue
        root_level = len(rel.parts)  # "from . import" at the top, "from .. import" below
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert not (node.level == root_level and node.module is None), path.name
                assert node.module != "newsqa", path.name
            if isinstance(node, ast.Import):
                assert all(a.name != "newsqa" for a in node.names), path.name


def test_app_uses_only_the_facade() -> None:
    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            used.add(node.module.split(".")[0] if node.module != "newsqa" else "newsqa")
            assert not node.module.startswith("newsqa."), node.module
        elif isinstance(node, ast.Import):
            used.update(a.name.split(".")[0] for a in node.names)
    assert {"newsqa", "streamlit"} <= used
    assert used - {"newsqa", "streamlit", "__future__", "html", "datetime", "time",
                   "typing"} == set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "store":
            raise AssertionError("app.py reaches into the loaded index")


def test_facade_exports_what_it_names() -> None:
    for name in newsqa.__all__:
        assert hasattr(newsqa, name), name
    assert {"Embedder", "AnswerError", "Tuning", "BackgroundBuild"} <= set(newsqa.__all__)
