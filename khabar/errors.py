"""Errors users see as one line (the CLI catches them; see khabar.cli.main)."""

from __future__ import annotations

from khabar.yamlconf import ConfigError


class UserError(Exception):
    """Bad input or environment: printed as `khabar: error: <message>`, exit code 2."""

    exit_code = 2


class ServiceUnavailable(UserError):
    """Kafka or Elasticsearch not reachable (the message names the address tried)."""

    exit_code = 3


__all__ = ["ConfigError", "ServiceUnavailable", "UserError"]
