"""The fast matching_form must equal the offset-mapping walk (matching_form_with_map) on every input."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.textnorm import matching_form as fast_matching_form
from khabar.textnorm import matching_form_with_map


def matching_form(text: str) -> str:
    return matching_form_with_map(text)[0]


def _reference(text: str) -> str | None:
    return matching_form(text)


def test_every_bmp_code_point_alone_and_between_letters():
    mismatches = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        for text in (chr(cp), f"ب{chr(cp)}ب"):
            if fast_matching_form(text) != _reference(text):
                mismatches.append(hex(cp))
    assert mismatches == []


def test_known_cases():
    assert fast_matching_form("  «إسرائيلُ»  تقول‘‘نعم’’ ٣٢ ") == matching_form("  «إسرائيلُ»  تقول‘‘نعم’’ ٣٢ ")
    assert fast_matching_form("ﻻ ﺃﺣﺪ") == "لا احد"
    assert fast_matching_form("Straße\u00a0KÖLN") == "strasse köln"
    assert fast_matching_form("'''") == '"\''


def test_ornate_parentheses():
    assert fast_matching_form("قال ﴿الحمد﴾") == matching_form("قال ﴿الحمد﴾") == "قال ﴿الحمد﴾"


_ALPHABET = st.sampled_from(
    list("ابتثجحخدذرسشصضطظعغفقكلمنهويأإآٱىةؤئءـ") + [chr(c) for c in range(0x064B, 0x0653)]
    + list("«»“”‘’'`´\"،؛؟٪٫٬–— \t\n\u00a0\u200b\u200c\u200e\ufeff") + [chr(0x0660 + i) for i in range(10)]
    + list("ﻻﺃﺇﷲﭐﮎ＇｀ＡＢ") + list("aBcßİΣςǅ0123") + ["e\u0301", "\u0301"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_random_texts(text):
    assert fast_matching_form(text) == _reference(text)
    assert fast_matching_form(text) == fast_matching_form(unicodedata.normalize("NFC", text))


# --- matching_form_with_map (plain stretches copied whole) must equal the character walk -----

def test_offset_map_equals_the_walk_for_every_bmp_code_point():
    from khabar.textnorm import matching_form_with_map_walk

    mismatches = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        for text in (ch, f"ب{ch}ب", f"ب {ch} ب", f" {ch}", f"{ch} ", f" ب{ch}  ", f"ب{ch} ب"):
            if matching_form_with_map(text) != matching_form_with_map_walk(text):
                mismatches.append(hex(cp))
    assert mismatches == []


@settings(max_examples=600, deadline=None)
@given(st.lists(_ALPHABET | st.sampled_from([" ", "  ", "\U0001F600", "ﷺ", "Ａ"]), max_size=60).map("".join))
def test_offset_map_random_texts(text):
    from khabar.textnorm import matching_form_with_map_walk

    assert matching_form_with_map(text) == matching_form_with_map_walk(text)


def test_offset_map_on_a_real_article():
    from pathlib import Path

    from khabar.textnorm import matching_form_with_map_walk

    text = (Path(__file__).parents[1] / "fixtures" / "devset").glob("*")
    bodies = [p.read_text(encoding="utf-8") for p in sorted(text) if p.is_file()][:10]
    assert bodies, "the dev set fixtures are missing"
    for body in bodies:
        norm, offsets = matching_form_with_map(body)
        assert (norm, offsets) == matching_form_with_map_walk(body)
        assert len(norm) == len(offsets) and len(norm) > 100
