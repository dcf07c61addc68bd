"""Generate places_admin.yaml (Syrian governorates, districts, subdistricts) from Open-Syria.

Source: Open-Syria data-geography (https://github.com/Open-Syria/data-geography),
CC BY 4.0 -- credit "Open-Syria data-geography". Run from the repository root:

    .venv/bin/python config/taxonomy/build_places.py [--source ../shared/data/opensyria-geography]

Names owned by a curated entry in places.yaml (a city sharing its district's name) are not
matched on the admin unit: "حمص" is the city; "محافظة حمص" the governorate, and the
governorate is shown on a map at its capital (`seat`), as ACLED does for province-level
precision. Names that are also common Arabic words need a place word before them
(`context_aliases`), and some misleading aliases of the source are dropped (below).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from khabar.textnorm import matching_form  # noqa: E402
from processors.tagging.names import name_variants  # noqa: E402

DEFAULT_SOURCE = HERE.parents[2] / "shared" / "data" / "opensyria-geography"

# Aliases in the source that mislead a tagger: a common noun ("السجن" = the prison),
# a region that deserves its own entry (الغوطة الشرقية), a person's name (أبو هريرة).
DROP_ALIASES = {
    "السجن", "ناحية السجن", "الحصان", "ناحية الحصان", "الوعرة", "ناحية الوعرة", "حرمون",
    "ناحية حرمون", "الغوطة الشرقية", "ناحية الغوطة الشرقية", "الغوطة الغربية",
    "ناحية الغوطة الغربية", "منطقة الغاب", "مركزها السقيلبية", "أبو هريرة", "ناحية أبو هريرة",
    "الصور", "ناحية الصور", "صور", "ناحية صور", "مركز الثورة", "ناحية مركز الثورة",
}
# Admin units named like a common word: matched only after a place word (مدينة, ناحية ...).
CONTEXT_NAMES = {
    "الثورة", "الكرامة", "الشجرة", "الحمراء", "الجلاء", "سوسة", "ملح", "شين", "عوج", "نبل",
    "سبة", "الروضة", "الحاضر", "الراعي", "المنصورة", "بنان", "الزيارة", "الحديدة", "الناصرة",
    "السودا", "السوداء", "البصيرة", "التبني", "كسرة", "الكسرة", "صبورة", "الجيزة", "مسعدة",
    "البطيحة", "الغارية", "الطواحين", "المزرعة", "المليحة", "السبخة", "سلوك", "الضمير", "التل",
    "الحراك", "تسيل", "نوى", "جاسم", "العريقة", "عريقة", "الحميدية", "الكريمة", "كريمة",
    "الدالية", "دالية", "الفاخورة", "بلبل", "الحاجب", "هجين", "معدان", "حسية", "مهين", "القبو",
    "صدد", "هنادي", "كسب", "ربيعة", "الكسوة", "القريا", "سلمية", "السلمية", "الشيخ بدر",
    "عين التينة", "الهول", "حيش", "دانا", "قحطانية", "يعربية", "شدادة", "جوادية", "درباسية",
    "بصيرة", "عشارة", "الخفسة", "خفسة", "الصنمين", "الطبقة", "الميادين", "القصير", "السفيرة",
    "الباب", "القريتين", "السخنة", "مسكنة",
}
CONTEXT_MF = {matching_form(n) for n in CONTEXT_NAMES}
EN_STOP = {"hole", "sur", "oj", "shin", "milh", "mare", "harem", "hamra", "dana", "jizeh"}
_JUNK_EN = re.compile(r"^(nahyt|mntqt|mhafzt|mrkz)\b|[`‘’ʿ]|[^\x00-\x7f]")


def _mf(s: str) -> str:
    return matching_form(s)


def _bare(m: str) -> str:
    return m[len("ناحيه "):] if m.startswith("ناحيه ") else m


def _en_ok(value: str) -> bool:
    v = value.strip()
    return bool(v) and not _JUNK_EN.search(v.lower()) and v.lower() not in EN_STOP


def _slug_ok(s: str) -> str:
    return re.sub(r"[^a-z0-9_.-]+", "-", s.lower()).strip("-")


def load_curated() -> tuple[dict[str, dict], set[str]]:
    """Curated places by id, and the matching forms of every name they own."""
    data = yaml.safe_load((HERE / "places.yaml").read_text(encoding="utf-8"))
    by_id = {p["id"]: p for p in data["places"]}
    owned: set[str] = set()
    for p in data["places"]:
        names = ([p["name"], p.get("name_en", "")] if p.get("match_name", True) else [])
        names += p.get("aliases", []) + p.get("context_aliases", [])
        for n in names:
            if n:
                owned.update(name_variants(n))
    return by_id, owned


def _curated_ambiguous(curated: dict[str, dict]) -> set[str]:
    out = set()
    for p in curated.values():
        if p.get("ambiguous"):
            out.update(_mf(n) for n in [p["name"], *p.get("aliases", [])])
    return out


def build(source: Path) -> list[dict]:
    curated, owned = load_curated()
    ambiguous_curated = _curated_ambiguous(curated)
    seats = {}  # (admin1, matching-form name) -> curated town id
    for p in curated.values():
        if p.get("country") == "SY" and p["kind"] in ("city", "town") and p.get("admin1"):
            seats[(p["admin1"], _mf(p["name"]))] = p["id"]
    levels = [
        ("governorate", json.loads((source / "governorates.json").read_text(encoding="utf-8"))),
        ("district", json.loads((source / "districts.json").read_text(encoding="utf-8"))),
        ("subdistrict", json.loads((source / "subdistricts.json").read_text(encoding="utf-8"))),
    ]
    claimed: dict[str, str] = {}  # matching form -> id of the generated entry matching it
    out: list[dict] = []
    # first pass: who would claim which bare name, to find same-level collisions
    level_names: dict[str, list[str]] = {}
    for kind, items in levels:
        if kind != "subdistrict":
            continue
        for item in items:
            level_names.setdefault(_mf(item["name"]["ar"]), []).append(item["id"])
    same_level_dupes = {n for n, ids in level_names.items() if len(ids) > 1}

    for kind, items in levels:
        for item in items:
            gid = item["id"] if kind == "governorate" else item["governorateId"]
            name_ar = item["name"]["ar"].strip()
            name_en = item["name"]["en"].strip()
            ar_aliases = [a["value"].strip() for a in item.get("aliases", [])
                          if a["language"] == "ar" and a["value"].strip() not in DROP_ALIASES]
            en_aliases = [a["value"].strip() for a in item.get("aliases", [])
                          if a["language"] == "en" and _en_ok(a["value"])]
            if kind == "district":  # "مركز X" is the subdistrict's own name
                ar_aliases = [a for a in ar_aliases if not a.startswith("مركز ")]
            # "مدينة X" is the town, not the admin unit named after it
            ar_aliases = [a for a in ar_aliases if not a.startswith("مدينة ")]
            entry: dict = {
                "id": _slug_ok(item["id"]), "name": name_ar, "name_en": name_en, "kind": kind,
                "country": "SY", "admin1": _slug_ok(gid),
            }
            if kind == "subdistrict":
                entry["admin2"] = _slug_ok(item["districtId"])
            entry["lat"] = round(float(item["centroid"]["latitude"]), 4)
            entry["lon"] = round(float(item["centroid"]["longitude"]), 4)
            base = name_ar[5:] if name_ar.startswith("مركز ") else name_ar
            seat = seats.get((entry["admin1"], _mf(base)))
            if seat and kind in ("governorate", "district") or seat and name_ar.startswith("مركز "):
                entry["seat"] = seat
            elif kind == "subdistrict" and name_ar.startswith("مركز "):
                ar_aliases.append(base)  # no town entry answers to "الأتارب": the subdistrict does
            if kind == "governorate" and not seat:
                capital = {"sy-rif-dimashq": "sy-town-damascus"}.get(entry["id"])
                if capital:
                    entry["seat"] = capital

            if kind == "governorate" and entry["id"] not in ("sy-damascus", "sy-rif-dimashq"):
                ar_aliases.append(f"ريف {name_ar}")  # the countryside of X = the governorate
            names: list[str] = []
            context: list[str] = []
            ambiguous = False
            match_name = True
            candidates = [name_ar] + ar_aliases + ([name_en] if _en_ok(name_en) else []) + en_aliases
            for n in candidates:
                m = _mf(n)
                variants = name_variants(n)
                if not m or any(_mf(x) == m for x in names + context):
                    continue
                is_en = not re.search(r"[\u0600-\u06ff]", n)
                if is_en and kind == "subdistrict" and len(m) < 6:
                    continue
                dupe = kind == "subdistrict" and (
                    m in ambiguous_curated or _bare(m) in same_level_dupes)
                if dupe:
                    ambiguous = True  # two places answer to this name; context decides
                elif variants & owned or any(v in claimed for v in variants):
                    continue  # a curated or higher-level entry already answers to it
                if m in CONTEXT_MF:  # also a common word: only after a place word
                    context.append(n)
                    continue
                names.append(n)
            if _mf(name_ar) not in {_mf(x) for x in names}:
                match_name = False
            if _mf(name_en) not in {_mf(x) for x in names}:
                match_name = False
            for n in names + context:
                for v in name_variants(n):
                    claimed.setdefault(v, entry["id"])
            entry["match_name"] = match_name
            aliases = [n for n in names if not (match_name and n in (name_ar, name_en))]
            if not match_name:
                aliases = names
            entry["aliases"] = aliases
            if context:
                entry["context_aliases"] = context
            if ambiguous:
                entry["ambiguous"] = True
            entry["source"] = "opensyria"
            out.append(entry)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=HERE / "places_admin.yaml")
    args = parser.parse_args()
    entries = build(args.source)
    header = (
        "# GENERATED by config/taxonomy/build_places.py -- do not edit by hand.\n"
        "# Syrian governorates (14), districts (62) and subdistricts (272) from\n"
        "# Open-Syria data-geography (https://github.com/Open-Syria/data-geography,\n"
        "# commit bebd183c9f59bde9fa56fa942cb8b8e9ca1351e6), licensed CC BY 4.0.\n"
        "# Credit: Open-Syria data-geography. lat/lon = centroid of the unit; `seat` = the\n"
        "# curated town (places.yaml) that stands for the unit on a map.\n"
    )
    body = yaml.safe_dump({"places": entries}, allow_unicode=True, sort_keys=False, width=200)
    args.output.write_text(header + body, encoding="utf-8")
    print(f"wrote {len(entries)} places to {args.output}")


if __name__ == "__main__":
    main()
