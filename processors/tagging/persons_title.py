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
stands right before it and a strong END right after it. A person already tagged from
persons.yaml (or by the role rule) is never repeated. Anything less certain is left alone:
a wrong person is worse than a missing one.
"""

from __future__ import annotations

from khabar.models import PersonTag
from khabar.textnorm import matching_form
from processors.tagging.doc import Doc, strip_proclitics
from processors.tagging.persons_rule import person_id
from processors.tagging.taxonomy import ContextWords, PersonCues

_PUNCT = frozenset(",.;:!?()[]{}/|-")
_QUOTES = frozenset("\"'")
_MAX_CHAIN = 8
_MAX_NAME_WORDS = 7
_MAX_CONTENT_WORDS = 4
_PREPOSITIONS = frozenset(matching_form(w) for w in ("باسم", "لدى", "في", "عن", "لشؤون"))
# first words a name never has: future and imperfect verbs ("سيستقل", "تستهدف")
_VERB_PREFIXES = ("سي", "ست", "سن", "سا")


def _forms(words: list[str]) -> frozenset[str]:
    return frozenset(matching_form(w) for w in words)


def _nisba(word: str) -> bool:
    """A relative adjective with the article (التركي, الأممية): nationality, affiliation."""
    return word.startswith("ال") and word.endswith(("ي", "يه")) and len(word) >= 5


def _bare(word: str) -> str:
    """The word without a leading conjunction و/ف (وقال -> قال, فالرئيس -> الرئيس)."""
    return word[1:] if len(word) > 3 and word[0] in "وف" else word


class TitlePersonRule:
    def __init__(self, cues: PersonCues, ctx: ContextWords) -> None:
        self.titles: dict[str, list[tuple[str, ...]]] = {}
        for title in cues.titles:
            words = tuple(matching_form(title).split())
            self.titles.setdefault(words[0], []).append(words)
        for options in self.titles.values():
            options.sort(key=len, reverse=True)
        self.introducers = _forms(cues.introducers)
        self.qualifiers = _forms(cues.qualifiers)
        self.stop = _forms(cues.stop)
        self.strong = _forms(cues.strong_ends)
        self.weak = _forms(cues.weak_ends)
        self.verbs = _forms(cues.reporting_verbs)
        self.particles = _forms(cues.particles)
        self.given = _forms(cues.given_names) - self.particles
        self.ranks = frozenset(matching_form(r).rstrip(".") for r in ctx.person_ranks)
        # introducers and ranks open a name too ("يدعى ...", "الشيخ ...")
        for word in self.introducers | self.ranks:
            self.titles.setdefault(word, []).append((word,))
        # a title right after these names a unit, street or building after a person
        # ("كتائب الشهيد علي خزام", "مدرسة الشهيد ..."): no person is tagged there
        self.named_after = _forms(cues.named_after)
        # every word that can open a search, with و/ف attached: one set lookup per word
        heads = set(self.titles) | self.verbs
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
        if self._openers.isdisjoint(words):
            return []
        owner = self._span_owner(doc, typed_spans)
        found: dict[str, PersonTag] = {}
        openers = self._openers
        for i in range(n):
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
            if start is None:
                continue
            s, e = start
            norm = doc.norm[s:e]
            if norm in known or norm in found:
                continue
            surface = doc.surface(s, e).strip()
            found[norm] = PersonTag(id=person_id(norm), name=surface, name_en="",
                                    mentions=max(1, doc.norm.count(norm)), forms=[surface])
        return list(found.values())

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

    def _gap(self, doc: Doc, k: int) -> str:
        """The characters between word k-1 and word k."""
        return doc.norm[doc.word_spans[k - 1][1]:doc.word_spans[k][0]]

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
        chain = 0
        while j < n and chain < _MAX_CHAIN:
            if not _PUNCT.isdisjoint(self._gap(doc, j)):
                return None
            if j in owner:
                end, etype = owner[j]
                if etype == "person":
                    return None  # a person from the list: already tagged
                # "المتحدث باسم حزب الله ..." vouches for a name; a place less so
                last = "tagged" if etype == "actor" else "qual"
                j, chain = end + 1, chain + 1
                continue
            w = words[j]
            bare = _bare(w)
            if (w in self.titles or bare in self.titles) and self._named_after(words, j):
                return None  # "مدير جامعة الملك سعود": a university named after a king
            if w in self.ranks or bare in self.ranks:
                j, last, chain = j + 1, "rank", chain + 1
                continue
            if w in _PREPOSITIONS and (j + 1 >= n or not (
                    words[j + 1].startswith("ال") or j + 1 in owner or words[j + 1] in self.qualifiers)):
                break  # "الدكتور باسم عوض الله": باسم is a name here, not "in the name of"
            if w in self.qualifiers or (bare.startswith("ال") and len(bare) > 3
                                        and bare not in self.strong and bare not in self.weak):
                j, last, chain = j + 1, ("adj" if _nisba(bare) else "qual"), chain + 1
                continue
            break
        if j >= n or not _PUNCT.isdisjoint(self._gap(doc, j)) or self._named_after(words, j):
            return None  # "رئيس جامعة نايف العربية": a university named after someone
        return self._name_at(doc, j, owner, context=last)

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
                if w in self.titles or _bare(w) in self.titles:
                    end = "strong"  # apposition: "جون كيربي المتحدث باسم ..."
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
        if not 2 <= content <= _MAX_CONTENT_WORDS or words[k - 1] in self.particles:
            return None
        if content >= 4 and words[k - 1].startswith("ال") and words[k - 1] != "الله" and \
                not any(w.startswith("ال") or w in self.particles for w in words[j:k - 1]):
            k, content, end = k - 1, content - 1, "weak"  # "أسامة إبراهيم عبده النظر إلى"
        if not given and any(w.endswith(("ها", "هم", "هما", "كم")) or w.startswith(("ب", "ل"))
                             for w in words[j:k]):
            return None  # possessive and prepositional forms are not names: "احتجاجها", "لسمو"
        if not given and any(w.startswith("ال") for w in words[j:k - 1]):
            return None  # only a family name takes the article: "صاحب السمو الملكي"
        end = end or self._end(doc, k, owner)
        if end is None:
            return None
        if not given and (content > 3 or not (
                (context in ("adj", "rank", "intro", "tagged") and end == "strong")
                or context == "tagged")):
            return None  # a role in a tagged actor vouches for a name before "في بيان" too
        if context == "verb" and (content > 3 or end != "strong"):
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
        return word in self.stop or word in self.strong or word in self.weak or not word.isalpha()

    def _end(self, doc: Doc, k: int, owner) -> str | None:
        """How the text goes on after a name ending before word k: strong, weak or None."""
        if k >= len(doc.words):
            return "strong"
        gap = self._gap(doc, k)
        if not _PUNCT.isdisjoint(gap) or not _QUOTES.isdisjoint(gap):
            return "strong"
        w = doc.words[k]
        if w in self.strong or _bare(w) in self.verbs or self._is_ala(doc, k):
            return "strong" if w in self.strong or _bare(w) in self.verbs else "weak"
        if w in self.weak or k in owner or (w[0] in "وبل" and len(w) > 3):
            return "weak"  # a conjunction or a preposition: "... وغيره", "... بالوفد"
        return None
