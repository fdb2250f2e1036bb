"""Questions about one side of a story ("Ai tham dự về phía Tập đoàn?", "Who attended for
the Tập đoàn side?"). News gives each side a sentence of its own ("Về phía Đảng ủy Khối
có…", "Về phía Đảng ủy Tập đoàn có…"), and the other side's sentence often shares more of
the question's other words ("tham dự") than the asked side's: the party named after
"phía" is what tells them apart."""

from __future__ import annotations

import re

from .lexicon import lookup
from .text import fold_word, is_stopword, normalize, words

# "phía" followed by a run of words up to punctuation.
_SIDE_VI_RE = re.compile(r"\bphía\s+([^\W\d_]+(?:[ \t]+[^\W\d_]+)*)", re.IGNORECASE)
# "for the Tập đoàn side", "on the Group's side", "the hospital side".
_SIDE_EN_RE = re.compile(
    r"\bthe\s+([^\W\d_]+(?:[ \t]+[^\W\d_]+){0,3}?)(?:['’]s)?\s+side\b",
    re.IGNORECASE)
# "phía tây" is a direction and "phía trước" a place, not a party.
_NOT_PARTIES = frozenset(fold_word(w) for w in (
    "tây", "đông", "nam", "bắc", "trước", "sau", "trên", "dưới", "trong", "ngoài", "này",
    "kia", "nào", "bên", "xa", "gần", "trái", "phải", "west", "east", "north", "south",
    "left", "right", "other", "same", "opposite", "far", "near"))
_ASKING = frozenset(fold_word(w) for w in (
    "ai", "gì", "nào", "đâu", "mấy", "bao", "sao", "thế", "thì", "đã", "có", "là", "who",
    "what", "which", "when", "where", "why", "how"))
#: words of a party a question names that a sentence must hold ("tập đoàn", "đảng ủy khối")
PARTY_WORDS = 3
#: words after "phía" in which a sentence names its party
SENTENCE_WINDOW = 8


def asked_party(question: str) -> tuple[tuple[str, ...], ...]:
    """The party a question asks about after "phía" or before "side", as folded content
    words (at most PARTY_WORDS): as written, then, for an English one, as the glossary
    renders it ("the Group side" → "group", "tập đoàn", "nhóm"). () when it names no side."""
    text = normalize(question)
    m = _SIDE_VI_RE.search(text)
    english = m is None
    m = m or _SIDE_EN_RE.search(text)
    if not m:
        return ()
    party: list[str] = []
    for w in words(m.group(1)):
        if fold_word(w) in _ASKING or len(party) == PARTY_WORDS:
            break
        party.append(w)
    if not party or fold_word(party[0]) in _NOT_PARTIES:
        return ()
    out = [tuple(f for f in (fold_word(w) for w in party) if not is_stopword(f))]
    if english:
        # Renderings are whole Vietnamese words ("công an"): none of their syllables drops.
        renderings = lookup(" ".join(party)) + lookup(party[-1])
        out += [tuple(fold_word(w) for w in words(r)) for r in renderings]
    return tuple(dict.fromkeys(p for p in out if p))


def side_runs(sentence: str) -> list[tuple[int, list[str]]]:
    """Each "phía" of a sentence: where it starts, and the words after it (at most
    SENTENCE_WINDOW, up to punctuation), as written; directions included."""
    return [(m.start(), words(m.group(1))[:SENTENCE_WINDOW])
            for m in _SIDE_VI_RE.finditer(sentence)]


def named_sides(sentence: str) -> list[set[str]]:
    """The folded words that follow each "phía" of a sentence that names a party there."""
    out = []
    for _, run in side_runs(sentence):
        after = [fold_word(w) for w in run]
        if after and after[0] not in _NOT_PARTIES:
            out.append(set(after))
    return out


def other_side(sentences: list[str], party: tuple[tuple[str, ...], ...]) -> list[bool]:
    """For each sentence, whether it speaks only of sides other than ``party`` (any of its
    renderings); all False unless one of them names ``party`` as its side (then the
    question's side is reported on its own, and the others are about someone else)."""
    if not party:
        return [False] * len(sentences)
    sides = [named_sides(s) for s in sentences]
    names = [any(set(p) <= side for p in party for side in ss) for ss in sides]
    if not any(names):
        return [False] * len(sentences)
    return [bool(ss) and not named for ss, named in zip(sides, names, strict=True)]
