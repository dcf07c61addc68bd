"""Typed feed sources from `config/feeds.yaml`.

A source is one thing the poller reads: an RSS/Atom/JSON Feed URL (`kind: feed`), a local
feed or article file (`kind: file`), a folder of plain-text articles (`kind: folder`) or a
JSON-lines file of RawArticle (`kind: jsonl`). A bad entry fails at start with the file,
line and reason (khabar.yamlconf.ConfigError), never half-way through a run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from khabar.durations import parse_seconds
from khabar.models import SourceRef
from khabar.yamlconf import ConfigError, line_of, read_yaml, validate

SourceKind = Literal["feed", "file", "folder", "jsonl"]

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


class Source(BaseModel):
    """One configured source. Durations are seconds (YAML may say '5m', '2h')."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str = ""
    kind: SourceKind = "feed"
    url: str | None = None
    path: Path | None = None
    language: str | None = None
    country: str | None = None
    enabled: bool = True
    fulltext: bool = False  # fetch each entry's page and extract the main text
    local: bool = False  # allow article-page fetches to private/loopback addresses
    min_interval: float = 300.0
    max_interval: float = 3600.0
    timeout: float = 20.0  # whole-request deadline per fetch (connect + headers + body)
    max_bytes: int = 10 * 1024 * 1024  # response size cap (after decompression)
    encoding: str | None = None  # force a charset for servers that declare the wrong one
    tags: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id must be lowercase letters, digits, '.', '_' or '-' (max 100)")
        return value

    @field_validator("min_interval", "max_interval", "timeout", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> float:
        return parse_seconds(value)

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}") from None
        return value

    @model_validator(mode="after")
    def _check_kind(self) -> Source:
        if self.kind == "feed":
            if not self.url:
                raise ValueError("a `kind: feed` source needs `url`")
            parts = urlsplit(self.url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"url must be an absolute http(s) URL, got {self.url!r}")
        elif self.path is None:
            raise ValueError(f"a `kind: {self.kind}` source needs `path`")
        if self.min_interval <= 0 or self.max_interval < self.min_interval:
            raise ValueError("need 0 < min_interval <= max_interval")
        if self.timeout <= 0 or self.max_bytes <= 0:
            raise ValueError("timeout and max_bytes must be positive")
        if not self.name:
            self.name = self.id
        return self

    @property
    def location(self) -> str:
        """URL or path, as shown to users and stored in `source.feed`."""
        return self.url if self.kind == "feed" else str(self.path)

    def ref(self) -> SourceRef:
        return SourceRef(id=self.id, name=self.name, feed=self.location,
                         language=self.language, country=self.country)


def load_sources(path: Path, include_disabled: bool = False) -> list[Source]:
    """Sources from a feeds file; relative `path:` values are resolved against its folder.

    Disabled sources are left out unless asked for (the status table lists them).
    """
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError(path, line_of(data), "expected a top-level `sources:` list")
    seen: dict[str, int | None] = {}
    out: list[Source] = []
    for i, item in enumerate(data["sources"]):
        line = line_of(data, ("sources", i))
        if not isinstance(item, dict):
            raise ConfigError(path, line, f"sources[{i}]: expected a mapping (id:, url: ...)")
        source = validate(Source, item, path, ("sources", i))
        if source.id in seen:
            raise ConfigError(path, line, f"sources[{i}].id: duplicate id {source.id!r} "
                                          f"(first at line {seen[source.id]})")
        seen[source.id] = line
        if source.path is not None and not source.path.is_absolute():
            source.path = (path.parent / source.path).resolve()
        if source.kind != "feed" and source.enabled and not source.path.exists():
            raise ConfigError(path, line, f"sources[{i}].path: {source.path} does not exist")
        if source.enabled or include_disabled:
            out.append(source)
    return out
