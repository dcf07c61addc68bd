"""Cleaning stage: raw markup or text -> the readable article body, title and summary.

`body` is what users read and search, so the rules here remove only what is clearly not
the article: site chrome (font-size and share widgets, e-mail/print lines), feed footers,
related-headline lists, reader comments appended after the article and lines with no
letters at all. Every rule is shaped by what such chrome looks like in general (a line made
only of widget words, a list of short unpunctuated lines after a "read also" header, an
informal tail with prayers and detached "و"), never by literal strings from one site.
Paragraphs are kept, separated by a blank line; text is NFC with whitespace normalised.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from khabar.models import Article, RawArticle
from khabar.textnorm import matching_form, words
from processors.langid import detect_language

# --- markup to paragraphs ---------------------------------------------------------------

_LOOKS_LIKE_HTML = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|<!--|&#?\w+;")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_DROP_TAGS = frozenset({
    "script", "style", "noscript", "iframe", "form", "button", "nav", "aside", "footer",
    "select", "option", "input", "textarea", "template", "svg", "canvas", "object", "embed",
    "head", "meta", "link",
})
_BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody",
    "tfoot", "tr", "td", "th", "figure", "figcaption", "address", "hr", "center", "body",
})
# class/id words that mark page chrome (matched as whole words of the attribute)
_CHROME_CLASS_WORDS = frozenset({
    "share", "sharing", "sharer", "social", "socials", "comment", "comments", "related",
    "newsletter", "advert", "advertisement", "ads", "ad", "adsbygoogle", "breadcrumb",
    "breadcrumbs", "print", "email", "mail", "fontsize", "toolbar", "sidebar", "promo",
    "subscribe", "subscription", "popup", "modal", "cookie", "cookies", "disqus",
})
_CHROME_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "search"})
_CLASS_SPLIT = re.compile(r"[\s_\-]+")
_HTML_SPACES = re.compile(r"\s+")


def _is_chrome(node, total_chars: int) -> bool:
    """Hidden, navigation-like or chrome-classed element that is not the article itself."""
    attrib = node.attrib
    if "hidden" in attrib or attrib.get("aria-hidden") == "true":
        return True
    if "display:none" in attrib.get("style", "").replace(" ", "").lower():
        return True
    if attrib.get("role", "").lower() in _CHROME_ROLES:
        return True
    names = f"{attrib.get('class', '')} {attrib.get('id', '')}".lower()
    if not names.strip() or not _CHROME_CLASS_WORDS.intersection(_CLASS_SPLIT.split(names)):
        return False
    # a wrapper like <div class="article share-enabled"> holds the article: keep it
    return len(node.text_content()) <= total_chars // 2


_SCRIPTS = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.S | re.I)
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_BLOCK_TAGS)) + r")\b[^>]*>", re.I)
_BR_TAG = re.compile(r"<br\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")


def _strip_tags(markup: str) -> str:
    """Markup libxml2 cannot parse: tags out by pattern, blocks still become paragraphs."""
    text = _COMMENTS.sub("", _SCRIPTS.sub(" ", markup))
    text = _BR_TAG.sub("\n", _BLOCK_TAG.sub("\n\n", text))
    text = "\n".join(_HTML_SPACES.sub(" ", line) for line in _ANY_TAG.sub("", text).split("\n"))
    return htmllib.unescape(text)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML document or fragment: blocks -> blank lines, <br> -> newline."""
    from lxml import etree
    from lxml import html as lxml_html

    markup = _XML_DECL.sub("", markup)
    if not markup.strip():
        return ""
    parser = lxml_html.HTMLParser(huge_tree=True)  # deep nesting is not an error in feeds
    try:
        root = lxml_html.document_fromstring(markup, parser=parser)
    except (etree.ParserError, ValueError):
        return _strip_tags(markup)
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        return _strip_tags(markup)  # libxml2 dropped what it could not hold: keep the text
    total = len(root.text_content())
    out: list[str] = []
    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:  # iterative: hostile feeds nest deeper than Python's recursion limit
        node, closing = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""  # comments: callable tag
        if closing:
            if tag in _BLOCK_TAGS:
                out.append("\n\n")
            if node is not root and node.tail:
                out.append(_HTML_SPACES.sub(" ", node.tail))
            continue
        stack.append((node, True))
        if not tag or tag in _DROP_TAGS or _is_chrome(node, total):
            continue
        if tag == "br":
            out.append("\n")
            continue
        if tag in _BLOCK_TAGS:
            out.append("\n\n")
        if node.text:
            out.append(node.text if tag == "pre" else _HTML_SPACES.sub(" ", node.text))
        stack.extend((child, False) for child in reversed(node))
    return "".join(out)


def _hard_wrapped(lines: list[str]) -> bool:
    """Lines of one paragraph wrapped at a fixed width (e-mail style), not one per paragraph."""
    if len(lines) < 3 or max(len(line) for line in lines) > 100:
        return False
    body = lines[:-1]
    long_lines = sum(len(line) >= 50 for line in body)
    ended = sum(line.rstrip().endswith((".", "!", "?", "؟", ":")) for line in body)
    return long_lines >= 0.8 * len(body) and ended < 0.5 * len(body)


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: one per line, unless a block is hard-wrapped prose."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs: list[str] = []
    for block in re.split(r"\n[^\S\n]*\n", text):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if _hard_wrapped(lines):
            paragraphs.append(" ".join(lines))
        else:
            paragraphs.extend(lines)
    return paragraphs


_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def normalise_text(text: str) -> str:
    """NFC, no control or invisible characters, every space-like character one plain space."""
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", unicodedata.normalize("NFC", text)))
    return " ".join(text.split())


# --- boilerplate rules ------------------------------------------------------------------

def _mf_set(items: str) -> frozenset[str]:
    return frozenset(matching_form(w) for w in items.split())


# words that make up font-size, share, print and e-mail widgets (matching form)
_WIDGET_WORDS = _mf_set("""
    الحجم حجم الطبيعي طبيعي الخط خط تكبير تصغير كبير صغير النص
    طباعة اطبع طباعه مشاركة شارك شاركها شاركوا مشاركه ارسال ارسل أرسل إرسال البريد بريد
    الإلكتروني الالكتروني إلكتروني الكتروني فيسبوك فيس بوك تويتر واتساب واتس اب تلغرام تيليغرام
    لينكدإن لينكدان انستغرام نسخ انسخ الرابط رابط مختصر حفظ احفظ تعليق تعليقات عبر على المقال
    الخبر الصفحة رد إبلاغ
    email e mail print share shares shared tweet twitter facebook whatsapp telegram linkedin
    pinterest reddit messenger sms copy link url save bookmark comment comments reply font
    size text reset normal larger smaller this article story page on to via pocket flipboard
""")
_WIDGET_SIGNS = re.compile(r"[+\-−–]")
_FEED_FOOTER = re.compile(
    r"^(the (post|article|entry) .{1,300} appeared first on .{1,120}"
    r"|ظهرت المقاله .{1,300} اولا علي .{1,120}"
    r"|(continue reading|read more|read the (full|rest of the) (story|article)|اقرا المزيد"
    r"|تابع القراءه|اكمل القراءه|لمزيد من التفاصيل)\b.{0,80})$"
)
_FEED_FOOTER_START = re.compile(
    r"^(the|ظهرت|continue|read|اقرا|تابع|اكمل|لمزيد)\b")
_RELATED_HEADER = re.compile(
    r"^(((اقرا|اقرءوا|اقراوا|شاهد|طالع|تابع|انظر) (ايضا|كذلك|المزيد))"
    r"|((مواضيع|اخبار|مقالات|قصص|روابط|موضوعات|تقارير|مواد|قراءات) (ذات صله|ذات علاقه|متعلقه|مشابهه"
    r"|مرتبطه|مقترحه|اخري|قد تهمك))|(ذات صله)|(اخترنا لك)|(ننصحك بقراءه)|(لا يفوتك)"
    r"|(الاكثر (قراءه|مشاهده|تداولا))|(قد (يهمك|يعجبك)( ايضا)?)|(المزيد من (الاخبار|المقالات))"
    r"|(related( (stories|articles|news|posts|coverage|content|links|reading))?)"
    r"|(read (also|more))|(see also)|(more (from|on|stories|news))|(most (read|popular|viewed))"
    r"|(you (may|might) also (like|be interested))|(recommended( for you)?)|(trending( now)?))"
    r"(\W|$)"
)
_COMMENTS_HEADER = re.compile(
    r"^((\d+ )?(التعليقات|تعليقات|تعليق)( القراء| الزوار)?|اضف تعليق(ا|ك)?|اترك تعليق(ا|ك)?"
    r"|اكتب تعليق(ا|ك)?|شارك برايك|(\d+ )?comments?|(leave|post|add|write) (a )?(comment|reply)"
    r"|join the (discussion|conversation)|reader comments|discussion)\W*(\(\d+\))?\W*$"
)
_TERMINAL = (".", "!", "?", "؟", "…", ":", "؛", ";")
_LIST_MARK = re.compile(r"^\s*(?:[-–—•·*▪►»|]+|\d{1,2}[.)\-–]|\(\d{1,2}\))\s*")
_HEADLINE_END = re.compile(r"(?:[?؟!]|\.\.+|…)[\"'”’»)\]›]*\s*$")
_CLOSERS = "\"'”’»)]›"
_PRAYERS = re.compile(
    r"(الله (يرحم|يرحمهم|يلعن|يحمي|يحفظ|ينتقم|ياخذ|اكبر|يهلك)|رحمه الله|رحمهم الله|لعنه الله"
    r"|حسبي الله|حسبنا الله|يا رب|يارب|اللهم|ان شاء الله|انشاء الله|انشالله|\bربي\b)"
)
_CHAT_WORDS = _mf_set("طبعاً طبعا هيك شو ليش والله برأيي برايي lol imo lmao omg")
_CHATTY_END = re.compile(r"(\.\.|…|!!|؟؟|\?\?)[.…!?؟]*$")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")


@lru_cache(maxsize=1 << 17)
def _token_form(token: str) -> str:
    """Matching form of one whitespace token (the form is per character, so tokens cache)."""
    return matching_form(token)


@lru_cache(maxsize=4096)
def _n_words(paragraph: str) -> int:
    return len(paragraph.split())


@lru_cache(maxsize=4096)
def _norm(paragraph: str, max_words: int | None = None) -> str:
    """Matching form of a paragraph (or of its first `max_words` words)."""
    tokens = paragraph.split()
    return " ".join(map(_token_form, tokens if max_words is None else tokens[:max_words]))


def _is_symbols_only(paragraph: str) -> bool:
    """'&', '|', '***', '—': nothing a reader could read."""
    return not any(ch.isalnum() for ch in paragraph)


def _is_widget_line(paragraph: str, tokens: list[str]) -> bool:
    """'ت + ت - الحجم الطبيعي', 'Email', 'Share on Facebook': only widget words and letters."""
    if not tokens or len(tokens) > 8:
        return False
    known = [t in _WIDGET_WORDS for t in tokens]
    letters = [len(t) == 1 and t.isalpha() for t in tokens]
    if not all(k or s for k, s in zip(known, letters, strict=True)):
        return False
    return any(known) or bool(_WIDGET_SIGNS.search(paragraph))


def _ends_sentence(paragraph: str) -> bool:
    return paragraph.rstrip().rstrip(_CLOSERS).rstrip().endswith(_TERMINAL)


def _headline_like(paragraph: str, max_words: int = 20) -> bool:
    """A short line without sentence punctuation at the end: a linked headline.

    Headlines may be questions or trail off ("؟", "...", "!"), and list items may carry a
    bullet or a number; a line ending in one full stop or a colon is prose or a lead-in."""
    text = _LIST_MARK.sub("", paragraph).strip()
    if not 3 <= _n_words(text) <= max_words:
        return False
    return not _ends_sentence(text) or _HEADLINE_END.search(text) is not None


def _list_line(paragraph: str) -> bool:
    """A line in a list under a 'related' header: a headline of any length up to 25 words,
    or the item's number or date ("1", "12 أيار 2019")."""
    text = _LIST_MARK.sub("", paragraph).strip()
    if not text or _headline_like(text, 25):
        return True
    n = _n_words(text)
    if n > 4:
        return False
    return not _ends_sentence(text) or _HEADLINE_END.search(text) is not None


def _informal_score(paragraph: str, norm: str, tokens: list[str]) -> int:
    """How much a paragraph reads like a reader's comment rather than news prose."""
    score = 0
    tail = paragraph.rstrip()
    if _CHATTY_END.search(tail) or _EMOJI.search(paragraph):
        score += 1
    if tokens.count("و") >= 2:  # news attaches the conjunction; quick typing detaches it
        score += 1
    if _PRAYERS.search(norm):
        score += 1
    if _CHAT_WORDS.intersection(tokens):
        score += 1
    if paragraph.lstrip().startswith("@"):
        score += 2
    return score


def _is_related_header(paragraph: str) -> bool:
    n_words = _n_words(paragraph)
    if n_words > 6 and (_ends_sentence(paragraph) or n_words > 30):
        return False
    return bool(_RELATED_HEADER.match(_norm(paragraph, 8)))


def _drop_related_lists(paras: list[str]) -> list[str]:
    """A 'read also'/'related' header and the linked headlines that follow it."""
    out: list[str] = []
    i = 0
    while i < len(paras):
        if out and _is_related_header(paras[i]):
            i += 1
            while i < len(paras) and _list_line(paras[i]):
                i += 1
            continue
        out.append(paras[i])
        i += 1
    # a trailing list of >= 3 headlines without a header, after a finished paragraph
    run = 0
    while run < len(out) and _headline_like(out[-1 - run], 15):
        run += 1
    if run >= 3 and len(out) - run >= 2 and _ends_sentence(out[-1 - run]) \
            and not out[-1 - run].rstrip().endswith(":"):
        out = out[:-run]
    return out


def _cut_at_comments(paras: list[str]) -> list[str]:
    """Everything from a comments-section header on is readers' text, not the article."""
    for i, para in enumerate(paras):
        if i > 0 and _n_words(para) <= 5:
            norm = _norm(para)
            if len(words(norm)) <= 5 and _COMMENTS_HEADER.match(norm):
                return paras[:i]
    return paras


def _drop_trailing_comments(paras: list[str]) -> list[str]:
    """Comments pasted after the article: informal paragraphs at the very end."""
    end = len(paras)
    while end > 2:
        para = paras[end - 1]
        norm = _norm(para)
        if _informal_score(para, norm, words(norm)) < 2:
            break
        end -= 1
    return paras[:end]


def _is_chrome_line(para: str) -> bool:
    """A line that is a widget, a feed footer or bare symbols, wherever it is."""
    if _is_symbols_only(para):
        return True
    n_words = _n_words(para)
    if n_words <= 8 and _is_widget_line(para, words(_norm(para))):
        return True
    return n_words <= 80 and bool(_FEED_FOOTER_START.match(_norm(para, 3))) \
        and bool(_FEED_FOOTER.match(_norm(para)))


def strip_boilerplate(paragraphs: list[str]) -> list[str]:
    """Remove chrome lines anywhere, then related lists and reader comments at the end."""
    kept = [para for para in paragraphs if not _is_chrome_line(para)]
    kept = _cut_at_comments(kept)
    for _ in range(2):  # comments may follow a related list, or the other way round
        before = len(kept)
        kept = _drop_trailing_comments(_drop_related_lists(kept))
        if len(kept) == before:
            break
    return kept


# --- the stage --------------------------------------------------------------------------

def clean_text(content: str, content_type: str = "html") -> str:
    """Cleaned text of a body or summary: paragraphs joined by one blank line."""
    if not content:
        return ""
    if content_type == "html" and _LOOKS_LIKE_HTML.search(content):
        raw_paragraphs = text_paragraphs(html_to_text(content))
    else:
        raw_paragraphs = text_paragraphs(htmllib.unescape(content))
    paragraphs = [p for p in (normalise_text(p) for p in raw_paragraphs) if p]
    return "\n\n".join(strip_boilerplate(paragraphs))


def clean_title(title: str) -> str:
    """One line: markup and entities resolved, whitespace collapsed, NFC."""
    if _LOOKS_LIKE_HTML.search(title):
        title = html_to_text(title)
    else:
        title = htmllib.unescape(title)
    return normalise_text(title.replace("\n", " "))


def clean(raw: RawArticle) -> Article:
    """The cleaning stage: Article with clean title/summary/body and `language` set."""
    article = Article.from_raw(raw)
    title = clean_title(raw.title)
    summary = clean_text(raw.summary, "html")
    body = clean_text(raw.content, raw.content_type)
    declared = raw.language or raw.source.language
    sample = body if len(body) >= 200 else " ".join(x for x in (title, summary, body) if x)
    language = detect_language(sample, declared)
    if not (title or summary or body):
        raise ValueError("no text: title, summary and body are empty after cleaning")
    notes = list(article.notes)
    body, summary = cap_text(body, BODY_MAX_CHARS, notes, "body"), cap_text(summary, SUMMARY_MAX_CHARS, notes, "summary")
    dates = sane_dates(article.published_at, article.fetched_at, notes)
    return article.model_copy(update={
        "title": title[:TITLE_MAX_CHARS], "summary": summary, "body": body, "language": language,
        "notes": notes, **dates,
    })


# Size caps that keep every record under the topics' message limit (1 MB, the broker
# default) whatever the source sent: Arabic is 2 bytes a character in UTF-8.
BODY_MAX_CHARS = 300_000
SUMMARY_MAX_CHARS = 20_000
TITLE_MAX_CHARS = 2_000
EARLIEST_PUBLISHED = datetime(1990, 1, 1, tzinfo=UTC)  # no online news before; 1900 is a bad default
FUTURE_SLACK = timedelta(days=1)  # feeds in other time zones run ahead a few hours, not days


def cap_text(text: str, limit: int, notes: list[str], name: str) -> str:
    """`text` cut to `limit` characters, with a visible note at the cut and in `notes`."""
    if len(text) <= limit:
        return text
    notes.append(f"{name} truncated from {len(text)} to {limit} characters")
    return text[:limit] + f"\n\n[… truncated: {len(text) - limit} more characters]"


def sane_dates(published: datetime | None, fetched: datetime, notes: list[str]) -> dict:
    """A published_at before 1990 or over a day after fetching is a broken feed date: use the
    fetch time (and say so), so no article lands in an index for 1900 or 9999."""
    if published is None:
        return {}
    aware = published if published.tzinfo else published.replace(tzinfo=UTC)
    fetched = fetched if fetched.tzinfo else fetched.replace(tzinfo=UTC)
    if EARLIEST_PUBLISHED <= aware <= fetched + FUTURE_SLACK:
        return {}
    notes.append(f"published_at {published.isoformat()} out of range: used fetched_at")
    return {"published_at": fetched, "timestamp": fetched}
