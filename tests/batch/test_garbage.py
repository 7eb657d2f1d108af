"""Readers never raise on bad data: garbage in any format gives records and error lines only."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.batch.readers import FieldMap, reader_for
from service.batch.records import Record, RecordError
from service.batch.warc import WarcReader
from tests.batch.conftest import article, output_lines, write_jsonl
from tests.batch.test_cli import invoke
from tests.batch.warc_files import FERRY, STORM, WarcBuilder
from tests.conftest import FIXTURES

BATCH = FIXTURES / "batch"
SUFFIX = {"jsonl": ".jsonl", "csv": ".csv", "warc": ".warc", "nitf": ".xml", "feed": ".rss"}


def read_all(fmt: str, path: Path) -> list[Record | RecordError]:
    """Every item the reader of `fmt` yields for `path`; it must finish without raising."""
    items = list(reader_for(fmt, FieldMap(), max_bytes=1 << 20).read(path))
    assert all(isinstance(item, Record | RecordError) for item in items)
    return items


def warc_seed() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        builder = WarcBuilder(Path(folder) / "seed.warc", gzip=False)
        builder.info().response("https://harbour.example/storm", STORM)
        builder.record("https://harbour.example/ferry", "resource", FERRY, "text/html")
        return builder.close().read_bytes()


SEEDS = {
    "jsonl": b'{"id": "a", "text": "Storm closes the harbour", "published_at": "2025"}\n'
    b'{"url": "https://x.example/b", "text": "Ferries resume", "title": "T"}\n',
    "csv": b'id,text,url\na,"Storm closes, the harbour",https://x.example/a\n'
    b'b,"two\nparagraphs",\n',
    "warc": warc_seed(),
    "nitf": (BATCH / "newsml-message.xml").read_bytes(),
    "feed": (BATCH / "gazette.rss").read_bytes(),
}
TOKENS = [b'"', b"\n", b"\r", b"\x00", b"<", b"&#0;", b"\xff\xfe", b"]]>", b"://["]
TOKENS += [b"{", b"[", b":"]


@st.composite
def mangled(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed with bytes inserted, deleted or replaced, and maybe cut short."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "byte"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 40))]
        elif at < len(data):
            data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(SEEDS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mangled_input_gives_records_and_errors_only(fmt: str, data: st.DataObject) -> None:
    garbage = data.draw(mangled(SEEDS[fmt]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"case{SUFFIX[fmt]}"
        path.write_bytes(garbage)
        read_all(fmt, path)


CASES = [
    # Each broke a reader before: an exception from a parser, not an error line.
    ("nitf", b'<newsMessage><itemSet><newsItem guid="g1"><a: xmlns="x"/></newsItem>'
     b"</itemSet></newsMessage>"),
    ("nitf", b'<nitf><head><docdata><doc-id id-string="d1"/></docdata></head>'
     b"<body><body.content><p>Text</p><a:/></body.content></body></nitf>"),
    ("feed", b'<?xml version="1.0" encoding="ut\xd0-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'),
    ("feed", b"<item<link</item<channel</link>"),
    ("jsonl", b"[" * 100_000 + b"\n"),
    ("jsonl", b'{"id": ' + b"9" * 5000 + b', "text": "x"}\n'),
    ("warc", b"WARC/1.1\r\nWARC-Type: response\r\n\r\n"),
]  # fmt: skip


@pytest.mark.parametrize(("fmt", "data"), CASES)
def test_known_breakers_are_error_lines(tmp_path: Path, fmt: str, data: bytes) -> None:
    path = tmp_path / f"case{SUFFIX[fmt]}"
    path.write_bytes(data)
    items = read_all(fmt, path)
    assert items and any(isinstance(item, RecordError) for item in items)


def test_a_malformed_target_uri_is_a_record_without_source(tmp_path: Path) -> None:
    bad = "http://[bad/"
    path = (
        WarcBuilder(tmp_path / "crawl.warc.gz")
        .response(bad, STORM)
        .response("https://harbour.example/ferry", FERRY)
        .close()
    )
    items = list(WarcReader().read(path))
    assert [(type(i).__name__, i.id) for i in items] == [
        ("Record", bad),
        ("Record", "https://harbour.example/ferry"),
    ]
    storm = items[0]
    assert isinstance(storm, Record) and storm.url == bad and storm.source is None


def test_a_run_over_a_malformed_target_uri_finishes_and_resumes(tmp_path: Path) -> None:
    path = (
        WarcBuilder(tmp_path / "crawl.warc.gz")
        .response("https://harbour.example/storm", STORM)
        .response("http://[bad/", FERRY)
        .close()
    )
    jsonl = write_jsonl(tmp_path / "in.jsonl", [{"id": "after", "text": article(1)}])
    out = tmp_path / "out.jsonl"
    code, _, stderr = invoke(str(path), str(jsonl), "-o", str(out))
    assert code == 0, stderr
    assert sorted(line["id"] for line in output_lines(out)) == [
        "after",
        "http://[bad/",
        "https://harbour.example/storm",
    ]
    code, _, stderr = invoke(str(path), str(jsonl), "-o", str(out), "--resume")
    assert code == 0 and "3 skipped" in stderr
