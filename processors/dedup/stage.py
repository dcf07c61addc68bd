"""Dedup stage: exact, near and contained copies, with state bounded by a time window.

- Same article id again = a revision: it stays what it was (an original keeps its copies
  count, a duplicate stays a duplicate of the same original) and is not counted as a copy.
- Same normalised content as an earlier article under another id = `duplicate`; `of` is that
  article's original (itself, or the one it copies) and `similarity` is to that original.
- Near copies (wire copy with small edits) are found with MinHash LSH (datasketch) over
  normalised word shingles; contained copies (a teaser made of the lead) with an index of
  MOD-m sampled shingles (Broder 1997), which estimates containment as well as resemblance.
  A candidate is a copy if its estimated Jaccard >= JACCARD_MIN or the NEW text is
  >= CONTAINMENT_MIN contained in the earlier one (a teaser arriving after the full story).
  Containment only counts in that direction: a long text arriving after a short one it
  contains (a round-up quoting a wire item in full, the full story after its teaser) is an
  original, never the short one's copy, even when their Jaccard is high (GROWTH_MIN).
  A resemblance match is preferred to a containment match (a second copy of a short item
  points at that item, not at a round-up quoting it). `of` is always the first-seen
  original and its `copies` count goes up (`original_update`, so the sink can update its
  document).
- Different articles on the same event share topic words but few shingles: they stay
  `original` (dev set: distinct pairs have estimated Jaccard <= 0.03; every copy has
  Jaccard >= 0.58 or is >= 0.8 contained; paragraphs of >= 20 words are found in their own
  seed only).

All state lives in the store passed in (see processors.dedup.state for its layout).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

from khabar.models import Article, Dedup
from processors.dedup.state import (
    HOUR,
    DedupState,
    doc_key,
    pack_bands,
    pack_ints,
    unpack_ints,
)
from processors.dedup.text import SAMPLE_MOD, Fingerprint, fingerprint, resemblance

JACCARD_MIN = 0.45
CONTAINMENT_MIN = 0.8
MIN_CONTAINED_SAMPLES = 3  # fewer sampled shingles than this cannot show containment
MAX_CANDIDATES = 16
# a new text this many times longer than an earlier one it contains is not its copy (copies
# in the dev set differ in length by at most 1.25: a "dropped" and an "added" sentence copy)
GROWTH_MIN = 1.5


@dataclass(frozen=True, slots=True)
class OriginalUpdate:
    """The original's new copies count, for a partial update of its document."""

    original_id: str
    copies: int
    original_timestamp: datetime | None  # the original's @timestamp (its monthly index)


@dataclass(frozen=True, slots=True)
class DedupOutcome:
    article: Article  # with `dedup` filled
    original_update: OriginalUpdate | None = None


def dedup_text(article: Article) -> str:
    """The text compared: the body, else the summary (teaser-only feeds), else the title."""
    return article.body if article.body.strip() else (article.summary or article.title)


def _hour(moment: datetime) -> int:
    return int(moment.timestamp() // HOUR)


def _as_utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class _Match:
    key: str
    record: dict[str, Any]
    similarity: float
    exact: bool


class Deduplicator:
    """Decides original / duplicate / near_duplicate for each article, in arrival order."""

    def __init__(self, store: MutableMapping[str, Any], window_days: float = 14.0,
                 journal: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        if window_days <= 0:
            raise ValueError(f"window_days must be > 0, got {window_days}")
        self.state = DedupState(store, journal)
        self.window = timedelta(days=window_days)

    def restore(self, records: Iterable[tuple[str, dict[str, Any]]], now: datetime | None = None) -> int:
        """Rebuild the state from journaled records (oldest first); returns how many were kept.

        Records last written before the window are skipped (their expiry has passed).
        """
        limit = _hour(_as_utc(now) - self.window)
        self.state.expire_before(limit)
        kept = 0
        for key, record in records:
            if record.get("t", limit) >= limit:
                self.state.restore(key, record)
                kept += 1
        return kept

    def check(self, article: Article, now: datetime | None = None, fp: Fingerprint | None = None) -> DedupOutcome:
        """Classify one article and record it; `now` defaults to the current time (UTC); `fp`
        is its fingerprint when already computed (else computed here)."""
        now = _as_utc(now)
        self.state.expire_before(_hour(now - self.window))
        hour = self.state.bucket_for(_hour(now))
        key = doc_key(article.id)
        if fp is None:
            fp = fingerprint(dedup_text(article))
        previous = self.state.record(key)
        if previous is not None and previous.get("id") == article.id:
            return self._revision(article, key, previous, fp, hour)
        fetched: dict[str, list[str] | None] = {}
        match = self._find(fp, fetched)
        if match is not None and article.id in (match.record["id"], match.record.get("of")):
            match = None  # its own copy: the original came back after leaving the window
        if match is None:
            record = self._record(article, fp, hour, status="original", of=None, similarity=0.0)
            self._store(key, record, hour, fp, indexed=True, fetched=fetched)
            return DedupOutcome(self._with(article, Dedup(status="original")))
        return self._copy(article, key, fp, match, hour, fetched)

    # --- the three outcomes ---------------------------------------------------------
    def _revision(self, article: Article, key: str, record: dict[str, Any], fp: Fingerprint,
                  hour: int) -> DedupOutcome:
        """Same id again: keep status, of and copies; refresh content and window position."""
        updated = dict(record)
        if record.get("x") != fp.exact:
            self.state.unindex(key, record)
            updated.update(x=fp.exact, s=pack_ints(fp.samples), b=pack_bands(fp.bands), n=fp.shingles)
            updated["i"] = True
        updated.update(ts=_iso(article.timestamp), t=hour)
        self._store(key, updated, hour, fp, indexed=bool(updated.get("i")))
        dedup = Dedup(status=record["st"], of=record.get("of"), similarity=record.get("sim", 0.0),
                      copies=record.get("cp", 0) if record["st"] == "original" else 0)
        return DedupOutcome(self._with(article, dedup))

    def _copy(self, article: Article, key: str, fp: Fingerprint, match: _Match,
              hour: int, fetched: dict[str, list[str] | None]) -> DedupOutcome:
        """A copy of an earlier article: point at its original and count the copy there."""
        found = match.record
        original_id = found["id"] if found["st"] == "original" else found["of"]
        if match.exact:  # identical to an earlier text; similarity is to the original
            status = "duplicate"
            similarity = 1.0 if found["st"] == "original" else found.get("sim", 0.0)
        else:
            status, similarity = "near_duplicate", match.similarity
        record = self._record(article, fp, hour, status=status, of=original_id, similarity=similarity)
        # an identical text is already findable through the first copy; a near copy is indexed
        # so that later copies closer to it than to the original are still found
        self._store(key, record, hour, fp, indexed=not match.exact, fetched=fetched)
        update = self._count_copy(original_id)
        dedup = Dedup(status=status, of=original_id, similarity=round(similarity, 3))
        return DedupOutcome(self._with(article, dedup), update)

    def _count_copy(self, original_id: str) -> OriginalUpdate | None:
        original_key = doc_key(original_id)
        original = self.state.record(original_key)
        if original is None or original.get("id") != original_id:
            return None  # the original left the window: nothing to update
        copies = original.get("cp", 0) + 1
        self.state.put_record(original_key, {**original, "cp": copies})
        ts = original.get("ts")
        return OriginalUpdate(original_id, copies, datetime.fromisoformat(ts) if ts else None)

    # --- finding a match ------------------------------------------------------------
    def _find(self, fp: Fingerprint, fetched: dict[str, list[str] | None]) -> _Match | None:
        """The best earlier article this one copies, if any; the posting lists read on the
        way are left in `fetched` for indexing this article."""
        owner = self.state.exact_owner(fp.exact)
        if owner is not None:
            record = self.state.record(owner)
            if record is not None:
                return _Match(owner, record, 1.0, exact=True)
        if not fp.samples and not fp.bands:
            return None
        band_names = [f"b{band}" for band in fp.bands]
        sample_names = [f"s:{sample:08x}" for sample in fp.samples]
        lists = self.state.fetch(band_names + sample_names)
        fetched.update(lists)
        band_hits = Counter(chain.from_iterable(filter(None, map(lists.get, band_names))))
        sample_hits = Counter(chain.from_iterable(filter(None, map(lists.get, sample_names))))
        # a candidate needs an LSH collision (resemblance) or enough shared samples to be
        # contained: one or two shared shingles are what unrelated articles have in common
        min_shared = math.ceil(MIN_CONTAINED_SAMPLES * CONTAINMENT_MIN)
        votes = Counter({key: 2 * hits for key, hits in band_hits.items()})
        for key, hits in sample_hits.items():
            if hits >= min_shared or key in band_hits:
                votes[key] += hits
        best: _Match | None = None
        best_rank: tuple[bool, float] = (False, -1.0)
        for key, _ in votes.most_common(MAX_CANDIDATES):
            record = self.state.record(key)
            if record is None:
                continue
            old = unpack_ints(record.get("s", ""))
            found = self._similarity(fp.samples, old, fp.shingles, record.get("n"))
            if found is not None and found > best_rank:
                best_rank = found
                best = _Match(key, record, found[1], exact=False)
        return best

    @staticmethod
    def _similarity(new: tuple[int, ...], old: tuple[int, ...], new_size: int,
                    old_size: int | None) -> tuple[bool, float] | None:
        """(resembles, estimated similarity) if the new text is a copy of the old, else None.

        Sizes are shingle counts of the whole texts (the samples of long texts are capped);
        records written before sizes were kept fall back to their sample counts.
        """
        sa, sb = set(new), set(old)
        if not sa or not sb:
            return None
        inter = len(sa & sb)
        old_size = old_size or len(sb) * SAMPLE_MOD
        if new_size >= GROWTH_MIN * old_size and inter >= CONTAINMENT_MIN * len(sb):
            return None  # the new text contains the old one: a round-up or the full story
        jaccard, _ = resemblance(new, old)
        if jaccard >= JACCARD_MIN:
            return True, jaccard
        contained = inter / len(sa)  # how much of the NEW text the old one holds
        if contained >= CONTAINMENT_MIN and len(sa) >= MIN_CONTAINED_SAMPLES:
            return False, contained
        return None

    # --- records --------------------------------------------------------------------
    @staticmethod
    def _record(article: Article, fp: Fingerprint, hour: int, *, status: str,
                of: str | None, similarity: float) -> dict[str, Any]:
        return {
            "id": article.id, "st": status, "of": of, "sim": round(similarity, 3), "cp": 0,
            "ts": _iso(article.timestamp), "t": hour, "x": fp.exact, "n": fp.shingles,
            "s": pack_ints(fp.samples), "b": pack_bands(fp.bands),
        }

    def _store(self, key: str, record: dict[str, Any], hour: int, fp: Fingerprint, *,
               indexed: bool, fetched: dict[str, list[str] | None] | None = None) -> None:
        """Write the record (whose content `fp` describes), make it findable, register it.
        `fetched`: posting lists read since the last write (_find's), not read again."""
        record = {**record, "i": indexed}
        if not indexed:  # keep only what a revision needs; the content is indexed elsewhere
            record.update(s="", b="")
        self.state.put_record(key, record)
        if indexed:
            self.state.index(key, fp.exact, fp.bands, fp.samples, fetched)
        else:
            self.state.index(key, fp.exact, (), ())
        self.state.register(key, hour)

    @staticmethod
    def _with(article: Article, dedup: Dedup) -> Article:
        return article.model_copy(update={"dedup": dedup})


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
