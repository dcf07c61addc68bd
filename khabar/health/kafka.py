"""Kafka facts for readiness and `khabar status`: is the broker there, how far behind is a group."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from khabar.settings import Settings


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    end: int
    committed: int | None  # None: the group never committed here (it starts at the beginning)
    lag: int


class KafkaProbe:
    """A kafka-python admin client and a group-less consumer, (re)opened on demand."""

    def __init__(self, settings: Settings, timeout_ms: int = 5000) -> None:
        self.settings = settings
        self.timeout_ms = timeout_ms
        self._admin: Any = None
        self._consumer: Any = None

    def _open(self) -> None:
        from kafka import KafkaConsumer
        from kafka.admin import KafkaAdminClient

        if self._admin is None:
            self._admin = KafkaAdminClient(bootstrap_servers=self.settings.kafka_bootstrap,
                                           request_timeout_ms=self.timeout_ms, client_id="khabar-health")
        if self._consumer is None:
            self._consumer = KafkaConsumer(bootstrap_servers=self.settings.kafka_bootstrap,
                                           enable_auto_commit=False, request_timeout_ms=self.timeout_ms + 1000,
                                           client_id="khabar-health")

    def close(self) -> None:
        for client in (self._admin, self._consumer):
            if client is not None:
                try:
                    client.close()
                except Exception:  # noqa: BLE001, S110 - closing a broken client
                    pass
        self._admin = self._consumer = None

    def topics(self) -> set[str]:
        """Topic names the broker knows; raises (and forgets the clients) when it is away."""
        try:
            self._open()
            return set(self._consumer.topics())
        except Exception:
            self.close()
            raise

    def group_lag(self, group: str, topics: list[str],
                  only: set[tuple[str, int]] | None = None) -> list[PartitionLag]:
        """Lag of `group` on every partition of `topics` (or just `only`): end - committed offset."""
        from kafka import TopicPartition

        try:
            self._open()
            tps = []
            for topic in topics:
                for p in sorted(self._consumer.partitions_for_topic(topic) or ()):
                    if only is None or (topic, p) in only:
                        tps.append(TopicPartition(topic, p))
            if not tps:
                return []
            ends = self._consumer.end_offsets(tps)
            begins = self._consumer.beginning_offsets(tps)
            committed = self._admin.list_consumer_group_offsets(group)
        except Exception:
            self.close()
            raise
        lags = []
        for tp in tps:
            meta = committed.get(tp)
            offset = meta.offset if meta is not None and meta.offset >= 0 else None
            end = ends.get(tp, 0)
            start = offset if offset is not None else begins.get(tp, 0)
            lags.append(PartitionLag(tp.topic, tp.partition, end, offset, max(0, end - start)))
        return lags

    def message_count(self, topic: str) -> int | None:
        """Messages currently kept in `topic` (end - beginning over partitions); None if absent."""
        from kafka import TopicPartition

        try:
            self._open()
            parts = self._consumer.partitions_for_topic(topic)
            if not parts:
                return None
            tps = [TopicPartition(topic, p) for p in parts]
            ends, begins = self._consumer.end_offsets(tps), self._consumer.beginning_offsets(tps)
        except Exception:
            self.close()
            raise
        return sum(ends[tp] - begins[tp] for tp in tps)
