"""Victims named with their age (processors/tagging/persons_age.py); sentences written for
these tests."""

from __future__ import annotations

import pytest

from processors.tagging.stage import get_tagger


def names(text: str) -> list[str]:
    return [p.name for p in get_tagger().tag_text(text).names.persons]


def test_a_list_of_victims_with_their_ages() -> None:
    text = ("وأسفر القصف عن مقتل صالح حميد الحسين (60 عامًا)، وملكة أحمد العيد (30 عامًا) "
            "ووالدتها فصلة العيد (60 عامًا).")
    assert names(text) == ["صالح حميد الحسين", "ملكة أحمد العيد", "فصلة العيد"]


def test_an_age_between_commas_after_a_title() -> None:
    assert names("واستشهد الشاب نزار عبدو القاسم، 22 عامًا، من بلدة كفرنبل.") == ["نزار عبدو القاسم"]


def test_a_name_inside_a_longer_one_is_not_repeated() -> None:
    assert names("وأعلنت الوزارة استشهاد الشاب سامي أمين أحمد القيسي، 18 عامًا، من جنين.") == [
        "سامي أمين أحمد القيسي"]


@pytest.mark.parametrize("text", [
    "وأصيب طفل (12 عاما) بجروح.",                       # one word: no name
    "وقال الرئيس (75 عاما) إن الوضع صعب.",              # a title alone
    "قتل ثلاثة أشخاص بينهم امرأة (40 عاما).",
    "واعتقلت الشرطة رجلا يبلغ (35 عاما).",
    "وسقطت القذائف على البلدة القديمة (200 عام) دون إصابات.",
])
def test_no_name_before_these_ages(text: str) -> None:
    assert names(text) == []
