"""Actors of the wider region (issue 14): state forces, armed groups and coalitions, their
indefinite and hashtag forms, and a coalition's short form resolved to the right one."""

from __future__ import annotations

import pytest

from processors.tagging.names import indefinite_form
from processors.tagging.stage import get_tagger


def actors(text: str) -> dict[str, list[str]]:
    """actor id -> forms as written."""
    return {a.id: a.forms for a in get_tagger().tag_text(text).names.actors}


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("أعلن الحوثيون إطلاق صاروخ باتجاه جازان", "houthis"),
        ("وقالت قوات الدعم السريع إنها سيطرت على مدينة نيالا", "rapid_support_forces"),
        ("وقصفت قوات حفتر مواقع في جنوب طرابلس", "libyan_national_army"),
        ("وأعلنت قيادة عمليات بغداد ارتفاع عدد الضحايا", "iraqi_forces"),
        ("أدت غارة الاحتلال الإسرائيلي على البلدة إلى استشهاد 5 أشخاص", "israeli_army"),
        ("قصفت مدفعية الجيش الوطني قرى شمالي الحسكة", "syrian_national_army"),
        ("نفذ طيران العدوان غارات على العاصمة صنعاء", "arab_coalition_yemen"),
        ("قتل 14 عنصراً من قوات حكومة دمشق في بادية تدمر", "syrian_government_forces"),
        ("اندلعت اشتباكات في طرابلس بين جهاز الردع واللواء 444 قتال", "radaa_force"),
        # the Kurdish spelling كوردستان and the Turkish press's initials
        ("أعلنت أنقرة تحييد عنصرين من حزب العمال الكوردستاني في إقليم كوردستان", "pkk"),
        ("تحييد 22 عنصرا من تنظيم بي كي كي شمالي العراق", "pkk"),
        ("أدان البيان العدوان السعودي الأمريكي على اليمن", "arab_coalition_yemen"),
        ("قالت جماعة أنصار الله إنها أسقطت طائرة", "houthis"),
        ("هاجمت الميليشيات الحوثية مواقع للجيش اليمني", "houthis"),
        ("تقدمت قوات الجيش الوطني اليمني في مأرب", "yemeni_government_forces"),
        ("أطلقت حركة حماس صواريخ من غزة", "hamas"),
        ("تبنت سرايا القدس العملية", "palestinian_islamic_jihad"),
        ("شاركت فصائل الحشد الشعبي في الهجوم", "popular_mobilization_forces"),
        ("استهدفت كتائب حزب الله قاعدة عين الأسد", "kataib_hezbollah"),
        ("اشتبكت قوات البيشمركة مع مسلحين", "peshmerga"),
        ("تبنى تنظيم ولاية سيناء الهجوم على الكمين", "isis_sinai_province"),
        ("نفذ الجيش المصري عملية في رفح", "egyptian_armed_forces"),
        ("داهمت قوات الأمن اللبنانية مخيما للاجئين", "lebanese_security_forces"),
        ("أكدت وكالة الأنباء السعودية الخبر", "spa"),
        ("انتشرت قوات اليونيفيل على الحدود", "unifil"),
        ("أعلن حرس الثورة الإسلامية مقتل اثنين من عناصره", "iranian_forces"),
    ],
)
def test_regional_actors_are_found(text: str, actor: str) -> None:
    assert actor in actors(text)


@pytest.mark.parametrize(
    ("text", "actor", "form"),
    [
        ("دخلت قوات تركية إلى المنطقة", "turkish_armed_forces", "قوات تركية"),
        ("قصفت طائرات روسية أطراف البلدة", "russian_forces", "طائرات روسية"),
        ("انتشرت قوات أمن لبنانية في البلدة", "lebanese_security_forces", "قوات أمن لبنانية"),
        ("هاجمت ميليشيات موالية لإيران الموقع", "iranian_forces", "ميليشيات موالية لإيران"),
    ],
)
def test_indefinite_forms_of_force_aliases(text: str, actor: str, form: str) -> None:
    assert actors(text).get(actor) == [form]


def test_indefinite_form_rules() -> None:
    assert indefinite_form("القوات الاسرائيليه") == "قوات اسرائيليه"
    assert indefinite_form("القوات الموالية للنظام".replace("ة", "ه")) == "قوات مواليه للنظام"
    assert indefinite_form("قوات سوريا الديمقراطيه") is None  # a name, not an idafa
    assert indefinite_form("الجيش التركي") is None  # "جيش تركي" is not how armies are named
    assert indefinite_form("حماس") is None


def test_hashtag_forms_name_the_actor() -> None:
    found = actors("تداول ناشطون وسم #قوات_سوريا_الديمقراطية بعد الهجوم")
    assert found.get("sdf") == ["قوات_سوريا_الديمقراطية"]


def test_coalition_short_form_goes_to_the_coalition_the_article_names() -> None:
    text = ("أعلن التحالف العربي بقيادة السعودية تدمير طائرة مسيرة. "
            "وقالت قوات التحالف إن الطائرة أطلقت من صنعاء.")
    found = actors(text)
    assert "arab_coalition_yemen" in found and "us_led_coalition" not in found
    assert "قوات التحالف" in found["arab_coalition_yemen"]
    text = "قال التحالف الدولي إن قوات التحالف نفذت غارات قرب الرقة."
    found = actors(text)
    assert "قوات التحالف" in found["us_led_coalition"] and "arab_coalition_yemen" not in found


def test_coalition_short_form_without_a_full_name_follows_the_country() -> None:
    assert "arab_coalition_yemen" in actors("شنت طائرات التحالف غارات على صعدة في اليمن")
    assert "us_led_coalition" in actors("شنت طائرات التحالف غارات على الرقة في سوريا")
    # a one-word short form is too common a word to guess from the country
    assert not actors("أعلن التحالف موقفه من الانتخابات في اليمن")


def test_enthusiasm_is_not_hamas() -> None:
    assert "hamas" not in actors("استقبل الجمهور الفريق بحماس كبير في صنعاء")
    assert "hamas" not in actors("صدقنا تلك الأوهام وركضنا خلفها بحماس")
    assert "hamas" in actors("رحبت حماس بالاتفاق")
