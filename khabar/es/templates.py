"""Build the Elasticsearch template bodies from `config/elasticsearch/` (pure, no I/O but reading).

The JSON files hold two placeholders: `PREFIX` (settings.index_prefix, so tests can use random
prefixes) and `ANALYZER` (the analyzer for title/summary/body, chosen by the index manager:
`arabic` where the cluster has analysis-common, `standard` plus the `match.*` fields of the
matching form where it does not). `_comment` keys are documentation and are dropped.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from khabar.settings import CONFIG_DIR

ES_CONFIG_DIR = CONFIG_DIR / "elasticsearch"

TextMode = Literal["arabic", "fallback"]
ANALYZER_FOR_MODE: dict[str, str] = {"arabic": "arabic", "fallback": "standard"}

# component template file stem -> used by which index templates (file stems in index/)
COMPONENTS = ("common-settings", "articles-mappings", "alerts-mappings", "feeds-mappings")
INDEX_TEMPLATES = ("articles", "alerts", "feeds")
ILM_POLICIES = ("articles", "rollover")
TEXT_MODE_META = "khabar_text_mode"


@dataclass
class TemplateSet:
    """Everything `ensure_setup` installs, keyed by the full (prefixed) names."""

    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    index_templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    ilm_policies: dict[str, dict[str, Any]] = field(default_factory=dict)


def _strip_comments(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_comments(v) for k, v in node.items() if k != "_comment"}
    if isinstance(node, list):
        return [_strip_comments(v) for v in node]
    return node


def _substitute(node: Any, values: dict[str, str]) -> Any:
    """Replace placeholders in every key and string value."""
    def sub(text: str) -> str:
        for placeholder, value in values.items():
            text = text.replace(placeholder, value)
        return text

    if isinstance(node, dict):
        return {sub(k): _substitute(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, values) for v in node]
    if isinstance(node, str):
        return sub(node)
    return node


def load_json(path: Path) -> dict[str, Any]:
    """One config JSON file, comments dropped."""
    return _strip_comments(json.loads(path.read_text(encoding="utf-8")))


def build_templates(
    prefix: str,
    text_mode: TextMode,
    *,
    ilm: bool,
    retention_days: int,
    config_dir: Path = ES_CONFIG_DIR,
) -> TemplateSet:
    """Template and policy bodies for one index prefix and text mode.

    With `ilm`, the article and alert templates name their lifecycle policy; without it the
    templates carry no `index.lifecycle.*` setting (a cluster without ILM rejects them).
    """
    values = {"PREFIX": prefix, "ANALYZER": ANALYZER_FOR_MODE[text_mode]}
    out = TemplateSet()
    for stem in COMPONENTS:
        body = _substitute(load_json(config_dir / "component" / f"{stem}.json"), values)
        if stem == "articles-mappings":
            body["template"]["mappings"]["_meta"] = {TEXT_MODE_META: text_mode}
            _add_tag_kinds(body["template"]["mappings"]["properties"])
        out.components[f"{prefix}{stem}"] = body
    for stem in INDEX_TEMPLATES:
        body = _substitute(load_json(config_dir / "index" / f"{stem}.json"), values)
        if ilm and stem in ("articles", "alerts"):
            lifecycle: dict[str, str] = {"name": ilm_policy_name(prefix, "articles" if stem == "articles" else "rollover")}
            if stem == "alerts":
                lifecycle["rollover_alias"] = f"{prefix}alerts"
            template = body.setdefault("template", {})
            template.setdefault("settings", {})["index"] = {"lifecycle": lifecycle}
        out.index_templates[f"{prefix}{stem}"] = body
    if ilm:
        for stem in ILM_POLICIES:
            body = load_json(config_dir / "ilm" / f"{stem}.json")
            body = copy.deepcopy(body)
            body["policy"]["phases"]["delete"]["min_age"] = f"{retention_days}d"
            out.ilm_policies[ilm_policy_name(prefix, stem)] = body
    return out


def _add_tag_kinds(properties: dict[str, Any]) -> None:
    """An object per registered tag kind (khabar.tagkinds) the JSON file does not spell out;
    the file keeps the hand-tuned ones (places, actors, persons)."""
    from khabar.tagkinds import TAG_KINDS, entity_mapping

    for kind in TAG_KINDS:
        properties.setdefault(kind.field, entity_mapping(kind))


def ilm_policy_name(prefix: str, stem: str) -> str:
    return f"{prefix}{stem}"


def article_mapping(prefix: str = "khabar-", text_mode: TextMode = "arabic") -> dict[str, Any]:
    """The article mapping as installed (used by tests and the Kibana panel checks)."""
    templates = build_templates(prefix, text_mode, ilm=False, retention_days=365)
    return templates.components[f"{prefix}articles-mappings"]["template"]["mappings"]
