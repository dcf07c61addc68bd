"""Killed/injured counts: digits and number words tied to the clause, non-deaths excluded.
Sentences written for these tests."""

from __future__ import annotations

import pytest

from processors.tagging.stage import get_tagger


def casualties(text: str):
    return get_tagger().tag_text(text).casualties


def killed(text: str) -> list[int]:
    return [m.count for m in casualties(text).killed]


def injured(text: str) -> list[int]:
    return [m.count for m in casualties(text).injured]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("أسفر القصف عن مقتل 14 مدنيا بينهم أطفال", 14),
        ("أسفر القصف عن مقتل ١٤ مدنيا بينهم أطفال", 14),  # Arabic-Indic digits
        ("قتل ستة عناصر من الشرطة في الهجوم", 6),
        ("قتل ست نساء في الغارة", 6),
        ("سقط ثلاثون قتيلا في المواجهات", 30),
        ("سقط ثلاثين قتيلا في المواجهات", 30),
        ("ارتفعت حصيلة القتلى إلى مئتين وسبعة وثمانين شخصا", 287),
        ("لقي خمسة عشر شخصا حتفهم", 15),
        ("لقي 9 أشخاص مصرعهم بانفجار سيارة", 9),
        ("أودى الانفجار بحياة 12 شخصا", 12),
        ("وثق الناشطون مقتل ألف ومئتي مدني خلال الشهر", 1200),
        ("انتشلت فرق الإنقاذ جثث 5 أشخاص من تحت الأنقاض", 5),
        ("أكد المصدر أن 4 من المهاجمين قتلوا", 4),
        ("The strike killed 23 civilians, activists said.", 23),
        ("At least 40 people were killed in the attack.", 40),
        ("The death toll rose to 57.", 57),
    ],
)
def test_killed_counts(text: str, count: int) -> None:
    assert killed(text) == [count]


def test_killed_max_and_the_sentence_is_kept() -> None:
    result = casualties("قتل ثلاثة جنود في كمين. وفي حادث آخر قتل 11 شخصا بانفجار عبوة.")
    assert [m.count for m in result.killed] == [3, 11]
    assert result.killed_max == 11
    assert result.killed[1].text == "وفي حادث آخر قتل 11 شخصا بانفجار عبوة."


def test_killed_and_injured_in_one_sentence() -> None:
    result = casualties("قتل 4 مدنيين وأصيب 17 آخرون بجروح في القصف")
    assert [m.count for m in result.killed] == [4]
    assert [m.count for m in result.injured] == [17]
    assert result.injured_max == 17


def test_injured_noun_after_the_number() -> None:
    assert injured("خلف الهجوم 25 جريحا") == [25]
    assert killed("خلف الهجوم 25 جريحا") == []


def test_dual_forms_count_two() -> None:
    assert killed("أدى القصف إلى مقتل شخصين") == [2]
    assert killed("سقط قتيلان في الاشتباك") == [2]


@pytest.mark.parametrize(
    "text",
    [
        "سقط عشرات القتلى في الهجوم",                     # vague: no number
        "ونزح نحو 40 ألف مدني بعد مقتل العشرات",         # displaced, not killed
        "قتل العشرات واعتقل 150 شخصا",                   # arrests
        "سيطرت الفصائل على 12 قرية بعد معارك قتل فيها العشرات",  # villages
        "قتل في المعارك التي بدأت في 15 آذار الماضي عدد من المقاتلين",  # a date
        "قتل أكثر من ذلك منذ عام 2016",                  # a year
        "قتل فيها نحو 30 % من السكان",                    # a percentage
        "يقدر عدد المقاتلين المتحصنين بنحو 800 مقاتل",   # a fighter count
        "أطلقت الطائرات 40 صاروخا قتلت مدنيين",           # missiles
        "لم يقتل أي من الجنود العشرين",                    # negated killing
        "سقط 35 مدنيا بين قتيل وجريح",                     # killed and wounded mixed
        "قطعت القوات 25 كيلومترا بعد مقتل قائدها",        # a distance
    ],
)
def test_numbers_that_are_not_deaths(text: str) -> None:
    assert killed(text) == []


def test_number_of_the_killed_is_not_confused_with_a_later_date() -> None:
    assert killed("قتل 8 أشخاص في الهجوم الذي وقع في 3 أيار") == [8]


def test_victim_noun_and_qualifiers_before_the_death_verb() -> None:
    assert killed("قال ناشطون إن 19 مدنيا على الأقل بينهم خمسة أطفال قتلوا في القصف") == [19, 5]
