"""One Aho-Corasick automaton over many phrases, with Arabic proclitics and word boundaries.

Every gazetteer name or event cue is added once, in matching form; a scan of a document is
one pass of the automaton (C speed) plus a few checks per hit in Python:

- the phrase must start a word, optionally after attached proclitics (و ف ب ل ك and their
  pairs: "والحسكة", "بحمص", "لداعش"); for a phrase starting with ال, the article merges
  with ل ("للحسكة" = ل + الحسكة), so a second key without the alef is stored;
- it must end a word, unless the phrase was added with `prefix=True` ("قصف*");
- of overlapping hits the longest wins, so "جبهة النصرة" is one match, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple

import ahocorasick

# Proclitic strings that may precede a name inside the same written word.
NAME_PROCLITICS = frozenset({
    "", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك", "فك", "لب",
})
# Verbs and nouns also take the future marker س (سيقصف) and its pairs.
CUE_PROCLITICS = NAME_PROCLITICS | {"س", "وس", "فس", "لي", "ولي"}
_LAM_PREFIXES = frozenset({"", "و", "ف"})


class Hit(NamedTuple):
    """A phrase found in a matching-form string (a tuple: built for every hit of every scan).

    `start`/`end` delimit the phrase itself; `word_start` is where its written word begins
    (before proclitics). `payloads` are what was registered for the phrase.
    """

    start: int
    end: int
    word_start: int
    payloads: tuple[Any, ...]
    lam: bool = False  # matched as ل + (ا)ل... ("للحسكة"): the hit starts with that ل


@dataclass(slots=True)
class _Entry:
    payload: Any
    lam: bool  # key is the ل-merged form of an ال phrase
    prefix: bool  # the last word may continue


class PhraseMatcher:
    """Build with `add` (phrases already in matching form), then `freeze`, then `find`."""

    def __init__(self, proclitics: frozenset[str] = NAME_PROCLITICS) -> None:
        self._keys: dict[str, list[_Entry]] = {}
        self._automaton: ahocorasick.Automaton | None = None
        self._proclitics = proclitics

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, phrase: str, payload: Any, *, prefix: bool = False) -> None:
        """Register a phrase (matching form, non-empty) with a payload."""
        if not phrase:
            raise ValueError("empty phrase")
        self._keys.setdefault(phrase, []).append(_Entry(payload, False, prefix))
        if phrase.startswith("ال") and len(phrase) > 3:
            # ل + الحسكة is written للحسكة: store that word (with its ل) as its own key
            self._keys.setdefault("لل" + phrase[2:], []).append(_Entry(payload, True, prefix))

    def freeze(self) -> None:
        automaton = ahocorasick.Automaton()
        for key, entries in self._keys.items():
            plain = not any(e.lam or e.prefix for e in entries)
            payloads = tuple(e.payload for e in entries) if plain else None
            automaton.add_word(key, (len(key), tuple(entries), payloads))
        automaton.make_automaton()
        self._automaton = automaton

    def find(self, norm: str) -> list[Hit]:
        """Valid, non-overlapping hits in text order (longest first on overlap)."""
        if self._automaton is None:
            raise RuntimeError("PhraseMatcher.find before freeze()")
        n = len(norm)
        candidates: list[Hit] = []
        proclitics = self._proclitics
        for end_idx, (length, entries, plain) in self._automaton.iter(norm):
            end = end_idx + 1
            word_end = end == n or not norm[end].isalnum()
            if plain is not None and not word_end:
                continue  # the common case: a phrase that must end a word, inside one
            start = end - length
            if start == 0 or not norm[start - 1].isalnum():
                ws = start
                prefix = ""
            else:
                ws = start - 1
                while ws > 0 and norm[ws - 1].isalnum():
                    ws -= 1
                    if start - ws > 3:
                        break
                prefix = norm[ws:start]
                if len(prefix) > 3 or prefix.isascii() or norm[start].isascii():
                    continue  # too long for proclitics; none on Latin script or digits
            if plain is not None:
                if prefix in proclitics:
                    candidates.append(Hit(start, end, ws, plain))
                continue
            payloads = []
            lam = False
            for entry in entries:
                if not word_end and not entry.prefix:
                    continue
                if entry.lam:
                    if prefix not in _LAM_PREFIXES:
                        continue
                    lam = True  # the key starts with the proclitic ل itself
                elif prefix not in proclitics:
                    continue
                payloads.append(entry.payload)
            if payloads:
                candidates.append(Hit(start, end, ws, tuple(payloads), lam))
        return _longest_first(candidates, n)


def _longest_first(candidates: list[Hit], n: int) -> list[Hit]:
    """Of overlapping hits keep the longest (the earlier on a tie), in text order."""
    if not candidates:
        return []
    candidates.sort(key=lambda h: (h.start, h.start - h.end))
    if all(a.end <= b.start for a, b in pairwise(candidates)):
        return candidates  # nothing overlaps: the usual document
    candidates.sort(key=lambda h: (h.start - h.end, h.start))
    taken = bytearray(n)
    chosen: list[Hit] = []
    for hit in candidates:
        if any(taken[hit.start:hit.end]):
            continue
        taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
        chosen.append(hit)
    chosen.sort(key=lambda h: h.start)
    return chosen
