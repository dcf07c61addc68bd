"""Load YAML config into typed objects, failing with the file and line of the bad entry.

Every data-driven file (feeds, taxonomy, rules, settings) goes through here so a user who
mistypes an entry gets `config/feeds.yaml:12: feeds[3].url: field required`, not a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)


class ConfigError(Exception):
    """A config file that cannot be loaded; str() is the one-line message users see."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")


# libyaml's parser when PyYAML was built with it: generated gazetteers are thousands of
# entries and the pure-Python parser made the tagger's start-up several times slower
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[misc,valid-type]
    """SafeLoader that remembers the 1-based start line of every mapping and sequence item."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = dict(loader.construct_pairs(node, deep=True))
    lines = {"__line__": node.start_mark.line + 1}
    for key_node, _ in node.value:
        lines[f"__line__{key_node.value}"] = key_node.start_mark.line + 1
    return _LinedDict(mapping, lines)


class _LinedDict(dict):
    def __init__(self, data: dict, lines: dict[str, int]) -> None:
        super().__init__(data)
        self.lines = lines


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path | str) -> Any:
    """Parse a YAML file; syntax errors become ConfigError with the line number."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, f"cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ConfigError(path, line, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(path, None, f"invalid YAML: {exc}") from None


def line_of(data: Any, loc: tuple[Any, ...] = ()) -> int | None:
    """Best line number for a pydantic error location inside parsed YAML."""
    best = data.lines["__line__"] if isinstance(data, _LinedDict) else None
    node = data
    for part in loc:
        if isinstance(node, _LinedDict):
            best = node.lines.get(f"__line__{part}", best)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            if isinstance(node, _LinedDict):
                best = node.lines["__line__"]
        else:
            break
    return best


def plain(data: Any) -> Any:
    """Strip line bookkeeping (for code that wants ordinary dicts)."""
    if isinstance(data, dict):
        return {k: plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [plain(v) for v in data]
    return data


def validate(model: type[T], data: Any, path: Path | str, loc: tuple[Any, ...] = ()) -> T:
    """Validate parsed YAML against a model, reporting the first error with its line."""
    try:
        return model.model_validate(plain(data))
    except ValidationError as exc:
        err = exc.errors()[0]
        full = loc + tuple(err["loc"])
        dotted = ".".join(str(p) for p in full) or "(top level)"
        raise ConfigError(path, line_of(data, tuple(err["loc"])), f"{dotted}: {err['msg']}") from None


def load_list(model: type[T], path: Path | str, key: str) -> list[T]:
    """Load `key: [ ... ]` from a YAML file as a list of models, each checked with its line."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise ConfigError(path, line_of(data), f"expected a top-level `{key}:` list")
    items = data[key]
    out = []
    for i, item in enumerate(items):
        try:
            out.append(validate(model, item, path, (key, i)))
        except ConfigError as exc:
            line = exc.line or (item.lines["__line__"] if isinstance(item, _LinedDict) else None)
            raise ConfigError(path, line, exc.reason) from None
    return out
