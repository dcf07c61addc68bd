"""Two pipelines on one broker (issue 12.9): the topic prefix also separates the Faust app id
(consumer group, changelog topics) unless one is set explicitly."""

from __future__ import annotations

from pathlib import Path

from khabar.settings import derived_app_id, load_settings
from khabar.topics import foreign_topics

NO_FILE = Path("/nonexistent/settings.yaml")


def test_the_default_prefix_keeps_the_historic_app_id() -> None:
    assert load_settings(NO_FILE, env={}).faust_app_id == "khabar-processors"


def test_another_prefix_gets_its_own_app_id() -> None:
    a = load_settings(NO_FILE, env={"KHABAR_TOPIC_PREFIX": "staging."})
    b = load_settings(NO_FILE, env={"KHABAR_TOPIC_PREFIX": "prod-"})
    assert (a.faust_app_id, b.faust_app_id) == ("staging-processors", "prod-processors")
    assert derived_app_id("") == "khabar-processors"


def test_an_explicit_app_id_wins(tmp_path: Path) -> None:
    env = {"KHABAR_TOPIC_PREFIX": "staging.", "KHABAR_FAUST_APP_ID": "mine"}
    assert load_settings(NO_FILE, env=env).faust_app_id == "mine"
    path = tmp_path / "settings.yaml"
    path.write_text('topic_prefix: "x."\nfaust_app_id: shared\n', encoding="utf-8")
    assert load_settings(path, env={}).faust_app_id == "shared"


def test_foreign_topics_are_those_of_another_prefix() -> None:
    settings = load_settings(NO_FILE, env={"KHABAR_TOPIC_PREFIX": "a."})
    group = {"a.articles.raw", "a-processors-dedup-state-changelog", "b.articles.raw", "b.alerts"}
    assert foreign_topics(group, settings) == ["b.alerts", "b.articles.raw"]
    assert foreign_topics({"a.articles.cleaned"}, settings) == []
