"""Refuse XML entity-expansion bombs before feedparser sees the document.

Entity declarations can only sit in the DOCTYPE before the root element, so documents
without one (nearly every real feed) cost a substring search. Otherwise the declarations
are read with defusedxml's expat driver (external entities are never resolved) and the
size of the expanded document is computed; nested or oversized expansion is refused.
Small, flat declarations (`<!ENTITY id "tag:example.com,">`) still parse.
"""

from __future__ import annotations

import re
from collections import Counter
from xml.sax import SAXException

from defusedxml.common import DefusedXmlException
from defusedxml.expatreader import DefusedExpatParser

_ROOT_START = re.compile(rb"<[A-Za-z_]")
_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*\?>")
_REF = re.compile(r"&([A-Za-z_:][\w.:-]*);")
_BYTES_REF = re.compile(rb"&([A-Za-z_:][\w.:-]*);")


class UnsafeXML(ValueError):
    """A document refused for safety; str() is the reason shown in feed health."""


class _Declared(Exception):
    """Stops the prolog parse: all declarations have been seen."""


class _DeclarationReader(DefusedExpatParser):
    """defusedxml's expat SAX driver that records entity declarations instead of raising."""

    def __init__(self) -> None:
        super().__init__(forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.general: dict[str, str | None] = {}
        self.parameter: dict[str, str | None] = {}

    def defused_entity_decl(self, name, is_parameter_entity, value, base, sysid, pubid, notation_name):  # noqa: N802
        table = self.parameter if is_parameter_entity else self.general
        table.setdefault(name, value)  # first declaration wins (XML 1.0 §4.2)

    def defused_external_entity_ref_handler(self, context, base, sysid, pubid):  # noqa: N802
        return 1  # never fetch external DTDs or entities; carry on without them

    def reset(self) -> None:
        super().reset()
        self._parser.EndDoctypeDeclHandler = self._end_doctype

    def _end_doctype(self) -> None:
        raise _Declared


def _prolog(data: bytes) -> bytes:
    match = _ROOT_START.search(data)
    return data[: match.start()] if match else data


def check_entities(data: bytes, max_expanded: int) -> None:
    """Raise UnsafeXML if expanding the document's entities could exceed `max_expanded` bytes."""
    prolog = _prolog(data)
    if b"<!ENTITY" not in prolog:
        return
    reader = _DeclarationReader()
    text = _XML_DECL.sub(b"", prolog).decode("latin-1")  # byte-preserving; names are ASCII
    try:
        reader.feed(text + "<x/>")
        reader.close()
    except _Declared:
        pass
    except (SAXException, DefusedXmlException) as exc:
        raise UnsafeXML(f"unreadable DOCTYPE with entity declarations refused: {exc}") from None
    sizes: dict[str, int] = {}

    def expanded(name: str, stack: tuple[str, ...]) -> int:
        if name in sizes:
            return sizes[name]
        if name in stack:
            raise UnsafeXML(f"recursive XML entity &{name}; refused")
        value = reader.general.get(name)
        if value is None:  # external or undeclared: never resolved
            return 0
        size = len(value.encode("utf-8", "replace"))
        for ref in _REF.findall(value):
            if ref in reader.general:
                size += expanded(ref, (*stack, name))
                if size > max_expanded:
                    raise UnsafeXML(f"XML entity &{name}; expands beyond {max_expanded} bytes: "
                                    "entity-expansion bomb refused")
        sizes[name] = size
        return size

    nested = [n for n, v in reader.general.items() if v and any(r in reader.general for r in _REF.findall(v))]
    if nested:
        for name in nested:
            expanded(name, ())
    for name, value in reader.parameter.items():
        if value and "%" in value:
            raise UnsafeXML(f"nested parameter entity %{name}; refused")
    body = data[len(prolog):]
    counts = Counter(m.decode("latin-1") for m in _BYTES_REF.findall(body))
    total = len(data)
    for name, count in counts.items():
        if name in reader.general:
            total += count * expanded(name, ())
            if total > max_expanded:
                raise UnsafeXML(f"XML entity expansion would reach more than {max_expanded} bytes "
                                f"(&{name}; used {count} times): refused")
