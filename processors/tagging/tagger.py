"""The tagger: taxonomy and automata built once per process, applied per document."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from pathlib import Path

from khabar.models import Casualties
from khabar.settings import get_settings
from khabar.textnorm import matching_form
from processors.tagging.casualties import CasualtyTagger
from processors.tagging.doc import Doc
from processors.tagging.events import EventTagger
from processors.tagging.names import NameResult, NameTagger
from processors.tagging.persons_age import AgePersonRule
from processors.tagging.persons_rule import RolePersonRule
from processors.tagging.persons_title import TitlePersonRule
from processors.tagging.taxonomy import Taxonomy, load_taxonomy


@dataclass
class Tags:
    names: NameResult
    event_types: list[str]
    casualties: Casualties


class Tagger:
    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.names = NameTagger(taxonomy)
        self.events = EventTagger(taxonomy.events)
        self.casualties = CasualtyTagger(taxonomy.events.casualties)
        self.role_persons = RolePersonRule(taxonomy.context)
        cues = taxonomy.person_cues
        self.title_persons = TitlePersonRule(cues, taxonomy.context) if cues else None
        self.age_persons = AgePersonRule(cues) if cues else None

    @classmethod
    def from_dir(cls, directory: Path | str | None = None) -> Tagger:
        """The tagger of a taxonomy directory (default: settings.taxonomy_dir, as alerting)."""
        return cls(load_taxonomy(directory))

    def tag_text(self, text: str) -> Tags:
        doc = Doc.from_text(text)
        names = self.names.tag(doc)
        known = {matching_form(f) for p in names.persons for f in p.forms}
        if self.title_persons is not None:  # reads role + actor too, more strictly
            names.persons.extend(self.title_persons.find(doc, names.typed_spans, known))
        elif names.actor_mentions:
            names.persons.extend(self.role_persons.find(
                doc, [h for h, _a in names.actor_mentions], names.spans, known))
        if self.age_persons is not None:  # victims listed with their age
            known |= {matching_form(f) for p in names.persons for f in p.forms}
            names.persons.extend(self.age_persons.find(doc, names.spans, known))
        events = self.events.tag(doc, names.actor_mentions, names.spans)
        return Tags(names=names, event_types=events, casualties=self.casualties.tag(doc))


_lock = threading.Lock()
_tagger: Tagger | None = None
_tagger_dir: Path | None = None


def get_tagger() -> Tagger:
    """The process-wide tagger of `settings.taxonomy_dir` (KHABAR_TAXONOMY_DIR), the same
    directory alerting reads; built on first use (the automata are built once, not per call).

    The taxonomy and automata are tens of thousands of long-lived objects; `gc.freeze()`
    moves them out of the garbage collector's reach, otherwise every full collection walks
    them again and tagging runs at less than half speed.
    """
    global _tagger, _tagger_dir
    directory = get_settings().taxonomy_dir
    if _tagger is None or _tagger_dir != directory:
        with _lock:
            if _tagger is None or _tagger_dir != directory:
                _tagger = Tagger.from_dir(directory)
                _tagger_dir = directory
                gc.collect()
                gc.freeze()
    return _tagger
