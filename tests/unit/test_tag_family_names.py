"""A place name as a person's family name, and plural nouns after a name (issue 14, found
by the out-of-sample hand check): sentences written for this test, positive and negative."""

from __future__ import annotations

import pytest

from processors.tagging.stage import get_tagger


def tags(text: str):
    t = get_tagger().tag_text(text)
    return [p.id for p in t.names.places], [p.forms[0] for p in t.names.persons]


# --- 1. a place right after a known given name is a family name --------------------------

@pytest.mark.parametrize(("text", "person"), [
    ("وقال أحمد السويد إن المفاوضات لم تبدأ بعد.", "أحمد السويد"),
    ("وأكد المتحدث باسم اللجنة خالد الأردن أن القافلة وصلت.", "خالد الأردن"),
    ("قال مدير المدرسة يوسف الكويت إن الدوام سيستأنف غدا.", "يوسف الكويت"),
    ("وصرح محمود تونس للصحفيين بأن الاتفاق سيوقع الأسبوع المقبل.", "محمود تونس"),
])
def test_a_place_after_a_given_name_is_a_family_name(text: str, person: str) -> None:
    places, persons = tags(text)
    assert places == []
    assert persons == [person]


def test_a_given_name_right_before_the_place_is_enough_to_drop_the_place() -> None:
    # no cue names the person here, so no person is tagged -- but Sweden is not guessed
    assert tags("زار أحمد السويد الأسبوع الماضي.") == ([], [])


@pytest.mark.parametrize(("text", "place"), [
    ("وصل الوزير إلى السويد أمس في زيارة رسمية.", "country-se"),
    ("وصل أحمد إلى السويد أمس.", "country-se"),          # a preposition between
    ("قال أحمد: السويد لم ترد على الطلب.", "country-se"),  # punctuation between
    ("ويقيم أحمد بالسويد منذ سنوات.", "country-se"),      # the place with a proclitic
    ("شنت الطائرات غارات على الأردن.", "country-jo"),       # على, not the given name علي
    ("سيطرت القوات على غالب سوريا.", "country-sy"),        # a given name that is a word
    ("وأكد أمير قطر دعم بلاده.", "country-qa"),            # a title, not a given name
    ("التقى سلطان عمان وزير الخارجية.", "country-om jo-amman"),  # either reading
])
def test_a_place_stays_a_place_without_a_given_name_right_before_it(text: str, place: str) -> None:
    places, _persons = tags(text)
    assert set(place.split()) & set(places)


# --- 2. a plural noun after a name is no part of it -------------------------------------

@pytest.mark.parametrize(("text", "person"), [
    ("قال مدير المستشفى سامي الأحمد الجرحى وصلوا تباعا.", "سامي الأحمد"),
    ("وأفاد الطبيب خالد العمر القتلى سقطوا في القصف.", "خالد العمر"),
    ("قال الناشط فادي الحسن المدنيين فروا من البلدة.", "فادي الحسن"),
    ("وذكر الطبيب محمد الخطيب الأطفال نقلوا إلى المستشفى.", "محمد الخطيب"),
])
def test_a_name_stops_before_a_plural_noun(text: str, person: str) -> None:
    _places, persons = tags(text)
    assert persons == [person]


@pytest.mark.parametrize(("text", "person"), [
    ("قال المتحدث محمد الجندي إن الوضع هادئ.", "محمد الجندي"),   # a singular noun as name
    ("وقال مدير المستشفى سامي الأحمد إن الجرحى بينهم أطفال.", "سامي الأحمد"),
])
def test_names_around_plural_nouns_are_unchanged(text: str, person: str) -> None:
    _places, persons = tags(text)
    assert persons == [person]


def test_a_plural_noun_never_opens_a_list_of_names() -> None:
    _places, persons = tags("وكان من بين القتلى: سامر العبدالله، ومحمود الحسين، والأطفال الثلاثة.")
    assert all("الأطفال" not in p for p in persons)
