"""`summarizer export`: a batch output as a flat CSV or Parquet table, one row per event."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
import typer
from typer.testing import CliRunner

from schemas import EventSummary
from service.batch import export as export_module
from service.batch.cli import register as register_batch
from service.batch.export import (
    COLUMNS,
    EXPORT_FORMATS,
    ExportError,
    export_table,
    register,
)
from tests.batch.conftest import article, output_lines, write_jsonl

runner = CliRunner()
TRICKY = '=HYPERLINK("http://x.example","click"), "quoted"\nsecond line'
NON_LATIN = "Взрыв в Харькове: 3 погибших — 哈尔科夫爆炸 — انفجار في خاركيف"


def figure(kind: str, value: int | None, **extra: Any) -> dict[str, Any]:
    """A figure as the service writes it (grounded unless told otherwise)."""
    return {"kind": kind, "value": value, "raw": f"{value} {kind}", "grounded": True, **extra}


def event(n: int, **extra: Any) -> dict[str, Any]:
    """An event as the service writes it."""
    body: dict[str, Any] = {
        "id": f"e{n}",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "description": f"Clash number {n}.",
        "when": {"date": "2025-01-08", "precision": "day", "derivation": "stated"},
        "modality": "asserted",
        "grounded": True,
        "evidence": [{"quote": f"quote {n}", "start": 0, "end": 7, "grounding": "exact"}],
    }
    return {**body, **extra}


def summary(rid: str, events: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """An ok output line whose summary is validated by the contract."""
    body: dict[str, Any] = {
        "headline": f"Headline {rid}",
        "summary": f"Summary of {rid}.",
        "language": "fr",
        "events": events,
        "article": {"id": rid, "content_sha256": "0" * 64, "length": 100},
        "extraction": {
            "backend": "offline",
            "backend_kind": "offline",
            "model": "rules-v1",
            "prompt_version": "abc123",
            "schema_version": "1.0.0",
            "attempts": 1,
            "reasks": 0,
            "upstream_calls": 1,
            "input_tokens": 0,
            "output_tokens": 0,
            "latency_ms": 1.5,
        },
    }
    for key in ("warnings", "headline", "language"):
        if key in extra:
            body[key] = extra.pop(key)
    body["article"].update(extra)
    checked = EventSummary.model_validate(body).model_dump(mode="json")
    return {"id": rid, "status": "ok", "summary": checked, "text_sha256": rid}


MALI_PLACE = {
    "name": "Nioro du Sahel",
    "locality": "Nioro",
    "region": "Kayes",
    "country": "Mali",
    "country_code": "ML",
    "latitude": 15.23074,
    "longitude": -9.59356,
    "geonames_id": 2452651,
    "precision": 1,
}


def mixed_output(path: Path) -> Path:
    """Two events, a zero-event record, an error, a duplicate, garbage and a torn last line."""
    actors = [
        {"name": "FAMa", "label": "Malian Armed Forces", "actor_type": "state_forces",
         "role": "initiator"},
        {"name": "terroristes", "label": "unidentified armed group",
         "actor_type": "rebel_or_armed_group", "role": "target"},
    ]  # fmt: skip
    first = summary(
        "mali",
        [
            event(1, where=MALI_PLACE, actors=actors, links=[
                {"event_id": "e2", "relation": "same_operation"}]),
            event(2, modality="background", when={"date": "2025-01", "precision": "month"}),
        ],
        url="https://example.org/mali",
        published_at="2025-01-09",
        warnings=[
            {"code": "place_not_resolved", "message": "m", "path": "events[1].where"},
            {"code": "fuzzy_match", "message": "m", "path": "events[1].actors[0]"},
            {"code": "language_mismatch", "message": "m", "path": None},
        ],
    )  # fmt: skip
    duplicate = {**first, "id": "mali-copy", "duplicate_of": "mali"}
    rows: list[dict[str, Any] | bytes] = [
        first,
        summary("quiet", []),
        {"id": "blank", "status": "error", "reason": "empty_text", "detail": "the text is empty",
         "locator": "in.jsonl:3"},
        b"this is not json",
        duplicate,
    ]  # fmt: skip
    write_jsonl(path, rows)
    with path.open("ab") as handle:
        handle.write(b'{"id": "torn", "status": "o')  # a crash mid-write
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def read_table(path: Path, fmt: str) -> list[dict[str, Any]]:
    """Rows as dicts: CSV cells as text, Parquet cells as typed values."""
    if fmt == "csv":
        return list(read_csv(path))
    table = pq.read_table(path)
    assert table.schema.names == list(COLUMNS)
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_every_record_has_rows_one_per_event(tmp_path: Path, fmt: str) -> None:
    source = mixed_output(tmp_path / "out.jsonl")
    stats = export_table(source, fmt)
    assert stats.dest == tmp_path / f"out.{fmt}"
    assert (stats.rows, stats.records, stats.events) == (6, 4, 4)
    assert (stats.no_events, stats.errors, stats.duplicates, stats.unreadable) == (1, 1, 1, 2)
    rows = read_table(stats.dest, fmt)
    empty = "" if fmt == "csv" else None
    as_int = str if fmt == "csv" else int
    keys = [(r["article_id"], r["event_index"], r["event_id"]) for r in rows]
    assert keys == [
        ("mali", as_int(0), "e1"),
        ("mali", as_int(1), "e2"),
        ("quiet", empty, empty),
        ("blank", empty, empty),
        ("mali-copy", as_int(0), "e1"),
        ("mali-copy", as_int(1), "e2"),
    ]
    mali, background, quiet, blank, copy = rows[0], rows[1], rows[2], rows[3], rows[4]
    assert (mali["status"], mali["url"], mali["published_at"]) == (
        "ok", "https://example.org/mali", "2025-01-09"
    )  # fmt: skip
    assert (blank["status"], blank["error_reason"], blank["error_detail"]) == (
        "error", "empty_text", "the text is empty"
    )  # fmt: skip
    assert blank["headline"] == empty and blank["backend"] == empty
    assert quiet["headline"] == "Headline quiet" and quiet["event_type"] == empty
    assert copy["duplicate_of"] == "mali" and mali["duplicate_of"] == empty
    assert mali["actors"] == "FAMa (initiator); terroristes (target)"
    assert (
        mali["actor_labels"] == "Malian Armed Forces (initiator); unidentified armed group (target)"
    )
    assert mali["actor_types"] == "state_forces; rebel_or_armed_group"
    assert mali["links"] == "e2 (same_operation)"
    assert (mali["location"], mali["locality"], mali["country_code"]) == (
        "Nioro du Sahel", "Nioro", "ML"
    )  # fmt: skip
    assert (background["modality"], background["event_date"]) == ("background", "2025-01")
    assert background["time_precision"] == "month" and background["location"] == empty
    assert [r["warnings"] for r in rows[:2]] == [as_int(3), as_int(3)]
    assert [r["event_warnings"] for r in rows[:2]] == [as_int(0), as_int(2)]
    assert mali["evidence_quote"] == "quote 1" and mali["schema_version"] == "1.0.0"


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_figure_columns_take_the_largest_grounded_figure_as_stated(
    tmp_path: Path, fmt: str
) -> None:
    figures = [
        figure("killed", 3, claimed_by="the army", whose="soldiers"),
        figure("killed", 7, claimed_by="a local official"),
        figure("killed", 50, grounded=False, claimed_by="a rebel channel"),
        figure("killed", None, raw="casualties"),
        figure("neutralised", 14, claimed_by="the army"),
        figure("injured", 10, low=10, high=20, vague=True, raw="10 to 20 wounded"),
        figure("seized", 9, unit="motorcycles"),
    ]
    source = write_jsonl(tmp_path / "out.jsonl", [summary("a", [event(1, figures=figures)])])
    row = read_table(export_table(source, fmt).dest, fmt)[0]
    typed = (lambda v: v) if fmt == "parquet" else (lambda v: "" if v is None else str(v).lower())
    assert row["fatalities"] == typed(7)
    assert (row["fatalities_high"], row["fatalities_vague"]) == (typed(None), typed(False))
    assert row["neutralised"] == typed(14)
    assert (row["injured"], row["injured_high"], row["injured_vague"]) == (
        typed(10), typed(20), typed(True)
    )  # fmt: skip
    assert (row["missing"], row["missing_vague"]) == (typed(None), typed(None))
    assert row["claimed_by"] == "the army; a local official; a rebel channel"
    kept = json.loads(row["figures"])
    assert [(f["kind"], f["value"]) for f in kept] == [(f["kind"], f["value"]) for f in figures]
    assert all("evidence" not in f for f in kept)
    assert kept[2]["grounded"] is False and kept[6]["unit"] == "motorcycles"


def test_csv_is_rfc4180_and_defuses_formulas_parquet_keeps_raw_values(tmp_path: Path) -> None:
    starts = ["=1+1", "+33 1 23", "-2 dead", "@SUM(A1)", "\tindent", "\rreturn"]
    place = {**MALI_PLACE, "name": starts[1], "region": starts[2], "country": starts[3]}
    line = summary(
        "=cmd|' /C calc'!A0",
        [event(1, description=TRICKY, where=place, evidence=[{"quote": starts[4]}]),
         event(2, description=NON_LATIN, when={"text": starts[5]})],
        title=starts[0],
        headline=NON_LATIN,
        language="ru",
    )  # fmt: skip
    source = write_jsonl(tmp_path / "out.jsonl", [line])
    csv_rows = read_csv(export_table(source, "csv").dest)
    raw = pq.read_table(export_table(source, "parquet").dest).to_pylist()
    first, second = csv_rows
    assert first["article_id"] == "'=cmd|' /C calc'!A0"
    assert first["title"] == "'=1+1" and first["location"] == "'+33 1 23"
    assert (first["region"], first["country"]) == ("'-2 dead", "'@SUM(A1)")
    assert first["evidence_quote"] == "'\tindent" and second["date_text"] == "'\rreturn"
    assert first["description"] == "'" + TRICKY  # quotes, comma and newline survive the round trip
    assert second["description"] == NON_LATIN and first["headline"] == NON_LATIN
    assert first["longitude"] == "-9.59356"  # a number, not a formula: never prefixed
    assert raw[0]["article_id"] == "=cmd|' /C calc'!A0" and raw[0]["title"] == "=1+1"
    assert raw[0]["description"] == TRICKY and raw[1]["date_text"] == "\rreturn"
    assert raw[0]["longitude"] == -9.59356 and raw[0]["headline"] == NON_LATIN
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(b"article_id,status,") and b"\r\n" in data
    assert NON_LATIN.encode("utf-8") in data


def test_parquet_schema_is_fixed_and_written_in_bounded_row_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_module, "ROW_GROUP_ROWS", 4)
    lines = [summary(f"r{i}", [event(1), event(2)] if i % 2 else []) for i in range(7)]
    source = write_jsonl(tmp_path / "out.jsonl", lines)
    dest = export_table(source, "parquet").dest
    meta = pq.ParquetFile(dest).metadata
    assert meta.num_rows == 10
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [4, 4, 2]
    schema = pq.read_schema(dest)
    expected = {
        "event_index": pa.int64(),
        "fatalities": pa.int64(),
        "geo_precision": pa.int64(),
        "latitude": pa.float64(),
        "similarity": pa.float64(),
        "grounded": pa.bool_(),
        "date_approximate": pa.bool_(),
        "event_date": pa.string(),
        "published_at": pa.string(),
    }
    assert {name: schema.field(name).type for name in expected} == expected
    assert all(schema.field(name).nullable for name in COLUMNS)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_an_empty_output_gives_an_empty_table_with_every_column(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "out.jsonl"
    source.write_bytes(b"")
    stats = export_table(source, fmt)
    assert (stats.rows, stats.records, stats.unreadable) == (0, 0, 0)
    assert read_table(stats.dest, fmt) == []


def test_a_last_line_without_its_newline_is_torn_as_resume_sees_it(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "out.jsonl", [summary("a", [event(1)])])
    whole = json.dumps(summary("b", [event(1)])).encode("utf-8")
    source.write_bytes(source.read_bytes() + whole)  # killed just before the newline
    stats = export_table(source, "csv")
    assert (stats.records, stats.unreadable) == (1, 1)
    assert [row["article_id"] for row in read_csv(stats.dest)] == ["a"]


def test_near_duplicate_fields_are_exported(tmp_path: Path) -> None:
    line = {
        **summary("b", [event(1)]),
        "near_duplicate_of": "a",
        "similarity": 0.91,
        "similar_to": ["a", "c"],
    }
    source = write_jsonl(tmp_path / "out.jsonl", [line])
    row = pq.read_table(export_table(source, "parquet").dest).to_pylist()[0]
    assert (row["near_duplicate_of"], row["similarity"], row["similar_to"]) == ("a", 0.91, "a; c")


def test_a_failed_export_keeps_the_previous_table_and_leaves_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write_jsonl(tmp_path / "out.jsonl", [summary(f"r{i}", [event(1)]) for i in range(3)])
    dest = tmp_path / "out.csv"
    dest.write_text("previous export\n", encoding="utf-8")
    real_rows = export_module._record_rows

    def disk_full(line: dict[str, Any]) -> list[dict[str, Any]]:
        if line["id"] == "r2":
            raise OSError(28, "No space left on device")
        return real_rows(line)

    monkeypatch.setattr(export_module, "_record_rows", disk_full)
    with pytest.raises(OSError, match="No space left"):
        export_table(source, "csv")
    assert dest.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "out.jsonl"]


def test_refuses_what_it_cannot_do_without_touching_the_output(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "out.jsonl", [summary("a", [])])
    before = source.read_bytes()
    with pytest.raises(ExportError, match="does not exist"):
        export_table(tmp_path / "missing.jsonl", "csv")
    with pytest.raises(ExportError, match="csv, parquet"):
        export_table(source, "xlsx")
    with pytest.raises(ExportError, match="the output itself"):
        export_table(source, "csv", source)
    with pytest.raises(ExportError, match="not a directory"):
        export_table(source, "csv", tmp_path / "nowhere" / "t.csv")
    with pytest.raises(ExportError, match="is a directory"):
        export_table(source, "parquet", tmp_path)
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_every_column_is_documented() -> None:
    doc = export_module.__doc__ or ""
    documented = set(re.findall(r"[a-z_<>]+", doc))
    for name in COLUMNS:
        generic = re.sub(r"^[a-z_]+?(_high|_vague)$", r"<kind>\1", name)
        assert name in documented or generic in documented, name


def make_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test app."""

    register(app)
    register_batch(app)
    return app


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(make_app(), list(args))
    flat = " ".join(result.stderr.replace("│", " ").split())  # rich boxes wrap usage errors
    return result.exit_code, result.stdout, flat


def test_command_exports_and_reports_what_it_did(tmp_path: Path) -> None:
    source = mixed_output(tmp_path / "out.jsonl")
    code, stdout, stderr = invoke("export", str(source), "--format", "parquet")
    assert code == 0, stderr
    assert stdout == ""
    assert f"exported 6 rows to {tmp_path / 'out.parquet'}" in stderr
    assert "4 records, 4 events, 1 without events, 1 errors" in stderr
    assert "skipped 2 unreadable lines" in stderr
    assert pq.read_table(tmp_path / "out.parquet").num_rows == 6
    table = tmp_path / "desk" / "events.parquet"
    table.parent.mkdir()
    code, _, stderr = invoke("export", str(source), "-o", str(table))
    assert code == 0, stderr
    assert pq.read_table(table).num_rows == 6  # the format follows the destination's suffix
    code, _, stderr = invoke("export", str(source), "-o", str(tmp_path / "events.txt"))
    assert code == 0 and len(read_csv(tmp_path / "events.txt")) == 6  # else CSV


def test_command_usage_errors_exit_2(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "out.jsonl", [summary("a", [])])
    cases = [
        (("export", str(tmp_path / "missing.jsonl")), "does not exist"),
        (("export", str(source), "--format", "xlsx"), "use one of csv, parquet"),
        (("export", str(source), "-f", "csv", "-o", str(source)), "the output itself"),
    ]
    for args, message in cases:
        code, stdout, stderr = invoke(*args)
        assert code == 2, (args, stderr)
        assert message in stderr, (args, stderr)
        assert stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_a_real_batch_output_exports_every_record(tmp_path: Path) -> None:
    rows: list[dict[str, Any] | bytes] = [
        {"id": f"r{i}", "text": article(i), "published_at": "2025-01-09"} for i in range(3)
    ]
    rows += [{"id": "wire", "text": article(0)}, {"id": "blank", "text": " "}, b"{broken"]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke("batch", str(source), "-o", str(out))
    assert code == 3, stderr
    code, _, stderr = invoke("export", str(out))
    assert code == 0, stderr
    lines = {line["id"]: line for line in output_lines(out)}
    table = read_csv(tmp_path / "out.csv")
    per_record: dict[str, int] = {}
    for row in table:
        per_record[row["article_id"]] = per_record.get(row["article_id"], 0) + 1
    expected = {
        rid: max(1, len(line.get("summary", {}).get("events", []))) for rid, line in lines.items()
    }
    assert per_record == expected and len(expected) == 6
    by_id = {row["article_id"]: row for row in table}
    assert by_id["wire"]["duplicate_of"] == "r0"
    assert by_id["blank"]["error_reason"] == "empty_text"
    assert by_id["r1"]["event_type"] and by_id["r1"]["published_at"] == "2025-01-09"
    assert by_id["r1"]["backend"] == "offline"
