"""Read a corpus folder (.txt, .md, .jsonl, .json) into :class:`Article` records. One bad
file or record is reported by file and line and skipped; it never stops the rest."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .dates import read_date
from .encoding import decode_bytes, legacy_encoding
from .errors import CorpusError
from .models import Article
from .records import iter_json, iter_jsonl
from .text import cut_at_word, has_surrogates, normalize

TEXT_SUFFIXES = {".txt", ".md"}
RECORD_SUFFIXES = {".jsonl", ".json"}
MAX_ARTICLE_BYTES = 5_000_000
# A record carries its text escaped inside JSON (up to 6 bytes a character as \uXXXX).
RECORD_OVERHEAD = 4
MAX_TITLE_CHARS = 500


@dataclass
class Corpus:
    """Articles read from a folder, plus what was skipped or repaired on the way."""

    articles: list[Article]
    warnings: list[str] = field(default_factory=list)


def content_hash(title: str, text: str, *, date: datetime | None, url: str | None,
                 source: str | None) -> str:
    """Stable hash of what an article says; a change re-embeds the article."""
    payload = json.dumps([title, text, date.isoformat() if date else None, url, source],
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def make_article(id: str, title: str, text: str, *, date: datetime | None = None,
                 url: str | None = None, source: str | None = None,
                 path: str | None = None) -> Article:
    """Build an :class:`Article` with normalised text and its content hash."""
    title = normalize(title).strip()
    text = normalize(text).strip()
    if not title:
        title = text.split("\n", 1)[0][:80]
    art = Article(id=normalize(id), title=title, text=text, date=date, url=url, source=source,
                  path=path)
    return art.model_copy(update={"content_hash": content_hash(
        title, text, date=art.date, url=url, source=source)})


def _cut_title(title: str) -> str:
    return cut_at_word(title, MAX_TITLE_CHARS) + "…"


def parse_text_file(text: str, article_id: str, path: str, *,
                    warnings: list[str] | None = None) -> Article:
    """A .txt/.md article: first non-empty line is the title, then an optional date line.
    A first line too long to be a title stays in the body, and a cut of it is the title."""
    lines = normalize(text).split("\n")
    idx = 0
    while idx < len(lines) and not lines[idx].strip():
        idx += 1
    title = lines[idx].strip().lstrip("# ").strip() if idx < len(lines) else ""
    body_from = idx + 1
    date = None
    if len(title) > MAX_TITLE_CHARS:
        if warnings is not None:
            warnings.append(f"{path}:{idx + 1}: first line is {len(title):,} characters, too "
                            "long for a title; kept as text, titled by its first words")
        title, body_from = _cut_title(title), idx
    else:
        nxt = body_from
        while nxt < len(lines) and not lines[nxt].strip():
            nxt += 1
        if nxt < len(lines):
            date = _date_line(lines[nxt], f"{path}:{nxt + 1}", warnings)
            if date is not None:
                body_from = nxt + 1
    body = "\n".join(lines[body_from:])
    return make_article(article_id, title, body, date=date, path=path)


def _date_line(line: str, where: str, warnings: list[str] | None) -> datetime | None:
    try:
        return read_date(line)
    except ValueError as exc:
        if "outside" in str(exc) and warnings is not None:
            warnings.append(f"{where}: date {line.strip()[:40]!r}: {exc}; kept without date")
        return None


def _record_to_article(rec: Any, where: str, *, warnings: list[str],
                       max_bytes: int) -> Article | None:
    if not isinstance(rec, dict):
        warnings.append(f"{where}: not a JSON object; skipped")
        return None
    if any(isinstance(v, str) and has_surrogates(v) for v in (*rec.keys(), *rec.values())):
        warnings.append(f"{where}: contains an invalid character (a lone surrogate such as "
                        "\\ud800); skipped (fix the text encoding of this record)")
        return None
    text = rec.get("text")
    if not isinstance(text, str) or not normalize(text).strip():
        warnings.append(f"{where}: record has no 'text' field; skipped (add a 'text' string)")
        return None
    if len(text.encode("utf-8")) > max_bytes:
        warnings.append(f"{where}: text is over the {max_bytes / 1e6:.0f} MB article limit; "
                        "skipped (split it into smaller articles)")
        return None
    title = str(rec.get("title") or "")
    if len(title) > MAX_TITLE_CHARS:
        warnings.append(f"{where}: title is {len(title):,} characters; cut to "
                        f"{MAX_TITLE_CHARS}")
        title = _cut_title(title)
    legacy = legacy_encoding(f"{title}\n{text}")
    if legacy:
        warnings.append(_legacy_warning(where, legacy))
        return None
    date = None
    raw_date = rec.get("date")
    if raw_date not in (None, ""):
        try:
            date = read_date(str(raw_date))
        except ValueError as exc:
            warnings.append(f"{where}: {exc}; kept without date")
    rid = rec.get("id")
    # Without an id, a record is named by its place: file:line, or file#item of a list.
    article_id = str(rid) if rid not in (None, "") else where.replace(":item ", "#")
    return make_article(article_id, title, text, date=date, url=_opt_str(rec.get("url")),
                        source=_opt_str(rec.get("source")), path=where.rsplit(":", 1)[0])


def _legacy_warning(where: str, legacy: str) -> str:
    return (f"{where}: text is in the legacy {legacy} font encoding (it reads as 'Hµ Néi' or "
            "'Haø Noäi'); skipped (convert it to Unicode, e.g. with UniKey's converter)")


def _opt_str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def iter_corpus_files(root: Path, warnings: list[str] | None = None) -> Iterator[Path]:
    """Corpus files under ``root``, recursively, in a stable order. Hidden entries are
    skipped; so are links that lead outside ``root`` and names that are not valid UTF-8
    (each with a warning)."""
    warnings = warnings if warnings is not None else []
    real_root = root.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for d in dirs:
            p = Path(folder, d)
            if p.is_symlink() and not p.resolve().is_relative_to(real_root):
                warnings.append(f"{_shown(root, p)}: link to a folder outside the corpus; "
                                "skipped")
        for name in sorted(files):
            p = Path(folder, name)
            if name.startswith(".") or p.suffix.lower() not in TEXT_SUFFIXES | RECORD_SUFFIXES:
                continue
            if has_surrogates(name):
                warnings.append(f"{_shown(root, p)}: file name is not valid UTF-8; skipped "
                                "(rename the file)")
            elif p.is_symlink() and not p.resolve().is_relative_to(real_root):
                warnings.append(f"{_shown(root, p)}: link to a file outside the corpus; "
                                "skipped")
            elif p.is_file():
                yield p


def _shown(root: Path, path: Path) -> str:
    """A path relative to the corpus, printable whatever bytes its name holds."""
    rel = os.path.relpath(path, root)
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def load_corpus(root: str | Path, max_bytes: int = MAX_ARTICLE_BYTES) -> Corpus:
    """Read every article under ``root``. Bad files and records are skipped with a warning
    naming file and line; raises :class:`CorpusError` when nothing readable is there."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"corpus folder {root} does not exist; create it and put .txt, .md, "
                          ".jsonl or .json articles in it, or pass --corpus DIR")
    warnings: list[str] = []
    articles: list[Article] = []
    for path in iter_corpus_files(root, warnings):
        rel = _shown(root, path).replace(os.sep, "/")
        try:
            articles.extend(_read_file(path, rel, max_bytes=max_bytes, warnings=warnings))
        except OSError as exc:
            warnings.append(f"{rel}: cannot be read ({exc.strerror or exc}); skipped")
    articles = _dedupe_ids(articles, warnings)
    if not articles:
        raise CorpusError(f"corpus folder {root} holds no readable article"
                          + (f" ({len(warnings)} problems: {warnings[0]} …)" if warnings else "")
                          + "; add .txt, .md, .jsonl or .json files")
    return Corpus(articles=articles, warnings=warnings)


def _read_file(path: Path, rel: str, *, max_bytes: int,
               warnings: list[str]) -> list[Article]:
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if size == 0:
        warnings.append(f"{rel}: empty file; skipped")
        return []
    if suffix in RECORD_SUFFIXES:
        with path.open("rb") as fh:
            reader = iter_jsonl if suffix == ".jsonl" else iter_json
            records = reader(fh, rel, limit=max_bytes * RECORD_OVERHEAD, warnings=warnings)
            found = [_record_to_article(rec, where, warnings=warnings, max_bytes=max_bytes)
                     for where, rec in records]
        return [a for a in found if a is not None]
    if size > max_bytes:
        warnings.append(f"{rel}: {size / 1e6:.0f} MB is over the {max_bytes / 1e6:.0f} MB "
                        "article limit; skipped (split it into smaller articles)")
        return []
    text, how = decode_bytes(path.read_bytes())
    if text is None:
        warnings.append(f"{rel}: {how}; skipped (save it as UTF-8 text)")
        return []
    legacy = legacy_encoding(text)
    if legacy:
        warnings.append(_legacy_warning(rel, legacy))
        return []
    if how != "utf-8":
        warnings.append(f"{rel}: decoded as {how}; consider saving it as UTF-8")
    art = parse_text_file(text, rel, rel, warnings=warnings)
    if not art.text:
        warnings.append(f"{rel}: no text after the title; skipped")
        return []
    return [art]


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
