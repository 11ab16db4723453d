"""A value read from a directive, with the words it came from and how sure the reading is."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: How sure a reading is: read where NĐ 30/2020 puts it or as the directory names it; likely (a standard
#: name the directory lacks, a subject at an item's start); inferred from elsewhere in the text; guessed from
#: the shape of the words.
SURE, LIKELY, INFERRED, GUESSED = 0.95, 0.8, 0.6, 0.5


@dataclass
class Found:
    """A proposed value: the words it came from (document offsets) and how sure the reading is."""

    value: Any
    span: tuple[int, int] | None
    confidence: float
    note: str | None = None
