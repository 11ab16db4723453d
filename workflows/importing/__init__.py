"""Starting a directive from its text: reading a .txt, .docx or .pdf into a proposed draft.

``extract_text`` turns the file into text (or refuses it with a sentence),
``parse_directive`` reads the text into fields, each with the words it came
from and how sure the reading is, ``as_json`` writes the result with the keys
of the seed labels, and ``draft_proposal`` fills the draft form with it.
"""
from .export import as_json
from .extract import MAX_BYTES, ImportRefused, check_size, extract_text
from .found import Found
from .parser import ParsedDirective, parse_directive

__all__ = ["MAX_BYTES", "Found", "ImportRefused", "ParsedDirective", "as_json", "check_size", "extract_text",
           "parse_directive"]
