"""Append sources to feeds.yaml as text, so every comment and the layout stay as written.

A YAML round-trip through a parser would re-indent and re-quote the file; the feeds file is
hand-edited and documented with comments, so new entries are appended as text at the end of
the `sources:` list (which must be the file's last top-level key) and the whole result is
validated with the same loader the pollers use before it replaces the file.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from khabar.errors import UserError

_TOP_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")
_ITEM = re.compile(r"^(\s*)- ")


def _scalar(value: Any) -> str:
    """A YAML scalar: plain when safe, else a JSON (= YAML double-quoted) string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value)
    if re.fullmatch(r"[A-Za-z0-9][\w./:?&=%+~-]*", text) and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off"):
        return text
    return json.dumps(text, ensure_ascii=False)


def entry_text(entry: dict[str, Any], indent: str, comment: str | None = None) -> str:
    """One `- id: ...` block at the list's indentation."""
    lines = [f"{indent}# {line}" for line in (comment or "").splitlines() if line]
    first = True
    for key, value in entry.items():
        prefix = f"{indent}- " if first else f"{indent}  "
        lines.append(f"{prefix}{key}: {_scalar(value)}")
        first = False
    return "\n".join(lines) + "\n"


def append_entries(text: str, blocks: list[tuple[dict[str, Any], str | None]]) -> str:
    """`text` with the entries appended to its `sources:` list."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(r"^sources\s*:", line)]
    if not starts:
        raise UserError("feeds file has no top-level `sources:` list to append to")
    start = starts[0]
    if any(_TOP_KEY.match(line) for line in lines[start + 1:]):
        raise UserError("cannot append: `sources:` is not the last top-level key of the feeds file")
    if re.match(r"^sources\s*:\s*\[\s*\]\s*(#.*)?$", lines[start]):
        lines[start] = "sources:"
    indents = [m.group(1) for line in lines[start + 1:] if (m := _ITEM.match(line))]
    indent = indents[0] if indents else "  "
    out = "\n".join(lines).rstrip("\n") + "\n"
    for entry, comment in blocks:
        out += "\n" + entry_text(entry, indent, comment)
    return out


def write_validated(path: Path, text: str) -> None:
    """Replace `path` with `text` only if the pollers' loader accepts it."""
    from ingest.sources import load_sources

    fd, tmp = tempfile.mkstemp(prefix=".feeds-", suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        load_sources(Path(tmp), include_disabled=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
