"""Places, actors and persons on sentences written for these tests (DESIGN §5 hard cases)."""

from __future__ import annotations

import pytest

from processors.tagging.stage import get_tagger


def names(text: str):
    return get_tagger().tag_text(text).names


def place_ids(text: str) -> list[str]:
    return [p.id for p in names(text).places]


def actor_ids(text: str) -> list[str]:
    return [a.id for a in names(text).actors]


def person_ids(text: str) -> list[str]:
    return [p.id for p in names(text).persons]


# --- proclitics ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "place", "form"),
    [
        ("وصلت التعزيزات والحسكة ما زالت محاصرة", "sy-town-hasakah", "الحسكة"),
        ("سقطت قذائف بحمص مساء أمس", "sy-town-homs", "حمص"),
        ("وصل الوفد لدمشق قادما من عمان", "sy-town-damascus", "دمشق"),
        ("انسحب المقاتلون فإدلب لم تعد آمنة", "sy-town-idlib", "إدلب"),
        ("قدمت المساعدات للرقة عبر الطريق الصحراوي", "sy-town-raqqa", "للرقة"),
        ("اندلعت اشتباكات وبمنبج انقطعت الكهرباء", "sy-town-manbij", "منبج"),
    ],
)
def test_attached_proclitics_are_stripped_from_names(text: str, place: str, form: str) -> None:
    tags = {p.id: p for p in names(text).places}
    assert place in tags
    assert tags[place].forms == [form]


def test_a_name_inside_a_longer_word_is_not_a_mention() -> None:
    # الحمصي (a family name) and حلبي ("from Aleppo") are not Homs and Aleppo
    assert place_ids("التقى الوزير بالسيد الحمصي ثم زار مطعما حلبيا") == []


def test_the_article_is_not_a_proclitic_of_a_name_without_it() -> None:
    # الدوما is the Russian parliament, not the town دوما
    assert "sy-town-douma" not in place_ids("صوت مجلس الدوما الروسي على القانون")
    assert "sy-town-douma" in place_ids("قصفت الطائرات مدينة دوما")


# --- alef forms, diacritics, tatweel ------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["إدلب", "ادلب", "أدلب", "إِدْلِب", "إدلـــب"])
def test_alef_forms_diacritics_and_tatweel(spelling: str) -> None:
    tags = names(f"تقدمت القوات نحو {spelling} صباح اليوم").places
    assert [p.id for p in tags] == ["sy-town-idlib"]
    assert tags[0].forms == [spelling]  # the surface form, exactly as written


def test_ta_marbuta_and_alef_maqsura_variants() -> None:
    assert place_ids("وصل النازحون إلى حماه") == ["sy-town-hama"]
    assert "sy-town-busra-al-sham" in place_ids("جرت مواجهات في بصري الشام")


# --- quote styles ---------------------------------------------------------------------------

@pytest.mark.parametrize("quoted", ["«داعش»", "“داعش”", "‘‘داعش‘‘", '"داعش"', "'داعش'"])
def test_quote_styles_around_names(quoted: str) -> None:
    tags = names(f"أعلن تنظيم {quoted} مسؤوليته عن الهجوم").actors
    assert [a.id for a in tags] == ["islamic_state"]


def test_quotes_around_a_multiword_name() -> None:
    assert actor_ids("بثت «هيئة تحرير الشام» بيانا مصورا") == ["hayat_tahrir_al_sham"]


# --- spelling variants and aliases ------------------------------------------------------------

@pytest.mark.parametrize("spelling", ["سوريا", "سورية"])
def test_syria_both_spellings(spelling: str) -> None:
    assert place_ids(f"عاد اللاجئون إلى {spelling} بعد سنوات") == ["country-sy"]


def test_syria_as_an_adjective_is_not_the_country() -> None:
    # "مصادر سورية" = Syrian sources
    assert "country-sy" not in place_ids("قالت مصادر سورية إن الاجتماع تأجل")


@pytest.mark.parametrize("spelling", ["الديمقراطية", "الديموقراطية"])
@pytest.mark.parametrize("country", ["سوريا", "سورية"])
def test_sdf_spellings_are_one_actor(spelling: str, country: str) -> None:
    text = f"دخلت قوات {country} {spelling} القرية"
    assert actor_ids(text) == ["sdf"]
    assert place_ids(text) == []  # the country inside the group's name is not a place


@pytest.mark.parametrize("name", ["رامي عبد الرحمن", "رامي عبدالرحمن"])
def test_compound_name_with_or_without_space(name: str) -> None:
    assert person_ids(f"وقال {name} إن الحصيلة مرشحة للارتفاع") == ["rami_abdulrahman"]


def test_aliases_resolve_to_one_id_with_all_forms() -> None:
    text = ("سيطر المقاتلون على أحياء في كوباني، وقال سكان من عين العرب إن القصف توقف. "
            "وتبنى داعش الهجوم، وهو الاسم المختصر لتنظيم الدولة الإسلامية. "
            "ودعمت قسد، أي قوات سوريا الديمقراطية، الهجوم.")
    result = names(text)
    kobani = [p for p in result.places if p.id == "sy-town-kobani"]
    assert len(kobani) == 1 and kobani[0].forms == ["كوباني", "عين العرب"]
    assert kobani[0].mentions == 2
    actors = {a.id: a.forms for a in result.actors}
    assert actors["islamic_state"] == ["داعش", "تنظيم الدولة الإسلامية"]
    assert actors["sdf"] == ["قسد", "قوات سوريا الديمقراطية"]
    assert len(actors) == 2


def test_isis_name_for_hasakah_is_hasakah() -> None:
    tags = names("عين التنظيم أميرا جديدا على ولاية البركة").places
    assert [p.id for p in tags] == ["sy-town-hasakah"]


def test_pejorative_plural_and_coalition_spellings() -> None:
    assert actor_ids("طارد الأهالي الدواعش من القرية") == ["islamic_state"]
    assert actor_ids("شن الائتلاف الدولي غارات جديدة") == ["us_led_coalition"]
    assert actor_ids("شن التحالف الدولي غارات جديدة") == ["us_led_coalition"]


# --- multi-word precedence ------------------------------------------------------------------

def test_multiword_name_beats_its_parts() -> None:
    result = names("هاجم مقاتلو جبهة النصرة مواقع الجيش السوري الحر قرب سراقب")
    assert [a.id for a in result.actors] == ["jabhat_al_nusra", "free_syrian_army"]
    assert [a.forms for a in result.actors] == [["جبهة النصرة"], ["الجيش السوري الحر"]]


def test_longer_place_name_beats_a_shorter_one_inside_it() -> None:
    assert place_ids("ارتفعت التوترات في مرتفعات الجولان") == ["sy-area-golan"]
    assert place_ids("سيطرت القوات على معرة النعمان") == ["sy-town-maarat-al-numan"]


def test_blocked_phrase_is_not_a_place() -> None:
    assert "sy-town-hama" not in place_ids("رفع المشاركون شعار حماة الديار عليكم سلام")


# --- names that are common words: need a place word -------------------------------------------

def test_common_word_place_needs_a_place_word() -> None:
    assert "sy-town-al-bab" not in place_ids("أغلق الحارس الباب بعد خروج الزوار")
    assert "sy-town-al-bab" in place_ids("دخلت القوات التركية مدينة الباب")
    assert "sy-town-al-bab" in place_ids("تدور معارك في ريف الباب الشرقي")


def test_common_word_place_followed_by_a_direction() -> None:
    assert "sy-town-al-bab" in place_ids("تقع الباب شمال شرق حلب")


def test_prep_context_place_accepts_a_preposition() -> None:
    assert "sy-town-qusayr" in place_ids("اندلعت معارك عنيفة في القصير")
    assert "sy-town-qusayr" not in place_ids("الحل على المدى القصير غير ممكن")


# --- ambiguous names: resolved by context, else untagged -----------------------------------------

def test_ambiguous_name_resolved_by_the_governorate_in_the_text() -> None:
    assert "sy-town-ariha" in place_ids("قصفت الطائرات أريحا في ريف إدلب الجنوبي")
    assert "ps-jericho" in place_ids("اقتحمت القوات الإسرائيلية أريحا في الضفة الغربية")


def test_ambiguous_name_without_context_is_left_untagged() -> None:
    assert place_ids("وصل الوفد إلى أريحا مساء أمس") == []


def test_two_subdistricts_of_one_name() -> None:
    aleppo = place_ids("اشتباكات في صوران قرب أعزاز")
    hama = place_ids("اشتباكات في صوران بريف حماة الشمالي")
    assert "sy-aleppo-azaz-suran" in aleppo and "sy-hama-hama-suran" not in aleppo
    assert "sy-hama-hama-suran" in hama and "sy-aleppo-azaz-suran" not in hama


def test_neighbourhood_needs_its_city_in_the_text() -> None:
    assert "sy-nb-hasakah-ghwayran" in place_ids("دارت معارك في غويران جنوب الحسكة")
    assert "sy-nb-hasakah-ghwayran" not in place_ids("دارت معارك في حي غويران")


# --- short forms: only with the full name -----------------------------------------------------

def test_short_form_counts_only_after_the_full_name() -> None:
    assert actor_ids("قال المرصد إن الهدوء عاد") == []
    result = names("قال المرصد السوري لحقوق الإنسان إن المعارك مستمرة، وأضاف المرصد أن الهدوء عاد")
    sohr = [a for a in result.actors if a.id == "sohr"]
    assert sohr[0].mentions == 2 and sohr[0].forms == ["المرصد السوري لحقوق الإنسان", "المرصد"]


def test_surname_alone_is_not_a_person() -> None:
    assert person_ids("قال عبد الرحمن إن الوضع هادئ") == []


# --- output fields -------------------------------------------------------------------------------

def test_governorate_is_located_at_its_capital_and_keeps_its_centroid_out() -> None:
    tags = {p.id: p for p in names("تتعرض محافظة حمص لموجة برد").places}
    homs = tags["sy-homs"]
    assert homs.kind == "governorate" and homs.admin1 == "sy-homs" and homs.country == "SY"
    assert homs.forms == ["محافظة حمص"]
    assert (round(homs.location.lat, 2), round(homs.location.lon, 2)) == (34.73, 36.71)


def test_town_fields() -> None:
    tag = names("قصفت الطائرات سراقب").places[0]
    assert (tag.id, tag.name, tag.name_en, tag.kind, tag.admin1) == (
        "sy-town-saraqib", "سراقب", "Saraqib", "town", "sy-idlib")
    assert 35.8 < tag.location.lat < 35.9 and 36.7 < tag.location.lon < 36.9


def test_english_text() -> None:
    result = names("Syrian government forces recaptured Palmyra from the Islamic State, "
                   "the Syrian Observatory for Human Rights said. Clashes continued near Deir ez-Zor.")
    assert [p.id for p in result.places] == ["sy-town-palmyra", "sy-town-deir-ez-zor"]
    assert [a.id for a in result.actors] == ["syrian_government_forces", "islamic_state", "sohr"]


def test_common_word_place_in_a_list_after_a_place() -> None:
    # السوسة needs context; joined by و to a place just named, it is a place
    ids = place_ids("تحصن المقاتلون في الشعفة والسوسة شرقي الفرات")
    assert "sy-town-shafa" in ids and "sy-town-susah" in ids
    assert "sy-town-susah" not in place_ids("أكلت السوسة الخشب القديم")


def test_lam_merged_article_form_is_the_written_word() -> None:
    tag = names("وصلت التعزيزات للحسكة مساء").places[0]
    assert (tag.id, tag.forms) == ("sy-town-hasakah", ["للحسكة"])
