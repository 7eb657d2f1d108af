"""Readers stream every record, and turn each broken one into an error with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.batch.readers import (
    CsvReader,
    FieldMap,
    JsonlReader,
    TextDirReader,
    detect_format,
)
from service.batch.records import Record, RecordError, record_id, text_key
from tests.batch.conftest import article, write_jsonl

FIELDS = FieldMap()


def test_jsonl_yields_records_and_errors_in_order_with_locators(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a1", "text": article(1), "title": "T", "published_at": "2025-01-09"},
            b'{"id": "broken", "text": ',
            b'{"id": "latin1", "text": "caf\xe9"}',
            {"id": 7, "text": "   "},
            b"",
            {"url": "https://example.org/x", "text": article(2)},
            {"text": article(3)},
            {"id": "no-text"},
            b"[1, 2]",
            {"id": "nested", "text": article(4), "title": {"en": "T"}},
        ],
    )
    items = list(JsonlReader(FIELDS).read(path))
    summary = [(type(i).__name__, i.id, getattr(i, "reason", None)) for i in items]
    assert summary == [
        ("Record", "a1", None),
        ("RecordError", f"at:{path}:2", "invalid_record"),
        ("RecordError", f"at:{path}:3", "undecodable"),
        ("RecordError", "7", "empty_text"),
        ("Record", "https://example.org/x", None),
        ("Record", f"sha256:{text_key(article(3))}", None),
        ("RecordError", "no-text", "invalid_record"),
        ("RecordError", f"at:{path}:9", "invalid_record"),
        ("RecordError", "nested", "invalid_record"),
    ]
    first = items[0]
    assert isinstance(first, Record) and first.title == "T" and first.published_at == "2025-01-09"
    assert first.locator.line == 1 and first.locator.offset == 0
    assert items[4].locator.line == 6  # the blank line 5 is not a record


def test_an_oversized_jsonl_line_is_too_large_and_the_next_line_still_reads(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "big.jsonl",
        [{"id": "big", "text": "x" * 5000}, {"id": "small", "text": article(1)}],
    )
    items = list(JsonlReader(FIELDS, max_bytes=1000).read(path))
    assert isinstance(items[0], RecordError) and items[0].reason == "too_large"
    assert isinstance(items[1], Record) and items[1].id == "small"


def test_csv_rows_with_configurable_field_names(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    body = f'story_id,body,date\ns1,"{article(1)}",2025-01-09\ns2,"",2025-01-10\n'
    path.write_bytes(body.encode() + b's3,"caf\xe9 au lait",2025-01-11\n')
    fields = FieldMap(text="body", id="story_id", published_at="date")
    items = list(CsvReader(fields).read(path))
    assert [(type(i).__name__, i.id) for i in items] == [
        ("Record", "s1"),
        ("RecordError", "s2"),
        ("RecordError", f"at:{path}:4"),
    ]
    assert isinstance(items[0], Record) and items[0].published_at == "2025-01-09"
    assert [getattr(i, "reason", None) for i in items] == [None, "empty_text", "undecodable"]


def test_csv_without_the_text_column_reports_every_row(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,body\nr1,hello\nr2,world\n", encoding="utf-8")
    items = list(CsvReader(FIELDS).read(path))
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        ("r1", "invalid_record"),
        ("r2", "invalid_record"),
    ]
    assert "'text'" in items[0].detail  # type: ignore[union-attr]


def test_txt_dir_reads_txt_files_and_reports_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    (folder / "2024").mkdir(parents=True)
    (folder / "2024" / "a.txt").write_text(article(1), encoding="utf-8")
    (folder / "b.txt").write_text("\n  \n", encoding="utf-8")
    (folder / "c.txt").write_bytes(b"caf\xe9")
    (folder / "d.html").write_text("<p>hi</p>", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00")
    items = list(TextDirReader().read(folder))
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        ("2024/a.txt", None),
        ("b.txt", "empty_text"),
        ("c.txt", "undecodable"),
        ("d.html", "unsupported_format"),
    ]


def test_ids_prefer_the_source_id_then_the_url_then_a_hash_of_normalised_text() -> None:
    assert record_id(" s1 ", "https://x", "t") == "s1"
    assert record_id(None, "https://x", "t") == "https://x"
    assert record_id("", None, "a  b\n c") == record_id(None, None, " a b c ")
    assert record_id(None, None, "a b c").startswith("sha256:")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("x.jsonl", "jsonl"), ("x.NDJSON", "jsonl"), ("x.csv", "csv"), ("x.xml", None)],
)
def test_formats_are_detected_by_extension(tmp_path: Path, name: str, expected: str | None) -> None:
    assert detect_format(tmp_path / name) == expected
    assert detect_format(tmp_path) == "txt-dir"
