"""An English → Vietnamese glossary of general and news vocabulary.

English questions over Vietnamese articles share almost no words with them, so keyword
search is blind for them. Expanding the question with the Vietnamese words of its terms
("signed" → "ký kết") gives keyword search and sentence choice something to match; the
dense side stays unchanged. The entries (``en_vi.txt`` beside this module) are common
English words and phrases, not any corpus's content.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from .text import ASCII_WORD_RE, normalize

_VOWELS = set("aeiou")


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[str, ...]]:
    """English word or phrase (lower case) → its Vietnamese renderings, best first."""
    text = resources.files(__package__).joinpath("en_vi.txt").read_text(encoding="utf-8")
    out: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        en, _, vi = line.partition(":")
        key = en.strip().lower()
        renderings = tuple(normalize(v.strip()) for v in vi.split("|") if v.strip())
        out[key] = tuple(dict.fromkeys(out.get(key, ()) + renderings))
    return out


# Irregular forms the suffix rules below cannot undo ("fought" → "fight").
_IRREGULAR = dict(pair.split(":") for pair in """
arose:arise arisen:arise ate:eat eaten:eat awoke:wake woken:wake woke:wake bore:bear
bent:bend bit:bite bitten:bite blew:blow blown:blow broke:break broken:break
brought:bring built:build burnt:burn bought:buy caught:catch chose:choose chosen:choose
came:come dealt:deal did:do done:do drew:draw drawn:draw drank:drink drunk:drink
drove:drive driven:drive dug:dig fell:fall fallen:fall fed:feed felt:feel fought:fight
found:find fled:flee flew:fly forbade:forbid forbidden:forbid forgot:forget
forgotten:forget forgave:forgive forgiven:forgive froze:freeze frozen:freeze got:get
gotten:get gave:give given:give went:go gone:go grew:grow grown:grow hung:hang had:have
heard:hear hid:hide hidden:hide held:hold kept:keep knew:know known:know laid:lay
led:lead left:leave lent:lend lost:lose made:make meant:mean met:meet paid:pay rode:ride
ridden:ride rang:ring rose:rise risen:rise ran:run said:say saw:see seen:see
sought:seek sold:sell sent:send shook:shake shaken:shake shot:shoot showed:show
shown:show sang:sing sung:sing sank:sink sunk:sink sat:sit slept:sleep slid:slide
spoke:speak spoken:speak spent:spend stood:stand stole:steal stolen:steal stuck:stick
struck:strike swore:swear sworn:swear swam:swim took:take taken:take taught:teach
tore:tear told:tell thought:think threw:throw thrown:throw understood:understand
wore:wear worn:wear won:win wrote:write written:write began:begin begun:begin
became:become beaten:beat wept:weep men:man women:woman children:child mice:mouse
feet:foot teeth:tooth wives:wife knives:knife crises:crisis
analyses:analysis phenomena:phenomenon
""".split())


def _stems(w: str) -> list[str]:
    """Candidate base forms of an inflected English word, most likely first."""
    out = [w]
    if w in _IRREGULAR:
        out.append(_IRREGULAR[w])
    if w.endswith("ies") and len(w) > 4:
        out.append(w[:-3] + "y")
    if w.endswith("es") and len(w) > 3:
        out.append(w[:-2])
    if w.endswith("s") and not w.endswith("ss"):
        out.append(w[:-1])
    for suffix in ("ed", "ing"):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            base = w[: -len(suffix)]
            out += [base, base + "e"]
            if len(base) > 2 and base[-1] == base[-2] and base[-1] not in _VOWELS:
                out.append(base[:-1])  # stopped → stop
            if suffix == "ed" and base.endswith("i"):
                out.append(base[:-1] + "y")  # carried → carry
    if w.endswith("ly") and len(w) > 4:
        out.append(w[:-2])
        if w.endswith("ily"):
            out.append(w[:-3] + "y")  # easily → easy
    for suffix in ("est", "er"):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            out += [w[: -len(suffix)], w[: -len(suffix)] + "e"]
    return out


def lookup(word: str) -> tuple[str, ...]:
    """Vietnamese renderings of one English word, trying its base forms."""
    table = glossary()
    for cand in _stems(word.lower()):
        if cand in table:
            return table[cand]
    return ()


def translate_terms(question: str) -> str:
    """Vietnamese words for the English terms of a question, space-separated. Two-word
    phrases ("prime minister") are looked up before their words."""
    table = glossary()
    tokens = [t.lower() for t in ASCII_WORD_RE.findall(question)]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        pair = " ".join(tokens[i:i + 2])
        if i + 1 < len(tokens) and pair in table:
            out.extend(table[pair])
            i += 2
            continue
        out.extend(lookup(tokens[i]))
        i += 1
    return " ".join(dict.fromkeys(out))


def renderings_in(question: str, word: str) -> list[str]:
    """Vietnamese renderings of ``word`` as ``question`` uses it: those of the two-word
    phrases it is part of there ("Prime" in "the Prime Minister" → "thủ tướng"), then its
    own."""
    table = glossary()
    tokens = [t.lower() for t in ASCII_WORD_RE.findall(question)]
    target = word.lower()
    out: list[str] = []
    for i, t in enumerate(tokens):
        if t == target:
            for pair in (" ".join(tokens[max(0, i - 1):i + 1]), " ".join(tokens[i:i + 2])):
                out.extend(table.get(pair, ()))
    out.extend(lookup(word))
    return out
