"""Errors newsqa raises. Each message says what went wrong and what to do about it."""

from __future__ import annotations


class NewsQAError(Exception):
    """Base of every error newsqa raises on purpose."""

    exit_code = 1


class CorpusError(NewsQAError):
    """The corpus folder is missing, empty, or holds no readable article."""

    exit_code = 2


class SettingsError(NewsQAError):
    """A setting (``NEWSQA_*`` variable or argument) has a value outside what it allows."""

    exit_code = 2


class IndexPathError(NewsQAError):
    """The index path is not a folder newsqa may use: a file, or a folder of other data."""

    exit_code = 2


class IndexMissingError(NewsQAError):
    """No index where one was expected."""

    exit_code = 3


class IndexCorruptError(NewsQAError):
    """An index file is truncated, corrupted, or does not match its manifest."""

    exit_code = 3


class EmbedderMismatchError(NewsQAError):
    """The index was built with another embedder or dimension than the one asked for."""

    exit_code = 3


class IndexLockedError(NewsQAError):
    """Another build holds the index lock."""

    exit_code = 4


class EmbedderError(NewsQAError):
    """The embedder could not be loaded or failed."""

    exit_code = 5


class IndexWriteError(NewsQAError):
    """The index could not be written (disk full, no permission); the old one is intact."""

    exit_code = 6


class AnswerError(NewsQAError):
    """An answer failed its own exactness check (a bug, never the user's fault)."""

    exit_code = 70


class DatasetError(NewsQAError):
    """An evaluation file is missing or not in SQuAD v1.1 format."""

    exit_code = 2
