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
        ("ارتكبت طائرة حربية مجزرة راح ضحيتها 7 مدنيين في البلدة", 7),
        # "أسرة واحدة" is one family and "الساعة الواحدة" a time, not deaths
        ("أسفرت الغارات من الساعة الواحدة ليلا عن استشهاد 11 شخصاً من أسرة واحدة", 11),
        ("أسفر القصف عن مقتل شخص واحد", 1),
        # an execution in the field counts; a death sentence does not (next test)
        ("أقدم مقاتلون موالون لتركيا على إعدام 6 مدنيين ميدانياً", 6),
        # "مودية بـ": killing; بليون is a village here, not a billion
        ("استهدفت البراميل المتفجرة قرية إبديتا مودية بخمسة مدنيين", 5),
        ("أسفر القصف عن مقتل تسعة مدنيين في قرية بليون", 9),
        # a wounded man's death after the figure is another clause, not the figure's noun
        ("ارتفعت حصيلة القتلى إلى خمسة أشخاص بعد وفاة جريح متأثرا بجراحه", 5),
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


# --- ages are not tolls; the real toll beside them is still found (issue 14) -----------------

@pytest.mark.parametrize(
    ("text", "toll"),
    [
        ("قتل الشاب محمد وهو في الثامنة والعشرين من عمره برصاص قناص، فيما قتل 12 مدنيا آخرون في القصف.", [12]),
        ("قتل شاب في العقد الثالث من عمره بانفجار لغم، وارتفعت حصيلة القتلى إلى 7 أشخاص.", [7]),
        ("قتل رجل يبلغ من العمر 45 في الغارة التي أودت بحياة 9 أشخاص", [9]),
        ("قتلت الطفلة وهي في الثانية عشرة من عمرها مع 6 من أفراد أسرتها قتلوا في القصف", [6]),
        ("He was killed in the twenty-eighth year of his life; the strike killed 14 civilians.", [14]),
        ("A man aged 34 was among 11 people killed in the raid.", [11]),
    ],
)
def test_an_age_in_words_is_not_a_death_toll(text: str, toll: list[int]) -> None:
    assert killed(text) == toll


# --- scope: today's incident or a long-run toll ------------------------------------------------

def scopes(text: str) -> list[tuple[int, str]]:
    return [(m.count, m.scope) for m in casualties(text).killed]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("منذ بدء التدخل الروسي قتل نحو 10 آلاف مدني", [(10000, "cumulative")]),
        ("وقال المرصد إن 1700 مدني قتلوا خلال شهرين من الهجوم على الغوطة", [(1700, "cumulative")]),
        ("قتل 5 مدنيين اليوم، ليرتفع عدد القتلى منذ بداية العام إلى 430",
         [(5, "incident"), (430, "cumulative")]),
        ("وثق المرصد مقتل 320 شخصا خلال الأشهر الثلاثة الماضية", [(320, "cumulative")]),
        ("قتل أكثر من 500 ألف شخص في الحرب السورية منذ 2011", [(500000, "cumulative")]),
        ("بلغ إجمالي عدد القتلى 2400 شخص", [(2400, "cumulative")]),
        ("Over the past two months 1,700 civilians were killed.", [(1700, "cumulative")]),
        # incident tolls, with words that only look like periods
        ("وأسفر القصف عن مقتل 20 شخصا خلال الهجوم على البلدة", [(20, "incident")]),
        ("قتل 8 أشخاص منذ صباح اليوم في قصف مدفعي", [(8, "incident")]),
        ("The war monitor said 30 people were killed in the strike.", [(30, "incident")]),
        ("قتل حوالي 70 شخصا في مجموعة تفجيرات استهدفت المنطقة", [(70, "incident")]),
        ("وثقت الشبكة مقتل ما مجموعه 950 مدنيا", [(950, "cumulative")]),
    ],
)
def test_scope_of_each_figure(text: str, expected: list[tuple[int, str]]) -> None:
    assert scopes(text) == expected


def test_killed_max_counts_incident_figures_only() -> None:
    result = casualties("قتل 12 مدنيا في غارة على سوق المدينة. ومنذ بدء الحملة قتل 1700 مدني.")
    assert [(m.count, m.scope) for m in result.killed] == [(12, "incident"), (1700, "cumulative")]
    assert result.killed_max == 12
    only_background = casualties("ومنذ اندلاع الحرب قتل نحو 400 ألف شخص.")
    assert [m.count for m in only_background.killed] == [400000]
    assert only_background.killed_max is None


# --- what is believable ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "قتل ٠١٢٣٤٥٦٧٨٩ شخصا في الغارة",  # a phone number in Arabic-Indic digits
        "أسفرت الغارة عن مقتل 123456789 شخصا",
        "The blast killed 0933123456 people",
    ],
)
def test_phone_like_digit_strings_are_never_tolls(text: str) -> None:
    result = casualties(text)
    assert result.killed == [] and result.killed_max is None
    assert any("phone-number-like" in note for note in result.notes), result.notes


def test_an_incident_figure_beyond_belief_is_kept_as_cumulative_with_a_note() -> None:
    result = casualties("قتل 3500 شخص في الغارة على السوق")
    assert [(m.count, m.scope) for m in result.killed] == [(3500, "cumulative")]
    assert result.killed_max is None
    assert result.notes == ["killed: 3500: above 2000, more than one incident's toll, counted as cumulative"]
    # a real large single toll stays an incident figure
    assert casualties("قتل 1400 شخص في الهجوم الكيميائي على الغوطة").killed_max == 1400


# --- toll words, asides, long subjects (issue 14; sentences written for these tests) ------------

@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("وكانت الحصيلة الأولية 12 قبل أن ترتفع في المساء.", [12]),
        ("بلغت حصيلة الضحايا 40 شخصا حتى مساء الأحد.", [40]),
        ("بلغ عدد ضحايا المجزرة نحو 150 شخصا.", [150]),
        # an aside between the toll word and the figure is not counted in the window
        ("ارتفعت حصيلة القتلى في وقت لاحق حيث وصلت -بحسب مصادر طبية في المدينة- إلى 31 شخصا.", [31]),
        ("ارتفعت حصيلة القتلى في وقت لاحق (بحسب مصادر طبية في المدينة) إلى 31 شخصا.", [31]),
        # executions and assassinations are killings; a verb's long subject stays in reach
        ("أعدم مسلحو التنظيم 25 شابا في ساحة البلدة.", [25]),
        ("أعدمت الميليشيا ما بين 40 و60 مدنيا في القرية.", [40, 60]),
        ("قتلت قوات الحرس الثوري الإيراني في محافظة سيستان وبلوشستان 9 مسلحين.", [9]),
        ("اغتيل محافظ المدينة مع ثلاثة من مرافقيه و4 أشخاص آخرين.", [3, 4]),
    ],
)
def test_toll_words_asides_and_long_subjects(text: str, counts: list[int]) -> None:
    assert sorted(killed(text)) == counts


@pytest.mark.parametrize(
    "text",
    [
        "كانت الحصيلة النهائية للمباراة 3 أهداف مقابل هدف.",  # a match result
        "بلغت حصيلة الموسم 20 هدفا للاعب.",
        "حصيلة الأسبوع 4 غارات على المدينة.",
        "كشفت الحصيلة أن 300 عائلة نزحت.",
        "بلغت حصيلة الصادرات 300 مليون دولار.",
        "أقيمت جنازة للضحايا التي حضرها 250 ألف شخص.",  # a relative clause: mourners, not dead
        "نجا الوزير من محاولة اغتيال نفذها 3 مسلحين.",
        "يحاكم 12 متهما بتهمة اغتيال الرئيس.",
        "حكم على 5 متهمين بالإعدام.",  # a sentence, not an execution
    ],
)
def test_toll_words_that_count_something_else(text: str) -> None:
    assert killed(text) == []


def test_a_toll_word_before_the_wounded_counts_injuries() -> None:
    assert (killed("بلغت حصيلة الجرحى 30 شخصا."), injured("بلغت حصيلة الجرحى 30 شخصا.")) == ([], [30])


# --- coordinated figures, deaths as وفاة, a noun past another figure (held-out set 2 classes) ---

@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("قتل في المعارك 40 عنصرا من الجيش، و25 عنصرا من الفصائل.", [25, 40]),
        ("قتل في القصف ما لا يقل عن 12 جنديا وأكثر من ثلاثين آخرين معظمهم من المدنيين.", [12, 30]),
        ("قتل 5 رجال، و3 أطفال.", [3, 5]),
        ("أكد الأطباء وفاة 9 أشخاص متأثرين بجروحهم.", [9]),
        ("حوصر نحو 60 ناشطا في المبنى وقتلوا جميعا.", [60]),
        # the noun after a second figure belongs to it; the trigger before decides the first
        ("أدى الهجوم إلى مقتل 14 شخصا إضافة إلى أكثر من 50 مصابا.", [14]),
    ],
)
def test_coordinated_and_plainly_worded_tolls(text: str, counts: list[int]) -> None:
    assert sorted(killed(text)) == counts


@pytest.mark.parametrize(
    ("text", "counts"),
    [
        ("قتل 4 أشخاص في الهجوم، و12 طفلا يعانون من الجوع.", [4]),  # the second has its own predicate
        ("قتل 5 أشخاص في 3 قرى، و7 عناصر من الشرطة.", [5]),  # not joined to the toll
        ("يدرس في الجامعة 3000 طالب.", []),
        ("أعلنت الوزارة وفاة الفنان عن 80 عاما.", []),
    ],
)
def test_figures_that_only_look_coordinated(text: str, counts: list[int]) -> None:
    assert sorted(killed(text)) == counts


def test_the_wounded_after_a_toll_stay_wounded() -> None:
    text = "أدى الهجوم إلى مقتل 14 شخصا إضافة إلى أكثر من 50 مصابا."
    assert (killed(text), injured(text)) == ([14], [50])


@pytest.mark.parametrize("text", ["أصدرت المحكمة حكما بإعدام 3 متهمين بالإرهاب", "قضت المحكمة بإعدام خمسة أشخاص"])
def test_a_death_sentence_is_no_death(text: str) -> None:
    assert killed(text) == []
    assert get_tagger().tag_text(text).event_types == []


def test_a_toll_since_a_date_is_cumulative() -> None:
    """"منذ السابع من أكتوبر": counted from a date, a long-run toll; a day's date alone is not."""
    since = casualties("ارتفع عدد القتلى في الضفة الغربية إلى 516 شخصا منذ السابع من أكتوبر الماضي").killed
    assert [(m.count, m.scope) for m in since] == [(516, "cumulative")]
    day = casualties("قتل 12 شخصا في غارة يوم السابع من أكتوبر").killed
    assert [(m.count, m.scope) for m in day] == [(12, "incident")]


def test_a_total_over_a_day_or_two_is_one_incident() -> None:
    """"إجمالي" marks a long-run total, unless the clause counts a day or two ("خلال يومي")."""
    two_days = casualties("أعلنت الوزارة أن إجمالي ضحايا اشتباكات طرابلس خلال يومي الخميس والجمعة بلغ 16 قتيلا").killed
    assert [(m.count, m.scope) for m in two_days] == [(16, "incident")]
    so_far = casualties("بلغ إجمالي القتلى حتى اليوم 500 قتيل").killed
    assert [(m.count, m.scope) for m in so_far] == [(500, "cumulative")]
