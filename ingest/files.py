"""Local inputs: plain-text articles, folders of them, feed files, JSON lines of RawArticle.

Used by the offline `khabar process FILE...` and by `kind: file | folder | jsonl` sources.
A `.txt` file is one article: its id is the hash of its normalised text (so the same
article saved twice is one article), its title the first line if that is a headline, else
the first sentence. Feed files go through the same parse path as polled feeds.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from ingest.entries import entry_to_raw, text_id
from ingest.parse import FeedRefused, parse_feed
from khabar.errors import UserError
from khabar.models import RawArticle, SourceRef

TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}
HEADLINE_MAX = 150
TITLE_MAX = 200
_SENTENCE_END = re.compile(r"[.!?؟](?=\s|$)")
_LINE_END_PUNCT = (".", "!", "?", "؟", ":", "،", ",", "؛", ";")


def local_source(path: Path) -> SourceRef:
    """SourceRef for a file given without a configured source: named after the file.

    Offline replay then sees one source per file, like the stream sees one per feed, so
    burst rules counting distinct sources behave the same.
    """
    return SourceRef(id=source_slug(path.stem) or "local", name=path.name, feed=str(path))


def source_slug(text: str) -> str:
    """A source id from a title, host or file name: lowercase words joined by '-'."""
    return re.sub(r"[^\w.]+", "-", text.lower(), flags=re.UNICODE).strip("-._")[:100]


def feed_file_source(path: Path, title: str | None, link: str | None) -> SourceRef:
    """The source of a feed file: its title, else its link's host, else the file name."""
    from urllib.parse import urlsplit

    host = (urlsplit(link).hostname or "") if link else ""
    for candidate in (title or "", host.removeprefix("www.")):
        slug = source_slug(candidate)
        if slug:
            return SourceRef(id=slug, name=(title or host).strip(), feed=link or str(path))
    return local_source(path)


def title_from_text(text: str) -> str:
    """The first line if it reads as a headline, else the first sentence (shortened)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    first = lines[0]
    if len(lines) > 1 and len(first) <= HEADLINE_MAX and not first.endswith(_LINE_END_PUNCT):
        return first
    match = _SENTENCE_END.search(first)
    sentence = first[: match.start()] if match else first
    if len(sentence) <= TITLE_MAX:
        return sentence
    cut = sentence.rfind(" ", 0, TITLE_MAX)
    return sentence[: cut if cut > 0 else TITLE_MAX].rstrip("،, ") + "…"


def text_article(path: Path, source: SourceRef | None = None, fetched_at: datetime | None = None) -> RawArticle:
    """One plain-text file as one RawArticle."""
    text = _read_text(path)
    if not text.strip():
        raise UserError(f"{path}: empty article file")
    return RawArticle(
        id=text_id(text),
        source=source or local_source(path),
        title=title_from_text(text),
        content=text,
        content_type="text",
        fetched_at=fetched_at or datetime.now(UTC),
        notes=[f"from file {path.name}", "published_at unknown: plain text file"],
    )


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:65536]:
        raise UserError(f"{path}: binary data (NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise UserError(f"{path}: not UTF-8 and no text encoding detected") from None
        return str(best)


def jsonl_articles(path: Path) -> Iterator[RawArticle]:
    """RawArticles from JSON lines; a bad line is an error naming file and line."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield RawArticle.model_validate_json(line)
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"]) or "line"
                raise UserError(f"{path}:{number}: not a RawArticle: {where}: {err['msg']}") from None


def feed_file_articles(path: Path, source: SourceRef | None = None,
                       fetched_at: datetime | None = None, encoding: str | None = None) -> list[RawArticle]:
    """Entries of a local RSS/Atom/JSON Feed file, parsed like a polled feed."""
    body = path.read_bytes()
    try:
        parsed = parse_feed(body, {"content-type": "application/xml"}, url=None, encoding=encoding)
    except FeedRefused as exc:
        raise UserError(f"{path}: {exc}") from None
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = parsed.problem or "no feed format recognised"
        raise UserError(f"{path}: not a readable feed ({reason})")
    fetched_at = fetched_at or datetime.now(UTC)
    base = parsed.feed.get("link") or None
    ref = source or feed_file_source(path, parsed.feed.get("title"), base)
    notes = [f"feed problem: {parsed.problem}"] if parsed.problem else []
    return [entry_to_raw(e, ref, fetched_at, base_url=base, feed_language=parsed.language,
                         notes=notes + parsed.notes) for e in parsed.entries]


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in FEED_SUFFIXES:
        return "feed"
    with path.open("rb") as handle:
        head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return "feed"
    raise UserError(f"{path}: unsupported file (expected .txt, .jsonl, or an RSS/Atom/JSON Feed file)")


def folder_files(path: Path) -> list[Path]:
    """Readable files of a folder, in name order (hidden files skipped)."""
    return sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))


def raw_articles_from_path(path: Path, source: SourceRef | None = None) -> Iterator[RawArticle]:
    """RawArticles from a file or a folder of files (see module docstring)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such file or folder")
    if path.is_dir():
        # text files of a folder share the folder's source; feed files keep their own
        folder_source = source or local_source(path)
        for child in folder_files(path):
            child_source = source if source or _kind(child) != "text" else folder_source
            yield from raw_articles_from_path(child, child_source)
        return
    kind = _kind(path)
    if kind == "text":
        yield text_article(path, source)
    elif kind == "jsonl":
        yield from jsonl_articles(path)
    else:
        yield from feed_file_articles(path, source)


INPUT_MAX_BYTES = 10 * 1024 * 1024  # one input file may cost at most what one fetch may (ingest.fetch)
SkipFn = Callable[[Path, str], None]


def articles_from_inputs(paths: Iterable[Path], on_skip: SkipFn, max_bytes: int = INPUT_MAX_BYTES,
                         source: SourceRef | None = None) -> Iterator[RawArticle]:
    """RawArticles from files and folders where one bad input costs only itself: an
    unreadable, binary, malformed or oversized file is reported to `on_skip(path, reason)`
    (which may raise to stop, as `--strict` does) and the rest go on."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            folder_source = source or local_source(path)
            for child in folder_files(path):
                child_source = source if source or _kind_or_none(child) != "text" else folder_source
                yield from articles_from_inputs([child], on_skip, max_bytes, child_source)
            continue
        try:
            size = path.stat().st_size
        except OSError as exc:
            on_skip(path, f"cannot read: {exc.strerror or exc}")
            continue
        if size > max_bytes:
            on_skip(path, f"{size} bytes, over the {max_bytes}-byte input cap: not read")
            continue
        try:
            items = list(raw_articles_from_path(path, source))
        except Exception as exc:  # noqa: BLE001 - whatever is wrong with this file, the others go on
            on_skip(path, str(exc).removeprefix(f"{path}: ") or type(exc).__name__)
            continue
        yield from items


def _kind_or_none(path: Path) -> str | None:
    try:
        return _kind(path)
    except UserError:
        return None


def path_stamp(path: Path) -> str:
    """Changes whenever a file (or any file in a folder) changes: the local 'ETag'."""
    digest = hashlib.sha256()
    paths = folder_files(path) if path.is_dir() else [path]
    for p in paths:
        stat = p.stat()
        digest.update(f"{p.name}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return "file:" + digest.hexdigest()[:24]
