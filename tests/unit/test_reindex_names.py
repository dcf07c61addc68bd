"""`khabar reindex`: which indices it rebuilds, and the sink waiting out its write block."""

from __future__ import annotations

import pytest

from khabar.es.reindex import month_alias
from processors.sink.errors import is_transient_status

BLOCKED = ("HTTP 403 cluster_block_exception: index [khabar-articles-2016.02] blocked by: "
           "[FORBIDDEN/8/index write (api)];")


def test_month_alias_of_monthly_and_rebuilt_indices() -> None:
    assert month_alias("khabar-articles", "khabar-articles-2016.02") == "khabar-articles-2016.02"
    assert month_alias("khabar-articles", "khabar-articles-2016.02-r20261202184247") == "khabar-articles-2016.02"
    with pytest.raises(ValueError):
        month_alias("khabar-articles", "khabar-articles-other")


def test_a_write_block_is_waited_out_but_other_403s_are_rejections() -> None:
    assert is_transient_status(403, BLOCKED)
    assert not is_transient_status(403, "HTTP 403 security_exception: action [indices:data/write/bulk] is unauthorized")
    assert not is_transient_status(403, "HTTP 403 cluster_block_exception: blocked by: [FORBIDDEN/5/index read-only (api)];")
    assert is_transient_status(429) and not is_transient_status(400, "mapper_parsing_exception")


def test_updates_to_a_rebuilt_index_go_through_its_month_alias() -> None:
    from khabar.es.docs import write_name
    from khabar.settings import load_settings

    settings = load_settings(env={"KHABAR_INDEX_PREFIX": "khabar-"})
    assert write_name(settings, "khabar-articles-2016.02-r20261202184247123456") == "khabar-articles-2016.02"
    assert write_name(settings, "khabar-articles-2016.02") == "khabar-articles-2016.02"
    assert write_name(settings, "other-articles-2016.02-r20261202184247") == "other-articles-2016.02-r20261202184247"
