"""newsqa: questions in Vietnamese or English, answered with exact, cited quotes from
Vietnamese news articles.

>>> import newsqa
>>> newsqa.build_index("corpus", "embeddings")          # doctest: +SKIP
>>> qa = newsqa.load("embeddings")                       # doctest: +SKIP
>>> qa.ask("Who signed for the Đảng ủy Khối?").text      # doctest: +SKIP
"""

from __future__ import annotations

from .api import NewsQA, load
from .build import build_index
from .errors import (
    CorpusError,
    DatasetError,
    EmbedderError,
    EmbedderMismatchError,
    IndexCorruptError,
    IndexLockedError,
    IndexMissingError,
    IndexPathError,
    IndexWriteError,
    NewsQAError,
    SettingsError,
)
from .ingest import Corpus, load_corpus
from .models import Answer, AnswerSpan, Article, BuildReport, Chunk, Citation, Hit, Turn
from .settings import Settings
from .version import __version__

__all__ = [
    "Answer",
    "AnswerSpan",
    "Article",
    "BuildReport",
    "Chunk",
    "Citation",
    "Corpus",
    "CorpusError",
    "DatasetError",
    "EmbedderError",
    "EmbedderMismatchError",
    "Hit",
    "IndexCorruptError",
    "IndexLockedError",
    "IndexMissingError",
    "IndexPathError",
    "IndexWriteError",
    "NewsQA",
    "NewsQAError",
    "Settings",
    "SettingsError",
    "Turn",
    "__version__",
    "build_index",
    "load",
    "load_corpus",
]
