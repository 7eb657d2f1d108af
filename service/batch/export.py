"""Flat table exports of a batch output: `summarizer export OUT.jsonl --format csv|parquet`.

The output JSONL stays the source of truth; the export is a view of it for spreadsheets,
notebooks and databases. It is read line by line and written row by row (Parquet in row groups
of at most `ROW_GROUP_ROWS` rows, under one fixed schema), to a temporary file renamed over the
destination only when complete. A line that cannot be read (a torn last line after a crash, a
line that is not a JSON object with an id) is skipped and counted, as the resume index does.

One row per event, with its article's columns repeated. A record with no event, and an error
record, still get exactly one row with empty event columns: every record of the output has at
least one row. An empty cell means unknown or absent: a figure column is never 0 for "no
figure".

| column | type | meaning |
|---|---|---|
| article_id | string | id of the output line (the input record's id) |
| status | string | `ok`, or `error` when the record has no summary |
| error_reason | string | stable reason class of an error line (`empty_text`, `backend_failed`...) |
| error_detail | string | the error line's detail |
| duplicate_of | string | id of the identical record this one reuses |
| near_duplicate_of | string | id of the near-identical record this one is close to |
| similarity | float | similarity to `near_duplicate_of` (0 to 1) |
| similar_to | string | other similar records' ids, joined with "; " |
| url, title, source | string | the article's URL, title and outlet, as submitted |
| published_at | string | publication date or date-time, ISO 8601 as submitted |
| language | string | ISO 639-1 language of the article |
| headline, summary | string | neutral headline and 2-4 sentence summary |
| event_index | int | position of the event in `events[]`, from 0 (as in warning paths) |
| event_id | string | event id within the article (`e1`, `e2`...) |
| event_type, sub_event_type | string | ACLED event type and sub-event type, or a news type |
| description | string | one neutral sentence: what happened |
| modality | string | asserted, denied, planned, threatened or background |
| event_date | string | ISO 8601 date: YYYY-MM-DD, or YYYY-MM / YYYY when only that is known |
| event_time, event_timezone | string | local time HH:MM and its zone, when given |
| time_precision | string | day, week, month, year or unknown |
| date_derivation | string | stated, relative_resolved, relative_unresolved, publication_date |
| date_approximate | bool | the text hedges the time ("about", "vers") |
| date_text | string | the date expression as written |
| location | string | the place as written in the article |
| locality, district, region, country | string | resolved place (district: admin2, region: admin1) |
| country_code | string | ISO 3166-1 alpha-2 |
| latitude, longitude | float | WGS 84 coordinates of the resolved place |
| geo_precision | int | 1 the named place, 2 near it or an offset from it, 3 only a region |
| geonames_id | int | GeoNames id of the resolved place |
| offset_distance, offset_unit, offset_direction | float, string, string | "15 km south of X" |
| actors | string | actors as written, "name (role)" joined with "; " |
| actor_labels | string | neutral labels, "label (role)", same order |
| actor_types | string | actor categories, same order |
| fatalities | int | killed: the largest grounded figure of the kind (see below) |
| injured, captured_or_arrested, missing, neutralised, displaced | int | same rule, per kind |
| <kind>_high | int | upper bound when the chosen figure is a range (`fatalities_high`...) |
| <kind>_vague | bool | the chosen figure is a vague expression mapped to a number |
| figures | string | JSON list of every figure of the event (evidence quotes left out) |
| claimed_by | string | distinct claimants of the event's figures, joined with "; " |
| attribution_source, attribution_source_type, attribution_status | string | who says so |
| evidence_quote | string | the first quote the event rests on |
| links | string | related events, "e2 (same_operation)" joined with "; " |
| grounded | bool | the event's evidence was found in the article |
| warnings | int | warnings of the article's summary |
| event_warnings | int | warnings whose path is under this event (`events[i]...`) |
| backend, model, prompt_version, schema_version | string | how the summary was made |

Figures: "neutralised" stays its own column, never added to fatalities. When an event has
several figures of one kind (conflicting claims, or different sides), the column holds one of
them as stated, never a sum: the largest count among the grounded figures of that kind (a
figure's count is its value, else the low end of its range); ungrounded figures and figures
without a number are left out of the column. Every figure stays in the `figures` column. Figures
of other kinds (seized, destroyed, distance, other) have units and are only in `figures`.

Types: Parquet keeps raw values: int64 and float64 columns are nullable, booleans are booleans.
Dates stay ISO 8601 strings in both formats, since the contract allows partial dates (YYYY-MM)
and publication dates with or without a time. CSV is UTF-8 without BOM, a header row, RFC 4180
quoting (the csv module), booleans as true/false, empty cells for nulls. Against formula
injection in spreadsheet applications, a text cell starting with `=`, `+`, `-`, `@`, a tab or a
carriage return gets a leading `'`; numeric columns are written as numbers and never prefixed.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, BinaryIO, NoReturn

import typer

from service.batch.ledger import parse_line
from service.errors import SummarizerError

EXPORT_FORMATS = ("csv", "parquet")
ROW_GROUP_ROWS = 5_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIGURE_COLUMNS = {
    "killed": "fatalities",
    "injured": "injured",
    "captured_or_arrested": "captured_or_arrested",
    "missing": "missing",
    "neutralised": "neutralised",
    "displaced": "displaced",
}

_FIGURES = " ".join(f"{c}:i {c}_high:i {c}_vague:b" for c in FIGURE_COLUMNS.values())
_RECORD_SPEC = (
    "article_id status error_reason error_detail duplicate_of near_duplicate_of similarity:f "
    "similar_to url title source published_at language headline summary"
)
_EVENT_SPEC = (
    "event_index:i event_id event_type sub_event_type description modality event_date event_time "
    "event_timezone time_precision date_derivation date_approximate:b date_text location locality "
    "district region country country_code latitude:f longitude:f geo_precision:i geonames_id:i "
    f"offset_distance:f offset_unit offset_direction actors actor_labels actor_types {_FIGURES} "
    "figures claimed_by attribution_source attribution_source_type attribution_status "
    "evidence_quote links grounded:b"
)
_TRAILER_SPEC = "warnings:i event_warnings:i backend model prompt_version schema_version"
_SPEC = f"{_RECORD_SPEC} {_EVENT_SPEC} {_TRAILER_SPEC}"


def _names(spec: str) -> tuple[str, ...]:
    """The column names of a spec: `name` (a string column) or `name:t`, t in s, i, f, b."""
    return tuple(word.partition(":")[0] for word in spec.split())


COLUMNS = _names(_SPEC)
_EVENT_COLUMNS = _names(_EVENT_SPEC)


@functools.cache
def parquet_schema() -> Any:
    """The fixed Parquet schema (pyarrow loads on first use, not with the CLI)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    types = {"s": pa.string(), "i": pa.int64(), "f": pa.float64(), "b": pa.bool_()}
    pairs = (word.partition(":") for word in _SPEC.split())
    return pa.schema([pa.field(name, types[kind or "s"]) for name, _, kind in pairs])


Row = dict[str, Any]
_EVENT_PATH = re.compile(r"^events\[(\d+)\]")


class ExportError(SummarizerError):
    """The export cannot be made as asked (missing source, unknown format, bad destination)."""

    code = "export_error"


@dataclass
class ExportStats:
    """What an export read and wrote."""

    dest: Path
    rows: int = 0
    records: int = 0
    events: int = 0
    no_events: int = 0
    errors: int = 0
    duplicates: int = 0
    unreadable: int = 0


def default_dest(source: Path, fmt: str) -> Path:
    """Where an export goes by default: the source with its suffix replaced."""
    return source.with_suffix(f".{fmt}")


def export_table(source: Path, fmt: str, dest: Path | None = None) -> ExportStats:
    """Export a batch output JSONL to a flat CSV or Parquet table; return what was done."""
    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    if not source.is_file():
        raise ExportError(f"{source} does not exist or is not a file")
    target = dest if dest is not None else default_dest(source, fmt)
    if target.resolve() == source.resolve():
        raise ExportError(f"{target} is the output itself: choose another destination")
    if target.is_dir():
        raise ExportError(f"{target} is a directory: give the table's file name")
    if not target.parent.is_dir():
        raise ExportError(f"{target.parent} is not a directory")
    stats = ExportStats(dest=target)
    rows = _rows(_lines(source, stats), stats)
    with _atomic(target) as handle:
        (_write_csv if fmt == "csv" else _write_parquet)(rows, handle)
    return stats


def _lines(source: Path, stats: ExportStats) -> Iterator[dict[str, Any]]:
    """The complete output lines of `source`, counting those that cannot be read."""
    with source.open("rb") as handle:
        for raw in handle:
            if not raw.strip():
                continue
            line = parse_line(raw)
            if line is None:
                stats.unreadable += 1
            else:
                yield line


def _rows(lines: Iterable[dict[str, Any]], stats: ExportStats) -> Iterator[Row]:
    """The table rows of the output lines, counted into `stats`."""
    for line in lines:
        stats.records += 1
        stats.duplicates += line.get("duplicate_of") is not None
        for row in _record_rows(line):
            stats.rows += 1
            if row["status"] != "ok":
                stats.errors += 1
            elif row["event_index"] is None:
                stats.no_events += 1
            else:
                stats.events += 1
            yield row


def _record_rows(line: dict[str, Any]) -> list[Row]:
    """The rows of one output line: one per event, or one with empty event columns."""
    summary = _dict(line.get("summary")) if line.get("status") == "ok" else {}
    base = _record_columns(line, summary)
    paths = Counter(_event_of(w) for w in _list(summary.get("warnings")))
    trailer = _trailer_columns(summary)
    events = [_dict(event) for event in _list(summary.get("events"))]
    if not events:
        return [{**base, **dict.fromkeys(_EVENT_COLUMNS), **trailer}]
    return [
        {**base, **_event_columns(i, event), **trailer, "event_warnings": paths[i]}
        for i, event in enumerate(events)
    ]


def _record_columns(line: dict[str, Any], summary: dict[str, Any]) -> Row:
    article = _dict(summary.get("article"))
    ok = line.get("status") == "ok"
    return {
        "article_id": line["id"],
        "status": "ok" if ok else "error",
        "error_reason": None if ok else _text(line.get("reason")),
        "error_detail": None if ok else _text(line.get("detail")),
        "duplicate_of": _text(line.get("duplicate_of")),
        "near_duplicate_of": _text(line.get("near_duplicate_of")),
        "similarity": _float(line.get("similarity")),
        "similar_to": _joined(line.get("similar_to"), _text),
        "url": _text(article.get("url")),
        "title": _text(article.get("title")),
        "source": _text(article.get("source")),
        "published_at": _text(article.get("published_at")),
        "language": _text(summary.get("language")),
        "headline": _text(summary.get("headline")),
        "summary": _text(summary.get("summary")),
    }


def _event_columns(index: int, event: dict[str, Any]) -> Row:
    when, where = _dict(event.get("when")), _dict(event.get("where"))
    offset, attribution = _dict(where.get("offset")), _dict(event.get("attribution"))
    actors = [_dict(actor) for actor in _list(event.get("actors"))]
    figures = [_dict(figure) for figure in _list(event.get("figures"))]
    evidence = [_dict(quote) for quote in _list(event.get("evidence"))]
    return {
        "event_index": index,
        "event_id": _text(event.get("id")),
        "event_type": _text(event.get("event_type")),
        "sub_event_type": _text(event.get("sub_event_type")),
        "description": _text(event.get("description")),
        "modality": _text(event.get("modality")),
        "event_date": _text(when.get("date")),
        "event_time": _text(when.get("time")),
        "event_timezone": _text(when.get("timezone")),
        "time_precision": _text(when.get("precision")),
        "date_derivation": _text(when.get("derivation")),
        "date_approximate": _bool(when.get("approximate")),
        "date_text": _text(when.get("text")),
        "location": _text(where.get("name")),
        **{key: _text(where.get(key)) for key in ("locality", "district", "region", "country")},
        "country_code": _text(where.get("country_code")),
        "latitude": _float(where.get("latitude")),
        "longitude": _float(where.get("longitude")),
        "geo_precision": _int(where.get("precision")) if where else None,
        "geonames_id": _int(where.get("geonames_id")),
        "offset_distance": _float(offset.get("distance")),
        "offset_unit": _text(offset.get("unit")),
        "offset_direction": _text(offset.get("direction")),
        "actors": _joined(actors, lambda a: _tagged(a.get("name"), a.get("role"))),
        "actor_labels": _joined(actors, lambda a: _tagged(a.get("label"), a.get("role"))),
        "actor_types": _joined(actors, lambda a: _text(a.get("actor_type"))),
        **_figure_columns(figures),
        "figures": json.dumps(
            [{k: v for k, v in f.items() if k != "evidence"} for f in figures], ensure_ascii=False
        ),
        "claimed_by": _joined(list(dict.fromkeys(f.get("claimed_by") for f in figures)), _text),
        "attribution_source": _text(attribution.get("source")),
        "attribution_source_type": _text(attribution.get("source_type")),
        "attribution_status": _text(attribution.get("status")),
        "evidence_quote": _text(evidence[0].get("quote")) if evidence else None,
        "links": _joined(
            _list(event.get("links")),
            lambda link: _tagged(_dict(link).get("event_id"), _dict(link).get("relation")),
        ),
        "grounded": _bool(event.get("grounded")),
    }


def _figure_columns(figures: list[dict[str, Any]]) -> Row:
    """Per people-counting kind: the largest grounded count, its upper bound and vague flag."""
    columns: Row = {}
    for kind, name in FIGURE_COLUMNS.items():
        counted = [
            (count, figure)
            for figure in figures
            if figure.get("kind") == kind and figure.get("grounded") is True
            if (count := _count(figure)) is not None
        ]
        chosen = max(counted, key=lambda pair: pair[0], default=None)
        count, figure = chosen if chosen is not None else (None, {})
        columns[name] = count
        columns[f"{name}_high"] = _int(figure.get("high"))
        columns[f"{name}_vague"] = _bool(figure.get("vague")) if chosen is not None else None
    return columns


def _count(figure: dict[str, Any]) -> int | None:
    """A figure's count: its value, else the low end of its range."""
    value = _int(figure.get("value"))
    return value if value is not None else _int(figure.get("low"))


def _trailer_columns(summary: dict[str, Any]) -> Row:
    extraction = _dict(summary.get("extraction"))
    return {
        "warnings": len(_list(summary.get("warnings"))) if summary else None,
        "event_warnings": None,
        **{
            key: _text(extraction.get(key))
            for key in ("backend", "model", "prompt_version", "schema_version")
        },
    }


def _event_of(warning: object) -> int | None:
    """The index of the event a warning's path points into, if any."""
    match = _EVENT_PATH.match(str(_dict(warning).get("path") or ""))
    return int(match.group(1)) if match else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    """Text of a string cell; other JSON values as JSON text, so nothing is lost."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _float(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _tagged(name: object, tag: object) -> str | None:
    """'name (tag)', or the name alone when there is no tag."""
    text = _text(name)
    return text if text is None or tag is None else f"{text} ({_text(tag)})"


def _joined(items: object, render: Callable[[Any], str | None]) -> str | None:
    """Rendered items joined with '; ' (a lone string stays itself); None when there are none."""
    values = [items] if isinstance(items, str) else _list(items)
    parts = [part for part in map(render, values) if part]
    return "; ".join(parts) if parts else None


@contextmanager
def _atomic(dest: Path) -> Iterator[BinaryIO]:
    """A new file beside `dest`, renamed over it once complete and synced; removed on failure."""
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _write_csv(rows: Iterable[Row], handle: BinaryIO) -> None:
    """Write the header and each row as it comes (RFC 4180, formula-safe text cells)."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in COLUMNS])
    text.detach()


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    return str(value)


def _write_parquet(rows: Iterable[Row], handle: BinaryIO) -> None:
    """Write rows in row groups of at most ROW_GROUP_ROWS under the fixed schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    schema = parquet_schema()
    with pq.ParquetWriter(handle, schema) as writer:
        batch: list[Row] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= ROW_GROUP_ROWS:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                batch.clear()
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))


def register(app: typer.Typer) -> None:
    """Add the `export` command to a typer app."""
    app.command("export")(export)


def export(
    output: Annotated[Path, typer.Argument(help="A batch output JSONL.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="csv or parquet; default: by the destination's suffix, else csv."
        ),
    ] = None,
    dest: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Table to write; default: OUTPUT with its suffix."),
    ] = None,
) -> None:
    """Export a batch output to a flat table: one row per event, one per eventless record."""
    if not output.is_file():
        raise typer.BadParameter(f"{output} does not exist or is not a file", param_hint="OUTPUT")
    chosen = fmt if fmt is not None else _format_of(dest)
    if chosen not in EXPORT_FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(EXPORT_FORMATS)}", param_hint="--format")
    try:
        stats = export_table(output, chosen, dest)
    except ExportError as exc:
        _fail(str(exc), 2)
    except OSError as exc:
        _fail(f"export failed: {exc}", 1)
    typer.echo(_describe(stats), err=True)


def _format_of(dest: Path | None) -> str:
    suffix = dest.suffix.lstrip(".").lower() if dest is not None else ""
    return suffix if suffix in EXPORT_FORMATS else "csv"


def _describe(stats: ExportStats) -> str:
    text = (
        f"exported {stats.rows} rows to {stats.dest}: {stats.records} records, "
        f"{stats.events} events, {stats.no_events} without events, {stats.errors} errors"
    )
    if stats.unreadable:
        text += f"; skipped {stats.unreadable} unreadable lines (a torn last line is one)"
    return text


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"summarizer: {message}", err=True)
    raise typer.Exit(code)
