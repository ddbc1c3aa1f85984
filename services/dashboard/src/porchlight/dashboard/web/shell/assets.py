"""The app's static files: every one ships in the package (no CDN), served from ``static/``.

The service worker precaches the app shell; its cache is named after a hash of every asset, so
a new release replaces the cached shell as soon as the browser sees the new ``sw.js``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

STATIC = Path(__file__).parent.parent / "static"  # web/static, beside this package
#: What the service worker caches for offline use (sw.js itself is served, not cached).
SHELL_SUFFIXES = (".html", ".css", ".js", ".svg", ".webmanifest", ".png")

MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
}


def asset_path(relative: str) -> Path | None:
    """The file under ``static/`` for a URL path, or None (nothing outside it is reachable)."""
    root = STATIC.resolve()
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file() or candidate.name == "sw.js":
        return None
    if candidate.suffix not in MEDIA_TYPES:
        return None
    return candidate


@lru_cache(maxsize=1)
def shell() -> tuple[str, list[str]]:
    """(version, URLs) of the app shell; computed once per process (assets ship read-only)."""
    files = sorted(p for p in STATIC.rglob("*") if p.is_file() and p.suffix in SHELL_SUFFIXES and p.name != "sw.js")
    digest = hashlib.sha256()
    urls = ["/"]
    for path in files:
        rel = path.relative_to(STATIC).as_posix()
        digest.update(rel.encode() + b"\0" + path.read_bytes())
        if rel != "index.html":  # the shell itself is "/"
            urls.append(f"/static/{rel}")
    return digest.hexdigest()[:16], urls


def service_worker() -> str:
    version, urls = shell()
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    return source.replace("__VERSION__", version).replace('["__SHELL__"]', repr(urls).replace("'", '"'))
