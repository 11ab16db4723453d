"""English is complete when chosen: every string the interface marks for translation has its English."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

WEB = Path(__file__).parents[1] / "web"


def test_every_string_of_the_interface_has_its_english_translation(tmp_path):
    template = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "extract", "-F", "../babel.cfg", "-o", str(template), "."], cwd=WEB,
                   check=True, capture_output=True)
    with (WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as file:
        translated = {m.id for m in read_po(file) if m.id and m.string}
    with template.open("rb") as file:
        missing = [m.id for m in read_po(file) if m.id and m.id not in translated]
    assert missing == []
