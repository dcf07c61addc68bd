"""Which of several same-named places a document means, from the other places it names.

A generated gazetteer holds thousands of villages and small towns whose names repeat across
the country and abroad. A name alone never decides; the document does:

- a place abroad named with its country in the same sentence is that place, even when a
  Syrian place answers to the same name (`country_aliases`: "صور في لبنان" is Tyre);
- a Syrian village (`needs_support`) counts when the document names its governorate or
  district, or another place it names lies within NEAR_KM of it; of several villages of
  one name the nearest wins only when it is clearly nearer, otherwise none is tagged;
- a place abroad that needs support counts when its country (or another place of it) is
  named in the document, or a place within NEAR_KM (a border town: Nusaybin by Qamishli).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from processors.tagging.taxonomy import PlaceEntry

NEAR_KM = 30.0
# kinds whose coordinates are a real point near the places around them (a governorate's
# or a country's centroid says nothing about which village is meant)
_POINT_KINDS = frozenset({"city", "town", "village", "neighbourhood", "subdistrict", "area"})


def km(a: PlaceEntry, b: PlaceEntry) -> float:
    """Great-circle distance between two entries' own coordinates."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


class Support:
    """What the confirmed places of a document vouch for."""

    def __init__(self, confirmed: Iterable[PlaceEntry], countries: Iterable[str] = ()) -> None:
        self.admin1: set[str] = set()
        self.admin2: set[str] = set()
        self.countries: set[str] = set(countries)  # also named by an adjective ("التركية")
        self.points: list[PlaceEntry] = []
        for place in confirmed:
            self.countries.add(place.country)
            if place.kind == "governorate":
                self.admin1.add(place.id)
            elif place.kind == "district":
                self.admin2.add(place.id)
            if place.admin1:
                self.admin1.add(place.admin1)
            if place.admin2:
                self.admin2.add(place.admin2)
            if place.kind in _POINT_KINDS:
                self.points.append(place)

    def nearest_km(self, place: PlaceEntry) -> float:
        """Distance to the nearest other confirmed point (inf when there is none)."""
        return min((km(place, p) for p in self.points if p.id != place.id), default=math.inf)

    def vouches(self, place: PlaceEntry) -> bool:
        """The document names the place's surroundings: its country (abroad), governorate or
        district (Syria), or a place near it."""
        if place.country != "SY" and place.country in self.countries:
            return True
        if place.admin1 in self.admin1 or (place.admin2 and place.admin2 in self.admin2):
            return True
        return self.nearest_km(place) <= NEAR_KM


def pick(places: Sequence[PlaceEntry], support: Support) -> PlaceEntry | None:
    """The one place the document vouches for, or the clearly nearest of several; None when
    the document does not decide (an ambiguous village stays untagged)."""
    vouched = [p for p in places if support.vouches(p)]
    if len(vouched) <= 1:
        return vouched[0] if vouched else None
    dists = sorted((support.nearest_km(p), i) for i, p in enumerate(vouched))
    best, second = dists[0][0], dists[1][0]
    if best <= NEAR_KM and second > max(NEAR_KM, 2 * best):
        return vouched[dists[0][1]]
    return None
