"""What kind of toll a casualty figure is: today's incident, a long-run total, or no toll.

A report of one strike often recalls the war's toll in the same article ("since the
intervention began some 10,000 have been killed", "1,700 civilians killed in two months of
offensive"). Such a figure is `cumulative`: it is kept (a reader wants it) but alert
thresholds and `killed_max` leave it out, so a "50 or more killed" rule does not fire on a
background paragraph. The clause around the figure decides: a period after "since/during/
over" (منذ بدء، خلال شهرين، منذ 2011، over the past two months) or a word for a total
(إجمالي، ما مجموعه، in total).

Some figures next to a death word are not believable as any toll: a digit string shaped like
a phone number ("٠١٢٣٤٥٦٧٨٩": a leading zero, or seven digits and more without separators)
is dropped; an incident figure above `incident_max` is kept as cumulative (no single attack
kills that many; such a number is a campaign's or a war's). Both say why in a note.
"""

from __future__ import annotations

import re

from khabar.textnorm import matching_form
from processors.tagging.doc import with_proclitics

INCIDENT_MAX = 2000  # the deadliest single attacks of the Syrian war killed ~1,500 at most
BELIEVABLE_MAX = 2_000_000  # above any war's toll: a misread, not a count

# "since/during/over/throughout" ... followed closely by a period or a date
_PERIOD_LEADS = with_proclitics(matching_form(w) for w in (
    "منذ", "خلال", "طيلة", "طوال", "مدى", "مدار", "غضون", "since", "during", "over",
    "throughout", "past", "last"))
_PERIODS = with_proclitics(matching_form(w) for w in (
    "شهر", "الشهر", "شهرين", "شهران", "أشهر", "الأشهر", "شهور", "الشهور", "أسابيع", "الأسابيع",
    "أسبوعين", "عام", "العام", "عامين", "أعوام", "الأعوام", "سنة", "السنة", "سنتين", "سنوات",
    "السنوات", "عقد", "العقد", "بدء", "بداية", "اندلاع", "انطلاق", "مطلع",
    "الحرب", "النزاع", "الثورة", "الأزمة", "التدخل",
    # a month names a date to count from: "منذ السابع من أكتوبر", "منذ آذار"
    "يناير", "فبراير", "مارس", "أبريل", "إبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
    "أكتوبر", "نوفمبر", "ديسمبر", "كانون", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز",
    "آب", "أيلول", "تشرين",
    "month", "months", "weeks", "year", "years", "decade", "start", "beginning", "outbreak",
    "war", "conflict", "uprising", "intervention"))
# "since the intervention": a lead and a period; "in total": a total on its own
_TOTALS = with_proclitics(matching_form(w) for w in (
    "إجمالي", "الإجمالي", "إجمالية", "الإجمالية", "بالإجمال", "إجمالا", "مجموع",
    "المجمل", "بالمجمل", "تراكمية", "التراكمية", "total", "overall", "cumulative", "altogether"))
_SHORT_PERIODS = with_proclitics(matching_form(w) for w in (
    "يوم", "يومي", "يومين", "يومان", "ساعة", "ساعات", "الساعات", "ليلة", "الليلة",
    "hours", "overnight"))
# Arabic only: English "war monitor" names the source of an incident toll
_WAR_TOLLS = with_proclitics(matching_form(w) for w in ("الحرب", "النزاع", "الصراع"))
_MAJMUUH = matching_form("مجموعه")
_NEAR_PERIOD = 3  # words from a lead to its period ("خلال الأشهر الثلاثة", "over the past two months")
_PHONE = re.compile(r"0\d+|\d{7,}")


def clause_scope(before: list[str], after: list[str]) -> str:
    """`cumulative` if the clause around a figure speaks of a period or a total, else
    `incident`. `before`/`after`: the clause's words next to the figure, nearest first for
    `after` and nearest last for `before`."""
    words = [*before, *after]
    # "إجمالي ضحايا اشتباكات يومي الخميس والجمعة": the total of a day or two is one incident's
    short = not _SHORT_PERIODS.isdisjoint(words)
    for i, word in enumerate(words):
        # "ما مجموعه" (a total of); "مجموعة" alone is a group ("مجموعة تفجيرات")
        if (word in _TOTALS or (word == "ما" and words[i + 1:i + 2] == [_MAJMUUH])) and not short:
            return "cumulative"
        if word in _PERIOD_LEADS:
            for nxt in words[i + 1:i + 1 + _NEAR_PERIOD]:
                if nxt in _PERIODS or _is_year(nxt):
                    return "cumulative"
    # "قتلوا في الحرب", "the war has killed": a war's toll, not an attack's
    return "cumulative" if not _WAR_TOLLS.isdisjoint(before[-4:] + after[:4]) else "incident"


def _is_year(word: str) -> bool:
    return word.isdigit() and len(word) == 4 and 1900 <= int(word) <= 2100


def implausible(written: str, value: int) -> str | None:
    """Why a figure cannot be a toll at all (then it is dropped), else None.

    `written` is the figure as it stands in the matching form ("0123456789", "ألف").
    """
    digits = written.replace(",", "").replace(".", "")
    if digits.isdigit() and _PHONE.fullmatch(digits) and len(digits) > 1:
        return f"{written}: a phone-number-like digit string, not a count"
    if value > BELIEVABLE_MAX:
        return f"{value}: larger than any war's toll, taken as a misread"
    return None


def bounded_scope(value: int, scope: str) -> tuple[str, str | None]:
    """An incident figure above INCIDENT_MAX is read as cumulative; returns (scope, note)."""
    if scope == "incident" and value > INCIDENT_MAX:
        return "cumulative", (f"{value}: above {INCIDENT_MAX}, more than one incident's toll, "
                              "counted as cumulative")
    return scope, None
