"""Cleaning stage: the seeds' gold boilerplate goes, every sentence of the articles stays."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.models import RawArticle, SourceRef
from processors.clean import clean, clean_text, clean_title, html_to_text, strip_boilerplate


def _raw(content: str, content_type: str = "text", **kw) -> RawArticle:
    return RawArticle(id="t1", source=SourceRef(id="test", language=kw.pop("source_language", None)),
                      content=content, content_type=content_type, **kw)


@pytest.fixture(scope="module")
def gold(shared_dir: Path) -> list[dict]:
    return yaml.safe_load((shared_dir / "eval" / "seeds-gold.yaml").read_text(encoding="utf-8"))


def _sentences(line: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!؟?])\s+", " ".join(line.split())) if s]


def test_seed_boilerplate_removed_and_every_sentence_kept(gold: list[dict], seeds_dir: Path) -> None:
    assert len(gold) == 5
    for entry in gold:
        text = (seeds_dir / entry["doc"]).read_text(encoding="utf-8")
        article = clean(_raw(text))
        paragraphs = article.body.split("\n\n")
        boilerplate = [" ".join(b.split()) for b in entry["boilerplate"]]
        for line in boilerplate:
            assert line not in paragraphs, (entry["doc"], line)
            if len(line) > 3:  # "&" may legitimately occur inside a sentence
                assert line not in article.body, (entry["doc"], line)
        article_lines = [" ".join(x.split()) for x in text.splitlines() if x.strip()]
        # a gold entry names a whole line (or its start, for long reader comments)
        article_lines = [x for x in article_lines
                         if not any(x == b or (len(b) > 3 and b in x) for b in boilerplate)]
        for line in article_lines:
            for sentence in _sentences(line):
                assert sentence in article.body, (entry["doc"], sentence)
        # one paragraph per article line, in order, separated by one blank line
        assert paragraphs == article_lines, entry["doc"]
        assert article.language == entry["language"] == "ar"


def test_seed_004_keeps_headline_and_subheading(seeds_dir: Path) -> None:
    body = clean(_raw((seeds_dir / "004_8ddf759b126afac4.txt").read_text(encoding="utf-8"))).body
    assert body.startswith("«قسد» تحقق تقدماً «بطيئاً ومنظماً» شرقي نهر الفرات\n\n")
    assert "\n\nمعارك «الباغوز»\n\n" in body
    assert not body.rstrip().endswith("Email")


HTML_ARTICLE = """<!DOCTYPE html><html><head><title>x</title><style>p{color:red}</style></head>
<body><nav><a href="/">الرئيسية</a> | <a href="/world">العالم</a></nav>
<article class="article-body share-enabled">
<h1>قوات النظام تستعيد &quot;الحسكة&quot;</h1>
<div class="font-size">ت + ت - الحجم الطبيعي</div>
<p>طردت قوات النظام السوري تنظيم داعش من مدينة الحسكة،
   بعد معارك استمرت <b>أسابيع</b>.</p>
<p>وقال المرصد إن 120 عنصراً قتلوا &amp; أصيب العشرات.<br>ونزح نحو 120 ألف مدني.</p>
<script>var tracking = "لا تظهر";</script>
<div class="social-share"><a>فيسبوك</a> <a>تويتر</a> <a>واتساب</a></div>
<p>اقرأ أيضاً:</p>
<ul><li><a href="/1">داعش يخسر آخر مواقعه في حلب</a></li>
<li><a href="/2">الأكراد يتقدمون في ريف الرقة الشمالي</a></li></ul>
</article>
<div id="comments"><h3>التعليقات</h3><p>تعليق من قارئ لا يظهر في النص</p></div>
<footer>جميع الحقوق محفوظة</footer></body></html>"""


def test_html_article_to_clean_paragraphs() -> None:
    article = clean(_raw(HTML_ARTICLE, content_type="html", title="<b>الحسكة</b> &amp; داعش"))
    assert article.body.split("\n\n") == [
        'قوات النظام تستعيد "الحسكة"',
        "طردت قوات النظام السوري تنظيم داعش من مدينة الحسكة، بعد معارك استمرت أسابيع.",
        "وقال المرصد إن 120 عنصراً قتلوا & أصيب العشرات.",
        "ونزح نحو 120 ألف مدني.",
    ]
    assert article.title == "الحسكة & داعش"
    assert article.language == "ar"


def test_html_fragment_with_br_paragraphs_and_comment_nodes() -> None:
    text = html_to_text("أول<!-- note -->سطر<br/>ثاني سطر<br><br><p>فقرة</p>ذيل")
    assert [x.strip() for x in text.split("\n") if x.strip()] == ["أولسطر", "ثاني سطر", "فقرة", "ذيل"]


def test_deeply_nested_html_does_not_overflow() -> None:
    assert clean_text("<div>" * 5000 + "نص عميق جدا" + "</div>" * 5000, "html") == "نص عميق جدا"


def test_html_content_without_tags_keeps_its_lines() -> None:
    assert clean_text("سطر أول\nسطر ثان", "html") == "سطر أول\n\nسطر ثان"


def test_feed_footers_and_english_chrome() -> None:
    body = clean(_raw(
        "Syrian government forces retook the city of Hasakah on Tuesday after weeks of fighting.\n"
        "The Observatory said 120 soldiers and allied fighters were killed in the battle.\n"
        "Share on Facebook\nPrint this article\nA+ A- Reset\n"
        "The post Syrian army retakes Hasakah appeared first on Levant Daily.\n"
        "Continue reading →")).body
    assert body.split("\n\n") == [
        "Syrian government forces retook the city of Hasakah on Tuesday after weeks of fighting.",
        "The Observatory said 120 soldiers and allied fighters were killed in the battle.",
    ]


def test_related_list_and_comments_header() -> None:
    story = ["Government forces retook the city on Tuesday, the monitor said.",
             "Thousands of civilians fled the southern districts during the fighting.",
             "Related stories",
             "Army advances near Palmyra as jihadists retreat",
             "Kurdish fighters take villages north of Raqqa",
             "Fighting resumes in Idlib countryside",
             "Comments (2)",
             "great article thanks",
             "this is all lies"]
    assert strip_boilerplate(story) == story[:2]


def test_trailing_headlines_without_header_removed_but_colon_list_kept() -> None:
    intro = ["The army entered the city on Tuesday after a week of heavy fighting.",
             "Residents said water and power were cut in several districts."]
    headlines = ["Army advances near Palmyra as jihadists retreat",
                 "Kurdish fighters take villages north of Raqqa",
                 "Fighting resumes in the Idlib countryside"]
    assert strip_boilerplate(intro + headlines) == intro
    listed = [*intro[:1], "The group named its demands:", *headlines]
    assert strip_boilerplate(listed) == listed


def test_reader_comments_only_removed_at_the_end() -> None:
    comment = "الله يحمي سوريا و اهلها و ربي ينصرهم يا رب.."
    story = ["طردت قوات النظام التنظيم من المدينة بعد معارك عنيفة استمرت أسابيع.",
             "وقال المرصد إن المعارك أسفرت عن مقتل العشرات من الطرفين."]
    assert strip_boilerplate([*story, comment]) == story
    # the same words inside the article (a quote) stay: only a trailing run is comments
    assert strip_boilerplate([story[0], comment, story[1]]) == [story[0], comment, story[1]]


def test_whitespace_and_unicode_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "آخر موقع\u00a0\u00a0في  الحسكة\u200b")
    body = clean(_raw(f"  {decomposed}  \r\n\r\n\r\nسطر\tثان  \r\n")).body
    assert body == "آخر موقع في الحسكة\n\nسطر ثان"
    assert unicodedata.is_normalized("NFC", body)


def test_hard_wrapped_text_becomes_one_paragraph() -> None:
    wrapped = ("Syrian government forces and Kurdish fighters drove the jihadists\n"
               "out of the northeastern city of Hasakah on Tuesday, a monitor said,\n"
               "after weeks of fighting that displaced tens of thousands of people\n"
               "from the southern districts of the city.")
    assert clean_text(wrapped, "text") == " ".join(wrapped.split("\n"))


def test_summary_and_title_cleaned() -> None:
    article = clean(_raw("", summary="<p>ملخص <i>الخبر</i> هنا.</p><p>Email</p>",
                         title="  عنوان\n  الخبر  "))
    assert article.summary == "ملخص الخبر هنا."
    assert article.title == "عنوان الخبر"
    assert clean_title("&laquo;قسد&raquo; تتقدم") == "«قسد» تتقدم"


def test_short_text_keeps_declared_language() -> None:
    assert clean(_raw("", title="داعش يتقهقر", language="ar")).language == "ar"
    assert clean(_raw("", title="داعش يتقهقر", source_language="ar-SY")).language == "ar"
    with pytest.raises(ValueError, match="no text"):  # nothing at all: a dead letter (issue 12.5)
        clean(_raw(""))


_PROSE_WORDS = ("قوات النظام السوري طردت تنظيم داعش من مدينة الحسكة بعد معارك عنيفة استمرت "
                "أسابيع وأفاد المرصد بمقتل عشرات العناصر government forces retook city after "
                "heavy fighting monitor said civilians fled districts").split()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PROSE_WORDS), min_size=10, max_size=40),
                min_size=1, max_size=8))
def test_prose_is_never_removed(paragraph_words: list[list[str]]) -> None:
    paragraphs = [" ".join(ws) + "." for ws in paragraph_words]
    assert clean_text("\n".join(paragraphs), "text") == "\n\n".join(paragraphs)
    html = "".join(f"<p>{p}</p>" for p in paragraphs)
    assert clean_text(html, "html") == "\n\n".join(paragraphs)


def test_never_raises_on_the_feedparser_corpus(shared_dir: Path) -> None:
    """2,106 well-formed, ill-formed and oddly encoded feeds, fed as markup: text comes out."""
    files = sorted((shared_dir / "corpus" / "feedparser-tests").rglob("*.xml"))
    assert len(files) > 2000
    produced = 0
    for path in files:
        markup = path.read_bytes().decode("utf-8", "replace")
        produced += bool(clean_text(markup, "html"))
        clean_title(markup[:200])
    assert produced > 0.85 * len(files)  # the rest carry no text (attributes, empty elements)


# --- trailing "related articles" lists (issue 14): endings as Arabic news pages print them ----

RELATED_STORY = [
    "قتل سبعة مدنيين وأصيب آخرون، الثلاثاء، في قصف جوي استهدف سوقا شعبيا في مدينة معرة النعمان بريف إدلب الجنوبي.",
    "وقال الدفاع المدني إن فرقه انتشلت الضحايا من تحت الأنقاض، مشيرا إلى أن الحصيلة مرشحة للارتفاع.",
]
RELATED_TAILS = {
    "enab_bullets": ["اقرأ أيضًا:", "- مقتل قيادي في “تحرير الشام” بقصف على ريف إدلب",
                     "- “قسد” تعلن السيطرة على قرى جديدة شرقي دير الزور",
                     "- هل تنجح أنقرة في فرض منطقة آمنة شمالي سوريا؟"],
    "questions_and_ellipsis": ["مواضيع ذات صلة", "ماذا يعني التصعيد الروسي في إدلب؟",
                               "النظام يحشد قواته على تخوم ريف حماة...", "مقتل 5 مدنيين بقصف على خان شيخون"],
    "dated_items": ["أخبار ذات صلة", "غارات روسية على ريف إدلب الجنوبي", "12 أيار 2019",
                    "الأمم المتحدة تحذر من كارثة إنسانية في الشمال السوري", "10 أيار 2019"],
    "bare_dhat_sila": ["ذات صلة", "تركيا ترسل تعزيزات عسكرية إلى نقاط المراقبة",
                       "فصائل المعارضة تستعيد قرية الحماميات"],
    "ikhtarna": ["اخترنا لك", "بالصور.. دمار واسع في معرة النعمان", "بالفيديو: لحظة استهداف السوق الشعبي",
                 "كيف تغيرت خريطة السيطرة في إدلب خلال عام"],
    "headline_with_colon_header": ["اقرأ أيضا: روسيا تعلن هدنة من طرف واحد في إدلب",
                                   "اقرأ أيضا: النظام يواصل قصف ريف حماة الشمالي"],
    "no_header_run": ["روسيا تعلن هدنة من طرف واحد في إدلب", "النظام يواصل قصف ريف حماة الشمالي",
                      "هل تصمد الهدنة في الشمال السوري؟", "مقتل عنصرين من قسد بانفجار عبوة في الرقة"],
    "mawad": ["مواد ذات صلة:", "• مجلس الأمن يناقش التصعيد في إدلب", "• منظمات إنسانية: مليون نازح قرب الحدود",
              "• الدفاع المدني يحصي ضحايا الأسبوع"],
    "english_related": ["Related Articles", "Russian jets pound Idlib market",
                        "UN warns of humanitarian disaster in north-west Syria", "Turkey sends reinforcements"],
    "more_news": ["المزيد من الأخبار", "ترامب: سنرد على أي هجوم كيميائي", "الجيش التركي يقصف مواقع لقسد",
                  "أردوغان وبوتين يبحثان الوضع في إدلب هاتفيا"],
    "qad_yuhimmuk_short": ["قد يعجبك أيضا", "خريطة السيطرة", "أسعار الذهب اليوم", "مقتل قيادي بارز"],
    "read_more_links_short": ["الأكثر قراءة", "1", "حلب: انفجار في حي الزبدية", "2",
                              "درعا: اغتيال قيادي سابق في المعارضة"],
}


@pytest.mark.parametrize("name", sorted(RELATED_TAILS))
def test_trailing_related_lists_are_removed(name: str) -> None:
    assert strip_boilerplate(RELATED_STORY + RELATED_TAILS[name]) == RELATED_STORY


def test_a_related_block_inside_the_article_goes_and_the_prose_after_it_stays() -> None:
    later = "وفي سياق متصل، أعلنت فصائل المعارضة استهداف مواقع لقوات النظام في ريف حماة الشمالي."
    block = ["اقرأ أيضا:", "- هل تصمد الهدنة في الشمال السوري؟", "- مقتل قيادي بارز في درعا"]
    assert strip_boilerplate([*RELATED_STORY, *block, later]) == [*RELATED_STORY, later]


def test_article_lists_and_closing_questions_are_kept() -> None:
    terms = [*RELATED_STORY, "وتضمن الاتفاق البنود التالية:", "- وقف إطلاق النار في المنطقة",
             "- انسحاب الأسلحة الثقيلة من خطوط التماس", "- فتح المعابر أمام المساعدات؟"]
    assert strip_boilerplate(terms) == terms
    closing = [*RELATED_STORY, "فهل تصمد الهدنة هذه المرة، أم تعود المعارك إلى سابق عهدها؟"]
    assert strip_boilerplate(closing) == closing
    byline = [*RELATED_STORY, "إعداد: محمد الأحمد"]
    assert strip_boilerplate(byline) == byline
