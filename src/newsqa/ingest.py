"""Read a corpus folder (.txt, .md, .jsonl, .json) into :class:`Article` records."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .errors import CorpusError
from .models import Article
from .text import normalize

TEXT_SUFFIXES = {".txt", ".md"}
RECORD_SUFFIXES = {".jsonl", ".json"}
MAX_ARTICLE_BYTES = 5_000_000

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


@dataclass
class Corpus:
    """Articles read from a folder, plus what was skipped or repaired on the way."""

    articles: list[Article]
    warnings: list[str] = field(default_factory=list)


def parse_date(value: str) -> datetime | None:
    """Parse ISO 8601, ``YYYYMMDD``, ``dd/mm/yyyy`` or the Vietnamese long form
    (``05:02 CH @ Thứ Sáu - 22 Tháng Chín, 2023``). Returns None when it is none of them."""
    value = normalize(value).strip()
    if not value or len(value) > 80:
        return None
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


def content_hash(title: str, text: str, date: datetime | None, url: str | None,
                 source: str | None) -> str:
    """Stable hash of what an article says; a change re-embeds the article."""
    payload = json.dumps([title, text, date.isoformat() if date else None, url, source],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def make_article(id: str, title: str, text: str, date: datetime | None = None,
                 url: str | None = None, source: str | None = None,
                 path: str | None = None) -> Article:
    """Build an :class:`Article` with normalised text and its content hash."""
    title = normalize(title).strip()
    text = normalize(text).strip()
    if not title:
        title = text.split("\n", 1)[0][:80]
    return Article(id=normalize(id), title=title, text=text, date=date, url=url, source=source,
                   path=path, content_hash=content_hash(title, text, date, url, source))


def decode_bytes(data: bytes) -> tuple[str | None, str | None]:
    """Decode file bytes: UTF-8, UTF-16 with a BOM, else Windows-1258 when it reads as
    Vietnamese. Returns (text, encoding used) or (None, reason) for binary data."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None, "invalid UTF-16"
    if b"\x00" in data[:4096]:
        return None, "binary data (NUL bytes)"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        return None, "not UTF-8 and no known encoding"
    controls = sum(1 for c in text[:4096] if ord(c) < 32 and c not in "\n\r\t")
    if controls == 0 and re.search(r"[a-zA-Z]", text):
        return text, "cp1258"
    return None, "not UTF-8 and no known encoding"


def parse_text_file(text: str, article_id: str, path: str) -> Article:
    """A .txt/.md article: first non-empty line is the title, then an optional date line."""
    lines = normalize(text).split("\n")
    idx = 0
    while idx < len(lines) and not lines[idx].strip():
        idx += 1
    title = lines[idx].strip().lstrip("# ").strip() if idx < len(lines) else ""
    idx += 1
    rest_start = idx
    date = None
    while idx < len(lines) and not lines[idx].strip():
        idx += 1
    if idx < len(lines):
        date = parse_date(lines[idx])
        if date is not None:
            rest_start = idx + 1
    body = "\n".join(lines[rest_start:])
    return make_article(article_id, title, body, date=date, path=path)


def _record_to_article(rec: Any, default_id: str, where: str,
                       warnings: list[str]) -> Article | None:
    if not isinstance(rec, dict):
        warnings.append(f"{where}: not a JSON object; skipped")
        return None
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        warnings.append(f"{where}: record has no 'text' field; skipped (add a 'text' string)")
        return None
    date = None
    raw_date = rec.get("date")
    if raw_date not in (None, ""):
        date = parse_date(str(raw_date))
        if date is None:
            warnings.append(f"{where}: unreadable date {str(raw_date)[:40]!r}; kept without date")
    rid = rec.get("id")
    article_id = str(rid) if rid not in (None, "") else default_id
    return make_article(article_id, str(rec.get("title") or ""), text, date=date,
                        url=_opt_str(rec.get("url")), source=_opt_str(rec.get("source")),
                        path=where.rsplit(":", 1)[0])


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _read_records(text: str, rel: str, suffix: str,
                  warnings: list[str]) -> Iterator[Article]:
    if suffix == ".jsonl":
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                warnings.append(f"{rel}:{lineno}: malformed JSON ({exc.msg}); line skipped")
                continue
            art = _record_to_article(rec, f"{rel}:{lineno}", f"{rel}:{lineno}", warnings)
            if art:
                yield art
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        warnings.append(f"{rel}:{exc.lineno}: malformed JSON ({exc.msg}); file skipped")
        return
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        warnings.append(f"{rel}: expected a list of articles; file skipped")
        return
    for i, rec in enumerate(data):
        art = _record_to_article(rec, f"{rel}#{i}", f"{rel}:item {i}", warnings)
        if art:
            yield art


def iter_corpus_files(root: Path) -> list[Path]:
    """Corpus files under ``root``, recursively, in a stable order; hidden ones skipped."""
    files = []
    for p in root.rglob("*"):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES | RECORD_SUFFIXES:
            files.append(p)
    return sorted(files, key=lambda p: p.relative_to(root).as_posix())


def load_corpus(root: str | Path, max_bytes: int = MAX_ARTICLE_BYTES) -> Corpus:
    """Read every article under ``root``. Bad files and records are skipped with a warning
    naming file and line; raises :class:`CorpusError` when nothing readable is there."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist; create it and put .txt, .md, "
                          ".jsonl or .json articles in it, or pass --corpus DIR")
    warnings: list[str] = []
    articles: list[Article] = []
    for path in iter_corpus_files(root):
        rel = path.relative_to(root).as_posix()
        suffix = path.suffix.lower()
        size = path.stat().st_size
        if size == 0:
            warnings.append(f"{rel}: empty file; skipped")
            continue
        if suffix in TEXT_SUFFIXES and size > max_bytes:
            warnings.append(f"{rel}: {size / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB "
                            "article limit; skipped (split it into smaller articles)")
            continue
        text, how = decode_bytes(path.read_bytes())
        if text is None:
            warnings.append(f"{rel}: {how}; skipped (save it as UTF-8 text)")
            continue
        if how not in ("utf-8",):
            warnings.append(f"{rel}: decoded as {how}; consider saving it as UTF-8")
        if suffix in TEXT_SUFFIXES:
            art = parse_text_file(text, rel, rel)
            if not art.text:
                warnings.append(f"{rel}: no text after the title; skipped")
                continue
            articles.append(art)
        else:
            for art in _read_records(text, rel, suffix, warnings):
                if len(art.text.encode("utf-8")) > max_bytes:
                    warnings.append(f"{art.path}: article {art.id!r} is over the size limit; "
                                    "skipped")
                    continue
                articles.append(art)
    articles = _dedupe_ids(articles, warnings)
    if not articles:
        raise CorpusError(f"corpus folder {root} holds no readable article"
                          + (f" ({len(warnings)} problems: {warnings[0]} …)" if warnings else "")
                          + "; add .txt, .md, .jsonl or .json files")
    return Corpus(articles=articles, warnings=warnings)


def _dedupe_ids(articles: list[Article], warnings: list[str]) -> list[Article]:
    """Keep the first article with an id (files in sorted order); rename later ones id~2, id~3."""
    seen: dict[str, str | None] = {}
    out = []
    for art in articles:
        if art.id not in seen:
            seen[art.id] = art.path
            out.append(art)
            continue
        n = 2
        while f"{art.id}~{n}" in seen:
            n += 1
        new_id = f"{art.id}~{n}"
        warnings.append(f"{art.path}: duplicate id {art.id!r} (first in {seen[art.id]}); "
                        f"renamed to {new_id!r}")
        seen[new_id] = art.path
        out.append(art.model_copy(update={"id": new_id}))
    return out
