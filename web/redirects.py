"""Where the app may send a browser back to: a path of this site only (an open redirect would let a
crafted link log someone in and land them on a look-alike site)."""
from __future__ import annotations

from urllib.parse import urlsplit


def local_path(target: str | None, default: str) -> str:
    """``target`` when it is a path of this site, else ``default``.

    Browsers drop tabs and line breaks inside a URL and read ``\\`` as ``/``, so ``/\\t/evil`` and
    ``/\\evil`` lead elsewhere just as ``//evil`` does: any control character, space or backslash
    refuses the target, as do a scheme or a host."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
