"""Rules on the five real seed articles, tagged by the real clean + tag stages and taxonomy.

Seeds: 000 Hasakah battle (287 killed, mentions Idlib), 001 Hasakah (other outlet, no
deaths), 002 Aleppo/Khan Shaykhun incl. a sarin attack, 003 Hasakah (30 killed),
004 SDF east of the Euphrates (16 killed, mentions Idlib).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from ingest.files import text_article
from khabar.models import Article, SourceRef
from khabar.settings import CONFIG_DIR
from processors.alerts.places import PlaceIndex, load_place_index
from processors.alerts.rules import Rule, load_rules
from processors.alerts.stage import AlertEngine
from processors.pipeline import clean_and_tag
from tests.unit.test_alert_support import T0


@pytest.fixture(scope="module")
def places() -> PlaceIndex:
    return load_place_index(CONFIG_DIR / "taxonomy")


@pytest.fixture(scope="module")
def seeds(seeds_dir) -> dict[str, Article]:
    """Seed number -> tagged Article, each from its own outlet, fetched 10 minutes apart."""
    out = {}
    for n, path in enumerate(sorted(seeds_dir.glob("*.txt"))):
        raw = text_article(path, source=SourceRef(id=f"outlet-{path.name[:3]}"),
                           fetched_at=T0 + timedelta(minutes=10 * n))
        out[path.name[:3]] = clean_and_tag(raw)
    assert sorted(out) == ["000", "001", "002", "003", "004"]
    return out


def fired_on(condition: dict, seeds: dict[str, Article], places: PlaceIndex) -> list[str]:
    """Seeds on which a one-off rule with this condition fires (fresh state per article)."""
    rule = Rule.model_validate({"id": "r", "title": "r", "condition": condition})
    return [n for n, article in seeds.items()
            if AlertEngine([rule], {}, places=places).evaluate(article, now=T0).alerts]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"killed_min": 100}, ["000"]),                                   # 287 deaths
        ({"killed_min": 20}, ["000", "003"]),
        ({"places": ["sy-idlib"], "killed_min": 10}, ["000", "004"]),     # governorate via towns
        ({"places": ["sy-al-hasakah"]}, ["000", "001", "003"]),
        ({"places": ["sy-town-khan-shaykhun"]}, ["002"]),
        ({"event_types": ["chemical_weapon"]}, ["002"]),
        ({"actors": ["sdf"]}, ["002", "004"]),
        ({"persons": ["mustafa_bali"]}, ["004"]),
        ({"language": "ar"}, ["000", "001", "002", "003", "004"]),
        ({"language": "en"}, []),
        ({"sources": ["outlet-003"]}, ["003"]),
        ({"terms": ["غاز السارين"]}, ["002"]),
        ({"terms": ["كيميائي*"]}, ["002"]),
        ({"terms": ["الحسكه"]}, ["000", "001", "003"]),                   # ه / ة
        ({"places": ["sy-al-hasakah"], "none": [{"killed_min": 1}]}, ["001"]),
    ],
)
def test_each_condition_type_on_the_seeds(condition, expected, seeds, places):
    assert fired_on(condition, seeds, places) == expected


def test_shipped_rules_on_the_seeds(seeds, places):
    engine = AlertEngine(load_rules(CONFIG_DIR / "rules.yaml"), {}, places=places)
    fired = {n: engine.evaluate(a, now=a.fetched_at).article.alerts for n, a in seeds.items()}
    assert "mass-casualty-50" in fired["000"] and "idlib-deaths-10" in fired["000"]
    assert "chemical-weapon" in fired["002"]
    # the third Hasakah outlet within the hour completes the burst
    assert "hasakah-clashes-3-outlets" not in fired["000"] + fired["001"]
    assert "hasakah-clashes-3-outlets" in fired["003"]
    assert "mass-casualty-50" not in fired["003"] + fired["004"]  # 30 and 16 deaths


def test_burst_on_seeds_fires_once_and_is_throttled_after(seeds, places):
    burst = Rule.model_validate({
        "id": "hasakah", "title": "Hasakah clashes",
        "condition": {"places": ["sy-al-hasakah"], "event_types": ["armed_clash"]},
        "burst": {"min_sources": 3, "window": "1h"},
    })
    engine = AlertEngine([burst], {}, places=places)
    new, updates = [], []
    for n in ("000", "001", "003"):
        out = engine.evaluate(seeds[n], now=seeds[n].fetched_at)
        new.append(len(out.alerts))
        updates += out.updates
    assert new == [0, 0, 1] and updates == []
    later = seeds["001"].model_copy(update={"id": "another", "source": SourceRef(id="outlet-x"),
                                            "fetched_at": T0 + timedelta(minutes=45)})
    out = engine.evaluate(later, now=later.fetched_at)
    assert out.alerts == [] and out.updates[0].count == 4 and out.updates[0].sources[-1] == "outlet-x"
