"""newsqa: questions in Vietnamese or English, answered with exact, cited quotes from
Vietnamese news articles.

>>> import newsqa
>>> newsqa.build_index("corpus", "embeddings")          # doctest: +SKIP
>>> qa = newsqa.load("embeddings")                       # doctest: +SKIP
>>> qa.ask("Who signed for the Đảng ủy Khối?").text      # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

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
    NewsQAError,
)
from .ingest import Corpus, load_corpus
from .models import Answer, AnswerSpan, Article, BuildReport, Chunk, Citation, Hit, Turn
from .settings import Settings

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
    "NewsQA",
    "NewsQAError",
    "Settings",
    "Turn",
    "__version__",
    "build_index",
    "load",
    "load_corpus",
]
