"""Generate actors_state.yaml: the state forces of every country the gazetteer gives
adjectives for (armed forces with their defence ministry, security services, border guards).

Regional reporting names a state's forces by a pattern, not by a list: "قوات الحدود السورية",
"الطيران الروسي", "الاستخبارات الأردنية". Ministries of the interior or foreign affairs and
governments are not generated: the seeds' gold does not count them as actors (issue 14 asks
for "state forces of every country").
Curated entries in actors.yaml stay the authority: a pattern form one of them already owns
is never generated again, and when a curated actor of that country owns any form of an
institution, the institution's other forms are added to it (`extend:`) instead of creating
a second actor for the same body. Security forces and armies also get generic short forms
("قوات الأمن", "القوات الحكومية") that count only where the document's places lie in that
one country (processors/tagging/names.py, `context_countries`).

    .venv/bin/python config/taxonomy/build_state_actors.py          # rewrite the file
    .venv/bin/python config/taxonomy/build_state_actors.py --check  # exit 1 if stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from khabar.textnorm import matching_form  # noqa: E402

OUT = HERE / "actors_state.yaml"
# countries whose place entry carries no adjectives (Syria's would make "السورية" vouch for
# places; the others are outside the regional gazetteer) but whose institutions are news
EXTRA_ADJECTIVES = {
    "SY": ["السورية", "السوري"], "FR": ["الفرنسية", "الفرنسي"], "GB": ["البريطانية", "البريطاني"],
    "DE": ["الألمانية", "الألماني"], "CN": ["الصينية", "الصيني"],
}
# institution -> (kind, forms with {f} = feminine adjective, {m} = masculine, short forms)
INSTITUTIONS: dict[str, tuple[str, list[str], list[str]]] = {
    "armed_forces": ("state_forces", [
        "الجيش {m}", "وزارة الدفاع {f}", "القوات المسلحة {f}", "القوات {f}", "القوات الحكومية {f}", "سلاح الجو {m}",
        "القوات الجوية {f}", "الطيران الحربي {m}", "الطيران {m}", "البحرية {f}",
        "القوات البحرية {f}", "القوات البرية {f}"], ["القوات الحكومية"]),
    "security_forces": ("state_forces", [
        "قوات الأمن {f}", "الأمن {m}", "الأجهزة الأمنية {f}", "القوات الأمنية {f}", "الشرطة {f}",
        "المخابرات {f}", "الاستخبارات {f}", "الشرطة العسكرية {f}", "الأمن العام {m}"],
        ["قوات الأمن", "القوات الأمنية", "الأجهزة الأمنية", "الشرطة العسكرية"]),
    "border_guards": ("state_forces", [
        "حرس الحدود {m}", "قوات حرس الحدود {f}", "قوات الحدود {f}", "دوريات الحدود {f}"],
        ["حرس الحدود", "قوات حرس الحدود"]),
}
TITLES = {
    "armed_forces": "armed forces", "security_forces": "security forces and police",
    "border_guards": "border guards",
}


def _countries() -> list[dict]:
    """(code, English name, [(feminine, masculine) ...]) of every country with adjectives."""
    places = yaml.safe_load((HERE / "places.yaml").read_text(encoding="utf-8"))["places"]
    out = []
    for p in places:
        if p.get("kind") != "country":
            continue
        # the definite forms only: "الجيش العراقي"; an indefinite adjective ("مصدر عراقي")
        # vouches for a place but makes no name of a force
        adjectives = [a for a in p.get("adjectives") or EXTRA_ADJECTIVES.get(p["country"]) or []
                      if a.startswith("ال")]
        if not adjectives:
            continue
        pairs = list(zip(adjectives[0::2], adjectives[1::2], strict=True))
        out.append({"code": p["country"], "name_en": p["name_en"], "pairs": pairs})
    return out


def _curated() -> list[dict]:
    return yaml.safe_load((HERE / "actors.yaml").read_text(encoding="utf-8"))["actors"]


def _names(actor: dict) -> list[str]:
    return [n for n in [actor.get("name"), actor.get("name_en"), *actor.get("aliases", [])] if n]


def build() -> dict:
    curated = _curated()
    country_of = {a["id"]: a.get("country") for a in curated}
    owned = {matching_form(n): a["id"] for a in curated for n in _names(a) + a.get("short_forms", [])}
    new, extend = [], {}
    for country in _countries():
        code = country["code"]
        for inst, (kind, patterns, shorts) in INSTITUTIONS.items():
            forms = list(dict.fromkeys(p.format(f=f, m=m) for f, m in country["pairs"] for p in patterns))
            owners = [owned[matching_form(f)] for f in forms if matching_form(f) in owned]
            same_country = [o for o in owners if country_of[o] == code]
            free = [f for f in forms if matching_form(f) not in owned]
            if same_country:  # a curated actor is this institution: give it the other forms
                target = max(set(same_country), key=same_country.count)
                if free or shorts:
                    item = extend.setdefault(target, {"aliases": [], "short_forms": [], "context_countries": []})
                    item["aliases"] += free
                    item["short_forms"] += [s for s in shorts if matching_form(s) not in owned]
                    item["context_countries"] = [code]
                continue
            if not free:
                continue
            entry = {
                "id": f"{code.lower()}_{inst}", "name": free[0],
                "name_en": f"{country['name_en']} {TITLES[inst]}", "kind": kind,
                "side": "government" if code == "SY" else "foreign", "country": code,
                "aliases": free[1:],
            }
            short = [s for s in shorts if matching_form(s) not in owned]
            if short:
                entry["short_forms"] = short
                entry["context_countries"] = [code]
            new.append(entry)
    for item in extend.values():
        for key in ("aliases", "short_forms"):
            item[key] = list(dict.fromkeys(item[key]))
    return {"actors": new, "extend": dict(sorted(extend.items()))}


HEADER = (
    "# GENERATED by build_state_actors.py from places.yaml's country adjectives and the\n"
    "# institution patterns in that script; edit those, not this file. `actors`: state\n"
    "# institutions no curated entry covers; `extend`: more names for curated entries\n"
    "# (actors.yaml) that are that institution.\n"
)


def render(data: dict) -> str:
    return HEADER + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args()
    text = render(build())
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        sys.exit(0 if current == text else 1)
    OUT.write_text(text, encoding="utf-8")
    data = yaml.safe_load(text)
    print(f"{OUT.name}: {len(data['actors'])} new actors, {len(data['extend'])} curated actors extended")


if __name__ == "__main__":
    main()
