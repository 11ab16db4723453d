"""Comparing what the import read with what a careful reader labelled (the seed labels' format).

Tasks are matched by ``ref``; lead and coordinating agencies are compared as
sets per task, names normalised (case, spacing, «Ủy ban nhân dân»/«UBND»,
abbreviations expanded, a leading «các», a trailing «tỉnh»); a recurrence
matches when it has the label's frequency and every part the label gives.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..agencies import normalize_name
from .catalogue import ABBREVIATIONS

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


def new_scores() -> dict[str, Score]:
    """An empty score for every field, in the order they are reported."""
    return {name: Score() for name in (*HEADER_FIELDS, "recipients", "signer.authority", "signer.title",
                                       "signer.name", "copies_to", "task count", "lead", "coordinate", "deadline",
                                       "recurrence")}


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
