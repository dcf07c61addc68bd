"""Event types from rules, on sentences written for these tests (negation, reported speech,
cues inside names, territory agents)."""

from __future__ import annotations

import pytest

from khabar.tagkinds import EVENT_TYPES
from processors.tagging.stage import get_tagger


def events(text: str) -> list[str]:
    return get_tagger().tag_text(text).event_types


@pytest.mark.parametrize(
    ("text", "event"),
    [
        ("اندلعت اشتباكات عنيفة بين الفصائل على أطراف البلدة", "armed_clash"),
        ("Fierce clashes erupted on the outskirts of the town overnight.", "armed_clash"),
        ("شنت الطائرات الحربية غارات على السوق الشعبي", "air_drone_strike"),
        ("قصفت طائرات حربية مجهولة مواقع في البادية", "air_drone_strike"),
        ("ألقت المروحيات براميل متفجرة على الأحياء السكنية", "air_drone_strike"),
        ("Warplanes carried out an airstrike on a bakery.", "air_drone_strike"),
        ("سقطت قذائف هاون على حي سكني وسط المدينة", "shelling_artillery_missile_attack"),
        ("أطلقت راجمات الصواريخ عشرات الصواريخ على المطار", "shelling_artillery_missile_attack"),
        ("تعرضت القرية لقصف مدفعي مكثف", "shelling_artillery_missile_attack"),
        ("انفجرت عبوة ناسفة بسيارة عسكرية على الطريق الدولي", "remote_explosive_landmine_ied"),
        ("قتل راع بانفجار لغم أرضي في البادية", "remote_explosive_landmine_ied"),
        ("فجر انتحاري حزاما ناسفا عند مدخل المسجد", "suicide_bomb"),
        ("وقال الناطق إن مسلحين اثنين يرتديان حزامين ناسفين فجرا نفسيهما وسط السوق", "suicide_bomb"),
        ("اتهمت المعارضة النظام بشن هجوم بغاز الكلور على البلدة", "chemical_weapon"),
        ("ألقى مجهول قنبلة يدوية على محل تجاري", "grenade"),
        ("أعدم التنظيم خمسة رجال في ساحة عامة", "attack"),
        ("أطلق مسلحون النار على مدنيين عند حاجز", "attack"),
        ("اختطف مسلحون ناشطا إعلاميا من منزله", "abduction_forced_disappearance"),
        ("شنت الأجهزة الأمنية حملة اعتقالات في الحي", "arrests"),
        ("خرجت مظاهرات سلمية تطالب بإطلاق سراح المعتقلين", "peaceful_protest"),
        ("فرقت قوات الأمن مظاهرة بالغاز المسيل للدموع", "protest_with_intervention"),
        ("توصل الطرفان إلى اتفاق لوقف إطلاق النار في المدينة", "agreement"),
        ("نزح آلاف المدنيين من القرى الحدودية", "displacement"),
        ("قالت الأمم المتحدة إن الآلاف فروا من منازلهم خلال الأسبوع الماضي", "displacement"),
        ("فر آلاف السكان من منازلهم هربا من القصف المتواصل", "displacement"),
        ("نصب مسلحون كميناً لسيارة عسكرية على طريق حمص تدمر", "armed_clash"),
    ],
)
def test_each_event_type(text: str, event: str) -> None:
    assert event in events(text)


def test_every_event_type_has_a_test_above() -> None:
    tested = {e for _t, e in test_each_event_type.pytestmark[0].args[1]}
    tested |= {"government_regains_territory", "non_state_actor_overtakes_territory"}
    assert tested == set(EVENT_TYPES)


# --- negation, modality, reported denial ------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "عاد الهدوء دون اشتباكات بين الطرفين",
        "لم تشهد المنطقة أي معارك منذ أسبوع",
        "منعت الحواجز الأهالي من النزوح",
        "فشلت الفصائل في السيطرة على التلة",
        "حذر المسؤول من أي عملية انتحارية محتملة",
        "هددت الحكومة بشن غارات جديدة",
    ],
)
def test_negated_or_hypothetical_cues_do_not_fire(text: str) -> None:
    assert events(text) == []


def test_negation_only_reaches_a_few_words_back() -> None:
    # "لم" negates "يرد" here, the clashes are real
    assert "armed_clash" in events("لم يرد تعليق رسمي، واستمرت الاشتباكات حتى المساء")


# --- cues that are part of something else ------------------------------------------------------

def test_cue_inside_a_name_is_not_an_event() -> None:
    # "تحرير" (liberation) inside هيئة تحرير الشام, "الكيميائية" inside the OPCW
    assert events("أصدرت هيئة تحرير الشام بيانا سياسيا") == []
    assert events("عقدت منظمة حظر الأسلحة الكيميائية اجتماعها السنوي") == []


def test_demining_is_not_a_landmine_event() -> None:
    assert events("بدأت فرق الهندسة بإزالة الألغام من الحقول الزراعية") == []


def test_bombardment_next_to_aircraft_is_air_not_shelling() -> None:
    found = events("قصفت طائرات التحالف مواقع التنظيم")
    assert "air_drone_strike" in found
    assert "shelling_artillery_missile_attack" not in found
    assert "shelling_artillery_missile_attack" in events("تبادل الطرفان القصف طوال الليل")


def test_protest_with_teargas_is_not_peaceful() -> None:
    found = events("فرقت الشرطة المتظاهرين بالغاز المسيل للدموع")
    assert "protest_with_intervention" in found and "peaceful_protest" not in found


def test_broken_truce_is_not_an_agreement() -> None:
    assert "agreement" not in events("اتهمت المعارضة النظام بخرق اتفاق وقف إطلاق النار الذي أعلن أمس")


# --- territory: who acts decides the type ---------------------------------------------------------

def test_government_retakes_ground_verb_subject_order() -> None:
    assert events("استعادت قوات النظام السيطرة على بلدة مورك") == ["government_regains_territory"]


def test_government_retakes_ground_subject_verb_order() -> None:
    found = events("تمكن الجيش السوري من طرد مقاتلي المعارضة المسلحة من التلال")
    assert "government_regains_territory" in found
    assert "non_state_actor_overtakes_territory" not in found


def test_non_state_actor_takes_ground() -> None:
    found = events("سيطرت هيئة تحرير الشام على قرية جديدة في ريف حلب")
    assert found == ["non_state_actor_overtakes_territory"]
    assert events("سيطرت قوات سوريا الديمقراطية على حقل نفطي") == [
        "non_state_actor_overtakes_territory"]


def test_withdrawal_gives_ground_to_the_other_side_named() -> None:
    found = events("انسحب تنظيم داعش من القرية مع تقدم القوات الحكومية السورية")
    assert "government_regains_territory" in found


def test_control_without_an_armed_actor_is_not_tagged() -> None:
    assert events("سيطر الهدوء على المدينة بعد أيام من التوتر") == []


def test_english_territory() -> None:
    assert "non_state_actor_overtakes_territory" in events(
        "The Syrian Democratic Forces captured the village after a week of fighting.")


# --- air forces, air-launched missiles, evacuations (held-out set 2 classes; own sentences) ---

def test_an_air_force_bombing_is_an_air_strike_and_its_missiles_are_not_shelling() -> None:
    found = events("قصفت القوات الجوية الأردنية مواقع للمهربين بعدد من الصواريخ قرب الحدود.")
    assert "air_drone_strike" in found
    assert "shelling_artillery_missile_attack" not in found
    # missiles fired from the ground stay a missile attack
    assert "shelling_artillery_missile_attack" in events("سقطت صواريخ أطلقتها الفصائل على أحياء المدينة.")


def test_evacuated_residents_are_displacement() -> None:
    assert "displacement" in events("وصلت الحافلات التي تقل الأهالي الذين تم إجلاؤهم من البلدة المحاصرة.")
    assert "displacement" in events("بدأ إخلاء المدنيين من الأحياء الشرقية بموجب الاتفاق.")
