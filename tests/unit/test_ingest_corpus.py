"""feedparser's torture corpus (shared/corpus/feedparser-tests) through the poller's parse path.

Every file is parsed by ingest.parse.parse_feed with the HTTP headers its comment asks for
(feedparser's own test server sends `Content-type: application/xml` unless told
otherwise) and must not raise. Each file's `Expect:` expression is evaluated safely (an
AST subset, never eval()) against the result:
- for well-formed files, the entry count the expectation implies (`len(entries) == 2`,
  `entries[1][...]` → at least two) must hold;
- the corpus comes from a newer feedparser than the pinned 6.0.12, so a few detailed
  expectations (sanitizer details, itunes booleans) fail in feedparser itself; our path must
  meet every expectation that plain feedparser meets on the same bytes and headers.
"""

from __future__ import annotations

import ast
import io
import operator
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import feedparser
import pytest

from ingest.parse import FeedRefused, parse_feed

_HEADER = re.compile(r"^(Description|Expect|Header):\s*(.*)$", re.M)
_INDEX = re.compile(r"entries\[(\d+)\]")
_LEN = re.compile(r"len\(entries\)\s*==\s*(\d+)")
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
_FUNCTIONS = {"len": len, "ord": ord}
_METHODS = ("get", "keys", "has_key")


class NotEvaluable(Exception):
    """The expression needs something outside the safe subset (e.g. a helper function)."""


def read_header(path: Path) -> tuple[str, dict[str, str]]:
    """(Expect expression, simulated HTTP headers) from a corpus file's leading comment."""
    text = path.read_bytes()[:4000].decode("latin-1")
    if path.suffix == ".json":
        match = re.search(r'Expect:(.*?)-->', text)
        return (match.group(1).strip() if match else ""), {}
    end = text.find("-->")
    expect, headers = "", {}
    for key, value in _HEADER.findall(text[: end if end > 0 else None]):
        if key == "Header":
            name, _, val = value.partition(":")
            headers[name.strip()] = val.strip()
        elif key == "Expect":
            expect = value.strip()
    return expect, headers


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise NotEvaluable(str(exc)) from None
    return _eval(tree.body, names)


def _eval(node: ast.AST, names: Mapping[str, Any]) -> Any:  # noqa: C901 - a small interpreter
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise NotEvaluable(f"name {node.id}")
        return names[node.id]
    if isinstance(node, ast.BoolOp):
        is_and = isinstance(node.op, ast.And)
        value: Any = is_and
        for item in node.values:
            value = _eval(item, names)
            if bool(value) != is_and:
                return value
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        operand = _eval(node.operand, names)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _BINARY[type(node.op)](_eval(node.left, names), _eval(node.right, names))
    if isinstance(node, ast.Compare):
        left = _eval(node.left, names)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, names)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Subscript):
        return _eval(node.value, names)[_eval(node.slice, names)]
    if isinstance(node, ast.Attribute):
        container = _eval(node.value, names)
        if isinstance(container, Mapping) and node.attr in _METHODS:
            return {"get": container.get, "keys": container.keys, "has_key": container.__contains__}[node.attr]
        if isinstance(container, Mapping):
            return container[node.attr]
        raise NotEvaluable(f"attribute {node.attr}")
    if isinstance(node, ast.Call) and not node.keywords:
        args = [_eval(a, names) for a in node.args]
        if isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS:
            return _FUNCTIONS[node.func.id](*args)
        if isinstance(node.func, ast.Attribute) and node.func.attr in _METHODS:
            return _eval(node.func, names)(*args)
        raise NotEvaluable("call")
    if isinstance(node, ast.Tuple | ast.List):
        values = [_eval(e, names) for e in node.elts]
        return tuple(values) if isinstance(node, ast.Tuple) else values
    if isinstance(node, ast.Dict):
        return {_eval(k, names): _eval(v, names) for k, v in zip(node.keys, node.values, strict=True)}
    raise NotEvaluable(type(node).__name__)


def holds(expression: str, result: Mapping[str, Any]) -> bool | None:
    """True/False, or None when the expression cannot be evaluated safely."""
    try:
        return bool(evaluate(expression, result))
    except NotEvaluable:
        return None
    except (KeyError, IndexError, TypeError, AttributeError, ValueError):
        return False


def implied_entry_count(expression: str) -> tuple[int, bool]:
    """(count, exact): what the expectation says about len(entries)."""
    exact = _LEN.search(expression)
    if exact:
        return int(exact.group(1)), True
    indexes = [int(i) for i in _INDEX.findall(expression)]
    return (max(indexes) + 1 if indexes else 0), False


def test_the_safe_evaluator() -> None:
    names = {"bozo": 0, "entries": [{"title": "x"}], "feed": feedparser.FeedParserDict(title="t")}
    assert evaluate("not bozo and len(entries) == 1 and feed.title == 't'", names) is True
    assert evaluate("entries[0]['title'] == entries[0].get('title') == 'x'", names) is True
    assert evaluate("entries[0]['title'] == 'y'", names) is False
    with pytest.raises(NotEvaluable):
        evaluate("__import__('os').system('true')", names)
    assert implied_entry_count("len(entries) == 2") == (2, True)
    assert implied_entry_count("entries[1]['id'] == entries[0]['id']") == (2, False)


@pytest.fixture(scope="module")
def corpus(shared_dir: Path) -> list[Path]:
    root = shared_dir / "corpus" / "feedparser-tests"
    files = sorted(root.rglob("*.xml")) + [root / "example.json"]
    assert len(files) == 2107  # 2,106 XML feeds + feedparser's JSON Feed example
    return files


def test_every_corpus_feed_goes_through_the_parse_path(corpus: list[Path], shared_dir: Path) -> None:
    root = shared_dir / "corpus" / "feedparser-tests"
    failures: list[str] = []
    count_checked = expectations_met = plain_met = 0
    for path in corpus:
        rel = path.relative_to(root).as_posix()
        expect, simulated = read_header(path)
        headers = {"Content-type": "application/xml", **simulated}
        url = f"http://127.0.0.1:8097/tests/{rel}"  # where feedparser's suite serves it
        body = path.read_bytes()
        try:
            parsed = parse_feed(body, headers, url)
        except FeedRefused as exc:
            failures.append(f"{rel}: refused: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - the point of the test
            failures.append(f"{rel}: {type(exc).__name__}: {exc}")
            continue
        if not expect:
            continue
        ours = holds(expect, parsed.result)
        if "entries" in expect and rel.startswith("wellformed/"):
            want, exact = implied_entry_count(expect)
            got = len(parsed.entries)
            count_checked += 1
            if (exact and got != want) or got < want:
                failures.append(f"{rel}: {got} entries, expectation implies {'' if exact else '>= '}{want}")
        plain = feedparser.parse(io.BytesIO(body), response_headers={
            **{k.lower(): v for k, v in headers.items()}, "content-location": url})
        theirs = holds(expect, plain)
        expectations_met += bool(ours)
        plain_met += bool(theirs)
        if theirs and not ours:
            failures.append(f"{rel}: plain feedparser meets `{expect}`, our parse path does not")
    assert failures == []
    assert count_checked > 1100  # every well-formed file whose expectation concerns entries
    assert expectations_met >= plain_met > 1900
