"""The shipped process catalogue (``bpmn/``), deployed at start-up and by ``chidao deploy``.

The catalogue is one deployment source (``bpmn/``), filtered as Camunda's
``deploy-changed-only`` filters a source: a file is deployed only when it differs from
the catalogue's own last deployment of it. And it never shadows a version an admin
deployed (from the modeler, an upload or the REST API): when the newest version of a
process came from elsewhere, a changed catalogue file is held back and said so, until
``chidao deploy --force`` deploys it on purpose.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from engine import SYSTEM
from engine.bpmn.parser import parse_bpmn
from engine.repository import previous_resource

from .services import services

CATALOGUE = Path(__file__).resolve().parent.parent / "bpmn"
NAME = "Danh mục quy trình"
SOURCE = "bpmn/"

DEPLOYED, UNCHANGED, HELD_BACK = "deployed", "unchanged", "held_back"


@dataclass(frozen=True)
class CatalogueLine:
    """What became of one process of one catalogue file."""

    resource: str
    key: str
    outcome: str
    version: int | None = None
    held_by: str | None = None  # who deployed the newer version the catalogue's file stands behind

    def sentence(self) -> str:
        """The line ``chidao deploy`` prints."""
        if self.outcome == DEPLOYED:
            return f"{self.resource}: đã triển khai {self.key} phiên bản {self.version}."
        if self.outcome == UNCHANGED and self.held_by:
            return (f"{self.resource}: không đổi so với lần triển khai trước của danh mục; {self.key} đang dùng "
                    f"phiên bản {self.version} do {self.held_by} triển khai, mới hơn danh mục.")
        if self.outcome == UNCHANGED:
            return f"{self.resource}: không đổi, {self.key} giữ phiên bản {self.version}."
        return (f"{self.resource}: đã thay đổi nhưng chưa triển khai: {self.key} phiên bản {self.version} do "
                f"{self.held_by} triển khai mới hơn danh mục; dùng «chidao deploy --force» để triển khai tệp "
                "của danh mục.")


def deploy_catalogue(force: bool = False, folder: Path = CATALOGUE) -> list[CatalogueLine]:
    """Deploy the catalogue's changed files (with ``force``: every file not already the newest version)."""
    engine = services().engine
    files = {path.name: path.read_bytes() for path in sorted(folder.glob("*.bpmn"))}
    lines: list[CatalogueLine] = []
    to_deploy: dict[str, bytes] = {}
    with services().db.transaction() as s:
        for filename, content in files.items():
            sha = hashlib.sha256(content).hexdigest()
            last = previous_resource(s, NAME, SOURCE, filename)
            file_lines = []
            for process in parse_bpmn(content, filename):
                newest = engine.latest_definition(s, process.key, required=False)
                if newest is not None and newest.sha256 == sha:
                    file_lines.append(CatalogueLine(filename, process.key, UNCHANGED, newest.version))
                elif not force and last is not None and last.sha256 == sha:
                    newer = newest.deployed_by if newest.deployment.source != SOURCE else None
                    file_lines.append(CatalogueLine(filename, process.key, UNCHANGED, newest.version, newer))
                elif not force and newest is not None and newest.deployment.source != SOURCE:
                    file_lines.append(CatalogueLine(filename, process.key, HELD_BACK, newest.version,
                                                    newest.deployed_by))
                else:
                    to_deploy[filename] = content
            if filename not in to_deploy:
                lines.extend(file_lines)
        if to_deploy:
            result = engine.deploy(s, NAME, to_deploy, SYSTEM, source=SOURCE)
            lines.extend(CatalogueLine(d.resource_name, d.key, DEPLOYED, d.version) for d in result.definitions)
    return sorted(lines, key=lambda line: (line.resource, line.key))
