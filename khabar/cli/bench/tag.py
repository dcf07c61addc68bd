"""`khabar bench tag`: articles/s through tagging on one core, beside a normalise-only pass.

Input: ~3 KB Arabic articles assembled deterministically from paragraphs written for this
benchmark (battle reports, air strikes, casualty tolls, displacement, diplomacy), with
names drawn from the taxonomy so the automaton has real work. Both passes run in this
process on the same articles, alternating, several rounds, each keeping its best round.
Rates are given per CPU-second of this single-threaded process ("articles/s on one core",
meaningful on a shared machine) and per wall-second. The baseline only computes the
matching form (khabar.textnorm), which tagging needs anyway.
"""

from __future__ import annotations

import random
import statistics
import time

from khabar.textnorm import matching_form

TARGET_BYTES = 3000

_PARAGRAPHS = [
    "قال {observatory} إن {gov} سيطرت صباح اليوم على بلدة {town} في ريف {city} الشمالي، "
    "بعد اشتباكات عنيفة مع مقاتلي {group} استمرت طوال الليل، وأسفرت عن مقتل {n1} عنصرا "
    "من الطرفين على الأقل.",
    "وأضاف مدير المرصد رامي عبد الرحمن في اتصال مع وكالة فرانس برس أن الطائرات الحربية "
    "شنت أكثر من {n2} غارة على مواقع {group} في محيط {city}، فيما قصفت المدفعية أحياء "
    "المدينة الشرقية بعشرات القذائف.",
    "وفي {city2}، انفجرت سيارة مفخخة قرب حاجز لـ{gov} عند المدخل الجنوبي للمدينة، ما أدى "
    "إلى سقوط {words} قتلى وإصابة آخرين بجروح، بحسب مصادر طبية محلية.",
    "ونزح نحو {n3} ألف مدني من القرى المحيطة خلال الأيام الماضية باتجاه مخيمات قرب الحدود "
    "التركية، وفق أرقام الأمم المتحدة التي حذرت من كارثة إنسانية.",
    "من جهة أخرى، أعلنت «{sdf}» أنها استعادت السيطرة على قرية {town2} شرقي نهر الفرات، "
    "بدعم من طيران التحالف الدولي بقيادة الولايات المتحدة.",
    "وكانت {group} قد شنت في {day} حزيران/يونيو {year} هجوما واسعا على مواقع القوات "
    "النظامية في {town}، تمكنت خلاله من السيطرة على {n4} قرى وتلال استراتيجية.",
    "وفي سياق متصل، اعتقلت الأجهزة الأمنية {n5} شخصا في {city2} بتهمة التعامل مع "
    "«{group}»، بينما خرجت مظاهرات في عدة مدن تطالب بالإفراج عن المعتقلين.",
    "دبلوماسيا، قال المبعوث الأممي ستافان دي ميستورا في جنيف إن الأطراف توصلت إلى اتفاق "
    "لوقف إطلاق النار في {city} يدخل حيز التنفيذ منتصف الليل، وإن 60 % من السكان بحاجة "
    "إلى مساعدات عاجلة.",
    "ونفت وزارة الدفاع الروسية أن تكون طائراتها قد استهدفت مستشفى في {town2}، مؤكدة أن "
    "ضرباتها تركزت على مواقع {group} في البادية السورية.",
    "وقالت منظمة حظر الأسلحة الكيميائية إن بعثتها ستحقق في تقارير عن هجوم بغاز الكلور على "
    "{town}، أدى إلى إصابة {n6} شخصا بحالات اختناق.",
]
_FILL = {
    "observatory": ["المرصد السوري لحقوق الإنسان", "المرصد السوري"],
    "gov": ["قوات النظام", "القوات النظامية", "الجيش السوري", "قوات الأسد"],
    "group": ["تنظيم الدولة الإسلامية", "داعش", "جبهة النصرة", "هيئة تحرير الشام",
              "حركة أحرار الشام", "جيش الإسلام", "فصائل المعارضة"],
    "sdf": ["قسد", "قوات سوريا الديمقراطية", "وحدات حماية الشعب"],
    "city": ["حلب", "إدلب", "حماة", "حمص", "الرقة", "دير الزور", "الحسكة", "درعا", "اللاذقية"],
    "city2": ["منبج", "الباب", "عفرين", "القامشلي", "تدمر", "البوكمال", "دوما", "داريا"],
    "town": ["سراقب", "خان شيخون", "كفرنبل", "مورك", "اللطامنة", "تل رفعت", "مارع", "الشدادي"],
    "town2": ["الباغوز", "هجين", "الشعفة", "السوسة", "عين عيسى", "تل تمر", "صرين"],
    "words": ["ستة", "سبعة", "ثلاثة", "خمسة عشر", "عشرين"],
}


def make_articles(count: int, seed: int = 5) -> list[str]:
    """Deterministic ~3 KB Arabic articles."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p.encode("utf-8")) for p in parts) < TARGET_BYTES:
            template = rng.choice(_PARAGRAPHS)
            values = {k: rng.choice(v) for k, v in _FILL.items()}
            values.update(n1=rng.randint(3, 300), n2=rng.randint(5, 60), n3=rng.randint(2, 90),
                          n4=rng.randint(2, 20), n5=rng.randint(5, 200), n6=rng.randint(3, 90),
                          day=rng.randint(1, 28), year=rng.randint(2012, 2020))
            parts.append(template.format(**values))
        text = "\n\n".join(parts)
        while len(text.encode("utf-8")) > TARGET_BYTES + 200:
            text = text[:-50]
        out.append(text)
    return out


def _pass(fn, articles: list[str], latencies: list[float] | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one pass over the articles."""
    wall, cpu = time.perf_counter(), time.process_time()
    for text in articles:
        if latencies is None:
            fn(text)
        else:
            t0 = time.perf_counter()
            fn(text)
            latencies.append(time.perf_counter() - t0)
    return time.perf_counter() - wall, time.process_time() - cpu


def seed_articles(count: int) -> list[str]:
    """~3 KB windows of the real seed articles (../shared/corpus/seeds), paragraph-aligned;
    empty when the shared corpus is not beside the project."""
    from khabar.settings import PROJECT_ROOT

    folder = PROJECT_ROOT.parent / "shared" / "corpus" / "seeds"
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    paras = [p for f in files for p in f.read_text(encoding="utf-8").split("\n") if p.strip()]
    out: list[str] = []
    i = 0
    while paras and len(out) < count:
        parts: list[str] = []
        while sum(len(p.encode("utf-8")) for p in parts) < TARGET_BYTES:
            parts.append(paras[i % len(paras)])
            i += 1
        out.append("\n".join(parts))
    return out


def _measure(tagger, articles: list[str], rounds: int) -> dict:
    """Rates per CPU-second (articles/s on one core, whatever else the machine runs) and
    per wall-second. The two passes alternate; each keeps its best round."""
    base, tag, lat = [], [], []
    for _ in range(rounds):
        base.append(_pass(matching_form, articles))
        tag.append(_pass(tagger.tag_text, articles, lat))
    n = len(articles)
    cpu_rate = n / min(c for _w, c in tag)
    cpu_base = n / min(c for _w, c in base)
    lat.sort()
    return {
        "articles": n,
        "mean_article_bytes": round(statistics.mean(len(a.encode("utf-8")) for a in articles)),
        "tag_articles_per_cpu_s": round(cpu_rate, 1),
        "baseline_normalise_only_articles_per_cpu_s": round(cpu_base, 1),
        "tag_cost_vs_baseline": round(cpu_base / cpu_rate, 2),
        "tag_articles_per_wall_s": round(n / min(w for w, _c in tag), 1),
        "baseline_articles_per_wall_s": round(n / min(w for w, _c in base), 1),
        "tag_latency_wall_ms": {"p50": round(lat[len(lat) // 2] * 1000, 3),
                                "p95": round(lat[int(len(lat) * 0.95)] * 1000, 3)},
        "meets_target": cpu_rate >= TARGET_RATE,
    }


TARGET_RATE = 500


def run(quick: bool = False) -> dict:
    from processors.tagging.stage import get_tagger

    t0 = time.perf_counter()
    tagger = get_tagger()
    build_s = time.perf_counter() - t0
    count = 50 if quick else 300
    rounds = 3 if quick else 7
    for text in make_articles(5):  # warm-up
        tagger.tag_text(text)
    result = {
        "benchmark": "tag",
        "cores": 1,
        "rounds": rounds,
        "target_articles_per_s": TARGET_RATE,
        "tagger_build_s": round(build_s, 2),
        "quick": quick,
        # dense synthetic news: every paragraph has names, numbers and event cues
        "synthetic": _measure(tagger, make_articles(count), rounds),
    }
    seeds = seed_articles(count // 5)
    if seeds:  # real Arabic news text, when ../shared is beside the project
        result["seeds"] = _measure(tagger, seeds, rounds)
    return result
