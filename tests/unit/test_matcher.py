"""PhraseMatcher: word boundaries, proclitics, the ل-merged article, prefix cues and the
longest-match rule, on strings already in matching form."""

from __future__ import annotations

from processors.tagging.matcher import CUE_PROCLITICS, Hit, PhraseMatcher


def _matcher(*phrases: str, prefix: tuple[str, ...] = (), proclitics=None) -> PhraseMatcher:
    m = PhraseMatcher(proclitics) if proclitics else PhraseMatcher()
    for phrase in phrases:
        m.add(phrase, phrase)
    for phrase in prefix:
        m.add(phrase, phrase + "*", prefix=True)
    m.freeze()
    return m


def _found(m: PhraseMatcher, norm: str) -> list[tuple[str, tuple]]:
    return [(norm[h.start:h.end], h.payloads) for h in m.find(norm)]


def test_whole_words_only():
    m = _matcher("حمص")
    assert _found(m, "في حمص اليوم") == [("حمص", ("حمص",))]
    assert m.find("حمصي") == []  # the phrase must end its word
    assert m.find("احمص") == []  # and start it, or follow proclitics only


def test_proclitics_and_word_start():
    m = _matcher("حمص")
    hits = m.find("وبحمص")
    assert hits == [Hit(2, 5, 0, ("حمص",))]
    assert m.find("سحمص") == []  # not a name proclitic
    assert _matcher("قصف", proclitics=CUE_PROCLITICS).find("سقصف")[0].word_start == 0


def test_lam_merged_article():
    m = _matcher("الحسكه")
    (hit,) = m.find("للحسكه")
    assert (hit.start, hit.end, hit.lam, hit.payloads) == (0, 6, True, ("الحسكه",))
    assert m.find("وللحسكه")[0].lam
    assert m.find("بللحسكه") == []  # ل-merge takes only و/ف before it


def test_prefix_phrases_may_continue_the_word():
    m = _matcher(prefix=("قصف",))
    assert _found(m, "قصفت الطائرات") == [("قصف", ("قصف*",))]
    assert _found(_matcher("قصف"), "قصفت الطائرات") == []


def test_longest_wins_on_overlap_and_order_is_textual():
    m = _matcher("جبهه", "جبهه النصره", "النصره", "حلب")
    assert _found(m, "حلب و جبهه النصره في حلب") == [
        ("حلب", ("حلب",)), ("جبهه النصره", ("جبهه النصره",)), ("حلب", ("حلب",))]


def test_overlap_of_equal_length_keeps_the_earlier():
    m = _matcher("ا ب", "ب ج")
    assert _found(m, "ا ب ج") == [("ا ب", ("ا ب",))]


def test_latin_and_digits_take_no_proclitics():
    m = _matcher("isis", "2011")
    assert _found(m, "isis 2011") == [("isis", ("isis",)), ("2011", ("2011",))]
    assert m.find("wisis b2011") == []
