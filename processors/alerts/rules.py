"""Alert rules as data: the typed model of `config/rules.yaml` and its loader.

A rule file has two top-level keys: `channels:` (named delivery targets; secrets such as
webhook URLs are referenced by environment variable name, never written here) and
`rules:` (the list of rules). Every mistake is reported as `file:line: reason` so whoever
edits the file can find it, and references (channels, and ids when a taxonomy is known)
are checked at load time rather than silently never matching.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    create_model,
    field_validator,
    model_validator,
)

from khabar.durations import parse_timedelta
from khabar.tagkinds import EVENT_TYPES as EVENT_TYPE_LIST
from khabar.tagkinds import TAG_KINDS
from khabar.yamlconf import ConfigError, line_of, read_yaml, validate

EVENT_TYPES = frozenset(EVENT_TYPE_LIST)  # DESIGN.md §5

Duration = Annotated[timedelta, BeforeValidator(parse_timedelta)]  # khabar.durations grammar


def _as_list(value: Any) -> Any:
    """Let a single value stand for a one-item list (`language: ar`)."""
    return [value] if isinstance(value, str | int) and not isinstance(value, bool) else value


StrList = Annotated[list[str], BeforeValidator(_as_list)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConditionFields(_Strict):
    """Every condition key but the tag kinds; `Condition` adds one id-list key per registered
    tag kind (khabar.tagkinds: `places` (a governorate matches all inside it), `actors`,
    `persons` ...)."""

    event_types: StrList = Field(default_factory=list)
    killed_min: int | None = Field(default=None, ge=1)
    injured_min: int | None = Field(default=None, ge=1)
    # killed_min/injured_min count incident figures (today's toll); true: long-run
    # (cumulative) tolls count too ("since the war began 10,000 were killed")
    include_cumulative: bool = False
    language: StrList = Field(default_factory=list)
    sources: StrList = Field(default_factory=list)
    terms: StrList = Field(default_factory=list)  # matched on the matching form; `word*` = prefix
    all: list[Condition] = Field(default_factory=list)  # type: ignore[valid-type]
    any: list[Condition] = Field(default_factory=list)  # type: ignore[valid-type]
    none: list[Condition] = Field(default_factory=list)  # type: ignore[valid-type]

    @field_validator("event_types")
    @classmethod
    def _known_event_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - EVENT_TYPES)
        if unknown:
            raise ValueError(f"unknown event type(s) {unknown}; known: {sorted(EVENT_TYPES)}")
        return value

    @field_validator("terms")
    @classmethod
    def _terms_have_words(cls, value: list[str]) -> list[str]:
        from processors.alerts.terms import compile_term

        for term in value:
            compile_term(term)  # raises ValueError with the reason
        return value

    @model_validator(mode="after")
    def _cumulative_needs_a_threshold(self) -> ConditionFields:
        if self.include_cumulative and self.killed_min is None and self.injured_min is None:
            raise ValueError("include_cumulative applies to killed_min/injured_min; give one of them")
        return self

    @model_validator(mode="after")
    def _not_empty(self) -> ConditionFields:
        if not self.model_fields_set or not any(getattr(self, f) for f in self.model_fields_set):
            raise ValueError("a condition needs at least one of: " + ", ".join(type(self).model_fields))
        return self

    def keys(self) -> list[str]:
        """The keys actually given (for summaries), tag kinds first."""
        kinds = [k.field for k in TAG_KINDS]
        rest = [f for f in type(self).model_fields if f not in kinds]
        return [f for f in kinds + rest if getattr(self, f)]


Condition = create_model(  # what an article must carry (see ConditionFields)
    "Condition", __base__=ConditionFields, __module__=__name__,
    **{k.field: (StrList, Field(default_factory=list)) for k in TAG_KINDS},  # type: ignore[call-overload]
)
Condition.model_rebuild()


GroupBy = Literal["place", "story"]


class Burst(_Strict):
    """Fire only when enough reports match within a sliding window, per group."""

    min_originals: int | None = Field(default=None, ge=2)
    min_sources: int | None = Field(default=None, ge=2)
    window: Duration
    group_by: GroupBy = "place"

    @model_validator(mode="after")
    def _needs_threshold(self) -> Burst:
        if self.min_originals is None and self.min_sources is None:
            raise ValueError("a burst needs min_originals or min_sources")
        return self


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str = Field(min_length=1)
    severity: Literal["info", "warning", "critical"] = "warning"
    description: str = ""
    enabled: bool = True
    condition: Condition
    burst: Burst | None = None
    throttle: Duration | None = None  # one alert per rule+group per period
    group_by: GroupBy | None = None  # grouping for non-burst rules (default: story)
    max_age: Duration | None = None  # ignore articles published this long before they were fetched
    channels: StrList = Field(default_factory=lambda: ["log"])

    _line: int | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _group_by_once(self) -> Rule:
        if self.burst is not None and self.group_by is not None and self.group_by != self.burst.group_by:
            raise ValueError("group_by conflicts with burst.group_by; set it in one place")
        return self

    @property
    def line(self) -> int | None:
        """Line of the rule in its file (None when built in code)."""
        return self._line

    @property
    def grouping(self) -> GroupBy:
        return self.burst.group_by if self.burst else (self.group_by or "story")

    @property
    def throttle_period(self) -> timedelta | None:
        """A burst rule is throttled for its window by default (else every later report re-fires)."""
        if self.throttle is not None:
            return self.throttle
        return self.burst.window if self.burst else None


class ChannelSpec(_Strict):
    """A delivery target. URLs and tokens come from the environment variables named here."""

    type: Literal["log", "webhook"]
    url_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    token_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    format: Literal["json", "slack"] = "json"
    timeout: Duration = timedelta(seconds=5)
    retries: int = Field(default=3, ge=0, le=10)
    updates: bool = False  # also deliver count updates (duplicates joining an alert)
    queue_size: int = Field(default=1000, ge=1)

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> ChannelSpec:
        if self.type == "webhook" and not self.url_env:
            raise ValueError("a webhook channel needs url_env (the environment variable holding its URL)")
        if self.type == "log" and (self.url_env or self.token_env):
            raise ValueError("a log channel takes no url_env/token_env")
        return self


BUILTIN_CHANNELS = {"log": ChannelSpec(type="log")}


class RuleSet(BaseModel):
    """Everything in one rules file."""

    path: str
    rules: list[Rule]
    channels: dict[str, ChannelSpec]


def load_rule_set(path: Path) -> RuleSet:
    """Load and cross-check a rules file; any problem raises ConfigError(file, line, reason)."""
    data = read_yaml(path)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(path, line_of(data), "expected a top-level `rules:` list")
    unknown_top = sorted(set(data) - {"rules", "channels"})
    if unknown_top:
        raise ConfigError(path, line_of(data, (unknown_top[0],)), f"unknown top-level key {unknown_top[0]!r} (expected rules, channels)")
    channels = dict(BUILTIN_CHANNELS)
    raw_channels = data.get("channels") or {}
    if not isinstance(raw_channels, dict):
        raise ConfigError(path, line_of(data, ("channels",)), "channels: expected a mapping of name: {type: ...}")
    for name, spec in raw_channels.items():
        channels[str(name)] = _validate_item(ChannelSpec, spec, path, data["channels"], ("channels", name))
    rules: list[Rule] = []
    seen: dict[str, int | None] = {}
    for i, item in enumerate(data["rules"]):
        rule = _validate_item(Rule, item, path, data["rules"], ("rules", i))
        rule._line = line_of(data["rules"], (i,))
        if rule.id in seen:
            raise ConfigError(path, rule.line, f"rules[{i}].id: duplicate rule id {rule.id!r} (first at line {seen[rule.id]})")
        seen[rule.id] = rule.line
        for ref in rule.channels:
            if ref not in channels:
                raise ConfigError(path, line_of(item, ("channels",)) or rule.line,
                                  f"rules[{i}].channels: unknown channel {ref!r} (defined: {sorted(channels)})")
        rules.append(rule)
    return RuleSet(path=str(path), rules=rules, channels=channels)


def load_rules(path: Path) -> list[Rule]:
    """The rules of a rules file (enabled or not); see load_rule_set for channels."""
    return load_rule_set(path).rules


def _validate_item(model, item: Any, path: Path, container: Any, loc: tuple) -> Any:
    """Validate one entry, reporting its own line (or the line of the bad field inside it)."""
    try:
        return validate(model, item, path, loc)
    except ConfigError as exc:
        line = exc.line or line_of(container, loc[1:])
        raise ConfigError(path, line, exc.reason) from None


def check_references(rule_set: RuleSet, known: dict[str, set[str]]) -> None:
    """Fail on ids the taxonomy does not know (`known`: places/actors/persons -> ids).

    A mistyped id would make a rule silently never fire, so `khabar rules check` runs this
    whenever the taxonomy files are present. Kinds missing from `known` are not checked.
    """
    for i, rule in enumerate(rule_set.rules):
        for kind, ids in _referenced_ids(rule.condition).items():
            if kind in known:
                missing = sorted(ids - known[kind])
                if missing:
                    raise ConfigError(rule_set.path, rule.line,
                                      f"rules[{i}] ({rule.id}): unknown {kind} id(s) {missing}")


def _referenced_ids(condition: Condition) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k.field: set(getattr(condition, k.field)) for k in TAG_KINDS}
    for sub in (*condition.all, *condition.any, *condition.none):
        for kind, ids in _referenced_ids(sub).items():
            out[kind] |= ids
    return out
