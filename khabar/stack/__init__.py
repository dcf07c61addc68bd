"""The local Kafka + Elasticsearch stack (`khabar stack`), run as plain processes.

Public functions: stack_up, stack_down, stack_status, is_up, ensure_up_for_tests,
teardown_for_tests (imported lazily so `import khabar.stack` stays cheap).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ensure_up_for_tests", "is_up", "stack_down", "stack_status", "stack_up", "teardown_for_tests"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from khabar.stack import manager

        return getattr(manager, name)
    raise AttributeError(name)
