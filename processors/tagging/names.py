"""Places, actors and persons: one automaton over every name, then per-document resolution.

Resolution, in order:
1. `context_aliases` (names that are also common words: الباب "the door") count only after
   a place word ("مدينة الباب") -- or, for `context: prep` entries, after a preposition;
2. entities found by an unambiguous name are "confirmed";
3. ambiguous places (two entries answer to the name), neighbourhoods and small places of
   the generated gazetteers (`needs_support`) are kept only when the document vouches for
   them: their governorate or district, a place within 30 km, or (abroad) their country
   (processors.tagging.geo); otherwise they are left untagged rather than guessed. A
   `country_aliases` name is the place abroad when its country is named in the sentence;
4. `short_forms` ("المرصد", "عبد الرحمن") count only for an entity confirmed by a full name;
   a short form of several words ("قوات التحالف") of an actor with `context_countries`
   also counts when the document's places lie in those countries and no other candidate's
   do (a Yemen report's "قوات التحالف" is the Saudi-led coalition, a Raqqa report's the
   US-led one), and never when the document names another of its candidates in full.

Actor aliases headed by a plural force noun also match in their indefinite form ("القوات
التركية" -> "قوات تركية", "قوات الأمن اللبنانية" -> "قوات أمن لبنانية"), unless another
entry owns that form.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from khabar.models import GeoPoint, PlaceTag
from khabar.tagkinds import TAG_KINDS
from khabar.textnorm import matching_form
from processors.tagging.doc import Doc, with_proclitics
from processors.tagging.geo import Support, pick
from processors.tagging.matcher import Hit, PhraseMatcher
from processors.tagging.taxonomy import ActorEntry, PersonCues, PlaceEntry, Taxonomy

EntityType = str  # a registered tag kind's `entry` name: "place", "actor", "person" ...
Mode = Literal["name", "context", "short"]
BLOCK = ("block", -1, "name")

# a settlement noun before a name says the name is a town ("مخيم النصيرات"); "قرب" or
# "أطراف" do not ("قرب مساكن صيدا": housing, not Msaken in Tunisia)
_SETTLEMENT_WORDS = with_proclitics(matching_form(w) for w in (
    "مدينة", "مدينتي", "بلدة", "بلدتي", "مخيم", "مخيمي", "city", "town", "camp"))

# nouns written before an organisation's name that are part of how it is named
_ORG_HEADS = with_proclitics(matching_form(w) for w in (
    "قوات", "منظمة", "حركة", "جماعة", "ميليشيا", "ميليشيات", "مليشيا", "مليشيات", "فصائل"))

_DIRECTIONS = frozenset(matching_form(w) for w in (
    "شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "بريف", "ريف", "شمالا",
    "جنوبا", "شرقا", "غربا",
))
_PREP_PROCLITICS = frozenset({"ب", "ل", "وب", "ول", "فب", "فل", "لب"})
_COUNTRY_PREPS = frozenset({"في", "ب"})  # "بانه في إيران"
# words that place what is before them in the country after them ("... شمال فلسطين", "في
# لبنان"), unlike "قرب الحدود مع لبنان"
_LOCATIVES = frozenset(matching_form(w) for w in (
    "في", "شمال", "جنوب", "شرق", "غرب", "شمالي", "جنوبي", "شرقي", "غربي", "وسط", "داخل"))
_COUNTRY_WINDOW = 3  # words after a small place abroad within which its country is named
_ARMED_SIDES = frozenset({"government", "opposition", "jihadist", "kurdish"})
# "القوات التركية" is also written "قوات تركية": heads whose alias has an indefinite form
_INDEFINITE_HEADS = {matching_form(w): matching_form(w[2:]) for w in (
    "القوات", "الطائرات", "الطيران", "المقاتلات", "الميليشيات", "المليشيات", "الفصائل",
    "المدفعية", "القاذفات", "الدفاعات", "الوحدات", "المروحيات",
)}
_IDAFA_HEADS = frozenset(matching_form(w) for w in ("قوات", "ميليشيات", "مليشيات", "عناصر"))


def indefinite_form(form: str) -> str | None:
    """The indefinite form of an actor alias in matching form, or None: the article goes
    from the head and the adjectives after it ("القوات الموالية للنظام" -> "قوات موالية
    للنظام"); a construct head keeps its form when every word after it is definite ("قوات
    الأمن اللبنانية" -> "قوات أمن لبنانية"; "قوات سوريا الديمقراطية" is a name: none)."""
    words = form.split()
    if len(words) < 2:
        return None
    if words[0] in _INDEFINITE_HEADS:
        out = [_INDEFINITE_HEADS[words[0]]]
        rest = words[1:]
    elif words[0] in _IDAFA_HEADS and all(w.startswith("ال") and len(w) > 3 for w in words[1:]):
        out = [words[0]]
        rest = words[1:]
    else:
        return None
    i = 0
    while i < len(rest) and rest[i].startswith("ال") and len(rest[i]) > 3:
        out.append(rest[i][2:])
        i += 1
    if i == 0:
        return None
    return " ".join(out + rest[i:])


def family_name_givens(cues: PersonCues | None) -> frozenset[str]:
    """The known given names (person_cues.yaml) after which a one-word place name is read as
    a family name: not those that are also titles, particles, cue or stop words, or listed
    under `common_word_given_names` ("أمير قطر", "سلطان عمان", "باسم سوريا", "سلام اليمن")."""
    if cues is None:
        return frozenset()

    def forms(words) -> set[str]:
        return {f for w in words for f in matching_form(w).split()}

    return frozenset(forms(cues.given_names) - forms(cues.particles) - forms(cues.titles)
                     - forms(cues.qualifiers) - forms(cues.stop) - forms(cues.strong_ends)
                     - forms(cues.weak_ends) - forms(cues.introducers)
                     - forms(cues.common_word_given_names))


def name_variants(name: str) -> set[str]:
    """Matching forms to index for one written name, with spelling variants news uses:
    عبد الرحمن/عبدالرحمن, Latin hyphens as spaces ("Deir ez-Zor" / "deir ez zor")."""
    base = matching_form(name)
    out = {base}
    if "عبد ال" in base:
        out.add(base.replace("عبد ال", "عبدال"))
    if "عبدال" in base:
        out.add(base.replace("عبدال", "عبد ال"))
    if base.isascii() and "-" in base:
        out.add(base.replace("-", " "))
    if base.isascii() and "." in base:
        out.add(base.replace(".", ""))
    return {v for v in out if v.strip()}


# actor kinds whose country vouches for a small town of it (NameTagger._home_countries)
_HOME_ACTOR_KINDS = frozenset({"armed_group", "pro_government_militia"})


@dataclass
class Mention:
    etype: EntityType
    index: int
    hit: Hit


@dataclass
class NameResult:
    # tag kind field (khabar.tagkinds) -> its tags in this document
    tags: dict[str, list] = field(default_factory=lambda: {k.field: [] for k in TAG_KINDS})
    # accepted actor mentions in text order, for event agents
    actor_mentions: list[tuple[Hit, ActorEntry]] = field(default_factory=list)
    # [start, end) of every accepted name: event triggers inside them ("هيئة تحرير الشام")
    # are part of a name, not an event
    spans: list[tuple[int, int]] = field(default_factory=list)
    # the same spans with their entry type ("place", "actor", "person" ...), for rules that
    # read names in context (a title before a tagged actor: "المتحدث باسم حزب الله ...")
    typed_spans: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def places(self) -> list[PlaceTag]:
        return self.tags["places"]

    @property
    def actors(self) -> list:
        return self.tags["actors"]

    @property
    def persons(self) -> list:
        return self.tags["persons"]


class NameTagger:
    """Gazetteer matching over a taxonomy; build once, call `tag(doc)` per document."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.places = taxonomy.places
        self.actors = taxonomy.actors
        self.kinds = {k.entry: k for k in TAG_KINDS}
        self.entries = {k.entry: taxonomy.entries[k.field] for k in TAG_KINDS}
        self.place_words = with_proclitics(taxonomy.place_words)
        self.prepositions = with_proclitics(taxonomy.prepositions)
        self.place_by_id = {p.id: p for p in self.places}
        self.place_index = {id(p): i for i, p in enumerate(self.places)}
        self.matcher = PhraseMatcher()
        owned: set[str] = set()
        for etype, entries in self.entries.items():
            for i, entry in enumerate(entries):
                for name in entry.names():
                    for v in name_variants(name):
                        self.matcher.add(v, (etype, i, "name"))
                        owned.add(v)
                for name in entry.short_forms:
                    for v in name_variants(name):
                        self.matcher.add(v, (etype, i, "short"))
                for name in getattr(entry, "context_aliases", []):
                    for v in name_variants(name):
                        self.matcher.add(v, (etype, i, "context"))
                for name in getattr(entry, "country_aliases", []):
                    for v in name_variants(name):
                        self.matcher.add(v, (etype, i, "country"))
                for name in getattr(entry, "adjectives", []):
                    for v in name_variants(name):
                        self.matcher.add(v, (etype, i, "adjective"))
                for phrase in entry.not_in:
                    self.matcher.add(matching_form(phrase), BLOCK)
        # matching forms of each actor's names (an extent without its head noun is checked here)
        self.actor_names = [frozenset(matching_form(n) for n in a.names()) for a in self.actors]
        for i, names in enumerate(self.actor_names):
            indefinite = {f for n in names if (f := indefinite_form(n))}
            for form in sorted(indefinite - owned):
                self.matcher.add(form, ("actor", i, "name"))
        self.matcher.freeze()
        # given names after which a one-word place is read as a family name ("أحمد السويد")
        self.surname_givens = family_name_givens(taxonomy.person_cues)
        # ambiguous places and neighbourhoods are kept only with support from the document
        self._needs_support = frozenset(
            ("place", i, mode) for i, p in enumerate(self.places)
            if p.ambiguous or p.needs_support or p.kind == "neighbourhood" for mode in ("name", "context"))

    # --- per document -------------------------------------------------------------------

    def tag(self, doc: Doc) -> NameResult:
        hits = self.matcher.find(doc.norm)
        place_ends = {h.end for h in hits if any(c[0] == "place" and c[2] == "name" for c in h.payloads)}
        country_at = self._countries_by_word(doc, hits)
        pending: list[tuple[Hit, list[tuple[str, int, str]]]] = []
        adjective_countries: set[str] = set()
        adjective_hits: list[tuple[Hit, str]] = []  # "المصرية": names Egypt at that word
        for hit in hits:
            cands = list(dict.fromkeys(c for c in hit.payloads if c[0] != "block"))
            if any(c[2] == "adjective" for c in cands):  # names a country, is no tag
                for c in cands:
                    if c[2] == "adjective":
                        adjective_countries.add(self.places[c[1]].country)
                        adjective_hits.append((hit, self.places[c[1]].country))
                cands = [c for c in cands if c[2] != "adjective"]
            cands = [c for c in cands
                     if c[2] != "context" or self._context_ok(doc, hit, c, place_ends, country_at)]
            if cands:
                pending.append((hit, cands))
        pending = self._country_in_sentence(doc, pending, adjective_hits)
        pending = self._syrian_name_abroad(doc, pending)
        if self.surname_givens:
            pending = [(hit, cands) for hit, cands in self._family_names(doc, pending) if cands]

        confirmed: set[tuple[str, int]] = set()
        accepted: list[Mention] = []
        unresolved = []
        for hit, cands in pending:
            if len(cands) == 1 and cands[0][2] != "short" and (
                    cands[0] not in self._needs_support or self._named_as_town(doc, hit, cands[0])):
                confirmed.add((cands[0][0], cands[0][1]))
                accepted.append(Mention(cands[0][0], cands[0][1], hit))  # type: ignore[arg-type]
            else:
                unresolved.append((hit, cands))
        for _round in range(3):  # a resolved place can support another
            support = Support((self.places[i] for etype, i in confirmed if etype == "place"),
                              adjective_countries | self._home_countries(confirmed))
            still = []
            for hit, cands in unresolved:
                multiword = " " in doc.norm[hit.start:hit.end]
                choice = self._resolve(cands, confirmed, support, multiword)
                if choice is None:
                    still.append((hit, cands))
                    continue
                confirmed.add(choice)
                accepted.append(Mention(choice[0], choice[1], hit))  # type: ignore[arg-type]
            unresolved = still
            if not unresolved:
                break
        accepted.sort(key=lambda m: m.hit.start)
        return self._build(doc, accepted)

    def _home_countries(self, confirmed: set[tuple[str, int]]) -> set[str]:
        """Countries that local armed groups named in the document vouch for ("الحوثيين في
        صعدة", "الحشد الشعبي في بيجي"): a group that fights at home places a small town of its
        country as well as the country's name would. Armies, jihadist networks and coalitions
        fight abroad, so they vouch for nothing."""
        return {self.actors[i].country for etype, i in confirmed
                if etype == "actor" and self.actors[i].kind in _HOME_ACTOR_KINDS and self.actors[i].country}

    def _named_as_town(self, doc: Doc, hit: Hit, cand: tuple) -> bool:
        """A small town abroad that no other entry is named like, written after a place word
        ("مخيم النصيرات", "بلدة عرسال"): the place word vouches for it being a place, and
        the name for which one. Villages and ambiguous names still need the document."""
        if cand[0] != "place":
            return False
        place = self.places[cand[1]]
        if place.country == "SY" or place.ambiguous or place.kind not in ("town", "city"):
            return False
        return doc.prev_word(hit.start) in _SETTLEMENT_WORDS

    def _family_names(self, doc: Doc, pending: list) -> list:
        """Drop the place reading of a one-word place name right after a known given name
        ("وقال أحمد السويد إن": a family name, not Sweden), unless a place word or a
        preposition stands before the given name ("إلى سامي ..."), the place carries a
        proclitic ("أحمد بالسويد") or the given name is a title or a common word (see
        `family_name_givens`)."""
        out = []
        for hit, cands in pending:
            if any(c[0] == "place" for c in cands) and self._after_given_name(doc, hit):
                cands = [c for c in cands if c[0] != "place"]
            out.append((hit, cands))
        return out

    def _after_given_name(self, doc: Doc, hit: Hit) -> bool:
        if hit.start != hit.word_start or hit.lam or " " in doc.norm[hit.start:hit.end]:
            return False
        i = doc.word_index(hit.word_start) - 1
        if i < 0:
            return False
        s, e = doc.word_spans[i]
        if doc.norm[e:hit.word_start].strip():
            return False  # punctuation between: "أحمد، السويد"
        given = doc.norm[s:e]
        if given not in self.surname_givens:
            if not (given[:1] == "و" and given[1:] in self.surname_givens):
                return False
            s += 1
            given = given[1:]
        if given == "علي" and doc.surface(s, e).rstrip("\u064b-\u065f").endswith("ى"):
            return False  # the preposition على: "الهجوم على السويد"
        if i > 0:
            ps, pe = doc.word_spans[i - 1]
            if not doc.norm[pe:s].strip() and (
                    doc.norm[ps:pe] in self.place_words or doc.norm[ps:pe] in self.prepositions):
                return False  # "مدينة X Y", "في X Y": no name pair
        return True

    def _countries_by_word(self, doc: Doc, hits: list[Hit]) -> dict[int, set[str]]:
        """Word index -> the countries a country name or adjective there names."""
        out: dict[int, set[str]] = {}
        for hit in hits:
            for etype, i, mode in hit.payloads:
                if etype == "place" and (mode == "adjective" or (
                        mode in ("name", "context") and self.places[i].kind == "country")):
                    out.setdefault(doc.word_index(hit.word_start), set()).add(self.places[i].country)
        return out

    def _country_after(self, doc: Doc, hit: Hit, country: str,
                       country_at: dict[int, set[str]]) -> bool:
        """The place's country right after the name: its adjective or its name ("بانه
        الإيرانية", "بانه، إيران"), or في/ب + its name ("بانه في إيران")."""
        nxt = doc.next_word(hit.end)
        i = doc.word_index(hit.end)
        if nxt is None:  # punctuation between: only a comma ("بانه، إيران")
            if i < len(doc.word_spans) and doc.norm[hit.end:doc.word_spans[i][0]].strip() == ",":
                return country in country_at.get(i, ())
            return False
        if country in country_at.get(i, ()):
            return True
        return nxt in _COUNTRY_PREPS and doc.next_word(doc.word_spans[i][1]) is not None \
            and country in country_at.get(i + 1, ())

    def _context_ok(self, doc: Doc, hit: Hit, cand: tuple[str, int, str],
                    place_ends: set[int], country_at: dict[int, set[str]] | None = None) -> bool:
        """A common-word name preceded by a place word (or preposition), joined by و to a
        place just named ("قرى الشعفة والسوسة"), followed by a direction ("الباب شمال
        شرق حلب"), or -- a place abroad -- by its country ("بانه الإيرانية")."""
        entry = self.places[cand[1]] if cand[0] == "place" else None
        prep = entry is not None and entry.context == "prep"
        prefix = doc.norm[hit.word_start:hit.start] + ("ل" if hit.lam else "")
        if prefix == "و" and hit.word_start - 1 in place_ends and doc.norm[hit.word_start - 1] == " ":
            return True
        if prep and prefix in _PREP_PROCLITICS:
            return True
        prev = doc.prev_word(hit.word_start)
        if prev is not None and (prev in self.place_words or (prep and prev in self.prepositions)):
            return True
        nxt = doc.next_word(hit.end)
        if nxt is not None and nxt in _DIRECTIONS:
            return True
        return entry is not None and entry.country != "SY" and bool(country_at) \
            and self._country_after(doc, hit, entry.country, country_at)

    def _country_in_sentence(self, doc: Doc, pending: list,
                             adjective_hits: list[tuple[Hit, str]]) -> list:
        """A `country_aliases` name counts (and beats every other reading) when its country is
        named (or its adjective) in the same sentence -- for a small place (`needs_support`)
        within a few words after it: "صور في لبنان", "القصير المصرية" are abroad. Otherwise that reading is
        dropped."""
        if not any(c[2] == "country" for _h, cands in pending for c in cands):
            return pending
        named: dict[tuple[int, str], list[int]] = {}  # (sentence, country) -> word indexes
        for hit, country in adjective_hits:  # "القصير المصرية"
            key = (doc.sentence_of(hit.start), country)
            named.setdefault(key, []).append(doc.word_index(hit.word_start))
        for hit, cands in pending:
            if len(cands) == 1 and cands[0][0] == "place" and cands[0][2] == "name":
                place = self.places[cands[0][1]]
                if place.country != "SY" and not (place.ambiguous or place.needs_support):
                    key = (doc.sentence_of(hit.start), place.country)
                    named.setdefault(key, []).append(doc.word_index(hit.word_start))
        out = []
        for hit, cands in pending:
            abroad = [c for c in cands if c[2] == "country"]
            if abroad:
                sentence, after = doc.sentence_of(hit.start), doc.word_index(hit.end)
                here = []
                for c in abroad:
                    place = self.places[c[1]]
                    words = named.get((sentence, place.country), [])
                    if words and (not place.needs_support
                                  or any(after <= w <= after + _COUNTRY_WINDOW for w in words)):
                        here.append(c)
                if len(here) == 1:
                    cands = [(here[0][0], here[0][1], "name")]
                else:
                    cands = [c for c in cands if c[2] != "country"]
            if cands:
                out.append((hit, cands))
        return out

    def _syrian_name_abroad(self, doc: Doc, pending: list) -> list:
        """A Syrian town's name followed within a few words by another country ("موقع المالكية
        ... شمال فلسطين المحتلة") in a document that names no other Syrian place is a place of
        that country the gazetteer does not know: it is left untagged rather than put in Syria."""
        syrian = [(hit, cands) for hit, cands in pending
                  if len(cands) == 1 and cands[0][0] == "place" and self.places[cands[0][1]].country == "SY"]
        if len(syrian) != 1:
            return pending  # none, or the document is about Syria
        hit, cands = syrian[0]
        place = self.places[cands[0][1]]
        if place.kind not in ("town", "village", "neighbourhood"):
            return pending
        after, sentence = doc.word_index(hit.end), doc.sentence_of(hit.start)
        for other, other_cands in pending:
            w = doc.word_index(other.word_start)
            if other is hit or doc.sentence_of(other.start) != sentence or not after <= w <= after + 2 * _COUNTRY_WINDOW:
                continue
            abroad = [self.places[c[1]] for c in other_cands
                      if c[0] == "place" and self.places[c[1]].country != "SY"]
            if any(p.kind == "province" for p in abroad) or (
                    any(p.kind == "country" for p in abroad) and doc.prev_word(other.word_start) in _LOCATIVES):
                return [(h, c) for h, c in pending if h is not hit]
        return pending

    def _resolve(self, cands, confirmed, support: Support,
                 multiword: bool = False) -> tuple[str, int] | None:
        countries = support.countries
        keep = []
        by_context = []
        places: list[int] = []
        for etype, i, mode in cands:
            if mode == "short":
                if (etype, i) in confirmed:
                    keep.append((etype, i))
                elif multiword and etype == "actor" and \
                        not countries.isdisjoint(self.actors[i].context_countries):
                    by_context.append((etype, i))
                continue
            if etype == "place":
                places.append(i)
            else:
                keep.append((etype, i))
        if places:  # which of the places the document vouches for (processors.tagging.geo)
            chosen = pick([self.places[i] for i in dict.fromkeys(places)], support)
            if chosen is not None:
                keep.append(("place", self.place_index[id(chosen)]))
        keep = list(dict.fromkeys(keep))
        if not keep and not any((e, i) in confirmed for e, i, _m in cands):
            keep = list(dict.fromkeys(by_context))
        return keep[0] if len(keep) == 1 else None

    # --- output -------------------------------------------------------------------------

    def _build(self, doc: Doc, mentions: list[Mention]) -> NameResult:
        grouped: dict[tuple[str, int], list[str]] = {}
        counts: dict[tuple[str, int], int] = {}
        result = NameResult()
        for m in mentions:
            result.spans.append((m.hit.start, m.hit.end))
            result.typed_spans.append((m.hit.start, m.hit.end, m.etype))
            key = (m.etype, m.index)
            form = doc.surface(m.hit.start, m.hit.end).strip()
            forms = grouped.setdefault(key, [])
            if form and form not in forms:
                forms.append(form)
            counts[key] = counts.get(key, 0) + 1
            if m.etype == "actor":
                result.actor_mentions.append((m.hit, self.actors[m.index]))
                for other in (self._headed_form(doc, m.hit.start, m.hit.end),
                              self._unheaded_form(doc, m.hit.start, m.hit.end, m.index)):
                    if other and other not in forms:
                        forms.append(other)
        for (etype, i), forms in grouped.items():
            n = counts[(etype, i)]
            if etype == "place":
                result.places.append(self._place_tag(self.places[i], n, forms))
            else:
                kind = self.kinds[etype]
                entry = self.entries[etype][i]
                fields = {"id": entry.id, "name": entry.name, "name_en": entry.name_en,
                          "kind": getattr(entry, "kind", ""), "mentions": n, "forms": forms}
                result.tags[kind.field].append(
                    kind.tag(**{f: v for f, v in fields.items() if f in kind.tag.model_fields}))
        return result

    @staticmethod
    def _headed_form(doc: Doc, start: int, end: int) -> str | None:
        """The mention with the organisation noun written before it ("قوات الجيش السوري",
        "منظمة هيومن رايتس ووتش"): analysts search and annotate either extent."""
        i = doc.word_index(start)
        if i == 0 or i >= len(doc.word_starts) or doc.word_starts[i] != start:
            return None  # first word, or the name starts after a clitic inside its word
        j = i - 1
        if doc.words[j] not in _ORG_HEADS:
            return None
        s, e = doc.word_spans[j]
        if any(c not in " " for c in doc.norm[e:start]):
            return None
        return doc.surface(s, end).strip()

    def _unheaded_form(self, doc: Doc, start: int, end: int, actor: int) -> str | None:
        """"هيومن رايتس ووتش" of a mention "منظمة هيومن رايتس ووتش", when the actor also
        goes by the name without its head noun."""
        first = doc.word_index(start)
        if first + 1 >= len(doc.words) or doc.words[first] not in _ORG_HEADS:
            return None
        rest = doc.word_spans[first + 1][0]
        if rest >= end:
            return None
        return doc.surface(rest, end).strip() if doc.norm[rest:end] in self.actor_names[actor] else None

    def _place_tag(self, place: PlaceEntry, mentions: int, forms: list[str]) -> PlaceTag:
        point = self.place_by_id[place.seat] if place.seat else place
        return PlaceTag(
            id=place.id, name=place.name, name_en=place.name_en, kind=place.kind,
            country=place.country, admin1=place.admin1,
            location=GeoPoint(lat=point.lat, lon=point.lon), mentions=mentions, forms=forms,
        )


def is_armed(actor: ActorEntry) -> bool:
    return actor.side in _ARMED_SIDES
