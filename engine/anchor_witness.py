"""A copy of the anchors kept outside the database, so that whoever can write the database cannot
delete or rebuild them unseen.

Anchors prove the history up to the last one, but they live in the same database: someone who can
write it could rewrite events, recompute every hash, delete the anchors and let new ones be taken.
The witness is an append-only file (one JSON line per anchor, after a header naming the database)
written by the worker after each anchor is committed. Because anchors are chained by hash, the
database's anchor of the witness's last line must still carry that line's hash; if it is gone or
different, the anchors were deleted or rebuilt.

The worker starts a witness only over a database that has no anchor yet (``begin``, before the first
anchor is taken), and catches up on every tick: anchors committed but not yet copied (a crash in
between) are appended in order, and only when they continue the chain the witness already holds. A
witness missing while the database has anchors is never rebuilt by the worker from what the database
says (that would bless anchors someone rebuilt): it stays a finding until an administrator, having
checked the anchors, starts one on purpose (``start``, the command ``chidao witness start``). A file
of its own per host is fine: each one copies every anchor from the database.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from .anchor import AnchorFinding, HistoryAnchor
from .clock import to_local
from .history import GENESIS
from .models import HistoryEvent

log = logging.getLogger(__name__)

HEADER = "chidao anchor witness"


def database_name(url: str) -> str:
    """The database a URL names, without its password; an SQLite file by its absolute path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        parsed = parsed.set(database=os.path.abspath(parsed.database))
    return parsed.render_as_string(hide_password=True)


@dataclass(frozen=True)
class WitnessedAnchor:
    """One line of the witness: an anchor as it was when taken."""

    id: int
    at: str
    hash: str
    prev_hash: str

    @classmethod
    def of(cls, anchor: HistoryAnchor) -> WitnessedAnchor:
        return cls(anchor.id, anchor.at.isoformat(), anchor.hash, anchor.prev_hash)

    def line(self) -> str:
        return json.dumps({"id": self.id, "at": self.at, "hash": self.hash, "prev_hash": self.prev_hash},
                          sort_keys=True) + "\n"

    def when(self) -> str:
        return f"{to_local(datetime.fromisoformat(self.at)):%H:%M %d/%m/%Y}"


class WitnessDamaged(Exception):
    """The witness file cannot be read as one."""


class WitnessRefused(Exception):
    """A witness cannot be started here; the message says why and what to do."""


class AnchorWitness:
    """The witness file of one database: ``record`` copies new anchors into it, ``check`` compares the
    database's anchors with it."""

    def __init__(self, path: Path | str, database: str):
        self.path = Path(path)
        self.database = database

    # -- reading ------------------------------------------------------------------------------
    def _read_ends(self) -> tuple[dict | None, WitnessedAnchor | None]:
        """The header and the last anchor line (None for an empty or absent file)."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return None, None
        with self.path.open("rb") as handle:
            first = handle.readline()
            last = _last_line(handle)
        if not first.endswith(b"\n"):
            return None, None  # a header a crash left unfinished: nothing was witnessed yet
        try:
            header = json.loads(first)
            if header.get("witness") != HEADER:
                raise ValueError("not a witness header")
            if last == first.rstrip(b"\n"):
                return header, None
            fields = json.loads(last)
            return header, WitnessedAnchor(int(fields["id"]), str(fields["at"]), str(fields["hash"]),
                                           str(fields["prev_hash"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise WitnessDamaged(str(exc)) from None

    # -- writing ------------------------------------------------------------------------------
    def begin(self, session: Session) -> bool:
        """Start the witness (write its header) when there is none and the database has no anchor yet:
        every anchor will then be copied from the first. True when started."""
        if self.path.exists() and self.path.stat().st_size:
            return False
        if session.scalar(select(func.count()).select_from(HistoryAnchor)):
            return False  # anchors the witness never saw: only ``start`` adopts them
        with self._locked() as handle:
            if handle.seek(0, os.SEEK_END) == 0:
                self._write(handle, [self._header(adopted=0)])
                return True
        return False

    def start(self, session: Session) -> int:
        """Start the witness on purpose over the anchors the database holds now (after an upgrade from a
        version that kept none, or a restore from backup, once someone has checked them); return how many
        it adopted. Refused (``WitnessRefused``) when a witness already holds anchors of its own."""
        with self._locked() as handle:
            try:
                header, last = self._read_ends()
            except WitnessDamaged as exc:
                raise WitnessRefused(f"Tệp đối chứng {self.path} đã hỏng ({exc}); "
                                     "hãy cất nó đi rồi chạy lại.") from None
            if last is not None or (header is not None and header.get("database") != self.database):
                raise WitnessRefused(f"Tệp đối chứng {self.path} đã ghi mốc (của {header.get('database')}); "
                                     "hãy cất nó đi (giữ làm bằng chứng) trước khi bắt đầu tệp mới.")
            anchors = [WitnessedAnchor.of(anchor)
                       for anchor in session.scalars(select(HistoryAnchor).order_by(HistoryAnchor.id))]
            previous = GENESIS
            for anchor in anchors:
                if anchor.prev_hash != previous:
                    raise WitnessRefused(f"Chuỗi mốc kiểm chứng bị đứt ở mốc số {anchor.id}: không bắt đầu tệp "
                                         "đối chứng từ các mốc này.")
                previous = anchor.hash
            handle.truncate(0)
            self._write(handle, [self._header(adopted=len(anchors))] + [anchor.line() for anchor in anchors])
            return len(anchors)

    def record(self, session: Session) -> int:
        """Append every anchor of the database not yet in the witness, in order; return how many.

        Nothing is appended when there is no witness (``begin`` or ``start`` makes one), or when the
        database's anchors do not continue the witnessed chain (they were deleted or rebuilt): ``check``
        reports that, and the witness keeps what it saw."""
        if not self.path.exists():
            if session.scalar(select(func.count()).select_from(HistoryAnchor)):
                log.error("anchor witness %s is missing while the database has anchors; nothing written "
                          "(check the anchors, then run «chidao witness start»)", self.path)
            return 0
        with self._locked() as handle:
            try:
                header, last = self._read_ends()
            except WitnessDamaged as exc:
                log.error("anchor witness %s is damaged (%s); nothing appended", self.path, exc)
                return 0
            if header is None:
                log.error("anchor witness %s has no header; nothing appended (run «chidao witness start»)",
                          self.path)
                return 0
            if header.get("database") != self.database:
                log.error("anchor witness %s belongs to %s, not %s", self.path, header.get("database"),
                          self.database)
                return 0
            query = select(HistoryAnchor).order_by(HistoryAnchor.id)
            if last is not None:
                query = query.where(HistoryAnchor.id > last.id)
            new = [WitnessedAnchor.of(anchor) for anchor in session.scalars(query)]
            if not new:
                return 0
            previous = last.hash if last is not None else GENESIS
            for anchor in new:
                if anchor.prev_hash != previous:
                    log.error("anchor %s does not continue the chain witnessed in %s; nothing appended",
                              anchor.id, self.path)
                    return 0
                previous = anchor.hash
            self._write(handle, [anchor.line() for anchor in new])
            return len(new)

    @contextmanager
    def _locked(self) -> Iterator[BinaryIO]:
        """The file opened for appending, locked against the other workers of this host, without what a
        crash left unfinished."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # two workers on one host append in turn
            _drop_unfinished_line(handle)
            yield handle

    def _header(self, adopted: int) -> str:
        return json.dumps({"witness": HEADER, "database": self.database, "adopted": adopted}, sort_keys=True) + "\n"

    @staticmethod
    def _write(handle: BinaryIO, lines: list[str]) -> None:
        handle.write("".join(lines).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())

    def set_aside_if_unborn(self, db, now: datetime) -> Path | None:
        """Move the witness aside when the database has no history at all (created anew on purpose, as
        the demo does); return where it went, None when kept. The old file stays as evidence of what the
        former database held."""
        if not self.path.exists():
            return None
        with db.reader() as session:
            if session.scalar(select(func.count()).select_from(HistoryEvent)) \
                    or session.scalar(select(func.count()).select_from(HistoryAnchor)):
                return None
        target = self.path.with_name(f"{self.path.stem}.{now:%Y%m%d-%H%M%S}{self.path.suffix}.old")
        self.path.rename(target)
        return target

    # -- checking -----------------------------------------------------------------------------
    def adopted(self) -> int:
        """How many anchors the witness took over when started on purpose (0: it saw every one taken)."""
        try:
            header, _ = self._read_ends()
        except WitnessDamaged:
            return 0
        return int(header.get("adopted", 0)) if header else 0

    def check(self, session: Session) -> list[AnchorFinding]:
        """What the witness proves of the database's anchors: a finding when the anchor it saw last is
        gone or different, when it belongs to another database, or when it is missing while the database
        has anchors. The anchors' own chain (``check_anchors``) carries the proof to every older one."""
        where = f"tệp đối chứng {self.path}"
        try:
            header, last = self._read_ends()
        except WitnessDamaged:
            return [AnchorFinding(None, f"Không đọc được {where}: tệp đã bị sửa hoặc hỏng.")]
        if header is not None and header.get("database") != self.database:
            return [AnchorFinding(None, f"{where.capitalize()} ghi mốc của cơ sở dữ liệu {header.get('database')}, "
                                        f"không phải của {self.database}.")]
        if last is None:
            count = session.scalar(select(func.count()).select_from(HistoryAnchor))
            if count:
                return [AnchorFinding(None, f"Cơ sở dữ liệu có {count} mốc kiểm chứng nhưng {where} không có mốc "
                                            "nào: không chứng minh được các mốc chưa bị xóa hay lập lại (quản trị "
                                            "viên bắt đầu tệp mới bằng «chidao witness start» sau khi kiểm tra).")]
            return []
        stored = session.get(HistoryAnchor, last.id)
        if stored is None:
            return [AnchorFinding(None, f"Mốc kiểm chứng số {last.id} ({last.when()}) có trong {where} nhưng không "
                                        "còn trong cơ sở dữ liệu: các mốc đã bị xóa.")]
        if stored.hash != last.hash:
            return [AnchorFinding(None, f"Mốc kiểm chứng số {last.id} ({last.when()}) trong cơ sở dữ liệu khác với "
                                        f"bản ở {where}: các mốc đã bị lập lại.")]
        return []


def _last_line(handle, block: int = 4096) -> bytes:
    """The file's last complete line, read from its end (a line a crash left unfinished is not one)."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    tail = b""
    while end > 0:
        start = max(0, end - block)
        handle.seek(start)
        tail = handle.read(end - start) + tail
        end = start
        if tail.count(b"\n") >= 2:
            break
    complete = tail[:tail.rfind(b"\n")] if b"\n" in tail else b""
    return complete.rsplit(b"\n", 1)[-1]


def _drop_unfinished_line(handle) -> None:
    """Cut what a write interrupted by a crash left after the last complete line."""
    size = handle.seek(0, os.SEEK_END)
    if size == 0:
        return
    handle.seek(max(0, size - 1))
    if handle.read(1) == b"\n":
        return
    handle.seek(0)
    content = handle.read()
    os.ftruncate(handle.fileno(), content.rfind(b"\n") + 1)
