"""Settings and the YAML loader: overrides, refused secrets, and errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from khabar.settings import load_settings
from khabar.yamlconf import ConfigError, load_list, read_yaml


class Feed(BaseModel):
    id: str
    url: str
    interval: int = 60


def write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_env_overrides_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "es_url: http://es-from-yaml:9200\ntopic_prefix: a.\n")
    settings = load_settings(path, env={"KHABAR_TOPIC_PREFIX": "b."})
    assert settings.es_url == "http://es-from-yaml:9200"
    assert settings.topic("articles.raw") == "b.articles.raw"
    assert settings.index("articles") == "khabar-articles"


def test_secret_in_yaml_is_refused_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, "es_url: http://x:9200\nes_password: hunter2\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path, env={})
    assert err.value.line == 2
    assert "KHABAR_ES_PASSWORD" in str(err.value)


def test_secret_from_environment_is_used(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "{}\n"), env={"KHABAR_ES_PASSWORD": "s3cret"})
    assert settings.es_password == "s3cret"
    assert "es_password" not in settings.model_dump()


def test_bad_setting_type_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "es_url: http://x\nmetrics_port: not-a-port\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path, env={})
    assert err.value.line == 2 and "metrics_port" in err.value.reason


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - id: a\n    url: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        read_yaml(path)
    assert err.value.line is not None and err.value.line >= 3
    assert str(err.value).startswith(f"{path}:")


def test_load_list_points_at_the_bad_entry(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - id: a\n    url: http://a\n  - id: b\n    interval: 5\n")
    with pytest.raises(ConfigError) as err:
        load_list(Feed, path, "feeds")
    assert err.value.line == 4
    assert "feeds.1.url" in err.value.reason


def test_load_list_good_entries(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds:\n  - {id: a, url: 'http://a'}\n  - {id: b, url: 'http://b', interval: 5}\n")
    feeds = load_list(Feed, path, "feeds")
    assert [(f.id, f.interval) for f in feeds] == [("a", 60), ("b", 5)]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        read_yaml(tmp_path / "nope.yaml")
