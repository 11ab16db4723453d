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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.calendar import BusinessCalendar  # noqa: E402
from workflows.agencies import Directory  # noqa: E402
from workflows.deadlines import DeadlineReader  # noqa: E402
from workflows.importing import as_json, parse_directive  # noqa: E402
from workflows.importing.scoring import Score, new_scores, score_document  # noqa: E402

DEFAULT_LABELS = ROOT / "workflows" / "data" / "seeds"


def _text_of(label: Path, source: str) -> Path:
    """The labelled text: beside its label, or one folder up (../shared/seeds keeps labels in labels/)."""
    beside = label.parent / source
    return beside if beside.exists() else label.parent.parent / source


def run(labels: Path) -> tuple[dict[str, Score], list[tuple[str, float, int, int]]]:
    """Parse every labelled text in ``labels``; the scores and, per document, (name, ms, tasks, labelled)."""
    directory = Directory.from_data()
    reader = DeadlineReader(BusinessCalendar())
    scores = new_scores()
    documents = []
    for path in sorted(labels.glob("*.json")):
        label = json.loads(path.read_text("utf-8"))
        text = _text_of(path, label["source"]).read_text("utf-8")
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
