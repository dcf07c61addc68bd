"""Number words and digits → int (processors.tagging.numbers), on sentences written for these tests."""

import pytest

from khabar.textnorm import matching_form
from processors.tagging.numbers import NUMBER_WORDS, find_numbers, number_value, parse_number


@pytest.mark.parametrize(
    ("token", "value"),
    [
        ("ستة", 6), ("سته", 6), ("ست", 6), ("ثلاثين", 30), ("ثلاثون", 30), ("مئة", 100),
        ("مائة", 100), ("مئتين", 200), ("ألف", 1000), ("وستة", 6), ("٦", 6), ("287", 287),
        ("١٢٠٠", 1200), ("1,200", 1200), ("six", 6), ("Twenty", 20), ("ثلاثمائة", 300),
    ],
)
def test_number_value_single_tokens(token: str, value: int) -> None:
    assert number_value(matching_form(token)) == value


@pytest.mark.parametrize("token", ["عشرات", "مئات", "آلاف", "لست", "الأحد", "الاثنين", "dozens", "قتلى", ""])
def test_number_value_rejects_vague_and_lookalikes(token: str) -> None:
    assert number_value(matching_form(token)) is None


def test_number_words_are_keyed_in_matching_form() -> None:
    assert NUMBER_WORDS["سته"] == 6
    assert NUMBER_WORDS[matching_form("مئة")] == 100
    assert all(matching_form(k) == k for k in NUMBER_WORDS)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("مئتين وسبعة وثمانين", 287),
        ("خمسة وعشرون", 25),
        ("ثلاثة عشر", 13),
        ("إحدى عشرة", 11),
        ("اثنا عشر", 12),
        ("ثلاثة آلاف وخمسمئة", 3500),
        ("ألف ومئتان", 1200),
        ("ثلاث مئة", 300),
        ("مئة ألف", 100_000),
        ("عشرين ألفا", 20_000),
        ("3 آلاف", 3000),
        ("مليون ومئتي ألف", 1_200_000),
        ("ألفين وخمسمائة", 2500),
        ("two hundred and eighty-seven", 287),
        ("twenty-one", 21),
        ("بثلاثين", 30),
    ],
)
def test_parse_number_multi_word(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["عشرات", "مئات الآلاف", "قتلى كثيرون", "ستة قتلى"])
def test_parse_number_refuses_non_numbers(text: str) -> None:
    assert parse_number(text) is None


def _found(text: str) -> list[tuple[int, str]]:
    norm = matching_form(text)
    return [(m.value, norm[m.start:m.end]) for m in find_numbers(norm)]


def test_find_numbers_keeps_separate_figures_apart() -> None:
    assert [v for v, _ in _found("قتل 5 وأصيب 3")] == [5, 3]
    assert [v for v, _ in _found("قتل 5 و3 جرحوا")] == [5, 3]
    assert [v for v, _ in _found("سقط سبعة قتلى وأحد عشر جريحا")] == [7, 11]


def test_find_numbers_span_points_at_the_number_word() -> None:
    assert _found("وقتل بثلاثين غارة") == [(30, "ثلاثين")]


def test_find_numbers_skips_bare_ahad_and_weekdays() -> None:
    assert _found("لم يصب أحد يوم الأحد أو الاثنين") == []
    assert _found("قتل أحد المسلحين") == []
