"""The tagger never raises on text it has not seen: words from its own vocabulary glued to
clitics, digits and punctuation in any order (a name or figure in the last word once raised
IndexError and sent an article to the dead-letter topic)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from processors.tagging.stage import get_tagger

PIECES = ["و", "ب", "ل", "ال", "قوات", "الجيش السوري", "منظمة", "هيومن رايتس ووتش", "قتل", "مقتل",
          "حصيلة", "الحصيلة", "وأكثر من", "من", "شخصا", "آخرين", "جريحا", "عنصرا", "و154", "12",
          "١٤", "ثلاثين", "في", "حلب", "إدلب", "تركيا", "الرئيس", "قال", "-", "(", ")", "،", ".",
          "قوات الأمن", "الاستخبارات الأردنية", "حرس الحدود", "أعدم", "وفاة", "ما بين", "و", "وداعش",
          "لداعش"]


@settings(max_examples=500, deadline=None)
@example(["قتل", "12", "شخصا", "،", "و154"], [" "] * 25)  # a coordinated figure, last word
@example(["قال", "وداعش"], [" "] * 25)  # a name after a clitic, last word
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=25),
       st.lists(st.sampled_from(["", " ", "  "]), min_size=25, max_size=25))
def test_tagging_any_arrangement_does_not_raise(pieces: list[str], gaps: list[str]) -> None:
    text = "".join(p + g for p, g in zip(pieces, gaps, strict=False))
    tags = get_tagger().tag_text(text)
    assert all(m.count > 0 for m in tags.casualties.killed + tags.casualties.injured)
    assert all(a.forms for a in tags.names.tags["actors"])
