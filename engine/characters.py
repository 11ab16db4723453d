"""Characters no stored text may hold: control characters other than tab and line breaks, and lone
surrogates. PostgreSQL refuses NUL, XML 1.0 (edXML, the signed PDF's metadata) refuses the other
controls, and UTF-8 cannot encode a lone surrogate: each would surface far from where it was typed."""
from __future__ import annotations

import re

#: C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_PAGE_BREAKS = re.compile("[\x0b\x0c]")


def first_forbidden(text: str) -> str | None:
    """The first character of ``text`` no stored text may hold, None when there is none."""
    found = FORBIDDEN.search(text)
    return found.group(0) if found else None


def code_point(character: str) -> str:
    """How a character is named to the user: «U+001B»."""
    return f"U+{ord(character):04X}"


def printable(text: str) -> str:
    """``text`` with page and line tabulations as line breaks and every other forbidden character left out
    (for text read from a file, where the user cannot remove them)."""
    return FORBIDDEN.sub("", _PAGE_BREAKS.sub("\n", text))
