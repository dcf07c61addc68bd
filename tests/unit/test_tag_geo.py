"""Places of the region and Syrian villages (issue 14): generated gazetteers and the rules
that keep them from guessing, on sentences written for these tests."""

from __future__ import annotations

from processors.tagging.stage import get_tagger


def place_ids(text: str) -> list[str]:
    return [p.id for p in get_tagger().tag_text(text).names.places]


def test_small_town_abroad_is_tagged_when_its_country_is_named() -> None:
    ids = place_ids("قتل عشرة أشخاص في تفجير استهدف مسجدا في بئر العبد شمال سيناء في مصر")
    assert "eg-gn-410142-bir-al-abd" in ids
    assert "country-eg" in ids


def test_small_town_abroad_without_its_country_stays_untagged() -> None:
    assert "eg-gn-410142-bir-al-abd" not in place_ids("قتل عشرة أشخاص في تفجير في بئر العبد")


def test_another_place_of_the_same_country_supports_a_small_town() -> None:
    ids = place_ids("نقل الجرحى من بئر العبد إلى مستشفى في القاهرة")
    assert "eg-gn-410142-bir-al-abd" in ids


def test_large_city_abroad_is_tagged_on_its_own() -> None:
    place = {p.id: p for p in get_tagger().tag_text("انفجار قرب مرقد في كرمان").names.places}
    tag = place["ir-gn-128234-kerman"]
    assert tag.country == "IR" and tag.forms == ["كرمان"]
    assert 30 < tag.location.lat < 31 and 56 < tag.location.lon < 58


def test_new_country_names() -> None:
    ids = place_ids("وصل وزير خارجية الكويت إلى البحرين قادما من تونس")
    assert {"country-kw", "country-bh", "country-tn"} <= set(ids)


def test_city_abroad_with_its_country_in_the_sentence_is_not_the_syrian_namesake() -> None:
    ids = place_ids("غرق مركب صيد قبالة القصير في مصر")
    assert "eg-gn-360531-al-qusayr" in ids
    assert "sy-town-qusayr" not in ids


def test_syrian_town_keeps_its_name_without_the_foreign_country() -> None:
    ids = place_ids("اشتباكات عنيفة في القصير قرب حمص")
    assert "sy-town-qusayr" in ids
    assert "eg-gn-360531-al-qusayr" not in ids


def test_foreign_country_elsewhere_in_the_sentence_does_not_move_a_small_syrian_town() -> None:
    ids = place_ids("قصفت الطائرات مدينة القصير قبل أن يعود وفد الوساطة من مصر")
    assert "sy-town-qusayr" in ids
    assert "eg-gn-360531-al-qusayr" not in ids
