"""What dedup compares: normalised word shingles of an article's text, and their sketches.

Copies of one wire story differ in ways that must not count: punctuation and quote styles,
alef/hamza/ya/ta-marbuta spellings, diacritics (all handled by `khabar.textnorm`), digits vs
number words ("6"/"ستة", via `processors.numbers`), a detached or dropped conjunction
("و بمساعدة"/"وبمساعدة"/"بمساعدة"), "عبد الرحمن"/"عبدالرحمن", and transliteration variants
(غرينتش/غرينيتش, نتنياهو/نتانياهو), which differ only in long vowels, so tokens are compared by
their consonant skeleton. Each such difference then changes no shingle at all instead of k.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from khabar.textnorm import matching_form, words
from processors.numbers import find_numbers, number_value

SHINGLE_WORDS = 3
NUM_PERM = 60
BANDS, ROWS = 20, 3  # LSH S-curve: P(candidate) = 1-(1-J^3)^20 -> 0.94 at J=0.5, 0.02 at J=0.1
SAMPLE_MOD = 4  # MOD-m sketch (Broder 1997): keep shingles whose mixed hash % m == 0
MAX_SAMPLES = 256  # bounds state for very long texts (samples come from the start)

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_LONG_VOWELS = str.maketrans("", "", "اوي")
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1).permutations


@lru_cache(maxsize=200_000)
def _is_number_part(token: str) -> bool:
    return token.isdigit() or number_value(token) is not None


@lru_cache(maxsize=200_000)
def _fold(token: str) -> str:
    """Drop a leading و (conjunction) and the long vowels after the first letter."""
    if not _ARABIC_LETTER.match(token):
        return token
    if len(token) >= 4 and token[0] == "و":
        token = token[1:]
    return token[0] + token[1:].translate(_LONG_VOWELS) if len(token) > 2 else token


def _numbers_as_digits(tokens: list[str]) -> list[str]:
    """Runs of number words become their value: ["مييتين", "وسبعه", "وثمانين"] -> ["287"]."""
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        if tokens[i].isdigit() or not _is_number_part(tokens[i]):
            out.append(tokens[i])
            i += 1
            continue
        j = i + 1
        while j < n and (_is_number_part(tokens[j]) or tokens[j] == "و") and not tokens[j].isdigit():
            j += 1
        run = " ".join(tokens[i:j])
        pieces, last = [], 0
        for match in find_numbers(run):
            pieces.append(run[last:match.start])
            pieces.append(str(match.value))
            last = match.end
        pieces.append(run[last:])
        out.extend("".join(pieces).split())
        i = j
    return out


def dedup_tokens(text: str) -> list[str]:
    """Tokens of `text` in the form dedup compares (see module docstring)."""
    raw = words(matching_form(text))
    joined: list[str] = []
    i, n = 0, len(raw)
    while i < n:
        tok = raw[i]
        if tok in ("و", "عبد", "ابو", "بو") and i + 1 < n:  # detached conjunction, compound names
            tok = tok + raw[i + 1]
            i += 1
        joined.append(tok)
        i += 1
    return [_fold(t) for t in _numbers_as_digits(joined)]


def exact_key(text: str) -> str:
    """Same normalised content (matching form, punctuation and spacing aside) -> same key."""
    content = " ".join(words(matching_form(text)))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:24] if content else ""


def _mix(h: int) -> int:
    """Spread crc32 bits (Knuth multiplicative hash) so `% SAMPLE_MOD` samples fairly."""
    return (h * 2654435761) & 0xFFFFFFFF


def shingle_hashes(tokens: list[str], k: int = SHINGLE_WORDS) -> list[int]:
    """Distinct 32-bit hashes of the k-word shingles, in order of first appearance."""
    if not tokens:
        return []
    if len(tokens) < k:
        k = len(tokens)
    seen: dict[int, None] = {}
    for i in range(len(tokens) - k + 1):
        seen[_mix(zlib.crc32(" ".join(tokens[i:i + k]).encode("utf-8")))] = None
    return list(seen)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Everything dedup needs about one text."""

    exact: str  # "" for a text with no words
    shingles: int  # number of distinct shingles
    samples: tuple[int, ...]  # MOD-m sample of the shingle hashes (sorted)
    bands: tuple[str, ...]  # LSH band keys of the MinHash signature


def _identity(value: int) -> int:
    return value


def fingerprint(text: str) -> Fingerprint:
    """Exact key, MOD-m sample and MinHash LSH bands of a text."""
    hashes = shingle_hashes(dedup_tokens(text))
    if not hashes:
        return Fingerprint(exact_key(text), 0, (), ())
    samples = [h for h in hashes if h % SAMPLE_MOD == 0][:MAX_SAMPLES]
    minhash = MinHash(num_perm=NUM_PERM, hashfunc=_identity, permutations=_PERMUTATIONS)
    minhash.update_batch(hashes)
    values = np.asarray(minhash.hashvalues, dtype=np.uint64)
    bands = tuple(
        f"{band}:{zlib.crc32(values[band * ROWS:(band + 1) * ROWS].tobytes()):08x}"
        for band in range(BANDS)
    )
    return Fingerprint(exact_key(text), len(hashes), tuple(sorted(set(samples))), bands)


def resemblance(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger) estimated from two MOD-m samples."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0, 0.0
    inter = len(sa & sb)
    return inter / len(sa | sb), inter / min(len(sa), len(sb))
