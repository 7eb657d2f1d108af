"""Worst-case timings of the offline backend on hostile and long articles.

The article is untrusted input: this times `OfflineBackend.summarize` on the sample
article, on two hostile inputs at two sizes each (a long whitespace run between two
words; a repeated casualty phrase) to show how the time grows with the input, and on
the longest WikiEvents document. Each case is run once untimed, then timed `--repeats`
times (the median is reported, and the minimum: on a shared machine it is the steadier
of the two); the per-text actor cache is cleared before each timed run so that a repeat
does not measure a cache hit. Writes bench/results/offline-worst-case.json and prints a
table.

Usage: python bench/offline_worst_case.py [--quick] [--repeats N] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.article import Article  # noqa: E402
from service.backends.offline import OfflineBackend  # noqa: E402
from service.backends.offline.actors import _find_actors  # noqa: E402

SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "fr-mali-diangassagou.txt"
WIKIEVENTS = SHARED / "eval" / "wikievents-dev.jsonl"
OUT = ROOT / "bench" / "results" / "offline-worst-case.json"

FULL = {"whitespace": (25_000, 50_000), "killed": (1_000, 2_000)}
QUICK = {"whitespace": (200, 400), "killed": (10, 20)}


def longest_wikievents(path: Path) -> tuple[str, str] | None:
    """(doc_id, text) of the longest document, or None when the file is absent."""
    if not path.exists():
        return None
    best: tuple[str, str] | None = None
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            text = row.get("text") or ""
            if best is None or len(text) > len(best[1]):
                best = (str(row.get("doc_id")), text)
    return best


def cases(sizes: dict[str, tuple[int, int]]) -> list[tuple[str, str, Article]]:
    """(name, description, article) of every case; absent data files are skipped."""
    found: list[tuple[str, str, Article]] = []
    if SAMPLE.exists():
        text = SAMPLE.read_text(encoding="utf-8")
        article = Article(text=text, published=date(2025, 1, 9), language="fr")
        found.append(("sample-fr", f"the sample article ({SAMPLE.name})", article))
    for n in sizes["whitespace"]:
        text = "word" + " " * n + "word"
        found.append((f"whitespace-{n}", f'"word" + {n} spaces + "word"', Article(text=text)))
    for n in sizes["killed"]:
        text = "ΩΩΩ" + " 12 killed " * n
        found.append((f"killed-x{n}", f'"ΩΩΩ" + " 12 killed " x {n}', Article(text=text)))
    longest = longest_wikievents(WIKIEVENTS)
    if longest is not None:
        doc_id, text = longest
        found.append(("wikievents-longest", f"WikiEvents dev {doc_id}", Article(text=text)))
    return found


def timed(run: Callable[[], object], repeats: int) -> list[float]:
    """Seconds of each of `repeats` timed runs, after one untimed run."""
    run()
    seconds = []
    for _ in range(repeats):
        _find_actors.cache_clear()
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    parser.add_argument("--repeats", type=int, default=None, help="timed runs (default 5)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    backend = OfflineBackend("offline")
    try:
        rows = []
        for name, description, article in cases(QUICK if args.quick else FULL):
            runs = timed(lambda article=article: backend.summarize(article), repeats)
            draft = backend.summarize(article)
            rows.append(
                {
                    "case": name,
                    "input": description,
                    "chars": len(article.text),
                    "events": len(draft.events),
                    "runs_s": [round(s, 4) for s in runs],
                    "median_s": round(statistics.median(runs), 4),
                    "min_s": round(min(runs), 4),
                }
            )
    finally:
        backend.close()
    result = {
        "what": "offline backend summarize(): worst-case inputs (median seconds, after warm-up)",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "date": date.today().isoformat(),
        "quick": args.quick,
        "repeats": repeats,
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    width = max(len(row["case"]) for row in rows) if rows else 4
    print(  # noqa: T201 - a benchmark's report
        f"{'case':<{width}}  {'chars':>8}  {'events':>6}  {'median s':>9}  {'min s':>9}"
    )
    for row in rows:
        print(  # noqa: T201
            f"{row['case']:<{width}}  {row['chars']:>8}  {row['events']:>6}  "
            f"{row['median_s']:>9.4f}  {row['min_s']:>9.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
