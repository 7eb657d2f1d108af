"""Score the offline backend's event typing on the CASE 2021 task 2 dev split.

Each snippet goes through the offline backend as an English article; the first
event's sub-type is the prediction (no event counts as wrong). Writes accuracy,
macro-F1, per-label counts and confusion pairs to a JSON file and prints a table.

    .venv/bin/python scripts/eval_case.py [--limit N] [--output PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

from schemas import SubEventType
from service.article import Article
from service.backends.offline import OfflineBackend
from service.backends.offline.classify import classify

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "eval" / "case2021-task2-dev.tsv"
OUTPUT = ROOT / "bench" / "results" / "case2021-dev.json"
NONE = "NONE"

S = SubEventType
LABELS: dict[SubEventType, str] = {
    S.ARMED_CLASH: "ARMED_CLASH",
    S.GOVERNMENT_REGAINS_TERRITORY: "GOV_REGAINS_TERIT",
    S.NON_STATE_ACTOR_OVERTAKES_TERRITORY: "NON_STATE_ACTOR_OVERTAKES_TER",
    S.CHEMICAL_WEAPON: "CHEM_WEAP",
    S.AIR_DRONE_STRIKE: "AIR_STRIKE",
    S.SUICIDE_BOMB: "SUIC_BOMB",
    S.SHELLING_ARTILLERY_MISSILE: "ART_MISS_ATTACK",
    S.REMOTE_EXPLOSIVE: "REM_EXPLOS",
    S.GRENADE: "GRENADE",
    S.SEXUAL_VIOLENCE: "SEX_VIOL",
    S.ATTACK: "ATTACK",
    S.ABDUCTION: "ABDUCT_DISSAP",
    S.PEACEFUL_PROTEST: "PEACE_PROTEST",
    S.PROTEST_WITH_INTERVENTION: "PROTEST_WITH_INTER",
    S.EXCESSIVE_FORCE_AGAINST_PROTESTERS: "FORCE_AGAINST_PROTEST",
    S.VIOLENT_DEMONSTRATION: "VIOL_DEMONSTR",
    S.MOB_VIOLENCE: "MOB_VIOL",
    S.AGREEMENT: "AGREEMENT",
    S.ARRESTS: "ARREST",
    S.CHANGE_TO_GROUP_ACTIVITY: "CHANGE_TO_GROUP_ACT",
    S.DISRUPTED_WEAPONS_USE: "DISR_WEAP",
    S.HEADQUARTERS_ESTABLISHED: "HQ_ESTABLISHED",
    S.LOOTING_PROPERTY_DESTRUCTION: "PROPERTY_DISTRUCT",
    S.NON_VIOLENT_TERRITORY_TRANSFER: "NON_VIOL_TERRIT_TRANSFER",
    S.OTHER_STRATEGIC: "OTHER",
    S.ORGANISED_CRIME: "ORG_CRIME",
    S.NATURAL_DISASTER: "NATURAL_DISASTER",
    S.MAN_MADE_DISASTER: "MAN_MADE_DISASTER",
    S.DIPLOMATIC_EVENT: "DIPLO",
    S.CLAIM_OF_RESPONSIBILITY: "ATTRIB",
}


def label_of(sub_type: SubEventType | None) -> str:
    """The CASE label of a sub-type; types outside the task's set score as NONE."""
    return LABELS.get(sub_type, NONE) if sub_type is not None else NONE


def read_rows(path: Path, limit: int | None) -> list[tuple[str, str, str]]:
    """(id, snippet, gold label) rows of the TSV file."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = [(row["id"], row["EventSnippet"], row["SubType"]) for row in reader]
    return rows[:limit] if limit is not None else rows


def scores(pairs: list[tuple[str, str]]) -> dict[str, object]:
    """Accuracy, macro-F1 over the gold labels, per-label counts and confusion pairs."""
    gold_counts = Counter(gold for gold, _ in pairs)
    predicted_counts = Counter(predicted for _, predicted in pairs)
    correct = Counter(gold for gold, predicted in pairs if gold == predicted)
    per_label: dict[str, dict[str, float | int]] = {}
    for label in sorted(gold_counts):
        precision = correct[label] / predicted_counts[label] if predicted_counts[label] else 0.0
        recall = correct[label] / gold_counts[label]
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "support": gold_counts[label],
            "predicted": predicted_counts[label],
            "correct": correct[label],
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
        }
    confusion = Counter((gold, predicted) for gold, predicted in pairs if gold != predicted)
    total = len(pairs)
    return {
        "n": total,
        "accuracy": round(sum(correct.values()) / total, 4) if total else 0.0,
        "macro_f1": round(sum(v["f1"] for v in per_label.values()) / len(per_label), 4)
        if per_label
        else 0.0,
        "no_prediction": predicted_counts[NONE],
        "per_label": per_label,
        "confusion": [
            {"gold": gold, "predicted": predicted, "count": count}
            for (gold, predicted), count in sorted(confusion.items(), key=lambda i: (-i[1], i[0]))
        ],
    }


def run(rows: list[tuple[str, str, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Backend predictions (first event) and classifier-only predictions, per row."""
    backend = OfflineBackend("offline")
    pipeline: list[tuple[str, str]] = []
    classifier: list[tuple[str, str]] = []
    for _, snippet, gold in rows:
        draft = backend.summarize(Article(text=snippet, language="en"))
        first = draft.events[0].sub_event_type if draft.events else None
        pipeline.append((gold, label_of(first)))
        classifier.append((gold, label_of(classify(snippet, "en").sub_type)))
    return pipeline, classifier


def table(result: dict[str, object]) -> str:
    """A short plain-text table of the per-label scores."""
    per_label = result["per_label"]
    assert isinstance(per_label, dict)
    lines = [f"{'label':32} {'n':>4} {'pred':>5} {'ok':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for label, row in per_label.items():
        lines.append(
            f"{label:32} {row['support']:>4} {row['predicted']:>5} {row['correct']:>4} "
            f"{row['precision']:>6.2f} {row['recall']:>6.2f} {row['f1']:>6.2f}"
        )
    lines.append(
        f"accuracy {result['accuracy']:.3f}  macro-F1 {result['macro_f1']:.3f}  "
        f"n={result['n']}  no prediction={result['no_prediction']}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--limit", type=int, default=None, help="only the first N rows")
    args = parser.parse_args(argv)
    rows = read_rows(args.data, args.limit)
    started = time.perf_counter()
    pipeline, classifier = run(rows)
    elapsed = time.perf_counter() - started
    result = scores(pipeline)
    report = {
        "dataset": str(args.data.name),
        "system": "offline backend (rules-v1), first event's sub-type",
        **result,
        "classifier_only": {
            key: value
            for key, value in scores(classifier).items()
            if key in ("accuracy", "macro_f1", "no_prediction")
        },
        "seconds": round(elapsed, 2),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "command": " ".join(["scripts/eval_case.py", *(argv if argv is not None else
                                                         sys.argv[1:])]),
    }  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(table(result))  # noqa: T201 - a command-line report
    classifier_only = report["classifier_only"]
    print(f"classifier only: {classifier_only}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
