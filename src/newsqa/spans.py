"""Question types and short answer spans (a person, date, number, place or name) in a
sentence."""

from __future__ import annotations

import re

from .text import (
    EN_STOPWORDS,
    NAME_WORD_RE,
    VI_STOPWORDS,
    fold_word,
    is_stopword,
    normalize,
    words,
)

_PERSON_NOUNS = ("cầu thủ|người chơi|vận động viên|huấn luyện viên|diễn viên|nữ diễn viên|ca sĩ|"
                 "nhạc sĩ|nghệ sĩ|nhà văn|tác giả|nhà khoa học|chính trị gia|vua|vị vua|"
                 "hoàng đế|tổng thống|thủ tướng|lãnh đạo|hậu vệ|tiền vệ|tiền đạo|thủ môn")
_PLACE_NOUNS = ("thành phố|tỉnh|quốc gia|nước|vùng|khu vực|châu lục|lục địa|địa điểm|quận|"
                "huyện|sông|hồ|núi")
_NAMED_NOUNS = ("đội|câu lạc bộ|công ty|tập đoàn|tổ chức|cơ quan|trường|đại học|giải thưởng|"
                "giải|sân bay|sân vận động|ngân hàng|đảng|hãng|thương hiệu|tờ báo|bộ phim|"
                "cuốn sách|tác phẩm|chương trình|dự án|giải đấu|bệnh viện")
# A name asked for by "tên": "Tên của lâu đài là gì?", "…được đặt tên là gì?", "Ông tên gì?".
# Not "ký tên nhằm mục đích gì" (what the signing is for).
_NAME_ASKED = (r"^tên\b[^?]*\blà gì\b|,\s*tên\b[^?,]*\blà gì\b|\btên (là |gọi là )?gì\b|"
               r"\b(có|mang|đặt|đổi|cái) tên (là |thành )?gì\b")
# …and of a person: "Tên của thủ quân là gì?", "…, tên của ông là gì?".
_PERSON_NAME_ASKED = (rf"\btên (của )?(ông|bà|anh|chị|cô|người này|vị|{_PERSON_NOUNS}|thủ quân|"
                      r"nhà lãnh đạo|bác sĩ)\b[^?]*\blà gì\b|\b(ông|bà|anh|chị|cô|người này|"
                      r"vị) (có )?tên (là )?gì\b")
_TYPE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("when", re.compile(r"\b(khi nào|lúc nào|bao giờ|năm nào|ngày nào|tháng nào|thời điểm nào|"
                        r"năm bao nhiêu|thế kỷ nào|thời gian nào|when|what year|which year|"
                        r"what date|what century|what decade)\b")),
    ("number", re.compile(r"\b(bao nhiêu|mấy|how many|how much|what percentage|how long|"
                          r"how old|how large|how big|how far|what percent)\b")),
    ("who", re.compile(r"(^|\s)(ai|người nào|những ai|who|whom|whose)(\s|\?|$)|"
                       rf"\b({_PERSON_NOUNS}) nào\b|{_PERSON_NAME_ASKED}|"
                       r"\b(which|what) (player|actor|actress|singer|"
                       r"author|writer|scientist|president|king|emperor|coach|leader)\b")),
    ("where", re.compile(r"\b(ở đâu|tại đâu|nơi nào|đâu|where|which city|which country|"
                         r"what city|what country|which state|what state)\b|"
                         rf"\b({_PLACE_NOUNS}) nào\b|\b(which|what) (province|continent|"
                         r"region|river|place|area)\b")),
    # A question after the name of a team, company, award… ("Đội nào…?", "Which company…?").
    ("name", re.compile(rf"\b({_NAMED_NOUNS}) nào\b|{_NAME_ASKED}|"
                        r"\b(which|what) (team|club|company|corporation|organi[sz]ation|agency|"
                        r"school|university|college|award|prize|airport|stadium|bank|party|"
                        r"brand|newspaper|film|movie|book|program|programme|project|"
                        r"tournament|hospital)\b|\bwhat (is|was) the name\b")),
]

_NAME_LINKS = {"de", "van", "von", "bin", "of", "la", "du", "di"}


def capitalised_runs(text: str) -> list[tuple[int, int]]:
    """Spans of runs of capitalised words ("Lê Thị Hồng Nga", "Super Bowl 50")."""
    runs: list[tuple[int, int]] = []
    cur: list[tuple[int, int]] = []
    for m in NAME_WORD_RE.finditer(text):
        w = m.group()
        gap = text[cur[-1][1]:m.start()] if cur else ""
        joined = not cur or gap in (" ", "-")
        if w[0].isupper() or (cur and joined and (w in _NAME_LINKS or w.isdigit())):
            if cur and not joined:
                runs.append((cur[0][0], cur[-1][1]))
                cur = []
            cur.append(m.span())
            continue
        if cur:
            runs.append((cur[0][0], cur[-1][1]))
            cur = []
    if cur:
        runs.append((cur[0][0], cur[-1][1]))
    return runs
DATE_RE = re.compile(
    r"(?:(?:ngày|hôm)\s+)?\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?|"
    r"(?:ngày\s+\d{1,2}\s+)?tháng\s+(?:\d{1,2}|[A-Za-zÀ-ỹ]+)(?:\s*(?:năm|,)\s*\d{4})?|"
    r"(?:năm\s+)?(?:1\d{3}|20\d{2})(?:s)?|thế kỷ\s+(?:thứ\s+)?[\dIVXLC]+|"
    r"thập (?:kỷ|niên)\s+\d+",
    re.IGNORECASE | re.UNICODE)
# A number as written: digits with separators, a range (27-30%), a time (4:51), a percentage
# and a multiplier (30 triệu). Words before it (khoảng, hơn) and the unit after it are left out.
NUMBER_RE = re.compile(
    r"(?<![\w.,])\d+(?:[.,:]\d+)*(?:\s?[-–]\s?\d+(?:[.,]\d+)*)?(?:\s?%|\s+phần trăm)?"
    r"(?:\s+(?:triệu|tỷ|nghìn|ngàn|trăm|vạn|million|billion|thousand)\b)?",
    re.IGNORECASE | re.UNICODE)
_NUMBER_WORDS = re.compile(
    r"\b(?:thứ\s+)?(?:một|hai|ba(?!\s+mẹ)|bốn|sáu|bảy|tám|chín|mười|hàng trăm|hàng nghìn|"
    r"hàng triệu|năm(?!\s+(?:nay|ngoái|trước|sau|đó|này|qua|tới|học|tài|\d)))"
    r"(?:\s+(?:mươi|mốt|lăm|trăm|nghìn|ngàn|triệu|tỷ)\b)*(?!\s+\d)", re.UNICODE)


_LEADING_TITLE = re.compile(
    r"(?:Đồng chí|Ông|Bà|Anh|Chị|Cô|Chú|Bác|Cụ|Ngài|Thủ tướng|Chủ tịch|Tổng thống|Bộ trưởng|"
    r"Giáo sư|Tiến sĩ|Bác sĩ|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Sir|President)\s+")


# Streets, towns, schools and hospitals are named after people ("đường Hai Bà Trưng",
# "TP Hồ Chí Minh", "Bệnh viện Bạch Mai"): after such a word, or opened by "TP", a name is a
# place, not the person "Ai…?" asks for. Not "thị trường" (a market), "môi trường", nor
# "yêu cầu" (to ask someone).
_PLACE_BEFORE = re.compile(
    r"(?<!thị )(?<!môi )(?<!yêu )\b(?:tại|ở|thành phố|tp|tỉnh|quận|huyện|thị xã|xã|phường|"
    r"thị trấn|đường|phố|ngõ|hẻm|đại lộ|trường|cầu|lăng|làng|chợ|cảng|bệnh viện)\.?\s*$",
    re.IGNORECASE)
_PLACE_RUN = re.compile(r"(?:TP|Tp|TX|Q)\.?\s")
_NAME_STARTS = {"ai", "an", "con"}  # Ai Cập, An Giang
_LEADING_WORDS = re.compile(
    r"(?:(?:" + "|".join(sorted((w.capitalize() for w in VI_STOPWORDS | EN_STOPWORDS
                                 if "_" not in w and w not in _NAME_STARTS),
                                key=len, reverse=True)) +
    r"|Năm|Ngày|Tháng|Sau|Hôm|Tuy|Hiện)\s+)+")


def _foreign_name(word: str) -> bool:
    # "Trung" (of "Trung ương") is an unmarked Vietnamese syllable, not "Newton".
    return word.isascii() and len(word) >= 4 and not _SYLLABLE.fullmatch(word.lower())


_VI_VOWELS = "aăâeêioôơuưyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
# A Vietnamese syllable: initial consonant, one to three vowels, final consonant.
_SYLLABLE = re.compile(rf"(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnpqrstvx])?"
                       rf"[{_VI_VOWELS}]{{1,3}}(ch|ng|nh|[cmnpt])?")
# Vietnamese family names: a Vietnamese person's name opens with one. Not "Phó" (far more
# often "Phó Chủ tịch" than a family), nor words that are mostly titles.
_SURNAMES = frozenset(fold_word(w) for w in (
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đào "
    "Mai Lâm Tô Tạ Hà Cao Lưu Chu Quách Thái Trương Lương Kiều Triệu Vương Tôn Khúc Âu Doãn "
    "Hứa La Lạc Mạc Tăng Thân Thạch Lò Quan Phùng Nghiêm Từ Diệp Giang Cù Châu Kim Lã Lục "
    "Ông Thiều Tống Viên Vi Đoàn Đàm Đồng Khổng Lại Lữ Mã Nông Ninh Phí Phương Tiêu Trình "
    "Hầu Bạch Bế Hàn Khương Lăng Liêu Mẫn Nhan Sầm Tiết Chế Chung Cung Giáp Lều Mạch Mông "
    "Nhâm Quản Quàng Thang Trà Trưng Ung Uông Y").split())


def _person_start(text: str) -> int | None:
    """Where a person's name starts in a capitalised run opened by a Vietnamese word: at its
    first family name followed by a given name ("Đức Thánh Trần Hưng Đạo" → "Trần…"). None
    when the run names no person ("Lễ Ký", "Bộ Y", "Ấn Độ"). A run opened otherwise
    ("Isaac Newton", "Émile Zola", "Selina Nguyễn") is left whole (0)."""
    spans = [(m.start(), m.group()) for m in NAME_WORD_RE.finditer(text)]
    # Opened by a marked Vietnamese syllable ("Phó Bí"), not by "Émile" or "Selina Nguyễn".
    first = spans[0][1].lower() if spans else ""
    if first.isascii() or not _SYLLABLE.fullmatch(first):
        return 0
    for start, w in spans[:-1]:
        if fold_word(w) in _SURNAMES:
            return start
    return None


def question_type(question: str) -> str:
    """One of who, when, number, where, name (a team, company, award…) or other."""
    q = normalize(question).lower()
    for kind, pattern in _TYPE_PATTERNS:
        if pattern.search(q):
            return kind
    return "other"


def _candidates(sentence: str, kind: str) -> list[tuple[int, int]]:
    if kind in ("who", "where", "name"):
        spans = []
        for s, e in capitalised_runs(sentence):
            text = sentence[s:e]
            # Words capitalised only because they open the sentence ("Khi Guglielmo
            # Marconi", "Trong Ấn Độ", "Năm 1973") and, for a person, a title ("Ông Trần
            # Văn Bình"): the name is what follows.
            before = sentence[:s].rstrip(" \"'“‘«([-–—")
            opens = not before or before[-1] in ".!?:"
            lead = _LEADING_WORDS.match(text) if opens else None
            if kind == "who" and not lead:
                lead = _LEADING_TITLE.match(text)
            if lead:
                s, text = s + lead.end(), text[lead.end():]
            if not text or not any(c.isalpha() for c in text):
                continue
            if kind == "who":
                found = _person_start(text)
                if found is None or _PLACE_RUN.match(text):
                    continue
                # Only the words just before the name: a place word is at most a few.
                if _PLACE_BEFORE.search(sentence[max(0, s - 24):s] + text[:found]):
                    continue
                s, text = s + found, text[found:]
            # A capital that opens the sentence alone is not a name. Nor, for a person or a
            # named body, is a single Vietnamese syllable ("Tập" of "Tập đoàn", "Ủy" of "Ủy
            # ban"); a foreign one ("Newton") is, and so is a one-syllable place ("Huế").
            single = len(text.split()) < 2
            if single and ((opens and not lead) or
                           (kind != "where" and not _foreign_name(text))):
                continue
            spans.append((s, e))
        return spans
    if kind == "when":
        return [m.span() for m in DATE_RE.finditer(sentence)]
    if kind == "number":
        return [m.span() for m in NUMBER_RE.finditer(sentence)] + \
            [m.span() for m in _NUMBER_WORDS.finditer(sentence)]
    return []


def _strip(sentence: str, s: int, e: int) -> tuple[int, int]:
    piece = sentence[s:e]
    left = len(piece) - len(piece.lstrip(" ,.;:-–\"'“”()"))
    right = len(piece.rstrip(" ,.;:-–\"'“”()"))
    return s + left, s + max(left, right)


def valid_candidates(sentence: str, question: str, kind: str) -> list[tuple[int, int]]:
    """Candidates of ``kind`` in ``sentence`` that do not just repeat the question."""
    if kind == "other":
        return []
    q_words = {fold_word(w) for w in words(question)}
    out = []
    for s, e in _candidates(sentence, kind):
        s, e = _strip(sentence, s, e)
        content = [w for w in (fold_word(x) for x in words(sentence[s:e])) if not is_stopword(w)]
        if e > s and content and not all(w in q_words for w in content):
            out.append((s, e))
    return out

