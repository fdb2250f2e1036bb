"""Where a question that asks several things splits into its parts ("Ai ký cho Đảng ủy
Khối, và ai ký cho Tập đoàn?" → "Ai ký cho Đảng ủy Khối?", "Ai ký cho Tập đoàn?"): each
part must ask on its own. The parts are answered by :mod:`newsqa.parts`."""

from __future__ import annotations

import re

from .text import content_words, normalize

# A word that asks: every part must have its own. "sao" alone is also a star ("ngôi sao"),
# so only its asking forms count.
_ASKS_RE = re.compile(
    r"(?:^|[\s,(“\"])(ai|gì|nào|đâu|mấy|bao nhiêu|bao giờ|bao lâu|bao xa|tại sao|vì sao|"
    r"làm sao|ra sao|thế nào|who|whom|whose|what|when|where|which|why|how)(?=$|[\s?,.;:)”\"])",
    re.IGNORECASE)
# Where one question may end and the next begin: a question mark with more after it, a
# semicolon, or a joining word ("và", "còn", "đồng thời", "cũng như", "and", "as well as"),
# after a comma or not. Each side must still ask on its own, so "tác hại cũng như lợi ích
# của … là gì?" stays one question.
_JOIN_RE = re.compile(r"\?\s+|\s*;\s*|,?\s+(và|còn|đồng thời|cũng như|and(?:\s+also)?|"
                      r"as\s+well\s+as)\s+", re.IGNORECASE)
# "…giữa A và B…", "…between A and B…": the "and" joins two things, not two questions.
_PAIRS_RE = re.compile(r"\b(giữa|between|both)\b", re.IGNORECASE)
#: content words each part needs to stand alone, Vietnamese (syllables) and English: "Bệnh
#: viện nào và bác sĩ nào mổ?" and "Which hospital and which doctor operated?" share their
#: verb, and are not split
MIN_PART_WORDS = {True: 3, False: 2}
MAX_PARTS = 3


def question_parts(text: str, vietnamese: bool = True) -> list[str]:
    """The questions ``text`` asks, when it asks two or more (at most MAX_PARTS; the rest
    stays with the last), each a whole question with its own asking word and at least
    MIN_PART_WORDS content words; [] when it asks one thing. A part that only names
    another party after the same preposition ("Ai ký cho Đảng ủy Khối và cho Tập đoàn?")
    is asked with the words of the part before it: "Ai ký cho Tập đoàn?"."""
    need = MIN_PART_WORDS[vietnamese]

    def stands_alone(piece: str) -> bool:
        return bool(_ASKS_RE.search(piece)) and len(content_words(piece)) >= need

    text = normalize(text).strip()
    pieces: list[tuple[int, int]] = []
    # Whether "giữa/between/both" came since the last cut: each stretch is read once.
    start, read_to, paired = 0, 0, False
    for m in _JOIN_RE.finditer(text):
        paired = paired or bool(_PAIRS_RE.search(text, read_to, m.start()))
        read_to = m.start()
        if m.group(1) and paired:
            continue
        pieces.append((start, m.start()))
        start = read_to = m.end()
        paired = False
    pieces.append((start, len(text)))
    # Each part as its segments, and whether the last one asks on its own so far: a part
    # only grows, so both are kept up to date rather than recomputed over the whole part
    # (which made long runs of fragments quadratic).
    parts: list[list[str]] = []
    asks, n_words, grown = False, 0, False
    last_end = 0
    for s, e in pieces:
        piece = text[s:e]
        if parts and len(parts) < MAX_PARTS and asks and n_words >= need:
            # A part that took in fragments is not one clause to complete a second from.
            whole = piece if stands_alone(piece) else \
                None if grown else _elided(parts[-1][0], piece)
            if whole and stands_alone(whole):
                parts.append([whole])
                asks, n_words, grown = True, need, False
                last_end = e
                continue
        added = text[last_end:e]
        if parts:
            parts[-1].append(added)
            grown = True
        else:
            parts.append([added])
        asks = asks or bool(_ASKS_RE.search(added))
        n_words += len(content_words(added))
        last_end = e
    if len(parts) < 2:
        return []
    return [_as_question("".join(p)) for p in parts]


# Prepositions a second part may open with, naming only another party or place.
_ELIDED_RE = re.compile(r"^(về phía|thay mặt|đối với|cho|của|tại|ở|với|trong|từ|"
                        r"for|of|in|at|on|with|from|by|to)\s", re.IGNORECASE)


def _elided(before: str, piece: str) -> str | None:
    """``piece`` ("cho Tập đoàn?") completed with the words of ``before`` up to the same
    preposition ("Ai ký cho Đảng ủy Khối" → "Ai ký cho Tập đoàn?"); None when it does not
    open with a preposition ``before`` has."""
    m = _ELIDED_RE.match(piece)
    if not m:
        return None
    found = list(re.finditer(rf"(?<!\S){re.escape(m.group(1))}(?=\s)", before, re.IGNORECASE))
    return before[:found[-1].start()] + piece if found else None


def _as_question(piece: str) -> str:
    piece = piece.strip(" ,;")
    piece = piece[:1].upper() + piece[1:]
    return piece if piece.endswith("?") else piece.rstrip(".") + "?"
