"""Vietnamese text handling: normalisation, tone folding, search terms and sentence splitting."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Combining marks that carry the five Vietnamese tones (huyền, sắc, ngã, hỏi, nặng).
_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}
_TONE_DIGITS = "".join(sorted(_TONE_MARKS.values()))
# The word patterns of the package, each for one use, all here.
#: syllables and numbers ("4:51", "2.400" stay whole): what is searched and compared
_WORD_RE = re.compile(r"\d+(?:[.,/:]\d+)*|[^\W\d_]+", re.UNICODE)
#: words of names, with inner apostrophes and hyphens ("O'Neil", "Jean-Pierre")
NAME_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
#: tokens around a short-answer candidate (a time such as 4:51 counts as two)
SPAN_TOKEN_RE = re.compile(r"\d+(?:[.,/]\d+)*|[^\W\d_]+", re.UNICODE)
#: words and numbers a question names ("Vietcombank", "2022", "3,5")
_NAMED_RE = re.compile(r"[^\W_]+(?:[.,:]\d+)*")
#: plain Latin words: English terms, and Vietnamese typed without marks
ASCII_WORD_RE = re.compile(r"[A-Za-z]+")
_VI_LETTERS = set("ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")

# Abbreviations that end in a full stop without ending a sentence.
_ABBREVIATIONS = {
    "tp", "ts", "pgs", "gs", "ths", "bs", "ks", "q", "p", "tt", "tx", "h", "ng", "st", "mr", "mrs",
    "ms", "dr", "prof", "co", "inc", "ltd", "vs", "v.v", "tr", "nxb", "cn", "ubnd", "hđnd", "đ",
    "no", "bs.ckii", "bs.cki", "lt", "đt", "sđt", "e.g", "i.e", "tk", "kts", "cty", "ttxvn",
}
# The look-behind makes a run of terminators match once, at its start, so that a line of
# ten thousand dots costs one match, not ten thousand overlapping ones.
_SENT_END_RE = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’»)\]]*+(?=\s)")
_OPENERS = "\"'“‘«([-–—•*"
_NEXT_HEAD_RE = re.compile(r"\s*[" + re.escape(_OPENERS) + r" ]*(.)?")
_PREV_TOKEN_RE = re.compile(r"([^\W_]+(?:\.[^\W_]+)*)$")
# Abbreviations and initials are short: a bounded look-back keeps splitting linear.
_LOOKBACK = 64
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

VI_STOPWORDS = frozenset(
    ["ai", "gì", "nào", "đâu", "sao", "bao", "nhiêu", "mấy", "thế", "là", "có", "không", "được", "của", "và", "các", "những", "một", "này", "đó", "kia", "thì", "mà", "với", "cho", "trong", "ngoài", "trên", "dưới", "về", "từ", "đến", "tới", "theo", "như", "khi", "lúc", "nếu", "vì", "bởi", "do", "để", "đã", "đang", "sẽ", "vẫn", "cũng", "rất", "quá", "hơn", "nhất", "nhiều", "ít", "hay", "hoặc", "tại", "ở", "ra", "vào", "lên", "xuống", "nên", "phải", "bị", "người", "việc", "cái", "chiếc", "con", "nhưng", "còn", "vậy", "thế_nào", "hả", "hỏi"]
)
EN_STOPWORDS = frozenset(
    ["a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "about", "as", "into", "over", "under", "after", "before", "during", "between", "among", "through", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "many", "much", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "has", "have", "had", "this", "that", "these", "those", "it", "its", "his", "her", "their", "they", "he", "she", "we", "you", "i", "and", "or", "but", "not", "no", "than", "then", "there", "here", "also", "can", "could", "would", "should", "will", "may", "might", "must", "one", "ones", "any", "some", "other", "such", "own", "same", "so", "very", "just", "if", "whether"]
)
STOPWORDS = VI_STOPWORDS | EN_STOPWORDS


def normalize(text: str) -> str:
    """NFC-normalise text and unify line endings; every entry point calls this. Lone
    surrogates (invalid UTF-8 passed through by the OS) become U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if has_surrogates(text):
        text = _SURROGATE_RE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds lone surrogates, which no UTF-8 file can store."""
    return _SURROGATE_RE.search(text) is not None


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """Lowercase a word and move its tone mark to the end, so that placement variants
    (hoá/hóa, thuỷ/thủy, quý/qúy) give the same key."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = ""
    base = []
    for ch in decomposed:
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)) + tone


@lru_cache(maxsize=200_000)
def ascii_fold(word: str) -> str:
    """Strip every diacritic (đ → d): the form people type without a Vietnamese keyboard."""
    decomposed = unicodedata.normalize("NFD", word.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Syllables and numbers of a text, in order, as written."""
    return _WORD_RE.findall(text)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the syllables and numbers of a text."""
    return [m.span() for m in _WORD_RE.finditer(text)]


def search_terms(text: str, drop_stopwords: bool = False) -> list[str]:
    """Terms for keyword search: tone-folded syllables, syllable bigrams (so that compounds
    such as "Đảng ủy" or "Hồ Chí Minh" count as units) and diacritic-free syllables."""
    syllables = [fold_word(w) for w in words(normalize(text))]
    terms: list[str] = []
    for i, syl in enumerate(syllables):
        stop = syl in _FOLDED_STOPWORDS
        if not (drop_stopwords and stop):
            terms.append(syl)
            # Numbers have no marks to drop (and "2015" stripped of tone digits is "20").
            plain = syl if syl[0].isdigit() else ascii_fold(syl.rstrip(_TONE_DIGITS))
            if plain != syl:
                terms.append("~" + plain)
            if "." in syl or "," in syl or "/" in syl:
                terms.extend(p for p in re.split(r"[.,/:]", syl) if p)
        if i + 1 < len(syllables):
            nxt = syllables[i + 1]
            if not (drop_stopwords and stop and nxt in _FOLDED_STOPWORDS):
                terms.append(f"{syl}_{nxt}")
    return terms


_FOLDED_STOPWORDS = frozenset(fold_word(w) for w in STOPWORDS)


def cut_at_word(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last space of the cut's second
    half when there is one."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def is_plain_term(term: str) -> bool:
    """Whether a search term is the diacritic-free form of a syllable (``~dang``)."""
    return term.startswith("~")


def is_syllable_term(term: str) -> bool:
    """Whether a search term is one folded syllable: no pair (``đảng_ủy``) and no
    diacritic-free form (``~dang``)."""
    return "_" not in term and not term.startswith("~")


def syllable_terms(terms: list[str]) -> list[str]:
    """The search terms that are single folded syllables (see :func:`is_syllable_term`)."""
    return [t for t in terms if is_syllable_term(t)]


def split_tone(folded: str) -> tuple[str, str]:
    """A folded syllable (see :func:`fold_word`) as (base, tone digit or ""): the base
    without trailing digits, the tone its last digit ("thang11" of "tháng1" → "thang",
    "1")."""
    base = folded.rstrip(_TONE_DIGITS)
    return base, folded[-1] if len(base) < len(folded) else ""


def is_stopword(folded: str) -> bool:
    """Whether a folded word (see :func:`fold_word`) is a Vietnamese or English stop word."""
    return folded in _FOLDED_STOPWORDS


def content_words(text: str) -> list[str]:
    """Tone-folded syllables of a text without stop words."""
    return [f for f in (fold_word(w) for w in words(normalize(text))) if f not in _FOLDED_STOPWORDS]


def named_terms(question: str) -> list[str]:
    """What a question names: numbers of two digits or more, and capitalised words other
    than its first ("2022", "Vietcombank", "Tokyo")."""
    out = []
    for i, w in enumerate(_NAMED_RE.findall(normalize(question))):
        if any(c.isdigit() for c in w):
            if sum(c.isdigit() for c in w) >= 2:
                out.append(w)
        elif i > 0 and w[0].isupper() and len(w) >= 3 and not is_stopword(fold_word(w)):
            out.append(w)
    return out


def is_vietnamese(text: str) -> bool:
    """Whether a question reads as Vietnamese. Function words decide; Vietnamese names inside
    an English question ("Who signed for the Đảng ủy Khối?") do not make it Vietnamese."""
    ws = [w.lower() for w in words(text) if not w[0].isdigit()]
    vi = sum(1 for w in ws if w in VI_STOPWORDS)
    en = sum(1 for w in ws if w in EN_STOPWORDS)
    if vi != en:
        return vi > en
    marked = sum(1 for w in ws if any(c in _VI_LETTERS for c in w))
    return marked * 2 >= len(ws) if ws else True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentences, returning (start, end) character offsets.

    Line breaks always end a sentence. Inside a line, a full stop, question or exclamation
    mark ends a sentence when followed by space and a capital, digit or opening quote, unless
    it closes an abbreviation (TP., PGS., ThS.) or an initial (N. V. A.).
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        segment = line.group()
        for m in _SENT_END_RE.finditer(segment):
            end = m.end()
            # Skip space, quotes, brackets and dashes: what follows them decides.
            head = _NEXT_HEAD_RE.match(segment, end)
            nxt = head.group(1) if head else None
            if not nxt or not (nxt.isupper() or nxt.isdigit()):
                continue
            if m.group().startswith("."):
                prev = _PREV_TOKEN_RE.search(segment, max(0, m.start() - _LOOKBACK), m.start())
                token = prev.group(1) if prev else ""
                if token and (token.lower() in _ABBREVIATIONS or
                              (len(token) == 1 and token.isupper())):
                    continue
            _add_span(spans, text, start=start, end=line.start() + end)
            start = line.start() + end
        _add_span(spans, text, start=start, end=line.end())
    return spans


def _add_span(spans: list[tuple[int, int]], text: str, *, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return
    lead = len(piece) - len(piece.lstrip())
    spans.append((start + lead, start + lead + len(stripped)))


def is_informative(sentence: str) -> bool:
    """False for caption-like lines that carry no content (e.g. "Một số hình ảnh:")."""
    ws = words(sentence)
    if len(ws) < 4:
        return False
    return not (sentence.rstrip().endswith(":") and len(ws) < 12)
