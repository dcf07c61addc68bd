"""Numbers written as digits or words (Arabic and English) → int.

News gives the same figure as "6", "٦", "ستة" or "ست"; dedup compares copies that differ
only in that, and casualty extraction must read "مئتين وسبعة وثمانين" as 287. Everything
here works on the matching form (khabar.textnorm): أ/إ/آ → ا, ة → ه, ى → ي, no diacritics,
Arabic-Indic digits → ASCII, lower case.

Vague quantities ("عشرات", "مئات", "dozens") are deliberately NOT numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from khabar.textnorm import matching_form

# --- the vocabulary (matching form) -------------------------------------------------------

_UNITS: dict[str, int] = {
    "صفر": 0,
    "واحد": 1, "واحده": 1, "احد": 1, "احدي": 1,
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "اثنا": 2, "اثني": 2, "اثنتا": 2,
    "اثنتي": 2, "ثنتان": 2, "ثنتين": 2,
    "ثلاث": 3, "ثلاثه": 3,
    "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5,
    "ست": 6, "سته": 6, "سث": 6,
    "سبع": 7, "سبعه": 7,
    "ثمان": 8, "ثماني": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9,
}
_TEN: dict[str, int] = {"عشر": 10, "عشره": 10}
_TENS: dict[str, int] = {}
for _stem, _v in (("عشر", 20), ("ثلاث", 30), ("اربع", 40), ("خمس", 50), ("ست", 60),
                  ("سبع", 70), ("ثمان", 80), ("تسع", 90)):
    _TENS[_stem + "ون"] = _v
    _TENS[_stem + "ين"] = _v
_HUNDREDS: dict[str, int] = {
    "مئه": 100, "مائه": 100, "ميه": 100,
    "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200, "مئتا": 200, "مائتا": 200,
    "مئتي": 200, "مائتي": 200,
}
for _stem, _v in (("ثلاث", 3), ("ثلث", 3), ("اربع", 4), ("خمس", 5), ("ست", 6),
                  ("سبع", 7), ("ثمان", 8), ("ثماني", 8), ("تسع", 9)):
    _HUNDREDS[_stem + "مئه"] = _v * 100
    _HUNDREDS[_stem + "مائه"] = _v * 100
# Multipliers: singular forms count alone ("الف" = 1000); plural forms only after a number
# ("ثلاثة آلاف" = 3000; "آلاف" alone is vague).
_MULTIPLIERS: dict[str, int] = {
    "الف": 1000, "الفا": 1000, "الاف": 1000, "الوف": 1000,
    "مليون": 10**6, "مليونا": 10**6, "ملايين": 10**6,
    "مليار": 10**9, "مليارا": 10**9, "مليارات": 10**9, "بليون": 10**9,
}
_DIRECT: dict[str, int] = {"الفان": 2000, "الفين": 2000, "مليونان": 2 * 10**6, "مليونين": 2 * 10**6}
# ... and بليون, rare for "billion" (مليار is the word) and the name of an Idlib village
# ("قتل تسعة مدنيين في قرية بليون وأربعة ...")
_PLURAL_MULTIPLIERS = frozenset({"الاف", "الوف", "ملايين", "مليارات", "بليون"})
_HUNDRED_MULTIPLIER = frozenset({"مئه", "مائه"})  # "ثلاث مئة" written apart = 300

_EN_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "dozen": 12,
}
_EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
_EN_MULTIPLIERS = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9}

def _mf(words: dict[str, int]) -> dict[str, int]:
    """Keys in matching form (ئ → ي, so "مئة" is stored as "ميه"), whatever was typed above."""
    return {matching_form(k): v for k, v in words.items()}


_UNITS, _TEN, _TENS, _HUNDREDS, _MULTIPLIERS, _DIRECT = (
    _mf(d) for d in (_UNITS, _TEN, _TENS, _HUNDREDS, _MULTIPLIERS, _DIRECT))
_PLURAL_MULTIPLIERS = frozenset(map(matching_form, _PLURAL_MULTIPLIERS))
_HUNDRED_MULTIPLIER = frozenset(map(matching_form, _HUNDRED_MULTIPLIER))

NUMBER_WORDS: dict[str, int] = {
    **_UNITS, **_TEN, **_TENS, **_HUNDREDS, **_MULTIPLIERS, **_DIRECT,
    **_EN_UNITS, **_EN_TENS, **_EN_MULTIPLIERS,
}
"""Every single-token number word, keyed in matching form, with its value.

Plural multipliers ("آلاف", "ملايين") map to their multiplier; on their own they are vague,
which `number_value` and `find_numbers` respect.
"""

VAGUE_NUMBER_WORDS = frozenset(map(matching_form, {
    "عشرات", "مئات", "مائات", "الاف", "الوف", "ملايين", "مليارات", "بضع", "بضعه", "عده",
    "dozens", "scores", "hundreds", "thousands", "millions", "several", "few",
}))
"""Quantities that are not a number ("عشرات القتلى" gives no death count)."""

# Tokens that look like a number after stripping the article but mean something else:
# الأحد (Sunday), الاثنين (Monday), and the many uses of "أحد" (anyone/one of).
_NO_ARTICLE = frozenset(map(matching_form, {"احد", "احدي", "اثنين", "اثنان", "الف", "الفا", "الاف", "الوف",
                         "مليون", "مليونا", "ملايين", "مليار", "مليارا", "مليارات", "مئه",
                         "مائه", "ميه"}))
_CONJ = ("و", "ف")
_PREPS = ("ب", "ل", "ك")

_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")


def _digits_value(token: str) -> int | None:
    """'287' → 287, '1,200' → 1200; decimals ('2.5') are not whole numbers → None."""
    if not _DIGITS.match(token):
        return None
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", token):
        return int(token.replace(",", ""))
    if token.isdigit():
        return int(token)
    return None


def _strip_proclitics(token: str) -> list[str]:
    """Candidate stems of a token: itself, then without و/ف, ب/ل/ك, ال (longest last)."""
    out = [token]
    rest = token
    if len(rest) > 3 and rest[0] in _CONJ:
        rest = rest[1:]
        out.append(rest)
    if len(rest) > 3 and rest[0] in _PREPS:
        rest = rest[1:]
        out.append(rest)
    if len(rest) > 4 and rest.startswith("ال"):
        out.append(rest[2:])
    elif rest.startswith("ل") and len(rest) > 3 and token[0] in _PREPS:  # لل = ل + ال
        out.append(rest[1:])
    return out


def _lookup(token: str) -> tuple[int, str] | None:
    """(value, stem) for a number word with optional proclitics, else None."""
    for i, stem in enumerate(_strip_proclitics(token)):
        value = NUMBER_WORDS.get(stem)
        if value is None:
            continue
        had_article = len(stem) < len(token) and "ال" + stem in token
        if had_article and stem in _NO_ARTICLE:
            return None
        # short stems with a preposition are usually other words (لست = "I am not")
        if i > 0 and len(stem) <= 3 and token[0] in _PREPS:
            return None
        return value, stem
    return None


def number_value(token_in_matching_form: str) -> int | None:
    """Value of one token: digits ("287", "٢٨٧") or a number word ("ستة", "وستة", "six").

    Vague words ("عشرات") and plural multipliers alone ("آلاف") give None.
    """
    token = token_in_matching_form
    if not token:
        return None
    value = _digits_value(token)
    if value is not None:
        return value
    found = _lookup(token)
    if found is None:
        norm = matching_form(token)
        if norm == token:
            return None
        value = _digits_value(norm)
        if value is not None:
            return value
        found = _lookup(norm)
        if found is None:
            return None
    value, stem = found
    if stem in _PLURAL_MULTIPLIERS:
        return None
    return value


# --- multi-word numbers ----------------------------------------------------------------

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
_CONNECTORS = frozenset({"و", "and"})


@dataclass(frozen=True, slots=True)
class NumberMatch:
    """A number found in a matching-form string: [start, end) and its value."""

    start: int
    end: int
    value: int
    words: bool  # written (at least partly) in words, not only digits


class _Builder:
    """Accumulates one number from its parts, refusing parts that cannot continue it."""

    def __init__(self, kind: str, value: int) -> None:
        self.total = 0  # completed thousand/million groups
        self.current = 0  # the group below the last multiplier
        self.last = kind  # kind of the last part: unit|ten|tens|tens_en|hundreds|mult|digits
        if kind == "mult" and value >= 1000:
            self.total = value
        else:
            self.current = value
            if kind == "mult":
                self.last = "hundreds"

    @property
    def value(self) -> int:
        return self.total + self.current

    def add(self, kind: str, value: int, joined: bool) -> bool:
        """Try to extend with a part; `joined` = linked by و/and. False → the number ended."""
        low = self.current % 100
        if kind == "mult":
            if joined:
                return False
            if value == 100:  # "ثلاث مئة", "two hundred"
                if not 0 < self.current < 10:
                    return False
                self.current *= 100
                self.last = "hundreds"
                return True
            if self.current == 0:
                return False
            self.total += self.current * value
            self.current = 0
            self.last = "mult"
            return True
        if self.last == "digits" or kind == "digits":
            return False
        if kind == "ten":  # عشر right after a unit: a teen ("ثلاثة عشر" = 13)
            ok = not joined and self.last == "unit" and low < 10
        elif kind == "unit":
            ok = (joined and low == 0 and self.value > 0) or (
                self.last == "tens_en" and low % 10 == 0)
        elif kind == "tens":  # Arabic: "خمسة وعشرون" (unit first), "مئة وعشرون"
            ok = joined and low < 10
        elif kind == "tens_en":  # English: "hundred and twenty", "hundred twenty"
            ok = low == 0 and self.last in ("hundreds", "mult")
        elif kind == "hundreds":
            ok = joined and self.current == 0 and self.total > 0
        else:
            ok = False
        if ok:
            self.current += value
            self.last = kind
        return ok


def _classify(token: str) -> tuple[str, int, bool] | None:
    """(kind, value, joined_by_wa) for a token that can be part of a number."""
    value = _digits_value(token)
    if value is not None:
        return "digits", value, False
    joined = False
    stem = token
    if stem not in NUMBER_WORDS and len(stem) > 2 and stem[0] == "و":
        stem = stem[1:]
        joined = True
    if stem in _EN_UNITS:
        return "unit", _EN_UNITS[stem], joined
    if stem in _EN_TENS:
        return "tens_en", _EN_TENS[stem], joined
    if stem in _EN_MULTIPLIERS:
        return "mult", _EN_MULTIPLIERS[stem], joined
    if stem in _UNITS:
        return "unit", _UNITS[stem], joined
    if stem in _TEN:
        return "ten", 10, joined
    if stem in _TENS:
        return "tens", _TENS[stem], joined
    if stem in _HUNDREDS and stem not in _HUNDRED_MULTIPLIER:
        return "hundreds", _HUNDREDS[stem], joined
    if stem in _HUNDRED_MULTIPLIER:
        return "mult", 100, joined
    if stem in _MULTIPLIERS:
        return "mult", _MULTIPLIERS[stem], joined
    if stem in _DIRECT:
        return "hundreds" if _DIRECT[stem] < 1000 else "direct", _DIRECT[stem], joined
    return None


def _start_value(token: str) -> tuple[str, int] | None:
    """How a number may START at this token (proclitics allowed: بثلاثين, والستة)."""
    c = _classify(token)
    if c is not None and not c[2]:
        kind, value, _ = c
        if kind == "mult" and token in _PLURAL_MULTIPLIERS:
            return None
        return kind, value
    found = _lookup(token)
    if found is None:
        return None
    value, stem = found
    if stem in _PLURAL_MULTIPLIERS:
        return None
    c = _classify(stem)
    return (c[0], c[1]) if c else None


def _build_start_table() -> dict[str, tuple[str, int, int]]:
    """Every written form that can start a number -> (kind, value, proclitic length).

    Precomputed from `_start_value` over the number words and their proclitics, so a
    document scan is one dict lookup per word.
    """
    conj = ("", "و", "ف")
    preps = ("", "ب", "ل", "ك")
    table: dict[str, tuple[str, int, int]] = {}
    for stem in NUMBER_WORDS:
        forms = {c + p + a + stem for c in conj for p in preps for a in ("", "ال")}
        forms |= {c + p + "ل" + stem for c in conj for p in _PREPS}
        for form in forms:
            start = _start_value(form)
            if start is not None:
                table[form] = (start[0], start[1], _stem_offset(form))
    return table


class _Positions:
    def __init__(self, matches: list[re.Match]) -> None:
        self._m = matches

    def span(self, i: int) -> tuple[int, int]:
        return self._m[i].span()

    def start(self, i: int) -> int:
        return self._m[i].start()

    def end(self, i: int) -> int:
        return self._m[i].end()


def find_numbers(norm: str) -> list[NumberMatch]:
    """All numbers in a matching-form string, multi-word ones joined.

    "قتل مئتين وسبعة وثمانين" → 287; "ثلاثة آلاف" → 3000; "1,200" → 1200; "3 آلاف" → 3000;
    "5 و3" stays two numbers; "احد" alone is not a number (أحد = anyone / one of).
    """
    words = _TOKEN.findall(norm)
    matches: list[re.Match] | None = None
    out: list[NumberMatch] = []
    i = 0
    n = len(words)
    start_table = _START
    while i < n:
        tok = words[i]
        if tok[0].isdigit():
            value = _digits_value(tok)
            if value is None:
                i += 1
                continue
            kind, offset = "digits", 0
        else:
            start = start_table.get(tok)
            if start is None:
                i += 1
                continue
            kind, value, offset = start
        if matches is None:  # positions only once a number is seen
            matches = list(_TOKEN.finditer(norm))
            tokens = _Positions(matches)
        s, e = tokens.span(i)
        if kind == "direct":
            kind, value = "mult", value  # الفين: a complete thousands group
        b = _Builder(kind, value)
        num_start = s + offset  # after proclitics: the number word itself
        num_end = e
        used_words = kind != "digits"
        j = i + 1
        while j < n:
            gap = norm[num_end:tokens.start(j)]
            if gap.strip() not in ("", "-"):
                break
            t = words[j]
            if t in _CONNECTORS and j + 1 < n and not norm[tokens.end(j):tokens.start(j + 1)].strip():
                c = _classify(words[j + 1])
                if c is None or not b.add(c[0] if c[0] != "direct" else "mult", c[1], True):
                    break
                num_end = tokens.end(j + 1)
                used_words = True
                j += 2
                continue
            c = _classify(t)
            if c is None:
                break
            ckind, cval, joined = c
            if ckind == "direct":
                break
            if ckind == "digits" or not b.add(ckind, cval, joined):
                break
            num_end = tokens.end(j)
            used_words = True
            j += 1
        if j == i + 1 and _is_bare_ahad(tok):
            i = j
            continue  # "أحد" alone: anyone / one of, not a count
        out.append(NumberMatch(num_start, num_end, b.value, used_words))
        i = j
    return out


def _is_bare_ahad(token: str) -> bool:
    found = _lookup(token)
    return found is not None and found[1] in ("احد", "احدي")


def _stem_offset(token: str) -> int:
    """Characters of proclitics before the number word in a token (0 for digits)."""
    if _classify(token) is not None:
        return 0
    found = _lookup(token)
    if found is None:
        return 0
    return len(token) - len(found[1])


def parse_number(text: str) -> int | None:
    """The value of a text that is one number expression ("مئتين وسبعة وثمانين" → 287).

    Returns None if the text is not exactly one number (vague words, extra words).
    Accepts raw or matching-form text.
    """
    norm = matching_form(text).strip()
    found = find_numbers(norm)
    if len(found) != 1:
        return None
    m = found[0]
    rest = (norm[:m.start] + norm[m.end:]).strip()
    if rest and not _only_proclitics(norm[:m.start]) or norm[m.end:].strip(" .,;"):
        return None
    return m.value


def _only_proclitics(prefix: str) -> bool:
    return prefix.strip() in ("", "و", "ف", "ب", "ل", "ك", "وب", "ال", "وال", "بال", "ب ال")


_START = _build_start_table()
