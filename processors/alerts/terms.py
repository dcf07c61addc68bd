"""Full-text terms of alert rules, matched on the matching form so Arabic variants match.

A term is one or more words (`غاز السارين`, `chemical weapon`); a trailing `*` makes its
word a prefix (`كيماوي*` matches الكيماوية). Arabic words in the text may carry attached
proclitics (و ف ب ل ك, ال, لل and their combinations: بالحسكة, وللحسكة), so each Arabic text
token is compared in every proclitic-stripped form. Latin words compare case-folded whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from khabar.textnorm import matching_form, matching_form_with_map, original_span

_TOKEN = re.compile(r"[\w\u0600-\u06FF]+", re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06FF]")
# longest first, so "وال" is tried before "و"
_PROCLITICS = sorted({
    "و", "ف", "ب", "ل", "ك", "ال", "لل", "وال", "فال", "بال", "كال", "ولل", "فلل",
    "وب", "ول", "وك", "فب", "فل", "فك", "وبال", "فبال", "وكال",
}, key=len, reverse=True)
_MIN_STEM = 2


@dataclass(frozen=True)
class TermWord:
    text: str
    prefix: bool  # `word*`

    def variants(self) -> tuple[str, ...]:
        """The word, plus its bare form when written with the article ال."""
        if _ARABIC.search(self.text) and self.text.startswith("ال") and len(self.text) > 2 + _MIN_STEM:
            return (self.text, self.text[2:])
        return (self.text,)


@dataclass(frozen=True)
class Term:
    source: str
    words: tuple[TermWord, ...]


def compile_term(term: str) -> Term:
    """Parse a rule term; ValueError if it has no word."""
    if not isinstance(term, str):
        raise ValueError(f"term {term!r} must be text")
    out = []
    for raw in term.split():
        prefix = raw.endswith("*")
        norm_words = _TOKEN.findall(matching_form(raw.rstrip("*")))
        for j, word in enumerate(norm_words):
            out.append(TermWord(word, prefix and j == len(norm_words) - 1))
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


@dataclass
class TermHit:
    term: str
    surface: str  # the words exactly as they occur in the article


@dataclass
class TextIndex:
    """Tokens of one article's title+summary+body in matching form, built once per article."""

    text: str
    offsets: list[int]
    spans: list[tuple[int, int]]
    stems: list[tuple[str, ...]]
    by_stem: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str) -> TextIndex:
        norm, offsets = matching_form_with_map(text)
        spans, stems, by_stem = [], [], {}
        for i, m in enumerate(_TOKEN.finditer(norm)):
            spans.append(m.span())
            token_stems = _stems(m.group())
            stems.append(token_stems)
            for stem in token_stems:
                by_stem.setdefault(stem, []).append(i)
        return cls(text, offsets, spans, stems, by_stem)

    def _word_at(self, word: TermWord, i: int) -> bool:
        if i >= len(self.stems):
            return False
        if word.prefix:
            return any(s.startswith(v) for s in self.stems[i] for v in word.variants())
        return any(v in self.stems[i] for v in word.variants())

    def find(self, term: Term) -> TermHit | None:
        """First occurrence of the term, with its original surface form."""
        first = term.words[0]
        if first.prefix:
            starts = range(len(self.stems))
        else:
            starts = sorted({i for v in first.variants() for i in self.by_stem.get(v, ())})
        for i in starts:
            if all(self._word_at(w, i + k) for k, w in enumerate(term.words)):
                start = self.spans[i][0]
                end = self.spans[i + len(term.words) - 1][1]
                return TermHit(term.source, original_span(self.text, self.offsets, start, end))
        return None
