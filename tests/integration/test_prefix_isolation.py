"""A worker refuses an app id whose consumer group already reads another pipeline's topics."""

from __future__ import annotations

import os
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.structs import OffsetAndMetadata

from khabar.cleanup import delete_created
from khabar.errors import UserError
from khabar.settings import Settings, load_settings
from khabar.topics import check_group_is_ours

pytestmark = pytest.mark.integration


def test_a_group_used_by_another_prefix_is_refused(stack: Settings) -> None:
    tag = uuid.uuid4().hex[:8]
    group, topic = f"khabar-test-group-{tag}", f"pa{tag}.articles.raw"
    producer = KafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    producer.send(topic, b"x").get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, group_id=group, enable_auto_commit=False)
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(1, "", -1)})
    consumer.close()

    base = {**os.environ, "KHABAR_FAUST_APP_ID": group}
    own = load_settings(env={**base, "KHABAR_TOPIC_PREFIX": f"pa{tag}.", "KHABAR_INDEX_PREFIX": f"pa{tag}-"})
    try:
        check_group_is_ours(own)  # its own topics: fine
        with pytest.raises(UserError) as err:
            check_group_is_ours(load_settings(env={**base, "KHABAR_TOPIC_PREFIX": f"pb{tag}."}))
        assert group in str(err.value) and topic in str(err.value)
    finally:
        delete_created(own)
