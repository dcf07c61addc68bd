"""Hand check of the issue-14 tagger rules on short news paragraphs written for this test
(not taken from the dev set, which the rules were tuned on): each paragraph exercises
several rules at once, and the whole tag set of the paragraph is checked, so that a rule
that fires too widely shows up here as well as one that misses."""

from __future__ import annotations

from processors.tagging.stage import get_tagger


def tags(text: str):
    return get_tagger().tag_text(text)


def test_arrest_report_with_an_airport_abroad() -> None:
    t = tags("أعلنت وزارة الداخلية العراقية القبض على مهند الراوي المتهم بتفجير سيارة مفخخة "
             "في سوق شعبي ببغداد. وقال المتحدث باسم الوزارة إن التحقيقات كشفت أن الراوي وصل "
             "من مطار أربيل الدولي قبل أسبوع، وصرح مسؤول أمني بأنه سيحال إلى القضاء.")
    assert [p.id for p in t.names.places] == ["iq-baghdad", "iq-site-erbil-airport"]
    assert [p.forms for p in t.names.persons] == [["مهند الراوي"]]


def test_strike_report_with_a_list_of_victims() -> None:
    t = tags("قتل خمسة مدنيين في قصف استهدف بلدة كفرنبل بريف إدلب الجنوبي، وكان من بين "
             "القتلى: سامر العبدالله، ومحمود الحسين، وفادي الخطيب.")
    assert [p.id for p in t.names.places] == ["sy-town-kafr-nabl", "sy-idlib"]
    assert [p.forms for p in t.names.persons] == [["سامر العبدالله"], ["محمود الحسين"],
                                                  ["فادي الخطيب"]]
    assert [k.count for k in t.casualties.killed] == [5]


def test_function_words_are_no_towns_and_a_release_names_the_one_freed() -> None:
    t = tags("وصرح بأنه لن يعود إلى إيران قبل نهاية السنة، مضيفا أن سنة كاملة مضت على "
             "اعتقال شقيقه في طهران. وكانت السلطات قد أفرجت عن ناصر كريمي بعد وساطة قطرية.")
    assert [p.id for p in t.names.places] == ["country-ir", "ir-tehran"]  # no Baneh, no Sanandaj
    assert [p.forms for p in t.names.persons] == [["ناصر كريمي"]]


def test_rank_with_a_surname_a_base_abroad_and_a_town_with_its_cue() -> None:
    t = tags("أكد الجنرال هاريسون قائد القوات الأمريكية في المنطقة أن قاعدة العديد لم تتعرض "
             "لأي هجوم، فيما قال وزير الخارجية الروسي سيرغي لافروف إن موسكو تتابع الوضع. "
             "وأفادت مصادر بأن طائرة مسيرة سقطت قرب مدينة بانه غرب إيران.")
    ids = [p.id for p in t.names.places]
    assert ids == ["qa-site-al-udeid", "ru-moscow", "ir-gn-141584-baneh", "country-ir"]
    assert sorted(p.forms[0] for p in t.names.persons) == sorted(["هاريسون", "سيرغي لافروف"])
