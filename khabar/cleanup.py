"""Delete what one prefix-scoped run created (tests and benchmarks use their own prefixes)."""

from __future__ import annotations

from khabar.settings import Settings


def delete_created(settings: Settings, extra_topic_prefixes: tuple[str, ...] = ()) -> None:
    """Topics under the topic prefix (and e.g. a Faust app id's internal topics); indices,
    index templates and component templates under the index prefix."""
    from kafka.admin import KafkaAdminClient

    from khabar.es.client import make_sync_client

    admin = KafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
    try:
        prefixes = (settings.topic_prefix, *extra_topic_prefixes)
        doomed = [t for t in admin.list_topics() if t.startswith(prefixes)]
        if doomed:
            admin.delete_topics(doomed)
    finally:
        admin.close()
    es = make_sync_client(settings)
    try:
        pattern = f"{settings.index_prefix}*"
        es.options(ignore_status=404).indices.delete(index=pattern, expand_wildcards="all")
        es.options(ignore_status=404).indices.delete_index_template(name=pattern)
        es.options(ignore_status=404).cluster.delete_component_template(name=pattern)
    finally:
        es.close()
