"""How well the import reads directives: per field precision, recall and F1 against labelled files.

Usage: python bench/import_accuracy.py [--labels DIR] [--min-f1 0.95]

Every ``*.json`` label in DIR (default: the seeds shipped with the plugin, the
same files as ../shared/seeds/labels) names its text in ``source``; the text
is parsed against the shipped directory and the Vietnamese calendar, and the
result compared field by field. Tasks are matched by ``ref``; lead and
coordinating agencies are compared as sets per task, names normalised (case,
spacing, «Ủy ban nhân dân»/«UBND», abbreviations expanded, a leading «các»,
a trailing «tỉnh»); a recurrence matches when it has the label's frequency and
every part the label gives. With ``--min-f1`` the exit status is 1 when lead
agencies or deadlines score below it.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.calendar import BusinessCalendar  # noqa: E402
from workflows.agencies import Directory, normalize_name  # noqa: E402
from workflows.deadlines import DeadlineReader  # noqa: E402
from workflows.importing import as_json, parse_directive  # noqa: E402
from workflows.importing.catalogue import ABBREVIATIONS  # noqa: E402

DEFAULT_LABELS = ROOT / "workflows" / "data" / "seeds"
HEADER_FIELDS = ("kind", "issuer", "number", "notation", "place", "date", "year", "subject")
EXPANSIONS = {normalize_name(k): v for k, v in ABBREVIATIONS.items()}


@dataclass
class Score:
    """True positives, false positives, false negatives of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: set, expected: set) -> None:
        self.tp += len(predicted & expected)
        self.fp += len(predicted - expected)
        self.fn += len(expected - predicted)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def agency(name: str) -> str:
    """A name in the form labels are compared in."""
    name = normalize_name(name)
    name = normalize_name(EXPANSIONS.get(name, name))
    return name.removesuffix(" tỉnh")


def same_rule(predicted: str | None, expected: str | None) -> bool:
    """The predicted rule has the label's frequency and every part the label states."""
    if not predicted or not expected:
        return predicted == expected
    have = dict(part.split("=", 1) for part in predicted.split(";"))
    want = dict(part.split("=", 1) for part in expected.split(";"))
    return all(have.get(key) == value for key, value in want.items())


def _one(value) -> set:
    return set() if value in (None, "", []) else {" ".join(str(value).split())}


def score_document(result: dict, label: dict, scores: dict[str, Score]) -> None:
    """Add one document's comparison to ``scores``."""
    for name in HEADER_FIELDS:
        scores[name].add(_one(result.get(name)), _one(label.get(name)))
    scores["recipients"].add({agency(r) for r in result["recipients"]}, {agency(r) for r in label["recipients"]})
    scores["copies_to"].add({" ".join(c.split()) for c in result["copies_to"]},
                            {" ".join(c.split()) for c in label["copies_to"]})
    for part in ("authority", "title", "name"):
        scores[f"signer.{part}"].add(_one(result["signer"][part]), _one(label["signer"][part]))
    predicted = {t["ref"]: t for t in result["tasks"]}
    expected = {t["ref"]: t for t in label["tasks"]}
    scores["task count"].add(set(predicted), set(expected))
    for ref in set(predicted) | set(expected):
        mine, theirs = predicted.get(ref, {}), expected.get(ref, {})
        for key in ("lead", "coordinate"):
            scores[key].add({(ref, agency(a)) for a in mine.get(key, [])},
                            {(ref, agency(a)) for a in theirs.get(key, [])})
        scores["deadline"].add({(ref, d) for d in _one(mine.get("deadline"))},
                               {(ref, d) for d in _one(theirs.get("deadline"))})
        rule_mine, rule_theirs = mine.get("recurrence"), theirs.get("recurrence")
        if rule_mine and rule_theirs and same_rule(rule_mine, rule_theirs):
            scores["recurrence"].tp += 1
        else:
            scores["recurrence"].fp += bool(rule_mine)
            scores["recurrence"].fn += bool(rule_theirs)


def run(labels: Path) -> tuple[dict[str, Score], list[tuple[str, float, int, int]]]:
    """Parse every labelled text in ``labels``; the scores and, per document, (name, ms, tasks, labelled)."""
    directory = Directory.from_data()
    reader = DeadlineReader(BusinessCalendar())
    scores: dict[str, Score] = {}
    for name in (*HEADER_FIELDS, "recipients", "signer.authority", "signer.title", "signer.name", "copies_to",
                 "task count", "lead", "coordinate", "deadline", "recurrence"):
        scores[name] = Score()
    documents = []
    for path in sorted(labels.glob("*.json")):
        label = json.loads(path.read_text("utf-8"))
        text = (path.parent / label["source"]).read_text("utf-8")
        started = time.perf_counter()
        result = as_json(parse_directive(text, directory, reader, date.today(), label["source"]))
        elapsed = (time.perf_counter() - started) * 1000
        score_document(result, label, scores)
        documents.append((label["source"], elapsed, len(result["tasks"]), len(label["tasks"])))
    return scores, documents


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS, help="folder of label JSON files and texts")
    parser.add_argument("--min-f1", type=float, default=None, help="fail when lead or deadline F1 is below this")
    args = parser.parse_args()
    scores, documents = run(args.labels)
    print(f"{'document':<32}{'ms':>8}{'tasks':>7}{'labelled':>10}")
    for name, elapsed, found, labelled in documents:
        print(f"{name:<32}{elapsed:>8.1f}{found:>7}{labelled:>10}")
    print()
    print(f"{'field':<18}{'TP':>5}{'FP':>5}{'FN':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    for name, score in scores.items():
        print(f"{name:<18}{score.tp:>5}{score.fp:>5}{score.fn:>5}{score.precision:>11.3f}{score.recall:>8.3f}"
              f"{score.f1:>7.3f}")
    if args.min_f1 is not None:
        weak = [n for n in ("lead", "deadline") if scores[n].f1 < args.min_f1]
        if weak:
            print(f"below {args.min_f1}: {', '.join(weak)}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
