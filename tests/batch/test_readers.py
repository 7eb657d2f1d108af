"""Readers stream every record, and turn each broken one into an error with a reason."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from service.batch.csvrows import CsvReader
from service.batch.readers import (
    FORMATS,
    FieldMap,
    FolderReader,
    JsonlReader,
    detect_format,
    reader_for,
)
from service.batch.records import Locator, Record, RecordError, record_id, text_key
from tests.batch.conftest import article, write_jsonl
from tests.conftest import FIXTURES

FIELDS = FieldMap()
HTML_DIR = FIXTURES / "batch" / "html"


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
        ("RecordError", f"at:{path.name}:2", "invalid_record"),
        ("RecordError", f"at:{path.name}:3", "undecodable"),
        ("RecordError", "7", "empty_text"),
        ("Record", "https://example.org/x", None),
        ("Record", f"sha256:{text_key(article(3))}", None),
        ("RecordError", "no-text", "invalid_record"),
        ("RecordError", f"at:{path.name}:9", "invalid_record"),
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
        ("RecordError", f"at:{path.name}:4"),
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
    (folder / "d.docx").write_bytes(b"PK\x03\x04")
    (folder / "e.html").write_bytes(b"")
    (folder / ".DS_Store").write_bytes(b"\x00")
    items = list(FolderReader().read(folder))
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        ("2024/a.txt", None),
        ("b.txt", "empty_text"),
        ("c.txt", "undecodable"),
        ("d.docx", "unsupported_format"),
        ("e.html", "empty_text"),
    ]


def test_html_files_give_the_article_text_and_the_page_metadata() -> None:
    items = {item.id: item for item in FolderReader().read(HTML_DIR)}
    assert list(items) == ["brief.txt", "nav-heavy.html", "no-article.htm", "scan.pdf"]
    page = items["nav-heavy.html"]
    assert isinstance(page, Record)
    assert page.text.count("firefighters saved the town archives") == 1
    assert "electrical fault in the attic" in page.text
    for furniture in (
        "Subscribe now",
        "Most read",
        "best bakeries",
        "Cookie settings",
        "ring road",
    ):
        assert furniture not in page.text
    assert page.title == "Library fire: archives saved"
    assert page.published_at == "2025-04-02"
    assert page.url == "https://riverside.example/2025/04/02/library-fire"
    assert page.source == "Riverside Post"
    empty = items["no-article.htm"]
    assert isinstance(empty, RecordError) and empty.reason == "empty_text"
    assert empty.detail == "no article text in the page"
    other = items["scan.pdf"]
    assert isinstance(other, RecordError) and other.reason == "unsupported_format"


def test_an_html_file_over_the_cap_is_too_large_without_being_parsed(tmp_path: Path) -> None:
    (tmp_path / "big.html").write_bytes(b"<html><body><p>" + b"word " * 400 + b"</p></body></html>")
    (item,) = FolderReader(max_bytes=1000).read(tmp_path)
    assert isinstance(item, RecordError) and item.reason == "too_large"


def test_a_page_of_menus_only_has_no_article_text(tmp_path: Path) -> None:
    menus = '<nav><a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav>'
    (tmp_path / "menus.html").write_text(f"<html><body>{menus}</body></html>", encoding="utf-8")
    (item,) = FolderReader().read(tmp_path)
    assert isinstance(item, RecordError) and item.reason == "empty_text"


def test_ids_prefer_the_source_id_then_the_url_then_a_hash_of_normalised_text() -> None:
    assert record_id(" s1 ", "https://x", "t") == "s1"
    assert record_id(None, "https://x", "t") == "https://x"
    assert record_id("", None, "a  b\n c") == record_id(None, None, " a b c ")
    assert record_id(None, None, "a b c").startswith("sha256:")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("x.jsonl", "jsonl"),
        ("x.NDJSON", "jsonl"),
        ("x.csv", "csv"),
        ("crawl.warc", "warc"),
        ("crawl.WARC.GZ", "warc"),
        ("story.nitf", "nitf"),
        ("news.rss", "feed"),
        ("news.atom", "feed"),
        ("x.xml", None),  # no such file: nothing to sniff
        ("x.gz", None),
        ("x.arc.gz", None),
    ],
)
def test_formats_are_detected_by_extension(tmp_path: Path, name: str, expected: str | None) -> None:
    assert detect_format(tmp_path / name) == expected
    assert detect_format(tmp_path) == "txt-dir"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<?xml version="1.0"?>\n<!-- wire copy -->\n<nitf><head/>', "nitf"),
        ('<nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body>', "nitf"),
        ('<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet>', "newsml"),
        ('<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid="g">', "newsml"),
        ('<?xml version="1.0"?><rss version="2.0"><channel>', "feed"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"><title>', "feed"),
        ('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', "feed"),
        ("<nitf><body><p>never closed</body></nitf>", "nitf"),
        ("<catalog><book/></catalog>", None),
        ("not xml at all", None),
        ("", None),
        (f"<!-- {'x' * 9000} --><nitf/>", None),  # the root is not within the first KB read
    ],
)
def test_xml_files_are_told_apart_by_their_root_element(
    tmp_path: Path, head: str, expected: str | None
) -> None:
    path = tmp_path / "in.xml"
    path.write_text(head, encoding="utf-8")
    assert detect_format(path) == expected


def test_every_format_has_a_reader() -> None:
    for fmt in FORMATS:
        assert callable(reader_for(fmt, FIELDS).read)
    with pytest.raises(ValueError, match="parquet"):
        reader_for("parquet", FIELDS)


def test_a_locator_shows_the_line_or_else_the_byte_offset() -> None:
    assert str(Locator("a.jsonl", 3, 120)) == "a.jsonl:3"
    assert str(Locator("a.warc.gz", None, 4096)) == "a.warc.gz@4096"
    assert str(Locator("notes.txt")) == "notes.txt"


def test_unreadable_entries_of_a_folder_are_error_lines_by_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "archive"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(article(1), encoding="utf-8")
    (folder / "locked.txt").write_text(article(2), encoding="utf-8")
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "linked.txt").symlink_to(folder / "a.txt")
    (folder / "elsewhere").symlink_to(tmp_path)
    (folder / "sub" / "b.txt").write_text(article(3), encoding="utf-8")
    (folder / "sealed").mkdir()
    (folder / "sealed" / "c.txt").write_text(article(4), encoding="utf-8")
    real_open, real_scandir = Path.open, os.scandir

    def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    def scandir(path: Any = ".") -> Any:
        if Path(path).name == "sealed":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(Path, "open", open_)  # root reads every file: refuse one instead
    monkeypatch.setattr(os, "scandir", scandir)
    items = list(FolderReader().read(folder))
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        ("a.txt", None),
        ("elsewhere", "unsupported_format"),
        ("gone.txt", "unreadable"),
        ("linked.txt", None),
        ("locked.txt", "unreadable"),
        ("sealed", "unreadable"),
        ("sub/b.txt", None),
    ]
    details = {i.id: i.detail for i in items if isinstance(i, RecordError)}
    assert details["gone.txt"] == "a broken link: its target does not exist"
    assert details["locked.txt"] == "cannot read it: Permission denied"
    assert details["sealed"] == "cannot list the folder: Permission denied"
