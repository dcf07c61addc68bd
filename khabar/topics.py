"""Create the pipeline's Kafka topics up front (consumers do not auto-create topics, and a
topic that appears after a consumer subscribed is only noticed at the next metadata refresh)."""

from __future__ import annotations

from khabar.errors import ServiceUnavailable
from khabar.logs import get_logger
from khabar.settings import Settings

log = get_logger("khabar.topics")

# name -> partitions. `articles.cleaned` has ONE partition: dedup and burst alerts must see
# every article in one place (see processors/app.py).
PIPELINE_TOPICS: dict[str, int] = {
    "articles.raw": 4,
    "articles.cleaned": 1,
    "articles.enriched": 4,
    "articles.updates": 4,
    "alerts": 4,
    "articles.dlq": 4,
}


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
        missing = [NewTopic(name, n, 1) for name, n in wanted.items() if name not in existing]
        if missing:
            try:
                admin.create_topics(missing)
            except TopicAlreadyExistsError:
                pass  # another process created them meanwhile
            log.info("topics_created", topics=[t.name for t in missing])
        return [t.name for t in missing]
    finally:
        admin.close()
