"""A value read from a directive, with the words it came from and how sure the reading is."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: How sure a reading is: read where NĐ 30/2020 puts it, likely, inferred from elsewhere in the text.
SURE, LIKELY, INFERRED = 0.95, 0.8, 0.6


@dataclass
class Found:
    """A proposed value: the words it came from (document offsets) and how sure the reading is."""

    value: Any
    span: tuple[int, int] | None
    confidence: float
    note: str | None = None
