"""What dedup compares: normalised tokens, shingles, sketches, and the store layout helpers."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from khabar.textnorm import matching_form, words
from processors.dedup.state import (
    POSTING_CAP,
    DedupState,
    pack_bands,
    pack_ints,
    unpack_bands,
    unpack_ints,
)
from processors.dedup.text import (
    NUM_PERM,
    dedup_tokens,
    exact_key,
    fingerprint,
    minhash,
    normalised_words,
    resemblance,
    shingle_hashes,
)


def test_number_words_and_digits_compare_equal() -> None:
    assert dedup_tokens("سيطر التنظيم على ستة مواقع") == dedup_tokens("سيطر التنظيم على 6 مواقع")
    assert dedup_tokens("قتل مئتين وسبعة وثمانين عنصرا") == dedup_tokens("قتل ٢٨٧ عنصرا")
    assert dedup_tokens("نحو أربعين جهادياً") == dedup_tokens("نحو 40 جهاديا")
    assert dedup_tokens("قتل 6 عناصر") != dedup_tokens("قتل 7 عناصر")


def test_spelling_variants_compare_equal() -> None:
    assert dedup_tokens("بتوقيت غرينتش") == dedup_tokens("بتوقيت غرينيتش")
    assert dedup_tokens("قال نتنياهو") == dedup_tokens("قال نتانياهو")
    assert dedup_tokens("رامي عبد الرحمن") == dedup_tokens("رامي عبدالرحمن")
    assert dedup_tokens("تركيا و بمساعدة") == dedup_tokens("تركيا وبمساعدة") == dedup_tokens("تركيا بمساعدة")
    assert dedup_tokens("«قسد» تتقدم، ببطء") == dedup_tokens('"قسد" تتقدم, ببطء')
    assert dedup_tokens("حلب") != dedup_tokens("حماة")


def test_exact_key_ignores_punctuation_and_spelling_forms_only() -> None:
    assert exact_key("«داعش» يخسر، مواقعه.") == exact_key('"داعش" يخسر مواقعه')
    assert exact_key("إدلب") == exact_key("ادلب")
    assert exact_key("ستة مواقع") != exact_key("6 مواقع")  # a number word is an edit
    assert exact_key("  ") == ""


_ALPHABET = st.sampled_from(list(
    "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة" "abcXYZ019" "٠١٢٣٤٥٦٧٨٩۴۵"
    "\u064b\u064e\u0650\u0651\u0652\u0640" "«»“”‘’،؛؟.,!:-()\"'"
    " \n\t\u00a0\u200b\u200c\u200f\ufeff" "\ufef5\ufe8d\ufb50\uff21\ufdfa"))


@settings(max_examples=300, deadline=None)
@given(st.text(_ALPHABET, max_size=80))
def test_token_cached_normalisation_equals_the_matching_form(text: str) -> None:
    """dedup normalises word by word (cached); it must equal the shared matching form."""
    assert normalised_words(text) == words(matching_form(text))


def test_vectorised_minhash_equals_datasketch_update() -> None:
    hashes = shingle_hashes("طردت قوات النظام السوري ووحدات حماية الشعب الكردية الثلاثاء داعش من مدينة الحسكة")
    ours = minhash(hashes)
    reference = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=int)
    reference.update_batch(hashes.tolist())
    assert np.array_equal(ours.hashvalues, reference.hashvalues)
    assert ours.jaccard(reference) == 1.0


def test_shingles_and_fingerprint() -> None:
    text = "واحد اثنان ثلاثة كلمة أخرى هنا وهناك في النص الطويل"
    hashes = shingle_hashes(text)
    assert len(hashes) == len(set(hashes.tolist())) == len(dedup_tokens(text)) - 2
    assert all(0 <= h < 2**32 for h in hashes.tolist())
    fp = fingerprint(text)
    assert fp.shingles == len(hashes) and len(fp.bands) == 20
    assert set(fp.samples) <= set(hashes.tolist())
    assert fingerprint("").exact == "" and fingerprint("").bands == ()
    short = fingerprint("كلمة")  # fewer words than a shingle: one shingle of what there is
    assert short.shingles == 1


@given(st.lists(st.integers(0, 2**32 - 1), max_size=50), st.lists(st.integers(0, 2**32 - 1), max_size=50))
def test_resemblance_bounds_and_symmetry(a: list[int], b: list[int]) -> None:
    jaccard, containment = resemblance(a, b)
    assert (jaccard, containment) == resemblance(b, a)
    assert 0.0 <= jaccard <= containment <= 1.0
    if a and set(a) == set(b):
        assert (jaccard, containment) == (1.0, 1.0)


@given(st.lists(st.integers(0, 2**32 - 1), max_size=300))
def test_packed_ints_round_trip(values: list[int]) -> None:
    assert list(unpack_ints(pack_ints(values))) == values


def test_packed_bands_round_trip() -> None:
    bands = fingerprint("قوات النظام تطرد داعش من مدينة الحسكة بعد معارك عنيفة استمرت أسابيع").bands
    assert tuple(unpack_bands(pack_bands(bands))) == bands


def test_posting_lists_are_capped_and_cleaned_up() -> None:
    store: dict = {}
    state = DedupState(store)
    for i in range(POSTING_CAP + 5):
        state.add_posting("s:0000002a", f"doc{i}")
    assert state.postings("s:0000002a") == [f"doc{i}" for i in range(5, POSTING_CAP + 5)]
    for i in range(POSTING_CAP + 5):
        state.remove_posting("s:0000002a", f"doc{i}")
    assert "s:0000002a" not in store


def test_expiry_walks_only_buckets_that_left_the_window() -> None:
    store: dict = {}
    state = DedupState(store)
    assert state.expire_before(100) == 0 and store["w:cursor"] == 100
    for hour, key in [(100, "a"), (100, "b"), (101, "c"), (105, "d")]:
        state.put_record(key, {"id": key, "t": hour, "x": f"x{key}", "s": pack_ints([7]), "b": ""})
        state.index(key, f"x{key}", (), [7])
        state.register(key, hour)
    # "b" was revised in hour 104: its hour-100 registration must not expire it
    state.put_record("b", {**state.record("b"), "t": 104})
    state.register("b", 104)
    assert state.expire_before(102) == 2  # a and c
    assert state.record("a") is None and state.record("c") is None
    assert state.record("b") is not None and state.postings("s:00000007") == ["b", "d"]
    assert "w:100" not in store and "w:101" not in store and store["w:cursor"] == 102
    assert state.expire_before(106) == 2
    assert set(store) == {"w:cursor"}


_WORDS = st.sampled_from(["و", "عبد", "ابو", "الرحمن", "سته", "6", "ثلاثين", "وثلاثين", "خمسه",
                          "وعشرين", "ميتين", "وسبعه", "وثمانين", "الف", "الاف", "احد", "واحده",
                          "قتل", "مواقع", "قال", "المرصد", "في", "ست", "عشر", "three", "and"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=30))
def test_stretch_rewriting_equals_the_whole_pipeline(tokens: list[str]) -> None:
    """The fast path rewrites only around joiners and number words; same hashes as all of it."""
    from processors.dedup.text import _compared, _compared_hashes, _token_hash

    expected = [_token_hash(t) for t in _compared(tokens)]
    assert _compared_hashes(tokens, [_token_hash(t) for t in tokens]) == expected
