"""What dedup compares: normalised word shingles of an article's text, and their sketches.

Copies of one wire story differ in ways that must not count: punctuation and quote styles,
alef/hamza/ya/ta-marbuta spellings, diacritics (all handled by `khabar.textnorm`), digits vs
number words ("6"/"ستة", via `processors.tagging.numbers`), a detached or dropped conjunction
("و بمساعدة"/"وبمساعدة"/"بمساعدة"), "عبد الرحمن"/"عبدالرحمن", and transliteration variants
(غرينتش/غرينيتش, نتنياهو/نتانياهو), which differ only in long vowels, so tokens are compared by
their consonant skeleton. Each such difference then changes no shingle at all instead of k.

Speed matters (the stream target is >= 1,000 articles/s per core), so everything per word
is cached by word, and shingle hashes and the MinHash signature are computed with numpy.
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, compress
from operator import itemgetter

import numpy as np
from datasketch import MinHash

from khabar.textnorm import matching_form, words
from processors.tagging.numbers import find_numbers, number_value

SHINGLE_WORDS = 3
NUM_PERM = 60
BANDS, ROWS = 20, 3  # LSH S-curve: P(candidate) = 1-(1-J^3)^20 -> 0.94 at J=0.5, 0.02 at J=0.1
SAMPLE_MOD = 4  # MOD-m sketch (Broder 1997): keep shingles whose hash % m == 0
MAX_SAMPLES = 256  # bounds state for very long texts (samples come from the start)

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_LONG_VOWELS = str.maketrans("", "", "اوي")
_JOIN_WITH_NEXT = frozenset({"و", "عبد", "ابو", "بو"})  # detached conjunction, compound names
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)
_PERM_A, _PERM_B = (np.asarray(p, dtype=np.uint64) for p in _TEMPLATE.permutations)
_MERSENNE_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH = np.uint64((1 << 32) - 1)
# odd multipliers combining the k token hashes of a shingle (position matters)
_POSITION_MULTIPLIERS = [np.uint64(m) for m in (
    0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
    0x94D049BB133111EB)]


# --- words ------------------------------------------------------------------------------

@lru_cache(maxsize=1 << 17)
def _token_words(token: str) -> tuple[str, ...]:
    """Words of one whitespace token in matching form (per-character, so tokens cache)."""
    return tuple(words(matching_form(token)))


def normalised_words(text: str) -> list[str]:
    """`words(matching_form(text))`, computed token by token through a cache.

    The matching form maps characters independently and only collapses whitespace, so the
    result is the same as on the whole text, at a fraction of the cost on news vocabulary.
    """
    return list(chain.from_iterable(map(_token_words, text.split())))


@lru_cache(maxsize=1 << 17)
def _token_info(token: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(words of a whitespace token in matching form, the hashes of their folded forms)."""
    ws = _token_words(token)
    return ws, tuple(map(_token_hash, ws))


@lru_cache(maxsize=1 << 17)
def _is_number_part(token: str) -> bool:
    return not token.isdigit() and number_value(token) is not None


@lru_cache(maxsize=1 << 17)
def _fold(token: str) -> str:
    """Drop a leading و (conjunction) and the long vowels after the first letter."""
    if not _ARABIC_LETTER.match(token):
        return token
    if len(token) >= 4 and token[0] == "و":
        token = token[1:]
    return token[0] + token[1:].translate(_LONG_VOWELS) if len(token) > 2 else token


@lru_cache(maxsize=1 << 17)
def _token_hash(token: str) -> int:
    """Hash of the folded token."""
    return zlib.crc32(_fold(token).encode("utf-8"))


def _join_detached(tokens: list[str]) -> list[str]:
    if _JOIN_WITH_NEXT.isdisjoint(tokens):
        return tokens
    joined: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok in _JOIN_WITH_NEXT and i + 1 < n:
            tok = tok + tokens[i + 1]
            i += 1
        joined.append(tok)
        i += 1
    return joined


def _numbers_as_digits(tokens: list[str]) -> list[str]:
    """Runs of number words become their value: ["ميتين", "وسبعه", "وثمانين"] -> ["287"]."""
    flags = list(map(_is_number_part, tokens))
    if not any(flags):
        return tokens
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        if not flags[i]:
            out.append(tokens[i])
            i += 1
            continue
        j = i + 1
        while j < n and (flags[j] or tokens[j] == "و"):
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


def _compared(normalised: list[str]) -> list[str]:
    """Normalised words -> the tokens compared, before folding."""
    return _numbers_as_digits(_join_detached(normalised))


@lru_cache(maxsize=1 << 17)
def _is_special(word: str) -> bool:
    """A word its neighbours may merge with: a detached joiner or a number word."""
    return word in _JOIN_WITH_NEXT or _is_number_part(word)


def _compared_hashes(normalised: list[str], word_hashes: list[int]) -> list[int]:
    """Hashes of `_compared(normalised)`, rewriting only the stretches around special words.

    Joins and number runs never cross a word that is neither a joiner, nor a number word,
    nor right after a joiner, so each stretch can be rewritten on its own and the (cached)
    hashes of all other words reused as they are.
    """
    flags = list(map(_is_special, normalised))
    starts = list(compress(range(len(normalised)), flags))
    if not starts:
        return word_hashes
    out: list[int] = []
    pos, n = 0, len(normalised)
    for i in starts:
        if i < pos:
            continue
        out.extend(word_hashes[pos:i])
        j = i + 1
        while j < n and (flags[j] or normalised[j - 1] in _JOIN_WITH_NEXT):
            j += 1
        out.extend(map(_token_hash, _compared(normalised[i:j])))
        pos = j
    out.extend(word_hashes[pos:])
    return out


def dedup_tokens(text: str) -> list[str]:
    """Tokens of `text` in the form dedup compares (see module docstring)."""
    return [_fold(t) for t in _compared(normalised_words(text))]


def _exact_from_words(normalised: list[str]) -> str:
    content = " ".join(normalised)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()[:24] if content else ""


def exact_key(text: str) -> str:
    """Same normalised content (matching form, punctuation and spacing aside) -> same key."""
    return _exact_from_words(normalised_words(text))


# --- shingles and sketches --------------------------------------------------------------

def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser: every input bit affects every output bit."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _hashes_of(compared: list[str], k: int) -> np.ndarray:
    return _shingles_from(list(map(_token_hash, compared)), k)


def _shingles_from(token_hashes: list[int], k: int, distinct: bool = True) -> np.ndarray:
    """Shingle hashes from the token hashes, in order (repeats dropped if `distinct`)."""
    if not token_hashes:
        return np.empty(0, dtype=np.uint64)
    k = min(k, len(token_hashes), len(_POSITION_MULTIPLIERS))
    th = np.array(token_hashes, dtype=np.uint64)
    n = len(th) - k + 1
    combined = th[:n] * _POSITION_MULTIPLIERS[0]
    for j in range(1, k):
        combined = combined + th[j:j + n] * _POSITION_MULTIPLIERS[j]
    hashes = _fmix64(combined) & _MAX_HASH
    if not distinct:
        return hashes
    _, first = np.unique(hashes, return_index=True)
    return hashes[np.sort(first)]


def shingle_hashes(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """Distinct 32-bit hashes (uint64 array) of the k-token shingles, in order of appearance.

    A shingle's hash combines its tokens' cached hashes, so no shingle string is built.
    """
    return _hashes_of(_compared(normalised_words(text)), k)


def minhash(hashes: np.ndarray) -> MinHash:
    """datasketch MinHash of the shingle hashes (its permutations, vectorised update)."""
    if not len(hashes):
        return MinHash(num_perm=NUM_PERM, permutations=_TEMPLATE.permutations)
    # datasketch's (a*h + b) % (2^61 - 1) & (2^32 - 1), with the product wrapping at 2^64 as
    # in its uint64 arithmetic; x % (2^61 - 1) without a division: (x & p) + (x >> 61), once
    # more if that reaches p (it stays below 2p)
    x = hashes[:, None] * _PERM_A + _PERM_B
    x = (x & _MERSENNE_PRIME) + (x >> np.uint64(61))
    x = np.where(x >= _MERSENNE_PRIME, x - _MERSENNE_PRIME, x)
    values = (x & _MAX_HASH).min(axis=0)
    return MinHash(hashvalues=values, permutations=_TEMPLATE.permutations)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """Everything dedup needs about one text."""

    exact: str  # "" for a text with no words
    shingles: int  # number of shingles (positions)
    samples: tuple[int, ...]  # MOD-m sample of the shingle hashes (sorted)
    bands: tuple[str, ...]  # LSH band keys of the MinHash signature


_WORDS_OF, _HASHES_OF = itemgetter(0), itemgetter(1)


def fingerprint(text: str) -> Fingerprint:
    """Exact key, MOD-m sample and MinHash LSH bands of a text."""
    infos = list(map(_token_info, text.split()))
    normalised = list(chain.from_iterable(map(_WORDS_OF, infos)))
    exact = _exact_from_words(normalised)
    word_hashes = list(chain.from_iterable(map(_HASHES_OF, infos)))
    # repeated shingles change neither a MinHash nor a sample set: no need to drop them
    hashes = _shingles_from(_compared_hashes(normalised, word_hashes), SHINGLE_WORDS, distinct=False)
    if not len(hashes):
        return Fingerprint(exact, 0, (), ())
    sampled = hashes[hashes % np.uint64(SAMPLE_MOD) == 0][:MAX_SAMPLES]
    values = np.asarray(minhash(hashes).hashvalues, dtype=np.uint64)
    rows = values[:BANDS * ROWS].reshape(BANDS, ROWS)  # LSH: one hash per band of ROWS values
    combined = rows[:, 0] * _POSITION_MULTIPLIERS[0]
    for j in range(1, ROWS):
        combined = combined + rows[:, j] * _POSITION_MULTIPLIERS[j]
    band_hashes = (_fmix64(combined) & _MAX_HASH).tolist()
    bands = tuple(f"{band}:{h:08x}" for band, h in enumerate(band_hashes))
    return Fingerprint(exact, len(hashes), tuple(sorted(set(sampled.tolist()))), bands)


# A fingerprint computed elsewhere (the clean + tag helper process) travels with the cleaned
# article as a message header; the parameters are part of it so that one made with other
# settings is never used (the receiver computes its own instead).
FINGERPRINT_HEADER = "khabar-dedup-fingerprint"
_FINGERPRINT_FORMAT = f"1:{SHINGLE_WORDS}:{NUM_PERM}:{BANDS}x{ROWS}:{SAMPLE_MOD}:{MAX_SAMPLES}"


def encode_fingerprint(fp: Fingerprint) -> bytes:
    return json.dumps([_FINGERPRINT_FORMAT, fp.exact, fp.shingles, fp.samples, fp.bands],
                      separators=(",", ":")).encode()


def decode_fingerprint(value: bytes | None) -> Fingerprint | None:
    """The fingerprint in a header, or None if absent, malformed or made with other parameters."""
    if not value:
        return None
    try:
        form, exact, shingles, samples, bands = json.loads(value)
        if form != _FINGERPRINT_FORMAT:
            return None
        return Fingerprint(str(exact), int(shingles), tuple(int(s) for s in samples), tuple(str(b) for b in bands))
    except (ValueError, TypeError):
        return None


def resemblance(a: tuple[int, ...] | list[int], b: tuple[int, ...] | list[int]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger) estimated from two MOD-m samples."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0, 0.0
    inter = len(sa & sb)
    return inter / len(sa | sb), inter / min(len(sa), len(sb))
