"""The matching form: every spelling DESIGN §5 lists must meet in one form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from khabar.textnorm import matching_form, matching_form_with_map, original_span, words


def test_alef_forms_meet() -> None:
    assert {matching_form(w) for w in ("أحمد", "إحمد", "آحمد", "احمد")} == {"احمد"}


def test_ya_ta_marbuta_hamza_seats() -> None:
    assert matching_form("مستشفى") == matching_form("مستشفي")
    assert matching_form("الحسكة") == matching_form("الحسكه")
    assert matching_form("مؤتمر") == "موتمر"
    assert matching_form("رئيس") == "رييس"


def test_diacritics_and_tatweel_removed() -> None:
    assert matching_form("قُتِلَ") == "قتل"
    assert matching_form("الحسكـــة") == matching_form("الحسكة")


def test_digits_become_ascii() -> None:
    assert matching_form("قتل ٢٨٧ شخصا في ۱۴ يوما") == "قتل 287 شخصا في 14 يوما"


def test_quote_styles_meet() -> None:
    forms = {matching_form(q) for q in ("«قسد»", "“قسد”", '"قسد"', "‘‘قسد’’")}
    assert forms == {'"قسد"'}


def test_whitespace_collapsed_and_latin_casefolded() -> None:
    assert matching_form("  Islamic\u00a0\n State ") == "islamic state"


def test_presentation_forms_decompose() -> None:
    assert matching_form("ﻻ") == "لا"


def test_offsets_recover_the_surface_form() -> None:
    text = "قالَ إنّ «المرصد» أحصى ٢٨٧ قتيلاً في الحسكـــة."
    norm, offsets = matching_form_with_map(text)
    start = norm.index("الحسكه")
    assert original_span(text, offsets, start, start + len("الحسكه")) == "الحسكـــة"
    start = norm.index("قتيلا")
    assert original_span(text, offsets, start, start + len("قتيلا")) == "قتيلاً"


def test_words() -> None:
    assert words(matching_form("قتل ٦ مدنيين، و«جرح» آخرون.")) == ["قتل", "6", "مدنيين", "و", "جرح", "اخرون"]


@given(st.text(max_size=200))
def test_map_is_consistent(text: str) -> None:
    norm, offsets = matching_form_with_map(text)
    assert len(norm) == len(offsets)
    assert offsets == sorted(offsets)
    assert matching_form(norm) == norm  # idempotent


def test_presentation_symbols_without_decomposition_terminate() -> None:
    assert matching_form("﴾قال﴿") == "﴾قال﴿"
