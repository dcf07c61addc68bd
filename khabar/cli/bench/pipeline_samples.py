"""Varied Arabic RawArticles for `khabar bench pipeline`, shaped like what the pollers produce.

Every original is built from its own draw of sentence templates, places, actors, figures and
days, so two originals share few word shingles (dedup keeps them `original`); about
`copy_share` of the articles are near copies of an earlier one (another outlet re-running a
wire story with a different headline, a dropped sentence and its own credit line), which the
dedup stage should flag. Deterministic for a given seed; ids come from the article URL as
ingest computes them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from ingest.entries import url_id
from khabar.models import RawArticle, SourceRef
from khabar.settings import PROJECT_ROOT

# Real Arabic reporting (the dev set and the dedup seeds) cut into clauses: most of each
# article's sentences are made of these, so two originals rarely share more than a clause or two.
CORPUS_GLOBS = ("tests/fixtures/devset/*.txt", "tests/fixtures/dedup/*_seed.txt")

SOURCES = [
    ("aawsat", "الشرق الأوسط"), ("enabbaladi", "عنب بلدي"), ("sana", "سانا"), ("aljazeera", "الجزيرة نت"),
    ("alarabiya", "العربية"), ("syriahr", "المرصد السوري"), ("hawarnews", "وكالة هاوار"),
    ("zamanalwsl", "زمان الوصل"), ("syria-tv", "تلفزيون سوريا"), ("alwatan", "الوطن"),
]
GOVERNORATES = ["حلب", "دمشق", "الحسكة", "إدلب", "دير الزور", "الرقة", "حمص", "حماة", "درعا", "اللاذقية",
                "طرطوس", "السويداء", "القنيطرة", "ريف دمشق"]
TOWNS = ["منبج", "الباب", "عفرين", "جرابلس", "معرة النعمان", "سراقب", "خان شيخون", "أريحا", "جسر الشغور",
         "البوكمال", "الميادين", "تل أبيض", "رأس العين", "القامشلي", "عامودا", "المالكية", "تدمر",
         "القصير", "الرستن", "تلبيسة", "مورك", "السقيلبية", "نوى", "بصرى الشام", "إنخل", "جاسم",
         "دوما", "حرستا", "الزبداني", "يبرود", "كفرنبل", "الأتارب", "دارة عزة", "تل رفعت", "الشدادي",
         "الهول", "صوران", "اللطامنة", "كفرزيتا", "السفيرة"]
ACTORS = ["قوات سوريا الديمقراطية", "تنظيم الدولة الإسلامية", "قوات النظام السوري", "التحالف الدولي",
          "هيئة تحرير الشام", "الجيش الوطني السوري", "فصائل المعارضة المسلحة", "القوات الروسية",
          "مجموعات مسلحة مجهولة", "الفرقة الرابعة", "ميليشيات موالية لإيران", "القوات التركية"]
WEAPONS = ["طائرة مسيرة", "قذائف المدفعية", "صواريخ أرض أرض", "عبوة ناسفة", "براميل متفجرة",
           "رشاشات ثقيلة", "قذائف الهاون", "غارات جوية", "سيارة مفخخة", "صواريخ موجهة"]
DAYS = ["السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة"]
TIMES = ["فجر", "صباح", "ظهر", "عصر", "مساء", "ليل"]
ORGS = ["الأمم المتحدة", "منظمة الصحة العالمية", "الهلال الأحمر العربي السوري", "الدفاع المدني السوري",
        "منظمة أطباء بلا حدود", "مكتب تنسيق الشؤون الإنسانية", "اللجنة الدولية للصليب الأحمر",
        "برنامج الأغذية العالمي"]
TITLES = [
    "مقتل {killed} في هجوم على {town} بريف {gov}",
    "{actor} تعلن السيطرة على مواقع قرب {town}",
    "قصف متبادل في ريف {gov} يوقع {killed} قتلى",
    "نزوح {families} عائلة من {town} بعد اشتباكات عنيفة",
    "{org} تحذر من تدهور الأوضاع الإنسانية في {gov}",
    "{weapon} تستهدف {town} وسقوط {injured} جرحى",
    "اعتقال {arrested} شخصاً في حملة مداهمات بمدينة {town}",
    "تعزيزات عسكرية جديدة تصل إلى {town} في ريف {gov}",
    "انفجار في {town} يوقع ضحايا مدنيين",
    "اشتباكات بين {actor} و{actor2} على أطراف {town}",
]
SENTENCES = [
    "قالت مصادر محلية إن {actor} شنت هجوماً على مواقع في محيط {town} {time} يوم {day}.",
    "وأسفر الهجوم عن مقتل {killed} أشخاص بينهم {children} أطفال وإصابة {injured} آخرين بجروح متفاوتة.",
    "وأفاد ناشطون بأن {weapon} استهدفت منازل المدنيين في الحي الشرقي من {town}.",
    "ونقلت فرق {org} المصابين إلى مستشفى ميداني في ريف {gov} وسط نقص حاد في المعدات الطبية.",
    "وذكر المرصد أن حصيلة القتلى مرشحة للارتفاع بسبب وجود {injured} جرحى في حالات خطرة.",
    "وشهدت الطرق المؤدية إلى {town2} حركة نزوح واسعة لنحو {families} عائلة باتجاه المخيمات الحدودية.",
    "في المقابل نفت {actor2} مسؤوليتها عن القصف واتهمت {actor} بخرق اتفاق التهدئة.",
    "وأكد قيادي في {actor2} أن مقاتليه تصدوا لمحاولة تسلل على محور {town2} وقتلوا {killed2} مهاجمين.",
    "وتشهد المنطقة منذ {weeks} أسابيع تصعيداً عسكرياً متواصلاً رغم الدعوات الدولية إلى وقف إطلاق النار.",
    "ودعت {org} جميع الأطراف إلى تحييد المدنيين والسماح بدخول المساعدات إلى {town}.",
    "وبحسب إحصائية محلية فإن عدد النازحين من ريف {gov} تجاوز {displaced} ألف شخص خلال الشهر الماضي.",
    "ويعاني السكان في {town} من انقطاع الكهرباء والمياه منذ {weeks} أسابيع بسبب تضرر المحطات.",
    "وأعلنت {actor} في بيان أنها استهدفت مواقع عسكرية قرب {town2} بـ{weapon} ودمرت آليتين.",
    "وشنت {actor} حملة مداهمات في أحياء {town} واعتقلت {arrested} شاباً بتهمة التعامل مع {actor2}.",
    "وقال شهود عيان إن دوي انفجارات قوية سمع في أرجاء {town} {time} يوم {day}.",
    "وتحدثت تقارير عن وصول رتل عسكري يضم {vehicles} آلية إلى أطراف {town2} قادماً من {gov}.",
    "وأشار مصدر طبي إلى أن بين الجرحى {women} نساء وأن بعض الإصابات تستدعي نقلهم إلى تركيا للعلاج.",
    "وتأتي هذه التطورات بعد أيام من اجتماع عقده مسؤولون عسكريون في {gov} لبحث الوضع الميداني.",
    "وطالب أهالي {town} بفتح ممر آمن لإجلاء المرضى وكبار السن إلى {town2}.",
    "وسجلت {org} خلال الأسبوع الماضي {incidents} حادثة استهداف للمرافق الطبية والمدارس في المنطقة.",
    "ونشرت صفحات محلية صوراً تظهر الدمار الذي لحق بسوق {town} الشعبي ومسجده الكبير.",
    "وتسيطر {actor} على {town} منذ عام {year} بعد معارك استمرت عدة أشهر مع {actor2}.",
    "وأوضح ناشط إعلامي أن القصف تركز على الأراضي الزراعية المحيطة بـ{town2} ما أدى إلى احتراق محاصيل القمح.",
    "ولم تصدر {actor2} أي تعليق رسمي على الحادثة حتى ساعة إعداد هذا التقرير.",
    "وأعلنت مديرية الصحة في {gov} رفع حالة الجاهزية في مستشفياتها واستدعاء الكوادر الطبية.",
    "ويقدر ناشطون أن {killed3} مدنياً قتلوا في {gov} منذ مطلع العام الجاري جراء الأعمال العسكرية.",
    "وتعرضت قافلة مساعدات تابعة لـ{org} لإطلاق نار قرب {town2} دون وقوع إصابات بين العاملين.",
    "وتبادلت {actor} و{actor2} القصف بالأسلحة الثقيلة على خطوط التماس شمال {town}.",
    "وأفادت مصادر بأن {arrested} عنصراً من {actor2} استسلموا بعد حصار استمر {weeks} أيام.",
    "وقالت {org} إن أكثر من {displaced} ألف طفل في {gov} بحاجة ماسة إلى مساعدات غذائية وطبية.",
    "وشيع الأهالي في {town} جثامين الضحايا وسط إجراءات أمنية مشددة {time} يوم {day}.",
    "ويخشى السكان من موجة نزوح جديدة مع اقتراب فصل الشتاء وارتفاع أسعار الوقود في {gov}.",
    "وتحدثت مصادر عن مفاوضات غير معلنة بين {actor} و{actor2} برعاية وجهاء من عشائر {gov}.",
    "وأغلقت {actor} الطريق الواصل بين {town} و{town2} أمام حركة المدنيين والشاحنات التجارية.",
    "وأصيب {injured2} عناصر من {actor2} بانفجار لغم أرضي أثناء عملية تمشيط في بادية {gov}.",
    "وأحصت فرق الدفاع المدني {vehicles} منزلاً مدمراً بشكل كامل في {town} منذ بداية الحملة.",
    "وذكرت وسائل إعلام رسمية أن وحدات الهندسة فككت {vehicles} عبوة ناسفة زرعت على طريق {town2}.",
    "وأكد مسؤول محلي أن المدارس في {town} علقت الدوام لمدة {weeks} أيام حفاظاً على سلامة الطلاب.",
    "وقال مراسل محلي إن الطيران الحربي حلق على علو منخفض فوق {town2} طوال ساعات الليل.",
    "ونقلت وكالات عن مصدر عسكري قوله إن العملية ستستمر حتى طرد {actor2} من كامل ريف {gov}.",
]
COPY_CREDITS = ["المصدر: وكالات", "نقلاً عن مراسلينا في المنطقة", "تحرير: قسم الأخبار",
                "شارك في التغطية فريق الرصد"]


@dataclass(frozen=True)
class Sample:
    """One generated RawArticle; `copy_of` is the id of the original a near copy re-runs."""

    raw: RawArticle
    copy_of: str | None = None


def _slots(rng: random.Random) -> dict[str, object]:
    gov = rng.choice(GOVERNORATES)
    town, town2 = rng.sample(TOWNS, 2)
    actor, actor2 = rng.sample(ACTORS, 2)
    return {
        "gov": gov, "town": town, "town2": town2, "actor": actor, "actor2": actor2,
        "weapon": rng.choice(WEAPONS), "day": rng.choice(DAYS), "time": rng.choice(TIMES),
        "org": rng.choice(ORGS), "killed": rng.randint(2, 60), "killed2": rng.randint(2, 30),
        "killed3": rng.randint(100, 2500), "children": rng.randint(1, 9), "injured": rng.randint(3, 90),
        "injured2": rng.randint(2, 12), "families": rng.randint(20, 900), "displaced": rng.randint(2, 120),
        "weeks": rng.randint(2, 9), "arrested": rng.randint(3, 70), "vehicles": rng.randint(5, 60),
        "women": rng.randint(1, 8), "incidents": rng.randint(3, 40), "year": rng.randint(2013, 2019),
    }


def _html(paragraphs: list[list[str]]) -> str:
    return "".join(f"<p>{' '.join(p)}</p>" for p in paragraphs)


def _paragraphs(sentences: list[str], rng: random.Random) -> list[list[str]]:
    cut = sorted(rng.sample(range(1, len(sentences)), min(2, len(sentences) - 1)))
    bounds = [0, *cut, len(sentences)]
    return [sentences[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


@lru_cache(maxsize=1)
def corpus_clauses() -> tuple[str, ...]:
    """Distinct clauses of 4-40 words from the bundled Arabic texts (empty if they are absent)."""
    seen: dict[str, None] = {}
    for pattern in CORPUS_GLOBS:
        for path in sorted(PROJECT_ROOT.glob(pattern)):
            text = path.read_text(encoding="utf-8", errors="replace")
            for clause in re.split(r"[.!؟?،؛:\n]+", text):
                clause = clause.strip(" «»\"'()-")
                if 4 <= len(clause.split()) <= 40 and re.search(r"[\u0600-\u06FF]", clause):
                    seen.setdefault(clause, None)
    return tuple(seen)


def _sentences(rng: random.Random, slots: dict) -> list[str]:
    """A lead of 1-3 filled templates, then sentences of 2-3 real clauses each, so two originals
    share few shingles (templates only when the corpus is absent)."""
    pool = corpus_clauses()
    count = rng.randint(6, 10)
    lead = rng.randint(1, 3) if len(pool) > 100 else count
    out = [t.format(**slots) for t in rng.sample(SENTENCES, lead)]
    for _ in range(count - lead):
        out.append("، ".join(rng.sample(pool, rng.randint(2, 3))) + ".")
    return out


def _original(i: int, seed: int, rng: random.Random, now: datetime) -> tuple[RawArticle, list[str], dict]:
    slots = _slots(rng)
    sentences = _sentences(rng, slots)
    source_id, source_name = rng.choice(SOURCES)
    return _raw(i, seed, source_id, source_name, rng.choice(TITLES).format(**slots),
                _paragraphs(sentences, rng), now - timedelta(minutes=rng.randint(1, 2 * 24 * 60))), sentences, slots


def _raw(i: int, seed: int, source_id: str, source_name: str, title: str, paragraphs: list[list[str]],
         published: datetime) -> RawArticle:
    url = f"https://{source_id}.example/news/{seed}/{i}"
    return RawArticle(
        id=url_id(url), url=url, guid=url,
        source=SourceRef(id=source_id, name=source_name, feed=f"https://{source_id}.example/rss", language="ar",
                         country="SY"),
        title=title, summary=paragraphs[0][0], content=_html(paragraphs), content_type="html", language="ar",
        published_at=published, fetched_at=published + timedelta(minutes=3),
    )


def _near_copy(i: int, seed: int, rng: random.Random, original: RawArticle, sentences: list[str],
               slots: dict) -> RawArticle:
    """Another outlet's re-run: new headline, one sentence dropped, a credit line added."""
    kept = list(sentences)
    del kept[rng.randrange(1, len(kept))]
    kept.append(rng.choice(COPY_CREDITS) + ".")
    others = [s for s in SOURCES if s[0] != original.source.id]
    source_id, source_name = rng.choice(others)
    title = rng.choice([t for t in TITLES if t.format(**slots) != original.title]).format(**slots)
    published = (original.published_at or original.fetched_at) + timedelta(minutes=rng.randint(5, 240))
    return _raw(i, seed, source_id, source_name, title, _paragraphs(kept, rng), published)


def generate(n: int, *, seed: int = 0, copy_share: float = 0.05, now: datetime | None = None) -> list[Sample]:
    """`n` articles in arrival order; round(n * copy_share) of them near copies of earlier originals."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    copies = round(n * copy_share) if n > 1 else 0
    copy_slots = set(rng.sample(range(1, n), copies)) if copies else set()
    out: list[Sample] = []
    originals: list[tuple[RawArticle, list[str], dict]] = []
    for i in range(n):
        if i in copy_slots:
            raw, sentences, slots = rng.choice(originals)
            out.append(Sample(_near_copy(i, seed, rng, raw, sentences, slots), copy_of=raw.id))
        else:
            made = _original(i, seed, rng, now)
            originals.append(made)
            out.append(Sample(made[0]))
    return out
