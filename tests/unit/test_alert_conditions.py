"""Each condition type fires where it should and not where it should not (hand-built Articles)."""

from __future__ import annotations

import pytest

from processors.alerts.conditions import ArticleView, evaluate
from processors.alerts.places import PlaceIndex
from processors.alerts.rules import Condition
from tests.unit.test_alert_support import PLACES, make_article, place


def check(cond: dict, article, places: PlaceIndex = PLACES):
    return evaluate(Condition.model_validate(cond), ArticleView(article, places))


# --- places ---------------------------------------------------------------------------------

def test_place_by_own_id():
    m = check({"places": ["town-ariha"]}, make_article(places=[place("town-ariha")]))
    assert m.ok and m.places == ["town-ariha"]
    assert 'town-ariha <- "أريحا"' in m.reasons[0]


def test_governorate_matches_a_town_inside_it_via_the_tag_admin1():
    article = make_article(places=[place("some-village", admin1="sy-idlib")])
    m = check({"places": ["sy-idlib"]}, article, PlaceIndex())  # no taxonomy at all
    assert m.ok and m.places == ["sy-idlib"]
    assert "(some-village, in sy-idlib)" in m.reasons[0]


def test_governorate_matches_via_the_place_index_when_the_tag_lacks_admin1():
    article = make_article(places=[place("town-jisr-ash-shughur")])
    assert check({"places": ["sy-idlib"]}, article).ok
    # and the district containing the town, through the taxonomy's parent link
    assert check({"places": ["sy-idlib-jisr-ash-shughur"]}, article).ok
    # without the index the tag alone says nothing about its governorate
    assert not check({"places": ["sy-idlib"]}, article, PlaceIndex()).ok


def test_place_elsewhere_does_not_match():
    article = make_article(places=[place("town-hasakah"), place("town-qamishli")])
    m = check({"places": ["sy-idlib"]}, article)
    assert not m.ok and "none of ['sy-idlib']" in m.reasons[0]
    # a town does not match its governorate's sibling town
    assert not check({"places": ["town-ariha"]}, make_article(places=[place("town-jisr-ash-shughur")])).ok


def test_several_watched_places_report_each_that_matched():
    article = make_article(places=[place("town-hasakah"), place("town-ariha")])
    m = check({"places": ["sy-idlib", "sy-al-hasakah", "sy-aleppo"]}, article)
    assert m.ok and sorted(m.places) == ["sy-al-hasakah", "sy-idlib"]


# --- tags, numbers, language, source ----------------------------------------------------------

@pytest.mark.parametrize(
    ("cond", "yes", "no"),
    [
        ({"actors": ["islamic_state"]}, {"actors": ["islamic_state", "ypg"]}, {"actors": ["ypg"]}),
        ({"persons": ["rami_abdulrahman"]}, {"persons": ["rami_abdulrahman"]}, {"persons": ["bashar_al_assad"]}),
        ({"event_types": ["chemical_weapon"]}, {"event_types": ["air_drone_strike", "chemical_weapon"]},
         {"event_types": ["air_drone_strike"]}),
        ({"killed_min": 100}, {"killed": 287}, {"killed": 99}),
        ({"killed_min": 100}, {"killed": 100}, {}),
        ({"injured_min": 20}, {"injured": 35}, {"injured": 19, "killed": 300}),
        ({"language": "ar"}, {"language": "ar"}, {"language": "en"}),
        ({"language": ["en", "fr"]}, {"language": "en-GB"}, {"language": None}),
        ({"sources": ["sana", "enab"]}, {"source": "enab"}, {"source": "sohr"}),
    ],
)
def test_condition_fires_and_does_not_fire(cond, yes, no):
    hit = check(cond, make_article(**yes))
    miss = check(cond, make_article(**no))
    assert hit.ok, hit.reasons
    assert not miss.ok and miss.reasons


def test_reasons_say_which_tag_and_figure_matched():
    m = check({"killed_min": 10, "actors": ["islamic_state"]},
              make_article(killed=287, actors=["islamic_state"]))
    assert m.reasons == ['killed 287 >= 10 ("287 قتيلا")', 'actors: islamic_state <- "islamic_state"']
    miss = check({"killed_min": 10}, make_article(killed=3))
    assert miss.reasons == ["killed 3 < 10"]


# --- full-text terms on the matching form ----------------------------------------------------

@pytest.mark.parametrize(
    ("term", "text", "surface"),
    [
        ("إدلب", "قصف على ادلب اليوم", "ادلب"),                       # alef forms
        ("الحسكة", "معارك عنيفة في مدينة الحسكه", "الحسكه"),            # ta marbuta / ha
        ("الحسكة", "وصل التعزيز وللحسكة نصيب", "وللحسكة"),              # attached proclitics
        ("حسكة", "دخلوا بالحسكة", "بالحسكة"),                            # bare word vs ب+ال
        ("كيماوي*", "استخدام الأسلحة الكيماوية", "الكيماوية"),          # prefix
        ("اسلحة كيماوية", "استخدام الأسلحةِ الكيماويّة ضد المدنيين", "الأسلحةِ الكيماويّة"),  # diacritics
        ("سوريا", "شمال سوريا", "سوريا"),
        ("٢٨٧ قتيلا", "حصيلة 287 قتيلا", "287 قتيلا"),                    # Arabic-Indic digits
        ("Sarin", "a SARIN attack was reported", "SARIN"),               # English, case-folded
        ("chemical weapon*", "Chemical Weapons were used", "Chemical Weapons"),
    ],
)
def test_terms_match_arabic_variants(term, text, surface):
    m = check({"terms": [term]}, make_article(body=text))
    assert m.ok, m.reasons
    assert m.reasons == [f'terms: "{term}" <- "{surface}"']


@pytest.mark.parametrize(
    ("term", "text"),
    [
        ("الحسكة", "القامشلي وحدها"),
        ("war", "the lwar and warfare"),          # no proclitic stripping or prefix for Latin
        ("كيماوي", "الأسلحة الكيماوية"),            # without * the word must be whole
        ("اسلحة كيماوية", "الاسلحة التقليدية والقنابل الكيماوية"),  # words must be adjacent
    ],
)
def test_terms_do_not_match_elsewhere(term, text):
    assert not check({"terms": [term]}, make_article(body=text)).ok


def test_terms_look_at_title_and_summary_too():
    article = make_article(title="هجوم بغاز السارين", body="نص آخر")
    assert check({"terms": ["غاز السارين"]}, article).ok


# --- composition -----------------------------------------------------------------------------

def test_keys_in_one_mapping_must_all_hold():
    cond = {"places": ["sy-idlib"], "killed_min": 10}
    assert check(cond, make_article(places=[place("town-ariha")], killed=12)).ok
    assert not check(cond, make_article(places=[place("town-ariha")], killed=5)).ok
    assert not check(cond, make_article(places=[place("town-hasakah")], killed=50)).ok


def test_any_all_none():
    cond = {
        "any": [{"event_types": ["chemical_weapon"]}, {"terms": ["كيماوي*"]}],
        "none": [{"sources": ["satire-news"]}],
        "all": [{"language": ["ar", "en"]}],
    }
    by_tag = check(cond, make_article(event_types=["chemical_weapon"]))
    by_text = check(cond, make_article(body="قصف بالسلاح الكيماوي"))
    assert by_tag.ok and by_tag.reasons == ["language: ar", "event_types: chemical_weapon"]
    assert by_text.ok and 'terms: "كيماوي*" <- "الكيماوي"' in by_text.reasons
    assert not check(cond, make_article(body="قصف مدفعي")).ok
    excluded = check(cond, make_article(event_types=["chemical_weapon"], source="satire-news"))
    assert not excluded.ok and excluded.reasons[0].startswith("none: excluded because source: satire-news")
    assert not check(cond, make_article(event_types=["chemical_weapon"], language="fr")).ok


def test_text_index_is_not_built_when_cheaper_checks_fail():
    view = ArticleView(make_article(language="en", body="كيماوي"), PLACES)
    m = evaluate(Condition.model_validate({"language": "ar", "terms": ["كيماوي"]}), view)
    assert not m.ok
    assert "text" not in view.__dict__  # the cached text index was never computed


# --- casualty scope: thresholds count today's incident, not long-run tolls -------------------

def _with_tolls(incident: int | None, cumulative: int):
    from khabar.models import Casualties, CountMention

    article = make_article()
    killed = [CountMention(count=cumulative, text=f"منذ بدء التدخل قتل نحو {cumulative}", scope="cumulative")]
    if incident is not None:
        killed.insert(0, CountMention(count=incident, text=f"قتل {incident} مدنيين اليوم"))
    return article.model_copy(update={"casualties": Casualties(killed=killed, killed_max=incident)})


def test_killed_min_leaves_cumulative_tolls_out_by_default():
    article = _with_tolls(5, 10000)
    m = check({"killed_min": 50}, article)
    assert not m.ok
    assert m.reasons == ["killed 5 < 50 (cumulative 10000 not counted)"]
    assert check({"killed_min": 5}, article).ok
    assert not check({"killed_min": 1}, _with_tolls(None, 10000)).ok  # only a background toll


def test_include_cumulative_counts_long_run_tolls_and_says_so():
    m = check({"killed_min": 50, "include_cumulative": True}, _with_tolls(5, 10000))
    assert m.ok
    assert m.reasons[0].startswith("killed 10000 >= 50 (cumulative)")
    assert check({"killed_min": 1, "include_cumulative": True}, _with_tolls(None, 10000)).ok


def test_include_cumulative_alone_is_rejected():
    with pytest.raises(ValueError, match="include_cumulative applies to killed_min"):
        Condition.model_validate({"include_cumulative": True, "places": ["sy-idlib"]})
