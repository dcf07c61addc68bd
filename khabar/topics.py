"""Create the pipeline's Kafka topics up front (consumers do not auto-create topics, and a
topic that appears after a consumer subscribed is only noticed at the next metadata refresh)."""

from __future__ import annotations

from khabar.errors import ServiceUnavailable, UserError
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger("khabar.topics")

# Every topic of the pipeline (DESIGN.md §2), named without the configurable prefix
# (`settings.topic(name)` adds it). Code refers to these constants, never to string literals.
RAW = "articles.raw"  # RawArticle, produced by ingest
CLEANED = "articles.cleaned"  # cleaned + tagged Article; ONE partition (see below)
ENRICHED = "articles.enriched"  # every processed Article, duplicates included
UPDATES = "articles.updates"  # ArticleUpdate: partial updates such as an original's copy count
ALERTS = "alerts"  # Alert
DLQ = "articles.dlq"  # DeadLetter {record, stage, error, at}
FEEDS_STATE = "feeds.state"  # FeedState, compacted (created by ingest.state.ensure_state_topic)
# The dedup state log: ONE compact record per article (its fingerprint and status, keyed by its
# doc key), compacted + deleted after the dedup window. The dedup index lives in the worker's
# local store and is rebuilt from this topic when the worker takes `articles.cleaned`.
FINGERPRINTS = "dedup.fingerprints"
# The alert state log: ONE message per article that changed alert state (the keys its evaluation
# wrote, None = deleted), replayed in order to rebuild the worker's local alert store. Not
# compacted (a message holds several keys); deleted once every entry it wrote has expired.
ALERT_STATE = "alerts.state"

# name -> partitions of the topics created up front. `articles.cleaned` has ONE partition:
# dedup and burst alerts must see every article in one place (see processors/app.py).
PIPELINE_TOPICS: dict[str, int] = {
    RAW: 4,
    CLEANED: 1,
    ENRICHED: 4,
    UPDATES: 4,
    ALERTS: 4,
    DLQ: 4,
    FINGERPRINTS: 1,
    ALERT_STATE: 1,
}
FEEDS_STATE_PARTITIONS = 1

# The topics the workers consume or produce between ingest and Elasticsearch: all of them
# committed means nothing is in flight (`khabar run --once` waits for this).
IN_FLIGHT_TOPICS: tuple[str, ...] = (RAW, CLEANED, ENRICHED, UPDATES, ALERTS)


DAY_MS = 86_400_000
ALERT_STATE_DAYS = 14  # the alert engine's link_ttl, its longest-lived entries


def topic_configs(settings: Settings) -> dict[str, dict[str, str]]:
    """Broker configs of the topics that need them (name without prefix -> config)."""
    # a fingerprint is needed for the dedup window after its last write; one day of slack
    retention_ms = int((settings.dedup_window_days + 1) * DAY_MS)
    # alert entries live at most ALERT_STATE_DAYS (links of an original to its alerts)
    alert_ms = int((ALERT_STATE_DAYS + 1) * DAY_MS)
    return {FINGERPRINTS: {"cleanup.policy": "compact,delete", "retention.ms": str(retention_ms),
                           "segment.ms": str(min(retention_ms, DAY_MS))},
            ALERT_STATE: {"cleanup.policy": "delete", "retention.ms": str(alert_ms),
                          "segment.ms": str(DAY_MS)}}


def ensure_topics(settings: Settings, partitions: dict[str, int] | None = None) -> list[str]:
    """Create missing pipeline topics; return the names created (idempotent)."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import NoBrokersAvailable, TopicAlreadyExistsError

    wanted = {settings.topic(name): n for name, n in (partitions or PIPELINE_TOPICS).items()}
    try:
        admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=15000)
    except NoBrokersAvailable:
        raise ServiceUnavailable(f"Kafka not reachable at {settings.kafka_bootstrap}") from None
    try:
        existing = set(admin.list_topics())
        configs = {settings.topic(name): c for name, c in topic_configs(settings).items()}
        missing = [NewTopic(name, n, 1, topic_configs=configs.get(name, {}))
                   for name, n in wanted.items() if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another process created them meanwhile
            log.info("topics_created", topics=[t.name for t in missing])
        return [t.name for t in missing]
    finally:
        admin.close()


def foreign_topics(group_topics: set[str], settings: Settings) -> list[str]:
    """Topics a consumer group has offsets for that belong to neither this pipeline's prefix
    nor its own changelogs: the sign that another pipeline uses the same app id."""
    own = (settings.topic_prefix, f"{settings.faust_app_id}-")
    return sorted(t for t in group_topics if not t.startswith(own))


def check_group_is_ours(settings: Settings) -> None:
    """Refuse to start a worker whose consumer group already reads another pipeline's topics
    (same `faust_app_id`, other `topic_prefix`): the two would share offsets and state."""
    from kafka.admin import KafkaAdminClient
    from kafka.errors import NoBrokersAvailable

    try:
        admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap, request_timeout_ms=15000)
    except NoBrokersAvailable:
        raise ServiceUnavailable(f"Kafka not reachable at {settings.kafka_bootstrap}") from None
    import time

    from kafka.errors import KafkaError

    offsets: dict = {}
    try:
        for attempt in range(15):  # a broker that just started has no group coordinator yet
            try:
                offsets = admin.list_consumer_group_offsets(settings.faust_app_id)
                break
            except KafkaError as exc:
                if attempt == 14:
                    log.warning("group_check_skipped", group=settings.faust_app_id, error=repr(exc))
                time.sleep(2)
    finally:
        admin.close()
    foreign = foreign_topics({tp.topic for tp in offsets}, settings)
    if foreign:
        raise UserError(
            f"consumer group {settings.faust_app_id!r} already reads topics of another pipeline "
            f"({', '.join(foreign[:3])}); topic prefix here is {settings.topic_prefix!r}. Set "
            "KHABAR_FAUST_APP_ID (or leave it unset so it follows KHABAR_TOPIC_PREFIX).")
