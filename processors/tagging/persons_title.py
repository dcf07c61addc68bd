"""People named by a title, a nationality, a rank or a reporting verb (issue 14), when they
are not in persons.yaml: "قال رئيس الوزراء العراقي مصطفى الكاظمي إن ...".

The shape read, all in config/taxonomy/person_cues.yaml:

    [title | introducer] [qualifiers: ال-words, باسم/لدى/في, institution nouns, tagged
    places and actors] [rank] NAME END        or        [reporting verb] NAME END

NAME is two to four words (particles بن/أبو/عبد ... join them and do not count), never
starting with ال, a number or a stop word. END is punctuation, the end of the text, or a
word of `strong_ends` (إن, أن, الذي, لوكالة ...) or `weak_ends` (في, خلال, على ...).

A name is taken when its first word is a known given name (any END), or, for names the
list does not know, when a nationality adjective, a rank, a tagged actor or place, or يدعى
stands right before it and a strong END right after it. Three more shapes, each closed
tightly:

- an object opener ("القبض على", "مقتل", "الإفراج عن" ...) then a name opening with a
  known given name: the one arrested, killed or freed;
- a name followed by a title or role in apposition ("... منفذ الهجوم", "...، وهو
  المستشار"), opening with a known given name, or with any name right after أن/إن; a
  military rank (`surname_ranks`) takes one surname there ("الجنرال جونسون قائد ...");
- a list of three or more comma-separated names, each opening with a known given name
  (not after a place word: "أحياء سيف الدولة، عمر المختار، ...");
- a reporting verb or attribution (بحسب), a short name of any kind, a comma and a title:
  "وقال فرهاد شامي، المتحدث باسم ...";
- a title, then a name of two or three words between commas: "المتحدث باسم الوزارة، أنيس
  الأصبحي، ...".

A given name and a surname followed by a word that is neither closes the name before it
("وزير الإعلام نبيل حداد منع بث ..."). A person already tagged from
persons.yaml (or by the role rule) is never repeated. Anything less certain is left alone:
a wrong person is worse than a missing one.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from khabar.models import PersonTag
from khabar.textnorm import matching_form
from processors.tagging.doc import Doc, strip_proclitics, with_proclitics
from processors.tagging.persons_rule import person_id
from processors.tagging.taxonomy import ContextWords, PersonCues

_PUNCT = frozenset(",.;:!?()[]{}/|-")
_QUOTES = frozenset("\"'")
_MAX_CHAIN = 8
_HUWA = frozenset({"وهو", "وهي", "هو", "هي"})
_LIST_SEP = re.compile(r"[,:]")
_MAX_NAME_WORDS = 7
_MAX_CONTENT_WORDS = 4
_PREPOSITIONS = frozenset(matching_form(w) for w in ("باسم", "لدى", "في", "عن", "لشؤون"))
# first words a name never has: future and imperfect verbs ("سيستقل", "تستهدف")
_VERB_PREFIXES = ("سي", "ست", "سن", "سا")
# plural place nouns that may head a list of names of places ("شوارع ...", "أحياء ...")
_LIST_PLACE_WORDS = ("أحياء", "شوارع", "مدن", "بلدات", "قرى", "مناطق", "مدارس", "مستشفيات",
                     "مساجد", "ساحات", "جوامع", "المدن", "البلدات", "القرى", "الأحياء")


def _forms(words: list[str]) -> frozenset[str]:
    return frozenset(matching_form(w) for w in words)


def _by_first_word(phrases: list[str]) -> dict[str, list[tuple[str, ...]]]:
    """Phrases in matching form, as word tuples under their first word, longest first (so the
    longest phrase that fits is tried first)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        words = tuple(matching_form(phrase).split())
        out.setdefault(words[0], []).append(words)
    for options in out.values():
        options.sort(key=len, reverse=True)
    return out


def _nisba(word: str) -> bool:
    """A relative adjective with the article (التركي, الأممية): nationality, affiliation."""
    return word.startswith("ال") and word.endswith(("ي", "يه")) and len(word) >= 5


def _bare(word: str) -> str:
    """The word without a leading conjunction و/ف (وقال -> قال, فالرئيس -> الرئيس)."""
    return word[1:] if len(word) > 3 and word[0] in "وف" else word


class TitlePersonRule:
    def __init__(self, cues: PersonCues, ctx: ContextWords) -> None:
        self.titles = _by_first_word(cues.titles)
        self.introducers = _forms(cues.introducers)
        self.qualifiers = _forms(cues.qualifiers)
        self.stop = _forms(cues.stop)
        self.strong = _forms(cues.strong_ends)
        self.weak = _forms(cues.weak_ends)
        self.verbs = _forms(cues.reporting_verbs)
        self.particles = _forms(cues.particles)
        self.given = _forms(cues.given_names) - self.particles
        self.given_openers = _forms(cues.given_names)  # with عبد, أبو that open names too
        self.ranks = frozenset(matching_form(r).rstrip(".") for r in ctx.person_ranks)
        # introducers and ranks open a name too ("يدعى ...", "الشيخ ...")
        for word in self.introducers | self.ranks:
            self.titles.setdefault(word, []).append((word,))
        # a title right after these names a unit, street or building after a person
        # ("كتائب الشهيد علي خزام", "مدرسة الشهيد ..."): no person is tagged there
        self.named_after = _forms(cues.named_after)
        # "القبض على ...", "اغتيال ...": a person named as the one arrested, killed, freed
        self.objects = _by_first_word(cues.object_openers)
        # what may stand after a name in apposition ("... منفذ الهجوم", "... وهو المستشار")
        self.appositions = _forms(cues.appositions) | frozenset(self.titles)
        self.complementizers = _forms(cues.complementizers)
        self.surname_ranks = frozenset(matching_form(r) for r in cues.surname_ranks)
        # plural nouns of casualty reports end a name: "سامي الأحمد الجرحى ..."
        plurals = _forms(cues.plural_nouns)
        self.plurals = plurals | {"ال" + w for w in plurals} | {"و" + w for w in plurals} \
            | {"وال" + w for w in plurals}
        # "أحياء سيف الدولة، عمر المختار، ...": a list after a place word names places
        self.place_words = with_proclitics(_forms(ctx.place_words) | _forms(_LIST_PLACE_WORDS))
        # every word that can open a search, with و/ف attached: one set lookup per word
        heads = set(self.titles) | self.verbs | set(self.objects)
        self._openers = frozenset(heads | {p + h for h in heads for p in "وف"})

    # --- per document -------------------------------------------------------------------

    def find(self, doc: Doc, typed_spans: list[tuple[int, int, str]],
             known: set[str]) -> list[PersonTag]:
        """Persons named in `doc`; `typed_spans` are the names already tagged (never part of
        a new name; a tagged person ends the search), `known` the matching forms of persons
        already tagged."""
        words = doc.words
        n = len(words)
        if n < 3:
            return []
        opened = not self._openers.isdisjoint(words)
        # appositions and lists need a given name, or a verb ("قال X، المتحدث ...")
        named = not self.given_openers.isdisjoint(words) or opened
        if not opened and not named:
            return []
        owner = self._span_owner(doc, typed_spans)
        found: dict[str, PersonTag] = {}
        openers = self._openers
        for i in range(n if opened else 0):
            if words[i] not in openers:
                continue
            word = _bare(words[i])
            start = None
            if word in self.verbs and i not in owner and i + 1 < n \
                    and _bare(words[i + 1]) not in self.titles and words[i + 1] not in self.titles:
                start = self._name_at(doc, i + 1, owner, context="verb")
            if start is None and (word in self.titles or words[i] in self.titles) \
                    and i not in owner and not self._named_after(words, i):
                start = self._after_title(doc, i, owner)
            if start is None and (word in self.objects or words[i] in self.objects) \
                    and i not in owner:
                start = self._after_object(doc, i, owner)
            if start is not None:
                self._add(doc, start, known, found)
        if not named:
            return _outermost(found)
        if not self.appositions.isdisjoint(words) or not self._openers.isdisjoint(words):
            spans = [self._span(doc, norm) for norm in found]
            for start in self._appositions(doc, owner, spans):
                self._add(doc, start, known, found)
        if "," in doc.norm:
            for start in self._lists(doc, owner):
                self._add(doc, start, known, found)
        return _outermost(found)

    @staticmethod
    def _span(doc: Doc, norm: str) -> tuple[int, int]:
        at = doc.norm.find(norm)
        return at, at + len(norm)

    @staticmethod
    def _add(doc: Doc, start: tuple[int, int], known: set[str], found: dict[str, PersonTag]) -> None:
        s, e = start
        norm = doc.norm[s:e]
        if norm in known or norm in found:
            return
        surface = doc.surface(s, e).strip()
        found[norm] = PersonTag(id=person_id(norm), name=surface, name_en="",
                                mentions=max(1, doc.norm.count(norm)), forms=[surface])

    def _after_object(self, doc: Doc, i: int, owner) -> tuple[int, int] | None:
        """"القبض على سامر الحلبي", "اغتيال خليل العلي": the one arrested, killed, freed;
        only a name opening with a known given name."""
        words = doc.words
        head = _bare(words[i]) if _bare(words[i]) in self.objects else words[i]
        for option in self.objects[head]:
            j = i + len(option)
            if tuple(words[i + 1:j]) == option[1:] and j < len(words) \
                    and _PUNCT.isdisjoint(self._gap(doc, j)) and words[j] in self.given:
                return self._name_at(doc, j, owner, context="object")
        return None

    def _apposition_at(self, doc: Doc, k: int) -> bool:
        """A title or role noun stands at word k in apposition to a name before it
        ("... منفذ الهجوم", "... وزير الخارجية", "...، وهو المستشار")."""
        words = doc.words
        if k >= len(words):
            return False
        gap = self._gap(doc, k)
        if not _QUOTES.isdisjoint(gap) or any(c in _PUNCT and c != "," for c in gap):
            return False
        w = words[k]
        if w in _HUWA and k + 1 < len(words):
            nxt = words[k + 1]
            return _PUNCT.isdisjoint(self._gap(doc, k + 1)) and (
                nxt in self.appositions or _bare(nxt) in self.appositions)
        return w in self.appositions

    def _appositions(self, doc: Doc, owner, spans: list[tuple[int, int]]):
        """Names closed by a title or role in apposition and opened by a known given name
        (not in the middle of another name) or by أن/إن: "وأعلنت الشرطة أن سامر الحلبي
        منفذ الهجوم", "وأن كريم دوغان وهو المستشار القانوني"."""
        words = doc.words
        n = len(words)
        apps = [k for k, w in enumerate(words) if w in self.appositions or w in _HUWA]
        if not apps:
            return
        starts = sorted({j for j, w in enumerate(words) if w in self.given_openers}
                        | {k + 1 for k, w in enumerate(words) if w in self.complementizers}
                        | {k + 1 for k, w in enumerate(words) if _bare(w) in self.verbs})
        busy = set()
        for s, e in spans:
            busy.update(range(doc.word_index(s), doc.word_index(e)))
        for j in starts:
            if j < 1 or j >= n or j in owner or j in busy:
                continue
            a = bisect_right(apps, j + 1)  # an apposition within reach of a short name
            if a >= len(apps) or apps[a] > j + 1 + _MAX_NAME_WORDS:
                continue
            first = words[j]
            prev = words[j - 1]
            boundary = not _PUNCT.isdisjoint(self._gap(doc, j))
            after_that = prev in self.complementizers and not boundary
            # "وقال فرهاد شامي، المتحدث باسم ...": a reporting verb, a short name, a comma
            # and a title; any name, the comma is checked below
            after_verb = _bare(prev) in self.verbs and not boundary and j - 1 not in owner
            if not (after_that or after_verb or (first in self.given_openers and (
                    boundary or (prev not in self.given and prev not in self.particles
                                 and prev not in self.titles and _bare(prev) not in self.titles
                                 and prev not in self.ranks and not _nisba(prev))))):
                continue
            if first in self.particles and not after_that and first not in self.given_openers:
                continue
            found = self._name_at(doc, j, owner, context="appos")
            if found is None:
                continue
            k = doc.word_index(found[1])
            if not self._apposition_at(doc, k):
                continue
            if first not in self.given and k - j > 3:
                continue
            if after_verb and not after_that and first not in self.given_openers and (
                    "," not in self._gap(doc, k) or k >= n or words[k] not in self.titles):
                continue  # an unknown name after a verb needs "، <title>" right after it
            busy.update(range(j, k))
            yield found

    def _lists(self, doc: Doc, owner) -> list[tuple[int, int]]:
        """Three or more names in a row, separated by commas (the last may take و), each
        opening with a known given name: "... من بينهم: سامر علي، خليل حسن، وفادي نصار"."""
        words = doc.words
        n = len(words)
        given = self.given
        # items open after a comma or a colon (the last may open with و instead)
        starts = [j for j in sorted({doc.word_index(m.end()) for m in _LIST_SEP.finditer(doc.norm)})
                  if 0 < j < n and (words[j] in given or (words[j][:1] == "و" and words[j][1:] in given))]
        if len(starts) < 2:
            return []
        parsed: dict[int, tuple[int, int, int, bool] | None] = {}

        def item_at(j: int) -> tuple[int, int, int, bool] | None:
            if j not in parsed:
                w = words[j]
                ok = j not in owner and (w in given or (w[:1] == "و" and w[1:] in given))
                parsed[j] = self._list_item(doc, j, owner) if ok else None
            return parsed[j]

        out: list[tuple[int, int]] = []
        used: set[int] = set()
        for j in starts:
            if j in used or item_at(j) is None:
                continue
            chain = [parsed[j]]
            count = 1
            k, _s, _e, comma = parsed[j]
            used.add(j)
            while comma and k < n:
                if item_at(k) is not None:
                    used.add(k)
                    chain.append(parsed[k])
                    count += 1
                    k, _s, _e, comma = parsed[k]
                elif k in owner and owner[k][1] == "person":  # a listed person counts too
                    end_word = owner[k][0] + 1
                    after = self._gap(doc, end_word) if end_word < n else "."
                    count += 1
                    k, comma = end_word, "," in after
                else:
                    break
            if count >= 3:
                before = doc.words_before(chain[0][1], 1, clause=False)
                if not before or before[0] not in self.place_words:
                    out.extend((s, e) for _k, s, e, _c in chain)
        return out

    def _list_item(self, doc: Doc, j: int, owner) -> tuple[int, int, int, bool] | None:
        """One name of a list starting at word j: (the word after it, start, end, whether a
        comma or و + a given name follows), or None."""
        words = doc.words
        n = len(words)
        first = words[j]
        lead = first[1:] if first[0] == "و" and first[1:] in self.given else first
        k = j + 1
        while k < n and k - j < 5 and _PUNCT.isdisjoint(self._gap(doc, k)) and k not in owner \
                and not (words[k][0] == "و" and words[k][1:] in self.given):
            k += 1
        name = [lead] + words[j + 1:k]
        content = sum(1 for w in name if w not in self.particles)
        after = self._gap(doc, k) if k < n else "."
        conj = k < n and words[k][0] == "و" and words[k][1:] in self.given
        closed = k >= n or not _PUNCT.isdisjoint(after) or conj
        if not (2 <= content <= _MAX_CONTENT_WORDS and closed) \
                or any((self._closes(w) or w in self.titles) and w not in self.given for w in name) \
                or any(w.startswith("ال") for w in name[:-1] if w not in ("الله", "الرحمن", "الدين")) \
                or name[-1] in self.particles:
            return None
        s = doc.word_spans[j][0] + (len(first) - len(lead))
        return k, s, doc.word_spans[k - 1][1], "," in after or conj

    @staticmethod
    def _span_owner(doc: Doc, typed_spans) -> dict[int, tuple[int, str]]:
        """word index -> (index of the span's last word, entry type) for tagged words."""
        owner: dict[int, tuple[int, str]] = {}
        for s, e, etype in typed_spans:
            first = doc.word_index(s)
            last = doc.word_index(e) - 1
            if doc.word_index(e) < len(doc.word_spans) and doc.word_spans[doc.word_index(e)][0] < e:
                last += 1
            for k in range(first, max(first, last) + 1):
                owner[k] = (max(first, last), etype)
        return owner

    def _gap(self, doc: Doc, k: int) -> str:
        """The characters between word k-1 and word k."""
        return doc.norm[doc.word_spans[k - 1][1]:doc.word_spans[k][0]]

    def _named_after(self, words: list[str], i: int) -> bool:
        """The title follows a unit, street or building named after someone."""
        return i > 0 and any(w in self.named_after for w in strip_proclitics(words[i - 1]))

    def _after_title(self, doc: Doc, i: int, owner) -> tuple[int, int] | None:
        words = doc.words
        n = len(words)
        head = _bare(words[i]) if _bare(words[i]) in self.titles else words[i]
        j = i + 1
        for option in self.titles[head]:
            if tuple(words[i + 1:i + len(option)]) == option[1:]:
                j = i + len(option)
                break
        last = "intro" if head in self.introducers else "rank" if head in self.ranks else "title"
        if head in self.surname_ranks:
            last = "mrank"
        chain = 0
        while j < n and chain < _MAX_CHAIN:
            if not _PUNCT.isdisjoint(self._gap(doc, j)):
                return self._between_commas(doc, j, owner)
            if j in owner:
                end, etype = owner[j]
                if etype == "person":
                    return None  # a person from the list: already tagged
                # "المتحدث باسم حزب الله ..." vouches for a name; a place less so
                last = "tagged" if etype == "actor" else "place" if etype == "place" else "qual"
                j, chain = end + 1, chain + 1
                continue
            w = words[j]
            bare = _bare(w)
            if (w in self.titles or bare in self.titles) and self._named_after(words, j):
                return None  # "مدير جامعة الملك سعود": a university named after a king
            if w in self.ranks or bare in self.ranks:
                j, chain = j + 1, chain + 1
                last = "mrank" if w in self.surname_ranks or bare in self.surname_ranks else "rank"
                continue
            if w in _PREPOSITIONS and (j + 1 >= n or not (
                    words[j + 1].startswith("ال") or j + 1 in owner or words[j + 1] in self.qualifiers)):
                break  # "الدكتور باسم عوض الله": باسم is a name here, not "in the name of"
            if w in self.qualifiers or (bare.startswith("ال") and len(bare) > 3
                                        and bare not in self.strong and bare not in self.weak) \
                    or (w[0] in "بل" and w[1:] in self.qualifiers and w[1:] not in _PREPOSITIONS):
                # "المسؤولة الإعلامية بوزارة الصحة ..."
                j, last, chain = j + 1, ("adj" if _nisba(bare) else "qual"), chain + 1
                continue
            break
        if j < n and not _PUNCT.isdisjoint(self._gap(doc, j)):
            return self._between_commas(doc, j, owner)
        if j >= n or self._named_after(words, j):
            return None  # "رئيس جامعة نايف العربية": a university named after someone
        return self._name_at(doc, j, owner, context=last)

    def _between_commas(self, doc: Doc, j: int, owner) -> tuple[int, int] | None:
        """"ونشر المتحدث باسم الوزارة، أنيس الأصبحي، بيانا": a title, then a name of two or
        three words set off by commas (wire copy's apposition); any name, as the commas and
        the title vouch for it. A date or a clause between the commas is no name."""
        if j >= len(doc.words) or self._gap(doc, j).strip() != ",":
            return None
        found = self._name_at(doc, j, owner, context="commas")
        if found is None:
            return None
        k = doc.word_index(found[1])
        if k - j > 3 or k >= len(doc.words) or self._gap(doc, k).strip() != ",":
            return None
        return found

    def _name_at(self, doc: Doc, j: int, owner, context: str) -> tuple[int, int] | None:
        """The name starting at word j, if one stands there and ends cleanly."""
        words = doc.words
        n = len(words)
        if j >= n or j in owner or self._is_ala(doc, j):
            return None
        first = words[j]
        if first.isascii() or first in self.titles or first in self.qualifiers:
            return None  # "نائب أمير دولة قطر": أمير is a title here, not the given name
        given = first in self.given or first in self.particles
        # after a rank, a first name the list lacks followed by a father's name it knows:
        # "النقيب أيسر إبراهيم من قيادة ..."
        given = given or (context in ("rank", "mrank") and j + 1 < n and words[j + 1] in self.given
                          and not first.startswith("ال") and first.isalpha())
        if not given:
            if first.startswith(("ال", "ب", "ل", "و") + _VERB_PREFIXES) or not first.isalpha() \
                    or self._closes(first) \
                    or not _QUOTES.isdisjoint(self._gap(doc, j)):
                return None  # "شيئا يدعى "كنافة رمضان"": a quoted thing, not a person
        k = j
        content = 0
        end = None
        sentence = doc.sentence_of(doc.word_spans[j][0])
        while k < n and k - j < _MAX_NAME_WORDS:
            w = words[k]
            if k > j:
                gap = self._gap(doc, k)
                if not _PUNCT.isdisjoint(gap) or not _QUOTES.isdisjoint(gap) or k in owner \
                        or doc.sentence_of(doc.word_spans[k][0]) != sentence:
                    end = "strong" if doc.sentence_of(doc.word_spans[k][0]) != sentence else None
                    break
                if (w in self.titles or _bare(w) in self.titles or self._apposition_at(doc, k)) \
                        and not (w in self.given and k + 1 < n and (
                            words[k + 1] in self.given or words[k + 1] in self.particles)):
                    end = "strong"  # apposition: "جون كيربي المتحدث باسم ...", "... منفذ"
                    break  # (a given name that is a title goes on: "سامي أمين أحمد القيسي")
                if w in self.plurals and w not in self.given:
                    end = "weak"  # a plural noun: "سامي الأحمد الجرحى ..." ends before it
                    break
                if self._is_ala(doc, k) or (self._closes(w) and not (
                        w in self.given and k + 1 < n and not words[k + 1].startswith("ال")
                        and not self._closes(words[k + 1]))):
                    break  # "على" and "علي" share a matching form: "بن علي يلدرم" goes on
                if w.startswith(("لل", "بال", "وال", "فال", "كال")) or w in self.qualifiers:
                    break  # a preposition or conjunction with the article: "لسوق", "للإغاثة"
                if w.endswith(("هم", "هما", "كم")) or (w.endswith("ها") and w not in self.given):
                    end = "weak"  # a possessive is no name: "... مصرعهم", "... لاعتمادها"
                    break
                if w not in self.given and (
                        (w[0] == "و" and (len(w) > 3 or self._closes(w[1:])))
                        or (w[0] == "ف" and (w[1:] in self.verbs or self._closes(w[1:])))):
                    break  # a conjunction: "مروان شربل وغيره", "... ومن", "... فأكد" (not فليحان)
                if content >= 2 and w not in self.given and w not in self.particles:
                    if words[k - 1].startswith("ال") and not w.startswith("ال"):
                        end = "weak"  # after a family name with the article, only another
                        break         # one: "سعد العفالق معسكر الفريق", "... بجميع"
                    if given and words[k - 1] not in self.given and not words[k - 1].startswith("ال") \
                            and words[k - 1] not in self.particles and not w.startswith("ال") \
                            and not self._closed_at(doc, k + 1):
                        end = "weak"  # given name + surname, then the sentence goes on:
                        break         # "وزير الإعلام سامي خوجة منع بث ..."
                    if len(w) > 3 and (w[0] in "بليت" or w.endswith("ا") or w.startswith("است")) \
                            and not self._closed_at(doc, k + 1):
                        # a preposition, verb or accusative that the sentence goes on after
                        # ("... بصحبة أخيه", "... يحاول كسب", "... مرانا لياقيا"); a
                        # surname closes the name ("جان إيف لودريان وزير", "جان كلود يونكر،")
                        end = "weak"
                        break
            if w not in self.particles:
                content += 1
            k += 1
        name = words[j:k]
        if content > _MAX_CONTENT_WORDS + 2:
            return None
        if len(name) >= 3 and name[-1].startswith("ال") and name[-2].startswith("ال") \
                and not name[-3].startswith("ال") and name[-3] not in self.particles \
                and not _nisba(name[-1]) and content >= 3:
            k, content, end = k - 1, content - 1, "weak"  # the object after the name
        elif len(name) >= 4 and name[-2].startswith("ال") and _nisba(name[-1]) \
                and not name[-3].startswith("ال") and name[-2] != "الله" and not name[-2].endswith("ي") \
                and name[-3] not in self.particles:
            k, content, end = k - 2, content - 2, "weak"  # "... الرواية الروسية"
        if content == 1 and k == j + 1 and context == "mrank" and not given \
                and len(first) >= 3 and (self._apposition_at(doc, k) or self._end(doc, k, owner) == "strong"):
            return doc.word_spans[j][0], doc.word_spans[j][1]  # "الجنرال ماكنزي قائد ..."
        if not 2 <= content <= _MAX_CONTENT_WORDS or words[k - 1] in self.particles:
            return None
        closed = k >= n or not _PUNCT.isdisjoint(self._gap(doc, k))  # "... القيسي، 18 عاما"
        if content >= 4 and words[k - 1].startswith("ال") and words[k - 1] != "الله" and not closed and \
                not any(w.startswith("ال") or w in self.particles for w in words[j:k - 1]):
            k, content, end = k - 1, content - 1, "weak"  # "أسامة إبراهيم عبده النظر إلى"
        if not given and any(w.endswith(("ها", "هم", "هما", "كم")) for w in words[j:k]):
            return None  # possessive forms are not names: "احتجاجها"
        if not given and any(w.startswith("ال") for w in words[j:k - 1]):
            return None  # only a family name takes the article: "صاحب السمو الملكي"
        if k < n and self._apposition_at(doc, k):
            end = "strong"  # "... الأوغوز منفذ الهجوم"
        end = end or self._end(doc, k, owner)
        if end is None:
            return None
        if not given and any(w.startswith(("ب", "ل")) and (m < k - 1 or end != "strong" or w[1:3] == "ال")
                             for m, w in enumerate(words[j:k], start=j)):
            return None  # nor prepositional ones ("لسمو", "بحضور"); a surname before إن may
            # begin with ب or ل ("راجح بادي أن", "نبيه بري إن")
        if not given and (content > 3 or not (
                (context in ("adj", "rank", "mrank", "intro", "tagged", "place", "appos", "commas")
                 and end == "strong")
                or context == "tagged")):
            return None  # a role in a tagged actor vouches for a name before "في بيان" too
        if context in ("verb", "appos") and (content > 3 or end != "strong"):
            return None  # no title: only "قال خالد العمر إن"
        return doc.word_spans[j][0], doc.word_spans[k - 1][1]

    def _is_ala(self, doc: Doc, k: int) -> bool:
        """Word k is the preposition على written with alef maqsura (its matching form is the
        given name علي)."""
        s, e = doc.word_spans[k]
        return doc.norm[s:e] == "علي" and doc.surface(s, e).rstrip("\u064b-\u065f").endswith("ى")

    def _closed_at(self, doc: Doc, k: int) -> bool:
        """A name ending before word k is clearly closed: the text ends, punctuation, reported
        speech or a title in apposition follows."""
        if k >= len(doc.words):
            return True
        gap = self._gap(doc, k)
        w = doc.words[k]
        return not _PUNCT.isdisjoint(gap) or not _QUOTES.isdisjoint(gap) or w in self.strong \
            or w in self.titles or _bare(w) in self.titles

    def _closes(self, word: str) -> bool:
        """The word cannot be part of a name."""
        return word in self.stop or word in self.strong or word in self.weak or word in self.plurals \
            or not word.isalpha()

    def _end(self, doc: Doc, k: int, owner) -> str | None:
        """How the text goes on after a name ending before word k: strong, weak or None."""
        if k >= len(doc.words):
            return "strong"
        gap = self._gap(doc, k)
        if not _PUNCT.isdisjoint(gap) or not _QUOTES.isdisjoint(gap):
            return "strong"
        w = doc.words[k]
        if self._apposition_at(doc, k):
            return "strong"  # "... منفذ الهجوم", "... وهو المستشار"
        if w in self.strong or _bare(w) in self.verbs or self._is_ala(doc, k):
            return "strong" if w in self.strong or _bare(w) in self.verbs else "weak"
        if w in self.weak or k in owner or (w[0] in "وبل" and len(w) > 3):
            return "weak"  # a conjunction or a preposition: "... وغيره", "... بالوفد"
        return None


def _outermost(found: dict[str, PersonTag]) -> list[PersonTag]:
    """The persons found, without a name that is the tail or head of a longer one found too
    ("أحمد القيسي" inside "سامي أمين أحمد القيسي": the same man)."""
    names = list(found)
    return [tag for norm, tag in found.items()
            if not any(other != norm and f" {norm} " in f" {other} " for other in names)]
