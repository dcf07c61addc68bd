"""People named by their role in an actor, when they are not in persons.yaml.

"قال الناطق باسم قوات سوريا الديمقراطية مصطفى بالي إن ..." : a role word (config/taxonomy/
context.yaml `person_roles`) right before a tagged actor, an optional rank, then a name of
two or three words that must end where the sentence goes on with reported speech
(`person_ends`: إن, أن, لوكالة, في ...) or punctuation. Anything less certain is left alone:
a wrong person tag is worse than a missing one.
"""

from __future__ import annotations

import hashlib

from khabar.models import PersonTag
from khabar.textnorm import matching_form
from processors.tagging.doc import Doc
from processors.tagging.matcher import Hit
from processors.tagging.taxonomy import ContextWords

_CLAUSE = frozenset(",.;:!?()[]\"'")
_MAX_NAME_WORDS = 3


def person_id(name_norm: str) -> str:
    """Stable id for a person found by the rule (not in the taxonomy)."""
    return "person-" + hashlib.sha1(name_norm.encode("utf-8")).hexdigest()[:12]


class RolePersonRule:
    def __init__(self, ctx: ContextWords) -> None:
        self.roles = [tuple(matching_form(r).split()) for r in ctx.person_roles]
        # the word right before the actor must end a role: a cheap test before the full one
        self.role_ends = frozenset(p + r[-1] for r in self.roles for p in ("", "و", "ف"))
        self.ranks = frozenset(matching_form(r).rstrip(".") for r in ctx.person_ranks)
        self.ends = frozenset(matching_form(w) for w in ctx.person_ends)

    def find(self, doc: Doc, actor_hits: list[Hit], taken: list[tuple[int, int]],
             known: set[str]) -> list[PersonTag]:
        """Persons named after role + actor; `taken` spans (other tags) are never part of a
        name; `known` are matching forms of persons already tagged."""
        found: dict[str, PersonTag] = {}
        for hit in actor_hits:
            if not self._role_before(doc, hit):
                continue
            span = self._name_after(doc, hit.end, taken)
            if span is None:
                continue
            start, end = span
            norm = doc.norm[start:end]
            if norm in known:
                continue
            surface = doc.surface(start, end).strip()
            tag = found.get(norm)
            if tag is None:
                found[norm] = PersonTag(id=person_id(norm), name=surface, name_en="",
                                        mentions=max(1, doc.norm.count(norm)), forms=[surface])
        return list(found.values())

    def _role_before(self, doc: Doc, hit: Hit) -> bool:
        if doc.prev_word(hit.word_start) not in self.role_ends:
            return False
        before = doc.words_before(hit.word_start, 4)
        for role in self.roles:
            n = len(role)
            if len(before) >= n:
                tail = list(before[-n:])
                if tail[0][:1] in ("و", "ف") and tail[0][1:] == role[0]:
                    tail[0] = tail[0][1:]  # وقال الناطق / والقيادي في
                if tuple(tail) == role:
                    return True
        return False

    def _name_after(self, doc: Doc, pos: int, taken) -> tuple[int, int] | None:
        i = doc.word_index(pos)
        cursor = pos
        words: list[tuple[int, int]] = []
        skipped = 0
        while i < len(doc.word_spans):
            s, e = doc.word_spans[i]
            if not _CLAUSE.isdisjoint(doc.norm[cursor:s]):
                break  # punctuation: the name, if any, ended before it
            word = doc.norm[s:e]
            if not words and word.rstrip(".") in self.ranks:
                cursor, i = e, i + 1
                continue
            if not words and skipped == 0 and i == doc.word_index(pos) and word.startswith("ال") \
                    and word not in self.ends:
                skipped = 1  # one adjective of the actor: "الائتلاف الوطني السوري المعارض"
                cursor, i = e, i + 1
                continue
            if word in self.ends or any(a < e and s < b for a, b in taken):
                break
            if not words and (word.startswith("ال") or word.isdigit()):
                return None  # first names do not take the article
            words.append((s, e))
            if len(words) > _MAX_NAME_WORDS:
                return None
            cursor, i = e, i + 1
        if not 2 <= len(words) <= _MAX_NAME_WORDS:
            return None
        if any(doc.norm[s:e].startswith("ال") for s, e in words[:-1]):
            return None  # only a family name takes the article, and it comes last
        if i < len(doc.word_spans):
            s, _e = doc.word_spans[i]
            gap = doc.norm[cursor:s]
            if _CLAUSE.isdisjoint(gap) and doc.norm[s:doc.word_spans[i][1]] not in self.ends:
                return None  # the name must be followed by speech or punctuation
        return words[0][0], words[-1][1]
