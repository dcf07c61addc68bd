"""A document prepared once for all taggers: matching form, offsets, words, sentences."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from khabar.textnorm import matching_form_with_map, original_span

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?;]+(?:\s|$)|[!?;]")
_NEWLINES = re.compile(r"\n")
_CLAUSE_PUNCT = frozenset(",.;:!?()[]")
_DASHES = "-\u2013\u2014"
_ASIDE_WORDS = 14  # an aside longer than this is not one

# proclitics stripped from a context word before looking it up (وفي, بمدينة, لريف)
_WORD_PROCLITICS = ("وب", "ول", "فب", "فل", "و", "ف", "ب", "ل", "ك")


def with_proclitics(words) -> frozenset[str]:
    """Every word with every proclitic attached (وفي, بمدينة, للمدينة): membership of a
    document word is then one set lookup instead of stripping it each time."""
    out = set()
    for w in words:
        out.add(w)
        for p in _WORD_PROCLITICS:
            out.add(p + w)
            if w.startswith("ال") and p in ("ل", "ول", "فل"):
                out.add(p + w[1:])  # ل + المدينة = للمدينة
    return frozenset(out)


def strip_proclitics(word: str) -> list[str]:
    """The word and its forms without leading proclitics (longest stem first)."""
    out = [word]
    for p in _WORD_PROCLITICS:
        if word.startswith(p) and len(word) - len(p) >= 2:
            out.append(word[len(p):])
            if word[len(p):].startswith("ل") and p in ("ل", "ول", "فل"):
                out.append("ا" + word[len(p):])  # للمدينة -> المدينة
    return out


@dataclass
class Doc:
    text: str
    norm: str
    offsets: list[int]
    word_spans: list[tuple[int, int]]
    word_starts: list[int]
    sentence_starts: list[int] = field(default_factory=list)
    _words: list[str] | None = None

    @property
    def words(self) -> list[str]:
        """Every word of the matching form, in order (computed once)."""
        if self._words is None:
            norm = self.norm
            self._words = [norm[s:e] for s, e in self.word_spans]
        return self._words

    @classmethod
    def from_text(cls, text: str) -> Doc:
        norm, offsets = matching_form_with_map(text)
        if "_" in norm:  # hashtags: #قوات_سوريا_الديمقراطية names قوات سوريا الديمقراطية
            norm = norm.replace("_", " ")
        spans = [m.span() for m in _WORD.finditer(norm)]
        starts = [s for s, _ in spans]
        bounds = {m.end() for m in _SENTENCE_END.finditer(norm)}
        if "\n" in text:  # paragraph and line breaks end sentences (titles have no stop)
            for m in _NEWLINES.finditer(text):
                bounds.add(bisect_left(offsets, m.start()))
        sentence_starts = sorted({0, *bounds})
        return cls(text, norm, offsets, spans, starts, sentence_starts)

    # --- positions --------------------------------------------------------------------

    def sentence_of(self, pos: int) -> int:
        return bisect_right(self.sentence_starts, pos) - 1

    def sentence_span(self, index: int) -> tuple[int, int]:
        start = self.sentence_starts[index]
        end = self.sentence_starts[index + 1] if index + 1 < len(self.sentence_starts) else len(self.norm)
        return start, end

    def word_index(self, pos: int) -> int:
        """Index of the word starting at or after `pos`."""
        return bisect_left(self.word_starts, pos)

    def word(self, index: int) -> str:
        s, e = self.word_spans[index]
        return self.norm[s:e]

    def surface(self, start: int, end: int) -> str:
        """The original text behind norm[start:end] (what `forms` and `text` show)."""
        return original_span(self.text, self.offsets, start, end)

    def words_before(self, pos: int, count: int, *, clause: bool = True) -> list[str]:
        """Up to `count` words before `pos`, nearest last, stopping at a sentence (or clause) end."""
        i = self.word_index(pos)
        out: list[str] = []
        limit = self.sentence_starts[self.sentence_of(pos)]
        cursor = pos
        j = i - 1
        while j >= 0 and len(out) < count:
            s, e = self.word_spans[j]
            if s < limit:
                break
            if clause and not _CLAUSE_PUNCT.isdisjoint(self.norm[e:cursor]):
                break
            out.append(self.norm[s:e])
            cursor = s
            j -= 1
        out.reverse()
        return out

    def words_before_over_asides(self, pos: int, count: int) -> list[str]:
        """words_before, but a bracketed or dashed aside right before `pos` is skipped and
        not counted: in "ارتفعت حصيلة القتلى -بحسب وزارة الصحة- إلى 50" or "(بحسب مصادر
        طبية)" the toll word stays within reach. An aside that does not close within a few
        words is read as plain text (dashes) or a clause end (brackets), as before."""
        limit = self.sentence_starts[self.sentence_of(pos)]
        out: list[str] = []
        cursor = pos
        j = self.word_index(pos) - 1
        opener: str | None = None  # what ends the aside being skipped
        skipped = 0
        while j >= 0 and len(out) < count:
            s, e = self.word_spans[j]
            if s < limit:
                break
            gap = self.norm[e:cursor]
            if opener is None:
                if ")" in gap or "]" in gap:
                    opener = "(" if ")" in gap else "["
                elif any(c in _DASHES for c in gap) and gap[-1:] not in _DASHES:
                    opener = "dash"
                if opener is not None:
                    gap = ""
            if opener is not None:
                closed = (opener == "dash" and any(c in _DASHES for c in gap)) or (
                    opener != "dash" and opener in gap)
                if not closed:
                    skipped += 1
                    if skipped > _ASIDE_WORDS:
                        return self.words_before(pos, count)
                    cursor = s
                    j -= 1
                    continue
                opener = None
                gap = gap.replace("(", "").replace("[", "")
            if not _CLAUSE_PUNCT.isdisjoint(gap):
                break
            out.append(self.norm[s:e])
            cursor = s
            j -= 1
        if opener is not None:
            return self.words_before(pos, count)
        out.reverse()
        return out

    def prev_word(self, pos: int) -> str | None:
        """The word right before `pos`, across spaces and quotes but not other punctuation."""
        i = self.word_index(pos) - 1
        if i < 0:
            return None
        s, e = self.word_spans[i]
        gap = self.norm[e:pos]
        if any(c not in " \"'«»-" for c in gap):
            return None
        return self.norm[s:e]

    def next_word(self, pos: int) -> str | None:
        i = self.word_index(pos)
        if i >= len(self.word_spans):
            return None
        s, e = self.word_spans[i]
        if any(c not in " \"'-" for c in self.norm[pos:s]):
            return None
        return self.norm[s:e]
