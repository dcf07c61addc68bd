"""Seed-like Articles with tags filled by hand, for the index benchmark and the integration tests.

The tagger is written elsewhere; these records carry what it would produce for Arabic news on
the Syrian conflict (places with coordinates from Open-Syria data-geography centroids, actors,
event types, casualty figures), plus some English ones, deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from khabar.models import (
    ActorTag,
    Article,
    Casualties,
    CountMention,
    Dedup,
    GeoPoint,
    PlaceTag,
    SourceRef,
    stable_id,
)

# id, Arabic name, English name, admin1, lat, lon (governorate centroids, Open-Syria data-geography, CC BY 4.0)
PLACES = [
    ("SY02", "حلب", "Aleppo", "Aleppo", 36.2021, 37.1343),
    ("SY01", "دمشق", "Damascus", "Damascus", 33.5138, 36.2765),
    ("SY08", "الحسكة", "Al-Hasakah", "Al-Hasakah", 36.5000, 40.7500),
    ("SY07", "إدلب", "Idlib", "Idlib", 35.9306, 36.6339),
    ("SY09", "دير الزور", "Deir ez-Zor", "Deir ez-Zor", 35.3359, 40.1408),
    ("SY11", "الرقة", "Ar-Raqqa", "Ar-Raqqa", 35.9594, 39.0078),
]
ACTORS = [
    ("sdf", "قوات سوريا الديمقراطية", "Syrian Democratic Forces", "armed_group", ["قسد"]),
    ("isis", "تنظيم الدولة الإسلامية", "Islamic State", "armed_group", ["داعش"]),
    ("saa", "الجيش السوري", "Syrian Arab Army", "state_forces", ["قوات النظام"]),
    ("coalition", "التحالف الدولي", "International Coalition", "state_forces", ["التحالف"]),
]
EVENTS = ["armed_clash", "air_drone_strike", "shelling_artillery_missile_attack", "displacement", "arrests"]
SOURCES = [("aawsat", "الشرق الأوسط", "ar"), ("enabbaladi", "عنب بلدي", "ar"), ("sana", "سانا", "ar"),
           ("reuters", "Reuters", "en")]
_AR_BODY = (
    "قالت مصادر محلية إن {actor} شنّت هجوماً على مواقع في ريف {place}، ما أسفر عن مقتل {killed} "
    "أشخاص وإصابة {injured} آخرين، فيما أعلنت إسرائيل أنها تتابع التطورات. وأضافت المصادر أن "
    "الاشتباكات استمرت حتى ساعات الصباح الأولى، وسط نزوح عشرات العائلات من القرى المجاورة."
)
_EN_BODY = (
    "Local sources said {actor} attacked positions near {place}, killing {killed} people and "
    "wounding {injured}, as families fled nearby villages."
)


def sample_articles(n: int, *, seed: int = 0, start: datetime | None = None, span_days: int = 60,
                    id_prefix: str = "", paragraphs: int = 1) -> list[Article]:
    """`n` originals spread over `span_days` from `start` (default: 2019-01-01 UTC).

    `paragraphs` repeats the body paragraph (about 330 bytes of Arabic each; 9 is a ~3 KB article).
    """
    rng = random.Random(seed)
    start = start or datetime(2019, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        place = rng.choice(PLACES)
        actor = rng.choice(ACTORS)
        source = rng.choice(SOURCES)
        killed, injured = rng.randint(1, 40), rng.randint(0, 60)
        english = source[2] == "en"
        when = start + timedelta(seconds=rng.randint(0, span_days * 86400))
        place_name, actor_name = (place[2], actor[2]) if english else (place[1], actor[1])
        title = (f"Clashes near {place[2]} leave {killed} dead" if english
                 else f"مقتل {killed} في اشتباكات بريف {place[1]}")
        body = (_EN_BODY if english else _AR_BODY).format(actor=actor_name, place=place_name,
                                                          killed=killed, injured=injured)
        body = "\n\n".join([body] * paragraphs)
        killed_text = f"killing {killed}" if english else f"مقتل {killed}"
        url = f"https://{source[0]}.example/{seed}/{i}"
        out.append(Article(
            id=id_prefix + stable_id(url),
            url=url,
            source=SourceRef(id=source[0], name=source[1], language=source[2], country="SY"),
            title=title,
            summary=body.split("،")[0][:200],
            body=body,
            language=source[2],
            published_at=when,
            fetched_at=when + timedelta(minutes=5),
            processed_at=when + timedelta(minutes=6),
            timestamp=when,
            dedup=Dedup(status="original"),
            places=[PlaceTag(id=place[0], name=place[1], name_en=place[2], kind="governorate", country="SY",
                             admin1=place[3], location=GeoPoint(lat=place[4], lon=place[5]), mentions=1,
                             forms=[place_name])],
            actors=[ActorTag(id=actor[0], name=actor[1], name_en=actor[2], kind=actor[3], mentions=1,
                             forms=[actor_name])],
            event_types=[rng.choice(EVENTS)],
            casualties=Casualties(killed=[CountMention(count=killed, text=killed_text)],
                                  injured=[CountMention(count=injured, text=str(injured))] if injured else [],
                                  killed_max=killed, injured_max=injured or None),
        ))
    return out
