"""Per-kind tagging scores for `khabar eval tags` (the dev-set gate reads them).

The overall place/actor/person scores hide where a tagger fails. Issue 14 judges it by kind:
places inside Syria vs places abroad (gold `country`, ISO 3166-1), Syrian villages tagged
within 10 km (gold `kind: village`, country SY or unset), entity F1, event-type F1, death
recall, non-deaths reported as deaths, and the scope of each death figure (gold
`killed: [{count, scope}]`).

`gate_scores(report)` flattens them into the dotted names pinned in
tests/quality/devset_baseline.json; `LOWER_IS_BETTER` names the ones pinned as maxima.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from khabar.cli.evaluate.tags import GoldDoc, GoldEntry
    from khabar.models import Article

SYRIA = "SY"
VILLAGE_KM = 10.0
# scores where a rise is a regression: the gate pins them as maxima
LOWER_IS_BETTER = frozenset({"killed.non_deaths_reported"})


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def _bucket(country: str | None) -> str | None:
    if not country:
        return None
    return "places_syria" if country.upper() == SYRIA else "places_abroad"


class KindScores:
    """Accumulates per-kind counts over the gold documents, one `add` per document."""

    def __init__(self) -> None:
        self.places = {b: {"required": 0, "found": 0, "predicted": 0, "correct": 0,
                           "misses": [], "false_positives": []}
                       for b in ("places_syria", "places_abroad")}
        self.villages = {"required": 0, "found": 0, "within": 0, "misses": []}
        self.scope = {"labelled": 0, "found": 0, "agree": 0, "disagree": []}

    def add(self, gdoc: GoldDoc, article: Article) -> None:
        self._add_places(gdoc.doc, gdoc.places, article)
        self._add_scope(gdoc, article)

    def _add_places(self, doc: str, gold: list[GoldEntry], article: Article) -> None:
        from khabar.cli.evaluate.tags import _exact, _keys, haversine_km

        pred = [(t, _keys(t.forms), _exact(t.forms)) for t in article.places]
        matched: set[int] = set()
        for entry in gold:
            keys, exact = _keys(entry.forms), _exact(entry.forms)
            hits = [i for i, (_t, k, _e) in enumerate(pred) if k & keys]
            matched.update(hits)
            if entry.optional:
                continue
            ids = {pred[i][0].id for i in hits if pred[i][2] & exact}
            found = bool(hits) and len(ids) <= 1
            bucket = _bucket(entry.country)
            if bucket:
                acc = self.places[bucket]
                acc["required"] += 1
                acc["found"] += found
                if not found:
                    acc["misses"].append({"doc": doc, "forms": entry.forms})
            if (entry.kind or "").lower() == "village" and _bucket(entry.country) != "places_abroad":
                v = self.villages
                v["required"] += 1
                dist = None
                if found and entry.lat is not None and entry.lon is not None:
                    best = max((pred[i][0] for i in hits), key=lambda t: t.mentions)
                    if best.location is not None:
                        dist = haversine_km(entry.lat, entry.lon,
                                            best.location.lat, best.location.lon)
                v["found"] += found
                if dist is not None and dist <= VILLAGE_KM:
                    v["within"] += 1
                else:
                    v["misses"].append({"doc": doc, "forms": entry.forms,
                                        "km": None if dist is None else round(dist, 1)})
        for i, (t, _k, _e) in enumerate(pred):
            bucket = _bucket(t.country)
            if not bucket:
                continue
            acc = self.places[bucket]
            acc["predicted"] += 1
            if i in matched:
                acc["correct"] += 1
            else:
                acc["false_positives"].append({"doc": doc, "id": t.id, "forms": t.forms})

    def _add_scope(self, gdoc: GoldDoc, article: Article) -> None:
        by_count: dict[int, str] = {}
        for m in article.casualties.killed:
            by_count.setdefault(m.count, getattr(m, "scope", None) or "incident")
        for count, scope in gdoc.killed_scopes.items():
            self.scope["labelled"] += 1
            if count not in by_count:
                continue
            self.scope["found"] += 1
            if by_count[count] == scope:
                self.scope["agree"] += 1
            else:
                self.scope["disagree"].append({"doc": gdoc.doc, "count": count, "gold": scope,
                                               "predicted": by_count[count]})

    def report(self, main: dict[str, Any]) -> dict[str, Any]:
        """The `kinds` section; `main` is the rest of the report (entities, events, killed)."""
        out: dict[str, Any] = {}
        for bucket, acc in self.places.items():
            p, r = _ratio(acc["correct"], acc["predicted"]), _ratio(acc["found"], acc["required"])
            out[bucket] = {"precision": p, "recall": r, "f1": _f1(p, r),
                           **{k: acc[k] for k in ("required", "found", "predicted", "correct")},
                           "misses": acc["misses"], "false_positives": acc["false_positives"]}
        v = self.villages
        out["villages"] = {"within_10km": _ratio(v["within"], v["required"]),
                           "recall": _ratio(v["found"], v["required"]),
                           "required": v["required"], "found": v["found"], "within": v["within"],
                           "misses": v["misses"]}
        for cat in ("actors", "persons"):
            p, r = main[cat]["precision"], main[cat]["recall"]
            out[cat] = {"precision": p, "recall": r, "f1": _f1(p, r)}
        out["event_types"] = {"f1": main["event_types"]["f1"]}
        s = self.scope
        out["killed"] = {"recall": main["killed"]["recall"],
                         "non_deaths_reported": main["killed"]["fp"],
                         "scope_accuracy": _ratio(s["agree"], s["found"]),
                         "scope_labelled": s["labelled"], "scope_found": s["found"],
                         "scope_disagree": s["disagree"]}
        return out


def gate_scores(report: dict[str, Any]) -> dict[str, float | int | None]:
    """The report's per-kind numbers under the dotted names the dev-set gate pins."""
    kinds = report["kinds"]
    names = {
        "places_syria": ("precision", "recall"), "places_abroad": ("precision", "recall"),
        "villages": ("within_10km",), "actors": ("precision", "recall", "f1"),
        "persons": ("precision", "recall", "f1"), "event_types": ("f1",),
        "killed": ("recall", "non_deaths_reported", "scope_accuracy"),
    }
    return {f"{sec}.{key}": kinds[sec][key] for sec, keys in names.items() for key in keys}


def pins_from(scores: dict[str, float | int | None], slack: float = 0.01) -> dict[str, float]:
    """Pins for measured scores: floored to 2 decimals less `slack` (maxima: as measured)."""
    pins: dict[str, float] = {}
    for name, value in scores.items():
        if value is None:
            continue
        if name in LOWER_IS_BETTER:
            pins[name] = value
        else:
            pins[name] = max(0.0, math.floor(value * 100) / 100 - slack)
            pins[name] = round(pins[name], 2)
    return pins


def write_pins(report: dict[str, Any], path: Path) -> dict[str, float]:
    """Rewrite a baseline file with pins for `report`'s gate scores, keeping its `_comment`
    keys (`khabar eval tags GOLD --pin FILE`): the documented way to re-pin the gate."""
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    pins = pins_from(gate_scores(report))
    notes = {k: v for k, v in old.items() if k.startswith("_")}
    measured = {k: v for k, v in gate_scores(report).items() if v is not None}
    notes["_measured"] = measured
    path.write_text(json.dumps({**notes, **pins}, ensure_ascii=False, indent=2) + "\n",
                    encoding="utf-8")
    return pins
