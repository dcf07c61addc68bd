"""Full-text terms of alert rules, matched on the matching form so Arabic variants match.

A term is one or more words (`غاز السارين`, `chemical weapon`); a trailing `*` makes its
word a prefix (`كيماوي*` matches الكيماوية). Arabic words in the text may carry attached
proclitics (و ف ب ل ك, ال, لل and their combinations: بالحسكة, وللحسكة), so each Arabic text
token is compared in every proclitic-stripped form. Latin words compare case-folded whole.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from khabar.textnorm import matching_form

_TOKEN = re.compile(r"[\w\u0600-\u06FF]+", re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06FF]")
# longest first, so "وال" is tried before "و"
_PROCLITICS = sorted({
    "و", "ف", "ب", "ل", "ك", "ال", "لل", "وال", "فال", "بال", "كال", "ولل", "فلل",
    "وب", "ول", "وك", "فب", "فل", "فك", "وبال", "فبال", "وكال",
}, key=len, reverse=True)
_MIN_STEM = 2
_EDGE_PUNCT = "\"'«»“”‘’()[]{}<>.,،;؛:!?؟…-–—"


@dataclass(frozen=True)
class TermWord:
    text: str
    prefix: bool  # `word*`
    variants: tuple[str, ...] = ()  # the word, plus its bare form when written with ال


def _term_word(text: str, prefix: bool) -> TermWord:
    variants = (text,)
    if _ARABIC.search(text) and text.startswith("ال") and len(text) > 2 + _MIN_STEM:
        variants = (text, text[2:])
    return TermWord(text, prefix, variants)


@dataclass(frozen=True)
class Term:
    source: str
    words: tuple[TermWord, ...]


@lru_cache(maxsize=4096)
def compile_term(term: str) -> Term:
    """Parse a rule term; ValueError if it has no word."""
    if not isinstance(term, str):
        raise ValueError(f"term {term!r} must be text")
    out = []
    for raw in term.split():
        prefix = raw.endswith("*")
        norm_words = _TOKEN.findall(matching_form(raw.rstrip("*")))
        for j, word in enumerate(norm_words):
            out.append(_term_word(word, prefix and j == len(norm_words) - 1))
    if not out:
        raise ValueError(f"term {term!r} has no word to match")
    return Term(term, tuple(out))


def _stems(token: str) -> tuple[str, ...]:
    """A text token and its proclitic-stripped forms (Arabic only)."""
    if not _ARABIC.search(token):
        return (token,)
    stems = [token]
    for clitic in _PROCLITICS:
        if token.startswith(clitic) and len(token) - len(clitic) >= _MIN_STEM:
            stems.append(token[len(clitic):])
    return tuple(stems)


@lru_cache(maxsize=200_000)
def _token_words(raw: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Matching-form words of one whitespace-separated token, each with its stems (cached:
    news vocabulary repeats, so most tokens are normalised once per process)."""
    return tuple((w, _stems(w)) for w in _TOKEN.findall(matching_form(raw)))


@lru_cache(maxsize=200_000)
def _token_stem_set(raw: str) -> frozenset[str]:
    return frozenset(stem for _word, stems in _token_words(raw) for stem in stems)


@dataclass
class TermHit:
    term: str
    surface: str  # the words exactly as they occur in the article


class TextIndex:
    """One article's title+summary+body as matching-form words, built once per article."""

    def __init__(self, text: str) -> None:
        self.raw = text.split()
        # every stem in the text: enough to rule most terms out (positions come later, if needed)
        self.stem_set: frozenset[str] = frozenset().union(*map(_token_stem_set, set(self.raw)))
        self._stems: list[tuple[str, ...]] | None = None
        self._owner: list[int] = []  # index of the raw token each word came from
        self._sorted: list[str] | None = None
        self._found: dict[str, TermHit | None] = {}

    @classmethod
    def build(cls, text: str) -> TextIndex:
        return cls(text)

    @property
    def stems(self) -> list[tuple[str, ...]]:
        """Stems of each word, in text order (built on first need)."""
        if self._stems is None:
            self._stems = []
            for r, raw in enumerate(self.raw):
                for _word, stems in _token_words(raw):
                    self._stems.append(stems)
                    self._owner.append(r)
        return self._stems

    def _sorted_stems(self) -> list[str]:
        if self._sorted is None:
            self._sorted = sorted(self.stem_set)
        return self._sorted

    def _with_prefix(self, prefix: str) -> list[str]:
        stems = self._sorted_stems()
        out = []
        for i in range(bisect_left(stems, prefix), len(stems)):
            if not stems[i].startswith(prefix):
                break
            out.append(stems[i])
        return out

    def _starts(self, stems: list[str]) -> list[int]:
        """Word positions carrying any of these stems (one pass; only for terms that occur)."""
        wanted = set(stems)
        return [i for i, word_stems in enumerate(self.stems) if not wanted.isdisjoint(word_stems)]

    @staticmethod
    def _word_at(word: TermWord, stems: tuple[str, ...]) -> bool:
        if word.prefix:
            return any(s.startswith(v) for s in stems for v in word.variants)
        return any(v in stems for v in word.variants)

    def find(self, term: Term) -> TermHit | None:
        """First occurrence of the term, with its original surface form (cached per term)."""
        if term.source not in self._found:
            self._found[term.source] = self._find(term)
        return self._found[term.source]

    def _find(self, term: Term) -> TermHit | None:
        first = term.words[0]
        if first.prefix:
            candidates = [s for v in first.variants for s in self._with_prefix(v)]
        else:
            candidates = [v for v in first.variants if v in self.stem_set]
        if not candidates:
            return None  # the common case: a set lookup or two per term
        n = len(term.words)
        for i in self._starts(candidates):
            if i + n <= len(self.stems) and all(
                self._word_at(w, self.stems[i + k]) for k, w in enumerate(term.words[1:], 1)
            ):
                surface = " ".join(self.raw[self._owner[i]:self._owner[i + n - 1] + 1])
                return TermHit(term.source, surface.strip(_EDGE_PUNCT) or surface)
        return None
