"""Bytes of corpus files to text: UTF-8, UTF-16 with a BOM, Windows-1258, and the legacy
Vietnamese font encodings (TCVN3, VNI) recognised for what they are."""

from __future__ import annotations

import codecs
import re

# TCVN3 (ABC) puts Vietnamese letters on bytes that Windows code pages read as symbols:
# "Hà Nội" arrives as "Hµ Néi". Inside a word such symbols never occur in real text.
_TCVN3_RE = re.compile(r"[A-Za-z][\u00a1-\u00af\u00b5-\u00b9\u00bb-\u00bf]|"
                       r"[\u00a1-\u00af\u00b5-\u00b9\u00bb-\u00bf][A-Za-z]")
# VNI writes the tone as a second byte after the vowel: "Hà Nội" arrives as "Haø Noäi".
# These letters never occur in Vietnamese; in a few foreign names they may.
_VNI_RE = re.compile(r"[aeiouyAEIOUY][øïûäåëöüñÑØÏÛÄÅËÖÜ]")
_WORD_RE = re.compile(r"\S+")
# Any character either encoding leaves behind: most texts have none, and are done with
# one scan.
_SUSPECT_RE = re.compile(r"[\u00a1-\u00af\u00b5-\u00b9\u00bb-\u00bføïûäåëöüñÑØÏÛÄÅËÖÜ]")


def legacy_encoding(text: str) -> str | None:
    """"TCVN3" or "VNI" when ``text`` reads as Vietnamese typed in that legacy font
    encoding (and so decoded into nonsense), else None."""
    sample = text[:20_000]
    if not _SUSPECT_RE.search(sample):
        return None
    n_words = max(1, len(_WORD_RE.findall(sample)))
    for name, pattern in (("TCVN3", _TCVN3_RE), ("VNI", _VNI_RE)):
        hits = len(pattern.findall(sample))
        if hits >= 3 and hits / n_words >= 0.05:
            return name
    return None


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
