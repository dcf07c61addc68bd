"""A fast path to `khabar.textnorm.matching_form` for whole documents (the fallback match.* fields).

`matching_form` walks the text character by character to keep an offset map; indexing only
needs the string. Here each distinct character that the normalisation changes is replaced in
one C-level `str.replace` pass (found by one regex scan), then casefold and whitespace collapsing run on the whole
string (~15x faster on 3 KB Arabic articles). The output is the same for every input:
tests/unit/test_es_fastnorm.py checks every code point and random texts against
`matching_form`. Proposed to move into khabar.textnorm.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from khabar import textnorm


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], re.Pattern[str], frozenset[str], re.Pattern[str]]:
    """Replacements (deletions, the char map, presentation forms), a pattern finding the characters
    to change, the quote characters and the quote-pair pattern."""
    table: dict[str, str] = {chr(cp): "" for cp in textnorm._DIACRITICS | {textnorm._TATWEEL}}
    table.update(textnorm._CHAR_MAP)
    for cp in range(0xFB50, 0xFFF0):
        ch = chr(cp)
        if ch in table or unicodedata.normalize("NFKC", ch) == ch:
            # no decomposition (e.g. ornate parentheses ﴾﴿): left to casefold, as textnorm does
            continue
        mapped = textnorm._map_char(ch)
        if mapped != ch.casefold():
            table[ch] = mapped
    keys = frozenset(table)
    # replacing one key at a time equals a simultaneous translate only if no output holds a key
    assert not any(set(out) & keys for out in table.values()), "replacement output contains a key"
    quotes = frozenset({"'"} | {ch for ch, out in table.items() if out == "'"})
    pair = re.compile("[" + re.escape("".join(sorted(quotes))) + "]{2}")
    changing = re.compile("[" + re.escape("".join(sorted(keys | quotes))) + "]")
    return table, changing, quotes, pair


def fast_matching_form(text: str) -> str:
    """Same result as khabar.textnorm.matching_form(text), much faster on long texts."""
    table, changing, quotes, quote_pair = _tables()
    text = unicodedata.normalize("NFC", text)
    present = set(changing.findall(text))  # one C scan; set(text) costs 5x more on Arabic
    if not quotes.isdisjoint(present):
        text = quote_pair.sub('"', text)  # ‘‘ or '' used as a double quote (adjacent in the source)
    for ch in present:
        if ch in table:
            text = text.replace(ch, table[ch])
    return " ".join(text.casefold().split())
