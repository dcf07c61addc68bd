"""Killed and injured counts tied to the clause that reports them.

A number (digits or words, processors.tagging.numbers) is a death toll when its clause says so:
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
from processors.tagging.doc import Doc, with_proclitics
from processors.tagging.numbers import find_numbers
from processors.tagging.taxonomy import CasualtyVocab
from processors.tagging.tolls import bounded_scope, clause_scope, implausible

_NEGATORS = [matching_form(w) for w in (
    "لم", "لا", "لن", "نفى", "نفت", "ينفي", "تنفي", "دون", "بدون", "عدم", "not", "no", "denied",
    "without",
    # a death sentence is no death: "الحكم بإعدام 3 متهمين", "قضت المحكمة بإعدام ..."
    "حكم", "حكما", "الحكم", "أحكام", "حكمت", "قضت", "قضى", "عقوبة", "sentenced",
)]
_ONE = frozenset(matching_form(w) for w in ("واحد", "واحدة", "واحدا"))
_CLOCK_WORDS = frozenset(matching_form(w) for w in ("الساعة", "ساعة", "at"))
_YEAR_WORDS = frozenset(matching_form(w) for w in ("عام", "العام", "سنة", "السنة", "عامي", "year", "in"))
# an age, not a toll: "في الثامنة والعشرين من عمره", "يبلغ من العمر 28", "the twenty-eighth
# year of his life", "aged 28"
_AGE_WORDS = with_proclitics(matching_form(w) for w in (
    "عمر", "العمر", "عمره", "عمرها", "عمرهم", "عمري", "عمرا", "aged", "age"))
_AGE_LINKS = frozenset(matching_form(w) for w in ("of", "ناهز", "يناهز", "يقارب", "نحو"))
_ORDINALS = with_proclitics(matching_form(w) for w in (
    "الحادي", "الحادية", "الثاني", "الثانية", "الثالث", "الثالثة", "الرابع", "الرابعة", "الخامس",
    "الخامسة", "السادس", "السادسة", "السابع", "السابعة", "الثامن", "الثامنة", "التاسع", "التاسعة",
    "العاشر", "العاشرة", "حادي", "ثاني", "ثالث", "رابع", "خامس", "سادس", "سابع", "ثامن", "تاسع",
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth",
    "seventieth", "eightieth", "ninetieth", "hundredth"))
_CLAUSE_PUNCT = frozenset(",.;:!?()")
# "جنازة للضحايا التي حضرها 250 ألف شخص": a relative clause says something else of the victims
_RELATIVES = frozenset(matching_form(w) for w in (
    "التي", "الذي", "الذين", "اللذين", "اللتين", "اللواتي", "اللاتي", "who", "which", "that"))
# words between "و" and a coordinated figure: "وأكثر من مئة", "ونحو 20", "وما لا يقل عن 7"
_QUANTIFIERS = frozenset(matching_form(w) for w in (
    "أكثر", "اكثر", "أقل", "من", "نحو", "قرابة", "حوالي", "زهاء", "ما", "لا", "يقل", "عن", "على",
    "الأقل", "يزيد", "more", "than", "about", "at", "least", "nearly", "some", "over"))
# words that open another clause after a figure and its noun: a death or injury word past
# them is another event's ("خمسة أشخاص بعد وفاة جريح": the جريح is no noun of the five)
_CLAUSE_OPENERS = frozenset(matching_form(w) for w in (
    "بعد", "إثر", "عقب", "جراء", "بسبب", "نتيجة", "after", "following"))
_OTHERS = frozenset(matching_form(w) for w in ("آخرين", "آخرون", "آخر", "others"))
# words that may follow a bare toll figure: "الحصيلة الأولية 12 قبل أن ترتفع"
_TOLL_ENDS = frozenset(matching_form(w) for w in (
    "قبل", "بعد", "حتى", "حسب", "بحسب", "وفق", "وفقا", "بينهم", "بينما", "according", "after",
    "before"))


@dataclass(frozen=True)
class _Words:
    """A vocabulary list: single words (with every proclitic attached, for one lookup) and
    multi-word phrases (first word with proclitics, then the rest)."""

    singles: frozenset[str]
    phrases: tuple[tuple[frozenset[str], tuple[str, ...]], ...]
    last_words: frozenset[str]

    @classmethod
    def of(cls, words: list[str]) -> _Words:
        singles, phrases = [], []
        for w in words:
            parts = tuple(matching_form(w).split())
            if len(parts) == 1:
                singles.append(parts[0])
            elif parts:
                phrases.append((with_proclitics([parts[0]]), parts[1:]))
        return cls(with_proclitics(singles), tuple(phrases),
                   frozenset(p[1][-1] for p in phrases))

    def has(self, word: str) -> bool:
        return word in self.singles

    def starts(self, words: list[str]) -> bool:
        """`words` begins with one of the words or phrases."""
        if not words:
            return False
        if words[0] in self.singles:
            return True
        return any(words[0] in first and tuple(words[1:1 + len(rest)]) == rest
                   for first, rest in self.phrases)

    def ends(self, words: list[str]) -> bool:
        """`words` ends with one of the multi-word phrases."""
        if not words or words[-1] not in self.last_words:
            return False
        for first, rest in self.phrases:
            n = len(rest) + 1
            if len(words) >= n and words[-n] in first and tuple(words[-n + 1:]) == rest:
                return True
        return False


class CasualtyTagger:
    def __init__(self, vocab: CasualtyVocab) -> None:
        self.killed_triggers = _Words.of(vocab.killed_triggers)
        self.killed_nouns = _Words.of(vocab.killed_nouns)
        self.toll_words = _Words.of(vocab.toll_words)
        self.injured_triggers = _Words.of(vocab.injured_triggers)
        self.injured_nouns = _Words.of(vocab.injured_nouns)
        self.victim_nouns = _Words.of(vocab.victim_nouns)
        self.dual_victims = _Words.of(vocab.dual_victim_nouns)
        self.not_units = _Words.of(vocab.not_units)
        self.not_triggers = _Words.of(vocab.not_triggers)
        self.dates = _Words.of(vocab.dates)
        self.window = vocab.window
        self.negators = with_proclitics(_NEGATORS)
        self.dual_nouns = {"قتيلين": "killed", "قتيلان": "killed", "جريحين": "injured",
                           "جريحان": "injured"}
        self.dual_words = frozenset(self.dual_nouns) | self.dual_victims.singles
        # any of these in a sentence makes its numbers worth a look
        vocab = (self.killed_triggers, self.killed_nouns, self.injured_triggers, self.injured_nouns,
                 self.toll_words)
        self.cue_words = frozenset().union(
            *(v.singles for v in vocab), *(first for v in vocab for first, _r in v.phrases),
            self.dual_words)

    def tag(self, doc: Doc) -> Casualties:
        killed: list[CountMention] = []
        injured: list[CountMention] = []
        words = doc.words
        notes: list[str] = []
        used: set[int] = set()
        cue_words = self.cue_words
        sentences = sorted({doc.sentence_of(doc.word_spans[i][0])
                            for i, w in enumerate(words) if w in cue_words})
        for sentence in sentences:  # numbers only matter where deaths or injuries are named
            s_start, s_end = doc.sentence_span(sentence)
            previous: tuple[str, int, int] | None = None  # kind, end, first word after
            for num in find_numbers(doc.norm[s_start:s_end]):
                start, end = num.start + s_start, num.end + s_start
                first = doc.word_index(start)
                last = doc.word_index(end)  # first word after the number
                used.update(range(first, last))
                kind = self._classify(doc, start, end, last, num.value)
                if not kind and previous is not None:
                    kind = self._coordinated(doc, previous, start, end, last)
                previous = (kind, end, last) if kind else None
                if not kind:
                    continue
                why_not = implausible(doc.norm[start:end], num.value)
                if why_not:
                    notes.append(f"{kind}: {why_not}")
                    continue
                scope, note = bounded_scope(num.value, self._scope(doc, start, end, last))
                if note:
                    notes.append(f"{kind}: {note}")
                self._add(doc, killed if kind == "killed" else injured, num.value, start, scope)
        if sentences and not self.dual_words.isdisjoint(words):
            self._duals(doc, words, used, killed, injured)
        out = Casualties(killed=killed, injured=injured, notes=list(dict.fromkeys(notes)))
        out.killed_max = max((m.count for m in killed if m.scope == "incident"), default=None)
        out.injured_max = max((m.count for m in injured if m.scope == "incident"), default=None)
        return out

    def _scope(self, doc: Doc, start: int, end: int, last: int) -> str:
        """incident or cumulative, from the clause around the figure."""
        return clause_scope(doc.words_before(start, 10), self._words_after(doc, end, last, 6))

    # --- one number -------------------------------------------------------------------

    def _classify(self, doc: Doc, start: int, end: int, last: int, value: int) -> str | None:
        if value <= 0:
            return None
        after = self._words_after(doc, end, last, 9)
        before = doc.words_before_over_asides(start, self.window)
        if before and before[-1] == "ال":  # "الـ 30": an ordinal or a date
            return None
        if before and before[-1] in _CLOCK_WORDS:  # "من الساعة الواحدة ليلاً": a time of day
            return None
        if doc.norm[end:end + 2].strip().startswith("%"):
            return None
        if self._age_or_ordinal(doc, start, before, after):
            return None
        previous = _words_before_own(doc, start, before)
        if doc.norm[start - 2:start] == "ال" and previous and self._counts_a_thing(previous[-1]):
            return None  # "خلال الأشهر الثلاثة": the number qualifies the noun before it
        if doc.norm[start:end] in _ONE and previous and not (
                self.victim_nouns.has(previous[-1]) or self.killed_nouns.has(previous[-1])):
            return None  # "من أسرة واحدة": one family, not one death ("قتيل واحد" still counts)
        if after and (self.not_units.starts(after) or self.dates.starts(after)
                      or (after[0] == "من" and self.dates.starts(after[1:]))
                      or after[:2] == ["من", "شهر"]):
            return None
        if 1900 <= value <= 2100 and (
                (before and before[-1] in _YEAR_WORDS)
                or not (after and (self.victim_nouns.has(after[0])
                                   or self.killed_nouns.has(after[0])))):
            return None  # a year
        if any(self.not_triggers.starts(after[i:]) for i in range(min(len(after), 5))):
            return None  # "بين قتيل وجريح", "killed or wounded"
        # a death/injury word right after the number, or after its victim noun and a few
        # qualifiers ("23 مدنيا على الأقل بينهم ثمانية أطفال قتلوا")
        head = 0  # index of the word that must be the victim noun
        noun_kind = None
        crossed = False  # past another figure: its noun may not be this one's
        for i, word in enumerate(after):
            if self.killed_nouns.has(word):
                noun_kind = "killed"
                break
            if self.injured_nouns.has(word):
                noun_kind = "injured"
                break
            if i == 0 and word in ("من", "of"):
                head = 1  # "3 من المهاجمين قتلوا"
                continue
            if (i == head and not self.victim_nouns.has(word)) or self.not_triggers.has(word) \
                    or word in _CLAUSE_OPENERS:
                break
            crossed = crossed or any(c.isdigit() for c in word)
        if noun_kind and not crossed:
            return noun_kind
        # "مقتل 28 شخصا بالإضافة لأكثر من 321 مصابا": the trigger before decides
        return self._trigger_before(before, after) or noun_kind

    def _trigger_before(self, before: list[str], after: list[str]) -> str | None:
        """killed or injured from the nearest trigger word before the figure, in its clause."""
        for i in range(len(before) - 1, -1, -1):
            word = before[i]
            if self.not_triggers.has(word):
                return None
            hit = None
            if self.killed_triggers.has(word) or self.killed_triggers.ends(before[:i + 1]):
                hit = "killed"
            elif (self.toll_words.has(word) or self.toll_words.ends(before[:i + 1])) and (
                    len(before) - i <= 4 and _RELATIVES.isdisjoint(before[i + 1:])) and (
                    not after or after[0] in _TOLL_ENDS or self.victim_nouns.has(after[0])
                    or (after[0] in ("من", "of") and len(after) > 1 and self.victim_nouns.has(after[1]))):
                hit = "killed"
            elif self.injured_triggers.has(word) or self.injured_triggers.ends(before[:i + 1]):
                hit = "injured"
            if hit:
                if any(w in self.negators for w in before[max(0, i - 2):i]):
                    return None
                return hit
        return None

    def _coordinated(self, doc: Doc, previous: tuple[str, int, int], start: int, end: int,
                     last: int) -> str | None:
        """A figure joined by "و" to the toll just before it counts the same thing: "قتل 346
        عنصرا من داعش، و154 عنصرا من قسد", "35 ضابطا وأكثر من مئة آخرين"."""
        kind, prev_end, prev_last = previous
        own = doc.word_index(start)
        between = doc.words[prev_last:own]
        gap = doc.norm[prev_end:start]
        if (not between and doc.norm[start - 1:start] != "و") or len(between) > 6:
            return None
        if any(c in gap for c in ".;:!?()[]") or any(
                self.not_triggers.has(w) or self.injured_triggers.has(w)
                or self.killed_triggers.has(w) for w in between):
            return None
        rest = list(between)
        while rest and rest[-1] in _QUANTIFIERS:
            rest.pop()
        joined = doc.norm[start - 1:start] == "و" and (
            own >= len(doc.word_starts) or doc.word_starts[own] != start)
        joined = joined or (bool(rest) and (rest[-1] == "و" or (
            rest[-1].startswith("و") and rest[-1][1:] in _QUANTIFIERS)))
        after = self._words_after(doc, end, last, 2)
        if not joined or not after or not self.victim_nouns.has(after[0]):
            return None
        # a parallel count: right after the toll's own noun, the same noun again, or "others";
        # not "قتل 4 أشخاص في الهجوم، و12 طفلا يعانون من الجوع"
        noun = after[0].removeprefix("ال")
        if len(rest) <= 2 or noun in _OTHERS or (between and between[0].removeprefix("ال") == noun):
            return kind
        return None

    def _counts_a_thing(self, word: str) -> bool:
        """A noun that is not a head count (months, villages, missiles), bare or definite."""
        return self.not_units.has(word) or (word.startswith("ال") and self.not_units.has(word[2:]))

    @staticmethod
    def _age_or_ordinal(doc: Doc, start: int, before: list[str], after: list[str]) -> bool:
        """An age ("الثامنة والعشرين من عمره", "aged 28") or part of an ordinal
        ("الثامنة والعشرين", "twenty-eighth"): not a head count."""
        if after and (after[0] in _ORDINALS or after[0] in ("year", "old")):
            return True
        if after[:1] == ["من"] and len(after) > 1 and after[1] in _AGE_WORDS:
            return True
        previous = _words_before_own(doc, start, before)
        if not previous:
            return False
        return (previous[-1] in _ORDINALS or previous[-1] in _AGE_WORDS
                or (len(previous) > 1 and previous[-2] in _AGE_WORDS and previous[-1] in _AGE_LINKS))

    def _duals(self, doc: Doc, words: list[str], used: set[int], killed, injured) -> None:
        """"مقتل شخصين", "قتيلان": a count of two written without a number."""
        for i, word in enumerate(words):
            if i in used or word not in self.dual_words:
                continue
            kind = self.dual_nouns.get(word)
            if kind is None and i > 0:
                prev = words[i - 1]
                if self.killed_triggers.has(prev):
                    kind = "killed"
                elif self.injured_triggers.has(prev):
                    kind = "injured"
            if kind:
                start, end = doc.word_spans[i]
                self._add(doc, killed if kind == "killed" else injured, 2, start,
                          self._scope(doc, start, end, i + 1))

    # --- helpers ----------------------------------------------------------------------

    @staticmethod
    def _words_after(doc: Doc, end: int, first: int, count: int) -> list[str]:
        """Up to `count` words from word index `first`, stopping at clause punctuation."""
        out = []
        cursor = end
        words = doc.words
        for i in range(first, min(len(words), first + count)):
            s, e = doc.word_spans[i]
            if not _CLAUSE_PUNCT.isdisjoint(doc.norm[cursor:s]):
                break
            out.append(words[i])
            cursor = e
        return out

    @staticmethod
    def _add(doc: Doc, bucket: list[CountMention], count: int, pos: int,
             scope: str = "incident") -> None:
        s, e = doc.sentence_span(doc.sentence_of(pos))
        text = doc.surface(s, e).strip()
        if not any(m.count == count and m.text == text for m in bucket):
            bucket.append(CountMention(count=count, text=text, scope=scope))


def _words_before_own(doc: Doc, start: int, before: list[str]) -> list[str]:
    """`before` without the written word holding the number when the number starts inside
    it after proclitics ("والعشرين": words_before counts "والعشرين" itself)."""
    own = doc.word_index(start)
    if own < len(doc.word_starts) and doc.word_starts[own] == start:
        return before
    return before[:-1]

