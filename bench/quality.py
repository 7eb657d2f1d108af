"""Extraction quality on real text: CASE 2021 event sub-types, WikiEvents mentions and places.

Every article goes through the pipeline with one backend (default: offline; `--backend NAME`
picks any backend configured through SUMMARIZER_BACKENDS / SUMMARIZER_CONFIG_FILE, so a real
model can be scored with its API key set). The configuration it ran with (backend, model,
prompt version, schema version) is printed and written to the results.

CASE 2021 task 2 (dev): the first event's sub-type is the prediction, no event counts as
wrong; accuracy, macro-F1 and per-label scores as in scripts/eval_case.py (shared code), and a
confusion matrix plot of the sub-types.

WikiEvents (dev), matching rules:
- Trigger offsets: the file's token offsets refer to a text joined differently from `text`,
  so tokens are re-aligned on `text` in order, and a trigger's span is that of its tokens.
- Event-mention recall: a gold mention is recalled when the summary has an event of a
  compatible type (table KAIROS_TYPES below: the longest matching prefix of the KAIROS type
  gives our compatible event types) with at least one grounded evidence span, of any of its
  fields, that overlaps the trigger or lies within `--window` characters of it (default 50).
  Mentions of communication, movement, cognition and medical types have no counterpart in
  our event types: they are out of scope and reported apart. Type-only recall drops the span
  condition (any compatible event of the document).
- Place recall: over the distinct Place arguments of each document (all mentions), a gold
  place is recalled when its text equals, case-insensitively and without a leading "the ",
  one of our events' place name, locality, district, region or country, or when one of its
  gazetteer ids equals a place's geonames id. "Named" places are those written with a
  capital (not "the city").
- Documents longer than the service's `max_article_chars` are not summarised (as the API
  would refuse them): their mentions and places count as missed, and the count is reported.

    .venv/bin/python bench/quality.py [--backend NAME] [--limit N] [--docs N] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

import matplotlib

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # scripts/eval_case.py holds the CASE scoring

from schemas import SCHEMA_VERSION, Event, EventSummary, EventType  # noqa: E402
from scripts.eval_case import DATA as CASE_DATA  # noqa: E402
from scripts.eval_case import NONE, label_of, read_rows, scores, table  # noqa: E402
from service.article import Article  # noqa: E402
from service.backends import build_backends, close_backends  # noqa: E402
from service.config import OFFLINE, Settings, load_settings  # noqa: E402
from service.errors import SummarizerError  # noqa: E402
from service.normalize.gazetteer import Gazetteer  # noqa: E402
from service.pipeline import Pipeline  # noqa: E402
from service.prompts import prompt_version  # noqa: E402

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402

WIKI_DATA = ROOT.parent / "shared" / "eval" / "wikievents-dev.jsonl"
RESULTS = ROOT / "bench" / "results"

T = EventType
VIOLENT = frozenset({T.BATTLES, T.EXPLOSIONS, T.VIOLENCE_AGAINST_CIVILIANS, T.RIOTS})
KAIROS_TYPES: dict[str, frozenset[EventType]] = {
    "Conflict.Attack.DetonateExplode": VIOLENT - {T.RIOTS},
    "Conflict.Attack": VIOLENT,
    "Conflict.Demonstrate": frozenset({T.PROTESTS, T.RIOTS}),
    "Life.Die": VIOLENT | {T.DISASTER, T.CRIME},
    "Life.Injure": VIOLENT | {T.DISASTER, T.CRIME},
    "Justice.ArrestJailDetain": frozenset({T.STRATEGIC, T.CRIME}),
    "Justice": frozenset({T.CRIME, T.STRATEGIC, T.POLITICS}),
    "GenericCrime": frozenset({T.CRIME, T.VIOLENCE_AGAINST_CIVILIANS}),
    "Disaster": frozenset({T.DISASTER}),
    "ArtifactExistence.DamageDestroyDisableDismantle": VIOLENT | {T.STRATEGIC},
    "Contact.ThreatenCoerce": VIOLENT | {T.STRATEGIC, T.CRIME},
    "Contact.Contact.Meet": frozenset({T.DIPLOMACY, T.POLITICS}),
    "Contact.RequestCommand.Meet": frozenset({T.DIPLOMACY, T.POLITICS}),
    "Control.ImpedeInterfereWith": frozenset({T.STRATEGIC, T.PROTESTS}),
    "Transaction": frozenset({T.ECONOMY, T.CRIME}),
    "Personnel": frozenset({T.POLITICS}),
}  # fmt: skip
"""KAIROS type prefix -> our compatible event types. Types matching no prefix (other Contact,
Movement, Cognitive, Medical, ArtifactExistence.ManufactureAssemble) are out of scope."""


@dataclass(frozen=True)
class Mention:
    """A gold event mention: its KAIROS type, trigger span in the text, and places."""

    kind: str
    start: int
    end: int
    places: tuple[str, ...]


@dataclass(frozen=True)
class WikiDoc:
    """A WikiEvents document with its gold mentions."""

    id: str
    text: str
    mentions: tuple[Mention, ...]


def compatible_types(kind: str) -> frozenset[EventType]:
    """Our event types compatible with a KAIROS type (empty: out of scope)."""
    parts = kind.split(".")
    for size in range(len(parts), 0, -1):
        found = KAIROS_TYPES.get(".".join(parts[:size]))
        if found is not None:
            return found
    return frozenset()


def token_offsets(text: str, tokens: Iterable[str]) -> list[tuple[int, int]]:
    """Each token's [start, end) in `text`, found in order (the file's offsets do not fit)."""
    spans: list[tuple[int, int]] = []
    position = 0
    for token in tokens:
        start = text.find(token, position)
        if start < 0:
            raise ValueError(f"token {token!r} not found in the text after offset {position}")
        position = start + len(token)
        spans.append((start, position))
    return spans


def read_wikievents(path: Path, limit: int | None) -> list[WikiDoc]:
    """The documents (the first `limit`), triggers re-aligned on their text."""
    docs: list[WikiDoc] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(docs) >= limit:
                break
            record = json.loads(line)
            tokens = [token[0] for sentence in record["sentences"] for token in sentence[0]]
            spans = token_offsets(record["text"], tokens)
            mentions = tuple(
                Mention(
                    kind=m["event_type"],
                    start=spans[m["trigger"]["start"]][0],
                    end=spans[m["trigger"]["end"] - 1][1],
                    places=tuple(a["text"] for a in m["arguments"] if a["role"] == "Place"),
                )
                for m in record["event_mentions"]
            )
            docs.append(WikiDoc(record["doc_id"], record["text"], mentions))
    return docs


def evidence_spans(event: Event) -> list[tuple[int, int]]:
    """The grounded [start, end) spans of every quote of the event's fields."""
    parts = [event, event.when, event.where, event.attribution, *event.actors, *event.figures]
    return [
        (quote.start, quote.end)
        for part in parts
        if part is not None
        for quote in part.evidence
        if quote.start is not None and quote.end is not None
    ]


def recalled(mention: Mention, events: Sequence[Event], window: int, *, anywhere: bool) -> bool:
    """Whether a compatible event lies on (or `anywhere` in the summary of) the mention."""
    kinds = compatible_types(mention.kind)
    for event in events:
        if event.event_type not in kinds:
            continue
        if anywhere:
            return True
        for start, end in evidence_spans(event):
            if start < mention.end + window and end > mention.start - window:
                return True
    return False


def _fold(text: str) -> str:
    folded = " ".join(text.casefold().split())
    return folded[4:] if folded.startswith("the ") else folded


def place_recalled(gold: str, events: Sequence[Event], gazetteer: Gazetteer) -> bool:
    """Whether a gold place matches one of the summary's places, by text or gazetteer id."""
    names: set[str] = set()
    ids: set[int] = set()
    for event in events:
        where = event.where
        if where is None:
            continue
        names.update(
            _fold(value)
            for value in (where.name, where.locality, where.district, where.region, where.country)
            if value
        )
        if where.geonames_id is not None:
            ids.add(where.geonames_id)
    if _fold(gold) in names:
        return True
    if not ids:
        return False
    records = [*gazetteer.lookup(gold), gazetteer.country(gold)]
    return any(record is not None and record.geonames_id in ids for record in records)


def _rate(hits: int, total: int) -> dict[str, Any]:
    return {"recalled": hits, "total": total, "recall": round(hits / total, 4) if total else None}


def score_wikievents(
    docs: list[WikiDoc],
    summaries: list[EventSummary | str],
    window: int,
    gazetteer: Gazetteer,
) -> dict[str, Any]:
    """Mention recall (span and type-only), out-of-scope counts, place recall."""
    hits = Counter[str]()
    totals = Counter[str]()
    by_family: dict[str, Counter[str]] = {}
    for doc, summary in zip(docs, summaries, strict=True):
        events = summary.events if isinstance(summary, EventSummary) else []
        for mention in doc.mentions:
            if not compatible_types(mention.kind):
                totals["out_of_scope"] += 1
                continue
            family = by_family.setdefault(".".join(mention.kind.split(".")[:2]), Counter())
            family["total"] += 1
            totals["mentions"] += 1
            if recalled(mention, events, window, anywhere=False):
                hits["mentions"] += 1
                family["recalled"] += 1
            hits["type_only"] += recalled(mention, events, window, anywhere=True)
        for place in sorted({p for mention in doc.mentions for p in mention.places}):
            found = place_recalled(place, events, gazetteer)
            named = place[:1].isupper()
            totals["places"] += 1
            hits["places"] += found
            totals["named_places"] += named
            hits["named_places"] += found and named
    return {
        "documents": len(docs),
        "summarised": sum(isinstance(s, EventSummary) for s in summaries),
        "events_per_document": round(
            sum(len(s.events) for s in summaries if isinstance(s, EventSummary)) / len(docs), 2
        )
        if docs
        else 0.0,
        "window_chars": window,
        "mention_recall": _rate(hits["mentions"], totals["mentions"]),
        "mention_recall_type_only": _rate(hits["type_only"], totals["mentions"]),
        "out_of_scope_mentions": totals["out_of_scope"],
        "mention_recall_by_type": {
            family: _rate(counts["recalled"], counts["total"])
            for family, counts in sorted(by_family.items(), key=lambda item: -item[1]["total"])
        },
        "place_recall": _rate(hits["places"], totals["places"]),
        "named_place_recall": _rate(hits["named_places"], totals["named_places"]),
    }


async def summarise_all(
    pipeline: Pipeline, articles: list[Article], backend: str, concurrency: int
) -> list[EventSummary | str]:
    """Summaries in input order; a failure or a refused article is its error code."""
    gate = asyncio.Semaphore(concurrency)
    limit = pipeline.settings.max_article_chars

    async def one(article: Article) -> EventSummary | str:
        if len(article.text) > limit:
            return "too_long"
        async with gate:
            try:
                return await pipeline.summarize(article, backend)
            except SummarizerError as exc:
                return exc.code

    return list(await asyncio.gather(*(one(article) for article in articles)))


def plot_confusion(pairs: list[tuple[str, str]], title: str, path: Path) -> None:
    """A gold x predicted count matrix of the CASE labels, rows shaded by share of gold."""
    gold_labels = sorted({gold for gold, _ in pairs})
    extra = sorted({p for _, p in pairs} - set(gold_labels) - {NONE})
    columns = [*gold_labels, *extra, NONE]
    counts = Counter(pairs)
    matrix = [[counts[(gold, predicted)] for predicted in columns] for gold in gold_labels]
    shares = [[cell / max(sum(row), 1) for cell in row] for row in matrix]
    size = max(6.0, 0.32 * len(columns) + 3)
    figure, axis = plt.subplots(figsize=(size, size * len(gold_labels) / len(columns) + 1.5))
    axis.imshow(shares, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for row, values in enumerate(matrix):
        for column, value in enumerate(values):
            if value:
                colour = "white" if shares[row][column] > 0.6 else "black"
                axis.text(column, row, str(value), ha="center", va="center", fontsize=7, c=colour)
    axis.set_xticks(range(len(columns)), columns, rotation=90, fontsize=7)
    axis.set_yticks(range(len(gold_labels)), gold_labels, fontsize=7)
    axis.set_xlabel("predicted (first event's sub-type; NONE: no event or a type outside CASE)")
    axis.set_ylabel("gold")
    axis.set_title(title, fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def configuration(settings: Settings, backend: str, first: EventSummary | None) -> dict[str, Any]:
    """Backend, kind, model, prompt version and schema version of the run."""
    config = settings.backends[backend]
    used = first.extraction if first is not None else None
    return {
        "backend": backend,
        "kind": config.kind,
        "model": used.model if used is not None else config.model,
        "prompt_version": used.prompt_version if used is not None else prompt_version(),
        "schema_version": used.schema_version if used is not None else SCHEMA_VERSION,
    }


def machine() -> dict[str, Any]:
    """Cores, Python and the versions of the packages that matter here."""
    packages = ("pydantic", "instructor", "openai", "anthropic", "matplotlib")
    return {
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": {name: metadata.version(name) for name in packages},
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default=OFFLINE, help="a configured backend name")
    parser.add_argument("--limit", type=int, default=None, help="only the first N CASE rows")
    parser.add_argument("--docs", type=int, default=None, help="only the first N documents")
    parser.add_argument("--quick", action="store_true", help="20 CASE rows and 2 documents")
    parser.add_argument("--window", type=int, default=50, help="trigger window in characters")
    parser.add_argument("--concurrency", type=int, default=4, help="articles in flight")
    parser.add_argument("--case-data", type=Path, default=CASE_DATA)
    parser.add_argument("--wiki-data", type=Path, default=WIKI_DATA)
    parser.add_argument("--out", type=Path, default=None, help="results JSON (PNG beside it)")
    args = parser.parse_args(argv)
    if args.quick:
        args.limit, args.docs = args.limit or 20, args.docs or 2
    if args.out is None:
        suffix = "" if args.backend == OFFLINE else f"-{args.backend}"
        args.out = RESULTS / f"quality{suffix}.json"
    return args


async def evaluate(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """Summarise both data sets and score them; writes the confusion plot."""
    rows = read_rows(args.case_data, args.limit)
    docs = read_wikievents(args.wiki_data, args.docs)
    backends = build_backends(settings)
    pipeline = Pipeline(settings, backends)
    try:
        pipeline.chain_for(args.backend)
        case_articles = [Article(text=text, id=rid, language="en") for rid, text, _ in rows]
        wiki_articles = [Article(text=doc.text, id=doc.id, language="en") for doc in docs]
        case_out = await summarise_all(pipeline, case_articles, args.backend, args.concurrency)
        wiki_out = await summarise_all(pipeline, wiki_articles, args.backend, args.concurrency)
    finally:
        await close_backends(backends)
    pairs = [
        (gold, label_of(out.events[0].sub_event_type if out.events else None))
        if isinstance(out, EventSummary)
        else (gold, NONE)
        for (_, _, gold), out in zip(rows, case_out, strict=True)
    ]
    case = scores(pairs)
    errors = Counter(out for out in [*case_out, *wiki_out] if isinstance(out, str))
    gazetteer = Gazetteer.open()
    try:
        wiki = score_wikievents(docs, wiki_out, args.window, gazetteer)
    finally:
        gazetteer.close()
    first = next((out for out in [*case_out, *wiki_out] if isinstance(out, EventSummary)), None)
    config = configuration(settings, args.backend, first)
    title = (
        f"CASE 2021 dev sub-types, {config['backend']} ({config['model']}): "
        f"accuracy {case['accuracy']:.3f}, macro-F1 {case['macro_f1']:.3f}, n={case['n']}"
    )
    plot = args.out.with_name(f"{args.out.stem}-case-confusion.png")
    plot_confusion(pairs, title, plot)
    return {
        "configuration": config,
        "case2021": {"dataset": args.case_data.name, **case},
        "wikievents": {"dataset": args.wiki_data.name, **wiki},
        "errors": dict(errors),
        "confusion_plot": plot.name,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation, print the configuration and the scores, write the results."""
    args = parse_args(argv)
    for path in (args.case_data, args.wiki_data):
        if not path.is_file():
            print(f"error: evaluation data not found: {path}", file=sys.stderr)  # noqa: T201
            return 2
    try:
        settings = load_settings()
        if args.backend not in settings.backends:
            known = ", ".join(sorted(settings.backends))
            raise SummarizerError(f"unknown backend {args.backend!r}; configured: {known}")
        config = configuration(settings, args.backend, None)
        print("configuration: " + json.dumps(config))  # noqa: T201 - the run's settings
        args.out.parent.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(evaluate(args, settings))
    except SummarizerError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    report = {
        "what": "extraction quality on real text (CASE 2021 dev, WikiEvents dev)",
        "command": " ".join(["bench/quality.py", *(sys.argv[1:] if argv is None else argv)]),
        "date": date.today().isoformat(),
        "machine": machine(),
        **result,
    }
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(table(result["case2021"]))  # noqa: T201 - a command-line report
    wiki = result["wikievents"]
    print(  # noqa: T201
        f"wikievents: {wiki['summarised']}/{wiki['documents']} documents summarised; "
        f"mention recall {wiki['mention_recall']['recall']} "
        f"(type only {wiki['mention_recall_type_only']['recall']}, "
        f"{wiki['out_of_scope_mentions']} out of scope); "
        f"place recall {wiki['place_recall']['recall']} "
        f"(named {wiki['named_place_recall']['recall']})"
    )
    print(f"results: {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
