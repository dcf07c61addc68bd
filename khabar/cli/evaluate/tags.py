"""`khabar eval tags GOLD.yaml`: score the tagger against document-level gold tags.

Gold format: /work/shared/eval/seeds-gold.yaml (a list of documents with places, actors,
persons, event_types, killed, not_killed). Scoring rules:

- a predicted tag matches a gold entry when one of its forms equals one of the entry's
  forms after matching-form normalisation, ignoring quotes, one attached proclitic
  ("لداعش" = "داعش") and leading place words ("محافظة ادلب" names ادلب);
- gold `optional: true` entries are bonuses: finding them is not required, and a tag that
  matches them is not a false positive;
- recall counts an entry as found only when its forms resolve to ONE predicted id (an
  alias group split over two ids, e.g. كوباني and عين العرب as two places, is a miss);
- geotag accuracy: share of found gold places whose predicted location is within 30 km;
- event types: `any_of` groups count once, satisfied by any member;
- killed: precision counts only numbers the gold lists (killed = right, not_killed =
  wrong); other reported counts are shown as `unlisted`. A killed entry may be written
  `{count: N, scope: incident | cumulative}` (DESIGN.md §3); plain integers carry no scope;
- `kinds` (tag_kinds.py): places inside Syria / abroad (gold `country`), villages within
  10 km (gold `kind: village`), entity F1, death-figure scope agreement.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from khabar.errors import UserError
from khabar.models import Article, RawArticle, SourceRef, stable_id
from khabar.tagkinds import TAG_KINDS
from khabar.textnorm import matching_form
from khabar.yamlconf import ConfigError, line_of, read_yaml, validate

GEO_TOLERANCE_KM = 30.0
# Descriptor words before a name in a surface form: "محافظة ادلب" and "مرتفعات الجولان"
# name ادلب and the Golan.
_DESCRIPTORS = frozenset(matching_form(w) for w in (
    "محافظة", "ريف", "مدينة", "بلدة", "قرية", "حي", "منطقة", "ناحية", "مخيم", "مدينتي",
    "مرتفعات", "هضبة", "سهل", "نهر", "جبل", "مطار", "قاعدة", "معبر", "طائرات", "طيران",
    "الرئيس", "الكولونيل", "العقيد", "اللواء", "العميد", "صحيفة", "جريدة", "وكالة", "قناة",
    "تنظيم", "حركة", "جماعة", "ميليشيا",
))
_PROCLITICS = ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ل", "ك")
_QUOTES = str.maketrans("", "", "\"'()[]+")


class GoldEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")

    forms: list[str] = Field(min_length=1)
    optional: bool = False
    lat: float | None = None
    lon: float | None = None
    id_hint: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 (places): splits the Syria/abroad scores
    kind: str | None = None  # e.g. village (places): scored for the 10 km village rule


class AnyOf(BaseModel):
    any_of: list[str]


class GoldDocFields(BaseModel):
    """A gold document but its tag lists; `GoldDoc` adds one per registered tag kind."""

    model_config = ConfigDict(extra="ignore")

    doc: str
    event_types: list[str | AnyOf] = Field(default_factory=list)
    killed: list[int] = Field(default_factory=list)
    not_killed: list[int] = Field(default_factory=list)
    killed_scopes: dict[int, str] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _scoped_killed(cls, data: Any) -> Any:
        """`killed` entries may be `{count, scope}`: counts stay in `killed`, scopes aside."""
        if not isinstance(data, dict) or not isinstance(data.get("killed"), list):
            return data
        counts, scopes = [], {}
        for item in data["killed"]:
            if isinstance(item, dict):
                scope = item.get("scope", "incident")
                if scope not in ("incident", "cumulative"):
                    raise ValueError(f"killed scope must be incident or cumulative, not {scope!r}")
                counts.append(item.get("count"))
                scopes[item.get("count")] = scope
            else:
                counts.append(item)
        return {**data, "killed": counts, "killed_scopes": scopes}


KIND_FIELDS = tuple(k.field for k in TAG_KINDS)
GoldDoc = create_model(  # gold annotation of one document (places, actors, persons ...)
    "GoldDoc", __base__=GoldDocFields, __module__=__name__,
    **{k.field: (list[GoldEntry], Field(default_factory=list)) for k in TAG_KINDS},  # type: ignore[call-overload]
)


# --- form comparison ----------------------------------------------------------------------

def form_keys(form: str) -> set[str]:
    """Comparable keys of one surface form: normalised, without quotes, with and without one
    attached proclitic and leading place words."""
    base = " ".join(matching_form(form).translate(_QUOTES).split())
    keys = {base}
    words = base.split()
    if words:
        first = words[0]
        for p in _PROCLITICS:
            if first.startswith(p) and len(first) - len(p) >= 2:
                stem = first[len(p):]
                keys.add(" ".join([stem, *words[1:]]))
                if p.endswith("ل") and stem.startswith("ل"):
                    keys.add(" ".join(["ا" + stem, *words[1:]]))
    for key in list(keys):
        parts = key.split()
        while len(parts) > 1 and parts[0] in _DESCRIPTORS:
            parts = parts[1:]
            keys.add(" ".join(parts))
    return {k for k in keys if k}


def _keys(forms: list[str]) -> set[str]:
    out: set[str] = set()
    for f in forms:
        out |= form_keys(f)
    return out


def _exact(forms: list[str]) -> set[str]:
    return {" ".join(matching_form(f).translate(_QUOTES).split()) for f in forms}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    r = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


# --- loading ------------------------------------------------------------------------------

def load_gold(path: Path) -> list[GoldDoc]:
    data = read_yaml(path)
    if not isinstance(data, list):
        raise ConfigError(path, line_of(data), "expected a list of documents")
    return [validate(GoldDoc, item, path, (i,)) for i, item in enumerate(data)]


def default_docs_dir(gold: Path) -> Path:
    candidate = gold.parent / ".." / "corpus" / "seeds"
    return candidate.resolve() if candidate.is_dir() else gold.parent


def article_from_file(path: Path) -> Article:
    """The article the pipeline would make from a plain-text file (cleaned if clean exists)."""
    text = path.read_text(encoding="utf-8")
    raw = RawArticle(
        id=stable_id("file", text), source=SourceRef(id="eval", name="eval"), content=text,
        content_type="text",
    )
    try:
        from processors.clean import clean
    except ImportError:
        return Article.from_raw(raw)
    return clean(raw)


# --- scoring --------------------------------------------------------------------------------

def _score_names(category: str, doc: str, gold: list[GoldEntry], predicted: list, acc: dict,
                 geo: dict | None) -> None:
    pred = [(t, _keys(t.forms), _exact(t.forms)) for t in predicted]
    matched_pred: set[int] = set()
    for entry in gold:
        keys, exact = _keys(entry.forms), _exact(entry.forms)
        hits = [i for i, (_t, k, _e) in enumerate(pred) if k & keys]
        matched_pred.update(hits)
        if entry.optional:
            acc["optional_found"] += bool(hits)
            if not hits:
                continue
        else:
            acc["required"] += 1
        exact_ids = {pred[i][0].id for i in hits if pred[i][2] & exact}
        split = len(exact_ids) > 1
        if split:
            acc["split"].append({"doc": doc, "forms": entry.forms, "ids": sorted(exact_ids)})
        if not entry.optional:
            if hits and not split:
                acc["found"] += 1
            else:
                acc["misses"].append({"doc": doc, "forms": entry.forms})
        if geo is not None and hits and entry.lat is not None and entry.lon is not None:
            best = max((pred[i][0] for i in hits), key=lambda t: t.mentions)
            if best.location is None:
                dist = None
            else:
                dist = haversine_km(entry.lat, entry.lon, best.location.lat, best.location.lon)
            bucket = "optional" if entry.optional else "required"
            geo[bucket]["found"] += 1
            if dist is not None and dist <= GEO_TOLERANCE_KM:
                geo[bucket]["within"] += 1
            else:
                geo["far"].append({"doc": doc, "forms": entry.forms, "id": best.id,
                                   "km": None if dist is None else round(dist, 1)})
    acc["predicted"] += len(pred)
    acc["correct"] += len(matched_pred)
    for i, (t, _k, _e) in enumerate(pred):
        if i not in matched_pred:
            acc["false_positives"].append({"doc": doc, "id": t.id, "forms": t.forms})


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _names_report(acc: dict) -> dict:
    return {
        "precision": _ratio(acc["correct"], acc["predicted"]),
        "recall": _ratio(acc["found"], acc["required"]),
        "required": acc["required"], "found": acc["found"],
        "optional_found": acc["optional_found"],
        "predicted": acc["predicted"], "correct": acc["correct"],
        "split_alias_groups": acc["split"],
    }


def evaluate_tags(gold: Path, docs: Path | None = None) -> dict[str, Any]:
    """Tag every gold document and score it (JSON-ready dict; see module docstring)."""
    from khabar.cli.evaluate.tag_kinds import KindScores
    from processors.tagging.stage import tag

    gold = Path(gold)
    gold_docs = load_gold(gold)
    docs_dir = Path(docs) if docs is not None else default_docs_dir(gold)
    names = {c: {"required": 0, "found": 0, "optional_found": 0, "predicted": 0, "correct": 0,
                 "split": [], "misses": [], "false_positives": []}
             for c in KIND_FIELDS}
    geo = {"required": {"found": 0, "within": 0}, "optional": {"found": 0, "within": 0}, "far": []}
    ev = {"tp": 0, "fp": 0, "fn": 0, "misses": [], "false_positives": []}
    kd = {"tp": 0, "fp": 0, "fn": 0, "misses": [], "false_positives": [], "unlisted": []}
    kinds = KindScores()

    for gdoc in gold_docs:
        path = docs_dir / gdoc.doc
        if not path.is_file():
            raise UserError(f"{gold}: document {gdoc.doc!r} not found in {docs_dir}")
        article = tag(article_from_file(path))
        for kind in TAG_KINDS:
            _score_names(kind.field, gdoc.doc, getattr(gdoc, kind.field), getattr(article, kind.field),
                         names[kind.field], geo if kind.geo else None)
        kinds.add(gdoc, article)

        predicted = set(article.event_types)
        covered: set[str] = set()
        for item in gdoc.event_types:
            group = [item] if isinstance(item, str) else item.any_of
            covered.update(group)
            if predicted & set(group):
                ev["tp"] += 1
            else:
                ev["fn"] += 1
                ev["misses"].append({"doc": gdoc.doc, "event_type": group[0] if len(group) == 1 else group})
        for t in sorted(predicted - covered):
            ev["fp"] += 1
            ev["false_positives"].append({"doc": gdoc.doc, "event_type": t})

        counts = {m.count for m in article.casualties.killed}
        for k in gdoc.killed:
            if k in counts:
                kd["tp"] += 1
            else:
                kd["fn"] += 1
                kd["misses"].append({"doc": gdoc.doc, "count": k})
        for c in sorted(counts):
            if c in gdoc.not_killed and c not in gdoc.killed:
                kd["fp"] += 1
                kd["false_positives"].append({"doc": gdoc.doc, "count": c})
            elif c not in gdoc.killed:
                kd["unlisted"].append({"doc": gdoc.doc, "count": c})

    ev_p, ev_r = _ratio(ev["tp"], ev["tp"] + ev["fp"]), _ratio(ev["tp"], ev["tp"] + ev["fn"])
    f1 = round(2 * ev_p * ev_r / (ev_p + ev_r), 4) if ev_p and ev_r else 0.0
    geo_found = geo["required"]["found"] + geo["optional"]["found"]
    report = {
        "gold": str(gold),
        "documents": len(gold_docs),
        **{c: _names_report(names[c]) for c in KIND_FIELDS},
        "geotag": {
            "accuracy": _ratio(geo["required"]["within"], geo["required"]["found"]),
            "accuracy_with_optional": _ratio(
                geo["required"]["within"] + geo["optional"]["within"], geo_found),
            "tolerance_km": GEO_TOLERANCE_KM,
            "found": geo["required"]["found"], "within": geo["required"]["within"],
            "far": geo["far"],
        },
        "event_types": {"precision": ev_p, "recall": ev_r, "f1": f1,
                        "tp": ev["tp"], "fp": ev["fp"], "fn": ev["fn"]},
        "killed": {"precision": _ratio(kd["tp"], kd["tp"] + kd["fp"]),
                   "recall": _ratio(kd["tp"], kd["tp"] + kd["fn"]),
                   "tp": kd["tp"], "fp": kd["fp"], "fn": kd["fn"], "unlisted": kd["unlisted"]},
        "misses": {
            **{c: names[c]["misses"] for c in KIND_FIELDS}, "event_types": ev["misses"],
            "killed": kd["misses"],
        },
        "false_positives": {
            **{c: names[c]["false_positives"] for c in KIND_FIELDS},
            "event_types": ev["false_positives"], "killed": kd["false_positives"],
        },
    }
    report["kinds"] = kinds.report(report)
    return report
