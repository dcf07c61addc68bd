"""People named with their age, the way casualty reports list victims (issue 14):
"صالح حميد الحسين (60 عامًا)", "استشهاد الشاب سامي القيسي، 18 عامًا، من جنين".

An age in parentheses or between commas right after two to four words is a strong sign that
the words are a person's name, whether or not its first word is a known given name. The name
must open after a clear boundary (punctuation, the start of a sentence, a title, a cue word
such as مقتل or هم, a plural noun such as الشهداء), must not open with ال, and holds no stop
word, title or tagged place or actor. Anything less certain is left alone.
"""

from __future__ import annotations

import re

from khabar.models import PersonTag
from khabar.textnorm import matching_form
from processors.tagging.doc import Doc
from processors.tagging.persons_rule import person_id
from processors.tagging.taxonomy import PersonCues

# "(60 عاما)", "، 18 عاما،" in the matching form (digits ASCII, tanween dropped, ، -> ,)
_AGE = re.compile(r"[(,]\s*\d{1,3}\s*(?:عام|عاما|سنه|سنوات|اعوام)(?=\s*[),]|\s+من\s)")
_PUNCT = frozenset(",.;:!?()[]{}\"'")
_MAX_WORDS = 4
_BOUNDARY_WORDS = frozenset(matching_form(w) for w in ("هم", "وهم", "هما", "وهما", "هو", "وهي", "هي"))


def _forms(words: list[str]) -> frozenset[str]:
    return frozenset(matching_form(w) for w in words)


class AgePersonRule:
    def __init__(self, cues: PersonCues) -> None:
        self.particles = _forms(cues.particles)
        self.given = _forms(cues.given_names)
        self.closing = (_forms(cues.stop) | _forms(cues.strong_ends) | _forms(cues.weak_ends)
                        | _forms(cues.reporting_verbs))
        titles = _forms([t.split()[0] for t in cues.titles])
        openers = _forms([o.split()[0] for o in cues.object_openers])
        plurals = _forms(cues.plural_nouns)
        # a given name that is also a title (أمين) or a common word is no boundary
        self.boundaries = (self.closing | titles | openers | plurals | _BOUNDARY_WORDS
                           | {"ال" + w for w in plurals} | {"و" + w for w in titles}) - self.given

    def find(self, doc: Doc, taken: list[tuple[int, int]], known: set[str]) -> list[PersonTag]:
        """Persons named right before an age; `taken` spans (tagged names) are never part of a
        name, `known` are the matching forms of persons already tagged."""
        norm = doc.norm
        if "(" not in norm and "," not in norm:
            return []
        found: dict[str, PersonTag] = {}
        for m in _AGE.finditer(norm):
            span = self._name_before(doc, m.start(), taken)
            if span is None:
                continue
            s, e = span
            name = norm[s:e]
            if name in found or any(f" {name} " in f" {k} " for k in known):
                continue  # already tagged, alone or inside a longer name
            surface = doc.surface(s, e).strip()
            found[name] = PersonTag(id=person_id(name), name=surface, name_en="",
                                    mentions=max(1, norm.count(name)), forms=[surface])
        return list(found.values())

    def _boundary(self, word: str) -> bool:
        """A word a name cannot run across: a cue, title or plural noun, or a noun with a
        possessive ending ("ووالدتها فصلة العيد": her mother, then the name)."""
        return word in self.boundaries or word.endswith(("ها", "هم", "هما", "كم"))

    def _name_before(self, doc: Doc, pos: int, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
        words = doc.words
        last = doc.word_index(pos) - 1  # the word right before "(" or ","
        if last < 0 or doc.norm[doc.word_spans[last][1]:pos].strip():
            return None
        k = last
        while k > last - _MAX_WORDS + 1 and k > 0:
            gap = doc.norm[doc.word_spans[k - 1][1]:doc.word_spans[k][0]]
            prev = words[k - 1]
            if not _PUNCT.isdisjoint(gap) or self._boundary(prev):
                break
            k -= 1
        first = k
        if first > 0:
            gap = doc.norm[doc.word_spans[first - 1][1]:doc.word_spans[first][0]]
            if _PUNCT.isdisjoint(gap) and not self._boundary(words[first - 1]):
                return None  # no clear opening: "قتل الجنود صالح الحسين (60 عاما)"
        name = words[first:last + 1]
        start = doc.word_spans[first][0]
        if name[0].startswith("و") and name[0] not in self.given and len(name[0]) > 3:
            name[0] = name[0][1:]  # a list: "... ، وملكة أحمد العيد (30 عاما)"
            start += 1
        content = [w for w in name if w not in self.particles]
        if not 2 <= len(content) <= _MAX_WORDS or name[0].startswith("ال") or name[-1] in self.particles:
            return None
        if any(not w.isalpha() or w in self.closing or self._boundary(w) for w in name):
            return None
        end = doc.word_spans[last][1]
        if any(s < end and start < e for s, e in taken):
            return None
        return start, end
