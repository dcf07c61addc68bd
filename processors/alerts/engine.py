"""The alert engine: every rule against one article, with state in a plain mapping.

Why it is shaped this way:
- Rules fire on originals. A copy (dedup.status != original, dedup.of set) does not fire a
  rule again; it raises the count of the alerts its original belongs to (`o:<original id>`
  -> alert ids, kept for `link_ttl`). The one exception is a burst grouped by story: copies
  on other outlets are how a story spreads, so they count toward it.
- Alert ids are deterministic (rule id + group + window start), and an alert already in the
  store is not raised again, so a replay overwrites instead of duplicating.
- Time is the article's `fetched_at` (when the poller saw it): it is set once at ingest, so
  a replay of the topic sees the same windows, and it does not depend on feeds' often
  wrong publication dates. `now` only drives expiry.
- The store is a MutableMapping used through get/set/del/contains only (a dict offline, a
  Faust table in the stream); everything in it expires (processors/alerts/store.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from khabar.durations import format_duration
from khabar.models import Alert, Article, stable_id, utcnow
from processors.alerts.burst import BurstCounter
from processors.alerts.conditions import ArticleView, Match, evaluate
from processors.alerts.places import PlaceIndex, load_place_index
from processors.alerts.rules import Rule
from processors.alerts.store import TimedStore, WriteBuffer, apply_writes

MAX_IDS_PER_ALERT = 100  # article_ids/sources kept on an alert; `count` keeps counting

Status = Literal["fired", "joined", "pending", "no_match", "no_group", "too_old", "copy"]


@dataclass
class RuleResult:
    """What one rule made of the article, for `khabar rules test` and logs."""

    rule_id: str
    status: Status
    reasons: list[str] = field(default_factory=list)
    alert_ids: list[str] = field(default_factory=list)


@dataclass
class AlertOutcome:
    article: Article  # with `alerts` = ids of the rules it fired
    alerts: list[Alert] = field(default_factory=list)  # new alerts
    updates: list[Alert] = field(default_factory=list)  # existing alerts whose count grew
    results: list[RuleResult] = field(default_factory=list)


def _epoch(ts: datetime) -> float:
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).timestamp()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def _default_places() -> PlaceIndex:
    from khabar.settings import get_settings

    return load_place_index(get_settings().taxonomy_dir)


class AlertEngine:
    def __init__(
        self,
        rules: list[Rule],
        store: MutableMapping[str, Any],
        places: PlaceIndex | Callable[[], PlaceIndex] | None = None,
        link_ttl: timedelta = timedelta(days=14),
        slots: MutableMapping[str, Any] | None = None,
        journal: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.rules = [r for r in rules if r.enabled]
        # writes of one evaluate() are folded per key; `journal` gets them as one dict
        self.store = store
        self.buffer = WriteBuffer(store, journal)
        self.timed = TimedStore(self.buffer, slots)
        self.bursts = BurstCounter(self.timed)
        self.link_ttl = link_ttl.total_seconds()
        self._places_source = places if places is not None else _default_places
        self._places: PlaceIndex | None = places if isinstance(places, PlaceIndex) else None

    def _place_index(self) -> PlaceIndex:
        if self._places is None:
            self._places = self._places_source()  # type: ignore[operator]
        return self._places

    # --- public -------------------------------------------------------------------------

    def evaluate(self, article: Article, now: datetime | None = None) -> AlertOutcome:
        """Evaluate every enabled rule; return the article (alerts set), new alerts and updates."""
        run = _Run(self, article, _epoch(now or utcnow()))
        try:
            self.timed.sweep(run.now)
            run.go()
        finally:
            self.buffer.flush()
        fired = list(dict.fromkeys(run.fired_rules))
        return AlertOutcome(article.model_copy(update={"alerts": fired}), run.alerts,
                            list(run.updates.values()), run.results)

    def rebuild_slots(self, items: Any) -> int:
        """Re-derive the local expiry slots from the store's entries (a worker took the partition)."""
        return self.timed.rebuild_slots(items)

    def restore(self, journaled: Iterable[dict[str, Any]]) -> int:
        """Rebuild the store from journaled evaluations (oldest first), then the expiry slots."""
        for writes in journaled:
            apply_writes(self.store, writes)
        return self.rebuild_slots(list(self.store.items()))

    # --- store helpers ------------------------------------------------------------------

    def load_alert(self, alert_id: str, now: float) -> Alert | None:
        doc = self.timed.get(f"a:{alert_id}", now)
        return Alert.model_validate(doc) if doc else None

    def save_alert(self, alert: Alert, now: float) -> None:
        self.timed.put(f"a:{alert.id}", alert.to_doc(), now + self.link_ttl)

    def link(self, article_id: str, alert_id: str, now: float) -> None:
        """Remember that this article's copies belong to this alert."""
        key = f"o:{article_id}"
        linked = self.timed.get(key, now) or []
        if alert_id not in linked:
            self.timed.put(key, [*linked, alert_id][-MAX_IDS_PER_ALERT:], now + self.link_ttl)

    def linked_alerts(self, article_id: str, now: float) -> list[str]:
        return self.timed.get(f"o:{article_id}", now) or []


class _Run:
    """One evaluate() call."""

    def __init__(self, engine: AlertEngine, article: Article, now: float) -> None:
        self.engine, self.article, self.now = engine, article, now
        self.at = _epoch(article.fetched_at)
        self.view = ArticleView(article, engine._place_index)
        self.is_copy = article.dedup.status != "original" and bool(article.dedup.of)
        self.story = article.dedup.of if self.is_copy else article.id
        self.alerts: list[Alert] = []
        self.updates: dict[str, Alert] = {}
        self.results: list[RuleResult] = []
        self.fired_rules: list[str] = []

    def go(self) -> None:
        joined_rules: set[str] = set()
        if self.is_copy:
            for alert_id in self.engine.linked_alerts(self.story, self.now):
                alert = self._join(alert_id, link=False)
                if alert is not None:
                    joined_rules.add(alert.rule_id)
        for rule in self.engine.rules:
            if self.is_copy and (rule.id in joined_rules or rule.burst is None or rule.grouping != "story"):
                status = "joined" if rule.id in joined_rules else "copy"
                why = (f"copy of {self.story}: raised the count of its alert" if status == "joined"
                       else f"copy of {self.story}: copies do not fire rules")
                self.results.append(RuleResult(rule.id, status, [why]))
                continue
            self.results.append(self._rule(rule))

    def _rule(self, rule: Rule) -> RuleResult:
        a = self.article
        if rule.max_age and a.published_at and self.at - _epoch(a.published_at) > rule.max_age.total_seconds():
            return RuleResult(rule.id, "too_old", [f"published more than {format_duration(rule.max_age)} before it was fetched"])
        match = evaluate(rule.condition, self.view)
        if not match.ok:
            return RuleResult(rule.id, "no_match", match.reasons)
        groups = self._groups(rule, match)
        if not groups:
            return RuleResult(rule.id, "no_group", [*match.reasons, "no place to group by"])
        result = RuleResult(rule.id, "pending", list(match.reasons))
        for group in groups:
            status, alert_id, note = self._fire(rule, group, match)
            if note:
                result.reasons.append(note)
            if alert_id:
                result.alert_ids.append(alert_id)
            if status == "fired" or (status == "joined" and result.status != "fired"):
                result.status = status
        if result.status in ("fired", "joined"):
            self.fired_rules.append(rule.id)
        return result

    def _groups(self, rule: Rule, match: Match) -> list[str]:
        if rule.grouping == "story":
            return [self.story]
        if match.places:
            return match.places
        # no place filter: group by governorate (else the place itself)
        index = self.view.place_index
        return list(dict.fromkeys(t.admin1 or index.admin1(t.id) or t.id for t in self.article.places))

    def _fire(self, rule: Rule, group: str, match: Match) -> tuple[str, str | None, str]:
        """Raise, join or hold the alert of (rule, group); returns (status, alert id, note)."""
        engine, now, a = self.engine, self.now, self.article
        throttle_key = f"t:{rule.id}:{group}"
        throttle = engine.timed.get(throttle_key, now)
        if throttle and throttle["since"] <= self.at < throttle["until"]:
            alert = self._join(throttle["alert"], link=True)
            if alert is not None:
                until = _iso(throttle["until"])
                return "joined", alert.id, f"throttled until {until} (group {group}): joined alert {alert.id}"
        articles, sources, window_start = [a.id], [a.source.id], None
        note = ""
        if rule.burst is not None:
            state = engine.bursts.add(rule.id, rule.burst, group, self.at, a.id, a.source.id, now)
            window = format_duration(rule.burst.window)
            if not state.met:
                return "pending", None, f"burst in group {group}: {state.progress(rule.burst)} within {window}"
            articles, sources, window_start = state.articles, state.sources, state.window_start
            note = (f"burst in group {group}: {len(articles)} reports from {len(sources)} sources "
                    f"({', '.join(sources)}) within {window}")
        elif rule.throttle_period is not None:
            window_start = self.at
        alert_id = stable_id("alert", rule.id, group, _iso(window_start) if window_start is not None else "")
        existing = engine.load_alert(alert_id, now)
        if existing is not None:  # a replay: the alert was raised already
            self._join(alert_id, link=True, alert=existing)
            return "fired", alert_id, note
        reason = "; ".join([*match.reasons, note] if note else match.reasons)
        alert = Alert(
            id=alert_id, rule_id=rule.id, title=rule.title, severity=rule.severity, group=group,
            article_ids=articles[:MAX_IDS_PER_ALERT], count=len(articles),
            sources=sources[:MAX_IDS_PER_ALERT], reason=reason,
            at=datetime.fromtimestamp(now, UTC), timestamp=a.fetched_at,
        )
        engine.save_alert(alert, now)
        for article_id in articles:
            engine.link(article_id, alert_id, now)
        period = rule.throttle_period
        if period is not None:
            since = window_start if window_start is not None else self.at
            until = self.at + period.total_seconds()
            engine.timed.put(throttle_key, {"alert": alert_id, "since": since, "until": until},
                             max(until, now + 60.0))
        self.alerts.append(alert)
        return "fired", alert_id, note

    def _join(self, alert_id: str, link: bool, alert: Alert | None = None) -> Alert | None:
        """Count this article into an existing alert (once per article id)."""
        engine, now, a = self.engine, self.now, self.article
        alert = alert or self.updates.get(alert_id) or engine.load_alert(alert_id, now)
        if alert is None:
            return None
        full = len(alert.article_ids) >= MAX_IDS_PER_ALERT
        counted_key = f"c:{alert_id}:{a.id}"  # beyond the id cap, remember who was counted
        if a.id not in alert.article_ids and not (full and engine.timed.get(counted_key, now)):
            if full:
                engine.timed.put(counted_key, 1, now + engine.link_ttl)
            alert = alert.model_copy(update={
                "count": alert.count + 1,
                "article_ids": [*alert.article_ids, a.id][:MAX_IDS_PER_ALERT],
                "sources": alert.sources if a.source.id in alert.sources
                else [*alert.sources, a.source.id][:MAX_IDS_PER_ALERT],
            })
            engine.save_alert(alert, now)
            self.updates[alert_id] = alert
        if link:
            engine.link(a.id, alert_id, now)
        return alert
