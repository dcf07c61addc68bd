"""Event types (DESIGN §5) from cue rules over the matching form.

All cues of all rules live in one automaton (processors.tagging.matcher); rules are then
checked per sentence with set lookups, so the cost does not grow with the number of rules.
Territory changes are special: the same verb ("سيطر", "استعاد") is a government regain or a
non-state overtake depending on who acts, so the acting armed actor is looked up next to
the cue (verb-subject order first: "سيطرت قوات النظام", then subject-verb: "قوات النظام
تمكنت من طرد"); unnamed fighters ("المسلحون") act as a non-state party.

What a cue means also depends on where it stands (issue 14): `contexts` block cues in a
sport, political or protest sentence (or document), `history` drops sentences about the
past, a rule may need two armed parties in its sentence, and a rule that `yields_to`
another type gives way when the document has that type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from khabar.tagkinds import EVENT_TYPES
from khabar.textnorm import matching_form
from processors.tagging.doc import Doc, with_proclitics
from processors.tagging.matcher import CUE_PROCLITICS, Hit, PhraseMatcher
from processors.tagging.names import is_armed
from processors.tagging.taxonomy import ActorEntry, EventsConfig

_ARMED_KINDS = frozenset({"state_forces", "pro_government_militia", "armed_group",
                          "jihadist_group", "coalition"})
# fighters no entry names ("شرع المسلحون في السيطرة على البلدة") act as a non-state party
_UNNAMED = ActorEntry(id="unnamed-fighters", name="مسلحون", kind="armed_group", side="opposition")
# a Gregorian year (a Hijri one, "1436هـ", is followed by ه)
# a range whose other end is no year ("2000-2200") counts things
_COUNT_RANGE = re.compile(r"\s?-\s?(?:2[1-9]|[3-9]\d)\d\d(?!\d)")
_COUNT_RANGE_END = re.compile(r"(?<!\d)(?:2[1-9]|[3-9]\d)\d\d\s?-\s?$")
_YEAR = re.compile(r"(?<![\d.,])(1[89]\d\d|20\d\d)(?!\d|[.,]\d)(?!\s?ه(?:\W|$))")

_BLOCK = -1
_GAIN, _LOSS = "gain", "loss"
# words between an actor and a cue that make the actor the object, not the agent
_OBJECT_MARKERS = frozenset(matching_form(w) for w in ("من", "ضد", "على", "مع", "عن", "against", "from"))
# "المناطق التي سيطر عليها الحوثيون": who holds an area, said in passing, is no event today
_RELATIVE_PRONOUNS = frozenset(matching_form(w) for w in ("التي", "الذي", "اللتين", "اللذين", "الذين"))
# a cue right after these is a verbal noun ("من طرد", "بعد سيطرته"), not a verb
_NOMINAL_MARKERS = frozenset(matching_form(w) for w in (
    "من", "في", "على", "بعد", "إثر", "عقب", "إلى", "عن", "لدى", "خلال", "منذ", "قبل"))


def _cue(text: str) -> tuple[str, bool]:
    """A written cue -> (matching form, last word may continue)."""
    text = text.strip()
    prefix = text.endswith("*")
    return matching_form(text.rstrip("*").strip()), prefix


@dataclass(frozen=True)
class _Rule:
    type: str
    groups: tuple[frozenset[int], ...]
    none: frozenset[int]
    window: int | None
    negatable: bool
    yields_to: frozenset[str] = frozenset()
    armed_actors: int = 0


@dataclass(frozen=True)
class _Context:
    words: frozenset[int]
    blocks: frozenset[str]
    cues: frozenset[int]  # empty: every cue of the blocked types
    doc_min: int | None


class EventTagger:
    def __init__(self, config: EventsConfig) -> None:
        self.matcher = PhraseMatcher(CUE_PROCLITICS)
        self._ids: dict[tuple[str, bool], int] = {}
        self.negators = with_proclitics(matching_form(w) for w in config.negation.words + config.modal)
        self.neg_window = config.negation.window
        rules = []
        for rule in config.rules:
            groups = tuple(frozenset(self._id(c) for c in group) for group in rule.all)
            none = frozenset(self._id(c) for c in rule.none)
            rules.append(_Rule(rule.type, groups, none, rule.window, rule.negatable,
                               frozenset(rule.yields_to), rule.armed_actors))
        self.rules = tuple(rules)
        self.contexts = tuple(
            _Context(frozenset(self._id(w) for w in c.words), frozenset(c.blocks),
                     frozenset(self._id(w) for w in c.cues), c.doc_min)
            for c in config.contexts)
        self.history = config.history
        self.agents = frozenset(self._id(w) for w in config.territory.nonstate_agents)
        self.partitive = with_proclitics(matching_form(w) for w in config.territory.partitive)
        # cue id -> the rules it can start (it is in their first group)
        self._starts_rules: dict[int, tuple[int, ...]] = {}
        for r, rule in enumerate(self.rules):
            for cue in rule.groups[0]:
                self._starts_rules[cue] = (*self._starts_rules.get(cue, ()), r)
        self.gain = frozenset(self._id(c) for c in config.territory.gain)
        self.loss = frozenset(self._id(c) for c in config.territory.loss)
        self.territory_window = config.territory.window
        prefix_cues = [(phrase, cue_id) for (phrase, prefix), cue_id in self._ids.items() if prefix]
        for (phrase, prefix), cue_id in self._ids.items():
            self.matcher.add(phrase, cue_id, prefix=prefix)
            # a longer cue also counts as every open-ended cue it begins with: "اعتقلت"
            # (protest rule) is an "اعتقل*" (arrest rule) too, though the longer one wins
            for other, other_id in prefix_cues:
                if other_id != cue_id and phrase.startswith(other):
                    self.matcher.add(phrase, other_id, prefix=prefix)
        for phrase in config.blockers:
            self.matcher.add(matching_form(phrase), _BLOCK)
        self.matcher.freeze()

    def _id(self, text: str) -> int:
        key = _cue(text)
        if not key[0]:
            raise ValueError(f"event cue {text!r} is empty in matching form")
        return self._ids.setdefault(key, len(self._ids))

    # --- per document -------------------------------------------------------------------

    def tag(self, doc: Doc, actor_mentions: list[tuple[Hit, ActorEntry]],
            name_spans: list[tuple[int, int]] = ()) -> list[str]:
        """Event types found in the document, in vocabulary order."""
        all_hits = self.matcher.find(doc.norm)
        hits = [h for h in all_hits if _BLOCK not in h.payloads]
        if not hits:
            return []
        info = [(h, frozenset(h.payloads), doc.sentence_of(h.start), doc.word_index(h.start))
                for h in hits]
        past = self._past_sentences(doc)
        if past is True:
            return []  # the whole document is history
        ctx_sentences, ctx_doc = self._contexts(info)
        armed_by_sentence: dict[int, set[str]] = {}
        for h, a in actor_mentions:
            if a.kind in _ARMED_KINDS:
                armed_by_sentence.setdefault(doc.sentence_of(h.start), set()).add(a.id)
        # a trigger inside a name ("تحرير" in هيئة تحرير الشام) is no trigger; supporting
        # cues may be ("طائرات" in "طائرات التحالف")
        cache: dict[int, bool] = {}

        def blocked(k: int) -> bool:
            if k not in cache:
                cache[k] = _inside(hits[k], name_spans) or self._negated(doc, hits[k])
            return cache[k]

        found: set[str] = set()
        weak: dict[str, set[str]] = {}  # type found only by yielding rules -> types it yields to
        starts = self._starts_rules
        for k, (_hit, cues, sent, _widx) in enumerate(info):
            if sent in past:
                continue
            for r in sorted({r for c in cues for r in starts.get(c, ())}):
                rule = self.rules[r]
                if rule.type in found or (rule.negatable and blocked(k)):
                    continue
                if self._context_blocks(rule.type, cues, sent, ctx_sentences, ctx_doc):
                    continue
                if rule.armed_actors and len(armed_by_sentence.get(sent, ())) < rule.armed_actors:
                    continue
                if self._rule_holds(rule, k, info):
                    if rule.yields_to:
                        weak.setdefault(rule.type, set()).update(rule.yields_to)
                    else:
                        found.add(rule.type)
                        weak.pop(rule.type, None)
        found |= self._territory(doc, info, blocked, actor_mentions, past)
        found |= {t for t, over in weak.items() if t not in found and not over & found}
        return [t for t in EVENT_TYPES if t in found]

    def _past_sentences(self, doc: Doc) -> set[int] | bool:
        """Sentences about the past (see taxonomy.History); True: the whole document."""
        if self.history is None:
            return set()
        years: dict[int, list[int]] = {}
        for m in _YEAR.finditer(doc.norm):
            if _COUNT_RANGE.match(doc.norm, m.end()) or _COUNT_RANGE_END.search(doc.norm, max(0, m.start() - 12), m.start()):
                continue  # "(2000-2200) جندي": a head count, not years
            years.setdefault(doc.sentence_of(m.start()), []).append(int(m.group(1)))
        if not years:
            return set()
        # the report's own year: the one it names most often, on a tie the one it names
        # first (the lead's date); a follow-up years later ("arrested in 2021", "until
        # 2024 the worst attack") does not make the event itself history
        counts: dict[int, int] = {}
        first: dict[int, int] = {}
        for sent in sorted(years):
            for y in years[sent]:
                counts[y] = counts.get(y, 0) + 1
                first.setdefault(y, sent)
        now = max(counts, key=lambda y: (counts[y], -first[y]))
        if max(counts) < self.history.before:
            return True
        old = max(self.history.before, now - self.history.years_back + 1)
        return {s for s, ys in years.items() if max(ys) < old}

    def _contexts(self, info) -> tuple[list[set[int]], list[bool]]:
        """For each context: the sentences holding one of its words, and whether the whole
        document is in it (doc_min distinct words)."""
        sentences: list[set[int]] = []
        whole: list[bool] = []
        for ctx in self.contexts:
            sents: set[int] = set()
            words: set[int] = set()
            for _h, cues, sent, _w in info:
                hit = cues & ctx.words
                if hit:
                    sents.add(sent)
                    words |= hit
            sentences.append(sents)
            whole.append(ctx.doc_min is not None and len(words) >= ctx.doc_min)
        return sentences, whole

    def _context_blocks(self, etype: str, cues: frozenset[int], sent: int,
                        ctx_sentences: list[set[int]], ctx_doc: list[bool]) -> bool:
        for c, ctx in enumerate(self.contexts):
            if etype not in ctx.blocks or (ctx.cues and cues.isdisjoint(ctx.cues)):
                continue
            if ctx_doc[c] or sent in ctx_sentences[c]:
                return True
        return False

    def _negated(self, doc: Doc, hit: Hit) -> bool:
        return not self.negators.isdisjoint(doc.words_before(hit.word_start, self.neg_window))

    @staticmethod
    def _rule_holds(rule: _Rule, k: int, info) -> bool:
        _hit, _cues, sent, widx = info[k]

        def near(j: int) -> bool:
            _h, _c, s2, w2 = info[j]
            if s2 != sent:
                return False
            return rule.window is None or abs(w2 - widx) <= rule.window

        for group in rule.groups[1:]:
            if not any(j != k and not info[j][1].isdisjoint(group) and near(j)
                       for j in range(len(info))):
                return False
        if rule.none and any(not info[j][1].isdisjoint(rule.none) and near(j)
                             for j in range(len(info))):
            return False
        return True

    def _territory(self, doc: Doc, info, blocked, actor_mentions, past=frozenset()) -> set[str]:
        out: set[str] = set()
        armed = [(h, a, doc.sentence_of(h.start)) for h, a in actor_mentions if is_armed(a)]
        armed += [(h, _UNNAMED, sent) for h, cues, sent, _w in info if not cues.isdisjoint(self.agents)]
        if not armed:
            return out
        armed.sort(key=lambda x: x[0].start)
        for k, (hit, cues, sent, widx) in enumerate(info):
            kind = (_GAIN if not cues.isdisjoint(self.gain)
                    else _LOSS if not cues.isdisjoint(self.loss) else None)
            if kind is None or sent in past or blocked(k):
                continue
            if kind == _GAIN and doc.prev_word(hit.word_start) in _RELATIVE_PRONOUNS:
                continue
            in_sentence = [(h, a) for h, a, s in armed if s == sent]
            if not in_sentence:
                continue
            agent = self._agent(doc, hit, widx, in_sentence)
            if agent is None:
                continue
            if kind == _GAIN:
                event = _event_for(agent.side)
            else:  # the agent gave ground: whoever else is named here took it
                winners = {a.side for _h, a in in_sentence if _camp(a.side) != _camp(agent.side)}
                event = None
                if "government" in winners:
                    event = "government_regains_territory"
                elif winners - {"government"}:
                    event = "non_state_actor_overtakes_territory"
            if event:
                out.add(event)
        return out

    def _agent(self, doc: Doc, hit: Hit, widx: int, actors) -> ActorEntry | None:
        """The armed actor doing what the cue says.

        A verb takes its subject after it ("سيطرت قوات النظام على"); a verbal noun after a
        preposition ("تمكن الجيش من طرد المسلحين", "بعد سيطرته على") has its agent before,
        and what follows it is the object.
        """
        end_word = doc.word_index(hit.end)
        nominal = hit.lam or doc.norm[hit.start:hit.start + 2] == "ال" or \
            (doc.prev_word(hit.word_start) or "") in _NOMINAL_MARKERS
        after = [(h, a) for h, a in actors if h.start >= hit.end
                 and doc.word_index(h.start) - end_word <= (0 if nominal else 3)
                 and not self._object(doc, h)]
        before = [(h, a) for h, a in actors if h.end <= hit.word_start
                  and widx - doc.word_index(h.start) <= self.territory_window
                  and not self._object(doc, h)]
        if after and not nominal:
            return after[0][1]
        if before:
            return before[-1][1]
        return after[0][1] if after else None


    def _object(self, doc: Doc, h: Hit) -> bool:
        """The actor is governed by a preposition ("ضد قوات النظام"), unless the من is
        partitive ("3000 مقاتل من الجيش الحر", "عناصر من داعش")."""
        prev = doc.prev_word(h.word_start)
        if prev not in _OBJECT_MARKERS:
            return False
        if prev != "من":
            return True
        i = doc.word_index(h.word_start) - 2
        return i < 0 or not (doc.words[i] in self.partitive or doc.words[i].isdigit())


def _inside(hit: Hit, spans) -> bool:
    return any(s < hit.end and hit.start < e for s, e in spans)


def _camp(side: str) -> str:
    return "government" if side == "government" else "non_state"


def _event_for(side: str) -> str | None:
    if side == "government":
        return "government_regains_territory"
    if side in ("opposition", "jihadist", "kurdish"):
        return "non_state_actor_overtakes_territory"
    return None
