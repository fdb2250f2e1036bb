"""Dates of articles and of filters: parsed from the forms news archives use, and held in
one aware form (Vietnam time, UTC+7) so that any two of them compare."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

from .text import normalize

#: Vietnamese news state local time; a date without a zone is read as this one.
VN_TZ = timezone(timedelta(hours=7), "ICT")
MIN_YEAR = 1800
MAX_YEAR = 2200

_MONTHS = {
    "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
    "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12,
}
_LONG_DATE_RE = re.compile(
    r"^\s*(?:(?P<h>\d{1,2}):(?P<m>\d{2})\s*(?P<ampm>SA|CH|AM|PM)?\s*@?\s*)?"
    r"(?:(?:Thứ\s+\S+|Chủ\s+Nhật)\s*[-,]\s*)?"
    r"(?:ngày\s+)?(?P<d>\d{1,2})\s+(?:Tháng|tháng)\s+(?P<mon>[^\d,]+?|\d{1,2}),?\s+(?:năm\s+)?"
    r"(?P<y>\d{4})\s*$",
    re.IGNORECASE,
)
_HAS_TIME_RE = re.compile(r"\d{1,2}:\d{2}")


class DateRangeError(ValueError):
    """A date outside the years a news archive can hold (``MIN_YEAR`` to ``MAX_YEAR``)."""


def as_aware(value: datetime) -> datetime:
    """``value`` in Vietnam time; a naive value is taken to be Vietnam time already.
    Raises :class:`DateRangeError` for a year outside ``MIN_YEAR``..``MAX_YEAR``."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise DateRangeError(f"year {value.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    if value.tzinfo is None:
        return value.replace(tzinfo=VN_TZ)
    return value.astimezone(VN_TZ)


def _parse_naive(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    if re.fullmatch(r"\d{8}", value):
        try:
            return datetime.strptime(value, "%Y%m%d")
        except ValueError:
            return None
    m = re.fullmatch(r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})(?:\s+(\d{1,2}):(\d{2}))?", value)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        h, mi = int(m.group(4) or 0), int(m.group(5) or 0)
        try:
            return datetime(y, mo, d, h, mi)
        except ValueError:
            return None
    m = _LONG_DATE_RE.match(value)
    if not m:
        return None
    mon_word = m.group("mon").strip().lower()
    month = int(mon_word) if mon_word.isdigit() else _MONTHS.get(mon_word)
    if month is None:
        return None
    hour, minute = int(m.group("h") or 0), int(m.group("m") or 0)
    ampm = (m.group("ampm") or "").upper()
    if ampm in ("CH", "PM") and hour < 12:
        hour += 12
    if ampm in ("SA", "AM") and hour == 12:
        hour = 0
    try:
        return datetime(int(m.group("y")), month, int(m.group("d")), hour, minute)
    except ValueError:
        return None


def read_date(value: str) -> datetime:
    """Parse ISO 8601, ``YYYYMMDD``, ``dd/mm/yyyy [hh:mm]`` or the Vietnamese long form
    (``05:02 CH @ Thứ Sáu - 22 Tháng Chín, 2023``) into an aware date. Raises ValueError
    (:class:`DateRangeError` for an impossible year) saying why not."""
    value = normalize(value).strip()
    parsed = _parse_naive(value) if value and len(value) <= 80 else None
    if parsed is None:
        raise ValueError(f"unreadable date {value[:40]!r}")
    return as_aware(parsed)


def parse_date(value: str) -> datetime | None:
    """:func:`read_date`, or None when ``value`` is no date newsqa can hold."""
    try:
        return read_date(value)
    except ValueError:
        return None


def day_bound(value: str, end: bool) -> datetime | None:
    """A filter bound from user input: a bare day (``2023-09-22``) means its first moment,
    or with ``end`` its last, so that ``--from X --to X`` keeps all of day X."""
    parsed = parse_date(value)
    if parsed is None or _HAS_TIME_RE.search(value):
        return parsed
    return bound_of_day(parsed.date(), end)


def bound_of_day(day: date, end: bool) -> datetime:
    """The first (or, with ``end``, the last) moment of ``day`` in Vietnam time."""
    return datetime.combine(day, time.max if end else time.min, tzinfo=VN_TZ)
