"""The matching form of text, shared by dedup, tagging, alert rules and search.

Arabic news spells the same word many ways (أ/إ/آ/ا, ى/ي, ة/ه, diacritics, tatweel,
Arabic-Indic digits, «» vs ""). Everything that compares text compares this form, so a
rule, a gazetteer name and an article all meet in the same spelling. It is never shown to
users: `forms` in tags are cut from the original text using the offset map returned by
`matching_form_with_map`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_DIACRITICS = set(range(0x064B, 0x0660)) | {0x0670} | set(range(0x06D6, 0x06EE))
_TATWEEL = 0x0640

_CHAR_MAP: dict[str, str] = {
    # alef forms and hamza seats
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و", "ئ": "ي",
    # ya / alef maqsura, ta marbuta, Persian/Urdu letter forms
    "ى": "ي", "ی": "ي", "ې": "ي", "ة": "ه", "ۀ": "ه", "ہ": "ه", "ک": "ك", "ڪ": "ك",
    # quotes and punctuation
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‘": "'", "’": "'",
    "‚": "'", "‛": "'", "`": "'", "´": "'", "،": ",", "؛": ";", "؟": "?", "٪": "%", "٫": ".",
    "٬": ",", "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
    "\u00a0": " ", "\u200b": "", "\u200c": "", "\u200d": "", "\u200e": "", "\u200f": "",
    "\ufeff": "",
}
for _i in range(10):
    _CHAR_MAP[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic
    _CHAR_MAP[chr(0x06F0 + _i)] = str(_i)  # Persian (Extended Arabic-Indic)



def _map_char(ch: str) -> str:
    cp = ord(ch)
    if cp in _DIACRITICS or cp == _TATWEEL:
        return ""
    mapped = _CHAR_MAP.get(ch)
    if mapped is not None:
        return mapped
    # Presentation forms (ﻻ, ﺃ ...) and full-width letters decompose under NFKC.
    if 0xFB50 <= cp <= 0xFEFF or 0xFF00 <= cp <= 0xFFEF:
        decomposed = unicodedata.normalize("NFKC", ch)
        if decomposed != ch:  # some (e.g. ornate parentheses) have no decomposition
            return "".join(_map_char(c) for c in decomposed)
    return ch.casefold()


def _walk(text: str, start: int, end: int, out: list[str], offsets: list[int], last_space: bool) -> bool:
    """Append the matching form of text[start:end] (one character at a time); returns last_space."""
    for i in range(start, end):
        for m in _map_char(text[i]):
            if m.isspace():
                if last_space:
                    continue
                m = " "
                last_space = True
            else:
                last_space = False
                if m == "'" and out and out[-1] == "'" and offsets[-1] == i - 1:
                    out[-1] = '"'  # ‘‘ or '' used as a double quote
                    continue
            out.append(m)
            offsets.append(i)
    return last_space


def matching_form_with_map_walk(text: str) -> tuple[str, list[int]]:
    """The reference definition of `matching_form_with_map`: a walk over every character."""
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    offsets: list[int] = []
    _walk(text, 0, len(text), out, offsets, True)
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


@lru_cache(maxsize=1)
def _segments() -> tuple[dict[str, str], re.Pattern[str], frozenset[str], re.Pattern[str]]:
    """A one-to-one table (a character that becomes exactly one other, keeping offsets), a
    pattern finding them, the special characters (deleted, expanded, quotes, whitespace) and a
    pattern finding where the walk is needed: a special other than a plain space, or two spaces.
    """
    one_to_one: dict[str, str] = {}
    special: set[str] = set()
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        mapped = _map_char(ch)
        if ch.isspace() or mapped == "'" or (len(mapped) == 1 and mapped.isspace()):
            special.add(ch)
        elif mapped == ch:
            continue
        elif len(mapped) == 1:
            one_to_one[ch] = mapped
        else:  # deleted or expanded
            special.add(ch)
    # translating first must not create a special or something the walk would change again
    assert all(_map_char(out) == out and out not in special for out in one_to_one.values())
    changing = re.compile("[" + "".join(sorted(re.escape(c) for c in one_to_one)) + "]")
    cls = "".join(sorted(re.escape(c) for c in special if c != " "))
    walk_here = re.compile(rf"[{cls}\U00010000-\U0010FFFF]|  ")
    return one_to_one, changing, frozenset(special), walk_here


def matching_form_with_map(text: str) -> tuple[str, list[int]]:
    """Matching form plus, for each of its characters, the index of its source character.

    Whitespace runs collapse to one space; the map lets a caller cut the original surface
    form out of `text` for any span found in the matching form. Equals
    `matching_form_with_map_walk` (tests check every code point) at a fraction of its cost:
    one-to-one changes are made in C, and only clusters of specials (with the whitespace
    around them) are walked; the plain stretches between them are copied whole.
    """
    one_to_one, changing, special, walk_here = _segments()
    text = unicodedata.normalize("NFC", text)
    source = text
    for ch in set(changing.findall(text)):
        text = text.replace(ch, one_to_one[ch])
    out: list[str] = []
    offsets: list[int] = []
    last_space = True
    done = 0
    size = len(text)
    for m in walk_here.finditer(text):
        start, end = m.span()
        if start < done:
            continue  # inside the previous cluster
        while start > done and text[start - 1].isspace():
            start -= 1
        while end < size and (text[end] in special or ord(text[end]) > 0xFFFF):
            end += 1
        if start > done:
            if last_space and text[done] == " ":
                done += 1  # a single space right after a collapsed one (or at the start)
            out.append(text[done:start])
            offsets.extend(range(done, start))
            last_space = False  # a plain stretch never ends in a space (it would be walked)
        last_space = _walk(source, start, end, out, offsets, last_space)
        done = end
    if done < size:
        if last_space and text[done] == " ":
            done += 1
        out.append(text[done:])
        offsets.extend(range(done, size))
    norm = "".join(out)
    if norm.endswith(" "):
        norm = norm[:-1]
        offsets.pop()
    return norm, offsets


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], re.Pattern[str], frozenset[str], re.Pattern[str]]:
    """Replacements (deletions, the char map, presentation forms), a pattern finding the characters
    to change, the quote characters and the quote-pair pattern."""
    table: dict[str, str] = {chr(cp): "" for cp in _DIACRITICS | {_TATWEEL}}
    table.update(_CHAR_MAP)
    for cp in range(0xFB50, 0xFFF0):
        ch = chr(cp)
        if ch in table or unicodedata.normalize("NFKC", ch) == ch:
            # no decomposition (e.g. ornate parentheses ﴾﴿): left to casefold, as textnorm does
            continue
        mapped = _map_char(ch)
        if mapped != ch.casefold():
            table[ch] = mapped
    keys = frozenset(table)
    # replacing one key at a time equals a simultaneous translate only if no output holds a key
    assert not any(set(out) & keys for out in table.values()), "replacement output contains a key"
    quotes = frozenset({"'"} | {ch for ch, out in table.items() if out == "'"})
    pair = re.compile("[" + re.escape("".join(sorted(quotes))) + "]{2}")
    changing = re.compile("[" + re.escape("".join(sorted(keys | quotes))) + "]")
    return table, changing, quotes, pair


def matching_form(text: str) -> str:
    """Normalised text for comparison (see module docstring).

    Same result as `matching_form_with_map(text)[0]` (tests check every code point), ~10x
    faster: each character that changes is replaced in one C-level pass instead of a walk.
    """
    table, changing, quotes, quote_pair = _tables()
    text = unicodedata.normalize("NFC", text)
    present = set(changing.findall(text))  # one C scan; set(text) costs 5x more on Arabic
    if not quotes.isdisjoint(present):
        text = quote_pair.sub('"', text)  # ‘‘ or '' used as a double quote (adjacent in the source)
    for ch in present:
        if ch in table:
            text = text.replace(ch, table[ch])
    return " ".join(text.casefold().split())


_WORD = re.compile(r"[\w\u0600-\u06FF]+", re.UNICODE)


def words(norm: str) -> list[str]:
    """Word tokens of a matching-form string (digits kept, punctuation dropped)."""
    return _WORD.findall(norm)


def original_span(text: str, offsets: list[int], start: int, end: int) -> str:
    """The original surface text behind matching-form span [start, end)."""
    if start >= end or not offsets:
        return ""
    s = offsets[start]
    e = offsets[end - 1] + 1
    # extend over trailing diacritics/tatweel that were dropped from the matching form
    while e < len(text) and (ord(text[e]) in _DIACRITICS or ord(text[e]) == _TATWEEL):
        e += 1
    return text[s:e]
