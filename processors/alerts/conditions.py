"""Evaluate a rule's condition on one article, saying why it held (or did not).

Cheap checks (language, source, tags, numbers) run before full-text terms, and an `all`
stops at the first failure, so most rules cost a few set lookups per article. The text index
is built at most once per article, and only if some rule asks for terms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from khabar.models import Article, PlaceTag
from khabar.tagkinds import TAG_KINDS
from processors.alerts.places import PlaceIndex
from processors.alerts.rules import Condition
from processors.alerts.terms import TextIndex, compile_term


@dataclass
class Match:
    ok: bool
    reasons: list[str] = field(default_factory=list)  # why it held, or why not
    places: list[str] = field(default_factory=list)  # watched place ids that matched


class ArticleView:
    """One article prepared for rule evaluation (lazy, shared by all rules)."""

    def __init__(self, article: Article, places: Callable[[], PlaceIndex] | PlaceIndex) -> None:
        self.article = article
        self._places = places

    @cached_property
    def place_index(self) -> PlaceIndex:
        return self._places if isinstance(self._places, PlaceIndex) else self._places()

    def containers(self, tag: PlaceTag) -> tuple[str, ...]:
        """The tag's own id and every area it lies in."""
        ids = [tag.id]
        if tag.admin1:
            ids.append(tag.admin1)
        if not tag.admin1 or tag.id in self.place_index:
            ids.extend(self.place_index.containers(tag.id))
        return tuple(dict.fromkeys(ids))

    @cached_property
    def text(self) -> TextIndex:
        a = self.article
        return TextIndex.build("\n".join(p for p in (a.title, a.summary, a.body) if p))

    def tag_ids(self, field: str) -> dict[str, list[str]]:
        """Tag id -> surface forms, for one tag kind of the article."""
        return {t.id: t.forms for t in getattr(self.article, field)}


def _forms(forms: list[str]) -> str:
    return "/".join(f'"{f}"' for f in forms[:3]) if forms else "(no surface form)"


def _tags(key: str, wanted: list[str], have: dict[str, list[str]]) -> Match:
    hits = [w for w in wanted if w in have]
    if hits:
        return Match(True, [f"{key}: " + ", ".join(f"{h} <- {_forms(have[h])}" if have[h] else h for h in hits)])
    return Match(False, [f"{key}: none of {wanted} tagged"])


def _places(wanted: list[str], view: ArticleView) -> Match:
    reasons, matched = [], []
    for tag in view.article.places:
        inside = view.containers(tag)
        for w in wanted:
            if w in inside:
                via = "" if w == tag.id else f" ({tag.id}, in {w})"
                reasons.append(f"{w} <- {_forms(tag.forms)}{via}")
                if w not in matched:
                    matched.append(w)
    if matched:
        more = f"; +{len(reasons) - 4} more" if len(reasons) > 4 else ""
        return Match(True, ["places: " + "; ".join(reasons[:4]) + more], matched)
    return Match(False, [f"places: none of {wanted} (or a place inside them) tagged"])


def snippet(text: str, needle: str, width: int = 40) -> str:
    """The part of `text` around `needle` (whole text if short)."""
    text = " ".join(text.split())
    if len(text) <= 2 * width:
        return text
    at = max(text.find(needle), 0)
    start, end = max(0, at - width), min(len(text), at + len(needle) + width)
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def _count(key: str, minimum: int, incident_max: int | None, mentions,
           include_cumulative: bool = False) -> Match:
    """`incident_max` is the article's *_max (incident figures only, DESIGN §3); long-run
    tolls count only when the rule says `include_cumulative`."""
    value = incident_max
    cumulative = [m.count for m in mentions if m.scope == "cumulative"]
    if include_cumulative and cumulative:
        value = max(value or 0, *cumulative)
    if value is not None and value >= minimum:
        mention = next((m for m in mentions if m.count == value), None)
        quoted = f' ("{snippet(mention.text, str(value))}")' if mention and mention.text else ""
        scope = " (cumulative)" if mention is not None and mention.scope == "cumulative" else ""
        return Match(True, [f"{key} {value} >= {minimum}{scope}{quoted}"])
    left_out = [c for c in cumulative if c >= minimum and not include_cumulative]
    why = f" (cumulative {max(left_out)} not counted)" if left_out else ""
    return Match(False, [f"{key} {value if value is not None else 'none'} < {minimum}{why}"])


def _language(wanted: list[str], lang: str | None) -> Match:
    primary = (lang or "").split("-")[0].lower()
    if primary and primary in {w.lower() for w in wanted}:
        return Match(True, [f"language: {lang}"])
    return Match(False, [f"language: {lang or 'unknown'} not in {wanted}"])


def _terms(terms: list[str], view: ArticleView) -> Match:
    for term in terms:
        hit = view.text.find(compile_term(term))
        if hit:
            return Match(True, [f'terms: "{hit.term}" <- "{hit.surface}"'])
    return Match(False, [f"terms: none of {terms} in the text"])


def _leaves(cond: Condition, view: ArticleView):
    """Leaf checks in cost order, as thunks (so an `all` can stop early)."""
    a = view.article
    if cond.language:
        yield lambda: _language(cond.language, a.language)
    if cond.sources:
        yield lambda: (Match(True, [f"source: {a.source.id}"]) if a.source.id in cond.sources
                       else Match(False, [f"source: {a.source.id} not in {cond.sources}"]))
    if cond.event_types:
        yield lambda: _tags("event_types", cond.event_types, {e: [] for e in a.event_types})
    if cond.killed_min is not None:
        yield lambda: _count("killed", cond.killed_min, a.casualties.killed_max, a.casualties.killed,
                             cond.include_cumulative)
    if cond.injured_min is not None:
        yield lambda: _count("injured", cond.injured_min, a.casualties.injured_max,
                             a.casualties.injured, cond.include_cumulative)
    for kind in TAG_KINDS:  # places, actors, persons ... (khabar.tagkinds)
        wanted = getattr(cond, kind.field)
        if wanted and kind.geo:
            yield lambda wanted=wanted: _places(wanted, view)
        elif wanted:
            yield lambda kind=kind, wanted=wanted: _tags(kind.field, wanted, view.tag_ids(kind.field))
    if cond.terms:
        yield lambda: _terms(cond.terms, view)
    for sub in cond.all:
        yield lambda sub=sub: evaluate(sub, view)
    if cond.any:
        yield lambda: _any(cond.any, view)
    if cond.none:
        yield lambda: _none(cond.none, view)


def _any(subs: list[Condition], view: ArticleView) -> Match:
    misses = []
    for sub in subs:
        m = evaluate(sub, view)
        if m.ok:
            return m
        misses.extend(m.reasons)
    return Match(False, ["any: " + " | ".join(misses)])


def _none(subs: list[Condition], view: ArticleView) -> Match:
    for sub in subs:
        m = evaluate(sub, view)
        if m.ok:
            return Match(False, ["none: excluded because " + "; ".join(m.reasons)])
    return Match(True, [])


def evaluate(cond: Condition, view: ArticleView) -> Match:
    """All of the condition's keys must hold; the first failure is the reason it did not."""
    reasons: list[str] = []
    places: list[str] = []
    for check in _leaves(cond, view):
        m = check()
        if not m.ok:
            return Match(False, m.reasons)
        reasons.extend(m.reasons)
        places.extend(p for p in m.places if p not in places)
    return Match(True, reasons, places)
