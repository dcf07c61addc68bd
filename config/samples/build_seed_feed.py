"""Build `seeds-feed.xml`, the bundled RSS 2.0 demo feed, from the articles in `seeds/`.

    .venv/bin/python config/samples/build_seed_feed.py          # rewrite seeds-feed.xml
    .venv/bin/python config/samples/build_seed_feed.py --check  # exit 1 if it is stale

Deterministic: the same seed files always give the same bytes (a test checks that the
committed feed is up to date). Links are synthetic (`.invalid` never resolves); pubDates
are approximate dates of the events described, not the outlets' publication times (the
seed files carry none) — see README.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

HERE = Path(__file__).resolve().parent
SEEDS = HERE / "seeds"
OUTPUT = HERE / "seeds-feed.xml"
BASE_URL = "https://samples.khabar.invalid/seeds/"

# Approximate event dates (noon UTC), by seed number; see README.md.
EVENT_DATES = {
    "000": datetime(2015, 7, 28, 12, 0, tzinfo=UTC),  # Hasakah: IS pushed out of the city
    "001": datetime(2015, 7, 29, 12, 0, tzinfo=UTC),  # same battle, another outlet
    "002": datetime(2017, 6, 30, 12, 0, tzinfo=UTC),  # IS leaves Aleppo province
    "003": datetime(2015, 6, 26, 12, 0, tzinfo=UTC),  # IS attack on Hasakah (from 25 June)
    "004": datetime(2019, 1, 10, 12, 0, tzinfo=UTC),  # SDF east of the Euphrates, Idlib clashes
}
BUILD_DATE = datetime(2019, 1, 10, 12, 0, tzinfo=UTC)


def _title(text: str) -> str:
    sys.path.insert(0, str(HERE.parent.parent))
    from ingest.files import title_from_text

    return title_from_text(text)


def _paragraphs_html(text: str) -> str:
    return "\n".join(f"<p>{escape(p.strip(), quote=False)}</p>" for p in text.split("\n") if p.strip())


def _cdata(html: str) -> str:
    return "<![CDATA[" + html.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build() -> bytes:
    items = []
    for path in sorted(SEEDS.glob("*.txt")):
        number = path.name.split("_", 1)[0]
        text = path.read_text(encoding="utf-8")
        title = _title(text)
        link = BASE_URL + number
        paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
        first = next((p for p in paragraphs if p != title), paragraphs[0])
        published = EVENT_DATES.get(number, BUILD_DATE)
        items.append(
            "    <item>\n"
            f"      <title>{xml_escape(title)}</title>\n"
            f"      <link>{link}</link>\n"
            f'      <guid isPermaLink="true">{link}</guid>\n'
            f"      <pubDate>{format_datetime(published, usegmt=True)}</pubDate>\n"
            f"      <description>{xml_escape(first)}</description>\n"
            f"      <content:encoded>{_cdata(_paragraphs_html(text))}</content:encoded>\n"
            "    </item>\n"
        )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">\n'
        "  <channel>\n"
        "    <title>khabar sample feed: Syria 2015–2019 (seed articles)</title>\n"
        f"    <link>{BASE_URL}</link>\n"
        "    <description>Five Arabic news articles from the project's shared corpus, "
        "bundled as demo data (see config/samples/README.md).</description>\n"
        "    <language>ar</language>\n"
        f"    <lastBuildDate>{format_datetime(BUILD_DATE, usegmt=True)}</lastBuildDate>\n"
        + "".join(items)
        + "  </channel>\n</rss>\n"
    )
    return feed.encode("utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Build the bundled sample feed from seeds/.")
    parser.add_argument("--check", action="store_true", help="fail if seeds-feed.xml is stale")
    args = parser.parse_args(argv)
    data = build()
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_bytes() != data:
            print(f"{OUTPUT} is stale: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
