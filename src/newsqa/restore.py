"""Diacritics for Vietnamese typed without them ("Ai ky quy che?" → "Ai ký quy chế?").

Many people type Vietnamese without its marks. Each such syllable is ambiguous ("doi" is
đôi, đội, đổi, đời…), but the index knows which written forms its articles use and which
follow each other: the keyword index counts every syllable and every pair of syllables. The
question gets, syllable by syllable, the forms that make the most likely sequence under
those counts, so that the embedder, the keyword search and sentence choice all see
Vietnamese as the articles write it.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

import numpy as np

from .text import (
    ASCII_WORD_RE,
    VI_STOPWORDS,
    ascii_fold,
    fold_word,
    is_syllable_term,
    normalize,
    split_tone,
)
from .tuning import Tuning

_TONES = {"1": "\u0301", "2": "\u0300", "3": "\u0309", "4": "\u0303", "5": "\u0323"}
_VOWELS = "aăâeêioôơuưy"
_MARKED = "ăâêôơư"
# Plain forms shared with English words, which say nothing about the language.
_COLLISIONS = frozenset({"the", "a", "an", "to", "do", "be", "in", "on", "i", "it", "may", "con",
                         "ban"})
# Function words of questions, as typed without marks (ai, gi, nao, dau, bao nhieu…).
_PLAIN_STOPWORDS = frozenset(ascii_fold(w) for w in VI_STOPWORDS if "_" not in w) - _COLLISIONS
_QUESTION_PAIRS = ("bao nhiêu", "khi nào", "thế nào", "ở đâu", "tại sao", "vì sao", "là gì",
                   "ra sao", "bao giờ", "người nào", "cái gì", "điều gì", "việc gì")


def with_tone(base: str, tone: str) -> str:
    """A folded syllable (see :func:`~newsqa.text.fold_word`) written out with its tone mark
    on the vowel that carries it: "đôi" + "5" → "đội", "thuy" + "3" → "thuỷ"."""
    if tone not in _TONES:
        return base
    start = 2 if base.startswith(("gi", "qu")) and len(base) > 2 and base[2] in _VOWELS else 0
    spots = [i for i in range(start, len(base)) if base[i] in _VOWELS]
    if not spots:
        return base
    marked = [i for i in spots if base[i] in _MARKED]
    if marked:
        pos = marked[-1]  # ươ carries it on ơ
    elif len(spots) == 1:
        pos = spots[0]
    elif spots[-1] == len(base) - 1:
        pos = spots[-2]  # open syllable: hòa, múa, tuổi
    else:
        pos = spots[-1]  # closed syllable: hoàng, toán
    return unicodedata.normalize("NFC", base[:pos + 1] + _TONES[tone] + base[pos + 1:])


def may_need_restoring(question: str) -> bool:
    """A cheap first test for :meth:`Restorer.needs_restoring`: no marked letter, and a
    Vietnamese question or function word typed without marks."""
    return question.isascii() and any(w.lower() in _PLAIN_STOPWORDS
                                      for w in ASCII_WORD_RE.findall(question))


class Restorer:
    """Restores the marks of a question from the counts of one keyword index."""

    def __init__(self, bm25: Any, tuning: Tuning | None = None) -> None:
        self.tuning = tuning = tuning or Tuning()
        vocab: dict[str, int] = bm25.vocab_dict
        indptr = np.asarray(bm25.scores["indptr"])
        self._df = np.diff(indptr)
        self._vocab = vocab
        by_plain: dict[str, list[tuple[int, str]]] = {}
        for term, i in vocab.items():
            base = split_tone(term)[0]
            if not is_syllable_term(term) or not base.isalpha():
                continue
            plain = ascii_fold(base)
            if plain.isascii():
                by_plain.setdefault(plain, []).append((int(self._df[i]), term))
        n_cands = tuning.restore_candidates
        self._candidates = {p: [t for _, t in sorted(c, reverse=True)[:n_cands]]
                            for p, c in by_plain.items()}
        # Articles seldom ask questions, so their counts undersell question and function
        # words ("bao nhiêu", "ai", "gì"): these count as much as the commonest reading.
        self._preferred: dict[str, int] = {}
        for word in VI_STOPWORDS:
            plain, folded = ascii_fold(word), fold_word(word)
            if "_" in word or plain in _COLLISIONS:
                continue
            cands = self._candidates.setdefault(plain, [])
            if folded not in cands:
                cands.append(folded)
            commonest = max((self._count(c) for c in cands), default=0)
            self._preferred[folded] = tuning.restore_function_word_boost * commonest + 1
        top = max(self._preferred.values(), default=1)
        self._preferred_pairs = {"_".join(fold_word(w) for w in pair.split()): top
                                 for pair in _QUESTION_PAIRS}

    def _count(self, term: str) -> int:
        i = self._vocab.get(term)
        return int(self._df[i]) if i is not None else 0

    def _unigram(self, term: str) -> float:
        return math.log1p(max(self._count(term), self._preferred.get(term, 0)))

    def _bigram(self, pair: str) -> float:
        return math.log1p(max(self._count(pair), self._preferred_pairs.get(pair, 0)))

    def needs_restoring(self, question: str) -> bool:
        """Whether a question reads as Vietnamese typed without marks: no marked letter,
        a question or function word among its words, and most words known as the plain
        form of a syllable of the index."""
        if not may_need_restoring(question):
            return False
        ws = [w.lower() for w in ASCII_WORD_RE.findall(question)]
        return sum(1 for w in ws if w in self._candidates) >= 0.8 * len(ws)

    def restore(self, question: str) -> str:
        """The question with the marks of its most likely Vietnamese reading."""
        question = normalize(question)
        spans = [m.span() for m in ASCII_WORD_RE.finditer(question)]
        options = [self._candidates.get(question[s:e].lower(), []) for s, e in spans]
        best = self._best_path(options, spans, question)
        out, last = [], 0
        for (s, e), term in zip(spans, best, strict=True):
            out.append(question[last:s])
            word = question[s:e]
            written = with_tone(*split_tone(term)) if term else word.lower()
            if written == word.lower():
                out.append(word)  # nothing to add: keep it as typed ("UBND")
            elif word.isupper() and len(word) > 1:
                out.append(written.upper())
            else:
                out.append(written[0].upper() + written[1:] if word[0].isupper() else written)
            last = e
        out.append(question[last:])
        return "".join(out)

    def _best_path(self, options: list[list[str]], spans: list[tuple[int, int]],
                   question: str) -> list[str | None]:
        """Viterbi over the candidate forms: unigram and adjacent-pair document counts."""
        if not options:
            return []
        prev: dict[str | None, tuple[float, list[str | None]]] = {None: (0.0, [])}
        for i, cands in enumerate(options):
            adjacent = i > 0 and question[spans[i - 1][1]:spans[i][0]] == " "
            cur: dict[str | None, tuple[float, list[str | None]]] = {}
            choices: list[str | None] = [*cands] if cands else [None]
            for cand in choices:
                uni = self._unigram(cand) if cand else 0.0
                bigram_weight = self.tuning.restore_bigram_weight
                score, path = max(
                    ((p_score + uni + (bigram_weight * self._bigram(f"{p}_{cand}")
                                       if adjacent and p and cand else 0.0), p_path)
                     for p, (p_score, p_path) in prev.items()), key=lambda x: x[0])
                cur[cand] = (score, [*path, cand])
            prev = cur
        return max(prev.values(), key=lambda x: x[0])[1]

