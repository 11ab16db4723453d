"""Cells of an exported table that a spreadsheet never runs: text written by users (a task summary, a
subject) that begins like a formula would otherwise be one when the file is opened (OWASP's CSV
injection rule)."""
from __future__ import annotations

from typing import Any

#: What makes Excel or LibreOffice read a typed-in cell as a formula (tab and CR open one in CSV too).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell: text beginning like a formula gets a leading «'» (shown, never run); numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_as_values(sheet, values: list[Any]) -> None:
    """Append a row to an openpyxl sheet with every text cell stored as text, never as a formula."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
