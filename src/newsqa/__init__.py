"""newsqa: questions in Vietnamese or English, answered with exact, cited quotes from
Vietnamese news articles.

>>> import newsqa
>>> newsqa.build_index("corpus", "embeddings")          # doctest: +SKIP
>>> qa = newsqa.load("embeddings")                       # doctest: +SKIP
>>> qa.ask("Who signed for the Đảng ủy Khối?").text      # doctest: +SKIP
"""

from __future__ import annotations

from . import display
from .api import NewsQA, index_version, load, verify_index
from .build import BackgroundBuild, build_index
from .dates import bound_of_day
from .display import plain_markdown
from .embedding import Embedder
from .errors import (
    AnswerError,
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
from .models import (
    Answer,
    AnswerSpan,
    Article,
    BuildReport,
    Chunk,
    Citation,
    Hit,
    Progress,
    Turn,
)
from .settings import Settings
from .tuning import Tuning
from .version import __version__

__all__ = [
    "Answer",
    "AnswerError",
    "AnswerSpan",
    "Article",
    "BackgroundBuild",
    "BuildReport",
    "Chunk",
    "Citation",
    "Corpus",
    "CorpusError",
    "DatasetError",
    "Embedder",
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
    "Progress",
    "Settings",
    "SettingsError",
    "Tuning",
    "Turn",
    "__version__",
    "bound_of_day",
    "build_index",
    "display",
    "index_version",
    "load",
    "load_corpus",
    "plain_markdown",
    "verify_index",
]
