"""Streaming readers of ``.jsonl`` and ``.json`` corpus files: one record at a time, each
bounded in size, so that memory follows the largest record rather than the file."""

from __future__ import annotations

import codecs
import io
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from .encoding import decode_bytes

_CHUNK = 1 << 20
_WS_RE = re.compile(r"\s*")


def _too_big(rel: str, where: int | str, limit: int) -> str:
    return (f"{rel}:{where}: record over {limit / 1e6:.0f} MB; skipped (split the article "
            "into smaller ones)")


def iter_jsonl(fh: IO[bytes], rel: str, *, limit: int,
               warnings: list[str]) -> Iterator[tuple[str, Any]]:
    """(``file:line``, record) for each line of a ``.jsonl`` file; bad lines are reported
    in ``warnings`` by file and line and skipped."""
    utf16 = fh.peek(2)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) \
        if isinstance(fh, io.BufferedReader) else False
    lines: IO[Any] = io.TextIOWrapper(fh, encoding="utf-16", newline="\n") if utf16 else fh
    legacy_noted = False
    lineno = 0
    while True:
        line = lines.readline(limit + 1)
        if not line:
            return
        lineno += 1
        if len(line) > limit and not line.endswith("\n" if utf16 else b"\n"):
            while (more := lines.readline(_CHUNK)) and \
                    not more.endswith("\n" if utf16 else b"\n"):
                pass
            warnings.append(_too_big(rel, lineno, limit))
            continue
        if isinstance(line, bytes):
            text, how = decode_bytes(line)
            if text is None:
                warnings.append(f"{rel}:{lineno}: {how}; line skipped (save the file as UTF-8)")
                continue
            if how == "cp1258" and not legacy_noted:
                legacy_noted = True
                warnings.append(f"{rel}: decoded as cp1258; consider saving it as UTF-8")
        else:
            text = line
        if not text.strip():
            continue
        try:
            rec = json.loads(text)
        except json.JSONDecodeError as exc:
            warnings.append(f"{rel}:{lineno}: malformed JSON ({exc.msg}); line skipped")
            continue
        except (ValueError, RecursionError) as exc:
            warnings.append(f"{rel}:{lineno}: unreadable JSON ({_why(exc)}); line skipped")
            continue
        yield f"{rel}:{lineno}", rec


def _why(exc: BaseException) -> str:
    return "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:80]


class _Buffer:
    """A window on a text stream for incremental JSON decoding, counting lines."""

    def __init__(self, reader: IO[str]) -> None:
        self.reader = reader
        self.buf = ""
        self.pos = 0
        self.line = 1
        self.eof = False

    def more(self) -> bool:
        chunk = self.reader.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def advance(self, to: int) -> None:
        self.line += self.buf.count("\n", self.pos, to)
        self.pos = to

    def peek(self) -> str:
        """The next non-space character ('' at the end of the stream)."""
        while True:
            m = _WS_RE.match(self.buf, self.pos)
            self.advance(m.end() if m else self.pos)
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos:self.pos + 1]


def iter_json(fh: IO[bytes], rel: str, *, limit: int,
              warnings: list[str]) -> Iterator[tuple[str, Any]]:
    """(``file:item N``, record) for each element of a ``.json`` list (or the one object
    of the file). A malformed or oversized element ends the file with a warning naming
    its line; the records before it are kept."""
    head = fh.peek(2)[:2] if isinstance(fh, io.BufferedReader) else b""
    utf16 = head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    b = _Buffer(io.TextIOWrapper(fh, encoding="utf-16" if utf16 else "utf-8-sig"))
    decoder = json.JSONDecoder()
    try:
        first = b.peek()
        if first not in ("[", "{"):
            warnings.append(f"{rel}: expected a list of articles; file skipped")
            return
        single = first == "{"
        if not single:
            b.advance(b.pos + 1)
        index = 0
        while True:
            nxt = b.peek()
            if not single and nxt == "]":
                return
            if not nxt:
                warnings.append(f"{rel}:{b.line}: malformed JSON (the file ends early); rest "
                                "of file skipped")
                return
            while True:
                try:
                    rec, end = decoder.raw_decode(b.buf, b.pos)
                    if end < len(b.buf) or b.eof:
                        break
                except json.JSONDecodeError as exc:
                    if b.eof or len(b.buf) - b.pos > limit:
                        line = b.line + b.buf.count("\n", b.pos, exc.pos)
                        problem = exc.msg if b.eof else f"record over {limit / 1e6:.0f} MB"
                        warnings.append(f"{rel}:{line}: malformed JSON ({problem}); rest of "
                                        "file skipped")
                        return
                b.more()
            if end - b.pos > limit:
                warnings.append(_too_big(rel, f"{b.line} (item {index})", limit))
            else:
                yield f"{rel}:item {index}", rec
            b.advance(end)
            index += 1
            if single:
                return
            sep = b.peek()
            if sep == ",":
                b.advance(b.pos + 1)
            elif sep != "]":
                warnings.append(f"{rel}:{b.line}: malformed JSON (expected ',' or ']'); "
                                "rest of file skipped")
                return
    except RecursionError:
        warnings.append(f"{rel}:{b.line}: unreadable JSON (nested too deeply); rest of file "
                        "skipped")
    except UnicodeDecodeError:
        warnings.append(f"{rel}:{b.line}: not UTF-8; rest of file skipped (save it as UTF-8)")
