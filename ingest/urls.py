"""Canonical article URLs: the input of the article id (DESIGN §3).

Two links to the same article that differ only in tracking parameters, fragment, scheme or
host case or a default port must give the same id, or every share link becomes a "new"
article. Parameters that select content (id=, p=, page=) are kept, in their order.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

# Parameters that only say where a click came from. Prefix families end with "_".
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "at_", "hsa_", "_hs", "ga_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
    "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_openstat",
    "ocid", "cmpid", "xtor", "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
    "ns_fee", "s_cid", "spm", "scid", "ref_src", "ref_url", "__twitter_impression", "vero_id",
    "oly_anon_id", "oly_enc_id", "rb_clickid", "wt_mc", "wt.mc_id", "cmp", "smid", "sr_share",
    "mkt_tok", "trk", "trkcampaign", "soc_src", "soc_trk", "campaign_id", "feature",
})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WS = re.compile(r"\s+")
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def is_tracking_param(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str | None, base: str | None = None) -> str | None:
    """http(s) URL with tracking params and fragment removed, scheme/host lowercased.

    Relative links resolve against `base` (the feed URL). Anything that is not an
    absolute http(s) URL afterwards (tag:, mailto:, garbage) gives None.
    """
    if not url:
        return None
    url = _WS.sub("", url.strip()) if "\n" in url or "\t" in url else url.strip()
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError:
        host = host.lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}{':' + parts.password if parts.password else ''}@{netloc}"
    kept = [piece for piece in parts.query.split("&")
            if piece and not is_tracking_param(unquote(piece.split("=", 1)[0]))]
    query = _encode("&".join(kept))
    path = _encode(parts.path or "/")
    return urlunsplit((scheme, netloc, path, query, ""))


def _encode(text: str) -> str:
    """Percent-encode non-ASCII (UTF-8) and upper-case escapes, so raw and encoded Arabic
    paths meet; existing escapes and reserved characters are left as they are."""
    text = quote(text, safe="/%:@!$&'()*+,;=-._~?[]")
    return _ESCAPE.sub(lambda m: m.group(0).upper(), text)
