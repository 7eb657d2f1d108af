"""WARC: pages become records, crawl bookkeeping is counted, damage is one error at its offset."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import pytest

import service.htmltext  # noqa: F401 - loaded before memory is traced
from service.batch.records import Record, RecordError
from service.batch.warc import WarcReader
from tests.batch.warc_files import FERRY, STORM, Filler, WarcBuilder

SITE = "https://harbour.example"


def read(path: Path, max_bytes: int = 1 << 20) -> tuple[list[Record | RecordError], WarcReader]:
    reader = WarcReader(max_bytes)
    return list(reader.read(path)), reader


def crawl(path: Path, gzip: bool) -> WarcBuilder:
    """A small crawl: bookkeeping records around pages good and bad."""
    return (
        WarcBuilder(path, gzip=gzip)
        .info()
        .request(f"{SITE}/storm")
        .response(f"{SITE}/storm", STORM)
        .record(f"{SITE}/storm", "metadata", b"outlinks: 3\r\n", "application/warc-fields")
        .response(f"{SITE}/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
        .response(f"{SITE}/old", b"<html><p>Moved</p></html>", status="301 Moved Permanently")
        .response(f"{SITE}/empty", b"")
        .response(f"{SITE}/latin", "<p>Caf\u00e9 du port ferm\u00e9</p>".encode("latin-1"))
        .response(f"{SITE}/ferry", FERRY, content_type="text/html")  # no charset: sniffed
        .record(f"{SITE}/ferry.html", "resource", FERRY, "text/html")
        .response(f"{SITE}/gallery", b"<html><body><img src='a.jpg'></body></html>")
    )


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_pages_become_records_and_the_rest_of_the_crawl_is_counted(
    tmp_path: Path, compressed: bool
) -> None:
    builder = crawl(tmp_path / ("crawl.warc.gz" if compressed else "crawl.warc"), compressed)
    path = builder.close()
    items, reader = read(path)
    summary = [(type(i).__name__, i.id, getattr(i, "reason", None)) for i in items]
    assert summary == [
        ("Record", f"{SITE}/storm", None),
        ("RecordError", f"{SITE}/empty", "empty_text"),
        ("RecordError", f"{SITE}/latin", "undecodable"),
        ("Record", f"{SITE}/ferry", None),
        ("Record", f"{SITE}/ferry.html", None),
        ("RecordError", f"{SITE}/gallery", "empty_text"),
    ]
    assert reader.skipped == {
        "warcinfo": 1,
        "request": 1,
        "metadata": 1,
        "response:image/png": 1,
        "response:status-301": 1,
    }
    storm = items[0]
    assert isinstance(storm, Record)
    assert storm.text.startswith("Storm closes the harbour\nThe harbour of Saint-Malo was closed")
    assert "Home" not in storm.text and "All rights reserved" not in storm.text
    assert (storm.url, storm.title, storm.source) == (
        f"{SITE}/storm",
        "Storm closes the harbour",
        "harbour.example",
    )
    assert storm.published_at == "2025-01-14"
    assert storm.locator.offset == builder.offsets[2]
    assert items[3].text.startswith("Ferry service resumes\nFerries between Saint-Malo")  # type: ignore[union-attr]
    assert items[2].detail == f"not valid utf-8 (byte 6) (at byte {builder.offsets[7]})"  # type: ignore[union-attr]


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_a_file_cut_inside_its_last_record_ends_with_one_error(
    tmp_path: Path, compressed: bool
) -> None:
    builder = crawl(tmp_path / "full", compressed)
    data = builder.close().read_bytes()
    last = builder.offsets[-1]
    for cut in (last + 20, last + (len(data) - last) // 2, len(data) - 10):
        path = tmp_path / f"cut-{cut}.warc"
        path.write_bytes(data[:cut])
        items, _ = read(path)
        assert [i.id for i in items[:-1]] == [
            f"{SITE}/storm",
            f"{SITE}/empty",
            f"{SITE}/latin",
            f"{SITE}/ferry",
            f"{SITE}/ferry.html",
        ], cut
        error = items[-1]
        assert isinstance(error, RecordError), cut
        assert (error.reason, error.locator.offset) == ("invalid_record", last), cut
        assert error.id == f"at:{path.name}@{last}"
        assert error.detail.startswith(f"unreadable WARC data at byte {last}: ")


def test_a_truncated_gzip_member_in_the_middle_ends_the_file_there(tmp_path: Path) -> None:
    builder = crawl(tmp_path / "full.warc.gz", True)
    data = builder.close().read_bytes()
    start, end = builder.offsets[2], builder.offsets[3]  # the storm page's member
    path = tmp_path / "holed.warc.gz"
    path.write_bytes(data[: start + (end - start) // 2] + data[end:])
    items, _ = read(path)
    assert len(items) == 1
    error = items[0]
    assert isinstance(error, RecordError)
    assert (error.reason, error.locator.offset) == ("invalid_record", start)


def test_garbage_between_records_is_one_error_at_its_offset(tmp_path: Path) -> None:
    builder = crawl(tmp_path / "full.warc", False)
    data = builder.close().read_bytes()
    at = builder.offsets[4]
    path = tmp_path / "garbage.warc"
    path.write_bytes(data[:at] + b"this line is not a WARC record\r\n\r\n" + data[at:])
    items, _ = read(path)
    assert [i.id for i in items] == [f"{SITE}/storm", f"at:{path.name}@{at}"]
    error = items[-1]
    assert isinstance(error, RecordError) and error.reason == "invalid_record"
    assert "this line is not a WARC record" in error.detail


def test_a_gzipped_file_that_is_not_a_warc_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc.gz"
    path.write_bytes(gzip.compress(b"shopping list: bread, milk\n"))
    items, _ = read(path)
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        (f"at:{path.name}@0", "invalid_record")
    ]


def test_an_empty_warc_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc"
    path.write_bytes(b"")
    assert read(path)[0] == []


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_a_50_mb_payload_is_too_large_and_never_held_in_memory(
    tmp_path: Path, compressed: bool
) -> None:
    size = 50 << 20
    path = (
        WarcBuilder(tmp_path / "big.warc", gzip=compressed)
        .response(f"{SITE}/huge", Filler(size), length=size)
        .response(f"{SITE}/storm", STORM)
        .close()
    )
    tracemalloc.start()
    try:
        items = list(WarcReader(max_bytes=1 << 20).read(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        (f"{SITE}/huge", "too_large"),
        (f"{SITE}/storm", None),
    ]
    assert peak < 8 << 20, peak  # bytes traced at the peak: a fraction of the payload


def test_a_small_compressed_payload_that_inflates_past_the_cap_is_too_large(
    tmp_path: Path,
) -> None:
    bomb = gzip.compress(b"<p>" + b" " * (40 << 20))  # 40 MB of blanks in about 40 KB
    builder = WarcBuilder(tmp_path / "bomb.warc.gz")
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    builder.response_with_headers(f"{SITE}/bomb", bomb, headers)
    zipped = gzip.compress(STORM)
    builder.response_with_headers(f"{SITE}/storm", zipped, headers)
    builder.response_with_headers(
        f"{SITE}/brotli", b"\x1b\x00", [("Content-Type", "text/html"), ("Content-Encoding", "br")]
    )
    path = builder.close()
    tracemalloc.start()
    try:
        items = list(WarcReader(max_bytes=1 << 20).read(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        (f"{SITE}/bomb", "too_large"),
        (f"{SITE}/storm", None),
        (f"{SITE}/brotli", "undecodable"),
    ]
    assert items[1].text.startswith("Storm closes the harbour")  # type: ignore[union-attr]
    assert peak < 8 << 20, peak
