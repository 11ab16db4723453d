"""One spelling of Vietnamese for comparing and reading texts.

Vietnamese is written with the tone mark of an open «oa», «oe» or «uy» on
either vowel: the older style puts it on the second («hoá», «thuỷ», «Uỷ
ban»), the style of the 2018 orthography rules and of most current documents
on the first («hóa», «thủy», «Ủy ban»). Directives use both, sometimes in one
text. ``modern_tones`` rewrites the older style to the current one, letter for
letter, so a text keeps its length and every position in it.
"""
from __future__ import annotations

import re
import unicodedata

_TONES = "\u0301\u0300\u0309\u0303\u0323"  # sắc, huyền, hỏi, ngã, nặng
#: «oa», «oe», «uy» (not «qu» + «y») with the tone on the second vowel, closing the syllable.
_OLD_STYLE = re.compile(r"(?<![qQ])([oO][áàảãạÁÀẢÃẠéèẻẽẹÉÈẺẼẸ]|[uU][ýỳỷỹỵÝỲỶỸỴ])(?![^\W\d_])")


def _move_tone(match: re.Match) -> str:
    first, second = match.group(1)
    decomposed = unicodedata.normalize("NFD", second)
    tones = [c for c in decomposed if c in _TONES]
    if not tones:
        return match.group(0)
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return unicodedata.normalize("NFC", first + tones[0]) + bare


#: The same syllables spelt the current way.
_NEW_STYLE = re.compile(r"(?<![qQ])([óòỏõọÓÒỎÕỌ][aAeE]|[úùủũụÚÙỦŨỤ][yY])(?![^\W\d_])")


def _old_style(pair: str) -> str:
    first, second = pair
    decomposed = unicodedata.normalize("NFD", first)
    tone = next(c for c in decomposed if c in _TONES)
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c != tone))
    return bare + unicodedata.normalize("NFC", second + tone)


def either_tones(pattern: str) -> str:
    """A regular expression ``pattern`` (spelt the current way) that also matches the older placement of its tones:
    «Văn hóa» matches «Văn hoá» too."""
    return _NEW_STYLE.sub(lambda m: f"(?:{m.group(1)}|{_old_style(m.group(1))})", modern_tones(pattern))


def modern_tones(text: str) -> str:
    """``text`` with every old-style tone («hoá», «thuỷ», «Uỷ») moved to where current spelling puts it."""
    return _OLD_STYLE.sub(_move_tone, unicodedata.normalize("NFC", text))
