"""People named by a title, rank, introducer or reporting verb (issue 14), not in persons.yaml;
sentences written for these tests."""

from __future__ import annotations

import pytest

from khabar.textnorm import matching_form
from processors.tagging.persons_rule import person_id
from processors.tagging.stage import get_tagger


def persons(text: str) -> list[tuple[str, list[str]]]:
    return [(p.id, p.forms) for p in get_tagger().tag_text(text).names.persons]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # title + nationality + a given name, reported speech after it
        ("وقال رئيس الوزراء العراقي سامر الحديثي إن التحقيق مستمر", "سامر الحديثي"),
        ("أعلن وزير الخارجية الأردني زيد العمري عن مبادرة جديدة", "زيد العمري"),
        ("وصرح المتحدث باسم وزارة الصحة الفلسطينية أشرف القدرة بأن الحصيلة ارتفعت", "أشرف القدرة"),
        ("وقال وزير الداخلية مروان شربل وغيره من السياسيين إن التفجير مدان", "مروان شربل"),
        # particles join the words of a name
        ("وقال رئيس الوزراء التركي بن علي أوزتورك إن الانقلاب فشل", "بن علي أوزتورك"),
        ("أكد ولي العهد السعودي الأمير فيصل بن سعود أن المملكة ستدعم الهدنة", "فيصل بن سعود"),
        # a name the given-name list does not know: nationality before, punctuation after
        ("أدار المباراة الحكم الإنجليزي كين أستون، الذي اشتهر بالبطاقات", "كين أستون"),
        # an introducer
        ("وقتل شيخ آخر يدعى اقطيفان المنصوري، بالطريقة نفسها", "اقطيفان المنصوري"),
        # a rank opens a name too
        ("خطف المسلحون الشيخ سليمان أبو حراز، البالغ من العمر 98 عاما", "سليمان أبو حراز"),
        # a reporting verb and a given name
        ("وقال خالد العمر إن القصف استمر حتى الفجر", "خالد العمر"),
        # victims named by who they were
        ("قتل الصحفي أحمد الحسن في قصف على المدينة", "أحمد الحسن"),
        # a weekday, a title in apposition or a verb after the name ends it
        ("افتتح الرئيس المصري عبد الحميد الشربيني الخميس المشروع الجديد", "عبد الحميد الشربيني"),
        ("وقال جان إيف لودريان وزير الخارجية الفرنسي إن", "جان إيف لودريان"),
        ("أكد العقيد ممدوح العنزي لوكالة الأنباء أن الحريق أخمد", "ممدوح العنزي"),
        ("وقال زعيم الجماعة عبدالكريم الحمزي يحاول كسب الوقت", "عبدالكريم الحمزي"),
        ("التقى وزير الداخلية صاحب السمو الملكي الأمير محمد بن نايف بالوفد", "محمد بن نايف"),
    ],
)
def test_person_named_by_title(text: str, name: str) -> None:
    assert (person_id(matching_form(name)), [name]) in persons(text)


@pytest.mark.parametrize(
    "text",
    [
        "وقال رئيس الوزراء إن الحكومة ستجتمع غدا",                  # no name at all
        "زار رئيس الوزراء العراقي مخيمات النازحين في الموصل",        # a noun phrase, not a name
        "وقال مصدر أمني إن الانفجار نجم عن عبوة",                    # reporting verb, no given name
        "وقال وزير الخارجية في مؤتمر صحفي إن الحل سياسي",            # a preposition, not a name
        "التقى الرئيس التركي نظيره الروسي في سوتشي",                 # نظيره is no name
        "استدعت الخارجية التركية السفير الروسي لإبلاغ احتجاجها وصرحت بأن",  # a verbal noun
        "اشتبك عناصر من كتائب الشهيد علي خزام مع قوات النظام",        # a unit named after someone
        "لجأ المدنيون إلى مرقد السيدة زينب هناك.",                    # a shrine and an adverb
        "وقال محمد إن الوضع هادئ",                                   # one word is not a name
        "قالت رئيسة البعثة إن الوضع صعب جدا",                         # no name
        "وأعلن قائد الشرطة في المحافظة أن التحقيق جار",               # no name
        "ووصف المتحدث العسكري الهجوم بأنه إرهابي",                    # the object, not a name
        "أكد شكري ضرورة أن تتوقف الحرب فورا",                          # a surname alone, then a noun
        "افتتح مدير جامعة الملك سعود المعرض السنوي",                   # a university, not a king
        "استقبلت كلية الملك فهد الأمنية الطلاب الجدد",                 # a college
        "وقال الرئيس الشربيني سيستقل السفينة (المحروسة) في الافتتاح",      # a verb, not a name
        "ونشر الناشط الحائز على جوائز عدة صورا للدمار",               # على is no given name
        "وقال الأمين العام للحزب في بيان إن القرار نهائي",              # no name
    ],
)
def test_no_person_without_a_clear_name(text: str) -> None:
    assert persons(text) == []


def test_listed_person_is_not_repeated_by_the_title_rule() -> None:
    found = persons("وقال الرئيس التركي رجب طيب أردوغان إن العملية ستستمر")
    assert [pid for pid, _f in found] == ["recep_tayyip_erdogan"]


def test_same_name_twice_is_one_person_with_two_mentions() -> None:
    text = ("وقال وزير الخارجية العراقي فؤاد حسين إن بغداد ترفض الهجوم. "
            "وأضاف وزير الخارجية العراقي فؤاد حسين أن الحكومة ستتحرك.")
    tags = get_tagger().tag_text(text).names.persons
    assert len(tags) == 1 and tags[0].mentions == 2
