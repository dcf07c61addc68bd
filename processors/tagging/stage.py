"""Tagging stage: places (with coordinates), actors, persons, event types, casualties.

A pure function of the article (title + summary + body); the taxonomy lives in
config/taxonomy/ and the automata are built once per process (`get_tagger()`).
"""

from __future__ import annotations

from khabar.models import Article
from khabar.textnorm import matching_form
from processors.tagging.tagger import Tagger, get_tagger

__all__ = ["Tagger", "article_text", "get_tagger", "tag"]


def article_text(article: Article) -> str:
    """Title, summary and body as one text, lines apart; a summary repeated at the start
    of the body (usual in feeds) is not counted twice."""
    parts = [article.title.strip()]
    summary = article.summary.strip()
    body = article.body.strip()
    if summary and not (body and matching_form(summary)[:200] in matching_form(body[:len(summary) * 2 + 200])):
        parts.append(summary)
    parts.append(body)
    return "\n\n".join(p for p in parts if p)


def tag(article: Article) -> Article:
    """Return a copy of the article with places, actors, persons, event_types and casualties."""
    tags = get_tagger().tag_text(article_text(article))
    return article.model_copy(update={
        **tags.names.tags,  # one list per registered tag kind (khabar.tagkinds)
        "event_types": tags.event_types,
        "casualties": tags.casualties,
    })
