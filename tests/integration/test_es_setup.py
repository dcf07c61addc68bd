"""Index manager on the real local Elasticsearch (bare build: no arabic analyzer, no ILM)."""

from __future__ import annotations

import uuid

import pytest

from khabar.es.client import make_client
from khabar.es.setup import detect_capabilities, ensure_setup, installed_text_mode
from khabar.settings import load_settings

pytestmark = pytest.mark.integration


@pytest.fixture
async def es():
    prefix = f"t{uuid.uuid4().hex[:10]}-"
    settings = load_settings(env={"KHABAR_INDEX_PREFIX": prefix, "KHABAR_TOPIC_PREFIX": f"{prefix[:-1]}."})
    client = make_client(settings)
    yield client, settings
    await drop_everything(client, prefix)
    await client.close()


async def drop_everything(client, prefix: str) -> None:
    """Delete what a test created under its prefix (explicit names: wildcard deletes are refused)."""
    indices = await client.indices.get(index=f"{prefix}*", allow_no_indices=True, expand_wildcards="all")
    for name in indices.body:
        await client.indices.delete(index=name, ignore_unavailable=True)
    templates = await client.options(ignore_status=404).indices.get_index_template(name=f"{prefix}*")
    for t in templates.body.get("index_templates", []):
        await client.indices.delete_index_template(name=t["name"])
    components = await client.options(ignore_status=404).cluster.get_component_template(name=f"{prefix}*")
    for c in components.body.get("component_templates", []):
        await client.cluster.delete_component_template(name=c["name"])


async def test_setup_installs_twice_without_error(es):
    client, settings = es
    first = await ensure_setup(client, settings)
    second = await ensure_setup(client, settings)
    assert first == second
    prefix = settings.index_prefix
    assert first["index_templates"] == [f"{prefix}alerts", f"{prefix}articles", f"{prefix}feeds"]
    templates = await client.indices.get_index_template(name=f"{prefix}*")
    assert sorted(t["name"] for t in templates["index_templates"]) == first["index_templates"]


async def test_bare_build_is_detected_and_the_fallback_is_loud(es):
    client, settings = es
    caps = await detect_capabilities(client)
    report = await ensure_setup(client, settings)
    # the local build lacks analysis-common and ILM (DESIGN.md §6); production has both
    assert caps.arabic_analyzer is False and caps.ilm is False
    assert report["text_mode"] == "fallback"
    assert report["ilm"] is False and report["ilm_policies"] == []
    assert any("no 'arabic' analyzer" in w for w in report["warnings"])
    assert any("no ILM" in w for w in report["warnings"])
    assert await installed_text_mode(client, settings) == "fallback"


async def test_monthly_index_gets_template_mapping_and_alias(es):
    client, settings = es
    await ensure_setup(client, settings)
    index = f"{settings.index('articles')}-2019.03"
    await client.indices.create(index=index)
    mapping = (await client.indices.get_mapping(index=index))[index]["mappings"]
    assert mapping["dynamic"] == "false"
    assert mapping["properties"]["title"]["analyzer"] == "standard"
    assert mapping["properties"]["match"]["properties"]["body"]["type"] == "text"
    assert mapping["properties"]["places"]["properties"]["location"]["type"] == "geo_point"
    aliases = await client.indices.get_alias(index=index)
    assert settings.index("articles") in aliases[index]["aliases"]
    settings_body = (await client.indices.get_settings(index=index))[index]["settings"]["index"]
    assert settings_body["number_of_shards"] == "1"
