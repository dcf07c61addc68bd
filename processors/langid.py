"""Language identification (ISO 639-1) with py3langid, fast enough for the stream.

py3langid walks the text byte by byte in Python, so its cost grows with the text; a few
hundred characters already give a confident answer for a news article, so only a sample is
classified. Short or ambiguous text (a title, "داعش يتقهقر" scores as Persian) is not
trusted: the language the feed declared is kept instead.
"""

from __future__ import annotations

from functools import lru_cache

UNDETERMINED = "und"
"""Returned when there is no text and no declared language (ISO 639-2 'undetermined')."""

SAMPLE_CHARS = 400
MIN_LETTERS = 40
MIN_CONFIDENCE = 0.9


@lru_cache(maxsize=1)
def _identifier():
    """The model, loaded once (it takes ~0.5 s), with probabilities normalised to 0..1."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_pickled_model(MODEL_FILE, norm_probs=True)


def _sample(text: str) -> str:
    """Up to SAMPLE_CHARS characters, cut at a word boundary."""
    if len(text) <= SAMPLE_CHARS:
        return text
    cut = text.rfind(" ", 0, SAMPLE_CHARS)
    return text[: cut if cut > SAMPLE_CHARS // 2 else SAMPLE_CHARS]


def classify(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence 0..1) for a sample of `text`; ("und", 0.0) for no text."""
    sample = _sample(text.strip())
    if not sample:
        return UNDETERMINED, 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)


def detect_language(text: str, declared: str | None = None) -> str:
    """ISO 639-1 code of `text`; the declared language wins when the text is too short to tell.

    A confident detection on enough text overrides the declaration (feeds often declare the
    site's default language for every item).
    """
    fallback = _normalise_code(declared) if declared else None
    letters = sum(1 for ch in text[: SAMPLE_CHARS * 2] if ch.isalpha())
    if letters == 0:
        return fallback or UNDETERMINED
    lang, prob = classify(text)
    if fallback and (letters < MIN_LETTERS or prob < MIN_CONFIDENCE):
        return fallback
    return lang


def _normalise_code(code: str) -> str:
    """'ar-SY', 'AR', 'ar_sy' -> 'ar' (the primary subtag, lower case)."""
    return code.strip().replace("_", "-").split("-")[0].lower() or UNDETERMINED
