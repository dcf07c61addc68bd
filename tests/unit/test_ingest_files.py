"""Local inputs for `khabar process` and file sources: .txt, folders, feed files, .jsonl."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.files import path_stamp, raw_articles_from_path, title_from_text
from khabar.errors import UserError
from khabar.models import RawArticle, SourceRef, stable_id
from khabar.textnorm import matching_form


def test_seed_articles_as_plain_text(seeds_dir: Path) -> None:
    articles = list(raw_articles_from_path(seeds_dir))
    assert len(articles) == 5
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    assert [a.id for a in articles] == [stable_id(matching_form(t)) for t in texts]
    assert [a.content for a in articles] == texts
    assert all(a.content_type == "text" and a.source.id == seeds_dir.name.lower() for a in articles)
    # a headline line is the title; otherwise the first sentence (shortened if long)
    assert articles[2].title == "‘‘داعش‘‘ يتقهقر ويخسر بالكامل مناطق سيطرته في حلب"
    assert articles[4].title == "«قسد» تحقق تقدماً «بطيئاً ومنظماً» شرقي نهر الفرات"
    assert articles[0].title.startswith("بيروت: طردت قوات النظام السوري")
    assert articles[0].title.endswith("فرضه العدو المشترك")
    assert articles[1].title.endswith("…") and len(articles[1].title) <= 201


def test_same_text_with_spelling_noise_is_the_same_article(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("أعلنت الحكومة السورية اليوم", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\ufeffاعلنت الحكـومة السوريّة  اليوم\n", encoding="utf-8")
    first, second = raw_articles_from_path(tmp_path)
    assert first.id == second.id


def test_title_from_text() -> None:
    assert title_from_text("Headline here\n\nBody. More.") == "Headline here"
    assert title_from_text("One sentence. Another one.") == "One sentence"
    assert title_from_text("قال المرصد: قتل 5. وأضاف") == "قال المرصد: قتل 5"
    assert title_from_text("   \n  ") == ""


def test_jsonl_of_raw_articles(tmp_path: Path) -> None:
    raws = [RawArticle(id=f"id{i}", source=SourceRef(id="s"), title=f"t{i}", url=f"https://x.example/{i}")
            for i in range(3)]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(r.model_dump_json() for r in raws) + "\n\n", encoding="utf-8")
    assert [a.model_dump() for a in raw_articles_from_path(path)] == [r.model_dump() for r in raws]


def test_jsonl_bad_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = RawArticle(id="a", source=SourceRef(id="s")).model_dump_json()
    path.write_text(good + "\n" + json.dumps({"title": "no id"}) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"bad\.jsonl:2: not a RawArticle: id: Field required"):
        list(raw_articles_from_path(path))


def test_feed_files_parse_like_polled_feeds(tmp_path: Path) -> None:
    atom = tmp_path / "feed.atom"
    atom.write_text("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Wire</title>
<link href="https://wire.example/"/>
<entry><title>Clashes near Idlib</title><id>urn:wire:1</id><link href="/2019/idlib"/>
<updated>2019-01-10T12:00:00Z</updated><summary>Fighting resumed.</summary></entry></feed>""", encoding="utf-8")
    (article,) = raw_articles_from_path(atom)
    assert article.url == "https://wire.example/2019/idlib"
    assert article.published_at == datetime(2019, 1, 10, 12, tzinfo=UTC)
    assert article.language == "en" and article.source.name == "Wire"
    jsonfeed = tmp_path / "feed.json"
    jsonfeed.write_text(json.dumps({"version": "https://jsonfeed.org/version/1", "title": "J",
                                    "items": [{"id": "1", "url": "https://j.example/1", "title": "خبر"}]}),
                        encoding="utf-8")
    (item,) = raw_articles_from_path(jsonfeed, SourceRef(id="mine"))
    assert (item.title, item.source.id, item.url) == ("خبر", "mine", "https://j.example/1")


def test_unknown_missing_and_broken_files_are_user_errors(tmp_path: Path) -> None:
    odd = tmp_path / "photo.bin"
    odd.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(UserError, match=r"photo\.bin: unsupported file"):
        list(raw_articles_from_path(odd))
    with pytest.raises(UserError, match=r"nope\.txt: no such file"):
        list(raw_articles_from_path(tmp_path / "nope.txt"))
    broken = tmp_path / "broken.xml"
    broken.write_text("<html><body>not a feed", encoding="utf-8")
    with pytest.raises(UserError, match=r"broken\.xml: not a readable feed"):
        list(raw_articles_from_path(broken))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    with pytest.raises(UserError, match=r"empty\.txt: empty article file"):
        list(raw_articles_from_path(empty))


def test_path_stamp_changes_with_content(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one", encoding="utf-8")
    before = path_stamp(tmp_path)
    assert path_stamp(tmp_path) == before
    (tmp_path / "b.txt").write_text("two", encoding="utf-8")
    assert path_stamp(tmp_path) != before
