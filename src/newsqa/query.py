"""A question made into one record, once per ask, and passed down: the text as searched,
its language, its type, its keyword text, the filters, its vector and the turn it follows
up on. Nothing below this module looks at the raw question again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from .dates import DateRangeError, as_aware
from .errors import SettingsError
from .lexicon import translate_terms
from .models import Turn
from .spans import question_type
from .text import fold_word, is_vietnamese, normalize, words

_FOLLOW_UP_RE = re.compile(
    r"^(còn|vậy|thế còn|thế|và|nhưng|what about|how about|and|but|also)\b|"
    r"\b(ông ấy|bà ấy|anh ấy|chị ấy|họ|người đó|việc đó|điều đó|he|she|they|him|her|them|it|"
    r"that|this|those)\b|(thì sao|thì ai|thì sao\?)", re.IGNORECASE)


@dataclass(frozen=True)
class Filters:
    """Metadata filters: date range (inclusive; naive bounds are Vietnam time) and source
    (case-insensitive substring). Undated articles pass a date range unless
    ``include_undated`` is False."""

    date_from: datetime | None = None
    date_to: datetime | None = None
    source: str | None = None
    include_undated: bool = True

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _bound(value))

    def active(self) -> bool:
        """Whether any filter is set."""
        return any(v is not None for v in (self.date_from, self.date_to, self.source))


def _bound(value: datetime) -> datetime:
    try:
        return as_aware(value)
    except DateRangeError as exc:
        raise SettingsError(f"date filter {value:%Y-%m-%d}: {exc}") from None


@dataclass(frozen=True)
class Query:
    """A question as it is searched and answered."""

    text: str
    vietnamese: bool
    kind: str
    expanded: str
    filters: Filters = field(default_factory=Filters)
    previous: Turn | None = None
    vector: np.ndarray | None = None

    @property
    def previous_question(self) -> str:
        """The earlier question this one follows up on ("" when it stands alone)."""
        return self.previous.question if self.previous else ""

    @property
    def keyword_text(self) -> str:
        """What keyword overlap is measured against: the earlier question, then this one
        with the Vietnamese words of its English terms."""
        return f"{self.previous_question} {self.expanded}".strip()

    def with_vector(self, vector: np.ndarray) -> Query:
        """The same query with its search vector."""
        return replace(self, vector=vector)


def make_query(text: str, history: list[Turn] | None = None, *,
               filters: Filters | None = None, follow_up_max_words: int = 5) -> Query:
    """The record of a prepared question (see ``NewsQA.prepare``): its language is
    detected here, once."""
    vietnamese = is_vietnamese(text)
    follows = is_follow_up(text, history, follow_up_max_words)
    return Query(text=text, vietnamese=vietnamese, kind=question_type(text),
                 expanded=text if vietnamese else f"{text} {translate_terms(text)}".strip(),
                 filters=filters or Filters(),
                 previous=history[-1] if follows and history else None)


def is_follow_up(question: str, history: list[Turn] | None, max_words: int = 5) -> bool:
    """Whether a question leans on the conversation before it."""
    if not history:
        return False
    return bool(_FOLLOW_UP_RE.search(question)) or len(words(question)) <= max_words


def clean_query(query: str, max_chars: int) -> str:
    """NFC, collapsed white space, and a length cap, so any input can be searched."""
    query = " ".join(normalize(query).split())
    return query[:max_chars]


def has_words(query: str) -> bool:
    """Whether a question has anything to search for (not just punctuation or emoji)."""
    return any(fold_word(w) for w in words(query))
