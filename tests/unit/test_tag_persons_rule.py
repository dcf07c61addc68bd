"""People named by their role in an actor (not in persons.yaml); sentences written here."""

from __future__ import annotations

import pytest

from processors.tagging.persons_rule import person_id
from processors.tagging.stage import get_tagger


def persons(text: str) -> list[tuple[str, list[str]]]:
    return [(p.id, p.forms) for p in get_tagger().tag_text(text).names.persons]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("أكد المتحدث باسم الجيش الإسرائيلي يوناتان كونريكوس في بيان أن الطائرات عادت", "يوناتان كونريكوس"),
        ("وقال القيادي في هيئة تحرير الشام أبو ماريا القحطاني لوكالة فرانس برس", "أبو ماريا القحطاني"),
        ("وقال قائد جيش الإسلام عصام بويضاني، إن الهجوم فشل", "عصام بويضاني"),
        ("وقال رئيس الائتلاف الوطني السوري المعارض نصر الحريري إن الحل سياسي", "نصر الحريري"),
        ("صرح الناطق باسم قسد العقيد سامي حداد أن القوات تقدمت", "سامي حداد"),
    ],
)
def test_role_actor_name(text: str, name: str) -> None:
    from khabar.textnorm import matching_form

    assert persons(text) == [(person_id(matching_form(name)), [name])]


@pytest.mark.parametrize(
    "text",
    [
        "وقال المتحدث باسم التحالف الدولي في تصريح إن الضربات مستمرة",   # no name
        "قال قائد قوات النظام في المنطقة إن الوضع تحت السيطرة",          # no name
        "زار رئيس الأمم المتحدة مخيمات اللاجئين الكبيرة في الأردن",       # name not closed by speech
        "وقال المتحدث باسم وزارة الصحة محمد علي إن",                       # not a tagged actor
    ],
)
def test_no_person_without_a_clear_name(text: str) -> None:
    assert persons(text) == []


def test_known_person_is_not_duplicated() -> None:
    assert persons("وقال الناطق باسم قسد مصطفى بالي إن المعارك مستمرة") == [
        ("mustafa_bali", ["مصطفى بالي"])]
