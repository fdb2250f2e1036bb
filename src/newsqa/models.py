"""Typed records that newsqa reads, stores and returns."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .dates import as_aware

#: A progress callback: (stage, done, total), e.g. ("sentences", 120, 800).
Progress = Callable[[str, int, int], None]


class Article(BaseModel):
    """One news article. Offsets everywhere refer to ``text`` (the body, title excluded)."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    text: str
    date: datetime | None = None
    url: str | None = None
    source: str | None = None
    path: str | None = Field(default=None, description="file the article came from")
    content_hash: str = ""

    @field_validator("date")
    @classmethod
    def _one_form(cls, value: datetime | None) -> datetime | None:
        """Every date in Vietnam time, aware, within the years an archive can hold."""
        return None if value is None else as_aware(value)


class Sentence(BaseModel):
    """A sentence of an article, by character offsets into ``Article.text``."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    start: int
    end: int
    informative: bool = True


class Chunk(BaseModel):
    """A run of whole sentences of one article: ``article.text[start:end] == text``."""

    model_config = ConfigDict(frozen=True)

    article_id: str
    start: int
    end: int
    text: str
    sentences: list[tuple[int, int]]


class Hit(BaseModel):
    """A retrieved chunk with its article's metadata and its fused score."""

    chunk_id: int
    article_id: str
    title: str
    date: datetime | None = None
    source: str | None = None
    url: str | None = None
    text: str
    start: int
    end: int
    score: float


class Citation(BaseModel):
    """An exact quote backing an answer: ``article.text[start:end] == quote``."""

    n: int
    article_id: str
    title: str
    date: datetime | None = None
    source: str | None = None
    url: str | None = None
    quote: str
    start: int
    end: int
    score: float
    context: str = Field(description="the chunk around the quote")
    context_start: int = Field(description="offset of the context in the article text")
    low_confidence: bool = False


class AnswerSpan(BaseModel):
    """A short answer (a name, date, number, phrase) inside the first quote."""

    text: str
    start: int
    end: int
    kind: str = Field(description="the question's type: who, when, number, where, name, other")
    confidence: float | None = Field(
        default=None, description="the reader's margin for this span over \"no answer here\"")


class Answer(BaseModel):
    """The answer to a question: quotes with ``[n]`` markers, or an abstention."""

    text: str
    citations: list[Citation]
    abstained: bool
    answer_span: AnswerSpan | None = None
    searched_articles: int | None = Field(
        default=None, description="articles the filters let through (None: not counted)")
    excluded_articles: int = Field(default=0, description="articles the filters left out")
    language: str = Field(default="vi", description="the question's language: vi or en")


class Turn(BaseModel):
    """One earlier exchange of a conversation, for follow-up questions."""

    question: str
    answer: str = ""


class BuildReport(BaseModel):
    """What a build did."""

    index_dir: str
    articles: int
    chunks: int
    sentences: int
    embedded_articles: int
    reused_articles: int
    removed_articles: int
    added_articles: int = Field(default=0, description="articles new since the last build")
    changed_articles: int = Field(default=0, description="articles whose content changed")
    embedded_chunks: int
    seconds: float
    embed_seconds: float = 0.0
    embedded_texts: int = Field(default=0, description="distinct texts embedded by this build")
    resumed_texts: int = Field(
        default=0, description="texts whose vectors an interrupted build had checkpointed")
    changed: bool = True
    warnings: list[str] = Field(default_factory=list)
