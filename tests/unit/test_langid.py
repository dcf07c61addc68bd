"""Language identification: py3langid's model, a sample of the text, the feed's declaration."""

from __future__ import annotations

from pathlib import Path

import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from processors.langid import UNDETERMINED, classify, detect_language

ENGLISH = ("Syrian government forces and Kurdish fighters drove the Islamic State group out of "
           "the northeastern city of Hasakah on Tuesday, a monitoring group said, after weeks "
           "of fighting that displaced tens of thousands of civilians.")
FRENCH = ("Les forces gouvernementales syriennes ont chassé mardi le groupe État islamique de la "
          "ville de Hassaké, dans le nord-est du pays, selon une ONG.")


def test_arabic_seeds_are_arabic(seeds_dir: Path) -> None:
    for path in sorted(seeds_dir.glob("*.txt")):
        assert detect_language(path.read_text(encoding="utf-8")) == "ar", path.name


def test_english_and_french() -> None:
    assert detect_language(ENGLISH) == "en"
    assert detect_language(FRENCH) == "fr"
    assert detect_language(ENGLISH, declared="ar") == "en"  # confident text beats a wrong declaration


def test_short_text_keeps_the_declared_language() -> None:
    assert classify("داعش يتقهقر")[0] != "ar"  # the model alone gets this title wrong
    assert detect_language("داعش يتقهقر", declared="ar") == "ar"
    assert detect_language("Email", declared="AR_sy") == "ar"
    assert detect_language("", declared="en-GB") == "en"
    assert detect_language("   ") == UNDETERMINED
    assert detect_language("12 / 7 — !!") == UNDETERMINED


@pytest.mark.parametrize("text", [ENGLISH, FRENCH, "بيروت", "hello", "داعش يتقهقر ويخسر بالكامل مناطق سيطرته في حلب"])
def test_same_answer_as_py3langid(text: str) -> None:
    """The sparse scoring is an optimisation only: py3langid itself gives the same answer."""
    reference = LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)
    lang, prob = classify(text)
    ref_lang, ref_prob = reference.classify(text)
    assert lang == ref_lang
    assert prob == pytest.approx(float(ref_prob), abs=1e-4)
