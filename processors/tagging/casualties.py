"""Killed and injured counts tied to the clause that reports them.

A number (digits or words, processors.numbers) is a death toll when its clause says so:
a killing word shortly before it ("مقتل 30 عنصرا", "قتل مئتين وسبعة وثمانين"), or a death
noun right after it ("ثلاثين قتيلا", "16 civilians killed"). It is NOT one when it counts
something else ("17 قرية", "60 %", "25 حزيران", "2014"), when the clause is about
displacement, arrests or withdrawal ("نزح 120 ألف مدني"), when killed and wounded are
mixed ("70 مدنيا بين قتيل وجريح"), or when the killing word is negated ("لم يقتل").
Vague quantities ("عشرات القتلى") give no number.
"""

from __future__ import annotations

from dataclasses import dataclass

from khabar.models import Casualties, CountMention
from khabar.textnorm import matching_form
from processors.numbers import find_numbers
from processors.tagging.doc import Doc, strip_proclitics
from processors.tagging.taxonomy import CasualtyVocab

_NEGATORS = frozenset(matching_form(w) for w in (
    "لم", "لا", "لن", "نفى", "نفت", "ينفي", "تنفي", "دون", "بدون", "عدم", "not", "no", "denied",
    "without",
))
_YEAR_WORDS = frozenset(matching_form(w) for w in ("عام", "العام", "سنة", "السنة", "عامي", "year", "in"))


def _phrases(words: list[str]) -> tuple[frozenset[str], tuple[tuple[str, ...], ...]]:
    """Single words as a set, multi-word phrases as token tuples."""
    singles, multi = set(), []
    for w in words:
        norm = matching_form(w)
        parts = tuple(norm.split())
        if len(parts) == 1:
            singles.add(parts[0])
        elif parts:
            multi.append(parts)
    return frozenset(singles), tuple(multi)


@dataclass
class _Vocab:
    killed_triggers: tuple
    killed_nouns: tuple
    injured_triggers: tuple
    injured_nouns: tuple
    victim_nouns: tuple
    dual_victims: tuple
    not_units: tuple
    not_triggers: tuple
    dates: tuple
    window: int


class CasualtyTagger:
    def __init__(self, vocab: CasualtyVocab) -> None:
        self.v = _Vocab(
            killed_triggers=_phrases(vocab.killed_triggers),
            killed_nouns=_phrases(vocab.killed_nouns),
            injured_triggers=_phrases(vocab.injured_triggers),
            injured_nouns=_phrases(vocab.injured_nouns),
            victim_nouns=_phrases(vocab.victim_nouns),
            dual_victims=_phrases(vocab.dual_victim_nouns),
            not_units=_phrases(vocab.not_units),
            not_triggers=_phrases(vocab.not_triggers),
            dates=_phrases(vocab.dates),
            window=vocab.window,
        )

    def tag(self, doc: Doc) -> Casualties:
        killed: list[CountMention] = []
        injured: list[CountMention] = []
        tokens = [doc.norm[s:e] for s, e in doc.word_spans]
        used_words: set[int] = set()
        for num in find_numbers(doc.norm):
            first = doc.word_index(num.start)
            last = doc.word_index(num.end)  # first word after the number
            used_words.update(range(first, last))
            kind = self._classify(doc, tokens, num.start, num.end, first, last, num.value)
            if kind:
                self._add(doc, killed if kind == "killed" else injured, num.value, num.start)
        self._duals(doc, tokens, used_words, killed, injured)
        out = Casualties(killed=killed, injured=injured)
        if killed:
            out.killed_max = max(m.count for m in killed)
        if injured:
            out.injured_max = max(m.count for m in injured)
        return out

    # --- one number -------------------------------------------------------------------

    def _classify(self, doc: Doc, tokens, start, end, first, last, value) -> str | None:
        v = self.v
        if value <= 0:
            return None
        after = self._clause_tokens_after(doc, tokens, end, last, 6)
        before = doc.words_before(start, v.window)
        if before and before[-1] == "ال":  # "الـ 30": an ordinal or a date
            return None
        if doc.norm[end:end + 2].strip().startswith("%"):
            return None
        if after and (self._starts(after, v.not_units) or self._starts(after, v.dates)
                      or (after[0] == "من" and self._starts(after[1:], v.dates))
                      or after[:2] == ["من", "شهر"]):
            return None
        if 1900 <= value <= 2100 and (
                (before and before[-1] in _YEAR_WORDS)
                or not (after and (self._in(after[0], v.victim_nouns)
                                   or self._in(after[0], v.killed_nouns)))):
            return None
        if any(self._starts(after[i:], v.not_triggers) for i in range(min(len(after), 5))):
            return None  # "بين قتيل وجريح", "killed or wounded"
        # a death/injury noun right after (optionally after the victim noun)
        for i, word in enumerate(after[:3]):
            if self._in(word, v.killed_nouns):
                return "killed"
            if self._in(word, v.injured_nouns):
                return "injured"
            if i == 0 and not self._in(word, v.victim_nouns):
                break
        # a killing/injuring word before, nearest first, in the same clause
        for i in range(len(before) - 1, -1, -1):
            word = before[i]
            if self._in(word, v.not_triggers):
                return None
            hit = None
            if self._in(word, v.killed_triggers) or self._ends(before[:i + 1], v.killed_triggers):
                hit = "killed"
            elif self._in(word, v.injured_triggers) or self._ends(before[:i + 1], v.injured_triggers):
                hit = "injured"
            if hit:
                if any(self._in(w, (_NEGATORS, ())) for w in before[max(0, i - 2):i]):
                    return None
                return hit
        return None

    def _duals(self, doc: Doc, tokens, used_words, killed, injured) -> None:
        """"مقتل شخصين", "قتيلان": a count of two with no number word."""
        v = self.v
        for i, tok in enumerate(tokens):
            if i in used_words:
                continue
            if tok in ("قتيلين", "قتيلان"):
                self._add(doc, killed, 2, doc.word_spans[i][0])
            elif tok in ("جريحين", "جريحان"):
                self._add(doc, injured, 2, doc.word_spans[i][0])
            elif tok in v.dual_victims[0] and i > 0:
                prev = tokens[i - 1]
                if self._in(prev, v.killed_triggers):
                    self._add(doc, killed, 2, doc.word_spans[i][0])
                elif self._in(prev, v.injured_triggers):
                    self._add(doc, injured, 2, doc.word_spans[i][0])

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _in(word: str, vocab) -> bool:
        return any(form in vocab[0] for form in strip_proclitics(word))

    @staticmethod
    def _starts(words: list[str], vocab) -> bool:
        if not words:
            return False
        if any(form in vocab[0] for form in strip_proclitics(words[0])):
            return True
        return any(tuple(words[:len(p)]) == p for p in vocab[1])

    @staticmethod
    def _ends(words: list[str], vocab) -> bool:
        for phrase in vocab[1]:
            n = len(phrase)
            if len(words) >= n and tuple(words[-n:]) == phrase:
                return True
            if len(words) >= n and words[-n] != phrase[0] and \
                    phrase[0] in strip_proclitics(words[-n]) and tuple(words[-n + 1:]) == phrase[1:]:
                return True
        return False

    @staticmethod
    def _clause_tokens_after(doc: Doc, tokens, end, last, count) -> list[str]:
        out = []
        cursor = end
        for i in range(last, min(len(tokens), last + count)):
            s, e = doc.word_spans[i]
            gap = doc.norm[cursor:s]
            if any(c in ",.;:!?()" for c in gap):
                break
            out.append(tokens[i])
            cursor = e
        return out

    @staticmethod
    def _add(doc: Doc, bucket: list[CountMention], count: int, pos: int) -> None:
        s, e = doc.sentence_span(doc.sentence_of(pos))
        text = doc.surface(s, e).strip()
        if not any(m.count == count and m.text == text for m in bucket):
            bucket.append(CountMention(count=count, text=text))
