"""The English → Vietnamese glossary that gives English questions keywords."""

from __future__ import annotations

import unicodedata

from newsqa.lexicon import glossary, lookup, translate_terms


def test_inflected_forms_find_their_base_word() -> None:
    assert "công ty" in lookup("companies")
    assert "ký" in lookup("signed")
    assert "thành lập" in lookup("founded")
    assert "dừng" in lookup("stopping")
    assert "mang" in lookup("carried")
    assert lookup("fought") == lookup("fight") != ()
    assert lookup("teeth") == lookup("tooth") != ()
    assert lookup("xyzzy") == ()


def test_phrases_win_over_their_words() -> None:
    terms = translate_terms("What did the Prime Minister announce?")
    assert terms.startswith("thủ tướng") and "công bố" in terms
    assert "hoa kỳ" in translate_terms("When did the United States sign it?")


def test_entries_are_nfc_lower_case_and_non_empty() -> None:
    table = glossary()
    assert len(table) > 1000
    for en, renderings in table.items():
        assert en == en.lower() and renderings
        assert all(r == unicodedata.normalize("NFC", r) for r in renderings)
