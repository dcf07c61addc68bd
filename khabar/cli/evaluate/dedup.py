"""`khabar eval dedup PAIRS.tsv`: score clean + dedup against labelled pairs.

The TSV has a header `a	b	label`; labels are duplicate | near_duplicate | distinct; a/b name
files in `docs` (default: the TSV's folder): plain `.txt` articles, or `.json` RawArticle
records. Every file named is processed once, through the real clean and dedup stages with
in-memory state, in the order of its first appearance in the TSV (so a pair's `a` is usually
seen first). A pair is *caught* when both files end up under the same original.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from khabar.errors import UserError
from khabar.models import Article, RawArticle, SourceRef
from processors.clean import clean
from processors.dedup.stage import Deduplicator, dedup_text
from processors.dedup.text import fingerprint, resemblance

LABELS = ("duplicate", "near_duplicate", "distinct")


def raw_from_file(path: Path, fetched_at: datetime) -> RawArticle:
    """A RawArticle for a local file: `.json` is a RawArticle, anything else plain text.

    Plain text is read exactly as `khabar process` reads it (ingest.files.text_article: the
    id hashes the text's matching form, DESIGN §3), with `source.id` = the file name.
    """
    from ingest.files import text_article

    if path.suffix.lower() == ".json":
        try:
            return RawArticle.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"{path}: cannot read: {exc}") from None
        except ValueError as exc:
            raise UserError(f"{path}: not a RawArticle JSON record: {exc}") from None
    try:
        return text_article(path, source=SourceRef(id=path.name, name=path.name), fetched_at=fetched_at)
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc}") from None


def read_pairs(pairs: Path) -> list[tuple[int, str, str, str]]:
    """(line number, a, b, label) rows; bad rows name the file and line."""
    try:
        lines = pairs.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{pairs}: cannot read: {exc}") from None
    rows = list(csv.reader(lines, delimiter="\t"))
    if not rows or [c.strip() for c in rows[0][:3]] != ["a", "b", "label"]:
        raise UserError(f"{pairs}:1: expected a header 'a<TAB>b<TAB>label'")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 3:
            raise UserError(f"{pairs}:{number}: expected 3 tab-separated columns, got {len(row)}")
        a, b, label = (c.strip() for c in row[:3])
        if label not in LABELS:
            raise UserError(f"{pairs}:{number}: unknown label {label!r} (expected one of {', '.join(LABELS)})")
        out.append((number, a, b, label))
    return out


def _root(article: Article) -> str:
    return article.dedup.of if article.dedup.status != "original" and article.dedup.of else article.id


def evaluate_dedup(pairs: Path, docs: Path | None = None) -> dict[str, Any]:
    """Per-label recall, false-positive rate on `distinct`, the pairs missed (JSON-ready)."""
    rows = read_pairs(pairs)
    folder = docs if docs is not None else pairs.parent
    order: list[str] = []
    for number, a, b, _ in rows:
        for name in (a, b):
            if name not in order:
                if not (folder / name).is_file():
                    raise UserError(f"{pairs}:{number}: {name}: no such file in {folder}")
                order.append(name)
    now = datetime.now(UTC)
    deduplicator = Deduplicator({})
    results: dict[str, Article] = {}
    for name in order:
        article = clean(raw_from_file(folder / name, now))
        results[name] = deduplicator.check(article, now).article

    per_label: dict[str, dict[str, Any]] = {label: {"pairs": 0, "caught": 0, "status_agreement": 0}
                                           for label in LABELS}
    samples = {name: fingerprint(dedup_text(article)).samples for name, article in results.items()}
    caught_similarity: list[float] = []
    distinct_similarity: list[float] = []
    missed: list[dict[str, Any]] = []
    false_positives: list[dict[str, Any]] = []
    for number, a, b, label in rows:
        art_a, art_b = results[a], results[b]
        linked = _root(art_a) == _root(art_b)
        later = art_b if order.index(b) > order.index(a) else art_a
        stats = per_label[label]
        stats["pairs"] += 1
        stats["caught"] += linked
        expected_status = "original" if label == "distinct" else label
        stats["status_agreement"] += later.dedup.status == expected_status
        jaccard, containment = resemblance(samples[a], samples[b])
        if label == "distinct":
            distinct_similarity.append(max(jaccard, containment))
        elif linked:
            caught_similarity.append(max(jaccard, containment))
        if linked != (label != "distinct"):
            entry = {"line": number, "a": a, "b": b, "label": label,
                     "status_a": art_a.dedup.status, "status_b": art_b.dedup.status,
                     "similarity": {"jaccard": round(jaccard, 3), "containment": round(containment, 3)}}
            (false_positives if label == "distinct" else missed).append(entry)

    report: dict[str, Any] = {"pairs_file": str(pairs), "documents": len(order), "pairs": len(rows)}
    scores: dict[str, float] = {}
    for label, stats in per_label.items():
        n = stats["pairs"]
        if not n:
            continue
        if label == "distinct":
            rate = stats["caught"] / n
            report[label] = {"pairs": n, "false_positives": stats["caught"],
                             "false_positive_rate": round(rate, 4)}
            scores["distinct_kept_apart"] = round(1 - rate, 4)
        else:
            recall = stats["caught"] / n
            report[label] = {"pairs": n, "caught": stats["caught"], "recall": round(recall, 4),
                             "status_agreement": round(stats["status_agreement"] / n, 4)}
            scores[f"{label}_recall"] = round(recall, 4)
            scores[f"{label}_status_agreement"] = round(stats["status_agreement"] / n, 4)
    if caught_similarity and distinct_similarity:
        # how far apart the weakest copy caught and the most similar distinct pair are
        scores["similarity_margin"] = round(min(caught_similarity) - max(distinct_similarity), 4)
    report["scores"] = scores
    report["statuses"] = {s: sum(r.dedup.status == s for r in results.values())
                          for s in ("original", "duplicate", "near_duplicate")}
    report["missed"] = missed
    report["false_positives"] = false_positives
    return report
