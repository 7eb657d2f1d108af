"""NITF and NewsML-G2: one record per article with its wire metadata; breakage is an error line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from service.batch.newsxml import NewsXmlReader, iso_8601
from service.batch.records import Record, RecordError
from tests.conftest import FIXTURES

BATCH = FIXTURES / "batch"
NS = "http://iptc.org/std/nar/2006-10-01/"


def read(path: Path, max_bytes: int = 1 << 20) -> list[Record | RecordError]:
    return list(NewsXmlReader(max_bytes).read(path))


def test_a_nitf_document_is_one_record_with_dateline_headline_date_and_source() -> None:
    (item,) = read(BATCH / "nitf-plain.xml")
    assert isinstance(item, Record)
    assert item.id == "wire-2025-0412-brest"
    assert item.title == "Ferry with 212 passengers runs aground off Brest"
    assert item.published_at == "2025-04-12T06:30:00+02:00"
    assert item.source == "Atlantic Wire"
    assert item.url == "https://wire.example/2025/04/12/ferry-brest"
    assert item.text.splitlines() == [
        "BREST, April 12 (Atlantic Wire) — A passenger ferry carrying 212 people ran aground"
        " on a sandbank off Brest early on Saturday, the préfecture maritime said.",
        "Nobody was hurt & the passengers were taken ashore by lifeboats within three hours,"
        " a spokeswoman told reporters.",
        "Tide expected to free the ship",
        "Tugs will try to refloat the vessel at high tide on Saturday evening.",
    ]
    assert "staff reporter" not in item.text and "night desk" not in item.text
    assert item.locator.line == 3


def test_namespaced_nitf_without_doc_id_takes_its_url_as_id() -> None:
    (item,) = read(BATCH / "storm.nitf")
    assert isinstance(item, Record)
    assert item.id == item.url == "https://courier.example/news/storm-lakeside"
    assert item.text.startswith("LAKESIDE — High winds cut power")  # no doubled dash
    assert item.published_at == "2025-02-07"
    assert item.source == "Lakeside Courier"


def test_a_news_message_gives_each_text_item_and_counts_the_pictures() -> None:
    reader = NewsXmlReader()
    items = list(reader.read(BATCH / "newsml-message.xml"))
    summary = [(type(i).__name__, i.id, getattr(i, "reason", None)) for i in items]
    assert summary == [
        ("Record", "urn:newsml:wire.example:20250520:dam-1", None),
        ("Record", "urn:newsml:wire.example:20250520:fire-2", None),
        ("RecordError", "urn:newsml:wire.example:20250520:remote-3", "empty_text"),
    ]
    assert reader.skipped == {"newsItem:ninat:picture": 1}
    dam, fire = items[0], items[1]
    assert isinstance(dam, Record) and isinstance(fire, Record)
    assert dam.text.splitlines() == [
        "GRENOBLE, May 20 — Engineers closed the road below the Vercors dam on Tuesday for a"
        " two-day inspection, the prefecture said.",
        "About 300 drivers a day will be diverted through the next valley.",
    ]
    assert (dam.title, dam.published_at, dam.source) == (
        "Dam inspection closes valley road",
        "2025-05-20T08:40:00+02:00",
        "Wire Example",
    )
    # NITF inside inlineXML; the copy already starts with its dateline; no contentCreated.
    assert fire.text.startswith("DIGNE, May 20 — Firefighters brought")
    assert fire.text.count("DIGNE") == 1
    assert fire.published_at == "2025-05-20T08:58:00+00:00"
    assert fire.source == "Wire Example Ltd"  # the provider has no name: the rights holder
    assert items[2].locator.line == 66


def test_a_bare_news_item_with_plain_text() -> None:
    (item,) = read(BATCH / "newsml-item.xml")
    assert isinstance(item, Record)
    assert item.id == "urn:newsml:wire.example:20250601:vote-4"
    assert item.text.splitlines() == [
        "Residents of Saint-Vran voted 312 to 98 on Sunday to keep the village school open,"
        " the mayor said.",
        "The council will now ask the region for two more teachers.",
    ]
    assert (item.source, item.published_at) == ("Wire Example", "2025-06-01T18:20:00+00:00")


def test_malformed_xml_keeps_what_came_before_and_names_the_line() -> None:
    path = BATCH / "newsml-broken.xml"
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Record", "RecordError"]
    assert items[0].id == "urn:newsml:wire.example:20250702:ok-1"
    error = items[1]
    assert isinstance(error, RecordError) and error.reason == "invalid_record"
    assert error.id == f"at:{path.name}:20" and error.locator.line == 20
    assert error.detail.startswith(
        "malformed XML, the rest of the file is not read: Opening and ending tag mismatch"
    )


def test_entities_are_never_expanded_and_the_network_never_used(tmp_path: Path) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        "<!DOCTYPE nitf [\n"
        ' <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">\n'
        ' <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
        ' <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n'
        ' <!ENTITY secret SYSTEM "file:///etc/passwd">\n'
        ' <!ENTITY remote SYSTEM "http://attacker.example/x">\n'
        "]>\n"
        '<nitf><head><docdata><doc-id id-string="h1"/></docdata></head><body><body.content>'
        "<p>Rain fell on Lyon &c; on Monday &secret; &remote; as forecast&#160;&#233;.</p>"
        "</body.content></body></nitf>",
        encoding="utf-8",
    )
    (item,) = read(path)
    assert isinstance(item, Record)
    assert item.text == "Rain fell on Lyon on Monday as forecast é."


def test_a_nitf_file_over_the_cap_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "long.xml"
    body = "<p>The river rose again overnight.</p>" * 100
    path.write_text(f"<nitf><body><body.content>{body}</body.content></body></nitf>")
    (item,) = read(path, max_bytes=1000)
    assert isinstance(item, RecordError) and item.reason == "too_large"
    assert item.id == f"at:{path.name}"


def peak_rss_kib(path: Path, max_bytes: int) -> tuple[int, list[list[str | None]]]:
    """Read a file in a fresh interpreter: its peak resident memory (libxml2's included,
    which tracemalloc does not see) and the (id, reason) of each item."""
    script = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from service.batch.newsxml import NewsXmlReader\n"
        "items = NewsXmlReader(int(sys.argv[2])).read(Path(sys.argv[1]))\n"
        "out = [[i.id, getattr(i, 'reason', None)] for i in items]\n"
        "print(json.dumps([resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, out]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(max_bytes)],
        capture_output=True,
        check=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    peak, items = json.loads(done.stdout)
    return peak, items


def write_message(path: Path, paragraphs: int) -> Path:
    """A NewsML-G2 message: one item of `paragraphs` paragraphs, then a short item."""
    paragraph = "<p>" + "The convoy crossed the border at dawn, officials said. " * 20 + "</p>"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f'<newsMessage xmlns="{NS}"><itemSet>')
        handle.write('<newsItem guid="big"><contentSet><inlineXML><body>')
        for _ in range(paragraphs):
            handle.write(paragraph)
        handle.write("</body></inlineXML></contentSet></newsItem>")
        handle.write(
            '<newsItem guid="small"><contentSet><inlineXML><body><p>Rain in Lyon.</p>'
            "</body></inlineXML></contentSet></newsItem></itemSet></newsMessage>"
        )
    return path


def test_an_oversized_item_of_a_message_is_too_large_and_never_held(tmp_path: Path) -> None:
    big = write_message(tmp_path / "big.xml", 40_000)  # one item of about 45 MB
    assert big.stat().st_size > 40 << 20
    small = write_message(tmp_path / "small.xml", 1)
    peak, items = peak_rss_kib(big, 1 << 20)
    baseline, small_items = peak_rss_kib(small, 1 << 20)
    assert items == [["big", "too_large"], ["small", None]]
    assert small_items == [["big", None], ["small", None]]
    assert peak - baseline < 16 << 10  # KiB: far less than the item (held, it takes ~150 MB)


def test_a_text_node_too_large_for_the_parser_is_too_large(tmp_path: Path) -> None:
    path = tmp_path / "message.xml"
    words = "word " * 2_200_000  # 11 MB in one text node: over libxml2's limit
    path.write_text(
        f'<newsMessage xmlns="{NS}"><itemSet>'
        '<newsItem guid="ok"><contentSet><inlineData contenttype="text/plain">Rain in Lyon.'
        "</inlineData></contentSet></newsItem>"
        f'<newsItem guid="huge"><contentSet><inlineXML><body><p>{words}</p></body>'
        "</inlineXML></contentSet></newsItem></itemSet></newsMessage>"
    )
    items = read(path)
    assert [(i.id, getattr(i, "reason", None)) for i in items] == [
        ("ok", None),
        (f"at:{path.name}:1", "too_large"),
    ]
    assert items[1].detail.startswith("an element too large to parse")  # type: ignore[union-attr]


def test_a_file_of_another_kind_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<rss><channel/></rss>")
    (item,) = read(path)
    assert isinstance(item, RecordError) and item.reason == "unsupported_format"
    assert "<rss>" in item.detail


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20250412T063000+0200", "2025-04-12T06:30:00+02:00"),
        ("20250412T0630Z", "2025-04-12T06:30:00+00:00"),
        ("20250412T063000", "2025-04-12T06:30:00"),  # no offset given: none invented
        ("20250412", "2025-04-12"),
        ("2025-04-12", "2025-04-12"),
        ("2025-04-12T06:30:00-05:00", "2025-04-12T06:30:00-05:00"),
        ("2025-04-12T06:30:00.250Z", "2025-04-12T06:30:00.250000+00:00"),
        (" 2025-04-12T06:30:00Z ", "2025-04-12T06:30:00+00:00"),
        ("20251341", None),
        ("April 12, 2025", None),
        ("", None),
        (None, None),
    ],
)
def test_wire_dates_become_iso_8601(value: str | None, expected: str | None) -> None:
    assert iso_8601(value) == expected
