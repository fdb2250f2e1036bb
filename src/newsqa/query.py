"""A question made into one record, once per ask, and passed down: the text as searched,
its language, its type, its keyword text, the filters, its vector and the turn it follows
up on. Nothing below this module looks at the raw question again."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np

from .compound import question_parts
from .dates import DateRangeError, as_aware
from .errors import SettingsError
from .lexicon import translate_terms
from .models import Turn
from .sides import asked_party
from .spans import capitalised_runs, question_type
from .text import (
    fold_word,
    is_stopword,
    is_vietnamese,
    normalize,
    search_terms,
    syllable_terms,
    words,
)
from .tuning import Tuning

_FOLLOW_UP_RE = re.compile(
    r"^(còn|vậy|thế còn|thế|và|nhưng|what about|how about|and|but|also)\b|"
    r"\b(ông ấy|bà ấy|anh ấy|chị ấy|họ|người đó|việc đó|điều đó|he|she|they|him|her|them|it|"
    r"that|this|those)\b|(thì sao|thì ai|thì sao\?)", re.IGNORECASE)


_CONTRAST_RE = re.compile(r"^(còn|thế còn|vậy còn|what about|how about|and what about)\b|"
                          r"\b(thì sao|instead)\b", re.IGNORECASE)


def is_contrast(question: str) -> bool:
    """Whether a follow-up turns to another party or thing ("Còn phía Tập đoàn thì ai
    ký?", "What about the Group?"), rather than asking more about the same one."""
    return bool(_CONTRAST_RE.search(question))


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
    # The conversation's last turn, follow-up or not: its article is the one a user is
    # most likely still asking about.
    last_turn: Turn | None = None
    # Typed without marks, and given them from the index: its cosines run lower.
    restored: bool = False
    # What a question asking several things asks, each as its own query (empty otherwise).
    parts: tuple[Query, ...] = ()

    @property
    def previous_question(self) -> str:
        """The earlier question this one follows up on ("" when it stands alone)."""
        return self.previous.question if self.previous else ""

    @property
    def contrast(self) -> bool:
        """A follow-up that turns from what the earlier question named to something else."""
        return self.previous is not None and is_contrast(self.text)

    @property
    def party(self) -> tuple[tuple[str, ...], ...]:
        """The side a question asks about ("về phía Tập đoàn", "for the Group side"), as
        folded words, each way it may be written; () when it names none."""
        return asked_party(self.text)

    @property
    def keyword_text(self) -> str:
        """What keyword overlap is measured against: the earlier question, then this one
        with the Vietnamese words of its English terms. After a contrasting follow-up, the
        names of the earlier question (the party turned away from) are left out of it."""
        earlier = self.previous_question
        for s, e in reversed(self._turned_from()):
            earlier = earlier[:s] + earlier[e:]
        return f"{earlier} {self.expanded}".strip()

    @property
    def turned_from(self) -> list[str]:
        """The names a contrasting follow-up turns away from, as folded words joined by
        spaces ("đảng ủy khối" before "Còn phía Tập đoàn…?"); empty for any other
        question."""
        earlier = self.previous_question
        return [" ".join(fold_word(w) for w in words(earlier[s:e]))
                for s, e in self._turned_from()]

    @property
    def turned_to(self) -> list[str]:
        """The names of a contrasting follow-up itself ("tập" of "Còn phía Tập đoàn…?")."""
        if not self.contrast:
            return []
        return [" ".join(fold_word(w) for w in words(self.text[s:e]))
                for s, e in _names(self.text)]

    def _turned_from(self) -> list[tuple[int, int]]:
        if not self.contrast:
            return []
        now = {fold_word(w) for w in words(self.text)}
        earlier = self.previous_question
        return [(s, e) for s, e in _names(earlier)
                if not any(fold_word(w) in now for w in words(earlier[s:e]))]

    def with_vector(self, vector: np.ndarray) -> Query:
        """The same query with its search vector."""
        return replace(self, vector=vector)


def _names(text: str) -> list[tuple[int, int]]:
    """Names in a question: capitalised runs, joined across one lower-case word between
    them ("Đảng ủy Khối"); a capital that only starts the question is not a name."""
    out: list[tuple[int, int]] = []
    for s, e in capitalised_runs(text):
        if s == len(text) - len(text.lstrip()) and len(words(text[s:e])) == 1:
            continue
        gap = words(text[out[-1][1]:s]) if out else []
        if len(gap) == 1 and not is_stopword(fold_word(gap[0])):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def make_query(text: str, history: list[Turn] | None = None, *,
               filters: Filters | None = None, follow_up_max_words: int = 5,
               restored: bool = False, split: bool = True,
               vietnamese: bool | None = None) -> Query:
    """The record of a prepared question (see ``NewsQA.prepare``): its language is
    detected here, once, unless given (the parts of a question keep its language). With
    ``split``, a question that asks several things also holds each as its own record."""
    if vietnamese is None:
        vietnamese = is_vietnamese(text)
    follows = is_follow_up(text, history, follow_up_max_words)
    previous = history[-1] if follows and history else None
    # A part follows up on the conversation when the whole question does, however short.
    parts = tuple(replace(make_query(p, history, filters=filters, restored=restored,
                                     split=False, vietnamese=vietnamese), previous=previous)
                  for p in (question_parts(text, vietnamese) if split else []))
    return Query(text=text, vietnamese=vietnamese, kind=question_type(text),
                 expanded=text if vietnamese else f"{text} {translate_terms(text)}".strip(),
                 filters=filters or Filters(), previous=previous,
                 last_turn=history[-1] if history else None, restored=restored, parts=parts)


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


def term_weights(question: str, history_question: str = "",
                 tuning: Tuning | None = None) -> dict[str, float]:
    """Importance of each folded word of the question. Words only in the earlier question
    count less, and against a candidate when the follow-up contrasts ("Còn phía Tập đoàn
    thì ai ký?" after "Ai ký cho Đảng ủy Khối?")."""
    tuning = tuning or Tuning()
    weights: dict[str, float] = {}
    contrast = bool(history_question) and is_contrast(question)
    for w in syllable_terms(search_terms(history_question, drop_stopwords=True)):
        weights[w] = tuning.contrast_term_weight if contrast else tuning.history_term_weight
    for w in syllable_terms(search_terms(question, drop_stopwords=True)):
        weights[w] = 1.0
    return weights
