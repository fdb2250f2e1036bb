"""Shared fixtures: real indexes built with the real e5 embedder from real files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = Path(os.environ.get("NEWSQA_SHARED", ROOT.parent / "shared"))
SIGNER = "Lê Thị Hồng Nga"


def shared_file(rel: str) -> Path:
    """A file of ../shared, or skip the test when it is absent."""
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of corpus/ (the seed article), built once per test session."""
    import newsqa

    ix = tmp_path_factory.mktemp("seed") / "index"
    newsqa.build_index(CORPUS, ix)
    return ix


@pytest.fixture(scope="session")
def seed_qa(seed_index: Path):  # type: ignore[no-untyped-def]
    import newsqa

    return newsqa.load(seed_index)


@pytest.fixture()
def index_copy(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of the seed index that a test may change."""
    dst = tmp_path / "index"
    shutil.copytree(seed_index, dst)
    return dst


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the real ``newsqa`` CLI in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "newsqa", *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=ROOT)
